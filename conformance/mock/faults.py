"""Fault switches: named, small, realistic deviations of the mock from one requirement each.

Our own tests run the suite against the mock with one fault switched on and expect the
requirements the fault names to fail: that is how we know each check can fail. `requirements`
lists the requirement ids the fault is built to break (they must fail whenever the behaviour is
exercised); other requirements may fail too as a side effect, but are not promised.

Names are kebab-case and stable: scripts and CI jobs refer to them (`conformance mock --fault`).
Where a fault acts, app.py tests `"name" in faults`; `ActiveFaults` rejects unknown names there,
so a misspelt check fails loudly instead of never firing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Fault:
    name: str
    requirements: tuple[str, ...]
    description: str


def _fault(name: str, requirements: str, description: str) -> Fault:
    return Fault(name, tuple(requirements.split()), description)


FAULTS: dict[str, Fault] = {
    fault.name: fault
    for fault in (
        # --- create -------------------------------------------------------------------------------
        _fault(
            "create-answers-201",
            "SEG-CREATE-STATIC-200 SEG-CREATE-AUTOUPDATE-200 SEG-CREATE-PASSIVE-200"
            " SEG-STATUS-DOCUMENTED",
            "create answers 201 Created instead of the documented 200",
        ),
        _fault(
            "static-filter-empty-object",
            "SEG-CREATE-STATIC-200",
            "a static segment is stored and answered with filter {} instead of null",
        ),
        _fault(
            "dynamic-filter-not-echoed",
            "SEG-CREATE-AUTOUPDATE-200 SEG-CREATE-PASSIVE-200",
            "create answers filter null for auto-update and passive segments (get still has it)",
        ),
        _fault(
            "passive-stored-as-auto-update",
            "SEG-CREATE-PASSIVE-200",
            "a passive segment is stored and answered as type auto-update",
        ),
        _fault(
            "name-trimmed",
            "SEG-CREATE-NAME-ECHO",
            "leading and trailing whitespace is stripped from the name",
        ),
        _fault(
            "name-non-ascii-mangled",
            "SEG-CREATE-NAME-ECHO",
            "every non-ASCII character of the name is stored and answered as '?'",
        ),
        _fault(
            "name-truncated-255",
            "SEG-CREATE-NAME-ECHO",
            "names longer than 255 characters are cut to 255",
        ),
        _fault(
            "static-sync-in-progress",
            "SEG-CREATE-SYNC-STATUS",
            "a static segment is answered with initial_sync_status IN_PROGRESS instead of DONE",
        ),
        # --- the Segment object -------------------------------------------------------------------
        _fault(
            "object-capitalised",
            "SEG-SEGMENT-OBJECT SEG-SEGMENT-SCHEMA",
            'every Segment carries object "Segment" instead of "segment"',
        ),
        _fault(
            "created-at-without-timezone",
            "SEG-SEGMENT-CREATED-AT SEG-SEGMENT-SCHEMA",
            "created_at is a local date-time with no Z or offset",
        ),
        _fault(
            "ids-repeat",
            "SEG-ID-UNIQUE",
            "ids come from a counter that wraps after 3, so the 4th segment reuses the 1st id",
        ),
        # --- get ----------------------------------------------------------------------------------
        _fault(
            "get-omits-null-filter",
            "SEG-SEGMENT-SCHEMA",
            "get leaves filter out of the Segment when it is null (static segments)",
        ),
        _fault(
            "get-wraps-in-data",
            "SEG-GET-200 SEG-SEGMENT-SCHEMA",
            'get answers {"data": Segment} instead of the Segment itself',
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
            "SEG-GET-404",
            "get of an id that never existed answers 200 with a null body",
        ),
        _fault(
            "get-deleted-answers-410",
            "SEG-DELETE-GONE SEG-STATUS-DOCUMENTED",
            "get of a deleted segment answers 410 Gone instead of 404",
        ),
        # --- delete -------------------------------------------------------------------------------
        _fault(
            "delete-answers-200-with-body",
            "SEG-DELETE-204-EMPTY SEG-STATUS-DOCUMENTED",
            "delete answers 200 with the deleted Segment instead of 204 with no body",
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
            "malformed-json-500",
            "SEG-NO-5XX SEG-VALIDATION-4XX",
            "a create body that is not JSON answers 500",
        ),
        _fault(
            "long-name-500",
            "SEG-NO-5XX",
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
            "method-not-allowed-without-allow",
            "SEG-METHOD-405",
            "405 answers carry no Allow header",
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
            "cap-counts-static-segments",
            "SEG-CAP-STATIC-NOT-COUNTED",
            "the 100 cap counts static segments too and applies to static creates",
        ),
        _fault(
            "deleted-still-counted",
            "SEG-CAP-DELETE-FREES",
            "deleted auto-update and passive segments still count toward the 100 cap",
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
            "credentials are checked on POST only; get and delete answer without them",
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
    )
}


def faults_breaking(requirement_id: str) -> list[Fault]:
    """The faults built to break `requirement_id` (empty for OBSERVE requirements)."""
    return [fault for fault in FAULTS.values() if requirement_id in fault.requirements]


class UnknownFault(ValueError):
    """A fault name that is not in FAULTS."""


class ActiveFaults:
    """The faults switched on for one mock; `"name" in faults` asks whether one is on."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        names = frozenset(names)
        unknown = sorted(names - FAULTS.keys())
        if unknown:
            raise UnknownFault(f"unknown fault {unknown[0]!r}")
        self._names = names

    def __contains__(self, name: str) -> bool:
        if name not in FAULTS:  # a typo in app.py must not silently switch a fault off
            raise UnknownFault(f"unknown fault {name!r}")
        return name in self._names
