"""The system under test as the suite sees it: a base URL, credentials, and the three operations.

Every request goes through the target's Transport (transport.py), the one gate for budget,
deadlines, origin, ledger and recording; this module adds what the suite and the tools need on
top: building requests, the pre-flight probe, and cleanup of what the run created.
"""

from __future__ import annotations

import functools
import json
import re
import secrets
import string
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from conformance import concurrency, interrupts
from conformance.contract import CREATE_PATH, SEGMENT_PATH, Contract
from conformance.exchange import Exchange
from conformance.ledger import Ledger
from conformance.transport import OutOfBudget, TargetUnavailable, Transport, TransportError, retry_seconds

PROBE_ATTEMPTS = 3


@dataclass(frozen=True)
class Credentials:
    app_id: str
    app_token: str

    def headers(self) -> dict[str, str]:
        return {"X-App-Id": self.app_id, "X-App-Token": self.app_token}

    def __repr__(self) -> str:  # never in a traceback or a log
        return "Credentials(***)"


def segment_path(segment_id: str) -> str:
    return fill_path(SEGMENT_PATH, {"segmentId": segment_id})


def fill_path(template: str, values: dict[str, str]) -> str:
    """A documented path template with each parameter's value as one percent-encoded path segment:
    `/`, `?` and `#` cannot change the path. A value of dots is encoded too, so that URL parsing
    does not resolve it away before the transport sees it and refuses to send it (requests decodes
    %2E back to a dot)."""
    def encoded(match: re.Match[str]) -> str:
        value = str(values[match.group(1)])
        text = quote(value, safe="")
        return text.replace(".", "%2E") if set(value) <= {"."} else text

    return re.sub(r"\{([^}/]+)\}", encoded, template)


def random_segment_id(rng=secrets) -> str:
    """An id in the vendor's format (seg_ and 24 letters or digits) that no segment has."""
    return "seg_" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(24))


