"""The answer server: a loopback server that answers whatever the gate tells it to.

The model gate's way to put a generated answer in front of a client's real HTTP path: set the
answer (status, body, Content-Type), call the client, read what the client sent. It talks to no
target and knows no account, so it takes any request.
"""

from __future__ import annotations

import secrets
import threading

from conformance.sdk.loopback import Incoming, LoopbackServer, Outgoing
from conformance.target import Credentials


class AnswerServer:
    def __init__(self) -> None:
        self.credentials = Credentials("answers-" + secrets.token_hex(6), secrets.token_urlsafe(18))
        self.received: list[Incoming] = []
        self._answer = Outgoing(404, b'{"code": 404, "message": "no answer set"}', {"Content-Type": "application/json"})
        self._lock = threading.Lock()
        self._server = LoopbackServer(self._handle, name="answers")
        self.url = self._server.url

    def answer(self, status: int, body: bytes | str = b"", content_type: str | None = "application/json; charset=utf-8") -> None:
        """What every request gets from now on."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        headers = {"Content-Type": content_type} if content_type else {}
        with self._lock:
            self._answer = Outgoing(status, body, headers)
            self.received.clear()

    @property
    def last(self) -> Incoming | None:
        return self.received[-1] if self.received else None

    def _handle(self, incoming: Incoming) -> Outgoing:
        with self._lock:
            self.received.append(incoming)
            return self._answer

    def start(self) -> AnswerServer:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> AnswerServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
