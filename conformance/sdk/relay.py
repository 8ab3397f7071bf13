"""The relay: the only way the client under test reaches the target.

A client is configured with the relay's loopback URL and with credentials of the relay's own,
never the target's. The relay forwards each request the client sends through the run's Target
(over the Target's gated session), so the request budget, the 429 back-off,
the ledger of created ids, the generic checks and secret masking all apply as for the suite's own
requests, and it hands the client the target's answer unchanged (status, Content-Type and every
byte of the body).

On the way it
- swaps the relay's credentials for the target's (a header that does not carry the relay's value,
  such as a deliberately wrong token, is forwarded as the client sent it, so a 401 stays a 401);
- forwards only the operations the run's document documents; anything else is refused here with 403;
- reads and deletes only segments this run created: any other id gets a suffix no real id has
  (as the suite's property tests do), so it can only miss;
- records each exchange (what the client sent, what came back) for the scenarios to judge.

If the target cannot be reached or the budget is spent, the client gets a 502 or 503 from the
relay, and the exception is kept for the test to re-raise (`raise_pending`), so the plugin can
call the requirement NOT TESTED or the run INCOMPLETE instead of blaming the client.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from conformance.contract import CREATE_PATH, SEGMENT_PATH
from conformance.sdk.loopback import HOP_BY_HOP, Incoming, LoopbackServer, Outgoing
from conformance.exchange import Exchange
from conformance.target import Credentials, Target, segment_path

NOT_OURS = "~not-ours"
_FORWARDED_RESPONSE_HEADERS_DROPPED = HOP_BY_HOP | {"content-encoding"}  # requests has decoded the body


@dataclass
class Relayed:
    """One request the client sent through the relay, and what it got back."""

    sent: Incoming
    credentials_ok: dict[str, bool]  # X-App-Id / X-App-Token: did the client send the relay's value
    status: int
    response_headers: dict[str, str]
    response_body: bytes
    exchange: Exchange | None  # the target's exchange (masked), None when refused here
    refused: str | None = None

    @property
    def response_text(self) -> str:
        return self.response_body.decode("utf-8", errors="replace")


class Relay:
    def __init__(self, target: Target, *, max_connections: int = 16) -> None:
        self.target = target
        self.credentials = Credentials("relay-" + secrets.token_hex(6), secrets.token_urlsafe(18))
        self.exchanges: list[Relayed] = []
        self._forward_lock = threading.Lock()  # one request at a time to the target
        self._pending: BaseException | None = None
        self._server = LoopbackServer(self._handle, name="relay", max_connections=max_connections)
        self.url = self._server.url

    def start(self) -> Relay:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> Relay:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def mark(self) -> int:
        return len(self.exchanges)

    def since(self, mark: int) -> list[Relayed]:
        return self.exchanges[mark:]

    def raise_pending(self) -> None:
        """Re-raise, in the test's thread, what stopped the relay from reaching the target."""
        if self._pending is not None:
            error, self._pending = self._pending, None
            raise error

    # --- forwarding ----------------------------------------------------------------------------------

    def _route(self, method: str, path: str) -> tuple[str, str] | None:
        """(path template, path to forward) for an operation the run's document documents, else None."""
        contract = self.target.contract
        template = contract.path_template(path)
        if template is None or contract.operation(method, template) is None:
            return None
        if template == SEGMENT_PATH:
            segment_id = unquote(path[len(CREATE_PATH) + 1:])
            if segment_id and segment_id not in self.target.ledger:
                segment_id += NOT_OURS
            return template, segment_path(segment_id)
        return template, path

    def _headers(self, sent: dict[str, str]) -> tuple[dict[str, str], dict[str, bool]]:
        forwarded: dict[str, str] = {}
        ok = {"X-App-Id": False, "X-App-Token": False}
        ours = {"x-app-id": (self.credentials.app_id, self.target.credentials.app_id),
                "x-app-token": (self.credentials.app_token, self.target.credentials.app_token)}
        for name, value in sent.items():
            lower = name.lower()
            if lower in HOP_BY_HOP or lower == "accept-encoding":
                continue
            if lower in ours:
                relay_value, target_value = ours[lower]
                if value == relay_value:
                    ok["X-App-Id" if lower == "x-app-id" else "X-App-Token"] = True
                    value = target_value
            forwarded[name] = value
        return forwarded, ok

    def _handle(self, incoming: Incoming) -> Outgoing:
        split = urlsplit(incoming.path)
        route = self._route(incoming.method, split.path)
        headers, credentials_ok = self._headers(incoming.headers)
        if route is None:
            return self._local(incoming, credentials_ok, 403, "relay_refused",
                               f"the gate forwards only the contract's operations, not {incoming.method} {split.path}")
        template, path = route
        request = {"method": incoming.method, "url": self.target.base_url + path + (f"?{split.query}" if split.query else ""),
                   "headers": headers, "data": incoming.body or None}
        try:
            with self._forward_lock:
                response = self.target.session.request(**request)
                exchange = response.exchange
        except Exception as error:  # noqa: BLE001 - budget, unavailable target, transport: the test re-raises it
            self._pending = self._pending or error
            return self._local(incoming, credentials_ok, 503, "relay_unavailable", f"the target could not be reached: {type(error).__name__}")
        response_headers = {name: value for name, value in response.headers.items()
                            if name.lower() not in _FORWARDED_RESPONSE_HEADERS_DROPPED}
        self.exchanges.append(Relayed(incoming, credentials_ok, response.status_code, response_headers, response.content, exchange))
        return Outgoing(response.status_code, response.content, response_headers)

    def _local(self, incoming: Incoming, credentials_ok, status: int, key: str, message: str) -> Outgoing:
        import json

        body = json.dumps({"code": status, "key": key, "message": message}).encode()
        headers = {"Content-Type": "application/json"}
        self.exchanges.append(Relayed(incoming, credentials_ok, status, headers, body, None, refused=message))
        return Outgoing(status, body, headers)
