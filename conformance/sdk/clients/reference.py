"""Our reference client of the Segments API, and its named faults.

A small, correct client: it sends what the user built and nothing else, keeps every member of an
answer (the ones the contract does not declare too) and every date-time as the server wrote it,
and raises SegmentsApiError, with the status and the body unchanged, for every answer that is not
a success (a redirect included: it follows none, so credentials stay with the configured origin).
Every call has a default timeout, and an id is always one path segment. It passes every SDK requirement; the gate's proof runs it with each fault switched on
and expects exactly the fault's requirement to fail (tests/sdk/test_client_faults.py).

Where a fault acts, the code tests `"name" in self.faults`, as the mock's faults do.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

from conformance.sdk.adapter import ClientError, Result, SegmentsClient, SentRequest

VERSION = "1.1.0"
DEFAULT_TIMEOUT = (5.0, 5.0)  # seconds to connect, and between bytes of the answer (requests' timeout)
WAYS = ("constructor", "from_dict", "from_json", "plain_dict")
SERIALIZERS = ("to_dict", "to_json")
_UNSET: Any = object()


@dataclass(frozen=True)
class ClientFault:
    name: str
    requirement: str
    description: str


CLIENT_FAULTS: dict[str, ClientFault] = {
    fault.name: fault
    for fault in (
        ClientFault("null-filter", "SDK-REQUEST-VALID",
                    'an auto-update or passive body built without filter is sent with "filter": null'),
        ClientFault("ascii-names", "SDK-REQUEST-FAITHFUL",
                    "every non-ASCII character of a name is sent as '?'"),
        ClientFault("strict-sync-status", "SDK-RESPONSE-OPEN-VALUES",
                    "a Segment whose initial_sync_status is not DONE or IN_PROGRESS is rejected"),
        ClientFault("rejects-dotted-filter-keys", "SDK-RESPONSE-ACCEPTED",
                    'a Segment whose filter has a dotted key ("address.country") is rejected'),
        ClientFault("microsecond-timestamps", "SDK-DATETIME-EDGES",
                    "date-times lose every fraction digit after the sixth (as datetime does)"),
        ClientFault("created-at-plus-zero", "SDK-ROUNDTRIP-VERBATIM",
                    'created_at written with "Z" is serialized with "+00:00" instead (the same instant)'),
        ClientFault("drops-unknown-fields", "SDK-ROUNDTRIP-UNKNOWN-FIELDS",
                    "members of a Segment that the contract does not declare are dropped"),
        ClientFault("null-sync-status", "SDK-ROUNDTRIP-VALID",
                    'a Segment without initial_sync_status is serialized with "initial_sync_status": null'),
        ClientFault("millisecond-timestamps", "SDK-ROUNDTRIP-LOSSLESS",
                    "date-times lose every fraction digit after the milliseconds"),
        ClientFault("to-json-fails-with-updated-at", "SDK-SERIALIZER-NO-ERROR",
                    "Segment.to_json raises TypeError for a Segment that has updated_at"),
        ClientFault("generic-404", "SDK-ERROR-404",
                    "a 404 answer raises RuntimeError instead of SegmentsApiError"),
        ClientFault("401-without-body", "SDK-ERROR-401",
                    "the SegmentsApiError raised for a 401 carries no body"),
        ClientFault("400-returns-none", "SDK-ERROR-400",
                    "a 400 answer to create returns None instead of raising"),
        ClientFault("delete-parses-body", "SDK-DELETE-204",
                    "delete parses the empty body of its 204 answer as JSON, and raises"),
        ClientFault("latin1-answers", "SDK-RETURNS-ANSWER",
                    "successful answers are decoded as Latin-1 whatever their charset (UTF-8 names garbled)"),
        ClientFault("no-token-on-delete", "SDK-AUTH-HEADERS",
                    "delete is sent without the X-App-Token header"),
        ClientFault("media-type-case-sensitive", "SDK-RESPONSE-MEDIA-TYPE",
                    'a success answer is rejected unless its Content-Type starts with lowercase "application/json"'),
        ClientFault("follows-redirects", "SDK-REDIRECT-CREDENTIALS",
                    "redirects are followed as requests does by default: X-App-Id and X-App-Token go along"),
        ClientFault("no-timeout", "SDK-TIME-BOUND",
                    "no default timeout: a call waits as long as the server does"),
        ClientFault("status-from-body", "SDK-ERROR-ANY-STATUS",
                    "the error's status is the Error object's code, so an answer without one loses it"),
        ClientFault("list-returns-data-only", "SDK-LIST",
                    "list returns the page's data array, not the page"),
        ClientFault("parse-errors-escape", "SDK-UNREADABLE-ANSWER",
                    "a success answer that is not JSON raises json's JSONDecodeError, without status or body"),
        ClientFault("raw-ids", "SDK-ID-PATH",
                    "an id is pasted into the path as given: not percent-encoded, dot segments not refused"),
    )
}


class UnknownClientFault(ValueError):
    pass


def check_faults(faults) -> frozenset[str]:
    unknown = sorted(set(faults) - set(CLIENT_FAULTS))
    if unknown:
        raise UnknownClientFault(f"unknown client fault(s) {unknown}; known: {', '.join(CLIENT_FAULTS)}")
    return frozenset(faults)


# --- the client's models ------------------------------------------------------------------------------


class SegmentsApiError(Exception):
    """Any answer that is not a success: the status and the body as the server sent them."""

    def __init__(self, status: int, body: str | None, message: str = "") -> None:
        super().__init__(message or f"the Segments API answered {status}")
        self.status = status
        self.body = body


class CreateSegmentBody:
    """A create request: only the members given are sent."""

    MEMBERS = ("name", "type", "customers", "filter")

    def __init__(self, name: str = _UNSET, *, type: str = _UNSET, customers: list[str] = _UNSET,  # noqa: A002
                 filter: dict[str, Any] = _UNSET, faults: frozenset[str] = frozenset()) -> None:  # noqa: A002
        self._members = {key: value for key, value in (("name", name), ("type", type), ("customers", customers),
                                                       ("filter", filter)) if value is not _UNSET}
        self._faults = faults

    @classmethod
    def from_dict(cls, data: dict[str, Any], faults: frozenset[str] = frozenset()) -> CreateSegmentBody:
        unknown = set(data) - set(cls.MEMBERS)
        if unknown:
            raise TypeError(f"unknown create members {sorted(unknown)}")
        return cls(**data, faults=faults)

    @classmethod
    def from_json(cls, text: str, faults: frozenset[str] = frozenset()) -> CreateSegmentBody:
        return cls.from_dict(json.loads(text), faults)

    def to_dict(self) -> dict[str, Any]:
        members = copy.deepcopy(self._members)
        if "null-filter" in self._faults and members.get("type") in ("auto-update", "passive"):
            members.setdefault("filter", None)
        if "ascii-names" in self._faults and isinstance(members.get("name"), str):
            members["name"] = members["name"].encode("ascii", "replace").decode("ascii")
        return members

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


_Z = re.compile(r"[Zz]$")
_FRACTION = re.compile(r"\.(\d+)(?=[Zz+-])")


class Segment:
    """A Segment as the server answered it: every member kept, date-times kept as text."""

    def __init__(self, members: dict[str, Any], faults: frozenset[str] = frozenset()) -> None:
        if not isinstance(members, dict):
            raise ValueError("a Segment is a JSON object")
        if "strict-sync-status" in faults and "initial_sync_status" in members:
            if members["initial_sync_status"] not in ("DONE", "IN_PROGRESS"):
                raise ValueError(f"unexpected initial_sync_status {members['initial_sync_status']!r}")
        if "rejects-dotted-filter-keys" in faults and isinstance(members.get("filter"), dict):
            if any("." in key for key in members["filter"]):
                raise ValueError("unexpected filter key")
        self._members = members
        self._faults = faults

    @classmethod
    def from_json(cls, text: str, faults: frozenset[str] = frozenset()) -> Segment:
        return cls(json.loads(text), faults)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_members"][name]
        except KeyError:
            raise AttributeError(name) from None

    def to_dict(self) -> dict[str, Any]:
        members = copy.deepcopy(self._members)
        if "drops-unknown-fields" in self._faults:
            from conformance.sdk.values import declared_segment_fields

            # the client's model knows the members of the document it was built from: the bundled one
            members = {key: value for key, value in members.items() if key in declared_segment_fields()}
        if "null-sync-status" in self._faults:
            members.setdefault("initial_sync_status", None)
        for key in ("created_at", "updated_at"):
            value = members.get(key)
            if not isinstance(value, str):
                continue
            for fault, kept in (("millisecond-timestamps", 3), ("microsecond-timestamps", 6)):
                match = _FRACTION.search(value)
                if fault in self._faults and match and match.group(1)[kept:].strip("0"):
                    value = value[: match.start(1) + kept] + value[match.end(1):]
            if key == "created_at" and "created-at-plus-zero" in self._faults:
                value = _Z.sub("+00:00", value)
            members[key] = value
        return members

    def to_json(self) -> str:
        if "to-json-fails-with-updated-at" in self._faults and "updated_at" in self._members:
            raise TypeError("Object of type UpdatedAt is not JSON serializable")
        return json.dumps(self.to_dict(), ensure_ascii=False)


class SegmentsApi:
    """The three operations, over requests."""

    def __init__(self, base_url: str, app_id: str, app_token: str, faults: frozenset[str] = frozenset(),
                 session: requests.Session | None = None, timeout: tuple[float, float] = DEFAULT_TIMEOUT) -> None:
        self.base_url = base_url.rstrip("/")
        self.app_id, self.app_token = app_id, app_token
        self.faults = faults
        self.timeout = None if "no-timeout" in faults else timeout
        self._session = session or requests.Session()
        self._session.trust_env = False  # loopback relays and test servers: no proxies

    def _headers(self, operation: str) -> dict[str, str]:
        headers = {"Accept": "application/json", "X-App-Id": self.app_id, "X-App-Token": self.app_token}
        if operation == "delete" and "no-token-on-delete" in self.faults:
            del headers["X-App-Token"]
        return headers

    def _send(self, operation: str, method: str, path: str, body: str | None = None) -> requests.Response:
        headers = self._headers(operation)
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
            data = body.encode("utf-8")
        # Never follow a redirect: requests would take X-App-Id and X-App-Token to wherever it points
        # (it strips only Authorization and Cookie); the 3xx reaches the caller as SegmentsApiError.
        return self._session.request(method, self.base_url + path, data=data, headers=headers, timeout=self.timeout,
                                     allow_redirects="follows-redirects" in self.faults)

    def _path(self, segment_id: str) -> str:
        """/v1/segments/{id}: the id is one path segment whatever it holds; an empty id or a dot
        segment has none (RFC 3986 section 5.2.4 removes it), so it is refused before anything is sent."""
        if "raw-ids" in self.faults:
            return "/v1/segments/" + segment_id
        if segment_id in ("", ".", ".."):
            raise ValueError(f"{segment_id!r} is not a segment id")
        return "/v1/segments/" + quote(segment_id, safe="")

    def _failure(self, operation: str, response: requests.Response) -> None:
        body = response.content.decode("utf-8", errors="replace")
        if response.status_code == 404 and "generic-404" in self.faults:
            raise RuntimeError(f"segment not found ({operation})")
        if response.status_code == 401 and "401-without-body" in self.faults:
            body = None
        status = response.status_code
        if "status-from-body" in self.faults:
            try:
                status = json.loads(body).get("code")
            except (TypeError, ValueError, AttributeError):
                status = None
        raise SegmentsApiError(status, body)

    def _segment(self, response: requests.Response) -> Segment:
        media_type = response.headers.get("Content-Type", "")
        if "media-type-case-sensitive" in self.faults:
            is_json = media_type.startswith("application/json")
        else:
            is_json = media_type.split(";", 1)[0].strip().lower() == "application/json"
        if not is_json:
            raise SegmentsApiError(response.status_code, response.text, f"expected JSON, got {media_type!r}")
        text = response.content.decode("latin-1" if "latin1-answers" in self.faults else "utf-8", errors="replace")
        if "parse-errors-escape" in self.faults:
            return Segment.from_json(text, self.faults)
        try:
            return Segment.from_json(text, self.faults)
        except ValueError as error:  # the request succeeded: the caller keeps the status and the body
            raise SegmentsApiError(response.status_code, text, f"unreadable answer: {error}") from error

    def create_segment(self, body: CreateSegmentBody | dict[str, Any]) -> Segment | None:
        if isinstance(body, dict):
            body = CreateSegmentBody.from_dict(body, self.faults)
        response = self._send("create", "POST", "/v1/segments", body.to_json())
        if response.status_code == 400 and "400-returns-none" in self.faults:
            return None
        if not 200 <= response.status_code < 300:
            self._failure("create", response)
        return self._segment(response)

    def get_segment(self, segment_id: str) -> Segment:
        response = self._send("get", "GET", self._path(segment_id))
        if not 200 <= response.status_code < 300:
            self._failure("get", response)
        return self._segment(response)

    def list_segments(self) -> dict[str, Any]:
        """GET /v1/segments (the July 2026 revision): the page as the server answered it."""
        response = self._send("list", "GET", "/v1/segments")
        if not 200 <= response.status_code < 300:
            self._failure("list", response)
        page = json.loads(response.content.decode("utf-8"))
        return page.get("data") if "list-returns-data-only" in self.faults and isinstance(page, dict) else page

    def delete_segment(self, segment_id: str) -> None:
        response = self._send("delete", "DELETE", self._path(segment_id))
        if not 200 <= response.status_code < 300:
            self._failure("delete", response)
        if "delete-parses-body" in self.faults:
            json.loads(response.content)
        return None

    def close(self) -> None:
        self._session.close()


# --- the adapter ----------------------------------------------------------------------------------------


class ReferenceAdapter(SegmentsClient):
    name = "reference"
    version = VERSION
    ways = WAYS
    segment_serializers = SERIALIZERS
    documented_error = "conformance.sdk.clients.reference.SegmentsApiError"
    offers = ("create-segment", "get-segment", "delete-segment", "list-segment")
    default_timeout = f"{DEFAULT_TIMEOUT[0]:g} s to connect, {DEFAULT_TIMEOUT[1]:g} s between bytes of the answer"

    def __init__(self, faults=()) -> None:
        self.faults = check_faults(faults)
        self._api: SegmentsApi | None = None

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "faults": sorted(self.faults)}

    def configure(self, base_url: str, app_id: str, app_token: str) -> None:
        self.close()
        self._api = SegmentsApi(base_url, app_id, app_token, self.faults)

    def _build(self, body: dict[str, Any], way: str) -> CreateSegmentBody | dict[str, Any]:
        if way == "constructor":
            return CreateSegmentBody(**body, faults=self.faults)
        if way == "from_dict":
            return CreateSegmentBody.from_dict(body, self.faults)
        if way == "from_json":
            return CreateSegmentBody.from_json(json.dumps(body), self.faults)
        if way == "plain_dict":
            return dict(body)
        raise ValueError(f"unknown way {way!r}; one of {WAYS}")

    @staticmethod
    def _error(error: BaseException) -> ClientError:
        if isinstance(error, SegmentsApiError):
            return ClientError.of(error, documented=True, status=error.status, body=error.body)
        return ClientError.of(error, documented=False)

    def _run(self, operation) -> Result:
        try:
            value = operation()
        except Exception as error:  # noqa: BLE001 - whatever the client raises is the finding
            return Result(error=self._error(error))
        return Result(value=value.to_dict() if isinstance(value, Segment) else value)

    def create(self, body: dict[str, Any], way: str) -> Result:
        return self._run(lambda: self._api.create_segment(self._build(body, way)))

    def get(self, segment_id: str) -> Result:
        return self._run(lambda: self._api.get_segment(segment_id))

    def delete(self, segment_id: str) -> Result:
        return self._run(lambda: self._api.delete_segment(segment_id))

    def list(self) -> Result:
        return self._run(self._api.list_segments)

    def parse_segment(self, text: str, operation: str = "get") -> Result:
        return self._run(lambda: type(Segment.from_json(text, self.faults)).__name__)

    def roundtrip_segment(self, text: str, operation: str = "get") -> Result:
        return self._run(lambda: Segment.from_json(text, self.faults).to_dict())

    def serialize_segment(self, text: str, serializer: str, operation: str = "get") -> Result:
        if serializer not in SERIALIZERS:
            raise ValueError(f"unknown serializer {serializer!r}; one of {SERIALIZERS}")
        try:
            segment = Segment.from_json(text, self.faults)
        except Exception as error:  # noqa: BLE001
            return Result(error=self._error(error))
        return self._run(lambda: json.dumps(segment.to_dict(), ensure_ascii=False) if serializer == "to_dict" else segment.to_json())

    def serialize_create(self, body: dict[str, Any], way: str) -> Result:
        def build() -> dict[str, Any]:
            built = self._build(body, way)
            if isinstance(built, dict):
                built = CreateSegmentBody.from_dict(built, self.faults)
            headers = {"Accept": "application/json", "Content-Type": "application/json; charset=utf-8"}
            return SentRequest("POST", "/v1/segments", headers, built.to_json()).__dict__

        return self._run(build)

    def close(self) -> None:
        if self._api is not None:
            self._api.close()
            self._api = None
