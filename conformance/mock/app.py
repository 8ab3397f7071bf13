"""The mock Segments API as an ASGI app: routes from the document, and the order of judgement.

The routes are the document's: every operation it documents is served, and a method it does not
document on a path it does answers 405 with an Allow header listing the methods it documents
there. The order is the contract's: credentials first (on every path, known or not), then the
route and the method, then the media type, the body or the id, then the caps.

Faults (faults.py) bend single steps and variants (variants.py) choose among legal answers; every
place where one acts is an `if "name" in self.faults` or `self.variants` line, so searching for
its name finds it.

State lives in memory. Handlers are `async def` and never await between reading the store and
changing it, so on the one event loop each create or delete is atomic and needs no lock.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import itertools
import json
import re
import time
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from secrets import compare_digest
from typing import Any

from starlette.datastructures import State
from starlette.requests import Request

from conformance import rfc3339
from conformance.contract import CREATE_PATH, SEGMENT_PATH, Contract
from conformance.mock import timestamps
from conformance.mock.faults import ActiveFaults
from conformance.mock.listing import FAULTY_BOUND_READERS, FAULTY_SORT_KEYS, InvalidQuery, ListQuery, ListRules
from conformance.mock.responses import JSON_CONTENT_TYPE, Answer, error_body, json_bytes
from conformance.mock.store import DYNAMIC_TYPES, SEGMENT_TYPES, STATIC, Segment, SegmentStore
from conformance.mock.validation import CreateRules, InvalidBody, parse_json, segment_type
from conformance.mock.variants import ActiveVariants

STATIC_CUSTOMER_CAP = 20_000  # seed 000: customers per static segment
DYNAMIC_SEGMENT_CAP = 100  # seed 000: auto-update and passive segments existing at once
LONG_NAME = 1000  # long-name-500: as if names went into a VARCHAR(1000) column
SYNC_SECONDS = 2.0  # get-404-while-syncing: how long a dynamic segment's first sync takes

# The routes the mock knows how to serve, by what they are (method and path), not by operationId.
CREATE, GET, DELETE, LIST = "create-segment", "get-segment", "delete-segment", "list-segment"
ROUTES = {
    ("POST", CREATE_PATH): CREATE,
    ("GET", SEGMENT_PATH): GET,
    ("DELETE", SEGMENT_PATH): DELETE,
    ("GET", CREATE_PATH): LIST,
}
METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
EVERY_METHOD = "GET, POST, PUT, PATCH, DELETE"  # allow-lists-unsupported-methods
PLAIN_ID = re.compile(r"[A-Za-z0-9_-]+")  # odd-id-answers-500: ids outside this answer 500
STATUS_OK_BODY = b'{"status":"ok"}'  # delete-204-with-body, delete-204-body-late: 15 bytes
LATE_BODY_S = 0.02  # delete-204-body-late: the body comes this long after the 204's headers
UTF8_BOM = b"\xef\xbb\xbf"  # json-with-byte-order-mark
LIST_DEFAULT_LIMIT_5 = 5  # list-default-limit-5
NEGATIONS = ("$is_not", "$not_in", "$not_contain")  # list-negations-ignored
DAY_OPERATORS = ("$more_than", "$less_than")  # list-day-filters-refused, list-day-filters-ignored: days before now
# account-with-history, list-sorted-by-time-of-day: someone else's static segments from earlier
# years, already on the account; their times of day run in another order than their instants.
HISTORY = (
    ("someone else's segment of 2022", datetime(2022, 9, 13, 8, 57, 15, 801000, tzinfo=UTC)),
    ("someone else's segment of 2024", datetime(2024, 1, 1, 0, 0, 0, tzinfo=UTC)),
    ("someone else's segment of 2025", datetime(2025, 6, 30, 23, 59, 59, 999000, tzinfo=UTC)),
)
MISREAD_OPERATORS = (  # (fault, operator, what the fault reads it as)
    ("list-has-value-read-as-is", "$has_value", "$is"),  # the empty value taken literally: name == ""
    ("list-after-read-as-before", "$after", "$before"),  # the comparison turned round
)


class UnsupportedOperation(ValueError):
    """The document has an operation the mock cannot serve (one line, for the CLI)."""


def create_app(
    app_id: str,
    app_token: str,
    faults: Iterable[str] = (),
    variants: Iterable[str] = (),
    contract: Contract | None = None,
) -> MockApp:
    """The mock as an ASGI app that accepts exactly these credentials and serves `contract` (the
    bundled document by default), with `faults` and `variants` switched on.

    Raises faults.UnknownFault / variants.UnknownVariant for a name that is not known,
    faults.FaultNotApplicable for a fault the document has no operation for,
    variants.VariantNotLegal for a variant the document does not allow (or two of one group),
    UnsupportedOperation for a document operation the mock cannot serve.
    """
    contract = contract if contract is not None else Contract.bundled()
    return MockApp(SegmentsMock(app_id, app_token, contract, faults, variants))


class MockApp:
    """The ASGI app: every HTTP request goes to the mock, which routes by the document itself (no
    framework router: Starlette's would answer its own plain-text 404 for a path with a newline,
    and redirect /v1/segments/). `app.state.mock` is the mock's memory, for tests to read."""

    def __init__(self, mock: SegmentsMock) -> None:
        self.state = State()
        self.state.mock = mock

    # uvicorn calls the app once with no arguments to tell a factory from an app; mutmut's
    # trampoline takes (*args) and would pass for a factory, so this door is never mutated.
    async def __call__(self, scope, receive, send) -> None:  # pragma: no mutate block
        if scope["type"] == "http":
            await self.state.mock(scope, receive, send)


