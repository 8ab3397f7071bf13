"""List (GET /v1/segments), in the revisions that document it: what its schema cannot say.

Out of scope, with the reason, when the run's document has no list operation. Each scenario names
its segments with a token of its own and lists only those (a name filter), so segments that others
keep on the account, or that earlier tests deleted, never decide anything.
"""

import re
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest

from conformance.mock.timestamps import parse_key
from conformance.suite import bodies
from conformance.suite.scenarios import create

pytestmark = pytest.mark.operation("list-segment")
LIST_PATH = "/v1/segments"
DEFAULT_LIMIT = 10  # the limit parameter's description: "If no limit is set, it returns 10 items."
SECOND_RESOLUTION_WAIT_S = 1.05  # between creates, when created_at has whole seconds
MILLISECOND_RESOLUTION_WAIT_S = 0.005


def _named(token):
    return {"filters[name][conditions][$contains]": token, "limit": 100}


def _listed(verify, target, params, requirement_id):
    """List; (exchange, the listed ids). An answer that is not the list object is SEG-LIST-SCHEMA's
    finding (the generic check has it), not this scenario's; an operation not served is
    SEG-OPERATION-SERVED's: then nothing here can be judged."""
    exchange = target.send("GET", LIST_PATH, params=params)
    if exchange.status in (404, 405):
        verify.not_tested(f"list-segment answered {exchange.status}: the operation is not served")
    verify.check(requirement_id, exchange.status == 200, f"expected 200, answered {exchange.status}", exchange)
    body = exchange.json
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list):
        verify.raise_pending()  # the list object itself is wrong: SEG-LIST-SCHEMA
        verify.not_tested("the list answer carries no data array to judge")
    return exchange, [item.get("id") for item in data if isinstance(item, dict)]


def _instant(created_at):
    """The instant a created_at names (offsets differ between servers); a value that is none sorts
    by its text (SEG-SEGMENT-CREATED-AT has that finding)."""
    try:
        return (0, parse_key(created_at), "")
    except ValueError:
        return (1, (), str(created_at))


_FRACTION = re.compile(r"\d\d:\d\d:\d\d(?:\.(\d+))?")


