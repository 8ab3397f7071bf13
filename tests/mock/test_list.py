"""GET /v1/segments as the July 2026 document describes it: limit, order, filters, ids, the answer."""

from __future__ import annotations

import time

import pytest

UNKNOWN_ID = "seg_unknownunknownunknown0"


@pytest.fixture
def api(start_mock, july):
    return start_mock(contract=july)


def _make(api, expect, names, kind="static"):
    made = []
    for name in names:
        response = api.create_static(name=name) if kind == "static" else api.create_dynamic(kind, name=name)
        made.append(expect.segment(response))
        time.sleep(0.002)  # distinct milliseconds
    return made


def ids_of(response) -> list[str]:
    return [item["id"] for item in response.json()["data"]]


@pytest.mark.mock_verifies("SEG-LIST-SCHEMA", "SEG-OPERATION-SERVED")
def test_the_answer_is_the_vendors_example_shape(api, expect, july):
    created = _make(api, expect, ["one", "two"])
    response = api.list()
    body = expect.json_body(response)
    assert response.status_code == 200
    assert list(body) == ["object", "data_ref", "data", "total"]
    assert (body["object"], body["data_ref"], body["total"]) == ("list", "data", 2)
    for item, segment in zip(body["data"], created[::-1], strict=True):
        assert july.schema_errors(item, "#/components/schemas/Segment") == []
        assert item == {key: value for key, value in segment.items() if key != "initial_sync_status"}
    # The vendor's own schema: `data` is required (the array is declared as `segments`).
    assert july.schema_errors(body, "#/components/schemas/SegmentsListResponseBody") == []
    example = july.effective["paths"]["/v1/segments"]["get"]["responses"]["200"]["content"]["application/json"]
    assert list(example["examples"]["List of segments"]["value"]) == list(body)


def test_an_empty_list(api, expect):
    assert api.list().json() == {"object": "list", "data_ref": "data", "data": [], "total": 0}


@pytest.mark.mock_verifies("SEG-LIST-LIMIT", "SEG-LIST-TOTAL")
def test_limit_defaults_to_10_and_total_counts_past_it(api, expect):
    _make(api, expect, [f"s{index}" for index in range(12)])
    body = api.list().json()
    assert (len(body["data"]), body["total"]) == (10, 12)
    for limit, expected in (("1", 1), ("5", 5), ("100", 12), ("12", 12)):
        body = api.list({"limit": limit}).json()
        assert (len(body["data"]), body["total"]) == (expected, 12)


@pytest.mark.mock_verifies("SEG-LIST-LIMIT-RANGE")
@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten", "1.5", ""])
def test_a_limit_out_of_range_is_a_400(api, expect, limit):
    error = expect.error(api.list({"limit": limit}), 400, key="invalid_query")
    assert "limit" in error["details"]


@pytest.mark.mock_verifies("SEG-LIST-QUERY-400")
@pytest.mark.parametrize("problems", [
    {"filters[type][conditions][$is]": "dynamic"},
    {"filters[type][conditions][$is]": "dynamic", "filters[type][conditions][$not_in]": "cubic"},
    {"filters[type][conditions][$in]": ["cubic", "dynamic"], "filters[created_at][conditions][$after]": "yesterday"},
    {"filters[name][foo]": "1"},
    {"filters[name][conditions]": "x"},
], ids=["one", "two", "three", "field-without-conditions", "conditions-given-a-value"])
def test_filter_values_outside_the_schema_are_a_400_however_many(api, expect, problems):
    error = expect.error(api.list(problems), 400, key="invalid_query")
    assert "filters" in error["details"]


@pytest.mark.mock_verifies("SEG-LIST-ORDER")
def test_order_newest_first_by_default_or_as_asked(api, expect):
    ids = [segment["id"] for segment in _make(api, expect, ["a", "b", "c"])]
    assert ids_of(api.list()) == ids[::-1]
    assert ids_of(api.list({"order": "-created_at"})) == ids[::-1]
    assert ids_of(api.list({"order": "created_at"})) == ids
    assert ids_of(api.list({"order": "created_at", "limit": 2})) == ids[:2]  # the limit after the order
    expect.error(api.list({"order": "name"}), 400, key="invalid_query")


def test_ids_restrict_the_list_and_repeat(api, expect):
    ids = [segment["id"] for segment in _make(api, expect, ["a", "b", "c"])]
    assert ids_of(api.list({"ids": [ids[0], ids[2]]})) == [ids[2], ids[0]]
    assert api.list({"ids": [ids[1], UNKNOWN_ID]}).json()["total"] == 1
    assert ids_of(api.request("GET", f"/v1/segments?ids[]={ids[0]}&ids[]={ids[1]}")) == [ids[1], ids[0]]


@pytest.mark.mock_verifies("SEG-LIST-CREATED", "SEG-LIST-DELETED")
def test_created_segments_are_listed_and_deleted_ones_are_not(api, expect):
    first, second = _make(api, expect, ["kept", "deleted"])
    assert set(ids_of(api.list())) == {first["id"], second["id"]}
    expect.empty(api.delete(second["id"]))
    body = api.list({"ids": [first["id"], second["id"]]}).json()
    assert (ids_of(api.list()), body["total"]) == ([first["id"]], 1)


