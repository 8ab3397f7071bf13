"""Ctrl-C and SIGTERM end a run the same way, but never between a create and its ledger entry.

A segment the server created and the ledger did not record would be left behind for good, so
the few lines from sending a request to recording its result hold interrupts back, and raise
the KeyboardInterrupt right after.
"""

from __future__ import annotations

import contextlib
import signal
import threading

_held = 0
_pending: int | None = None


def install() -> None:
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _interrupt)
        signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum, frame) -> None:
    global _pending
    if _held:
        _pending = signum
        return
    raise KeyboardInterrupt(signal.Signals(signum).name)


@contextlib.contextmanager
def held():
    """Hold interrupts back for the duration of the block (bounded by the request timeouts)."""
    global _held, _pending
    _held += 1
    try:
        yield
    finally:
        _held -= 1
        if not _held and _pending is not None:
            signum, _pending = _pending, None
            raise KeyboardInterrupt(signal.Signals(signum).name)
