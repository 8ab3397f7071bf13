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

import contextlib
import contextvars
import json
import select
import socket
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from conformance import interrupts
from conformance.contract import Contract, is_item_path
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
# A 204 on a kept-alive connection, where a scenario asks (Transport.watching_for_late_bytes): how
# long to watch for bytes after its headers. A clean server sends nothing, so this is always spent.
# 0.1 s covers a body written in a second write after the headers (the gap survives any network).
LATE_BYTES_WAIT_S = 0.1
# Methods whose 2xx answer with a new id may have created something, documented operation or not:
# the ledger records it either way (a server that creates on a probed PUT still gets cleaned up).
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

    def allows(self, *, reserved: int, requests: int = 1) -> bool:
        return self.limit is None or self.sent + requests + reserved <= self.limit

    @property
    def left(self) -> int | None:
        return None if self.limit is None else self.limit - self.sent


class _Watchdog:
    """Cuts a request in flight (shuts its socket down) at its deadline or on an interrupt.

    A blocking read cannot be told to stop; shutting the socket down from another thread ends it
    at once. The signal handler must not take locks, so the watchdog polls the interrupt flag.
    One watchdog serves every thread that sends: each arms a watch of its own (requests in flight
    at once, concurrency.py), found by the sending thread's identity.
    """

    _POLL_S = 0.1

    @dataclass
    class _Watch:
        deadline: float
        grace: bool  # a create: an interrupt gives it INTERRUPT_GRACE_S before the cut
        socket: socket.socket | None = None
        tripped: str | None = None

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watches: dict[int, _Watchdog._Watch] = {}
        self._tripped: dict[int, str] = {}  # the last verdict of each thread's watch, read after disarm
        self._thread: threading.Thread | None = None

    @property
    def tripped(self) -> str | None:
        with self._lock:
            return self._tripped.get(threading.get_ident())

    def arm(self, deadline: float, *, grace: bool) -> None:
        with self._lock:
            self._watches[threading.get_ident()] = self._Watch(deadline, grace)
            self._tripped.pop(threading.get_ident(), None)
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, name="conformance-watchdog", daemon=True)
                self._thread.start()

    def attach(self, sock: socket.socket | None) -> None:
        with self._lock:
            watch = self._watches.get(threading.get_ident())
            if watch is not None:
                watch.socket = sock

    def disarm(self) -> None:
        with self._lock:
            self._watches.pop(threading.get_ident(), None)

    def _watch(self) -> None:
        while True:
            time.sleep(self._POLL_S)
            with self._lock:
                now = time.monotonic()
                for ident, watch in self._watches.items():
                    if watch.tripped:
                        continue
                    reason = None
                    if now >= watch.deadline:
                        reason = "deadline"
                    elif interrupts.requested() and (not watch.grace or interrupts.insisted()
                                                     or interrupts.seconds_since() >= INTERRUPT_GRACE_S):
                        reason = "interrupt"
                    if reason is not None:
                        watch.tripped = self._tripped[ident] = reason
                        if watch.socket is not None:
                            try:
                                watch.socket.shutdown(socket.SHUT_RDWR)
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
        max_in_flight: int = 1,
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
        # The test a request is sent for, and whether it is cleanup: per thread (tests run side by
        # side, parallel.ThreadedTests), handed to the threads a test sends through (concurrency.py
        # copies the context); per transport, so one transport's state never leaks into another's.
        self._test: contextvars.ContextVar[str | None] = contextvars.ContextVar(f"test-{id(self)}", default=None)
        self._cleaning: contextvars.ContextVar[bool] = contextvars.ContextVar(f"cleaning-{id(self)}", default=False)
        self._late_bytes_wait: contextvars.ContextVar[float] = contextvars.ContextVar(f"late-{id(self)}", default=0.0)
        # Once the target wrote past a bodiless answer's headers, a later one's connection is never
        # reused: bytes it may write late would be read as the start of the next answer there.
        self._writes_past_bodiless = False
        self._failures = 0
        self._sequence = 0
        self._watchdog = _Watchdog()
        # Requests in flight at once (concurrency.py sends several from one test): a bound, and
        # one lock for what they share (budget, sequence, failures), one for the listeners.
        self.max_in_flight = max(1, max_in_flight)
        self._in_flight = threading.BoundedSemaphore(self.max_in_flight)
        self._lock = threading.RLock()
        self._listening = threading.Lock()
        self._creates_in_flight = 0  # each may add a segment to delete: its delete is kept in reserve
        self._not_before = 0.0  # time.monotonic() before which nothing is sent (429 back-off, pacing)
        self._finished: dict[int, Exchange | None] = {}  # sequence -> exchange, waiting for an earlier one
        self._unreleased: dict[str | None, list[int]] = defaultdict(list)  # per test, sequences not yet released
        self._sent_by_test: Counter[str | None] = Counter()
        self._created_by_test: dict[str | None, list[str]] = defaultdict(list)
        self.session = _NoRedirects()
        self.session.trust_env = False  # no proxy, no ~/.netrc credentials: only what we send, only here
        self.session.max_redirects = 0
        self.session.verify = verify_tls
        self.session.headers["Accept-Encoding"] = "identity"  # the body cap counts bytes as they arrive
        adapter = _GatedAdapter(self, pool_maxsize=self.max_in_flight)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    @property
    def requests_sent(self) -> int:
        return self.budget.sent

    @property
    def cleaning(self) -> bool:
        """Cleanup (this thread's, and the threads it sends through): outside the budget and the
        interrupt checkpoint. Another test's requests meanwhile are not cleanup."""
        return self._cleaning.get()

    @cleaning.setter
    def cleaning(self, value: bool) -> None:
        self._cleaning.set(value)

    @property
    def test(self) -> str | None:
        """The nodeid stamped on the exchanges this thread sends (None: the probe, the final cleanup)."""
        return self._test.get()

    @test.setter
    def test(self, nodeid: str | None) -> None:
        self._test.set(nodeid)

    @contextlib.contextmanager
    def watching_for_late_bytes(self, seconds: float = LATE_BYTES_WAIT_S):
        """Within: a 204 or 304 on a kept-alive connection is watched `seconds` for bytes after its
        headers (a body written late), which a client would read as the start of its next answer on
        that connection (RFC 9112 section 6.3). Every such answer costs the whole wait, so only the
        scenarios that judge a 204 ask, never every delete."""
        token = self._late_bytes_wait.set(seconds)
        try:
            yield
        finally:
            self._late_bytes_wait.reset(token)

    def sent_for(self, nodeid: str) -> int:
        """Requests sent for one test (tests side by side share the budget's count)."""
        with self._lock:
            return self._sent_by_test[nodeid]

    def created_for(self, nodeid: str) -> list[str]:
        """Ids of segments one test created (another test's, created meanwhile, are not its to delete)."""
        with self._lock:
            return list(self._created_by_test[nodeid])

    def close(self) -> None:
        self.session.close()

    # --- the gate (called by the adapter for every request) ----------------------------------------

    def refusal(self, *, reserved: int, requests: int = 1) -> Exception | None:
        """Why `requests` more (keeping `reserved` for cleanup deletes) may not be sent, or None: the
        target became unavailable, the run's time is up, its request budget is spent. The one owner
        of these limits: every request is admitted by it, and no test starts that it would refuse."""
        if self.unavailable:
            return TargetUnavailable(self.unavailable)
        if self.stop_at is not None and time.monotonic() >= self.stop_at:
            return TimeLimitReached("the run's time limit (--max-time) is reached")
        if not self.budget.allows(reserved=reserved, requests=requests):
            return BudgetExhausted(f"the request budget of {self.budget.limit} is spent")
        return None

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
        template = self.contract.path_template(parts.path)
        operation = self.contract.operation(request.method, template) if template else None
        creates = request.method in _CREATING_METHODS  # any of them may answer with a new id to delete
        with self._lock:  # admit and count at once: two threads must not both take the last request
            if not self.cleaning:
                refusal = self.refusal(reserved=len(self.ledger) + self._creates_in_flight + (1 if creates else 0))
                if refusal is not None:
                    raise refusal
            self.budget.sent += 1
            self._sent_by_test[self.test] += 1
            self._creates_in_flight += creates
        if operation is not None and operation.creates:
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
        """One request, admitted (it holds a place in flight), and its retries after a 429."""
        creates, counted = request.method in _CREATING_METHODS, True
        try:
            for attempt in range(RATE_LIMIT_RETRIES + 1):
                if attempt:
                    with self._lock:
                        self._creates_in_flight -= creates  # _admit counts the retry anew
                    counted = False
                    self._admit(request)
                    counted = True
                exchange, response = self._once(send, request, template, operation_id)
                if exchange.status != 429 or attempt == RATE_LIMIT_RETRIES or not self._back_off(exchange):
                    break
        finally:
            if counted:
                with self._lock:
                    self._creates_in_flight -= creates  # its id is in the ledger by now, if it made one
        if exchange.status == 429 and not self.cleaning:
            self.unavailable = "the target kept answering 429 Too Many Requests past the run's patience"
        return exchange, response

    def _hold(self) -> None:
        """Wait out a back-off or pacing that another request in flight started."""
        wait = self._not_before - time.monotonic()
        if wait > 0:
            interrupts.sleep(wait) if not self.cleaning else time.sleep(wait)

    def _once(self, send, request, template, operation_id) -> tuple[Exchange, requests.Response]:
        self._hold()
        with self._lock:
            self._sequence += 1
            sequence = self._sequence
        with self._listening:
            self._unreleased[self.test].append(sequence)
        try:
            return self._numbered(sequence, send, request, template, operation_id)
        except BaseException:
            self._release(sequence, None)  # nothing to record; later exchanges must not wait for it
            raise

    def _numbered(self, sequence, send, request, template, operation_id) -> tuple[Exchange, requests.Response]:
        started, started_wall = time.monotonic(), time.time()
        creates = request.method in _CREATING_METHODS
        self._watchdog.arm(started + self.deadline_s, grace=creates or self.cleaning)
        try:
            response = send()
            body, over, (after, late_by_ms) = self._read(response)
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
            tripped = self._watchdog.tripped  # the socket was cut: say why, not "connection reset"
            raise self._failed(self._cut(tripped) if tripped else error) from None
        finally:
            self._watchdog.disarm()
        if self._watchdog.tripped:  # cut just as the last bytes came: the answer cannot be trusted whole
            raise self._failed(self._cut(self._watchdog.tripped))
        if not over:
            with self._lock:
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
            late_by_ms=late_by_ms,
            elapsed_ms=(time.monotonic() - started) * 1000,
            started_at=started_wall,
            sequence=sequence,
            test=self.test,
        )
        response._content, response._content_consumed = body, True
        response.exchange = exchange
        if over:
            with self._lock:
                self._failures += 1
            self._trip_breaker(f"answers longer than {self.max_body_bytes} bytes")
            raise BodyTooLarge(f"{request.method} {template or request.path_url} answered more than "
                               f"{self.max_body_bytes} bytes; the rest was not read")
        if exchange.status != 429:
            self._update_ledger(exchange)  # at once: a created id must never wait to be recorded
        self._release(sequence, exchange)
        return exchange, response

    def _read(self, response: requests.Response) -> tuple[bytes, bool, tuple[int, float | None]]:
        """The body, up to the cap; whether it went over; bytes a 204/304 carried after its headers
        and, when they were waited for, how long after the headers they came."""
        raw = response.raw
        if response.status_code in (204, 304):
            after = _bytes_waiting(raw, self._late_bytes_wait.get())
            if after[0]:
                self._writes_past_bodiless = True
            elif self._writes_past_bodiless:
                raw.close()  # this target wrote past such an answer before: a new connection for the next request
            else:
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
                return b"".join(chunks)[: self.max_body_bytes], True, (0, None)
        raw.release_conn()
        return b"".join(chunks), False, (0, None)

    def _cut(self, reason: str) -> Exception:
        if reason == "interrupt":
            return interrupts.Interrupted(interrupts.signal_name() or "SIGINT")
        return DeadlineExceeded(f"no complete answer within {self.deadline_s:.0f} s")

    def _failed(self, error: Exception) -> Exception:
        if isinstance(error, interrupts.Interrupted):
            return error
        if not isinstance(error, requests.RequestException):  # urllib3's own, from reading the body
            error = requests.ConnectionError(f"the answer broke off: {error}")
        with self._lock:
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
        """Hold every request `wait` seconds, out of the run's rate-limit patience; False, without
        waiting, past it. Requests in flight together wait out one window, and it is counted once.
        Cleanup sleeps through a signal (its deletes must go out); a test's wait ends at one."""
        with self._lock:
            now = time.monotonic()
            extra = now + wait - max(self._not_before, now)  # beyond what another request already waits
            if extra > self.rate_limit_patience_left:
                return False
            if extra > 0:
                self.rate_limit_patience_left -= extra
                self._not_before = now + wait
        self._hold()
        return True

    def _release(self, sequence: int, exchange: Exchange | None) -> None:
        """Hand exchanges to the listeners in the order they were sent, one at a time (checks and
        recorder are not written for threads): an answer that overtook an earlier request waits for
        it (within its test: tests side by side do not wait for each other), so a test's exchanges
        keep their order in the report whatever was in flight together."""
        with self._listening:
            self._finished[sequence] = exchange
            waiting = self._unreleased[self.test]
            while waiting and waiting[0] in self._finished:
                ready = self._finished.pop(waiting.pop(0))
                for listener in self.listeners if ready is not None else ():
                    listener(ready)

    def _update_ledger(self, exchange: Exchange) -> None:
        body = exchange.json
        if exchange.method in _CREATING_METHODS and 200 <= exchange.status < 300 and isinstance(body, dict):
            segment_id = body.get("id")
            if isinstance(segment_id, str) and segment_id not in self.ledger:
                self.ledger.add(segment_id, kind=body.get("type") if isinstance(body.get("type"), str) else None)
                with self._lock:
                    self._created_by_test[exchange.test].append(segment_id)
        elif exchange.method == "DELETE" and exchange.status in (204, 404) and exchange.path_template and is_item_path(exchange.path_template):
            self.ledger.remove(requests.utils.unquote(urlsplit(exchange.url).path.rstrip("/").rsplit("/", 1)[-1]))


