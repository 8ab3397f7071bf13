"""The mock Segments API as an ASGI app (Starlette): routes and the order of judgement.

The order is the contract's: credentials first (on every path, known or not), then the method,
then the body or the id, then the caps. Faults (faults.py) bend single steps; every place where a
fault acts is one `if "name" in self.faults` line, so searching for a fault's name finds it.

State lives in memory. Handlers are `async def` and never await between reading the store and
changing it, so on the one event loop each create or delete is atomic and needs no lock.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable
from secrets import compare_digest
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from conformance import contract
from conformance.mock.faults import ActiveFaults
from conformance.mock.responses import JSON_CONTENT_TYPE, error_body, json_bytes
from conformance.mock.store import (
    DYNAMIC_TYPES,
    SEGMENT_TYPES,
    STATIC,
    Segment,
    SegmentStore,
    utc_timestamp,
)
from conformance.mock.validation import InvalidBody, check_create_body, parse_json, segment_type

STATIC_CUSTOMER_CAP = 20_000  # seed 000: customers per static segment
DYNAMIC_SEGMENT_CAP = 100  # seed 000: auto-update and passive segments existing at once
COLLECTION_METHODS = ("POST",)
ITEM_METHODS = ("GET", "HEAD", "DELETE")
LONG_NAME = 1000  # long-name-500: as if names went into a VARCHAR(1000) column


def create_app(app_id: str, app_token: str, faults: Iterable[str] = ()) -> Starlette:
    """The mock as an ASGI app that accepts exactly these credentials, with `faults` switched on.

    Raises faults.UnknownFault for a name that is not in faults.FAULTS.
    """
    mock = SegmentsMock(app_id, app_token, ActiveFaults(faults))
    app = Starlette(
        routes=[
            Route(contract.CREATE_PATH, _EveryMethod(mock.collection)),
            Route("/v1/segments/{segment_id}", _EveryMethod(mock.item)),
            Route("/{path:path}", _EveryMethod(mock.unknown_path)),
        ]
    )
    app.router.redirect_slashes = False  # /v1/segments/ is an unknown path, not a redirect
    app.state.mock = mock
    return app


class _EveryMethod:
    """An endpoint for every method: Starlette's own 405 is plain text, not an Error object."""

    def __init__(self, handler) -> None:
        self._handler = handler

    async def __call__(self, scope, receive, send) -> None:
        response = await self._handler(Request(scope, receive))
        await response(scope, receive, send)