FILTERS = {
    "name-is": ({"filters[name][conditions][$is]": "alpha one"}, {"alpha one"}),
    "name-is-not": ({"filters[name][conditions][$is_not]": "alpha one"}, {"alpha two", "beta one", "beta two"}),
    "name-in": ({"filters[name][conditions][$in]": ["alpha one", "beta two"]}, {"alpha one", "beta two"}),
    "name-in-brackets": ({"filters[name][conditions][$in][]": ["alpha one", "beta two"]}, {"alpha one", "beta two"}),
    "name-in-indexed": ({"filters[name][conditions][$in][0]": "alpha one", "filters[name][conditions][$in][1]": "beta two"},
                        {"alpha one", "beta two"}),
    "name-not-in": ({"filters[name][conditions][$not_in]": ["alpha one", "beta two"]}, {"alpha two", "beta one"}),
    "name-starts-with": ({"filters[name][conditions][$starts_with]": "alpha"}, {"alpha one", "alpha two"}),
    "name-ends-with": ({"filters[name][conditions][$ends_with]": "two"}, {"alpha two", "beta two"}),
    "name-contains": ({"filters[name][conditions][$contains]": "ha t"}, {"alpha two"}),
    "name-not-contain": ({"filters[name][conditions][$not_contain]": "alpha"}, {"beta one", "beta two"}),
    "type-is": ({"filters[type][conditions][$is]": "passive"}, {"beta one", "beta two"}),
    "type-is-not": ({"filters[type][conditions][$is_not]": "passive"}, {"alpha one", "alpha two"}),
    "type-in": ({"filters[type][conditions][$in]": ["static", "auto-update"]}, {"alpha one", "alpha two"}),
    "type-not-in": ({"filters[type][conditions][$not_in]": ["static"]}, {"beta one", "beta two"}),
    "and-by-default": ({"filters[name][conditions][$starts_with]": "beta", "filters[name][conditions][$ends_with]": "one"},
                       {"beta one"}),
    "junction-and": ({"filters[junction]": "and", "filters[name][conditions][$starts_with]": "alpha",
                      "filters[type][conditions][$is]": "passive"}, set()),
    "junction-or": ({"filters[junction]": "or", "filters[name][conditions][$is]": "alpha one",
                     "filters[type][conditions][$is]": "passive"}, {"alpha one", "beta one", "beta two"}),
    "has-value": ({"filters[name][conditions][$has_value]": ""}, {"alpha one", "alpha two", "beta one", "beta two"}),
    "is-unknown": ({"filters[name][conditions][$is_unknown]": ""}, set()),
    "created-at-more-than-days": ({"filters[created_at][conditions][$more_than]": "1"}, set()),
    "created-at-less-than-days": ({"filters[created_at][conditions][$less_than]": "1"},
                                  {"alpha one", "alpha two", "beta one", "beta two"}),
}


@pytest.mark.mock_verifies("SEG-LIST-FILTERS")
@pytest.mark.parametrize("params, expected", FILTERS.values(), ids=FILTERS.keys())
def test_filters(api, expect, params, expected):
    _make(api, expect, ["alpha one", "alpha two"])
    _make(api, expect, ["beta one", "beta two"], kind="passive")
    body = api.list({**params, "limit": 100}).json()
    assert {item["name"] for item in body["data"]} == expected
    assert body["total"] == len(expected)


def test_created_at_filters_page_through_the_list(api, expect):
    """The description's own advice: $before and $after on created_at as pagination."""
    made = _make(api, expect, [f"s{index}" for index in range(5)])
    stamps = [segment["created_at"] for segment in made]
    after = api.list({"filters[created_at][conditions][$after]": stamps[1]}).json()
    assert [item["name"] for item in after["data"]] == ["s4", "s3", "s2"]
    before = api.list({"filters[created_at][conditions][$before]": stamps[3], "order": "created_at"}).json()
    assert [item["name"] for item in before["data"]] == ["s0", "s1", "s2"]
    between = api.list({"filters[created_at][conditions][$after]": stamps[0],
                        "filters[created_at][conditions][$before]": stamps[4]}).json()
    assert between["total"] == 3


BAD_FILTERS = {
    "unknown-field": ({"filters[customer][conditions][$is]": "x"}, "filters[customer]"),
    "unknown-operator": ({"filters[name][conditions][$like]": "x"}, "$like"),
    "operator-of-another-field": ({"filters[created_at][conditions][$starts_with]": "2024"}, "$starts_with"),
    "type-not-in-enum": ({"filters[type][conditions][$is]": "dynamic"}, "filters[type][conditions][$is]"),
    "date-not-rfc3339": ({"filters[created_at][conditions][$after]": "yesterday"}, "$after"),
    "days-not-integer": ({"filters[created_at][conditions][$more_than]": "ten"}, "$more_than"),
    "junction-unknown": ({"filters[junction]": "xor"}, "junction"),
    "no-conditions": ({"filters[name][$is]": "x"}, "filters[name]"),
    "two-values-for-one": ({"filters[name][conditions][$is]": ["a", "b"]}, "one value"),
    "not-deep-object": ({"filters[name": "x"}, "deepObject"),
}


@pytest.mark.parametrize("params, mentioned", BAD_FILTERS.values(), ids=BAD_FILTERS.keys())
def test_a_filter_the_document_does_not_declare_is_a_400(api, expect, params, mentioned):
    error = expect.error(api.list(params), 400, key="invalid_query")
    assert mentioned in error["details"]
    assert len(error["details"]) < 160


def test_unknown_query_parameters_are_ignored(api, expect):
    _make(api, expect, ["a"])
    assert api.list({"page": "2", "expand": "customers"}).json()["total"] == 1


def test_list_needs_credentials_first(api, expect):
    expect.error(api.list({"limit": "0"}, headers={}), 401)
    expect.error(api.list(headers={"X-App-Id": "test-app-id", "X-App-Token": "wrong"}), 401)


def test_the_bundled_document_has_no_list(start_mock, expect):
    api = start_mock()
    response = api.list()
    expect.error(response, 405, key="method_not_allowed")
    assert response.headers["Allow"] == "POST"
