"""Scripted HTTP servers on loopback for the engine's tests: each answers as its script says,
byte for byte (drip-feed, endless bodies, redirects, bodies after a 204), and records what it got.

A script is `script(request) -> answer`, where `request` has method, path, headers (lower-case
names) and body, and `answer` is bytes, or an iterable of bytes and floats (a float sleeps that
many seconds before the next chunk; CLOSE ends the connection there), or None to close without
answering.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field


CLOSE = "close the connection"


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class ScriptedServer:
    script: object
    host: str = "127.0.0.1"
    received: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._socket = socket.create_server((self.host, 0))
        self._socket.settimeout(0.2)
        self.port = self._socket.getsockname()[1]
        self.url = f"http://{self.host}:{self.port}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> ScriptedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._socket.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except OSError:
                continue
            threading.Thread(target=self._connection, args=(connection,), daemon=True).start()

    def _connection(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(10)
            buffer = b""
            while not self._stop.is_set():
                request, buffer = _read_request(connection, buffer)
                if request is None:
                    return
                self.received.append(request)
                answer = self.script(request)
                if answer is None:
                    return
                try:
                    for chunk in ([answer] if isinstance(answer, bytes) else answer):
                        if self._stop.is_set() or chunk is CLOSE:
                            return
                        if isinstance(chunk, (int, float)):
                            time.sleep(chunk)
                        else:
                            connection.sendall(chunk)
                except OSError:
                    return


def _read_request(connection: socket.socket, buffer: bytes) -> tuple[Request | None, bytes]:
    while b"\r\n\r\n" not in buffer:
        try:
            chunk = connection.recv(65536)
        except OSError:
            return None, b""
        if not chunk:
            return None, b""
        buffer += chunk
    head, _, rest = buffer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    while len(rest) < length:
        chunk = connection.recv(65536)
        if not chunk:
            return None, b""
        rest += chunk
    return Request(method, path, headers, rest[:length]), rest[length:]


def http(status: int, body: bytes = b"", *, headers: dict[str, str] | None = None, reason: str = "X") -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}"]
    headers = {"Content-Type": "application/json", **(headers or {})} if body else dict(headers or {})
    if "Content-Length" not in headers and "Transfer-Encoding" not in headers and status != 204:
        headers["Content-Length"] = str(len(body))
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
