"""The proof bench: every MUST and SHOULD requirement probed on the wire, as the catalogue words it.

Run against a mock, `Bench(server).run()` answers which requirements the mock broke, with the
evidence. The correct mock and every legal variant must break none (no false alarm); each fault
must break exactly the requirements it lists (no fault hides another, an exclusive fault proves
one check alone). It is a second, independent reader of the contract, small enough to read in
one sitting; it does not replace the suite, it tells the suite what it should find.

Rules, the same as the suite's where the suite has them:
- Generic checks judge every exchange (not the tidy-up): no 5xx, JSON bodies declared
  application/json, documented statuses, the Error object on 4xx with code = status, a valid
  Segment on a 200 of create and get, a 204 of delete with no body framing (Content-Length 0 is
  tolerated) and no bytes after its headers, the list object on a 200 of list.
- A requirement whose precondition failed is NOT TESTED, never FAILED: the read-back of a get
  that did not answer 200, the second delete after a first that failed, the list checks after a
  list answer without `data`.
- Each probe deletes what it created (unjudged), as the suite tidies up after each test.
- A 429 is retried at once (the variant that sends it says Retry-After: 1; waiting is the
  Target's business and tested there).
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from unittest import mock

import rawhttp

from conformance import rfc3339
from conformance.mock import timestamps
from conformance.catalogue import load_catalogue
from conformance.contract import CREATE_PATH, ERROR_SCHEMA, HTTP_METHODS, SEGMENT_PATH, SEGMENT_SCHEMA, Contract
from conformance.mock.store import DYNAMIC_TYPES, SEGMENT_TYPES

VENDOR_CUSTOMERS = ["cust_iajsExT2QB4sGWzABY85WRqV", "cust_sehkNIi8Uq2qQuRqSr7xn4Zi"]
CREATED_AFTER = {"junction": "and", "created_at": {"conditions": {"$after": ["2021-12-01T00:00:00.000Z"]}}}
DOTTED = {
    "junction": "and",
    "birthdate": {"conditions": {"$next_month": [True]}},
    "address.country": {"conditions": {"$is": "Poland"}},
    "metadata.club_level": {"conditions": {"$in": ["Gold", "Silver"]}},
}
UNKNOWN_ID = "seg_unknownUnknownUnknown0"
LATE_BYTES_LINGER_S = 0.15  # a delete's 204 read this long past its headers (delete-204-body-late writes at 0.02 s)
ODD_ID = "seg_bench~not-ours"  # what the suite sends for a generated id not in its ledger
BAD_CREDENTIALS = {
    "missing-app-id": {"X-App-Id": None},
    "missing-app-token": {"X-App-Token": None},
    "wrong-app-id": {"X-App-Id": "bench-wrong-app-id"},
    "wrong-app-token": {"X-App-Token": "bench-wrong-app-token"},
    "both-missing": {"X-App-Id": None, "X-App-Token": None},
}
INVALID_BODIES = {
    "name-missing": {"type": "static", "customers": VENDOR_CUSTOMERS},
    "name-number": {"name": 42, "type": "static", "customers": VENDOR_CUSTOMERS},
    "name-null": {"name": None, "type": "auto-update", "filter": CREATED_AFTER},
    "type-unknown": {"name": "x", "type": "dynamic", "filter": CREATED_AFTER},
    "type-number": {"name": "x", "type": 1},
    "type-boolean": {"name": "x", "type": True},
    "type-null": {"name": "x", "type": None, "customers": VENDOR_CUSTOMERS},
    "type-array": {"name": "x", "type": ["static"], "customers": VENDOR_CUSTOMERS},
    "type-object": {"name": "x", "type": {"static": True}, "customers": VENDOR_CUSTOMERS},
    "customers-not-array": {"name": "x", "type": "static", "customers": "cust_1"},
    "customers-not-strings": {"name": "x", "type": "static", "customers": [1, 2]},
    "filter-not-object": {"name": "x", "type": "auto-update", "filter": "created_at > 2021"},
    "body-array": [{"name": "x", "type": "static"}],
    "body-string": "segment",
}
UNPARSEABLE = {"malformed-json": b'{"name": "x", "type": "static",', "empty": b""}
NOT_JSON_MEDIA_TYPES = {
    "text/plain": "text/plain",
    "form": "application/x-www-form-urlencoded",
    "multipart": "multipart/form-data; boundary=bench",
    "none": None,
}
_DATE_TIME = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:[Zz]|([+-])(\d\d):(\d\d))", re.ASCII
)


class NotTested(Exception):
    """A probe's precondition failed; the requirement is neither passed nor failed."""


def requirement_levels() -> dict[str, str]:
    """Every MUST and SHOULD requirement of the catalogue."""
    return {rid: req.level for rid, req in load_catalogue().items() if req.level != "OBSERVE"}


def instant(text: Any) -> tuple | None:
    """A sortable key for an RFC 3339 date-time, leap seconds included (not the mock's own code);
    None for anything else."""
    match = _DATE_TIME.fullmatch(text) if isinstance(text, str) and rfc3339.is_date_time(text) else None
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    fraction = (match.group(7) or "").ljust(9, "0")[:9]
    sign, offset_hour, offset_minute = match.group(8), int(match.group(9) or 0), int(match.group(10) or 0)
    offset = (offset_hour * 60 + offset_minute) * (-1 if sign == "-" else 1)
    # minutes since the epoch, by a proleptic day count: no datetime, so :60 stays :60
    days = _days(year, month, day)
    minutes = days * 1440 + hour * 60 + minute - offset
    return (minutes, second, fraction)


