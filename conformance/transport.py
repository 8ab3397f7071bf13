"""The one gate every request to the target passes: ours, schemathesis's, the probe's, cleanup's.

It is a requests transport adapter under a session that never follows redirects, so whoever
sends through `Transport.session` (our scenarios, schemathesis's cases and the extra requests its
checks make) gets the same policy, in one place:

- the origin: a request to any other scheme, host or port is refused before it is sent, so the
  credentials never leave the target (a redirect is an answer, judged like any other, never followed);
- interrupts: a signal stops the run before the next request, and cuts the one in flight;
- the budget: every request on the wire counts, and creates keep room for deleting what they made;
- a deadline for the whole exchange (connect, headers and body) and a cap on the body read,
  whatever the target does (drip-feed, endless body); both count toward the breaker;
- 429: honoured (Retry-After, X-Rate-Limit-Reset) within the run's patience, then the target is
  unavailable; three transport failures in a row make it unavailable too;
- the run tag in the name of every create body, generated ones included;
- the ledger: any answer that carries a new segment id is recorded before anything else happens;
- the exchange, framed as received, handed to the listeners (checks, recorder, HAR).
"""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from conformance import interrupts
from conformance.contract import CREATE_PATH, Contract
from conformance.exchange import Exchange
from conformance.ledger import Ledger

DEFAULT_DEADLINE_S = 30.0  # a whole exchange; the vendor answers in well under a second
DEFAULT_CONNECT_TIMEOUT_S = 5.0
DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024  # a Segment is a few KB; 100 of them in a list well under 1 MB
DEFAULT_RATE_LIMIT_PATIENCE_S = 60.0
MAX_CONSECUTIVE_TRANSPORT_FAILURES = 3
RATE_LIMIT_RETRIES = 3
INTERRUPT_GRACE_S = 1.5  # a create in flight may finish this long after a signal: its id must reach the ledger
_CHUNK = 64 * 1024
# A 204 that closes its connection: how long its server may take to write what follows the headers
# (a body it should not send) or to close. A clean server closes at once, so this costs nothing.
CLOSING_BODY_WAIT_S = 0.5
_CREATING_METHODS = frozenset({"POST", "PUT", "PATCH"})


class OutOfBudget(Exception):
    """The run may send nothing more (requests or time spent); what is left is NOT TESTED."""


class BudgetExhausted(OutOfBudget):
    pass


class TimeLimitReached(OutOfBudget):
    pass


class TargetUnavailable(Exception):
    """The target stopped answering usefully (transport failures, or 429 past our patience)."""


class TransportError(requests.RequestException):
    """An exchange the transport ended itself; the message says why."""


class OffOrigin(TransportError):
    """A request for another origin than the target's: never sent (the credentials stay home)."""


class UnsafePath(TransportError):
    """A path with a dot segment (an id such as ".."): never sent."""


class DeadlineExceeded(TransportError):
    pass


class BodyTooLarge(TransportError):
    pass


@dataclass
class Budget:
    """At most `limit` requests on the wire, keeping one delete in reserve for each segment created."""

    limit: int | None
    sent: int = 0

    def afford(self, *, reserved: int, requests: int = 1) -> None:
        """Refuse `requests` more that would leave less than `reserved` for cleanup deletes."""
        if not self.allows(reserved=reserved, requests=requests):
            raise BudgetExhausted(f"the request budget of {self.limit} is spent")

    def allows(self, *, reserved: int, requests: int = 1) -> bool:
        return self.limit is None or self.sent + requests + reserved <= self.limit

    @property
    def left(self) -> int | None:
        return None if self.limit is None else self.limit - self.sent


class _Watchdog:
    """Cuts the request in flight (shuts its socket down) at its deadline or on an interrupt.

    A blocking read cannot be told to stop; shutting the socket down from another thread ends it
    at once. The signal handler must not take locks, so the watchdog polls the interrupt flag.
    """

    _POLL_S = 0.1

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._deadline: float | None = None
        self._grace = False  # a create: an interrupt gives it INTERRUPT_GRACE_S before the cut
        self.tripped: str | None = None
        self._thread: threading.Thread | None = None

    def arm(self, deadline: float, *, grace: bool) -> None:
        with self._lock:
            self._socket, self._deadline, self._grace, self.tripped = None, deadline, grace, None
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="conformance-watchdog", daemon=True)
                self._thread.start()

    def attach(self, sock: socket.socket | None) -> None:
        with self._lock:
            if self._deadline is not None:
                self._socket = sock

    def disarm(self) -> None:
        with self._lock:
            self._socket, self._deadline = None, None

    def _watch(self) -> None:
        while True:
            time.sleep(self._POLL_S)
            with self._lock:
                if self._deadline is None or self.tripped:
                    continue
                now = time.monotonic()
                reason = None
                if now >= self._deadline:
                    reason = "deadline"
                elif interrupts.requested() and (not self._grace or interrupts.insisted()
                                                 or interrupts.seconds_since() >= INTERRUPT_GRACE_S):
                    reason = "interrupt"
                if reason is not None:
                    self.tripped = reason
                    if self._socket is not None:
                        try:
                            self._socket.shutdown(socket.SHUT_RDWR)
                        except OSError:
                            pass