class SegmentsMock:
    def __init__(
        self,
        app_id: str,
        app_token: str,
        contract: Contract,
        faults: Iterable[str] = (),
        variants: Iterable[str] = (),
    ) -> None:
        self.contract = contract
        self.operations = _served_operations(contract)
        self.faults = ActiveFaults(faults, operation_ids=self.operations.values())
        self.variants = ActiveVariants(variants, contract)
        self._credentials = (app_id.encode("utf-8"), app_token.encode("utf-8"))
        self.store = SegmentStore()
        self.create_rules = CreateRules(contract) if CREATE in self.operations.values() else None
        self.list_rules = ListRules(contract) if LIST in self.operations.values() else None
        self._templates = [(_template_regex(path), path) for path in contract.effective.get("paths", {})]
        self._wrapping_ids = itertools.count(1)
        self._rate_limited: set[str] = set()  # rate-limited-first: operations already answered 429
        self._unsettled_delete = False  # cap-freed-one-delete-late: the last delete, not yet counted
        self._answered = itertools.count(1)  # extra-headers: X-Rate-Limit-Remaining counts down
        self._history: set[str] = set()  # ids of the segments the account held before anyone called
        if "account-with-history" in self.variants or "list-sorted-by-time-of-day" in self.faults:
            self._seed_history()

    def _seed_history(self) -> None:
        form = self.variants.created_at_form()
        for name, instant in HISTORY:
            created_at = timestamps.format_instant(instant, form)
            segment = Segment(id=self._new_id(), name=name, type=STATIC, filter=None, created_at=created_at,
                              key=timestamps.parse_key(created_at), customers=2)
            self.store.add(segment)
            self._history.add(segment.id)

    # --- the door ----------------------------------------------------------------------------------

    async def __call__(self, scope, receive, send) -> None:
        request = Request(scope, receive)
        try:
            answer = await self.handle(request)
        except Exception as error:  # a bug of ours still answers the vendor's Error object
            answer = self._server_error(f"mock error: {type(error).__name__}")
        await self._finish(answer, request)(scope, receive, send)

    async def handle(self, request: Request) -> Answer:
        method = request.method
        template, params = self._route(request.url.path)
        operation = self.operations.get((method, template)) if template else None
        segment_id = params.get("segmentId", "")

        if operation == CREATE and "validation-before-auth" in self.faults:
            judged = self._judge(await request.body())
            if isinstance(judged, Answer):
                return judged
        if operation in (GET, DELETE) and "lookup-before-auth" in self.faults:
            if self.store.get(segment_id) is None:  # never created, or deleted
                return self._not_found(segment_id)

        unguarded = operation not in (None, CREATE) and "auth-only-on-create" in self.faults
        if not unguarded:
            denied = self._authenticate(request)
            if denied is not None:
                if operation == DELETE and "unauthenticated-delete-deletes" in self.faults:
                    self.store.remove(segment_id)
                if operation == CREATE and "unauthenticated-create-stores" in self.faults:
                    self._store_refused(await request.body())
                return denied

        if operation is not None and "rate-limited-first" in self.variants:
            limited = self._rate_limit(method, template, operation)
            if limited is not None:
                return limited

        if template is None:
            details = f"No route matches {method} {request.url.path}"
            return self._error(404, "not_found", "Resource not found", details)
        if operation is None:
            return self._undocumented_method(request, template, segment_id)
        if operation == LIST and "list-not-served" in self.faults:
            return self._method_not_allowed(request, template, without="GET")
        if operation == DELETE and "delete-not-served" in self.faults:
            return self._method_not_allowed(request, template, without="DELETE")

        if operation == CREATE:
            return await self._create(request)
        if operation == GET:
            return self._get(segment_id)
        if operation == DELETE:
            return self._delete(segment_id)
        return self._list(request)

    def _route(self, path: str) -> tuple[str | None, dict[str, str]]:
        for pattern, template in self._templates:
            match = pattern.fullmatch(path)
            if match is not None:
                return template, match.groupdict()
        return None, {}

    def _undocumented_method(self, request: Request, template: str, segment_id: str) -> Answer:
        documented = self.contract.documented_methods(template)
        if "allow-head-options" in self.variants:
            if request.method == "HEAD" and "GET" in documented:
                return self._get(segment_id) if template == SEGMENT_PATH else self._list(request)
            if request.method == "OPTIONS":
                return Answer(204, headers=[("Allow", self._allow(template))])
        if "unsupported-method-answers-404" in self.faults:
            return self._error(404, "not_found", "Resource not found", f"No route for {request.method} {request.url.path}")
        return self._method_not_allowed(request, template)

    # --- create -----------------------------------------------------------------------------------

    async def _create(self, request: Request) -> Answer:
        raw = await request.body()
        content_type = request.headers.get("content-type")
        if not self.create_rules.accepts(content_type) and "any-media-type-accepted" not in self.faults:
            if content_type is not None or raw:  # no content and no type: nothing to judge the type of
                if "media-type-refused-but-stored" in self.faults:
                    self._store_refused(raw)
                return self._unsupported_media_type(content_type)
        judged = self._judge(raw)
        if isinstance(judged, Answer):
            if "invalid-refused-but-stored" in self.faults:
                self._store_refused(raw)
            return judged
        body = judged
        if "long-name-500" in self.faults and len(body["name"]) > LONG_NAME:
            return self._server_error("value too long for column name")
        kind = segment_type(body)
        if kind == STATIC and body.get("customers") == [] and "static-empty-customers-refused" in self.faults:
            return self._error(400, "invalid_payload", "Invalid payload", "Property customers should not be empty")
        refused = self._over_cap(kind, body)
        if refused is not None:
            return refused
        if kind == "passive" and "passive-refused-400" in self.faults:
            return self._error(400, "invalid_segment", "Invalid segment", "Passive segments are not enabled for this project")
        if kind == "passive" and "passive-stored-as-auto-update" in self.faults:
            kind = "auto-update"
        customers = body.get("customers") if kind == STATIC else None
        shared = kind == STATIC and "static-id-from-customers" in self.faults
        segment = Segment(
            id=_customers_id(customers) if shared else self._new_id(),
            name=self._stored_name(body["name"]),
            type=kind,
            filter=self._stored_filter(kind, body),
            created_at="",
            customers=len(customers or ()),
            born=time.monotonic(),
        )
        self._stamp(segment)
        self.store.add(segment, share=shared)
        status = 201 if "create-answers-201" in self.faults else 200
        return self._json(status, self._create_view(segment))

    def _store_refused(self, raw: bytes) -> None:
        """The faults whose refusal stores anyway: the body, when it names a segment, is kept as a
        static segment (as if the write happened before the check that refused it)."""
        try:
            body = json.loads(raw)
        except ValueError:
            return
        if isinstance(body, dict) and isinstance(body.get("name"), str):
            segment = Segment(id=self._new_id(), name=body["name"], type=STATIC, filter=None, created_at="",
                              customers=0, born=time.monotonic())
            self._stamp(segment)
            self.store.add(segment)

    def _judge(self, raw: bytes) -> dict[str, Any] | Answer:
        """The create body if it is valid, else the answer that rejects it."""
        try:
            body = parse_json(raw)
        except InvalidBody as invalid:
            if "malformed-json-500" in self.faults:
                return self._server_error("Unexpected token in JSON")
            return self._invalid(invalid)
        name = body.get("name") if isinstance(body, dict) else None
        if name is not None and not isinstance(name, str) and "name-coerced-to-string" in self.faults:
            body["name"] = json.dumps(name)
        kind = body.get("type") if isinstance(body, dict) else None
        if isinstance(kind, (list, dict)) and "type-container-500" in self.faults:
            return self._server_error(f"TypeError: unhashable type: '{type(kind).__name__}'")
        try:
            self.create_rules.check(body)
        except InvalidBody as invalid:
            return self._invalid(invalid)
        return body

    def _stamp(self, segment: Segment) -> None:
        """created_at in the form the variants choose, and the instant it names."""
        form = "no-zone" if "created-at-without-timezone" in self.faults else self.variants.created_at_form()
        first = all(held.id in self._history for held in self.store.live()) and not any(True for _ in self.store.all_deleted())
        if "created-at-leap-second" in self.variants and first:
            instant, leap = timestamps.LEAP_SECOND_BASE, True
        elif "created-at-second-60" in self.faults:  # second 60 in a minute that ends no UTC month
            instant, leap = timestamps.now().replace(second=59), True  # :59 is written :60, and ordered as written
            if rfc3339.is_date_time(timestamps.format_instant(instant, leap=True)):  # 23:59 on a month's last day
                instant -= timedelta(minutes=1)
        else:
            instant, leap = timestamps.now(), False
        segment.created_at = timestamps.format_instant(instant, form, leap=leap)
        # The instant as answered, not as measured: a filter or an order the client checks against
        # the created_at it was given must agree with it to the digit (created-at-kept-finer: not;
        # created-at-second-60 answers a text that names no instant: its key is what the text would be).
        if "created-at-kept-finer" in self.variants or "created-at-second-60" in self.faults:
            segment.key = timestamps.key_of(instant, leap=leap)
        else:
            segment.key = timestamps.parse_key(segment.created_at)

    def _over_cap(self, kind: str, body: dict[str, Any]) -> Answer | None:
        if kind == STATIC:
            customers = len(body.get("customers") or ())
            if customers > self._static_cap():
                details = f"A static segment can have at most {STATIC_CUSTOMER_CAP} customers, got {customers}"
                return self._error(400, "invalid_payload", "Invalid payload", details)
        counted = SEGMENT_TYPES if "cap-counts-static-segments" in self.faults else DYNAMIC_TYPES
        if kind in counted:
            held = self.store.count(counted, include_deleted="deleted-still-counted" in self.faults)
            held += 1 if self._unsettled_delete else 0
            if held >= self._dynamic_cap():
                details = (
                    f"Limit of {DYNAMIC_SEGMENT_CAP} auto-update and passive segments reached; "
                    "delete one to create another"
                )
                if "dynamic-cap-answers-403" in self.faults:
                    return self._error(403, "forbidden", "Forbidden", details)
                if "dynamic-cap-answers-401" in self.faults:
                    return self._error(401, "unauthorized", "Unauthorized", details)
                return self._error(400, "invalid_payload", "Invalid payload", details)
        return None

    def _static_cap(self) -> int:
        if "static-cap-20000-rejected" in self.faults:
            return STATIC_CUSTOMER_CAP - 1
        if "static-cap-20001-accepted" in self.faults:
            return STATIC_CUSTOMER_CAP + 1
        return STATIC_CUSTOMER_CAP

    def _dynamic_cap(self) -> int:
        if "dynamic-cap-50" in self.faults:
            return DYNAMIC_SEGMENT_CAP // 2
        return DYNAMIC_SEGMENT_CAP + 1 if "dynamic-cap-101" in self.faults else DYNAMIC_SEGMENT_CAP

    def _new_id(self) -> str:
        if "ids-repeat" in self.faults:
            return f"seg_{next(self._wrapping_ids) % 3:024d}"
        return self.store.unused_id(long="long-ids" in self.variants)

    def _stored_name(self, name: str) -> str:
        if "name-trimmed" in self.faults:
            name = name.strip()
        if "name-non-ascii-mangled" in self.faults:
            name = name.encode("ascii", "replace").decode("ascii")
        if "name-truncated-255" in self.faults:
            name = name[:255]
        if "name-normalised-nfc" in self.faults:
            name = unicodedata.normalize("NFC", name)
        return name

    def _stored_filter(self, kind: str, body: dict[str, Any]) -> dict[str, Any] | None:
        if kind in DYNAMIC_TYPES:
            return body.get("filter")  # None when the body has none (SEG-AMBIG-DYNAMIC-NO-FILTER)
        return {} if "static-filter-empty-object" in self.faults else None

    # --- get and delete ---------------------------------------------------------------------------

    def _get(self, segment_id: str) -> Answer:
        if "odd-id-answers-500" in self.faults and not PLAIN_ID.fullmatch(segment_id):
            return self._server_error(f"syntax error at or near \"{segment_id[:40]}\"")
        segment = self.store.get(segment_id)
        if segment is None and "soft-delete" in self.faults:
            segment = self.store.deleted(segment_id)
        if segment is None:
            return self._get_missing(segment_id)
        if (
            "get-404-while-syncing" in self.faults
            and segment.type in DYNAMIC_TYPES
            and time.monotonic() - segment.born < SYNC_SECONDS
        ):
            return self._not_found(segment_id)
        view: Any = self._segment_view(segment)
        if view["filter"] is None and "get-omits-null-filter" in self.faults:
            del view["filter"]
        if "get-created-at-without-millis" in self.faults:
            view["created_at"] = view["created_at"][:19] + view["created_at"][23:]
        if view.get("filter") and "get-expands-dotted-filter-keys" in self.faults:
            view["filter"] = _expand_dotted_keys(view["filter"])
        if "get-wraps-in-data" in self.faults:
            view = {"data": view}
        return self._json(200, view)

    def _get_missing(self, segment_id: str) -> Answer:
        if self.store.deleted(segment_id) is not None:
            if "get-deleted-answers-410" in self.faults:
                return self._error(410, "gone", "Resource gone", f"Segment {segment_id} was deleted")
        elif "get-unknown-answers-500" in self.faults:
            return self._server_error(f"Cannot read properties of null (segment {segment_id})")
        elif "get-unknown-answers-200" in self.faults:
            return self._json(200, None)
        elif "get-unknown-answers-placeholder" in self.faults:
            placeholder = Segment(segment_id, "", STATIC, None, "", customers=0)
            self._stamp(placeholder)
            return self._json(200, self._segment_view(placeholder))
        return self._not_found(segment_id)

    def _delete(self, segment_id: str) -> Answer:
        if "odd-id-answers-500" in self.faults and not PLAIN_ID.fullmatch(segment_id):
            return self._server_error(f"syntax error at or near \"{segment_id[:40]}\"")
        # Under soft-delete the removal is the same; only _get keeps finding the deleted segment.
        segment = self.store.remove(segment_id)
        if segment is not None:
            if "cap-freed-one-delete-late" in self.faults:
                self._unsettled_delete = segment.type in DYNAMIC_TYPES  # the one before is settled now
            if "delete-answers-200-with-body" in self.faults:
                return self._json(200, self._segment_view(segment))
            if "delete-204-with-body" in self.faults:
                headers = [("Content-Type", "application/json"), ("Content-Length", "15"), ("Connection", "close")]
                return Answer(204, STATUS_OK_BODY, headers)
            return self._no_content()
        if "delete-missing-answers-204" in self.faults:
            return self._no_content()
        if self._never_existed(segment_id) and "delete-unknown-answers-204" in self.faults:
            return self._no_content()
        if self.store.deleted(segment_id) is not None and "delete-tombstone-answers-204" in self.faults:
            return self._no_content()
        return self._not_found(segment_id)

    def _never_existed(self, segment_id: str) -> bool:
        return self.store.get(segment_id) is None and self.store.deleted(segment_id) is None

    def _no_content(self) -> Answer:
        answer = Answer(204)
        if "delete-204-body-late" in self.faults:
            answer.afterwards = (LATE_BODY_S, STATUS_OK_BODY)
        if "delete-content-length-zero" in self.variants:
            answer.set_header("Content-Length", "0")
        if "no-content-with-content-type" in self.variants:
            answer.set_header("Content-Type", "application/json")
        return answer

    # --- list -------------------------------------------------------------------------------------

    def _list(self, request: Request) -> Answer:
        rules = self.list_rules
        if "list-day-filters-refused" in self.faults and any(
                operator in key for key, _ in request.query_params.multi_items() for operator in DAY_OPERATORS):
            return self._error(400, "invalid_query", "Invalid query", "Unknown operator for filters[created_at]")
        if request.query_params.get("limit") == "1" and "list-limit-1-refused" in self.faults:
            return self._error(400, "invalid_query", "Invalid query", "Query parameter limit should be between 2 and 100")
        try:
            query = rules.parse(request.query_params.multi_items(), clamp="list-bad-params-accepted" in self.faults,
                                check_values="list-filter-values-unchecked" not in self.faults)
        except InvalidQuery as invalid:
            if invalid.problems > 1 and "list-query-problems-500" in self.faults:
                return self._server_error("TypeError: '<' not supported between instances of 'ValidationError'")
            if invalid.problems == 1 and "list-one-problem-500" in self.faults:
                return self._server_error("IndexError: list index out of range")
            if invalid.problems and "list-filter-value-500" in self.faults:
                return self._server_error("TypeError: 'NoneType' object is not iterable")
            if invalid.shape and "list-filter-shape-500" in self.faults:
                return self._server_error("KeyError: 'conditions'")
            return self._error(400, "invalid_query", "Invalid query", str(invalid))
        candidates = list(self.store.live())
        if "list-shows-deleted" in self.faults:
            candidates += [segment for segment in self.store.all_deleted() if self.store.get(segment.id) is None]
        if "list-misses-newest" in self.faults:
            newest = self.store.newest()
            candidates = [segment for segment in candidates if segment is not newest]
        order = query.order
        if "list-order-param-ignored" in self.faults:
            order = "-created_at"
        if "list-order-reversed" in self.faults:
            order = order[1:] if order.startswith("-") else "-" + order
        # Ties (same created_at) in creation order; under created-at-no-fraction, where whole
        # seconds make ties common, by id: the document orders by created_at and nothing else.
        tie_break = (lambda segment: segment.id) if "created-at-no-fraction" in self.variants else (
            lambda segment: segment.sequence
        )
        chosen = rules.select(
            _replace_order(query, order) if "list-created-at-has-value-empty" not in self.faults
            else dataclasses.replace(_replace_order(query, order), conditions=tuple(
                (field, "$is_unknown" if (field, operator) == ("created_at", "$has_value") else operator, value)
                for field, operator, value in query.conditions)),
            candidates,
            tie_break=tie_break,
            use_filters="list-filters-ignored" not in self.faults,
            ignored_operators=(NEGATIONS if "list-negations-ignored" in self.faults else ())
            + (DAY_OPERATORS if "list-day-filters-ignored" in self.faults else ()),
            misread_operators={operator: misread for fault, operator, misread in MISREAD_OPERATORS if fault in self.faults},
            sort_key=next((key for fault, key in FAULTY_SORT_KEYS.items() if fault in self.faults), None),
            read_bound=next((read for fault, read in FAULTY_BOUND_READERS.items() if fault in self.faults), timestamps.parse_key),
        )
        limit = LIST_DEFAULT_LIMIT_5 if "list-default-limit-5" in self.faults and not _names_limit(request) else query.limit
        page = chosen if "list-limit-ignored" in self.faults else chosen[:limit]
        # The vendor's schema declares the array as `segments` but requires `data`, and its example
        # answers `data` (with data_ref "data" naming it): a self-contradiction. We follow the
        # example, which also satisfies the schema's `required`; list-segments-key is the other reading.
        key = "segments" if "list-segments-key" in self.faults else "data"
        body = {"object": "list", "data_ref": "data", key: [self._segment_view(segment) for segment in page],
                "total": len(page) if "list-total-is-page-size" in self.faults else len(chosen)}
        return self._json(200, body)

    # --- views ------------------------------------------------------------------------------------

    def _segment_view(self, segment: Segment) -> dict[str, Any]:
        view: dict[str, Any] = {
            "id": segment.id,
            "name": segment.name,
            "created_at": segment.created_at,
        }
        if "updated-at" in self.variants:
            view["updated_at"] = segment.created_at
        if "updated-at-null" in self.variants:
            view["updated_at"] = None
        view["type"] = segment.type
        view["filter"] = segment.filter
        if segment.filter is not None and "filter-keys-reordered" in self.variants:
            view["filter"] = _reversed_keys(segment.filter)
        if "segment-extra-fields" in self.variants:
            view["metadata"] = {}
            view["customers_count"] = segment.customers
        view["object"] = "Segment" if "object-capitalised" in self.faults else "segment"
        return view

    def _create_view(self, segment: Segment) -> dict[str, Any]:
        """The Segment plus initial_sync_status, which the vendor shows on create only."""
        view = self._segment_view(segment)
        if segment.type == STATIC and "static-create-filter-empty-object" in self.faults:
            view["filter"] = {}
        if segment.type in DYNAMIC_TYPES and "dynamic-filter-not-echoed" in self.faults:
            view["filter"] = None
        if segment.type == "auto-update" and "auto-update-filter-not-echoed" in self.faults:
            view["filter"] = None
        if segment.type == "passive" and "passive-answered-as-auto-update" in self.faults:
            view["type"] = "auto-update"
        if "no-sync-status" not in self.variants:
            done = segment.type == STATIC and "static-sync-in-progress" not in self.faults
            done = done or (segment.type in DYNAMIC_TYPES and "dynamic-sync-done" in self.variants)
            view["initial_sync_status"] = "DONE" if done else "IN_PROGRESS"
        view["object"] = view.pop("object")  # keep the vendor's field order: object comes last
        return view

    # --- answers ----------------------------------------------------------------------------------

    def _authenticate(self, request: Request) -> Answer | None:
        app_id = request.headers.get("x-app-id")
        app_token = request.headers.get("x-app-token")
        if not app_id or not app_token:
            return self._error(401, "unauthorized", "Unauthorized", "Missing X-App-Id or X-App-Token header")
        if "wrong-token-accepted" in self.faults:
            return None
        # Starlette decodes header bytes as Latin-1, so encoding back gives the bytes sent.
        given = (app_id.encode("latin-1"), app_token.encode("latin-1"))
        id_matches = compare_digest(given[0], self._credentials[0])
        token_matches = compare_digest(given[1], self._credentials[1])
        if not (id_matches and token_matches):
            return self._error(401, "unauthorized", "Unauthorized", "Invalid X-App-Id or X-App-Token")
        return None

    def _rate_limit(self, method: str, template: str, operation: str) -> Answer | None:
        if operation in self._rate_limited or "429" not in self.contract.documented_statuses(method, template):
            return None
        self._rate_limited.add(operation)
        details = "Too many requests for this application; retry after 1 second"
        answer = self._error(429, "too_many_requests", "Too Many Requests", details)
        answer.set_header("Retry-After", "1")
        return answer

    def _invalid(self, invalid: InvalidBody) -> Answer:
        status = 422 if "invalid-body-422" in self.faults else 400
        key = "validation_error" if "invalid-body-wrong-key" in self.faults else "invalid_payload"
        return self._error(status, key, "Invalid payload", str(invalid))

    def _unsupported_media_type(self, content_type: str | None) -> Answer:
        accepted = ", ".join(self.create_rules.media_types)
        declared = f"Content-Type {content_type[:60]}" if content_type else "a body without Content-Type"
        details = f"{declared} is not supported; send {accepted}"
        if "media-type-answers-400" in self.faults:
            return self._error(400, "invalid_payload", "Invalid payload", details)
        return self._error(415, "unsupported_media_type", "Unsupported Media Type", details)

    def _not_found(self, segment_id: str) -> Answer:
        details = f"Cannot find segment with id {segment_id}"
        extra = {} if "not-found-minimal" in self.variants else {"resource_id": segment_id, "resource_type": "segment"}
        return self._error(404, "not_found", "Resource not found", details, **extra)

    def _allow(self, template: str, without: str | None = None) -> str:
        if "allow-lists-unsupported-methods" in self.faults:
            return EVERY_METHOD
        methods = set(self.contract.documented_methods(template)) - {without}
        if "allow-head-options" in self.variants or "allow-lists-head-options-refused" in self.faults:
            methods |= {"HEAD", "OPTIONS"} if "GET" in methods else {"OPTIONS"}
        return ", ".join(method for method in METHOD_ORDER if method in methods)

    def _method_not_allowed(self, request: Request, template: str, without: str | None = None) -> Answer:
        allowed = self._allow(template, without)
        details = f"Method {request.method} is not allowed on {request.url.path}; allowed: {allowed}"
        answer = self._error(405, "method_not_allowed", "Method not allowed", details)
        if "method-not-allowed-without-allow" not in self.faults:
            answer.set_header("Allow", allowed)
        return answer

    def _server_error(self, details: str) -> Answer:
        return self._error(500, "internal_error", "Internal server error", details)

    def _error(self, status: int, key: str, message: str, details: str, **extra: str) -> Answer:
        body = error_body(status, key, message, details, **extra)
        if "error-minimal" in self.variants:
            body = {"code": status, "message": message}
        if "error-nested-error" in self.variants:
            body["error"] = {"message": details}
        if "error-code-always-400" in self.faults:
            body["code"] = 400
        if "error-without-message" in self.faults:
            del body["message"]
        return self._json(status, body)

    def _json(self, status: int, body: Any) -> Answer:
        if "text-plain-content-type" in self.faults:
            content_type = "text/plain"
        elif "json-without-charset" in self.variants:
            content_type = "application/json"
        elif "json-charset-uppercase" in self.variants:
            content_type = "application/json;charset=UTF-8"
        else:
            content_type = JSON_CONTENT_TYPE
        if "segment-fields-reordered" in self.variants:
            body = _reorder_segments(body)
        data = json_bytes(body, pretty="pretty-json" in self.variants)
        if "json-with-byte-order-mark" in self.faults:
            data = UTF8_BOM + data
        return Answer(status, data, [("Content-Type", content_type)])

    def _finish(self, answer: Answer, request: Request) -> Answer:
        """What the wire variants add to every answer."""
        if answer.body is not None and answer.status == 200 and "chunked" in self.variants:
            answer.chunks = 2
        accept_encoding = request.headers.get("accept-encoding", "")
        if answer.status == 204 and "gzip-delete-500" in self.faults and _accepts_gzip(accept_encoding):
            answer = self._server_error("TypeError: memoryview: a bytes-like object is required, not 'NoneType'")
        if answer.body and ("gzip-ignores-identity" in self.faults or "gzip" in self.variants and _accepts_gzip(accept_encoding)):
            answer.body = gzip.compress(answer.body, mtime=0)
            answer.set_header("Content-Encoding", "gzip")
            answer.set_header("Vary", "Accept-Encoding")
        if answer.status == 401 and "www-authenticate" in self.variants:
            answer.set_header("WWW-Authenticate", 'ApiKey realm="segments", header="X-App-Token"')
        if "extra-headers" in self.variants:
            answer.set_header("X-Request-Id", f"v-{next(self._answered):018x}")
            answer.set_header("Cache-Control", "no-store")
            answer.set_header("X-Rate-Limit-Limit", "100000")
            answer.set_header("X-Rate-Limit-Remaining", str(max(1, 100000 - next(self._answered))))
        if "connection-close" in self.variants:
            answer.set_header("Connection", "close")
        return answer


