"""A tiny HTTP/1.1 client that shows the wire: every header as sent, in order and with repeats, the
framing (Content-Length, chunked), the bytes after the headers of a 204 (which http.client and
requests drop), and the body both as framed and content-decoded (gzip).

One connection per request, `Connection: close`, read to EOF: the answer is everything the server
wrote, and nothing of it can leak into the next exchange. With `linger`, the connection is kept
alive instead and read for that long after the header block (or to EOF): bytes a server writes
late after a 204 only on a connection it keeps.
"""

from __future__ import annotations

import gzip
import json
import socket
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

_UNPARSED = object()


@dataclass
class WireAnswer:
    method: str
    target: str
    status: int
    reason: str
    headers: list[tuple[str, str]]
    after_headers: bytes  # every byte the server wrote after the header block
    body: bytes  # the content as framed, then content-decoded
    framed_body: bytes  # the content as framed (dechunked), before content decoding
    _parsed: Any = field(default=_UNPARSED, repr=False)

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((value for key, value in self.headers if key.lower() == name), None)

    def headers_named(self, name: str) -> list[str]:
        name = name.lower()
        return [value for key, value in self.headers if key.lower() == name]

    @property
    def media_type(self) -> str:
        return (self.header("content-type") or "").split(";", 1)[0].strip().lower()

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or None when it is empty or not JSON."""
        if self._parsed is _UNPARSED:
            try:
                self._parsed = json.loads(self.body) if self.body else None
            except ValueError:
                self._parsed = None
        return self._parsed

    @property
    def is_json(self) -> bool:
        """A JSON text as RFC 8259 has it on the wire: UTF-8, no BOM, no NaN/Infinity, unique names."""
        if not self.body or self.body.startswith(b"\xef\xbb\xbf"):
            return False
        try:
            json.loads(self.body.decode("utf-8"), parse_constant=_refuse, object_pairs_hook=_unique)
        except ValueError:
            return False
        return True


def _refuse(constant: str) -> Any:
    raise ValueError(constant)


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    if len({name for name, _ in pairs}) != len(pairs):
        raise ValueError("a member name twice")
    return dict(pairs)


def exchange(
    base_url: str,
    method: str,
    target: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    json_body: Any = None,
    accept_gzip: bool = True,
    timeout: float = 10.0,
    linger: float = 0.0,
) -> WireAnswer:
    """Send one request (`target` is the path and query, already percent-encoded) and read all."""
    address = urlsplit(base_url)
    sent = {"Host": address.netloc, "User-Agent": "rawhttp/1"} | ({} if linger else {"Connection": "close"})
    if accept_gzip:
        sent["Accept-Encoding"] = "gzip"
    if json_body is not None:
        body = json.dumps(json_body).encode("utf-8")
        sent["Content-Type"] = "application/json"
    for name, value in (headers or {}).items():
        sent = {key: old for key, old in sent.items() if key.lower() != name.lower()}
        if value is not None:
            sent[name] = value
    if body is not None:
        sent["Content-Length"] = str(len(body))
    head = f"{method} {target} HTTP/1.1\r\n" + "".join(f"{name}: {value}\r\n" for name, value in sent.items())
    data = head.encode("latin-1") + b"\r\n" + (body or b"")
    with socket.create_connection((address.hostname, address.port), timeout=timeout) as sock:
        sock.sendall(data)
        received, until = bytearray(), None
        while until is None or time.monotonic() < until:
            if until is not None:
                sock.settimeout(until - time.monotonic())
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            received += chunk
            if linger and until is None and b"\r\n\r\n" in received:
                until = time.monotonic() + linger
    return parse(method, target, bytes(received))


def parse(method: str, target: str, received: bytes) -> WireAnswer:
    head, separator, rest = received.partition(b"\r\n\r\n")
    if not separator:
        raise ValueError(f"no complete header block in {received[:200]!r}")
    lines = head.decode("latin-1").split("\r\n")
    _version, status, *reason = lines[0].split(" ", 2)
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    answer = WireAnswer(method, target, int(status), reason[0] if reason else "", headers, rest, b"", b"")
    if method == "HEAD" or answer.status in (204, 304) or answer.status < 200:
        return answer  # no content, whatever bytes follow (they stay in after_headers)
    if (answer.header("transfer-encoding") or "").lower() == "chunked":
        framed = _dechunk(rest)
    elif answer.header("content-length") is not None:
        framed = rest[: int(answer.header("content-length"))]
    else:
        framed = rest
    answer.framed_body = framed
    encoding = (answer.header("content-encoding") or "").lower()
    answer.body = gzip.decompress(framed) if encoding == "gzip" and framed else framed
    return answer


def _dechunk(data: bytes) -> bytes:
    out = bytearray()
    while True:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        out += data[:size]
        data = data[size + 2 :]


def query(params: list[tuple[str, str]] | dict[str, Any]) -> str:
    """A query string as clients send it: brackets and $ percent-encoded."""
    return urlencode(params, doseq=True, quote_via=quote, safe="")


def path_segment(text: str) -> str:
    return quote(text, safe="")
