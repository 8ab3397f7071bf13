"""Legal variants: ways of answering that the contract allows and some checker raises a false alarm on.

A fault proves that a check can FAIL; a variant proves that it does not fail a server that is
right. Each variant is a name, what the mock then does, and why that is legal (the contract or
the RFC that allows it). tests/mock/test_bench.py holds every variant to no finding at all, and
checks that each answers what its description says. Variants are switched on like faults
(`conformance mock --variant NAME`, `MockServer(variants=[...])`) and combine freely, except two
of one `group` (two created_at forms, two Content-Types), which are refused.

A variant may be legal only under some revisions of the document (`legal_under`): asking for it
under another is refused with the reason, never served as if it were legal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conformance.contract import Contract


@dataclass(frozen=True)
class Variant:
    name: str
    description: str  # what the mock then answers
    legal_because: str  # the contract or RFC text that allows it
    group: str | None = None  # at most one variant of a group at a time
    legal_under: Callable[[Contract], str | None] | None = None  # None, or why it is not legal there

    def illegal_under(self, contract: Contract) -> str | None:
        return self.legal_under(contract) if self.legal_under is not None else None


def _updated_at_nullable(contract: Contract) -> str | None:
    try:
        schema = contract.schema("#/components/schemas/Segment")
    except (KeyError, TypeError, ValueError):
        return "the document has no Segment schema"
    updated_at = schema.get("properties", {}).get("updated_at")
    if not isinstance(updated_at, dict):
        return "the document's Segment does not declare updated_at"
    if updated_at.get("nullable") is not True:
        return "the document's Segment.updated_at is not nullable (the vendor's July list example has null)"
    return None


CREATED_AT = "created-at"
CONTENT_TYPE = "content-type"

VARIANTS: dict[str, Variant] = {
    variant.name: variant
    for variant in (
        # --- created_at: every RFC 3339 form --------------------------------------------------------
        Variant(
            "created-at-leap-second",
            "the first segment created gets created_at 2016-12-31T23:59:60Z (the last leap second),"
            " the same on create, get and list, and ordered after 23:59:59",
            "RFC 3339 section 5.6 (time-second 00-60) and 5.7 (leap seconds); section 5.8 gives"
            " 1990-12-31T23:59:60Z as an example. Segment.created_at is format date-time.",
        ),
        Variant(
            "created-at-utc-offset",
            "created_at ends in +00:00 instead of Z (2022-09-13T08:57:15.801+00:00)",
            "RFC 3339 section 5.6: time-offset = \"Z\" / time-numoffset; section 4.3: +00:00 is UTC.",
            CREATED_AT,
        ),
        Variant(
            "created-at-negative-offset",
            "created_at is local time at -05:30 (2022-09-13T03:27:15.801-05:30), the same instant",
            "RFC 3339 section 5.6 (time-numoffset) and 4.2 (local offsets). The vendor's text says"
            " ISO 8601; nothing requires UTC.",
            CREATED_AT,
        ),
        Variant(
            "created-at-no-fraction",
            "created_at has whole seconds (2022-09-13T08:57:15Z); segments created in the same"
            " second tie, and the list orders ties by id, not by creation",
            "RFC 3339 section 5.6: time-secfrac is optional. The list orders by created_at only;"
            " the order of ties is not documented.",
            CREATED_AT,
        ),
        Variant(
            "created-at-microseconds",
            "created_at has 6 fraction digits (2022-09-13T08:57:15.801234Z)",
            "RFC 3339 section 5.6: time-secfrac = \".\" 1*DIGIT, any number of digits.",
            CREATED_AT,
        ),
        Variant(
            "created-at-lowercase",
            "created_at uses lowercase t and z (2022-09-13t08:57:15.801z)",
            "RFC 3339 section 5.6, NOTE: \"T\" and \"Z\" may alternatively be lower case.",
            CREATED_AT,
        ),
        Variant(
            "created-at-kept-finer",
            "the list's order and created_at filters use the instant as measured (microseconds),"
            " finer than the created_at shown (milliseconds): a segment shown at .123Z is after"
            " $after=...123Z",
            "the list's created_at filter says only \"Value is after this date\"; nothing ties the"
            " stored instant to the digits created_at shows (RFC 3339 section 5.6 leaves the"
            " fraction's length free).",
        ),
        # --- the Segment and the Error object -----------------------------------------------------
        Variant(
            "segment-extra-fields",
            "every Segment also carries metadata {} and customers_count (the customers sent)",
            "the Segment schema does not forbid other properties (no additionalProperties: false;"
            " OpenAPI 3.0 section 4.7.24 follows JSON Schema, where they are allowed).",
        ),
        Variant(
            "segment-fields-reordered",
            "Segment fields come in another order (object first, id last)",
            "RFC 8259 section 4: an object is an unordered collection of members.",
        ),
        Variant(
            "filter-keys-reordered",
            "filter keys are answered in reverse order, at every level (junction last)",
            "RFC 8259 section 4: an object is unordered; the filter is the same object.",
        ),
        Variant(
            "updated-at",
            "every Segment carries updated_at, equal to created_at",
            "seed 000: Segment.updated_at is declared (string, format date-time) and optional.",
        ),
        Variant(
            "updated-at-null",
            "every Segment carries updated_at: null, as in the vendor's July list example",
            "only where the document declares updated_at nullable: the vendor's July list example"
            " carries null, its schema says string (a contradiction the overlay must settle).",
            legal_under=_updated_at_nullable,
        ),
        Variant(
            "no-sync-status",
            "create's answer has no initial_sync_status",
            "initial_sync_status is not in the vendor's Segment schema; the overlay declares it"
            " without requiring it; SEG-CREATE-SYNC-STATUS applies only when it is present.",
        ),
        Variant(
            "dynamic-sync-done",
            "an auto-update or passive segment is answered initial_sync_status DONE",
            "the catalogue's SEG-CREATE-SYNC-STATUS accepts DONE or IN_PROGRESS for auto-update and"
            " passive segments (seed 000 shows IN_PROGRESS; a sync may finish at once).",
        ),
        Variant(
            "long-ids",
            "ids are seg_ and 40 characters of letters, digits, '-' and '_' (one of each mark at least)",
            "the document types Segment.id and the segmentId parameter string with no pattern or maxLength;"
            " '-' and '_' are unreserved in a URI path (RFC 3986 section 2.3).",
        ),
        Variant(
            "error-minimal",
            "every Error object is only code and message",
            "the Error schema requires only code and message; key, details, request_id, resource_id"
            " and resource_type are optional (SEG-VALIDATION-400's key applies when a key is sent).",
        ),
        Variant(
            "not-found-minimal",
            "404 Error objects carry no resource_id and no resource_type",
            "the Error schema leaves resource_id and resource_type optional (the vendor's examples"
            " show them; its schema does not require them).",
        ),
        Variant(
            "error-nested-error",
            "every Error object also carries error: {message: <details>}",
            "the July revision declares Error.error {message}; the bundled one does not forbid it.",
        ),
        # --- the wire -----------------------------------------------------------------------------
        Variant(
            "json-without-charset",
            "JSON answers say Content-Type: application/json, without a charset",
            "RFC 8259 section 11: application/json defines no charset parameter; JSON is UTF-8"
            " (section 8.1).",
            CONTENT_TYPE,
        ),
        Variant(
            "json-charset-uppercase",
            "JSON answers say Content-Type: application/json;charset=UTF-8 (no space, upper case)",
            "RFC 9110 section 8.3.1: whitespace around ';' is optional and the charset value is"
            " case-insensitive.",
            CONTENT_TYPE,
        ),
        Variant(
            "pretty-json",
            "JSON answers are indented, end in a newline, and escape non-ASCII as \\uXXXX"
            " (\\ud83c\\udf89 for an emoji)",
            "RFC 8259 section 2 (insignificant whitespace) and section 7 (any character may be"
            " escaped; surrogate pairs above the BMP).",
        ),
        Variant(
            "chunked",
            "every 200 is sent with Transfer-Encoding: chunked (no Content-Length), in two chunks",
            "RFC 9112 section 6.1 and 7.1: chunked framing of a response of unknown length.",
        ),
        Variant(
            "gzip",
            "answers with a body are gzip-compressed (Content-Encoding: gzip, Vary: Accept-Encoding)"
            " when the request's Accept-Encoding allows gzip",
            "RFC 9110 section 8.4 and 12.5.3: a content coding the client said it accepts; the"
            " media type stays application/json.",
        ),
        Variant(
            "connection-close",
            "every answer says Connection: close and the connection is closed after it",
            "RFC 9112 section 9.6: a server may close after any response, saying so.",
        ),
        Variant(
            "extra-headers",
            "every answer carries X-Request-Id, Cache-Control: no-store and the vendor's"
            " X-Rate-Limit-Limit / X-Rate-Limit-Remaining (never 0)",
            "the document declares no response headers, which does not forbid any (OpenAPI 3.0"
            " Response Object: headers maps the ones documented).",
        ),
        Variant(
            "no-content-with-content-type",
            "the 204 of a delete carries Content-Type: application/json (and no body)",
            "RFC 9110 section 8.3 sets no rule against Content-Type without content; section 15.3.5:"
            " a 204 has no content, which this one has not.",
        ),
        Variant(
            "delete-content-length-zero",
            "the 204 of a delete carries Content-Length: 0",
            "tolerated, not RFC-legal: RFC 9110 section 8.6 forbids Content-Length on a 204, but"
            " 0 announces the empty body the contract asks for; the catalogue's reading accepts it.",
        ),
        Variant(
            "account-with-history",
            "the account already holds three static segments of someone else's, created in 2022, 2024"
            " and 2025 (times of day 08:57, 00:00 and 23:59), listed and counted like any other",
            "the document lists every segment of the project (list-segment); an account is rarely"
            " empty. The suite reads them and touches nothing it did not create.",
        ),
        Variant(
            "www-authenticate",
            "every 401 carries WWW-Authenticate: ApiKey realm=\"segments\", header=\"X-App-Token\"",
            "RFC 9110 section 11.6.1 and 15.5.2: a 401 MUST carry a challenge; the document"
            " declares no headers on 401, which does not forbid one.",
        ),
        Variant(
            "allow-head-options",
            "HEAD is served wherever GET is, OPTIONS answers 204 with Allow, and every Allow also"
            " lists HEAD (where GET is documented) and OPTIONS",
            "RFC 9110 section 9.1 (servers support GET and HEAD), 9.3.7 (OPTIONS), 10.2.1 (Allow"
            " lists the methods the resource supports, which these are).",
        ),
        Variant(
            "rate-limited-first",
            "the first authenticated request of each operation that documents 429 is answered 429"
            " with Retry-After: 1 and the Error object; the retry is served",
            "the overlay documents 429 (with Retry-After, integer seconds) on create, get and"
            " delete; RFC 6585 section 4 and RFC 9110 section 10.2.3. Nothing was processed.",
        ),
    )
}


class UnknownVariant(ValueError):
    """A variant name that is not in VARIANTS."""


class VariantNotLegal(ValueError):
    """A variant the document does not allow, or two of one group (one line, for the CLI)."""


class ActiveVariants:
    """The variants switched on for one mock; `"name" in variants` asks whether one is on."""

    def __init__(self, names: Iterable[str] = (), contract: Contract | None = None) -> None:
        names = frozenset(names)
        unknown = sorted(names - VARIANTS.keys())
        if unknown:
            raise UnknownVariant(f"unknown variant {unknown[0]!r}")
        groups: dict[str, str] = {}
        for name in sorted(names):
            group = VARIANTS[name].group
            if group is not None and group in groups:
                raise VariantNotLegal(f"variants {groups[group]!r} and {name!r} both set the {group}; choose one")
            if group is not None:
                groups[group] = name
            if contract is not None:
                reason = VARIANTS[name].illegal_under(contract)
                if reason is not None:
                    raise VariantNotLegal(f"variant {name!r} is not legal under this document: {reason}")
        self._names = names

    def __contains__(self, name: str) -> bool:
        if name not in VARIANTS:  # a typo in app.py must not silently switch a variant off
            raise UnknownVariant(f"unknown variant {name!r}")
        return name in self._names

    def __iter__(self):
        return iter(sorted(self._names))

    def created_at_form(self) -> str:
        for name in self._names:
            if VARIANTS[name].group == CREATED_AT:
                return name.removeprefix("created-at-")
        return "vendor"
