"""One HTTP session to the system under test.

Everything the suite sends goes through `Target.send`, so one place holds the base URL, the
credentials, timeouts, the request count, the ledger of created ids, and the masking of secrets in
everything we record.
"""

from __future__ import annotations

import json
import shlex
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import requests
from requests.adapters import HTTPAdapter

from conformance import interrupts
from conformance.contract import CREATE_PATH, SEGMENT_PATH
from conformance.ledger import Ledger

MIN_MASKED_LENGTH = 6
SECRET_HEADERS = frozenset({"x-app-id", "x-app-token", "authorization", "cookie", "proxy-authorization"})
MASK = "***"
BODY_LIMIT = 4096  # bytes of a body kept as evidence; a 20,000-customer body is not evidence


@dataclass(frozen=True)
class Credentials:
    app_id: str
    app_token: str

    def headers(self) -> dict[str, str]:
        return {"X-App-Id": self.app_id, "X-App-Token": self.app_token}


@dataclass
class Exchange:
    """One request and its response, as the checks and the reports see it (secrets masked)."""

    method: str
    url: str
    path_template: str  # the documented path it exercised (the method may be an undocumented one)
    request_headers: dict[str, str]
    request_body: str | None
    status: int
    response_headers: dict[str, str]
    response_text: str
    elapsed_ms: float
    _json: Any = field(default=None, repr=False)
    _json_error: bool = field(default=False, repr=False)

    @property
    def operation(self) -> str | None:
        """The operationId this exchange exercised, if it is a documented one."""
        return OPERATIONS.get((self.method, self.path_template))

    @property
    def content_type(self) -> str:
        return self.response_headers.get("content-type", "")

    @property
    def json(self) -> Any:
        """The response body parsed as JSON, or None when it is empty or not JSON."""
        return self._json

    @property
    def body_is_json(self) -> bool:
        return bool(self.response_text) and not self._json_error

    def curl(self) -> str:
        parts = ["curl", "-X", self.method, shlex.quote(self.url)]
        for name, value in self.request_headers.items():
            parts += ["-H", shlex.quote(f"{name}: {value}")]
        if self.request_body is not None:
            parts += ["--data-raw", shlex.quote(self.request_body)]
        return " ".join(parts)

    def evidence(self) -> dict[str, Any]:
        return {
            "request": {
                "method": self.method,
                "url": self.url,
                "headers": dict(self.request_headers),
                "body": self.request_body,
            },
            "response": {
                "status": self.status,
                "headers": dict(self.response_headers),
                "body": _truncate(self.response_text),
                "elapsed_ms": round(self.elapsed_ms, 1),
            },
            "curl": self.curl(),
        }

    def describe(self) -> str:
        """A short text for assertion messages: the curl line and the answer."""
        return f"{self.curl()}\n-> {self.status} {self.content_type}\n{_truncate(self.response_text, 600)}"


OPERATIONS = {
    ("POST", CREATE_PATH): "create-segment",
    ("GET", SEGMENT_PATH): "get-segment",
    ("DELETE", SEGMENT_PATH): "delete-segment",
}


class BudgetExhausted(Exception):
    """The run's request budget is spent; the remaining requirements are NOT TESTED."""


class TargetUnavailable(Exception):
    """The target stopped answering usefully (transport failures, or 429 past our patience):
    the run cannot go on testing, and says so instead of hanging."""


MAX_CONSECUTIVE_TRANSPORT_FAILURES = 3
RATE_LIMIT_RETRIES = 3


