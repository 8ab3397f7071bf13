"""The scripted answer server: the client's HTTP behaviour, attempt by attempt.

Modelled on gapic-showcase's Sequence service (a server that plays back a scripted list of
statuses and delays and reports every attempt the client made), for a plain HTTP client: the gate
plays a script of Steps per method (each attempt takes the next step; the last one repeats) and
reads back every Attempt, on either of two loopback listeners: the primary origin the client is
configured with (127.0.0.1) and another origin (127.0.0.2, another host to any client) that a
redirect can point at. A step may answer, answer late, or never answer (`stall`): the connection
is held until the server stops or HOLD seconds pass, then closed unanswered, so a client without a
timeout ends when the gate is done with it and no thread is left waiting.

It knows no account and talks to no target; what it answers is the gate's script.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from conformance.sdk.adapter import Result, SegmentsClient
from conformance.sdk.loopback import Incoming, LoopbackServer, Outgoing
from conformance.target import Credentials

PATIENCE = 10.0  # seconds a call may take against a stalled or rate-limiting server (SDK-TIME-BOUND)
HOLD = PATIENCE + 5.0  # seconds a stalled connection is held before it is closed unanswered
OTHER_HOST = "127.0.0.2"  # "another origin": another host to the client, still loopback


@dataclass(frozen=True)
class Step:
    """One scripted answer: status, headers and body, after `delay` seconds; or none at all."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    stall: bool = False

    @classmethod
    def json(cls, status: int, text: str, **headers: str) -> Step:
        return cls(status, text.encode("utf-8"), {"Content-Type": "application/json; charset=utf-8", **headers})


@dataclass(frozen=True)
class Attempt:
    """A request as it reached one of the two origins, and when (time.monotonic())."""

    origin: str  # "primary" or "other"
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


class SequenceServer:
    def __init__(self) -> None:
        self.credentials = Credentials("sequence-" + secrets.token_hex(6), secrets.token_urlsafe(18))
        self.attempts: list[Attempt] = []
        self._scripts: dict[str, list[Step]] = {}
        self._other = Step.json(401, '{"code": 401, "key": "unauthorized", "message": "Unauthorized"}')
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._primary = LoopbackServer(self._handler("primary"), name="sequence")
        self._other_server = LoopbackServer(self._handler("other"), name="sequence-other", host=OTHER_HOST)
        self.url, self.other_url = self._primary.url, self._other_server.url

    def play(self, scripts: dict[str, list[Step]], other: Step | None = None) -> None:
        """From now on, the n-th attempt with a method gets that method's n-th step (the last one
        repeats); the other origin answers `other` (by default 401, as a host that knows none of
        the client's credentials). Forgets the attempts so far."""
        with self._lock:
            self._scripts = {method.upper(): list(steps) for method, steps in scripts.items()}
            if other is not None:
                self._other = other
            self.attempts = []

    def at(self, origin: str) -> list[Attempt]:
        with self._lock:
            return [attempt for attempt in self.attempts if attempt.origin == origin]

    def _handler(self, origin: str) -> Callable[[Incoming], Outgoing | None]:
        def handle(incoming: Incoming) -> Outgoing | None:
            with self._lock:
                attempt = Attempt(origin, incoming.method, incoming.path, dict(incoming.headers), incoming.body, time.monotonic())
                self.attempts.append(attempt)
                if origin == "other":
                    step = self._other
                else:
                    script = self._scripts.get(incoming.method) or [Step.json(404, '{"code": 404, "message": "not scripted"}')]
                    step = script[min(sum(1 for a in self.attempts if a.origin == origin and a.method == incoming.method) - 1,
                                      len(script) - 1)]
            if step.stall:
                self._released.wait(HOLD)
                return None
            if step.delay:
                self._released.wait(step.delay)
            return Outgoing(step.status, step.body, dict(step.headers))

        return handle

    def start(self) -> SequenceServer:
        self._primary.start()
        self._other_server.start()
        return self

    def stop(self) -> None:
        self._released.set()  # stalled connections close now
        self._primary.stop()
        self._other_server.stop()

    def __enter__(self) -> SequenceServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def call_within(client: SegmentsClient, seconds: float, operation: str, *args: Any) -> tuple[Result | None, float]:
    """Run one operation of `client` (create, get, delete) and the seconds it took; None when it
    had not ended after `seconds` (the client's call is abandoned where it waits)."""
    started = time.monotonic()
    result = client.call_within(seconds, operation, *args)
    return result, time.monotonic() - started