class _GatedAdapter(HTTPAdapter):
    def __init__(self, transport: Transport, *, pool_maxsize: int) -> None:
        self._transport = transport
        super().__init__(max_retries=0, pool_maxsize=max(pool_maxsize, 10))

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _watched_pools(self._transport._watchdog)

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        transport = self._transport
        with transport._in_flight:
            return self._send_admitted(request, verify, cert)

    def _send_admitted(self, request, verify, cert):
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


def _bytes_waiting(raw, keep_alive_wait_s: float = 0.0) -> tuple[int, float | None]:
    """Bytes received after a bodiless answer (a 204 that sent a body anyway), which the HTTP
    client would silently drop, and how long after the headers they came when they were waited
    for: the client's read buffer first (it may have read them with the headers), then the socket.
    The socket is the response's own (http.client lets go of the connection's once the answer says
    it will close). On a connection the answer closes, nothing else may follow, so the bytes the
    server wrote after the headers are waited for until the server closes, at most
    CLOSING_BODY_WAIT_S; on a kept-alive one, `keep_alive_wait_s` (0: one look without waiting).
    A server that closes an idle kept-alive connection meanwhile sent nothing: no bytes."""
    buffered = getattr(getattr(raw, "_fp", None), "fp", None)
    closing = bool(getattr(getattr(raw, "_fp", None), "will_close", False))
    sock = getattr(getattr(raw, "_connection", None), "sock", None)
    if sock is None and closing:  # only a closing connection's socket: a kept-alive one may serve another request by now
        sock = getattr(getattr(buffered, "raw", None), "_sock", None)
    if buffered is None or sock is None:
        return 0, None
    wait = CLOSING_BODY_WAIT_S if closing else keep_alive_wait_s
    timeout, late_by_ms = sock.gettimeout(), None
    try:
        sock.settimeout(0)
        waiting = len(buffered.peek(_CHUNK))
        started = time.monotonic()
        if not waiting and wait > 0 and select.select([sock], [], [], wait)[0]:
            waiting = len(buffered.peek(_CHUNK))  # b"" once the server closed: a clean 204
            late_by_ms = (time.monotonic() - started) * 1000 if waiting else None
    except (OSError, ValueError):
        waiting = 0
    finally:
        try:
            sock.settimeout(timeout)
        except OSError:
            pass
    if waiting:
        raw.close()  # the connection's framing is broken: never reuse it
    return waiting, late_by_ms


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
