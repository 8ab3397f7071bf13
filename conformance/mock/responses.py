"""What the mock answers with: JSON bodies, the vendor's Error object, and the bytes on the wire.

`Answer` is a small ASGI response that sends exactly the headers and body it is given: Starlette's
Response would add a Content-Length of its own and leave out a body on a 204, and some answers
(faults and variants) are about precisely that framing. uvicorn frames what it is told: a
Content-Length it is given (even on a 204, whose bytes it then writes), chunked encoding when
there is neither Content-Length nor Transfer-Encoding, nothing more.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


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