def _served_operations(contract: Contract) -> dict[tuple[str, str], str]:
    served = {}
    for operation in contract.operations:
        route = (operation.method, operation.path)
        if route not in ROUTES:
            raise UnsupportedOperation(
                f"the mock cannot serve {operation.label} ({operation.operation_id}) of {contract.source}"
            )
        served[route] = ROUTES[route]
    return served


def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{([^}/]+)\}", template)
    pattern = "".join(f"(?P<{part}>[^/]+)" if index % 2 else re.escape(part) for index, part in enumerate(parts))
    return re.compile(pattern)


def _customers_id(customers: list[str] | None) -> str:
    digest = hashlib.sha256(json.dumps(sorted(customers or [])).encode("utf-8")).hexdigest()
    return "seg_" + digest[:24]


def _replace_order(query: ListQuery, order: str) -> ListQuery:
    return dataclasses.replace(query, order=order)


def _names_limit(request: Request) -> bool:
    return any(key == "limit" for key, _ in request.query_params.multi_items())


def _accepts_gzip(accept_encoding: str) -> bool:
    for item in accept_encoding.split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip().lower() in ("gzip", "x-gzip", "*"):
            quality = params.strip().lower().removeprefix("q=") if params.strip().lower().startswith("q=") else "1"
            try:
                return float(quality) > 0
            except ValueError:
                return False
    return False


def _reversed_keys(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _reversed_keys(node[key]) for key in reversed(list(node))}
    if isinstance(node, list):
        return [_reversed_keys(item) for item in node]
    return node


def _reorder_segments(body: Any) -> Any:
    """segment-fields-reordered: each Segment's fields last to first (object first, id last)."""
    if isinstance(body, dict) and body.get("object") == "list":
        return {key: [_reorder_segments(item) for item in value] if key in ("data", "segments") else value
                for key, value in body.items()}
    if isinstance(body, dict) and "id" in body and "created_at" in body:
        return {key: body[key] for key in reversed(list(body))}
    return body


def _expand_dotted_keys(filter_: dict[str, Any]) -> dict[str, Any]:
    """{"address.country": x} -> {"address": {"country": x}}, as a document store might."""
    expanded: dict[str, Any] = {}
    for key, value in filter_.items():
        *parents, leaf = key.split(".")
        node = expanded
        for parent in parents:
            if not isinstance(node.get(parent), dict):
                node[parent] = {}
            node = node[parent]
        node[leaf] = value
    return expanded