class SegmentsMock:
    def __init__(self, app_id: str, app_token: str, faults: ActiveFaults) -> None:
        self._credentials = (app_id.encode("utf-8"), app_token.encode("utf-8"))
        self.faults = faults
        self.store = SegmentStore()
        self._wrapping_ids = itertools.count(1)

    # --- routes -----------------------------------------------------------------------------------

    async def collection(self, request: Request) -> Response:
        if "validation-before-auth" in self.faults and request.method == "POST":
            judged = self._judge(await request.body())
            if isinstance(judged, Response):
                return judged
        denied = self._authenticate(request)
        if denied is not None:
            return denied
        if request.method != "POST":
            return self._method_not_allowed(request, COLLECTION_METHODS)
        return self._create(await request.body())

    async def item(self, request: Request) -> Response:
        segment_id = request.path_params["segment_id"]
        method = request.method
        unknown = self.store.get(segment_id) is None
        if method in ITEM_METHODS and unknown and "lookup-before-auth" in self.faults:
            return self._not_found(segment_id)
        if "auth-only-on-create" not in self.faults:
            denied = self._authenticate(request)
            if denied is not None:
                if method == "DELETE" and "unauthenticated-delete-deletes" in self.faults:
                    self.store.remove(segment_id)
                return denied
        if method in ("GET", "HEAD"):  # uvicorn drops the body of a HEAD answer
            return self._get(segment_id)
        if method == "DELETE":
            return self._delete(segment_id)
        return self._method_not_allowed(request, ITEM_METHODS)

    async def unknown_path(self, request: Request) -> Response:
        denied = self._authenticate(request)
        if denied is not None:
            return denied
        details = f"No route matches {request.method} {request.url.path}"
        return self._error(404, "not_found", "Resource not found", details)

    # --- create -----------------------------------------------------------------------------------

    def _create(self, raw: bytes) -> Response:
        judged = self._judge(raw)
        if isinstance(judged, Response):
            return judged
        body = judged
        if "long-name-500" in self.faults and len(body["name"]) > LONG_NAME:
            return self._server_error("value too long for column name")
        kind = segment_type(body)
        refused = self._over_cap(kind, body)
        if refused is not None:
            return refused
        if kind == "passive" and "passive-stored-as-auto-update" in self.faults:
            kind = "auto-update"
        segment = Segment(
            id=self._new_id(),
            name=self._stored_name(body["name"]),
            type=kind,
            filter=self._stored_filter(kind, body),
            created_at=utc_timestamp(with_zone="created-at-without-timezone" not in self.faults),
        )
        self.store.add(segment)
        status = 201 if "create-answers-201" in self.faults else 200
        return self._json(status, self._create_view(segment))

    def _judge(self, raw: bytes) -> dict[str, Any] | Response:
        """The create body if it is valid, else the answer that rejects it."""
        try:
            body = parse_json(raw)
        except InvalidBody as invalid:
            if "malformed-json-500" in self.faults:
                return self._server_error("Unexpected token in JSON")
            return self._invalid(invalid)
        name = body.get("name") if isinstance(body, dict) else None
        if (
            name is not None
            and not isinstance(name, str)
            and "name-coerced-to-string" in self.faults
        ):
            body["name"] = json.dumps(name)
        try:
            check_create_body(body)
        except InvalidBody as invalid:
            return self._invalid(invalid)
        return body

    def _over_cap(self, kind: str, body: dict[str, Any]) -> Response | None:
        if kind == STATIC:
            customers = len(body.get("customers") or ())
            if customers > self._static_cap():
                details = (
                    f"A static segment can have at most {STATIC_CUSTOMER_CAP} customers, "
                    f"got {customers}"
                )
                return self._error(400, "invalid_payload", "Invalid payload", details)
        counted = SEGMENT_TYPES if "cap-counts-static-segments" in self.faults else DYNAMIC_TYPES
        if kind in counted:
            include_deleted = "deleted-still-counted" in self.faults
            if self.store.count(counted, include_deleted=include_deleted) >= self._dynamic_cap():
                details = (
                    f"Limit of {DYNAMIC_SEGMENT_CAP} auto-update and passive segments reached; "
                    "delete one to create another"
                )
                return self._error(400, "invalid_payload", "Invalid payload", details)
        return None

    def _static_cap(self) -> int:
        if "static-cap-20000-rejected" in self.faults:
            return STATIC_CUSTOMER_CAP - 1
        if "static-cap-20001-accepted" in self.faults:
            return STATIC_CUSTOMER_CAP + 1
        return STATIC_CUSTOMER_CAP

    def _dynamic_cap(self) -> int:
        return DYNAMIC_SEGMENT_CAP + 1 if "dynamic-cap-101" in self.faults else DYNAMIC_SEGMENT_CAP

    def _new_id(self) -> str:
        if "ids-repeat" in self.faults:
            return f"seg_{next(self._wrapping_ids) % 3:024d}"
        return self.store.unused_id()

    def _stored_name(self, name: str) -> str:
        if "name-trimmed" in self.faults:
            name = name.strip()
        if "name-non-ascii-mangled" in self.faults:
            name = name.encode("ascii", "replace").decode("ascii")
        if "name-truncated-255" in self.faults:
            name = name[:255]
        return name

    def _stored_filter(self, kind: str, body: dict[str, Any]) -> dict[str, Any] | None:
        if kind in DYNAMIC_TYPES:
            return body.get("filter")  # None when the body has none (SEG-AMBIG-DYNAMIC-NO-FILTER)
        return {} if "static-filter-empty-object" in self.faults else None

    # --- get and delete ---------------------------------------------------------------------------

    def _get(self, segment_id: str) -> Response:
        segment = self.store.get(segment_id)
        if segment is None and "soft-delete" in self.faults:
            segment = self.store.deleted(segment_id)
        if segment is None:
            return self._get_missing(segment_id)
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

    def _get_missing(self, segment_id: str) -> Response:
        if self.store.deleted(segment_id) is not None:
            if "get-deleted-answers-410" in self.faults:
                return self._error(
                    410, "gone", "Resource gone", f"Segment {segment_id} was deleted"
                )
        elif "get-unknown-answers-500" in self.faults:
            return self._server_error(f"Cannot read properties of null (segment {segment_id})")
        elif "get-unknown-answers-200" in self.faults:
            return self._json(200, None)
        return self._not_found(segment_id)

    def _delete(self, segment_id: str) -> Response:
        # Under soft-delete the removal is the same; only _get keeps finding the deleted segment.
        segment = self.store.remove(segment_id)
        if segment is not None:
            if "delete-answers-200-with-body" in self.faults:
                return self._json(200, self._segment_view(segment))
            return Response(status_code=204)
        if "delete-missing-answers-204" in self.faults:
            return Response(status_code=204)
        if (
            self.store.deleted(segment_id) is not None
            and "delete-tombstone-answers-204" in self.faults
        ):
            return Response(status_code=204)
        return self._not_found(segment_id)

    # --- views ------------------------------------------------------------------------------------

    def _segment_view(self, segment: Segment) -> dict[str, Any]:
        return {
            "id": segment.id,
            "name": segment.name,
            "created_at": segment.created_at,
            "type": segment.type,
            "filter": segment.filter,
            "object": "Segment" if "object-capitalised" in self.faults else "segment",
        }

    def _create_view(self, segment: Segment) -> dict[str, Any]:
        """The Segment plus initial_sync_status, which the vendor shows on create only."""
        view = self._segment_view(segment)
        if segment.type in DYNAMIC_TYPES and "dynamic-filter-not-echoed" in self.faults:
            view["filter"] = None
        done = segment.type == STATIC and "static-sync-in-progress" not in self.faults
        view["initial_sync_status"] = "DONE" if done else "IN_PROGRESS"
        view["object"] = view.pop("object")  # keep the vendor's field order: object comes last
        return view

    # --- answers ----------------------------------------------------------------------------------

    def _authenticate(self, request: Request) -> Response | None:
        app_id = request.headers.get("x-app-id")
        app_token = request.headers.get("x-app-token")
        if not app_id or not app_token:
            details = "Missing X-App-Id or X-App-Token header"
            return self._error(401, "unauthorized", "Unauthorized", details)
        if "wrong-token-accepted" in self.faults:
            return None
        # Starlette decodes header bytes as Latin-1, so encoding back gives the bytes sent.
        given = (app_id.encode("latin-1"), app_token.encode("latin-1"))
        id_matches = compare_digest(given[0], self._credentials[0])
        token_matches = compare_digest(given[1], self._credentials[1])
        if not (id_matches and token_matches):
            details = "Invalid X-App-Id or X-App-Token"
            return self._error(401, "unauthorized", "Unauthorized", details)
        return None

    def _invalid(self, invalid: InvalidBody) -> Response:
        status = 422 if "invalid-body-422" in self.faults else 400
        return self._error(status, "invalid_payload", "Invalid payload", str(invalid))

    def _not_found(self, segment_id: str) -> Response:
        details = f"Cannot find segment with id {segment_id}"
        extra = {"resource_id": segment_id, "resource_type": "segment"}
        return self._error(404, "not_found", "Resource not found", details, **extra)

    def _method_not_allowed(self, request: Request, allowed: tuple[str, ...]) -> Response:
        methods = ", ".join(allowed)
        headers = None if "method-not-allowed-without-allow" in self.faults else {"Allow": methods}
        details = (
            f"Method {request.method} is not allowed on {request.url.path}; allowed: {methods}"
        )
        return self._error(
            405, "method_not_allowed", "Method not allowed", details, headers=headers
        )

    def _server_error(self, details: str) -> Response:
        return self._error(500, "internal_error", "Internal server error", details)

    def _error(
        self,
        status: int,
        key: str,
        message: str,
        details: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: str,
    ) -> Response:
        body = error_body(status, key, message, details, **extra)
        if "error-code-always-400" in self.faults:
            body["code"] = 400
        if "error-without-message" in self.faults:
            del body["message"]
        return self._json(status, body, headers)

    def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
        media_type = "text/plain" if "text-plain-content-type" in self.faults else JSON_CONTENT_TYPE
        return Response(
            json_bytes(body), status_code=status, headers=headers, media_type=media_type
        )


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
