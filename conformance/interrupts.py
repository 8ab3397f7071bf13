"""Ctrl-C and SIGTERM: a flag the engine honours at safe points, never an exception from anywhere.

An exception raised from a signal handler lands in whatever code runs at that moment; inside a
gc callback Python swallows it ("Exception ignored in ...") and the run went on to say CONFORMANT.
So the handler only records the signal. The engine looks at the flag where stopping is safe:
before each request (transport.Gate), between tests (the plugin), in every back-off sleep; the
transport's watchdog also cuts a request that is in flight. `checkpoint()` raises `Interrupted`,
a KeyboardInterrupt, which pytest turns into an interrupted session: cleanup, then INCOMPLETE.

A second signal while cleaning up means "stop cleaning too"; the ledger says what is left.
"""

from __future__ import annotations

import signal
import threading
import time

HANDLED = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """The run was asked to stop (SIGINT or SIGTERM) and reached a safe point."""


class _State:
    signal_name: str | None = None
    count = 0
    at: float | None = None  # time.monotonic() of the first signal


_state = _State()


def install() -> dict:
    """Route SIGINT and SIGTERM to the flag (main thread only; elsewhere a no-op). Returns the
    handlers it replaced, for `restore`."""
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for signum in HANDLED:
            previous[signum] = signal.signal(signum, _record)
    return previous


def restore(previous: dict) -> None:
    """Put back the handlers `install` replaced (a run inside a longer-lived process)."""
    for signum, handler in previous.items():
        signal.signal(signum, handler)


def _record(signum, frame) -> None:
    # Only plain assignments here: no locks, no I/O, nothing that can deadlock or raise.
    _state.count += 1
    if _state.signal_name is None:
        _state.signal_name = signal.Signals(signum).name
        _state.at = time.monotonic()


def requested() -> bool:
    return _state.signal_name is not None


def signal_name() -> str | None:
    return _state.signal_name


def seconds_since() -> float:
    """How long ago the first signal came (0 when none came)."""
    return 0.0 if _state.at is None else time.monotonic() - _state.at


def insisted() -> bool:
    """A second signal came: stop even what the first one let finish (cleanup)."""
    return _state.count >= 2


def checkpoint() -> None:
    """A safe point: raise Interrupted if a signal came."""
    if _state.signal_name is not None:
        raise Interrupted(_state.signal_name)


def sleep(seconds: float) -> None:
    """time.sleep that ends early, with Interrupted, when a signal comes."""
    deadline = time.monotonic() + seconds
    while True:
        checkpoint()
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, 0.1))


def reset() -> None:
    """Forget any signal (tests, and a process that runs the engine twice)."""
    _state.signal_name, _state.count, _state.at = None, 0, None


def simulate(signum: int = signal.SIGINT) -> None:
    """As if the signal had come (tests)."""
    _record(signum, None)