def _days(year: int, month: int, day: int) -> int:
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era


class Bench:
    def __init__(self, server, *, name_tag: str = "bench") -> None:
        self.server = server
        self.url = server.url
        self.auth = dict(server.auth_headers)
        self.contract: Contract = server.contract
        self.tag = name_tag
        self.findings: dict[str, list[str]] = defaultdict(list)
        self.not_tested: dict[str, list[str]] = defaultdict(list)
        self.sent = 0
        self._created: list[str] = []  # tidy-up list of the current probe
        self._counter = iter(range(1, 1_000_000))

    # --- the run ------------------------------------------------------------------------------------

    def run(self) -> dict[str, list[str]]:
        """Every probe, in an order where the caps come last; the requirements broken, with why."""
        list_documented = self.contract.operation("GET", CREATE_PATH) is not None
        probes: list[Callable[[], None]] = [
            self.probe_create_static,
            self.probe_create_static_empty,
            self.probe_create_dynamic,
            self.probe_name_echo,
            self.probe_ids_unique,
            self.probe_read_back,
            self.probe_get_unknown,
            self.probe_delete,
            self.probe_delete_unknown,
            self.probe_invalid_bodies,
            self.probe_media_types,
            self.probe_odd_requests,
            self.probe_auth,
            self.probe_auth_first,
            self.probe_methods,
            self.probe_operations_served,
            self.probe_content_coding,
        ]
        if list_documented:
            probes += [
                self.probe_list_created,
                self.probe_list_deleted,
                self.probe_list_limit,
                self.probe_list_order,
                self.probe_list_filters,
                self.probe_list_invalid,
            ]
        probes += [self.probe_static_caps, self.probe_dynamic_cap, self.probe_creates_after_the_cap]
        for probe in probes:
            try:
                probe()
            except NotTested as skipped:
                self.not_tested[probe.__name__].append(str(skipped))
            finally:
                self.tidy_up()
        return dict(self.findings)

    def broken(self) -> set[str]:
        return set(self.findings)

    # --- sending and judging ------------------------------------------------------------------------

    def name(self, label: str) -> str:
        return f"{label} {self.tag}-{next(self._counter)}"

    def send(self, method: str, target: str, *, headers=None, body: bytes | None = None, json_body=None,
             judge: bool = True, linger: float = 0.0) -> rawhttp.WireAnswer:
        sent_headers = {**self.auth, **(headers or {})}
        for _ in range(4):
            answer = rawhttp.exchange(self.url, method, target, headers=sent_headers, body=body, json_body=json_body,
                                      linger=linger)
            self.sent += 1
            if judge:
                self.generic(answer)
            if answer.status != 429:
                break
        return answer

    def create(self, body: Any, *, judge_as: str | None = "auto", **kwargs) -> rawhttp.WireAnswer:
        answer = self.send("POST", CREATE_PATH, json_body=body, **kwargs)
        if 200 <= answer.status < 300 and isinstance(answer.json, dict) and isinstance(answer.json.get("id"), str):
            self._created.append(answer.json["id"])
        if judge_as is not None:
            kind = body.get("type", "static") if isinstance(body, dict) else "static"
            requirement = judge_as if judge_as != "auto" else {
                "static": "SEG-CREATE-STATIC-200", "auto-update": "SEG-CREATE-AUTOUPDATE-200",
                "passive": "SEG-CREATE-PASSIVE-200"}[kind]
            self.check(requirement, answer.status == 200, f"create of a {kind} segment answered {answer.status}", answer)
        return answer

    def created(self, body: Any, **kwargs) -> dict[str, Any]:
        """Create as a precondition: the Segment answered, or NotTested."""
        answer = self.create(body, **kwargs)
        if not (200 <= answer.status < 300 and isinstance(answer.json, dict) and isinstance(answer.json.get("id"), str)):
            raise NotTested(f"setup create answered {answer.status}")
        return answer.json

    def get(self, segment_id: str, **kwargs) -> rawhttp.WireAnswer:
        return self.send("GET", f"{SEGMENT_PATH.split('{')[0]}{rawhttp.path_segment(segment_id)}", **kwargs)

    def delete(self, segment_id: str, **kwargs) -> rawhttp.WireAnswer:
        return self.send("DELETE", f"{SEGMENT_PATH.split('{')[0]}{rawhttp.path_segment(segment_id)}", **kwargs)

    def list(self, params: list[tuple[str, str]] | None = None) -> rawhttp.WireAnswer:
        target = CREATE_PATH + ("?" + rawhttp.query(params) if params else "")
        return self.send("GET", target)

    def listed(self, params: list[tuple[str, str]]) -> list[dict[str, Any]]:
        """A list answer's data as a precondition (SEG-LIST-SCHEMA judges its shape), or NotTested."""
        return self.listed_with_total(params)[0]

    def listed_with_total(self, params: list[tuple[str, str]]) -> tuple[list[dict[str, Any]], Any]:
        answer = self.list(params)
        body = answer.json if answer.status == 200 and isinstance(answer.json, dict) else {}
        data = body.get("data")
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise NotTested(f"list answered {answer.status} without a data array")
        return data, body.get("total")

    def stored(self) -> int:
        return self.server.app.state.mock.store.count(SEGMENT_TYPES)

    def tidy_up(self) -> None:
        for segment_id in self._created:
            self.delete(segment_id, judge=False)
        self._created.clear()

    def check(self, requirement: str, passed: bool, message: str, answer: rawhttp.WireAnswer | None = None) -> None:
        if not passed:
            where = f" [{answer.method} {answer.target[:80]} -> {answer.status}]" if answer is not None else ""
            self.findings[requirement].append(message + where)

    # --- generic checks, every exchange -------------------------------------------------------------

    def generic(self, answer: rawhttp.WireAnswer) -> None:
        path = answer.target.split("?", 1)[0]
        template = self.contract.path_template(_unquote(path))
        operation = self.contract.operation(answer.method, template) if template else None
        self.check("SEG-NO-5XX", answer.status < 500, f"answered {answer.status}", answer)
        if answer.body:
            self.check("SEG-JSON-CONTENT-TYPE", answer.media_type == "application/json" and answer.is_json,
                       f"a body with Content-Type {answer.header('content-type')!r}", answer)
        if operation is not None and answer.status < 500:  # a 5xx is SEG-NO-5XX's finding alone (the catalogue)
            documented = set(self.contract.documented_statuses(answer.method, template))
            self.check("SEG-STATUS-DOCUMENTED", str(answer.status) in documented,
                       f"status {answer.status} is not documented for {operation.operation_id}", answer)
        if answer.status == 405:
            allow = answer.header("allow")
            listed = {part.strip().upper() for part in (allow or "").split(",") if part.strip()}
            self.check("SEG-405-ALLOW", allow is not None and answer.method not in listed,
                       f"a 405 to {answer.method} with Allow {allow!r}", answer)
        if 400 <= answer.status < 500 and answer.method != "HEAD":  # a HEAD answer has no content (RFC 9110 9.3.2)
            body = answer.json
            errors = self.contract.schema_errors(body, ERROR_SCHEMA) if body is not None else ["not JSON"]
            self.check("SEG-ERROR-OBJECT", not errors, f"not the Error object: {errors[:2]}", answer)
            if isinstance(body, dict) and isinstance(body.get("code"), int):
                self.check("SEG-ERROR-CODE-STATUS", body["code"] == answer.status,
                           f"Error code {body['code']} on a {answer.status}", answer)
        if operation is None:
            return
        route = (answer.method, template)
        if answer.status == 200 and route in (("POST", CREATE_PATH), ("GET", SEGMENT_PATH)):
            self.segment_checks(answer.json, answer)
        if answer.status == 204 and route == ("DELETE", SEGMENT_PATH):
            problems = []
            length = answer.header("content-length")
            if length is not None and length.strip() != "0":
                problems.append(f"Content-Length: {length}")
            if answer.header("transfer-encoding") is not None:
                problems.append(f"Transfer-Encoding: {answer.header('transfer-encoding')}")
            if answer.after_headers:
                problems.append(f"{len(answer.after_headers)} bytes after the headers")
            self.check("SEG-DELETE-204-EMPTY", not problems, f"a 204 with body framing: {problems}", answer)
        if answer.status == 200 and route == ("GET", CREATE_PATH):
            self.list_checks(answer)

    def segment_checks(self, body: Any, answer: rawhttp.WireAnswer) -> None:
        errors = self.contract.schema_errors(body, SEGMENT_SCHEMA) if body is not None or answer.is_json else ["not JSON"]
        self.check("SEG-SEGMENT-SCHEMA", not errors, f"not a valid Segment: {errors[:2]}", answer)
        if isinstance(body, dict):
            self.check("SEG-SEGMENT-OBJECT", body.get("object") == "segment", f"object {body.get('object')!r}", answer)
            self.check("SEG-SEGMENT-CREATED-AT", rfc3339.is_date_time(body.get("created_at")),
                       f"created_at {body.get('created_at')!r}", answer)

    def list_checks(self, answer: rawhttp.WireAnswer) -> None:
        body = answer.json
        schema = self.contract.effective["paths"][CREATE_PATH]["get"]["responses"]["200"]["content"]["application/json"]
        pointer = schema["schema"].get("$ref", "")
        errors = self.contract.schema_errors(body, pointer) if pointer and answer.is_json else []
        problems = list(errors[:2])
        if not isinstance(body, dict):
            problems.append("not a JSON object")
        else:
            data = body.get("data")
            if body.get("object") != "list" or body.get("data_ref") != "data":
                problems.append(f"object {body.get('object')!r}, data_ref {body.get('data_ref')!r}")
            if not isinstance(data, list):
                problems.append("no data array")
            else:
                for item in data:
                    item_errors = self.contract.schema_errors(item, SEGMENT_SCHEMA)
                    if item_errors:
                        problems.append(f"an item is not a Segment: {item_errors[:1]}")
                        break
            total = body.get("total")
            if not isinstance(total, int) or isinstance(total, bool) or (isinstance(data, list) and total < len(data)):
                problems.append(f"total {total!r}")
        self.check("SEG-LIST-SCHEMA", not problems, f"not the list object: {problems}", answer)

    # --- create -------------------------------------------------------------------------------------

    def probe_create_static(self) -> None:
        answer = self.create({"name": self.name("static"), "type": "static", "customers": VENDOR_CUSTOMERS})
        segment = answer.json if isinstance(answer.json, dict) else {}
        if answer.status == 200:
            self.check("SEG-CREATE-STATIC-200", segment.get("type") == "static", f"type {segment.get('type')!r}", answer)
            self.check("SEG-CREATE-STATIC-200", "filter" in segment and segment["filter"] is None,
                       f"filter {segment.get('filter', 'absent')!r}", answer)
        if "initial_sync_status" in segment:
            self.check("SEG-CREATE-SYNC-STATUS", segment["initial_sync_status"] == "DONE",
                       f"initial_sync_status {segment['initial_sync_status']!r} on a static segment", answer)

    def probe_create_static_empty(self) -> None:
        """customers [] is a valid static body (the array has no minItems)."""
        self.create({"name": self.name("static-empty"), "type": "static", "customers": []})

    def probe_create_dynamic(self) -> None:
        for kind, filter_, requirement in (
            ("auto-update", CREATED_AFTER, "SEG-CREATE-AUTOUPDATE-200"),
            ("auto-update", DOTTED, "SEG-CREATE-AUTOUPDATE-200"),
            ("passive", CREATED_AFTER, "SEG-CREATE-PASSIVE-200"),
        ):
            answer = self.create({"name": self.name(kind), "type": kind, "filter": filter_})
            segment = answer.json if isinstance(answer.json, dict) else {}
            if answer.status == 200:
                self.check(requirement, segment.get("type") == kind, f"type {segment.get('type')!r}, sent {kind}", answer)
                self.check(requirement, segment.get("filter") == filter_, "the filter answered is not the one sent", answer)
            if "initial_sync_status" in segment:
                self.check("SEG-CREATE-SYNC-STATUS", segment["initial_sync_status"] in ("DONE", "IN_PROGRESS"),
                           f"initial_sync_status {segment['initial_sync_status']!r} on a {kind} segment", answer)

    def probe_name_echo(self) -> None:
        for label, suffix in (("non-ascii", "Klienci z Łodzi — 東京 🎁 Ünïcödé"), ("long", "L" * 990),
                              ("padded", "  spaces kept  "), ("decomposed", "Cafe\u0301 Zu\u0308rich")):
            name = f"{self.name(label)} {suffix}"
            answer = self.create({"name": name, "type": "static", "customers": VENDOR_CUSTOMERS})
            if answer.status == 200 and isinstance(answer.json, dict):
                self.check("SEG-CREATE-NAME-ECHO", answer.json.get("name") == name,
                           f"name answered {str(answer.json.get('name'))[:60]!r} for {name[:60]!r}", answer)

    def probe_ids_unique(self) -> None:
        seen: dict[str, str] = {}
        for index in range(6):
            kind = "passive" if index % 2 == 0 else "static"
            body = ({"name": self.name("unique"), "type": "static", "customers": VENDOR_CUSTOMERS} if kind == "static"
                    else {"name": self.name("unique"), "type": "passive", "filter": CREATED_AFTER})
            segment = self.created(body)
            segment_id = segment["id"]
            self.check("SEG-ID-UNIQUE", segment_id != "", "an empty id")
            self.check("SEG-ID-UNIQUE", segment_id not in seen, f"id {segment_id} given twice")
            seen[segment_id] = body["name"]

    # --- get ----------------------------------------------------------------------------------------

    def probe_read_back(self) -> None:
        bodies = {
            "static": {"name": self.name("read"), "type": "static", "customers": VENDOR_CUSTOMERS},
            "non-ascii-long": {"name": "Zażółć gęślą jaźń 日本語 " * 40 + self.name("read"), "type": "static",
                               "customers": VENDOR_CUSTOMERS},
            "dotted": {"name": self.name("read"), "type": "auto-update", "filter": DOTTED},
            "passive": {"name": self.name("read"), "type": "passive", "filter": CREATED_AFTER},
        }
        for body in bodies.values():
            try:
                created = self.created(body)
            except NotTested:
                continue
            answer = self.get(created["id"])
            got = answer.json if isinstance(answer.json, dict) else {}
            self.check("SEG-GET-200", answer.status == 200 and got.get("id") == created["id"],
                       f"get of a segment just created answered {answer.status}", answer)
            if answer.status != 200:
                continue  # the read-back of an answer that never came is not judged
            expected = {"id": created["id"], "name": body["name"], "type": body["type"],
                        "filter": body.get("filter"), "created_at": created.get("created_at")}
            for key, value in expected.items():
                self.check("SEG-GET-READBACK", got.get(key, "(absent)" if key != "filter" else None) == value,
                           f"get answered {key} {str(got.get(key))[:60]!r}, created with {str(value)[:60]!r}", answer)

    def probe_get_unknown(self) -> None:
        answer = self.get(UNKNOWN_ID)
        self.check("SEG-GET-404", answer.status == 404, f"get of an unknown id answered {answer.status}", answer)

    # --- delete -------------------------------------------------------------------------------------

    def probe_delete(self) -> None:
        for body in (
            {"name": self.name("delete"), "type": "static", "customers": VENDOR_CUSTOMERS},
            {"name": self.name("delete"), "type": "auto-update", "filter": CREATED_AFTER},
            {"name": self.name("delete"), "type": "passive", "filter": CREATED_AFTER},
        ):
            try:
                segment_id = self.created(body)["id"]
            except NotTested:
                continue
            # The first on a kept-alive connection, read a while past the 204 (a body written late).
            deleted = self.delete(segment_id, linger=LATE_BYTES_LINGER_S if body["type"] == "static" else 0.0)
            self.check("SEG-DELETE-204-EMPTY", deleted.status == 204, f"delete answered {deleted.status}", deleted)
            if not 200 <= deleted.status < 300:
                continue
            gone = self.get(segment_id)
            self.check("SEG-DELETE-GONE", gone.status == 404, f"get after delete answered {gone.status}", gone)
            again = self.delete(segment_id)
            self.check("SEG-DELETE-TWICE-404", again.status == 404, f"a second delete answered {again.status}", again)

    def probe_delete_unknown(self) -> None:
        bystander = self.created({"name": self.name("bystander"), "type": "static", "customers": VENDOR_CUSTOMERS})
        answer = self.delete(UNKNOWN_ID)
        self.check("SEG-DELETE-404", answer.status == 404, f"delete of an unknown id answered {answer.status}", answer)
        still = self.get(bystander["id"])
        if still.status == 200:
            return
        self.check("SEG-DELETE-404", False, "the bystander is gone after a delete of an unknown id", still)

    # --- invalid requests ---------------------------------------------------------------------------

    def probe_invalid_bodies(self) -> None:
        cases = [(label, rawhttp.json.dumps(body).encode()) for label, body in INVALID_BODIES.items()]
        cases += list(UNPARSEABLE.items())
        for label, data in cases:
            before = self.stored()
            answer = self.send("POST", CREATE_PATH, body=data, headers={"Content-Type": "application/json"})
            if 200 <= answer.status < 300 and isinstance(answer.json, dict) and "id" in answer.json:
                self._created.append(answer.json["id"])
            rejected = 400 <= answer.status < 500
            self.check("SEG-VALIDATION-4XX", rejected and self.stored() == before,
                       f"the invalid body {label!r} answered {answer.status}", answer)
            if rejected:
                # 400 and, when the Error object has a key (it is optional), invalid_payload
                body = answer.json if isinstance(answer.json, dict) else {}
                key = body.get("key", "invalid_payload")
                self.check("SEG-VALIDATION-400", answer.status == 400 and key == "invalid_payload",
                           f"the invalid body {label!r} answered {answer.status} key {key!r}", answer)

    def probe_media_types(self) -> None:
        for label, content_type in NOT_JSON_MEDIA_TYPES.items():
            before = self.stored()
            body = rawhttp.json.dumps({"name": self.name(f"media {label}"), "type": "static"}).encode()
            answer = self.send("POST", CREATE_PATH, body=body, headers={"Content-Type": content_type})
            if 200 <= answer.status < 300 and isinstance(answer.json, dict) and "id" in answer.json:
                self._created.append(answer.json["id"])
            self.check("SEG-CREATE-MEDIA-TYPE-415", answer.status == 415 and self.stored() == before,
                       f"a body declared {content_type!r} answered {answer.status}", answer)

    def probe_odd_requests(self) -> None:
        self.get(ODD_ID)
        self.delete(ODD_ID)
        self.send("GET", "/v2/segments")
        self.send("GET", "/v1/segments/")

    # --- authentication ------------------------------------------------------------------------------

    def probe_auth(self) -> None:
        existing = self.created({"name": self.name("auth"), "type": "static", "customers": VENDOR_CUSTOMERS})["id"]
        list_documented = self.contract.operation("GET", CREATE_PATH) is not None
        for label, headers in BAD_CREDENTIALS.items():
            before = self.stored()
            answer = self.send("POST", CREATE_PATH, headers=headers,
                               json_body={"name": self.name("unauthorized"), "type": "static"})
            if 200 <= answer.status < 300 and isinstance(answer.json, dict) and "id" in answer.json:
                self._created.append(answer.json["id"])
            self.check("SEG-AUTH-401", answer.status == 401, f"create with {label} answered {answer.status}", answer)
            if answer.status == 401:
                self.check("SEG-AUTH-NO-EFFECT", self.stored() == before, f"a create with {label} answered 401 and created", answer)
            answer = self.get(existing, headers=headers)
            self.check("SEG-AUTH-401", answer.status == 401, f"get with {label} answered {answer.status}", answer)
            answer = self.delete(existing, headers=headers)
            self.check("SEG-AUTH-401", answer.status == 401, f"delete with {label} answered {answer.status}", answer)
            still = self.get(existing)
            if answer.status == 401:
                self.check("SEG-AUTH-NO-EFFECT", still.status == 200,
                           f"after a delete with {label} answered 401, get answered {still.status}", still)
            if still.status != 200:  # gone: go on with another
                existing = self.created({"name": self.name("auth"), "type": "static", "customers": VENDOR_CUSTOMERS})["id"]
            if list_documented:
                answer = self.send("GET", CREATE_PATH, headers=headers)
                self.check("SEG-AUTH-401", answer.status == 401, f"list with {label} answered {answer.status}", answer)

    def probe_auth_first(self) -> None:
        headers = {"X-App-Token": None}
        cases = {
            "an invalid body": lambda: self.send("POST", CREATE_PATH, headers=headers, json_body={"name": 42, "type": "nope"}),
            "malformed JSON": lambda: self.send("POST", CREATE_PATH, headers={**headers, "Content-Type": "application/json"},
                                                body=b"{not json"),
            "get of an unknown id": lambda: self.get(UNKNOWN_ID, headers=headers),
            "delete of an unknown id": lambda: self.delete(UNKNOWN_ID, headers=headers),
        }
        for what, send in cases.items():
            answer = send()
            self.check("SEG-AUTH-FIRST", answer.status == 401, f"{what} without credentials answered {answer.status}", answer)

    # --- routes and methods ---------------------------------------------------------------------------

    def probe_methods(self) -> None:
        existing = self.created({"name": self.name("methods"), "type": "static", "customers": VENDOR_CUSTOMERS})["id"]
        targets = {CREATE_PATH: CREATE_PATH, SEGMENT_PATH: "/v1/segments/" + rawhttp.path_segment(existing)}
        for template, target in targets.items():
            documented = set(self.contract.documented_methods(template))
            for method in HTTP_METHODS:
                if method in documented:
                    continue
                body = b'{"name": "changed"}' if method in ("PUT", "PATCH", "POST") else None
                answer = self.send(method, target, body=body,
                                   headers={"Content-Type": "application/json"} if body else None)
                self.check("SEG-METHOD-405", answer.status == 405, f"{method} {template} answered {answer.status}", answer)
                if answer.status != 405:
                    continue
                allow = answer.header("allow")
                self.check("SEG-METHOD-405", allow is not None, "a 405 without Allow", answer)
                if allow is None:
                    continue
                listed = {part.strip().upper() for part in allow.split(",") if part.strip()}
                self.check("SEG-METHOD-405", documented <= listed, f"Allow {allow!r} leaves out {sorted(documented - listed)}", answer)
                for extra in sorted(listed - documented):
                    if extra in HTTP_METHODS:
                        self.check("SEG-METHOD-405", False, f"Allow {allow!r} lists {extra}, which is not served", answer)
                    else:
                        served = self.send(extra, target)
                        self.check("SEG-METHOD-405", served.status != 405,
                                   f"Allow {allow!r} lists {extra}, which answers 405", served)

    def probe_content_coding(self) -> None:
        """The bench asks for gzip everywhere else; here a client that accepts identity only."""
        identity = {"Accept-Encoding": "identity", "Content-Type": "application/json"}
        body = rawhttp.json.dumps({"name": self.name("identity"), "type": "static", "customers": VENDOR_CUSTOMERS}).encode()
        created = self.send("POST", CREATE_PATH, body=body, headers=identity)
        if 200 <= created.status < 300 and isinstance(created.json, dict) and "id" in created.json:
            self._created.append(created.json["id"])
        got = self.get(created.json["id"] if isinstance(created.json, dict) else UNKNOWN_ID, headers={"Accept-Encoding": "identity"})
        for answer in (created, got):
            coding = (answer.header("content-encoding") or "identity").lower()
            self.check("SEG-CONTENT-CODING", coding == "identity", f"Content-Encoding {coding} to a request that accepts identity only", answer)

    def probe_operations_served(self) -> None:
        for operation in self.contract.operations:
            if operation.path == SEGMENT_PATH:
                existing = self.created({"name": self.name("served"), "type": "static", "customers": VENDOR_CUSTOMERS},
                                        judge_as=None)["id"]
                answer = self.send(operation.method, "/v1/segments/" + rawhttp.path_segment(existing))
            elif operation.method == "POST":
                answer = self.create({"name": self.name("served"), "type": "static"}, judge_as=None)
            else:
                answer = self.send(operation.method, operation.path)
            routed = answer.status != 405 and not (answer.status == 404 and "{" not in operation.path)
            self.check("SEG-OPERATION-SERVED", routed, f"{operation.label} answered {answer.status}", answer)

    # --- list -----------------------------------------------------------------------------------------

    def _make(self, count: int, label: str, kind: str = "static") -> list[dict[str, Any]]:
        made = []
        for _ in range(count):
            name = self.name(label)
            body = ({"name": name, "type": "static", "customers": [f"cust_{name.replace(' ', '_')}"]} if kind == "static"
                    else {"name": self.name(label), "type": kind, "filter": CREATED_AFTER})
            made.append(self.created(body, judge_as=None))
            time.sleep(0.002)  # distinct milliseconds, so created_at orders them
        return made

    def probe_list_created(self) -> None:
        self.listed([])  # SEG-LIST-SCHEMA judges the plain list too
        segment = self._make(1, "listed")[0]
        data = self.listed([("ids", segment["id"])])
        self.check("SEG-LIST-CREATED", segment["id"] in [item.get("id") for item in data],
                   f"the segment just created ({segment['id']}) is not listed")

    def probe_list_deleted(self) -> None:
        first, second = self._make(2, "deleted")
        if not 200 <= self.delete(first["id"], judge=False).status < 300:
            raise NotTested("the delete before the list failed")
        data = self.listed([("ids", first["id"]), ("ids", second["id"])])
        self.check("SEG-LIST-DELETED", first["id"] not in [item.get("id") for item in data],
                   f"the deleted segment {first['id']} is listed")

    def probe_list_limit(self) -> None:
        made = self._make(12, "limit")
        ids = [("ids", segment["id"]) for segment in made]
        data, total = self.listed_with_total(ids[:3] + [("limit", "2")])
        expected = min(2, total) if isinstance(total, int) else 2
        self.check("SEG-LIST-LIMIT", len(data) == expected, f"limit=2 answered {len(data)} segments of {total}")
        self.check("SEG-LIST-TOTAL", total == 3, f"3 ids asked for with limit=2: total {total!r}")
        answer = self.list(ids[:3] + [("limit", "1")])
        data = answer.json.get("data") if answer.status == 200 and isinstance(answer.json, dict) else None
        self.check("SEG-LIST-LIMIT", isinstance(data, list) and len(data) == 1,
                   f"limit=1 (the lower end) answered {answer.status} with {len(data) if isinstance(data, list) else 'no'} segments", answer)
        self._make(1, "spacer")  # the newest is not one of the 12: a list one write behind is another requirement's
        _, total = self.listed_with_total([("filters[name][conditions][$starts_with]", f"limit {self.tag}"), ("limit", "2")])
        self.check("SEG-LIST-TOTAL", total == len(made), f"{len(made)} segments named 'limit ...' with limit=2: total {total!r}")
        data, total = self.listed_with_total(ids)
        expected = min(10, total) if isinstance(total, int) else 10
        self.check("SEG-LIST-LIMIT", len(data) == expected, f"no limit answered {len(data)} segments of {total} (10 is the default)")

    def probe_list_order(self) -> None:
        # The mock's clock, set: created_at x.900, x+1.050, x+1.060 straddle a whole second with the
        # later fraction the smaller, which a key that leaves the second out orders the wrong way.
        start = timestamps.now().replace(microsecond=0)
        instants = iter(start + timedelta(seconds=offset) for offset in (0.9, 1.05, 1.06))
        with mock.patch.object(timestamps, "now", side_effect=lambda: next(instants, None) or datetime.now(UTC)):
            made = self._make(3, "order")
        ids = [("ids", segment["id"]) for segment in made]
        for order, newest_first in ((None, True), ("-created_at", True), ("created_at", False)):
            data = self.listed(ids + ([("order", order)] if order else []))
            keys = [key for key in (instant(item.get("created_at")) for item in data) if key is not None]
            ordered = sorted(keys, reverse=newest_first)
            self.check("SEG-LIST-ORDER", keys == ordered,
                       f"order={order or '(default, newest first)'} answered created_at out of order")
        for order, newest_first in (("-created_at", True), ("created_at", False)):  # a whole page, others' segments too
            keys = [key for key in (instant(item.get("created_at")) for item in self.listed([("order", order), ("limit", "100")]))
                    if key is not None]
            self.check("SEG-LIST-ORDER", keys == sorted(keys, reverse=newest_first),
                       f"order={order} answered a page with created_at out of order")

    def probe_list_filters(self) -> None:
        made = self._make(2, "alpha") + self._make(2, "beta", "passive")
        ids = [("ids", segment["id"]) for segment in made]
        # What the list says without filters is the truth the filters are judged against: a list
        # that misses or adds segments, or a create that answered wrongly, is another requirement's.
        by_id = {item.get("id"): item for item in self.listed(ids + [("limit", "100")])}
        dated = [item for item in by_id.values() if instant(item.get("created_at")) is not None]
        first = min(dated, key=lambda item: instant(item["created_at"]), default=None)
        cases = [
            ([("filters[name][conditions][$starts_with]", f"alpha {self.tag}")], lambda s: s["name"].startswith("alpha")),
            ([("filters[type][conditions][$is]", "passive")], lambda s: s["type"] == "passive"),
            ([("filters[type][conditions][$in]", "static"), ("filters[type][conditions][$in]", "auto-update")],
             lambda s: s["type"] in ("static", "auto-update")),
            ([("filters[junction]", "or"), ("filters[name][conditions][$ends_with]", made[0]["name"][-8:]),
              ("filters[type][conditions][$is]", "passive")],
             lambda s: s["name"].endswith(made[0]["name"][-8:]) or s["type"] == "passive"),
            ([("filters[name][conditions][$not_contain]", "beta")], lambda s: "beta" not in s["name"]),
            ([("filters[type][conditions][$is_not]", "passive")], lambda s: s["type"] != "passive"),
            ([("filters[id][conditions][$has_value]", "")], lambda s: True),
            ([("filters[id][conditions][$is_unknown]", "")], lambda s: False),
            # every created_at operator: presence, and age in days (the segments were made just now)
            ([("filters[created_at][conditions][$has_value]", "")], lambda s: True),
            ([("filters[created_at][conditions][$is_unknown]", "")], lambda s: False),
            ([("filters[created_at][conditions][$less_than]", "1")], lambda s: True),
            ([("filters[created_at][conditions][$more_than]", "1")], lambda s: False),
        ]
        if first is not None:
            cases.append(([("filters[created_at][conditions][$after]", first["created_at"])],
                          lambda s: (instant(s.get("created_at")) or ()) > instant(first["created_at"])))
            elsewhere = _at_offset(first["created_at"], 120)  # the same bound at +02:00
            if elsewhere is not None:
                cases.append(([("filters[created_at][conditions][$after]", elsewhere)],
                              lambda s: (instant(s.get("created_at")) or ()) > instant(first["created_at"])))
        cases.append(([("filters[created_at][conditions][$after]", "2000-01-01T00:00:00Z")], lambda s: True))  # no fraction
        # The segment whose created_at is the $after bound may be kept or not: a server may keep a
        # finer instant than it shows (the created-at-kept-finer variant).
        undecided = {first["id"]} if first is not None else set()
        for params, predicate in cases:
            answer = self.list(ids + [("limit", "100")] + params)  # the plain list answered: a refusal here is the filter's
            self.check("SEG-LIST-FILTERS", answer.status == 200, f"filters {params} answered {answer.status}", answer)
            if answer.status != 200:
                continue
            listed = answer.json.get("data") if isinstance(answer.json, dict) else None  # its shape: SEG-LIST-SCHEMA's
            data = [item for item in listed if isinstance(item, dict)] if isinstance(listed, list) else []
            expected = {segment_id for segment_id, segment in by_id.items() if _safely(predicate, segment)}
            got = {item.get("id") for item in data}
            if "$after" in params[0][0]:
                expected, got = expected - undecided, got - undecided
            self.check("SEG-LIST-FILTERS", got == expected, f"filters {params} answered {len(got)} of {len(expected)} expected")

    def probe_list_invalid(self) -> None:
        for params in ([("limit", "0")], [("limit", "101")], [("limit", "many")], [("order", "name")]):
            answer = self.list(params)
            self.check("SEG-LIST-LIMIT-RANGE", 400 <= answer.status < 500, f"{params} answered {answer.status}", answer)
        for params in ([("filters[type][conditions][$is]", "cubic")],
                       [("filters[type][conditions][$is]", "dynamic"), ("filters[type][conditions][$not_in]", "cubic")],
                       [("filters[name][foo]", "1")], [("filters[name][conditions]", "x")]):
            answer = self.list(params)
            if answer.status < 500 and answer.status not in (404, 405):  # a 5xx is SEG-NO-5XX's; 404/405 SEG-OPERATION-SERVED's
                self.check("SEG-LIST-QUERY-400", answer.status == 400, f"{params} answered {answer.status}", answer)

    # --- caps -----------------------------------------------------------------------------------------

    def probe_static_caps(self) -> None:
        customers = [f"cust_bench{index:08d}" for index in range(20_001)]
        answer = self.create({"name": self.name("cap-20000"), "type": "static", "customers": customers[:20_000]},
                             judge_as=None)
        self.check("SEG-CAP-STATIC-20000", answer.status == 200, f"20,000 customers answered {answer.status}", answer)
        before = self.stored()
        answer = self.create({"name": self.name("cap-20001"), "type": "static", "customers": customers}, judge_as=None)
        rejected = 400 <= answer.status < 500
        self.check("SEG-CAP-STATIC-20001", rejected and self.stored() == before,
                   f"20,001 customers answered {answer.status}", answer)
        if rejected:
            self.check("SEG-VALIDATION-400", answer.status == 400, f"20,001 customers answered {answer.status}", answer)

    def probe_dynamic_cap(self) -> None:
        store = self.server.app.state.mock.store
        accepted, rejection = [], None
        for index in range(101):
            kind = "auto-update" if index % 2 else "passive"
            answer = self.create({"name": self.name(f"cap-{kind}"), "type": kind, "filter": CREATED_AFTER},
                                 judge_as=None)
            if not 200 <= answer.status < 300:
                rejection = answer
                break
            accepted.append(answer.json["id"])
        live = store.count(DYNAMIC_TYPES)
        self.check("SEG-CAP-DYNAMIC-100", rejection is not None and live <= 100,
                   f"{live} auto-update and passive segments exist at once")
        self.check("SEG-CAP-DYNAMIC-100", rejection is None or live >= 100,
                   f"refused with only {live} auto-update and passive segments held (up to 100 can be created)", rejection)
        if rejection is None:
            raise NotTested("the cap was never reached")
        self.check("SEG-CAP-DYNAMIC-100", 400 <= rejection.status < 500 and rejection.status != 401,
                   f"past the cap: {rejection.status}", rejection)
        static = self.create({"name": self.name("cap-static"), "type": "static", "customers": VENDOR_CUSTOMERS},
                             judge_as=None)
        self.check("SEG-CAP-STATIC-NOT-COUNTED", 200 <= static.status < 300,
                   f"at the cap a static segment answered {static.status}", static)
        if not accepted:
            raise NotTested("nothing of ours to delete at the cap")
        freed = self.delete(accepted.pop())
        if not 200 <= freed.status < 300:
            raise NotTested(f"the delete at the cap answered {freed.status}")
        refill = self.create({"name": self.name("cap-refill"), "type": "passive", "filter": CREATED_AFTER}, judge_as=None)
        self.check("SEG-CAP-DELETE-FREES", 200 <= refill.status < 300, f"after a delete at the cap: {refill.status}", refill)
        over = self.create({"name": self.name("cap-over"), "type": "auto-update", "filter": CREATED_AFTER}, judge_as=None)
        self.check("SEG-CAP-DELETE-FREES", 400 <= over.status < 500, f"one delete freed more than one slot: {over.status}", over)

    def probe_creates_after_the_cap(self) -> None:
        """Once everything is deleted again, auto-update and passive segments can be created."""
        self.tidy_up()
        if self.server.app.state.mock.store.count(DYNAMIC_TYPES):
            raise NotTested("the segments of the cap could not be deleted")
        for kind, requirement in (("auto-update", "SEG-CREATE-AUTOUPDATE-200"), ("passive", "SEG-CREATE-PASSIVE-200")):
            answer = self.create({"name": self.name(f"after-cap {kind}"), "type": kind, "filter": CREATED_AFTER},
                                 judge_as=None)
            self.check(requirement, answer.status == 200, f"after the cap was emptied, create answered {answer.status}", answer)


def _at_offset(created_at: str, minutes: int) -> str | None:
    """The instant a created_at names, written at another offset (None for a leap second or other
    text datetime cannot read)."""
    try:
        moment = datetime.fromisoformat(created_at.upper().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(timezone(timedelta(minutes=minutes))).isoformat(timespec="microseconds")


def _safely(predicate: Callable[[dict[str, Any]], bool], item: dict[str, Any]) -> bool:
    try:
        return bool(predicate(item))
    except (KeyError, TypeError, AttributeError):
        return False


def _unquote(path: str) -> str:
    from urllib.parse import unquote

    return unquote(path)
