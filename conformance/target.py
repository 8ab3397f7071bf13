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

from conformance.contract import CREATE_PATH, SEGMENT_PATH

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


class Target:
    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        *,
        timeout: tuple[float, float] = (5.0, 30.0),
        verify_tls: bool = True,
        max_requests: int | None = None,
        on_exchange: Callable[[Exchange], None] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.credentials = credentials
        self.timeout = timeout
        self.max_requests = max_requests
        self.requests_sent = 0
        self.created: list[str] = []  # the ledger: ids this run created and has not deleted
        self._on_exchange = on_exchange
        self._session = requests.Session()
        self._session.verify = verify_tls
        self._secrets = {credentials.app_id, credentials.app_token} - {""}

    # --- the three operations --------------------------------------------------------------------

    def create(self, body: Any, **kwargs: Any) -> Exchange:
        exchange = self.send("POST", CREATE_PATH, json_body=body, **kwargs)
        if exchange.status == 200 and isinstance(exchange.json, dict) and isinstance(exchange.json.get("id"), str):
            self.created.append(exchange.json["id"])
        return exchange

    def get(self, segment_id: str, **kwargs: Any) -> Exchange:
        return self.send("GET", SEGMENT_PATH, segment_id=segment_id, **kwargs)

    def delete(self, segment_id: str, **kwargs: Any) -> Exchange:
        exchange = self.send("DELETE", SEGMENT_PATH, segment_id=segment_id, **kwargs)
        if exchange.status == 204 and segment_id in self.created:
            self.created.remove(segment_id)
        return exchange

    def cleanup(self) -> list[str]:
        """Delete everything the run created; return the ids that could not be deleted."""
        left: list[str] = []
        for segment_id in list(self.created):
            try:
                exchange = self.send("DELETE", SEGMENT_PATH, segment_id=segment_id, record=False)
            except (requests.RequestException, BudgetExhausted):
                left.append(segment_id)
                continue
            if exchange.status in (204, 404):  # 404: already gone, nothing left behind
                self.created.remove(segment_id)
            else:
                left.append(segment_id)
        return left

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
    ) -> Exchange:
        """Send one request. `headers` override the credentials (a value of None drops one)."""
        if self.max_requests is not None and self.requests_sent >= self.max_requests:
            raise BudgetExhausted(f"the request budget of {self.max_requests} is spent")
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
        self.requests_sent += 1
        started = time.perf_counter()
        response = self._session.request(
            method, self.base_url + path, data=body, headers=sent_headers, timeout=self.timeout, allow_redirects=False
        )
        elapsed_ms = (time.perf_counter() - started) * 1000
        exchange = self._exchange(method, path_template, response, sent_headers, body, elapsed_ms)
        if record and self._on_exchange is not None:
            self._on_exchange(exchange)
        return exchange

    def send_prepared(self, path_template: str, request_kwargs: dict[str, Any]) -> tuple[Exchange, requests.Response]:
        """Send a request another tool prepared (schemathesis's transport kwargs) through this
        target, so it is counted, checked, masked and its created ids land in the ledger."""
        if self.max_requests is not None and self.requests_sent >= self.max_requests:
            raise BudgetExhausted(f"the request budget of {self.max_requests} is spent")
        kwargs = dict(request_kwargs)
        kwargs.pop("session", None)
        kwargs.setdefault("timeout", self.timeout)
        kwargs["allow_redirects"] = False
        self.requests_sent += 1
        started = time.perf_counter()
        response = self._session.request(**kwargs)
        elapsed_ms = (time.perf_counter() - started) * 1000
        prepared = response.request
        exchange = self._exchange(
            prepared.method or "GET", path_template, response, dict(prepared.headers), prepared.body, elapsed_ms
        )
        if (exchange.method, path_template) == ("POST", CREATE_PATH) and exchange.status == 200:
            if isinstance(exchange.json, dict) and isinstance(exchange.json.get("id"), str):
                self.created.append(exchange.json["id"])
        if self._on_exchange is not None:
            self._on_exchange(exchange)
        return exchange, response

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


def _truncate(text: str, limit: int = BODY_LIMIT) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit} more characters]"
