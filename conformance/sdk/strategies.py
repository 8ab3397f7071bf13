"""Hypothesis strategies for what the contract allows a server to answer and a client to send.

Written from the effective document by hand: hypothesis-jsonschema 0.23.1 (the latest) fails on
hypothesis 6.170 (`'many' object has no attribute 'more'` in from_object_schema), and a generic
generator would not aim at the forms that matter to a client anyway (every RFC 3339 form, dotted
filter keys, values the schema leaves open). Every value generated here validates against the
contract (tests/sdk/test_strategies.py checks it over many examples), leap seconds by RFC 3339
(see values.segment_errors). `segments` draws what a real server sends (the MUST requirements);
`open_value_segments` and `date_time_edge_segments` what only the contract allows (SHOULDs).

Segments come in aspects: one part of the Segment varies over everything the contract allows
while the rest stays ordinary, so a finding's minimal example shows one cause. "any" varies all.
Each strategy shrinks towards the plainest value (the vendor's own example where there is one).
"""

from __future__ import annotations

import string
from datetime import date
from typing import Any

from hypothesis import strategies as st

SEGMENT_TYPES = ("static", "auto-update", "passive")
DYNAMIC_TYPES = ("auto-update", "passive")
SYNC_STATUSES = ("DONE", "IN_PROGRESS")  # the vendor's examples; the contract allows any string

# UTC days that ended with a leap second (IERS Bulletin C), for 23:59:60 that really happened.
LEAP_SECOND_DAYS = (
    "1972-06-30", "1972-12-31", "1973-12-31", "1979-12-31", "1981-06-30", "1982-06-30",
    "1983-06-30", "1985-06-30", "1987-12-31", "1989-12-31", "1990-12-31", "1992-06-30",
    "1993-06-30", "1994-06-30", "1995-12-31", "1997-06-30", "1998-12-31", "2005-12-31",
    "2008-12-31", "2012-06-30", "2015-06-30", "2016-12-31",
)

# --- RFC 3339 date-times ---------------------------------------------------------------------------

_two = "{:02d}".format


@st.composite
def _offsets(draw) -> str:
    kind = draw(st.sampled_from(["Z", "+00:00", "z", "-00:00", "numeric"]))
    if kind != "numeric":
        return kind
    sign = draw(st.sampled_from("+-"))
    return f"{sign}{_two(draw(st.integers(0, 23)))}:{_two(draw(st.sampled_from([0, 30, 45]) | st.integers(0, 59)))}"


_fractions = st.one_of(
    st.sampled_from(["", ".000", ".801"]),  # none, and the vendor's milliseconds
    st.text(string.digits, min_size=1, max_size=6).map(lambda digits: "." + digits),  # up to microseconds
)
# More than six fraction digits: RFC 3339, but no server of this API writes them (SDK-DATETIME-EDGES).
# The sixth digit is never 0, so a client that loses digits within the microsecond shows it here as
# another instant within the microsecond (SDK-ROUNDTRIP-LOSSLESS's), not as an edge's loss.
_long_fractions = st.builds(lambda head, sixth, tail: f".{head}{sixth}{tail}", st.text(string.digits, min_size=5, max_size=5),
                            st.integers(1, 9), st.text(string.digits, min_size=1, max_size=3))


@st.composite
def rfc3339_date_times(draw, *, ordinary: bool = False, edges: bool = False) -> str:
    """An RFC 3339 date-time as servers write them: Z, z, +00:00, -00:00 or any numeric offset; no
    fraction or 1-6 fraction digits; T or t. `ordinary`: the vendor's form only
    (2022-09-13T08:57:15.801Z), the date and time varying. `edges`: only the forms no server of
    this API writes: a real leap second, or 7-9 fraction digits (SDK-DATETIME-EDGES)."""
    day = draw(st.dates(min_value=date(1970, 1, 1), max_value=date(2099, 12, 31)))
    clock = f"{_two(draw(st.integers(0, 23)))}:{_two(draw(st.integers(0, 59)))}:{_two(draw(st.integers(0, 59)))}"
    if ordinary:
        return f"{day.isoformat()}T{clock}.{draw(st.integers(0, 999)):03d}Z"
    separator = draw(st.sampled_from("Tt"))
    if edges:
        if draw(st.booleans()):  # a leap second, on a day that had one, in UTC
            return f"{draw(st.sampled_from(LEAP_SECOND_DAYS))}{separator}23:59:60{draw(_fractions)}{draw(st.sampled_from(['Z', 'z', '+00:00']))}"
        return f"{day.isoformat()}{separator}{clock}{draw(_long_fractions)}{draw(_offsets())}"
    return f"{day.isoformat()}{separator}{clock}{draw(_fractions)}{draw(_offsets())}"


# --- names, ids, filters ---------------------------------------------------------------------------

NON_ASCII = "Zażółć gęślą jaźń ÄÖÜß ĳ ﬁ 日本語 中文 한국어 עברית العربية ελληνικά кириллица 🎉👩‍💻 \u00a0\u200d"