def _bound_between(earlier, later):
    """An instant strictly between two created_at values, written in UTC with microseconds, or None
    when they are too close to have one that binds: a server may keep finer instants than it shows,
    so each shown value stands for any instant up to one unit of its last digit later."""
    first, second = _instant(earlier), _instant(later)
    if first[0] or second[0] or first[1][1] or second[1][1]:  # not RFC 3339, or a leap second
        return None
    unit = max(timedelta(seconds=10 ** -len(_FRACTION.search(str(text)).group(1) or "")) for text in (earlier, later))
    start, end = (key[1][0] + timedelta(microseconds=key[1][2]) for key in (first, second))
    if end - start <= 2 * unit:
        return None
    middle = start + (end - start) / 2
    return middle.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _in_offset(utc_bound, minutes):
    """A bound _bound_between wrote in UTC, written at another offset: the same instant."""
    instant = datetime.strptime(utc_bound, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    local = instant.astimezone(timezone(timedelta(minutes=minutes)))
    return local.strftime("%Y-%m-%dT%H:%M:%S.%f") + local.strftime("%z")[:3] + ":" + local.strftime("%z")[3:]


def _younger_than_a_day(segments):
    """The ids whose created_at is less than a day before now, or None when one is no RFC 3339 value
    or within an hour of the day's edge (clocks differ: $less_than=1 need not agree there)."""
    day_ago = datetime.now(UTC) - timedelta(days=1)
    instants = {segment_id: _instant(segment.get("created_at")) for segment_id, segment in segments.items()}
    if any(unreadable or abs(key[0] - day_ago) < timedelta(hours=1) for unreadable, key, _ in instants.values()):
        return None
    return {segment_id for segment_id, (_, key, _) in instants.items() if key[0] > day_ago}


def _create_named(conformance, target, verify, token, count=1, kind="static"):
    make = (lambda name: bodies.static(name)) if kind == "static" else (lambda name: bodies.dynamic(name, kind))
    return [create(conformance, target, verify, make(f"{token} {index}")).json["id"] for index in range(count)]


@pytest.mark.requirement("SEG-LIST-SCHEMA", "SEG-CREATE-STATIC-200")
def test_list_answers_the_list_object(conformance, target, verify, names):
    """List answers 200 with the list object: object "list", data_ref "data", a data array of Segments, total."""
    token = names("listed")
    _create_named(conformance, target, verify, token, 3)
    exchange, _ = _listed(verify, target, _named(token), "SEG-LIST-SCHEMA")
    body = exchange.json
    verify.check("SEG-LIST-SCHEMA", body.get("object") == "list" and body.get("data_ref") == "data",
                 f"expected object \"list\" and data_ref \"data\", got {body.get('object')!r} and {body.get('data_ref')!r}", exchange)
    verify.check("SEG-LIST-SCHEMA", isinstance(body.get("total"), int), f"expected an integer total, got {body.get('total')!r}", exchange)


@pytest.mark.requirement("SEG-LIST-LIMIT", "SEG-LIST-TOTAL", "SEG-CREATE-STATIC-200")
def test_list_honours_limit(conformance, target, verify, names):
    """limit=2 lists 2 of the 11 matching segments and counts 11 in total; limit=1 (the lower end
    of 1-100) lists 1; with no limit, 10 of 11 (with 3, a default of 5 could not be told from 10)."""
    token = names("limited")
    _create_named(conformance, target, verify, token, DEFAULT_LIMIT + 1)
    _create_named(conformance, target, verify, names("spacer"), 1)  # the newest is no filter's: lag is another requirement's
    exchange, ids = _listed(verify, target, {**_named(token), "limit": 2}, "SEG-LIST-LIMIT")
    verify.check("SEG-LIST-LIMIT", len(ids) == 2, f"expected 2 segments with limit=2 ({DEFAULT_LIMIT + 1} match), got {len(ids)}", exchange)
    total = exchange.json.get("total")
    verify.check("SEG-LIST-TOTAL", total == DEFAULT_LIMIT + 1,
                 f"expected total {DEFAULT_LIMIT + 1} (the segments the query matches, whatever the limit), got {total!r}", exchange)
    exchange, ids = _listed(verify, target, {**_named(token), "limit": 1}, "SEG-LIST-LIMIT")  # the lower end of 1-100
    verify.check("SEG-LIST-LIMIT", len(ids) == 1, f"expected 1 segment with limit=1 ({DEFAULT_LIMIT + 1} match), got {len(ids)}", exchange)
    exchange, ids = _listed(verify, target, {"filters[name][conditions][$contains]": token}, "SEG-LIST-LIMIT")
    verify.check("SEG-LIST-LIMIT", len(ids) == DEFAULT_LIMIT,
                 f"expected {DEFAULT_LIMIT} segments with no limit ({DEFAULT_LIMIT + 1} match), got {len(ids)}", exchange)


@pytest.mark.requirement("SEG-LIST-ORDER", "SEG-LIST-CREATED", "SEG-CREATE-STATIC-200")
@pytest.mark.parametrize("order", ["created_at", "-created_at"])
def test_list_honours_order(conformance, target, verify, names, order):
    """order=created_at lists oldest first, -created_at newest first: judged on created_at values
    that differ (on ties any order is right, so ties prove nothing), for the run's own segments and
    then across a whole page, whoever created its segments."""
    token = names("ordered")
    created = []
    for index in range(3):
        segment = create(conformance, target, verify, bodies.static(f"{token} {index}")).json
        created.append(segment["id"])
        if index < 2:  # the next one must carry a later created_at: whole seconds need a second
            time.sleep(_wait_before_next(segment.get("created_at"), crossing=order == "created_at"))
    exchange, ids = _listed(verify, target, {**_named(token), "order": order}, "SEG-LIST-ORDER")
    stamps = {item["id"]: item.get("created_at") for item in exchange.json["data"] if isinstance(item, dict) and item.get("id") in created}
    verify.check("SEG-LIST-CREATED", set(stamps) == set(created), f"expected the 3 segments just created, got {len(stamps)} of them", exchange)
    if len(set(stamps.values())) < len(stamps):
        verify.not_tested(f"the segments created apart carry equal created_at values {sorted(stamps.values())}: no order to judge")
    listed = [stamps[segment_id] for segment_id in ids if segment_id in stamps]
    expected = sorted(listed, key=_instant, reverse=order.startswith("-"))
    verify.check("SEG-LIST-ORDER", listed == expected, f"expected created_at {'descending' if order.startswith('-') else 'ascending'}, "
                 f"got {listed}", exchange)
    # One whole page, the account's older segments too (read only): a sort key that holds only within
    # an hour or a day shows only across created_at values that far apart, which a run cannot create.
    exchange, _ = _listed(verify, target, {"order": order, "limit": 100}, "SEG-LIST-ORDER")
    pair = _out_of_order(exchange.json["data"], descending=order.startswith("-"))
    verify.check("SEG-LIST-ORDER", pair is None, f"expected created_at {'descending' if order.startswith('-') else 'ascending'} "
                 f"across the page, got {pair[0] if pair else ''} listed before {pair[1] if pair else ''}", exchange)


def _wait_before_next(created_at, *, crossing):
    """How long to wait before the next create so that its created_at is later. With `crossing`,
    one pair of neighbours straddles a whole second with the later fraction the smaller (x.9, then
    x+1.05), which a key that leaves the second out orders the wrong way; at most about a second,
    in one order case only. By the server's own clock, read from the created_at it answered."""
    written = _FRACTION.search(str(created_at))
    if written is None or written.group(1) is None:
        return SECOND_RESOLUTION_WAIT_S
    if not crossing:
        return MILLISECOND_RESOLUTION_WAIT_S
    fraction = float("0." + written.group(1))
    return 1.05 - fraction if fraction >= 0.5 else 0.9 - fraction


def _out_of_order(items, *, descending):
    """The first two neighbours (by created_at, values that are no RFC 3339 date-time left out) that
    the order puts the wrong way round, or None. Ties are in order. A server that keeps finer instants
    than it shows, truncated or rounded, still shows them in order: both keep the order of instants."""
    stamps = [item.get("created_at") for item in items if isinstance(item, dict)]
    judged = [(stamp, key) for stamp, (unreadable, key, _) in zip(stamps, map(_instant, stamps)) if not unreadable]
    for (first, first_key), (second, second_key) in zip(judged, judged[1:]):
        if (second_key > first_key) if descending else (second_key < first_key):
            return first, second
    return None


@pytest.mark.requirement("SEG-LIST-CREATED", "SEG-LIST-DELETED", "SEG-CREATE-STATIC-200")
def test_list_shows_created_and_not_deleted(conformance, target, verify, names):
    """A created segment is listed; once deleted, it is not."""
    token = names("kept-or-deleted")
    kept, deleted = _create_named(conformance, target, verify, token, 2)
    exchange, ids = _listed(verify, target, _named(token), "SEG-LIST-CREATED")
    verify.check("SEG-LIST-CREATED", kept in ids and deleted in ids, f"expected both segments just created, listed {ids}", exchange)
    target.delete(deleted)
    exchange, ids = _listed(verify, target, _named(token), "SEG-LIST-DELETED")
    verify.check("SEG-LIST-DELETED", deleted not in ids, f"expected the deleted segment {deleted} gone from the list, it is listed", exchange)
    verify.check("SEG-LIST-CREATED", kept in ids, f"expected {kept} still listed", exchange)


@pytest.mark.requirement("SEG-LIST-FILTERS", "SEG-CREATE-STATIC-200", "SEG-CREATE-PASSIVE-200")
def test_list_honours_filters(conformance, target, verify, names):
    """filters keeps exactly the segments that meet its conditions: by name, by type, by id."""
    token = names("filtered")
    static_segment = create(conformance, target, verify, bodies.static(f"{token} static 0")).json
    time.sleep(MILLISECOND_RESOLUTION_WAIT_S)  # an instant between the two, for created_at's filters
    passive_segment = create(conformance, target, verify, bodies.dynamic(f"{token} passive 0", "passive")).json
    static, passive = static_segment["id"], passive_segment["id"]
    _create_named(conformance, target, verify, names("spacer"), 1)  # the newest is no filter's: lag is another requirement's
    name = "filters[name][conditions]"
    cases = {
        "name $is": ({f"{name}[$is]": f"{token} static 0"}, {static}),
        "type $is": ({**_named(token), "filters[type][conditions][$is]": "passive"}, {passive}),
        "id $in": ({"filters[id][conditions][$in]": passive}, {passive}),
        "junction and": ({**_named(token), "filters[junction]": "and", "filters[type][conditions][$is]": "static"}, {static}),
        # each negation, prefix and suffix keeps one of the two and drops the other
        "type $is_not": ({**_named(token), "filters[type][conditions][$is_not]": "passive"}, {static}),
        "type $not_in": ({**_named(token), "filters[type][conditions][$not_in]": "static"}, {passive}),
        "name $not_contain": ({**_named(token), f"{name}[$not_contain]": "passive"}, {static}),
        "name $starts_with": ({f"{name}[$starts_with]": f"{token} pass"}, {passive}),
        "name $ends_with": ({**_named(token), f"{name}[$ends_with]": "static 0"}, {static}),
        "id $is_not": ({**_named(token), "filters[id][conditions][$is_not]": static}, {passive}),
        "junction or": ({"filters[junction]": "or", f"{name}[$is]": f"{token} static 0", "filters[id][conditions][$in]": passive},
                        {static, passive}),
        # the presence operators take the empty string as their value (the filter schema says so)
        "id $has_value": ({**_named(token), "filters[id][conditions][$has_value]": ""}, {static, passive}),
        "id $is_unknown": ({**_named(token), "filters[id][conditions][$is_unknown]": ""}, set()),
        # every operator the document declares for created_at: presence, and age in days before now
        "created_at $has_value": ({**_named(token), "filters[created_at][conditions][$has_value]": ""}, {static, passive}),
        "created_at $is_unknown": ({**_named(token), "filters[created_at][conditions][$is_unknown]": ""}, set()),
    }
    younger = _younger_than_a_day({static: static_segment, passive: passive_segment})
    if younger is not None:
        cases["created_at $less_than"] = ({**_named(token), "filters[created_at][conditions][$less_than]": 1}, younger)
        cases["created_at $more_than"] = ({**_named(token), "filters[created_at][conditions][$more_than]": 1},
                                          {static, passive} - younger)
    bound = _bound_between(static_segment.get("created_at"), passive_segment.get("created_at"))
    if bound is not None:  # created apart enough to tell: one is before the bound, the other after
        cases["created_at $after"] = ({**_named(token), "filters[created_at][conditions][$after]": bound}, {passive})
        cases["created_at $before"] = ({**_named(token), "filters[created_at][conditions][$before]": bound}, {static})
        # the same instant in other RFC 3339 forms: an offset, nine fraction digits
        cases["created_at $after, offset -05:30"] = (
            {**_named(token), "filters[created_at][conditions][$after]": _in_offset(bound, -330)}, {passive})
        cases["created_at $before, nine digits"] = (
            {**_named(token), "filters[created_at][conditions][$before]": bound.replace("Z", "000Z")}, {static})
    cases["created_at $after, no fraction"] = (
        {**_named(token), "filters[created_at][conditions][$after]": "2000-01-01T00:00:00Z"}, {static, passive})
    for label, (params, expected) in cases.items():
        exchange, ids = _listed(verify, target, params, "SEG-LIST-FILTERS")
        verify.check("SEG-LIST-FILTERS", set(ids) == expected,
                     f"expected {label} to keep exactly {sorted(expected)}, listed {ids}", exchange)


@pytest.mark.requirement("SEG-LIST-LIMIT-RANGE")
@pytest.mark.parametrize("limit", [0, 101])
def test_list_refuses_a_limit_out_of_range(target, verify, limit):
    """A limit outside 1-100 answers 400 with the Error object."""
    exchange = target.send("GET", LIST_PATH, params={"limit": limit})
    if exchange.status == 405:
        verify.not_tested("list-segment answered 405: the operation is not served")
    verify.check("SEG-LIST-LIMIT-RANGE", exchange.status == 400, f"expected 400 for limit={limit}, answered {exchange.status}", exchange)


INVALID_FILTERS = {  # filters queries the document does not allow, each answered 400 by a correct server
    "one-value-outside-the-schema": {"filters[type][conditions][$is]": "cubic"},
    "two-values-outside-the-schema": {"filters[type][conditions][$is]": "dynamic", "filters[type][conditions][$not_in]": "cubic"},
    "field-without-conditions": {"filters[name][foo]": "1"},
    "conditions-given-a-value": {"filters[name][conditions]": "x"},
}


@pytest.mark.requirement("SEG-LIST-QUERY-400")
@pytest.mark.parametrize("label", list(INVALID_FILTERS))
def test_list_refuses_an_invalid_filters_query(target, verify, label):
    """A filters query the document does not allow (one value outside the schema's enum, two at once, a
    field without [conditions], [conditions] given a value) answers 400 with the Error object."""
    exchange = target.send("GET", LIST_PATH, params=INVALID_FILTERS[label])
    if exchange.status in (404, 405):
        verify.not_tested(f"list-segment answered {exchange.status}: the operation is not served")
    if exchange.status >= 500:  # SEG-NO-5XX's finding alone, as the generic checks leave a 5xx to it
        verify.not_applicable("SEG-LIST-QUERY-400", f"the query answered {exchange.status}: SEG-NO-5XX's finding")
        return
    verify.check("SEG-LIST-QUERY-400", exchange.status == 400,
                 f"expected 400 for the filters query {label}, answered {exchange.status}", exchange)