class Target:
    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        timeout: tuple[float, float] = (5.0, 20.0),
        verify_tls: bool = True,
        max_requests: int | None = None,
        ledger: Ledger | None = None,
        max_rate_limit_wait: float = 60.0,
        on_exchange: Callable[[Exchange], None] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.timeout = timeout
        self.max_requests = max_requests
        self.requests_sent = 0
        self.ledger = ledger if ledger is not None else Ledger(None, base_url=self.base_url)
        self.rate_limit_wait_left = max_rate_limit_wait  # seconds of 429 back-off the whole run may spend
        self.unavailable: str | None = None  # why the target is no longer tested, once it is not
        self._transport_failures = 0
        self._on_exchange = on_exchange
        self._session = requests.Session()
        self._session.verify = verify_tls
        # Proxies come from the environment, read once: every request goes to the same base URL,
        # and requests would otherwise re-scan os.environ on each of them.
        self._session.proxies = requests.utils.get_environ_proxies(self.base_url)
        self._session.trust_env = False
        self._cleaning = False
        # Every request on the wire is counted here, schemathesis's own probes included.
        counting = _CountingAdapter(self)
        self._session.mount("http://", counting)
        self._session.mount("https://", counting)
        # Header values are always masked (mask_headers). In free text a credential is masked
        # wherever it appears, once it is long enough not to be a common word: a one-letter
        # token would otherwise turn every such letter of a report into ***.
        self._secrets = {secret for secret in (credentials.app_id, credentials.app_token) if len(secret) >= MIN_MASKED_LENGTH}

    # --- the three operations --------------------------------------------------------------------

    def create(self, body: Any, **kwargs: Any) -> Exchange:
        return self.send("POST", CREATE_PATH, json_body=body, **kwargs)

    def get(self, segment_id: str, **kwargs: Any) -> Exchange:
        return self.send("GET", SEGMENT_PATH, segment_id=segment_id, **kwargs)

    def delete(self, segment_id: str, **kwargs: Any) -> Exchange:
        return self.send("DELETE", SEGMENT_PATH, segment_id=segment_id, **kwargs)

    def cleanup(self, segment_ids: list[str] | None = None) -> list[str]:
        """Delete what the run created (or those of `segment_ids`); return the ids left behind.
        Cleanup is never refused by the request budget: the budget reserves room for it."""
        left: list[str] = []
        self._cleaning, self.unavailable, unavailable = True, None, self.unavailable
        try:
            for segment_id in list(self.ledger.open_ids() if segment_ids is None else segment_ids):
                try:
                    exchange = self.send("DELETE", SEGMENT_PATH, segment_id=segment_id, record=False, budgeted=False)
                except (requests.RequestException, TargetUnavailable):
                    left.append(segment_id)
                    continue
                if exchange.status not in (204, 404):  # 404: already gone, nothing left behind
                    left.append(segment_id)
        finally:
            self._cleaning = False
            self.unavailable = self.unavailable or unavailable
            self.ledger.save()  # what is left, as it is now
        return left

    @property
    def session(self) -> requests.Session:
        """The counted session, for tools (schemathesis probes) that send requests themselves."""
        return self._session

    def _count(self) -> None:
        if self.max_requests is not None and not self._cleaning and self.requests_sent + len(self.ledger) >= self.max_requests:
            raise BudgetExhausted(f"the request budget of {self.max_requests} is spent")
        self.requests_sent += 1

    # --- the one way out ---------------------------------------------------------------------------

    def send(
        self,
        method: str,
        path_template: str,
        *,
        segment_id: str | None = None,
        json_body: Any = None,
        raw_body: str | bytes | None = None,
        headers: dict[str, str] | None = None,
        authenticate: bool = True,
        record: bool = True,
        budgeted: bool = True,
    ) -> Exchange:
        """Send one request. `headers` override the credentials (a value of None drops one)."""
        path = path_template.replace("{segmentId}", requests.utils.quote(segment_id or "", safe=""))
        sent_headers: dict[str, str] = {"Accept": "application/json"}
        if authenticate:
            sent_headers.update(self.credentials.headers())
        for name, value in (headers or {}).items():
            if value is None:
                sent_headers.pop(name, None)
            else:
                sent_headers[name] = value
        body: str | bytes | None = raw_body
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
        if body is not None:
            sent_headers.setdefault("Content-Type", "application/json")
        request = {"method": method, "url": self.base_url + path, "data": body, "headers": sent_headers}
        exchange, _ = self._perform(path_template, request, record=record, budgeted=budgeted)
        return exchange

    def send_prepared(self, path_template: str, request_kwargs: dict[str, Any]) -> tuple[Exchange, requests.Response]:
        """Send a request another tool prepared (schemathesis's transport kwargs) through this
        target, so it is counted, checked, masked and its created ids land in the ledger."""
        request = dict(request_kwargs)
        request.pop("session", None)
        return self._perform(path_template, request, record=True, budgeted=True)

    def _perform(self, path_template: str, request: dict[str, Any], *, record: bool, budgeted: bool):
        # From sending to the ledger entry, an interrupt waits: a created id must never go unrecorded.
        with interrupts.held():
            return self._perform_held(path_template, request, record=record, budgeted=budgeted)

    def _perform_held(self, path_template: str, request: dict[str, Any], *, record: bool, budgeted: bool):
        method = request["method"].upper()
        if self.unavailable:
            raise TargetUnavailable(self.unavailable)
        if budgeted:
            self._spend(creates=(method, path_template) == ("POST", CREATE_PATH))
        for attempt in range(RATE_LIMIT_RETRIES + 1):
            started = time.perf_counter()
            try:
                response = self._session.request(**request, timeout=self.timeout, allow_redirects=False)
                response.content  # read the whole body now: a connection closed mid-body fails here
            except requests.RequestException as error:
                self._transport_failure(error)
                raise
            self._transport_failures = 0
            elapsed_ms = (time.perf_counter() - started) * 1000
            if response.status_code != 429 or attempt == RATE_LIMIT_RETRIES or not self._wait_for_rate_limit(response):
                break
        self._pace(response)
        prepared = response.request
        exchange = self._exchange(method, path_template, response, dict(prepared.headers), prepared.body, elapsed_ms)
        if response.status_code == 429:  # past our patience: nothing the target says now can be judged
            self.unavailable = "the target kept answering 429 Too Many Requests past the run's patience"
            raise TargetUnavailable(self.unavailable)
        self._update_ledger(exchange, path_template)
        if record and self._on_exchange is not None:
            self._on_exchange(exchange)
        return exchange, response

    def _spend(self, *, creates: bool) -> None:
        """Refuse a request the budget cannot afford, keeping room to delete everything created."""
        if self.max_requests is None:
            return
        reserved = len(self.ledger) + (1 if creates else 0)
        if self.requests_sent + 1 + reserved > self.max_requests:  # the request, then a delete per id
            raise BudgetExhausted(f"the request budget of {self.max_requests} is spent")

    def _update_ledger(self, exchange: Exchange, path_template: str) -> None:
        if exchange.method == "POST" and path_template == CREATE_PATH and exchange.status == 200:
            if isinstance(exchange.json, dict) and isinstance(exchange.json.get("id"), str):
                self.ledger.add(exchange.json["id"])
        elif exchange.method == "DELETE" and path_template == SEGMENT_PATH and exchange.status in (204, 404):
            segment_id = requests.utils.unquote(exchange.url.rsplit("/", 1)[-1])
            self.ledger.remove(segment_id)

    def _transport_failure(self, error: Exception) -> None:
        self._transport_failures += 1
        if self._transport_failures >= MAX_CONSECUTIVE_TRANSPORT_FAILURES:
            kind = "timed out" if isinstance(error, requests.Timeout) else "failed"
            self.unavailable = f"{self._transport_failures} requests in a row {kind} ({type(error).__name__})"

    def _wait_for_rate_limit(self, response: requests.Response) -> bool:
        """Back off as a 429 asks, within the run's total patience. False: give up."""
        wait = retry_seconds(response.headers.get("Retry-After")) or retry_seconds(response.headers.get("X-Rate-Limit-Reset")) or 1.0
        if wait > self.rate_limit_wait_left:
            return False
        self.rate_limit_wait_left -= wait
        time.sleep(wait)
        return True

    def _pace(self, response: requests.Response) -> None:
        """When the vendor's X-Rate-Limit-Remaining says 0, wait for the window before the next call."""
        if response.headers.get("X-Rate-Limit-Remaining") == "0":
            wait = retry_seconds(response.headers.get("X-Rate-Limit-Reset")) or retry_seconds(response.headers.get("Retry-After"))
            if wait and wait <= self.rate_limit_wait_left:
                self.rate_limit_wait_left -= wait
                time.sleep(wait)

    def _exchange(self, method, path_template, response, sent_headers, body, elapsed_ms) -> Exchange:
        text = response.content.decode("utf-8", errors="replace")
        parsed, json_error = None, False
        if text:
            try:
                parsed = json.loads(text)
            except ValueError:
                json_error = True
        request_text = None
        if body is not None:
            request_text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
            request_text = self.mask(_truncate(request_text))
        return Exchange(
            method=method,
            url=self.mask(response.request.url or ""),
            path_template=path_template,
            request_headers=self.mask_headers(sent_headers),
            request_body=request_text,
            status=response.status_code,
            response_headers={name.lower(): self.mask(value) for name, value in response.headers.items()},
            response_text=self.mask(text),
            elapsed_ms=elapsed_ms,
            _json=parsed,
            _json_error=json_error,
        )

    # --- secrets ---------------------------------------------------------------------------------

    def mask(self, text: str) -> str:
        """The text with every credential value replaced, wherever a server may have echoed it."""
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text

    def mask_headers(self, headers: dict[str, str]) -> dict[str, str]:
        return {name: MASK if name.lower() in SECRET_HEADERS else self.mask(value) for name, value in headers.items()}

    def close(self) -> None:
        self._session.close()


class _CountingAdapter(HTTPAdapter):
    def __init__(self, target: Target) -> None:
        super().__init__()
        self._target = target

    def send(self, request, *args, **kwargs):
        self._target._count()
        return super().send(request, *args, **kwargs)


def retry_seconds(value: str | None) -> float | None:
    """A delay in seconds from a Retry-After-like header (HTTP dates are not worth the guess)."""
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return max(seconds, 0.0) if seconds is not None else None


def _truncate(text: str, limit: int = BODY_LIMIT) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit} more characters]"
