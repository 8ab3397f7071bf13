"""Several requests of one test in flight at once, where their order on the wire does not matter.

Against a target 150 ms away a run is the sum of its round trips; the heavy scenarios (a hundred
creates to fill the dynamic cap, a hundred deletes to empty it) are most of them. Their requests
are independent of one another, so they go `width` at a time, and the run waits for the slowest
of each few instead of for each.

What does not change: every request still passes the Transport's gate (budget, time limit,
interrupts, 429 back-off, which hold every thread), which also bounds the requests in flight
(`Transport.max_in_flight`) and hands exchanges to the report in the order they were sent. The
calls are built by the caller's thread, in order, so anything they draw from the run's random
generator (names, bodies) is drawn as in a serial run: the seed still reproduces the run.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from conformance import options

T = TypeVar("T")

DEFAULT_IN_FLIGHT = 8  # the vendor answers in tens to hundreds of ms; eight keep the pipe full without a burst
SANDBOX_IN_FLIGHT = 1  # the vendor sandbox allows about 100 calls an hour: no bursts there


def in_flight_bound(settings: options.Settings) -> int:
    """Requests in flight at once for a run with these settings."""
    return SANDBOX_IN_FLIGHT if settings.profile == "sandbox" else DEFAULT_IN_FLIGHT


def send_until(calls: Iterable[Callable[[], T]], *, stop: Callable[[T], bool], width: int) -> list[T]:
    """Call each of `calls`, at most `width` at once, started in order; once a result satisfies
    `stop`, start no more. The results of every call started, in the order of `calls` (those in
    flight when `stop` was met included: they were sent). If a call raised, none is started after
    it, and once the ones in flight are done the first exception (in the order of `calls`) is raised.
    """
    pending = iter(calls)
    started: list[Future[T]] = []
    running: set[Future[T]] = set()
    with ThreadPoolExecutor(max_workers=max(1, width), thread_name_prefix="conformance-send") as pool:
        stopped = False
        while True:
            while not stopped and len(running) < max(1, width):
                call = next(pending, None)
                if call is None:
                    stopped = True
                    break
                future = pool.submit(contextvars.copy_context().run, call)  # the test it is sent for
                started.append(future)
                running.add(future)
            if not running:
                break
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                if future.exception() is not None or stop(future.result()):
                    stopped = True
    for future in started:
        if future.exception() is not None:
            raise future.exception()
    return [future.result() for future in started]


def send_all(calls: Iterable[Callable[[], T]], *, width: int) -> list[T]:
    """Every call, at most `width` at once; results in the order of `calls` (see send_until)."""
    return send_until(calls, stop=lambda result: False, width=width)