class Target:
    def __init__(self, transport: Transport, credentials: Credentials) -> None:
        self.transport = transport
        self.credentials = credentials

    @property
    def base_url(self) -> str:
        return self.transport.base_url

    @property
    def contract(self) -> Contract:
        return self.transport.contract

    @property
    def ledger(self) -> Ledger:
        return self.transport.ledger

    @property
    def session(self) -> requests.Session:
        """The gated session, for tools that send requests themselves (schemathesis)."""
        return self.transport.session

    @property
    def requests_sent(self) -> int:
        return self.transport.requests_sent

    # --- the operations ------------------------------------------------------------------------------

    def create(self, body: Any, **kwargs: Any) -> Exchange:
        return self.send("POST", CREATE_PATH, json_body=body, **kwargs)

    def get(self, segment_id: str, **kwargs: Any) -> Exchange:
        return self.send("GET", segment_path(segment_id), **kwargs)

    def delete(self, segment_id: str, **kwargs: Any) -> Exchange:
        return self.send("DELETE", segment_path(segment_id), **kwargs)

    def send(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        raw_body: str | bytes | None = None,
        headers: dict[str, str | None] | None = None,
        params: dict[str, Any] | None = None,
        authenticate: bool = True,
    ) -> Exchange:
        """Send one request to `path` (concrete, under the base URL). `headers` override ours; a
        value of None drops one (a credential, say)."""
        sent: dict[str, str] = {"Accept": "application/json"}
        if authenticate:
            sent.update(self.credentials.headers())
        body: str | bytes | None = raw_body
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
        if body is not None:
            sent["Content-Type"] = "application/json"
        for name, value in (headers or {}).items():
            if value is None:
                sent.pop(name, None)
            else:
                sent[name] = value
        response = self.session.request(method, self.base_url + path, data=body, headers=sent, params=params)
        return response.exchange

    # --- before and after ----------------------------------------------------------------------------

    def probe(self) -> str | None:
        """One GET of an id nobody has: tells an unreachable target, a TLS problem, a redirect or
        rejected credentials from a testable one before the suite starts; then one POST that no
        server can take for a create (a JSON array) tells a wrong path prefix: a base URL whose
        create route answers 404, or whose answers are HTML pages, is not the API. The problem, or None."""
        base = self.base_url
        for _ in range(PROBE_ATTEMPTS):
            try:
                exchange = self.get(random_segment_id())
                if exchange.status in (401, 403) or 300 <= exchange.status < 400 or exchange.status == 429:
                    route = None
                else:
                    route = _not_the_api(exchange) or _not_the_api(self.create([]))
            except requests.exceptions.SSLError as error:
                return _tls_problem(base, error, verifying=bool(self.session.verify))
            except requests.Timeout:
                return f"{base} did not answer in time"
            except TransportError as error:
                return f"{base}: {error}"
            except requests.RequestException:
                return f"{base} is unreachable or does not speak HTTP"
            except TargetUnavailable as error:
                return f"{base}: {error}"
            if exchange.status in (401, 403):
                return f"{base} rejected the credentials ({exchange.status})"
            if 300 <= exchange.status < 400:
                where = exchange.header("Location") or "somewhere else"
                return (f"{base} answers {exchange.status} redirecting to {where}; this tool never follows "
                        "redirects (credentials would travel): give the final address as --base-url")
            if exchange.status == 404 and _looks_doubled(base):
                return (f"{base} ends in /v1 and the API paths start with /v1: requests go to /v1/v1/...; "
                        "give the base URL without /v1")
            if route:
                return f"{base} is not the Segments API: {route}; is the base URL's path prefix right?"
            if exchange.status != 429:
                return None
            interrupts.sleep(min(retry_seconds(exchange.header("Retry-After")) or 1.0, 10.0))
        return f"{base} keeps answering 429 Too Many Requests; try again later"

    def cleanup(self, segment_ids: list[str] | None = None) -> list[str]:
        """Delete what the run created (or those of `segment_ids`); return the ids left behind.
        Cleanup is outside the budget (which reserved room for it) and the first interrupt."""
        transport = self.transport

        def deleted(segment_id: str) -> bool:
            if interrupts.insisted():  # a second Ctrl-C: stop cleaning, the ledger keeps the rest
                return False
            try:
                exchange = self.delete(segment_id)
            except (requests.RequestException, TargetUnavailable, OutOfBudget, interrupts.Interrupted):
                return False
            return exchange.status in (204, 404)  # 404: already gone, nothing left behind

        ids = list(self.ledger.open_ids() if segment_ids is None else segment_ids)
        transport.cleaning, unavailable = True, transport.unavailable
        try:  # the deletes are independent: several in flight at once (concurrency.py)
            done = concurrency.send_all([functools.partial(deleted, segment_id) for segment_id in ids],
                                        width=transport.max_in_flight)
            left = [segment_id for segment_id, gone in zip(ids, done) if not gone]
        finally:
            transport.cleaning = False
            transport.unavailable = transport.unavailable or unavailable
            self.ledger.save()  # what is left, as it is now
        return left

    def close(self) -> None:
        self.transport.close()


def _tls_problem(base: str, error: Exception, *, verifying: bool) -> str:
    text = str(error)
    if "WRONG_VERSION_NUMBER" in text or "wrong version number" in text or "record layer failure" in text:
        return f"{base} does not speak TLS on that port (is it a plain http:// address?)"
    if verifying and "CERTIFICATE_VERIFY_FAILED" in text:
        return f"TLS error talking to {base}: the certificate could not be verified (--insecure skips verification)"
    return f"TLS error talking to {base}: the handshake failed"


def _not_the_api(exchange: Exchange) -> str | None:
    """Why `exchange` cannot have come from the API's own routes: an HTML page (a web site, a
    gateway's error page), or a 404 for the create route, which every revision documents."""
    start = exchange.body[:512].lstrip().lower()
    if exchange.media_type == "text/html" or start.startswith((b"<!doctype html", b"<html")):
        return f"{exchange.method} {urlsplit(exchange.url).path} answers an HTML page ({exchange.status})"
    if exchange.method == "POST" and exchange.status == 404:
        return f"POST {urlsplit(exchange.url).path} answers 404: the create route is not there"
    return None


def _looks_doubled(base: str) -> bool:
    return base.rstrip("/").endswith("/v1")
