"""A small HTTP/1.1 server on loopback for the gate's own servers (the relay, the answer server).

Threaded and bounded: at most `max_connections` connections are served at once (the accept loop
waits for a free slot), an idle keep-alive connection is closed after `idle_timeout` seconds, and
a request body larger than `max_body` is refused with 413 without being read.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable

HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
                        "transfer-encoding", "upgrade", "host", "content-length"})


@dataclass
class Incoming:
    """A request as a client sent it to one of our loopback servers."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Outgoing:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Incoming], "Outgoing | None"]  # None: hang up without an answer


class _BoundedServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, handler_class, max_connections: int) -> None:
        self._slots = threading.BoundedSemaphore(max_connections)
        super().__init__(address, handler_class)

    def process_request(self, request, client_address) -> None:
        self._slots.acquire()
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


class LoopbackServer:
    """Serves `handler` on `host` (a loopback address, a free port) from a background thread."""

    def __init__(self, handler: Handler, *, name: str, max_connections: int = 16, idle_timeout: float = 5.0,
                 max_body: int = 16 * 1024 * 1024, host: str = "127.0.0.1") -> None:
        self._handler = handler
        self._name = name
        self._max_body = max_body
        outer = self

        class _RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = idle_timeout
            server_version = f"segments-conformance-{name}"

            def log_message(self, *args) -> None:  # quiet: the gate reports what matters
                pass

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in two writes; with Nagle on, the second waits ~40 ms
                # for the client's delayed ACK on every keep-alive request.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length > outer._max_body:
                    self._answer(Outgoing(413, b'{"code": 413, "message": "Request body too large for the gate"}',
                                          {"Content-Type": "application/json"}), close=True)
                    return
                body = self.rfile.read(length) if length else b""
                incoming = Incoming(self.command, self.path, {key: value for key, value in self.headers.items()}, body)
                try:
                    outgoing = outer._handler(incoming)
                except Exception as error:  # noqa: BLE001 - a handler bug must not hang the client
                    message = f'{{"code": 500, "message": "{type(error).__name__} in the gate\'s {outer._name}"}}'
                    outgoing = Outgoing(500, message.encode(), {"Content-Type": "application/json"})
                if outgoing is None:  # a scripted server that never answers: close unanswered
                    self.close_connection = True
                    return
                self._answer(outgoing)

            def _answer(self, outgoing: Outgoing, close: bool = False) -> None:
                self.send_response(outgoing.status)
                for key, value in outgoing.headers.items():
                    if key.lower() not in HOP_BY_HOP:
                        self.send_header(key, value)
                no_body = outgoing.status in (204, 304) or self.command == "HEAD"
                if not no_body:
                    self.send_header("Content-Length", str(len(outgoing.body)))
                if close:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                if not no_body and outgoing.body:
                    self.wfile.write(outgoing.body)

            do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = do_HEAD = do_OPTIONS = _serve

        self._server = _BoundedServer((host, 0), _RequestHandler, max_connections)
        self.url = f"http://{host}:{self._server.server_address[1]}"
        self._thread: threading.Thread | None = None

    def start(self) -> LoopbackServer:
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"sdk-gate-{self._name}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