names = st.one_of(
    st.text(string.ascii_letters + string.digits + " -_", max_size=30),
    st.text(NON_ASCII, min_size=1, max_size=40),
    st.text(max_size=60),  # any Unicode scalar value hypothesis draws (no lone surrogates: JSON text is UTF-8)
    st.text(NON_ASCII + string.ascii_letters, min_size=256, max_size=1200),  # long names
)

segment_ids = st.one_of(
    st.text(string.ascii_letters + string.digits, min_size=24, max_size=24).map(lambda tail: "seg_" + tail),
    st.text(max_size=40),
)

customer_ids = st.text(string.ascii_letters + string.digits, min_size=1, max_size=24).map(lambda tail: "cust_" + tail)

# Numbers a JSON peer can carry exactly (RFC 8259 section 6): integers within 2**53, finite floats.
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)

# Keys a filter has in the vendor's examples (seed 000), dotted ones included, and any other key.
FILTER_KEYS = ("junction", "created_at", "birthdate", "address.country", "metadata.club_level", "metadata.a.b.c")
filter_keys = st.sampled_from(FILTER_KEYS) | st.text(max_size=20) | st.builds(
    lambda parts: ".".join(parts), st.lists(st.text(string.ascii_lowercase + "_$", min_size=1, max_size=8), min_size=2, max_size=4)
)
_conditions = st.fixed_dictionaries(
    {"conditions": st.dictionaries(st.sampled_from(["$is", "$in", "$after", "$next_month", "$gt"]) | st.text(max_size=8), json_values, min_size=1, max_size=3)}
)
filters = st.one_of(
    st.just({"junction": "and", "created_at": {"conditions": {"$after": ["2021-12-01T00:00:00.000Z"]}}}),
    st.dictionaries(filter_keys, _conditions | json_values, max_size=5),
)

# Members the Segment schema does not declare (it allows them: no additionalProperties: false).
UNKNOWN_FIELD_NAMES = ("customers_count", "metadata", "updated_by", "sync_error", "Name", "ID")
unknown_field_names = st.sampled_from(UNKNOWN_FIELD_NAMES) | st.text(min_size=1, max_size=16)

# --- Segments --------------------------------------------------------------------------------------

ASPECTS = ("created_at", "updated_at", "name", "filter", "initial_sync_status", "unknown_fields", "any")


@st.composite
def segments(draw, aspect: str = "any", declared: frozenset[str] | None = None) -> dict[str, Any]:
    """A Segment the contract allows a server to answer (create or get), varying `aspect`;
    `declared`: the members the run's document declares (the bundled one's when None), which an
    unknown member never is."""
    if aspect not in ASPECTS:
        raise ValueError(f"unknown aspect {aspect!r}; one of {ASPECTS}")
    varies = lambda name: aspect in (name, "any")  # noqa: E731
    kind = draw(st.sampled_from(SEGMENT_TYPES))
    if varies("filter"):
        segment_filter = draw(st.none() | filters)
    else:
        segment_filter = None if kind == "static" else {"junction": "and"}
    segment = {
        "id": draw(segment_ids if aspect == "any" else st.just("seg_vC8iOSCqUG02EsPzsHynLv8i")),
        "name": draw(names if varies("name") else st.just("Customers in a new Segment")),
        "created_at": draw(rfc3339_date_times(ordinary=not varies("created_at"))),
        "type": kind,
        "filter": segment_filter,
        "object": "segment",
    }
    if varies("updated_at") and (aspect == "updated_at" or draw(st.booleans())):
        segment["updated_at"] = draw(rfc3339_date_times())
    if varies("initial_sync_status") and (aspect == "initial_sync_status" or draw(st.booleans())):
        segment["initial_sync_status"] = draw(st.sampled_from(SYNC_STATUSES))
    if varies("unknown_fields"):
        if declared is None:
            from conformance.sdk.values import declared_segment_fields

            declared = declared_segment_fields()
        extra = draw(st.dictionaries(unknown_field_names.filter(lambda key: key not in declared), json_values,
                                     min_size=1 if aspect == "unknown_fields" else 0, max_size=3))
        segment.update(extra)
    return segment


@st.composite
def open_value_segments(draw) -> dict[str, Any]:
    """The vendor's Segment with initial_sync_status any string (the contract has no enum for it:
    SDK-RESPONSE-OPEN-VALUES)."""
    status = draw(st.sampled_from(("FAILED", "PENDING", "")) | st.text(max_size=20))
    return {**vendor_segment(), "initial_sync_status": status}


@st.composite
def date_time_edge_segments(draw) -> dict[str, Any]:
    """The vendor's Segment with created_at or updated_at in a form no server of this API writes
    (a leap second, 7-9 fraction digits: SDK-DATETIME-EDGES)."""
    member = draw(st.sampled_from(("created_at", "updated_at")))
    return {**vendor_segment(), member: draw(rfc3339_date_times(edges=True))}


DATE_TIME_EDGES = ("2016-12-31T23:59:60Z", "2022-09-13T08:57:15.123456789Z", "2000-01-01T00:00:00.0000011Z")
OPEN_VALUES = ("FAILED", "PENDING", "")


