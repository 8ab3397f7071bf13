"""List (GET /v1/segments), in the revisions that document it: what its schema cannot say.

Out of scope, with the reason, when the run's document has no list operation. Each scenario
lists only the run's own segments (a name filter on the run tag) and judges only those, so
segments that others keep on the account never decide anything.
"""

import pytest

from conformance.suite import bodies
from conformance.suite.scenarios import create

pytestmark = pytest.mark.operation("list-segment")
LIST_PATH = "/v1/segments"


def _ours(conformance):
    return {"filters[name][conditions][$contains]": conformance.run_tag}


def _ids(exchange):
    body = exchange.json
    data = body.get("data") if isinstance(body, dict) else None
    return [item.get("id") for item in data if isinstance(item, dict)] if isinstance(data, list) else None


def _listed(verify, target, params, requirement_id):
    exchange = target.send("GET", LIST_PATH, params=params)
    if exchange.status in (404, 405):  # not served: SEG-OPERATION-SERVED's finding, not this one's
        verify.not_tested(f"list-segment answered {exchange.status}: the operation is not served")
    ids = _ids(exchange)
    verify.check(requirement_id, exchange.status == 200 and ids is not None,
                 f"expected 200 with a data array, answered {exchange.status}", exchange)
    return exchange, ids


def _three(conformance, target, verify, names):
    return [create(conformance, target, verify, bodies.static(names("listed"))).json["id"] for _ in range(3)]


@pytest.mark.requirement("SEG-LIST-SCHEMA", "SEG-CREATE-STATIC-200")
def test_list_answers_the_list_object(conformance, target, verify, names):
    """List answers 200 with the list object: object "list", data_ref "data", a data array of Segments, total."""
    _three(conformance, target, verify, names)
    exchange, _ = _listed(verify, target, _ours(conformance), "SEG-LIST-SCHEMA")
    body = exchange.json
    verify.check("SEG-LIST-SCHEMA", body.get("object") == "list" and body.get("data_ref") == "data",
                 f"expected object \"list\" and data_ref \"data\", got {body.get('object')!r} and {body.get('data_ref')!r}", exchange)
    verify.check("SEG-LIST-SCHEMA", isinstance(body.get("total"), int), f"expected an integer total, got {body.get('total')!r}", exchange)


@pytest.mark.requirement("SEG-LIST-LIMIT", "SEG-LIST-CREATED", "SEG-CREATE-STATIC-200")
def test_list_honours_limit(conformance, target, verify, names):
    """limit=2 lists 2 of the run's 3 segments; with no limit, at most 10 are listed."""
    _three(conformance, target, verify, names)
    exchange, ids = _listed(verify, target, {**_ours(conformance), "limit": 2}, "SEG-LIST-LIMIT")
    verify.check("SEG-LIST-LIMIT", len(ids) == 2, f"expected 2 segments with limit=2 (3 exist), got {len(ids)}", exchange)
    exchange, ids = _listed(verify, target, {}, "SEG-LIST-LIMIT")
    verify.check("SEG-LIST-LIMIT", len(ids) <= 10, f"expected at most 10 segments by default, got {len(ids)}", exchange)


@pytest.mark.requirement("SEG-LIST-ORDER", "SEG-LIST-CREATED", "SEG-CREATE-STATIC-200")
@pytest.mark.parametrize("order", ["created_at", "-created_at"])
def test_list_honours_order(conformance, target, verify, names, order):
    """order=created_at lists oldest first, -created_at newest first."""
    created = _three(conformance, target, verify, names)
    exchange, ids = _listed(verify, target, {**_ours(conformance), "order": order}, "SEG-LIST-ORDER")
    stamps = {item["id"]: item.get("created_at") for item in exchange.json["data"] if isinstance(item, dict) and item.get("id") in created}
    verify.check("SEG-LIST-CREATED", set(stamps) == set(created), f"expected the 3 segments just created, got {len(stamps)} of them", exchange)
    listed = [stamps[segment_id] for segment_id in ids if segment_id in stamps]
    expected = sorted(listed, reverse=order.startswith("-"))
    verify.check("SEG-LIST-ORDER", listed == expected, f"expected created_at {'descending' if order.startswith('-') else 'ascending'}, "
                 f"got {listed}", exchange)


@pytest.mark.requirement("SEG-LIST-CREATED", "SEG-LIST-DELETED", "SEG-CREATE-STATIC-200")
def test_list_shows_created_and_not_deleted(conformance, target, verify, names):
    """A created segment is listed; once deleted, it is not."""
    kept, deleted = [create(conformance, target, verify, bodies.static(names("listed"))).json["id"] for _ in range(2)]
    exchange, ids = _listed(verify, target, _ours(conformance), "SEG-LIST-CREATED")
    verify.check("SEG-LIST-CREATED", kept in ids and deleted in ids, f"expected both segments just created, listed {ids}", exchange)
    target.delete(deleted)
    exchange, ids = _listed(verify, target, _ours(conformance), "SEG-LIST-DELETED")
    verify.check("SEG-LIST-DELETED", deleted not in ids, f"expected the deleted segment {deleted} gone from the list, it is listed", exchange)
    verify.check("SEG-LIST-CREATED", kept in ids, f"expected {kept} still listed", exchange)


@pytest.mark.requirement("SEG-LIST-LIMIT-RANGE")
@pytest.mark.parametrize("limit", [0, 101])
def test_list_refuses_a_limit_out_of_range(target, verify, limit):
    """A limit outside 1-100 answers 400 with the Error object."""
    exchange = target.send("GET", LIST_PATH, params={"limit": limit})
    if exchange.status == 405:
        verify.not_tested("list-segment answered 405: the operation is not served")
    verify.check("SEG-LIST-LIMIT-RANGE", exchange.status == 400, f"expected 400 for limit={limit}, answered {exchange.status}", exchange)
