"""What the mock answers with: JSON bodies, the vendor's Error object, and the bytes on the wire.

`Answer` is a small ASGI response that sends exactly the headers and body it is given: Starlette's
Response would add a Content-Length of its own and leave out a body on a 204, and some answers
(faults and variants) are about precisely that framing. uvicorn frames what it is told: a
Content-Length it is given (even on a 204, whose bytes it then writes), chunked encoding when
there is neither Content-Length nor Transfer-Encoding, nothing more.

Some faults write past an answer's framing, on the connection it went out on, after a while
(`Answer.afterwards`). ASGI has no message for that, so the mock's server offers each request its
connection (uvicorn's transport) under scope["extensions"][CONNECTION]; an app served otherwise
simply does not write them.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import socket
from dataclasses import dataclass, field
from typing import Any

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
CONNECTION = "conformance.connection"  # scope["extensions"] key: the asyncio transport the answer goes out on


def json_bytes(body: Any, *, pretty: bool = False) -> bytes:
    if pretty:  # the pretty-json variant: indented, ASCII only (\uXXXX escapes), a final newline
        return (json.dumps(body, ensure_ascii=True, indent=2) + "\n").encode("ascii")
    try:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a "\ud800" escape: answer it escaped too
        return json.dumps(body, separators=(",", ":")).encode("ascii")


def request_id() -> str:
    return "v-" + secrets.token_hex(9)  # the vendor's shape: v-0c4e6b8a4f0e2a1c53


def error_body(status: int, key: str, message: str, details: str, **extra: str) -> dict[str, Any]:
    """The vendor's Error object; `extra` adds resource_id and resource_type where they apply."""
    return {
        "code": status,
        "key": key,
        "message": message,
        "details": details,
        "request_id": request_id(),
        **extra,
    }


@dataclass
class Answer:
    """One HTTP answer, sent as given. `body` None means no content at all; `chunks` > 1 sends the
    body in that many pieces with no Content-Length, which uvicorn frames as chunked."""

    status: int
    body: bytes | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    chunks: int = 1
    content_length: bool = True  # send Content-Length for a body (never for chunks > 1)
    # (seconds, bytes): written on a kept-alive connection that long after the answer, past its
    # framing, if no request has used the connection since: the bytes a client would read as the
    # start of its next answer there.
    afterwards: tuple[float, bytes] | None = None

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((value for key, value in self.headers if key.lower() == name), None)

    def set_header(self, name: str, value: str) -> None:
        self.headers = [(key, old) for key, old in self.headers if key.lower() != name.lower()]
        self.headers.append((name, value))

    async def __call__(self, scope, receive, send) -> None:
        headers = list(self.headers)
        body = self.body or b""
        chunked = self.body is not None and self.chunks > 1
        if self.body is not None and self.content_length and not chunked and self.header("content-length") is None:
            headers.append(("content-length", str(len(body))))
        await send({
            "type": "http.response.start",
            "status": self.status,
            "headers": [(key.lower().encode("latin-1"), value.encode("latin-1")) for key, value in headers],
        })
        if chunked:
            size = max(1, -(-len(body) // self.chunks))
            pieces = [body[start:start + size] for start in range(0, len(body), size)] or [b""]
            for piece in pieces:
                await send({"type": "http.response.body", "body": piece, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        else:
            await send({"type": "http.response.body", "body": body, "more_body": False})
        connection = scope.get("extensions", {}).get(CONNECTION)
        if self.afterwards is not None and connection is not None:
            # uvicorn arms a keep-alive timer once an answer is complete and drops it when the next
            # request's bytes are read: the same timer later means no request came meanwhile.
            idle = getattr(connection.get_protocol(), "timeout_keep_alive_task", None)
            if idle is not None:
                delay, data = self.afterwards
                asyncio.get_running_loop().call_later(delay, _if_still_idle, connection, idle, data)


def _if_still_idle(connection, idle, data: bytes) -> None:
    """Write `data` on a kept-alive connection that no request has used since the answer, and on
    which none waits unread. On a used connection the bytes are left out: they would land inside a
    later answer, breaking that exchange too, and a fault breaks only what it names."""
    still = getattr(connection.get_protocol(), "timeout_keep_alive_task", None) is idle
    if not connection.is_closing() and still and not _unread(connection):
        connection.write(data)


def _unread(connection) -> bool:
    """Whether bytes (a request the event loop has not read yet) wait on the connection's socket."""
    sock = connection.get_extra_info("socket")
    if sock is None:
        return False
    try:
        with sock.dup() as peer:
            return bool(peer.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT))
    except BlockingIOError:
        return False
    except OSError:
        return True  # a socket in trouble: write nothing