def vendor_segment() -> dict[str, Any]:
    """seed 000, create's 200 example "Static"."""
    return {
        "id": "seg_vC8iOSCqUG02EsPzsHynLv8i",
        "name": "Customers in a new Segment",
        "created_at": "2022-09-13T08:57:15.801Z",
        "type": "static",
        "filter": None,
        "initial_sync_status": "DONE",
        "object": "segment",
    }


def edge_segments() -> list[dict[str, Any]]:
    """One Segment per form a real server sends and clients trip on: each the vendor's example with
    one thing changed, so that each is its own minimal example. Run before anything generated.
    The forms only the contract allows are DATE_TIME_EDGES and OPEN_VALUES."""
    base = vendor_segment()
    edges = [
        {**base, "created_at": "2022-09-13T08:57:15.123456Z"},  # six fraction digits
        {**base, "created_at": "2022-09-13t08:57:15.801z"},  # lowercase t and z (RFC 3339 5.6 note)
        {**base, "created_at": "2022-09-13T03:27:15.801-05:30"},  # a negative offset
        {**base, "created_at": "2022-09-13T08:57:15Z"},  # no fraction
        {**base, "initial_sync_status": "IN_PROGRESS"},
        {**base, "updated_at": "2022-10-03T12:24:58.008Z"},  # the optional field present
        {**base, "customers_count": 2},  # a member the schema does not declare
        {**base, "name": "Zażółć 日本語 🎉"},  # non-ASCII
        {**base, "name": "Customers in a new Segment " * 40},  # long
        {**base, "type": "auto-update", "filter": {"junction": "and", "metadata.club_level": {"conditions": {"$in": ["Gold"]}}}},
    ]
    without_sync = dict(base)
    del without_sync["initial_sync_status"]  # get answers carry no initial_sync_status
    return [without_sync, *edges]


# --- Error objects ---------------------------------------------------------------------------------

ERROR_KEYS = {400: "invalid_payload", 401: "unauthorized", 404: "not_found", 429: "too_many_requests"}


@st.composite
def errors(draw, status: int) -> dict[str, Any]:
    """An Error object the contract allows with `status` (code equal to it, as the vendor does)."""
    # message: never empty in the vendor's answers (its Error schema describes it as the human-readable reason)
    body: dict[str, Any] = {"code": status, "message": draw(st.sampled_from(["Invalid payload", "Unauthorized", "Resource not found"]) | st.text(min_size=1, max_size=40))}
    optional = {
        "key": st.just(ERROR_KEYS.get(status, "error")) | st.text(max_size=20),
        "details": st.text(max_size=80) | st.text(NON_ASCII, max_size=40),
        "request_id": st.text(string.ascii_lowercase + string.digits + "-", max_size=24),
        "resource_id": segment_ids,
        "resource_type": st.just("segment"),
    }
    for key, strategy in optional.items():
        if draw(st.booleans()):
            body[key] = draw(strategy)
    if draw(st.integers(0, 3)) == 0:  # a member the Error schema does not declare
        declared = ("code", "message", *optional)
        body[draw((st.sampled_from(["error", "related_object_ids"]) | st.text(min_size=1, max_size=10)).filter(lambda key: key not in declared))] = draw(json_values)
    return body


# --- create bodies ---------------------------------------------------------------------------------

BRANCHES = ("static", "dynamic")


def create_bodies(branch: str | None = None):
    """A create body the contract accepts: the static branch (name; type "static" and customers
    optional) or the dynamic one (name, type auto-update or passive; filter optional). Members of
    the other branch are left out: a body with both is valid by the schema but ambiguous
    (SEG-AMBIG-* in the main catalogue), and a client is judged on what it was asked to send."""
    static = st.fixed_dictionaries(
        {"name": names},
        optional={"type": st.just("static"), "customers": st.lists(customer_ids, max_size=5)},
    )
    dynamic = st.fixed_dictionaries(
        {"name": names, "type": st.sampled_from(DYNAMIC_TYPES)},
        optional={"filter": filters},
    )
    if branch == "static":
        return static
    if branch == "dynamic":
        return dynamic
    return st.one_of(static, dynamic)


def edge_bodies() -> list[dict[str, Any]]:
    """seed 000's request examples, and each branch with no optional member."""
    return [
        {"name": "Customers in a new Segment", "type": "static",
         "customers": ["cust_iajsExT2QB4sGWzABY85WRqV", "cust_sehkNIi8Uq2qQuRqSr7xn4Zi"]},
        {"name": "Customers in a new Dynamic Segment", "type": "auto-update",
         "filter": {"junction": "and", "created_at": {"conditions": {"$after": ["2021-12-01T00:00:00.000Z"]}}}},
        {"name": "Customers in a new Segment"},
        {"name": "Customers in a new Segment", "type": "static"},
        {"name": "Customers in a new Dynamic Segment", "type": "passive"},
        {"name": "Zażółć gęślą jaźń 日本語 🎉", "type": "passive", "filter": {"address.country": {"conditions": {"$is": "Poland"}}}},
    ]
