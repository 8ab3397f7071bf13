"""Fault switches: named, small, realistic deviations of the mock, each breaking known requirements.

A fault proves a check can FAIL. `requirements` lists every requirement the fault breaks, read as
the catalogue words it, with one rule: a requirement whose precondition the fault already broke
is not tested, not failed (get-404-while-syncing breaks SEG-GET-200; the read-back of an answer
that never came is not judged). A fault that lists exactly one requirement is `exclusive`: it
breaks that requirement and no other, so it proves that check alone. tests/mock/test_bench.py
holds every fault to its list on the wire, and the correct mock and every legal variant
(variants.py) to no finding at all.

Names are kebab-case and stable: scripts and CI jobs refer to them (`conformance mock --fault`).
Where a fault acts, app.py tests `"name" in faults`; `ActiveFaults` rejects unknown names there,
so a misspelt check fails loudly instead of never firing. A fault that needs an operation the
document does not have (the list faults without GET /v1/segments) is refused, not silently idle.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from conformance.mock.variants import VARIANTS, Variant  # noqa: F401 - re-exported: `faults.VARIANTS`


@dataclass(frozen=True)
class Fault:
    name: str
    requirements: tuple[str, ...]
    description: str
    operation: str | None = None  # the operationId the fault needs in the document, if any

    @property
    def exclusive(self) -> bool:
        """True when the fault breaks exactly one requirement: the proof of that check alone."""
        return len(self.requirements) == 1


# MUST and SHOULD requirements no fault can break alone, and why. Each still has faults that break
# it together with others.
NO_EXCLUSIVE_FAULT: dict[str, str] = {
    "SEG-SEGMENT-OBJECT": (
        "implied by SEG-SEGMENT-SCHEMA: the Segment schema's object enum is [segment], so an object "
        "other than \"segment\" (or none) is a schema violation too"
    ),
    "SEG-SEGMENT-CREATED-AT": (
        "implied by SEG-SEGMENT-SCHEMA: created_at is required with format date-time, judged by the "
        "same RFC 3339 reading"
    ),
    "SEG-405-ALLOW": (
        "SEG-METHOD-405's text names the Allow header too (its scenario checks it), so a 405 without a "
        "fitting Allow breaks both; exclusive once SEG-METHOD-405 leaves the header to it"
    ),
    "SEG-OPERATION-SERVED": (
        "an operation not served answers 405 (or a 404 on its path), a status the operation does "
        "not document, so SEG-STATUS-DOCUMENTED breaks too, and the operation's own requirements "
        "with it (delete's); exclusive only if SEG-STATUS-DOCUMENTED left routing to it"
    ),
}


def _fault(name: str, requirements: str, description: str, operation: str | None = None) -> Fault:
    return Fault(name, tuple(requirements.split()), description, operation)


LIST = "list-segment"

FAULTS: dict[str, Fault] = {
    fault.name: fault
    for fault in (
        # --- create -------------------------------------------------------------------------------
        _fault(
            "create-answers-201",
            "SEG-CREATE-STATIC-200 SEG-CREATE-AUTOUPDATE-200 SEG-CREATE-PASSIVE-200"
            " SEG-STATUS-DOCUMENTED SEG-CAP-STATIC-20000",
            "create answers 201 Created instead of the documented 200",
        ),
        _fault(
            "static-filter-empty-object",
            "SEG-CREATE-STATIC-200 SEG-GET-READBACK",
            "a static segment is stored and answered with filter {} instead of null",
        ),
        _fault(
            "static-create-filter-empty-object",
            "SEG-CREATE-STATIC-200",
            "create's answer for a static segment says filter {} (the serializer's default);"
            " the segment is stored with filter null and get answers null",
        ),
        _fault(
            "dynamic-filter-not-echoed",
            "SEG-CREATE-AUTOUPDATE-200 SEG-CREATE-PASSIVE-200",
            "create answers filter null for auto-update and passive segments (get still has it)",
        ),
        _fault(
            "auto-update-filter-not-echoed",
            "SEG-CREATE-AUTOUPDATE-200",
            "create answers filter null for an auto-update segment while its first sync runs"
            " (passive ones are echoed; get has the filter)",
        ),
        _fault(
            "static-empty-customers-refused",
            "SEG-CREATE-STATIC-200",
            "a static create with customers [] answers 400, though the schema sets no minimum on the array",
        ),
        _fault(
            "passive-refused-400",
            "SEG-CREATE-PASSIVE-200 SEG-CAP-DYNAMIC-100",
            "a valid passive create answers 400 (passive segments not enabled) while auto-update creates"
            " succeed: where the run cannot see the account, only the accepted sibling shows the cap was not full",
        ),
        _fault(
            "passive-stored-as-auto-update",
            "SEG-CREATE-PASSIVE-200 SEG-GET-READBACK",
            "a passive segment is stored and answered as type auto-update",
        ),
        _fault(
            "passive-answered-as-auto-update",
            "SEG-CREATE-PASSIVE-200",
            "create's answer says type auto-update for a passive segment (a wrong enum mapping in"
            " the create serializer); it is stored, read back and counted as passive",
        ),
        _fault(
            "name-trimmed",
            "SEG-CREATE-NAME-ECHO",
            "leading and trailing whitespace is stripped from the name",
        ),
        _fault(
            "name-non-ascii-mangled",
            "SEG-CREATE-NAME-ECHO SEG-GET-READBACK",
            "every non-ASCII character of the name is stored and answered as '?'",
        ),
        _fault(
            "name-normalised-nfc",
            "SEG-CREATE-NAME-ECHO",
            "names are stored in Unicode normalisation form NFC: a decomposed 'e' + U+0301 comes back"
            " as one composed character",
        ),
        _fault(
            "name-truncated-255",
            "SEG-CREATE-NAME-ECHO SEG-GET-READBACK",
            "names longer than 255 characters are cut to 255",
        ),
        _fault(
            "static-sync-in-progress",
            "SEG-CREATE-SYNC-STATUS",
            "a static segment is answered with initial_sync_status IN_PROGRESS instead of DONE",
        ),
        _fault(
            "any-media-type-accepted",
            "SEG-CREATE-MEDIA-TYPE-415",
            "create parses the body as JSON whatever its Content-Type (text/plain, form, multipart,"
            " none) and creates the segment",
        ),
        _fault(
            "media-type-answers-400",
            "SEG-CREATE-MEDIA-TYPE-415",
            "a create body declared other than application/json answers 400 invalid_payload"
            " instead of 415, and creates nothing",
        ),
        # --- the Segment object -------------------------------------------------------------------
        _fault(
            "object-capitalised",
            "SEG-SEGMENT-OBJECT SEG-SEGMENT-SCHEMA SEG-LIST-SCHEMA",
            'every Segment carries object "Segment" instead of "segment"',
        ),
        _fault(
            "created-at-without-timezone",
            "SEG-SEGMENT-CREATED-AT SEG-SEGMENT-SCHEMA SEG-LIST-SCHEMA",
            "created_at is a local date-time with no Z or offset",
        ),
        _fault(
            "created-at-second-60",
            "SEG-SEGMENT-CREATED-AT SEG-SEGMENT-SCHEMA SEG-LIST-SCHEMA",
            "created_at is written with second 60 in an ordinary minute (2026-12-07T10:15:60.123Z): a leap"
            " second only ends a UTC month",
        ),
        _fault(
            "ids-repeat",
            "SEG-ID-UNIQUE SEG-CAP-DYNAMIC-100 SEG-LIST-TOTAL",
            "ids come from a counter that wraps after 3, so the 4th segment reuses (and replaces)"
            " the 1st; the cap then never fills, and a list counts 3 at most",
        ),
        _fault(
            "static-id-from-customers",
            "SEG-ID-UNIQUE",
            "a static segment's id is a hash of its customer list, so static segments with the"
            " same customers share one id (get answers the newest, delete removes them all)",
        ),
        # --- get ----------------------------------------------------------------------------------
        _fault(
            "get-omits-null-filter",
            "SEG-SEGMENT-SCHEMA",
            "get leaves filter out of the Segment when it is null (static segments)",
        ),
        _fault(
            "get-wraps-in-data",
            "SEG-GET-200 SEG-SEGMENT-SCHEMA SEG-SEGMENT-OBJECT SEG-SEGMENT-CREATED-AT"
            " SEG-GET-READBACK",
            'get answers {"data": Segment} instead of the Segment itself',
        ),
        _fault(
            "get-404-while-syncing",
            "SEG-GET-200",
            "get of an auto-update or passive segment answers 404 while its first sync runs"
            " (2 seconds after create); static segments are readable at once",
        ),
        _fault(
            "get-created-at-without-millis",
            "SEG-GET-READBACK",
            "get answers created_at without its milliseconds, unlike create",
        ),
        _fault(
            "get-expands-dotted-filter-keys",
            "SEG-GET-READBACK",
            'get answers filter keys such as "address.country" as nested objects',
        ),
        _fault(
            "get-unknown-answers-500",
            "SEG-GET-404 SEG-NO-5XX",
            "get of an id that never existed answers 500",
        ),
        _fault(
            "get-unknown-answers-200",
            "SEG-GET-404 SEG-SEGMENT-SCHEMA",
            "get of an id that never existed answers 200 with a null body",
        ),
        _fault(
            "get-unknown-answers-placeholder",
            "SEG-GET-404",
            "get of an id that never existed answers 200 with an empty static segment of that id"
            " (a read-through cache that fills misses with defaults)",
        ),
        _fault(
            "get-deleted-answers-410",
            "SEG-DELETE-GONE SEG-STATUS-DOCUMENTED",
            "get of a deleted segment answers 410 Gone instead of 404",
        ),
        _fault(
            "odd-id-answers-500",
            "SEG-NO-5XX",
            "get and delete of an id with a character other than letters, digits, '_' and '-'"
            " answer 500 (the id goes unescaped into a query)",
        ),
        # --- delete -------------------------------------------------------------------------------
        _fault(
            "delete-answers-200-with-body",
            "SEG-DELETE-204-EMPTY SEG-STATUS-DOCUMENTED",
            "delete answers 200 with the deleted Segment instead of 204 with no body",
        ),
        _fault(
            "delete-204-with-body",
            "SEG-DELETE-204-EMPTY",
            "delete answers 204 with Content-Length: 15 and 15 body bytes ({\"status\":\"ok\"}),"
            " then closes the connection (a client that trusts the 204 never sees them)",
        ),
        _fault(
            "delete-204-body-late",
            "SEG-DELETE-204-EMPTY",
            "delete answers a clean 204 (no Content-Length, kept alive), then writes 15 body bytes"
            " ({\"status\":\"ok\"}) on the connection 20 ms later, if no request used it since: the"
            " start of whatever answer the client reads next there",
        ),
        _fault(
            "soft-delete",
            "SEG-DELETE-GONE",
            "delete answers 204 and only marks the segment: get still answers 200",
        ),
        _fault(
            "delete-tombstone-answers-204",
            "SEG-DELETE-TWICE-404",
            "a second delete of the same id answers 204 again",
        ),
        _fault(
            "delete-missing-answers-204",
            "SEG-DELETE-404 SEG-DELETE-TWICE-404",
            "delete of any missing id (never created or already deleted) answers 204",
        ),
        _fault(
            "delete-unknown-answers-204",
            "SEG-DELETE-404",
            "delete of an id that never existed answers 204 (deleted ids still answer 404)",
        ),
        _fault(
            "delete-not-served",
            "SEG-OPERATION-SERVED SEG-DELETE-204-EMPTY SEG-DELETE-404 SEG-STATUS-DOCUMENTED",
            "DELETE /v1/segments/{segmentId} answers 405 with Allow: GET, as if undocumented",
        ),
        # --- invalid requests and errors ----------------------------------------------------------
        _fault(
            "name-coerced-to-string",
            "SEG-VALIDATION-4XX",
            "a name that is not a string (123, true, [...]) is stored as its JSON text",
        ),
        _fault(
            "invalid-body-422",
            "SEG-VALIDATION-400 SEG-STATUS-DOCUMENTED",
            "an invalid or malformed create body answers 422 instead of 400",
        ),
        _fault(
            "invalid-body-wrong-key",
            "SEG-VALIDATION-400",
            "an invalid or malformed create body answers 400 with key validation_error instead of"
            " invalid_payload",
        ),
        _fault(
            "malformed-json-500",
            "SEG-NO-5XX SEG-VALIDATION-4XX",
            "a create body that is not JSON answers 500",
        ),
        _fault(
            "type-container-500",
            "SEG-NO-5XX SEG-VALIDATION-4XX",
            "a create whose type is a JSON array or object answers 500 (an unhashable value looked up in"
            " the set of types); a number, boolean or null still answers 400",
        ),
        _fault(
            "long-name-500",
            "SEG-NO-5XX SEG-CREATE-STATIC-200",
            "a name longer than 1000 characters answers 500",
        ),
        _fault(
            "error-without-message",
            "SEG-ERROR-OBJECT",
            "Error objects leave out the required message",
        ),
        _fault(
            "error-code-always-400",
            "SEG-ERROR-CODE-STATUS",
            "every Error object says code 400 whatever the status (401, 404, ...)",
        ),
        _fault(
            "text-plain-content-type",
            "SEG-JSON-CONTENT-TYPE",
            "JSON bodies are declared Content-Type text/plain",
        ),
        _fault(
            "unauthenticated-create-stores",
            "SEG-AUTH-NO-EFFECT",
            "a create with bad credentials answers 401 and stores the segment anyway (as static)",
        ),
        _fault(
            "invalid-refused-but-stored",
            "SEG-VALIDATION-4XX",
            "an invalid create body that names a segment answers 400 and is stored anyway (as static)",
        ),
        _fault(
            "media-type-refused-but-stored",
            "SEG-CREATE-MEDIA-TYPE-415",
            "a create body declared other than application/json answers 415 and is stored anyway (as static)",
        ),
        _fault(
            "json-with-byte-order-mark",
            "SEG-JSON-CONTENT-TYPE",
            "every JSON body starts with a UTF-8 byte order mark (which Python's json.loads and"
            " many clients skip, and RFC 8259 section 8.1 forbids on the wire)",
        ),
        _fault(
            "unsupported-method-answers-404",
            "SEG-METHOD-405",
            "a method a documented path does not support answers 404 (an Error object) instead of 405",
        ),
        _fault(
            "method-not-allowed-without-allow",
            "SEG-METHOD-405 SEG-405-ALLOW",
            "405 answers carry no Allow header",
        ),
        _fault(
            "gzip-ignores-identity",
            "SEG-CONTENT-CODING",
            "every answer with a body is gzip-compressed (Content-Encoding: gzip), even to a request that"
            " accepts only identity",
        ),
        _fault(
            "gzip-delete-500",
            "SEG-NO-5XX SEG-DELETE-204-EMPTY",
            "a delete sent with Accept-Encoding: gzip answers 500 (the empty 204 fed to the compressor);"
            " with identity, 204",
        ),
        _fault(
            "allow-lists-head-options-refused",
            "SEG-405-ALLOW SEG-METHOD-405",
            "every Allow also lists HEAD (where GET is documented) and OPTIONS, which themselves answer 405"
            " (the allow-head-options variant's header without its service)",
        ),
        _fault(
            "allow-lists-unsupported-methods",
            "SEG-METHOD-405 SEG-405-ALLOW",
            "405 answers carry Allow: GET, POST, PUT, PATCH, DELETE on every path (a framework"
            " default), naming methods that answer 405 themselves",
        ),
        # --- caps ---------------------------------------------------------------------------------
        _fault(
            "static-cap-20000-rejected",
            "SEG-CAP-STATIC-20000",
            "the static cap is off by one: 20,000 customers are rejected",
        ),
        _fault(
            "static-cap-20001-accepted",
            "SEG-CAP-STATIC-20001",
            "the static cap is off by one: 20,001 customers are accepted",
        ),
        _fault(
            "dynamic-cap-101",
            "SEG-CAP-DYNAMIC-100",
            "the auto-update and passive cap is off by one: a 101st segment is accepted",
        ),
        _fault(
            "dynamic-cap-50",
            "SEG-CAP-DYNAMIC-100",
            "the auto-update and passive cap is 50, not 100: the 51st is refused (a cap judged from one"
            " side, \"a refusal came\", passes it)",
        ),
        _fault(
            "dynamic-cap-answers-401",
            "SEG-CAP-DYNAMIC-100",
            "a create past the 100 auto-update and passive segments answers 401 (a documented status, but one"
            " that says the credentials are wrong: RFC 9110 section 15.5.2) instead of 400",
        ),
        _fault(
            "dynamic-cap-answers-403",
            "SEG-STATUS-DOCUMENTED",
            "a create past the 100 auto-update and passive segments answers 403 Forbidden"
            " (an Error object, code 403) instead of the documented 400",
        ),
        _fault(
            "cap-counts-static-segments",
            "SEG-CAP-STATIC-NOT-COUNTED",
            "the 100 cap counts static segments too and applies to static creates",
        ),
        _fault(
            "deleted-still-counted",
            "SEG-CAP-DYNAMIC-100 SEG-CAP-DELETE-FREES SEG-CREATE-AUTOUPDATE-200 SEG-CREATE-PASSIVE-200",
            "deleted auto-update and passive segments still count toward the 100 cap: once 100"
            " were created, no other ever is",
        ),
        _fault(
            "cap-freed-one-delete-late",
            "SEG-CAP-DELETE-FREES",
            "the cap counter settles each delete when the next delete arrives, so the slot a"
            " delete frees comes back one delete late",
        ),
        # --- authentication -----------------------------------------------------------------------
        _fault(
            "wrong-token-accepted",
            "SEG-AUTH-401",
            "only the presence of X-App-Id and X-App-Token is checked, not their values",
        ),
        _fault(
            "auth-only-on-create",
            "SEG-AUTH-401 SEG-AUTH-FIRST",
            "credentials are checked on POST only; get, delete and list answer without them",
        ),
        _fault(
            "validation-before-auth",
            "SEG-AUTH-FIRST",
            "an invalid create body answers 400 before credentials are checked",
        ),
        _fault(
            "lookup-before-auth",
            "SEG-AUTH-FIRST",
            "get and delete of an unknown id answer 404 before credentials are checked",
        ),
        _fault(
            "unauthenticated-delete-deletes",
            "SEG-AUTH-NO-EFFECT",
            "delete without valid credentials deletes the segment, then answers 401",
        ),
        # --- list (documents with GET /v1/segments) ------------------------------------------------
        _fault(
            "list-not-served",
            "SEG-OPERATION-SERVED SEG-STATUS-DOCUMENTED",
            "GET /v1/segments answers 405 with Allow: POST although the document has list-segment",
            LIST,
        ),
        _fault(
            "list-segments-key",
            "SEG-LIST-SCHEMA",
            'the list answers its array under "segments" (the vendor schema\'s property) instead of'
            ' "data" (its required field and its example)',
            LIST,
        ),
        _fault(
            "list-limit-ignored",
            "SEG-LIST-LIMIT",
            "the list answers every matching segment whatever the limit (and 10 is no default)",
            LIST,
        ),
        _fault(
            "list-order-param-ignored",
            "SEG-LIST-ORDER",
            "the list is always newest first: order=created_at is ignored",
            LIST,
        ),
        _fault(
            "list-order-reversed",
            "SEG-LIST-ORDER",
            "the list reads order backwards: oldest first by default and for -created_at",
            LIST,
        ),
        _fault(
            "list-total-is-page-size",
            "SEG-LIST-TOTAL",
            "the list's total counts the page (what limit let through), not the segments the query matches",
            LIST,
        ),
        _fault(
            "list-default-limit-5",
            "SEG-LIST-LIMIT",
            "with no limit, the list answers 5 segments instead of 10 (a limit given is honoured)",
            LIST,
        ),
        _fault(
            "list-negations-ignored",
            "SEG-LIST-FILTERS",
            "the negating operators ($is_not, $not_in, $not_contain) keep every segment",
            LIST,
        ),
        _fault(
            "list-shows-deleted",
            "SEG-LIST-DELETED",
            "deleted segments are still listed (and counted in total)",
            LIST,
        ),
        _fault(
            "list-misses-newest",
            "SEG-LIST-CREATED",
            "the list reads a replica one write behind: the segment created last is missing"
            " (and not counted in total)",
            LIST,
        ),
        _fault(
            "list-limit-1-refused",
            "SEG-LIST-LIMIT",
            "limit=1, the lower end of the documented 1-100, answers 400 (the range read as exclusive there)",
            LIST,
        ),
        _fault(
            "list-has-value-read-as-is",
            "SEG-LIST-FILTERS",
            'the presence operator $has_value (whose value is the empty string) is read as $is "": it keeps nothing',
            LIST,
        ),
        _fault(
            "list-after-read-as-before",
            "SEG-LIST-FILTERS",
            "created_at $after is read as $before: it keeps the segments created before the instant",
            LIST,
        ),
        _fault(
            "list-day-filters-refused",
            "SEG-LIST-FILTERS",
            "created_at $more_than and $less_than (days before now, integers in the document) answer 400",
            LIST,
        ),
        _fault(
            "list-day-filters-ignored",
            "SEG-LIST-FILTERS",
            "created_at $more_than and $less_than are accepted and not applied: they keep every segment",
            LIST,
        ),
        _fault(
            "list-created-at-has-value-empty",
            "SEG-LIST-FILTERS",
            "created_at $has_value matches nothing (read as $is_unknown); on the other fields it still works",
            LIST,
        ),
        _fault(
            "list-filters-ignored",
            "SEG-LIST-FILTERS SEG-LIST-TOTAL",
            "the filters query is ignored (ids, limit and order still apply), so total counts every segment",
            LIST,
        ),
        _fault(
            "list-sorted-by-time-of-day",
            "SEG-LIST-ORDER",
            "the list sorts by created_at's time of day, the date left out of the key; the account holds"
            " someone else's segments from 2022, 2024 and 2025 (so the run's own, created the same day,"
            " still come in order)",
            LIST,
        ),
        _fault(
            "list-order-ignores-seconds",
            "SEG-LIST-ORDER",
            "the list sorts by created_at's hour and fraction, its minutes and seconds left out of the key",
            LIST,
        ),
        _fault(
            "list-bound-offset-ignored",
            "SEG-LIST-FILTERS",
            "a created_at bound's offset is ignored: 10:00:00-05:30 is read as 10:00:00Z",
            LIST,
        ),
        _fault(
            "list-bound-without-fraction-500",
            "SEG-NO-5XX SEG-LIST-FILTERS",
            "a created_at bound with no fraction digits (2000-01-01T00:00:00Z) answers 500",
            LIST,
        ),
        _fault(
            "list-query-problems-500",
            "SEG-NO-5XX",
            "a filters query with more than one problem its schema finds answers 500 (the problems sorted"
            " as objects that do not compare); with one problem, 400",
            LIST,
        ),
        _fault(
            "list-one-problem-500",
            "SEG-NO-5XX",
            "a filters query with exactly one problem its schema finds answers 500 (the message built from a"
            " second problem that is not there); with two or more, 400",
            LIST,
        ),
        _fault(
            "list-filter-value-500",
            "SEG-NO-5XX",
            "a filters query with any value its schema refuses (a type not in the enum, a created_at bound"
            " that is no date-time) answers 500",
            LIST,
        ),
        _fault(
            "list-filter-shape-500",
            "SEG-NO-5XX",
            "a filter field not followed by [conditions] (filters[name][foo]=1), or [conditions] given a"
            " plain value (filters[name][conditions]=x), answers 500",
            LIST,
        ),
        _fault(
            "list-filter-values-unchecked",
            "SEG-LIST-QUERY-400",
            "filter values outside the filters schema (a type not in its enum) are used as given, answered"
            " 200 (a type $is \"dynamic\" matches nothing) instead of 400",
            LIST,
        ),
        _fault(
            "list-bad-params-accepted",
            "SEG-LIST-LIMIT-RANGE",
            "a limit outside 1-100 is clamped and an unknown order falls back to the default,"
            " answered 200 instead of 400",
            LIST,
        ),
    )
}


# Legal variants under which a fault cannot show, and why. Every other (fault, variant) pair must
# still be detected: a check that only works on the default shape of the answer is not proven.
CONTRADICTIONS: dict[tuple[str, str], str] = {
    ("static-sync-in-progress", "no-sync-status"): "the variant leaves out the field the fault sets",
    ("delete-204-body-late", "connection-close"): "the variant closes every connection after its answer, so nothing can follow a 204 later",
    ("allow-lists-head-options-refused", "allow-head-options"): "the variant serves the HEAD and OPTIONS the fault lists",
    ("list-after-read-as-before", "created-at-no-fraction"): (
        "whole seconds leave two segments created a moment apart no instant between them that a server"
        " keeping finer instants than it shows must honour, so the $after case is not judged"
    ),
}


def fault_variant_pairs() -> list[tuple[str, str]]:
    """Every (fault, legal variant) the fault matrix combines: all but the CONTRADICTIONS."""
    return [(fault, variant) for fault in FAULTS for variant in VARIANTS if (fault, variant) not in CONTRADICTIONS]


def faults_breaking(requirement_id: str) -> list[Fault]:
    """The faults built to break `requirement_id` (empty for OBSERVE requirements)."""
    return [fault for fault in FAULTS.values() if requirement_id in fault.requirements]


def exclusive_faults(requirement_id: str) -> list[Fault]:
    """The faults that break `requirement_id` and nothing else."""
    return [fault for fault in faults_breaking(requirement_id) if fault.exclusive]


def faults_for(operation_ids: Iterable[str]) -> list[Fault]:
    """The faults that apply to a document with these operations."""
    available = set(operation_ids)
    return [fault for fault in FAULTS.values() if fault.operation is None or fault.operation in available]


class UnknownFault(ValueError):
    """A fault name that is not in FAULTS."""


class FaultNotApplicable(ValueError):
    """A fault that needs an operation the document does not have (one line, for the CLI)."""


class ActiveFaults:
    """The faults switched on for one mock; `"name" in faults` asks whether one is on."""

    def __init__(self, names: Iterable[str] = (), operation_ids: Iterable[str] | None = None) -> None:
        names = frozenset(names)
        unknown = sorted(names - FAULTS.keys())
        if unknown:
            raise UnknownFault(f"unknown fault {unknown[0]!r}")
        if operation_ids is not None:
            available = set(operation_ids)
            for name in sorted(names):
                needed = FAULTS[name].operation
                if needed is not None and needed not in available:
                    raise FaultNotApplicable(
                        f"fault {name!r} needs operation {needed}, which the document does not have"
                    )
        self._names = names

    def __contains__(self, name: str) -> bool:
        if name not in FAULTS:  # a typo in app.py must not silently switch a fault off
            raise UnknownFault(f"unknown fault {name!r}")
        return name in self._names

    def __iter__(self):
        return iter(sorted(self._names))
