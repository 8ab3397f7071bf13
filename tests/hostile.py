"""Hostile targets: tiny raw HTTP servers on loopback that misbehave in one way each."""

from __future__ import annotations

import socket
import threading
import time

MODES = ("hang", "close-mid-body", "garbage", "not-json", "429-forever")


class HostileServer:
    """Answers every request the way `mode` says; bounded: it stops when the test ends."""

    def __init__(self, mode: str) -> None:
        assert mode in MODES, mode
        self.mode = mode
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> HostileServer:
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
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(5)
            try:
                self._read_request(connection)
                if self.mode == "hang":
                    self._stop.wait(60)  # never answers while the test runs
                elif self.mode == "close-mid-body":
                    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"id\": \"se")
                elif self.mode == "garbage":
                    connection.sendall(b"\x00\xffNOT HTTP AT ALL\r\n\r\n")
                elif self.mode == "not-json":
                    body = b"<html>hello</html>"
                    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\nContent-Length: "
                                       + str(len(body)).encode() + b"\r\n\r\n" + body)
                elif self.mode == "429-forever":
                    body = b'{"code": 429, "message": "Too many requests"}'
                    connection.sendall(b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Type: application/json\r\n"
                                       b"Connection: close\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
            except OSError:
                pass

    @staticmethod
    def _read_request(connection: socket.socket) -> None:
        data = b""
        deadline = time.monotonic() + 5
        while b"\r\n\r\n" not in data and time.monotonic() < deadline:
            chunk = connection.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
                while len(body) < length and time.monotonic() < deadline:
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    body += chunk
