"""Running the mock: in-process for tests (MockServer) or in the foreground for the CLI.

Both bind the listening socket themselves before uvicorn starts, so the port is known at once
(port 0 picks a free one) and "address already in use" surfaces as a ListenError in the caller,
not as a log line from a server thread.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import sys
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO

import uvicorn

from conformance.mock.app import create_app
from conformance.mock.requestlog import RequestLog, Writer, stderr_writer, writer_for
from conformance.mock.responses import CONNECTION

if TYPE_CHECKING:
    from conformance.contract import Contract

DEFAULT_APP_ID = "test-app-id"
DEFAULT_APP_TOKEN = "test-app-token"
DEFAULT_HOST = "127.0.0.1"
_STARTUP_TIMEOUT = 10.0  # seconds; uvicorn starts in well under one on loopback


class ListenError(OSError):
    """The mock could not listen where it was asked to (one line, for the CLI)."""


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = threading.Event()

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets=sockets)
        self.ready.set()

    @contextlib.contextmanager
    def capture_signals(self):
        # uvicorn re-raises SIGINT/SIGTERM after a graceful shutdown (a traceback, or exit -15);
        # for the mock, being stopped is the normal end, so shut down and return instead.
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


class _OffersConnection:
    """ASGI wrapper, outermost: offers each request the connection it came on (uvicorn's transport,
    held by the request cycle whose `send` this is) under scope["extensions"][CONNECTION], for the
    faults that write past an answer's framing (responses.Answer.afterwards)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        connection = getattr(getattr(send, "__self__", None), "transport", None)
        if scope["type"] == "http" and connection is not None:
            scope["extensions"] = {**scope.get("extensions", {}), CONNECTION: connection}
        await self.app(scope, receive, send)


def _config(app, host: str) -> uvicorn.Config:
    return uvicorn.Config(
        _OffersConnection(app),
        host=host,
        http="httptools" if _has_module("httptools") else "h11",
        loop="uvloop" if _has_module("uvloop") else "asyncio",
        lifespan="off",
        log_config=None,  # leave the caller's logging alone (pytest's, say)
        log_level="warning",
        access_log=False,
    )


def _has_module(name: str) -> bool:
    try:
        __import__(name)
    except ImportError:
        return False
    return True


def _listen(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP, not the default 0: asyncio turns Nagle off (TCP_NODELAY) only for sockets
    # that say they are TCP, and with Nagle on every keep-alive answer waits ~40 ms for an ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as error:
        sock.close()
        raise ListenError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    return sock


def _url(host: str, sock: socket.socket) -> str:
    port = sock.getsockname()[1]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _logged(app, log: TextIO | Writer | None, app_id: str, app_token: str):
    write = writer_for(log)
    return app if write is None else RequestLog(app, write, (app_id, app_token))


class MockServer:
    """The mock on a loopback port, served by a background thread; it starts once.

    with MockServer(faults=["soft-delete"], variants=["long-ids"], contract=Contract.load(p)) as mock:
        requests.get(f"{mock.url}/v1/segments/seg_x", headers=mock.auth_headers)

    It logs nothing unless `log` is given: a stream (one line per request, flushed) or a function
    taking the line (requestlog.py says what a line holds; credentials are masked).
    """

    def __init__(
        self,
        *,
        app_id: str = DEFAULT_APP_ID,
        app_token: str = DEFAULT_APP_TOKEN,
        faults: Iterable[str] = (),
        variants: Iterable[str] = (),
        contract: Contract | None = None,
        host: str = DEFAULT_HOST,
        port: int = 0,
        log: TextIO | Writer | None = None,
    ) -> None:
        self.app_id = app_id
        self.app_token = app_token
        self.faults = tuple(faults)
        self.variants = tuple(variants)
        # app.state.mock is the mock's memory (its store and its contract): tests may read it.
        self.app = create_app(app_id, app_token, self.faults, self.variants, contract)
        self.contract = self.app.state.mock.contract
        self._server = _Server(_config(_logged(self.app, log, app_id, app_token), host))
        self._host = host
        self._port = port
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    @property
    def auth_headers(self) -> dict[str, str]:
        return {"X-App-Id": self.app_id, "X-App-Token": self.app_token}

    def start(self) -> MockServer:
        if self._thread is not None:
            raise RuntimeError("a MockServer starts once; make a new one")
        self._socket = _listen(self._host, self._port)
        self.url = _url(self._host, self._socket)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            name="mock-server",
            daemon=True,
        )
        self._thread.start()
        if not self._server.ready.wait(_STARTUP_TIMEOUT):
            self.stop()
            self._socket.close()
            raise RuntimeError(f"the mock did not start within {_STARTUP_TIMEOUT:.0f} s")
        return self

    def stop(self, *, wait: bool = True) -> None:
        """Stop serving; with wait=False, only ask (the thread ends on its own within ~0.2 s)."""
        self._server.should_exit = True
        if wait and self._thread is not None:
            self._thread.join(timeout=_STARTUP_TIMEOUT)

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def serve_forever(
    host: str = DEFAULT_HOST,
    port: int = 4010,
    app_id: str = DEFAULT_APP_ID,
    app_token: str = DEFAULT_APP_TOKEN,
    faults: Iterable[str] = (),
    variants: Iterable[str] = (),
    contract: Contract | None = None,
    quiet: bool = False,
) -> None:
    """Serve the mock in the foreground until Ctrl-C or SIGTERM; print the URL first, then (unless
    quiet) one line per request on stderr.

    Raises ListenError when the address cannot be bound, and what create_app raises for a fault or
    variant that is unknown or does not apply to the document.
    """
    faults, variants = tuple(faults), tuple(variants)
    app = create_app(app_id, app_token, faults, variants, contract)
    server = _Server(_config(_logged(app, None if quiet else stderr_writer, app_id, app_token), host))
    sock = _listen(host, port)
    try:
        switched = ", ".join(faults) or "none"
        chosen = ", ".join(variants) or "none"
        document = app.state.mock.contract.source
        print(
            f"conformance mock: serving {_url(host, sock)} (document: {document}; faults: {switched};"
            f" variants: {chosen}); Ctrl-C stops it"
        )
        sys.stdout.flush()  # a script reading our stdout through a pipe waits for this line
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # Ctrl-C before uvicorn took over the signal: still a clean stop
        pass
    finally:
        sock.close()