def _watched_pools(watchdog: _Watchdog):
    """Connection pools whose connections report their socket to the watchdog, new or reused."""

    def watched(base):
        class Connection(base):
            def connect(self):
                super().connect()
                watchdog.attach(self.sock)

            def request(self, *args, **kwargs):
                if self.sock is not None:
                    watchdog.attach(self.sock)
                return super().request(*args, **kwargs)

        return Connection

    return {
        "http": type("WatchedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": watched(HTTPConnection)}),
        "https": type("WatchedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": watched(HTTPSConnection)}),
    }


class _NoRedirects(requests.Session):
    """A redirect is an answer like any other: judged, never followed (credentials would travel)."""

    def resolve_redirects(self, *args, **kwargs):
        return iter(())


class Transport:
    def __init__(
        self,
        base_url: str,
        contract: Contract,
        *,
        ledger: Ledger,
        run_tag: str = "",
        verify_tls: bool = True,
        max_requests: int | None = None,
        deadline_s: float = DEFAULT_DEADLINE_S,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        rate_limit_patience_s: float = DEFAULT_RATE_LIMIT_PATIENCE_S,
        stop_at: float | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.origin = _origin(urlsplit(base_url))
        self.contract = contract
        self.ledger = ledger
        self.run_tag = run_tag
        self.budget = Budget(max_requests)
        self.deadline_s = deadline_s
        self.max_body_bytes = max_body_bytes
        self.rate_limit_patience_left = rate_limit_patience_s
        self.stop_at = stop_at  # time.monotonic() after which the run sends nothing but cleanup
        self.unavailable: str | None = None  # why the target is no longer tested, once it is not
        self.listeners: list[Callable[[Exchange], None]] = []
        self.cleaning = False  # cleanup: outside the budget and the interrupt checkpoint
        self.test: str | None = None  # the nodeid stamped on exchanges
        self._failures = 0
        self._sequence = 0
        self._watchdog = _Watchdog()
        self.session = _NoRedirects()
        self.session.trust_env = False  # no proxy, no ~/.netrc credentials: only what we send, only here
        self.session.max_redirects = 0
        self.session.verify = verify_tls
        self.session.headers["Accept-Encoding"] = "identity"  # the body cap counts bytes as they arrive
        adapter = _GatedAdapter(self)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    @property
    def requests_sent(self) -> int:
        return self.budget.sent

    def close(self) -> None:
        self.session.close()

    # --- the gate (called by the adapter for every request) ----------------------------------------

    def _admit(self, request: requests.PreparedRequest) -> tuple[str | None, str | None]:
        if not self.cleaning:
            interrupts.checkpoint()
        parts = urlsplit(request.url)
        if _origin(parts) != self.origin:
            raise OffOrigin(f"refused to send a request to {parts.scheme}://{parts.netloc}: "
                            f"only the target's origin {self.base_url} is ever contacted")
        if any(segment in (".", "..") for segment in parts.path.split("/")):
            # requests turns %2E back into ".", and a server or proxy resolves dot segments:
            # DELETE /v1/segments/.. would reach /v1/. Such an id can never be addressed safely.
            raise UnsafePath(f"refused to send {request.method} {parts.path}: a '.' or '..' path segment "
                             "could reach another resource")
        if self.unavailable and not self.cleaning:
            raise TargetUnavailable(self.unavailable)
        if self.stop_at is not None and not self.cleaning and time.monotonic() >= self.stop_at:
            raise TimeLimitReached("the run's time limit (--max-time) is reached")
        template = self.contract.path_template(parts.path)
        operation = self.contract.operation(request.method, template) if template else None
        creates = request.method in _CREATING_METHODS
        if not self.cleaning:
            self.budget.afford(reserved=len(self.ledger) + (1 if creates else 0))
        if (request.method, template) == ("POST", CREATE_PATH):
            self._tag(request)
        return template, operation.operation_id if operation else None

    def _tag(self, request: requests.PreparedRequest) -> None:
        """Every create body names the run, so a person (and cleanup) can tell what we made.
        Only a JSON object with a string name is touched: a negative case stays negative."""
        if not self.run_tag or not request.body:
            return
        try:
            body = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            return
        if isinstance(body, dict) and isinstance(body.get("name"), str) and self.run_tag not in body["name"]:
            body["name"] = f"{body['name']} {self.run_tag}"
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            request.body = data
            request.headers["Content-Length"] = str(len(data))

    def _exchange(self, send: Callable[[], requests.Response], request, template, operation_id) -> tuple[Exchange, requests.Response]:
        for attempt in range(RATE_LIMIT_RETRIES + 1):
            if attempt:
                self._admit(request)
            exchange, response = self._once(send, request, template, operation_id)
            if exchange.status != 429 or attempt == RATE_LIMIT_RETRIES or not self._back_off(exchange):
                break
        if exchange.status == 429 and not self.cleaning:
            self.unavailable = "the target kept answering 429 Too Many Requests past the run's patience"
        return exchange, response

    def _once(self, send, request, template, operation_id) -> tuple[Exchange, requests.Response]:
        self._sequence += 1
        started, started_wall = time.monotonic(), time.time()
        creates = request.method in _CREATING_METHODS
        self._watchdog.arm(started + self.deadline_s, grace=creates or self.cleaning)
        self.budget.sent += 1
        try:
            response = send()
            body, over, after = self._read(response)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
            tripped = self._watchdog.tripped  # the socket was cut: say why, not "connection reset"
            raise self._failed(self._cut(tripped) if tripped else error) from None
        finally:
            self._watchdog.disarm()
        if self._watchdog.tripped:  # cut just as the last bytes came: the answer cannot be trusted whole
            raise self._failed(self._cut(self._watchdog.tripped))
        if not over:
            self._failures = 0
        exchange = Exchange(
            method=request.method,
            url=request.url,
            path_template=template,
            operation_id=operation_id,
            request_headers=dict(request.headers),
            request_body=request.body.encode("utf-8") if isinstance(request.body, str) else request.body,
            status=response.status_code,
            reason=response.reason or "",
            response_headers=list(response.raw.headers.items()),
            body=body,
            body_over_limit=over,
            bytes_after_headers=after,
            elapsed_ms=(time.monotonic() - started) * 1000,
            started_at=started_wall,
            sequence=self._sequence,
            test=self.test,
        )
        response._content, response._content_consumed = body, True
        response.exchange = exchange
        if over:
            self._failures += 1
            self._trip_breaker(f"answers longer than {self.max_body_bytes} bytes")
            raise BodyTooLarge(f"{request.method} {template or request.path_url} answered more than "
                               f"{self.max_body_bytes} bytes; the rest was not read")
        self._record(exchange)
        return exchange, response

    def _read(self, response: requests.Response) -> tuple[bytes, bool, int]:
        """The body, up to the cap; whether it went over; bytes a 204/304 carried after its headers."""
        raw = response.raw
        if response.status_code in (204, 304):
            after = _bytes_waiting(raw)
            if not after:
                raw.read()  # ends the (empty) answer, so the connection is free for the next request
            raw.release_conn()
            return b"", False, after
        chunks, size = [], 0
        for chunk in raw.stream(_CHUNK, decode_content=True):
            chunks.append(chunk)
            size += len(chunk)
            if size > self.max_body_bytes:
                raw.close()  # the rest is not ours to read; the connection is not reused
                raw.release_conn()
                return b"".join(chunks)[: self.max_body_bytes], True, 0
        raw.release_conn()
        return b"".join(chunks), False, 0

    def _cut(self, reason: str) -> Exception:
        if reason == "interrupt":
            return interrupts.Interrupted(interrupts.signal_name() or "SIGINT")
        return DeadlineExceeded(f"no complete answer within {self.deadline_s:.0f} s")

    def _failed(self, error: Exception) -> Exception:
        if isinstance(error, interrupts.Interrupted):
            return error
        if not isinstance(error, requests.RequestException):  # urllib3's own, from reading the body
            error = requests.ConnectionError(f"the answer broke off: {error}")
        self._failures += 1
        kind = "timed out" if isinstance(error, (requests.Timeout, DeadlineExceeded)) else "failed"
        self._trip_breaker(f"{self._failures} requests in a row {kind} ({type(error).__name__})")
        return error

    def _trip_breaker(self, why: str) -> None:
        if self._failures >= MAX_CONSECUTIVE_TRANSPORT_FAILURES and not self.cleaning:
            self.unavailable = why

    def _back_off(self, exchange: Exchange) -> bool:
        """Wait as a 429 asks, within the run's patience. False: give up."""
        wait = retry_seconds(exchange.header("Retry-After")) or retry_seconds(exchange.header("X-Rate-Limit-Reset")) or 1.0
        return self._wait_within_patience(wait)

    def _pace(self, exchange: Exchange) -> None:
        """When the vendor's X-Rate-Limit-Remaining says 0, wait for the window before the next call."""
        if exchange.header("X-Rate-Limit-Remaining") == "0":
            wait = retry_seconds(exchange.header("X-Rate-Limit-Reset")) or retry_seconds(exchange.header("Retry-After"))
            if wait:
                self._wait_within_patience(wait)

    def _wait_within_patience(self, wait: float) -> bool:
        """Sleep `wait` seconds out of the run's rate-limit patience; False, without waiting, past it.
        Cleanup sleeps through a signal (its deletes must go out); a test's wait ends at one."""
        if wait > self.rate_limit_patience_left:
            return False
        self.rate_limit_patience_left -= wait
        interrupts.sleep(wait) if not self.cleaning else time.sleep(wait)
        return True

    def _record(self, exchange: Exchange) -> None:
        """The ledger first (a created id must never go unrecorded), then the listeners."""
        if exchange.status != 429:
            self._update_ledger(exchange)
        for listener in self.listeners:
            listener(exchange)

    def _update_ledger(self, exchange: Exchange) -> None:
        body = exchange.json
        if exchange.method in _CREATING_METHODS and 200 <= exchange.status < 300 and isinstance(body, dict):
            segment_id = body.get("id")
            if isinstance(segment_id, str) and segment_id not in self.ledger:
                self.ledger.add(segment_id, kind=body.get("type") if isinstance(body.get("type"), str) else None)
        elif exchange.method == "DELETE" and exchange.status in (204, 404) and exchange.path_template and exchange.path_template != CREATE_PATH:
            self.ledger.remove(requests.utils.unquote(urlsplit(exchange.url).path.rsplit("/", 1)[-1]))


class _GatedAdapter(HTTPAdapter):
    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _watched_pools(self._transport._watchdog)

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        transport = self._transport
        template, operation_id = transport._admit(request)
        # Per-read timeout: short enough that a silent target fails fast; the deadline bounds the whole.
        read = min(transport.deadline_s, 20.0)
        connect = min(transport.deadline_s, DEFAULT_CONNECT_TIMEOUT_S)

        def send_once() -> requests.Response:
            return super(_GatedAdapter, self).send(request, stream=True, timeout=(connect, read), verify=verify, cert=cert)

        exchange, response = transport._exchange(send_once, request, template, operation_id)
        transport._pace(exchange)
        return response


def _bytes_waiting(raw) -> int:
    """Bytes received after a bodiless answer (a 204 that sent a body anyway), which the HTTP
    client would silently drop: the client's read buffer first (it may have read them with the
    headers), then the socket. The socket is the response's own (http.client lets go of the
    connection's once the answer says it will close). On a connection the answer closes, nothing
    else may follow, so the bytes the server wrote after the headers are waited for until the
    server closes, at most CLOSING_BODY_WAIT_S; on a kept-alive one, one look without waiting."""
    buffered = getattr(getattr(raw, "_fp", None), "fp", None)
    sock = getattr(getattr(raw, "_connection", None), "sock", None) or getattr(getattr(buffered, "raw", None), "_sock", None)
    if buffered is None or sock is None:
        return 0
    closing = bool(getattr(raw._fp, "will_close", False))
    timeout = sock.gettimeout()
    try:
        sock.settimeout(0)
        waiting = len(buffered.peek(_CHUNK))
        if not waiting and closing and select.select([sock], [], [], CLOSING_BODY_WAIT_S)[0]:
            waiting = len(buffered.peek(_CHUNK))  # b"" once the server closed: a clean 204
    except (OSError, ValueError):
        waiting = 0
    finally:
        try:
            sock.settimeout(timeout)
        except OSError:
            pass
    if waiting:
        raw.close()  # the connection's framing is broken: never reuse it
    return waiting


def _origin(parts) -> tuple[str, str | None, int]:
    """Scheme, host and port (the scheme's default when none is given): what the credentials may reach."""
    return parts.scheme, parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)


def retry_seconds(value: str | None) -> float | None:
    """A delay in seconds from a Retry-After-like header (HTTP dates are not worth the guess)."""
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return max(seconds, 0.0) if seconds is not None else None
