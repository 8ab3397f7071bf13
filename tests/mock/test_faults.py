"""Every fault switch does what it says, on the wire, and the correct mock does not.

For each fault: its probe observes the deviation on a mock with that fault on, and the same probe
fails on the correct mock (the baseline: without the fault the deviation is not there). That the
fault breaks exactly the requirements it lists, and nothing else, is test_bench.py's proof.
Requirement-level detection of each fault by the suite is the suite's own test.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from unittest import mock
from urllib.parse import urlsplit

import pytest


from conformance import contract
from conformance.catalogue import load_catalogue
from conformance.contract import Contract
from conformance.mock import FAULTS, MockServer, UnknownFault, faults_breaking, timestamps
from conformance.mock.faults import (
    NO_EXCLUSIVE_FAULT,
    ActiveFaults,
    FaultNotApplicable,
    exclusive_faults,
    faults_for,
)

UNKNOWN_ID = "seg_unknownunknownunknown0"  # the vendor shape, never generated
WRONG_AUTH = {"X-App-Id": "test-app-id", "X-App-Token": "not-the-token"}

PROBES: dict[str, Callable] = {}


def probe(name: str):
    """Register the function that observes fault `name` on a mock where it is switched on."""

    def register(function):
        assert name not in PROBES, name
        PROBES[name] = function
        return function

    return register


# --- the registry -------------------------------------------------------------------------------


def _levels() -> dict[str, str]:
    """Every requirement a fault may name: the catalogue's."""
    return {rid: requirement.level for rid, requirement in load_catalogue().items()}


def test_every_must_and_should_requirement_has_a_fault():
    uncovered = [rid for rid, level in _levels().items() if level != "OBSERVE" and not faults_breaking(rid)]
    assert uncovered == []


def test_every_must_and_should_requirement_has_an_exclusive_fault_or_a_reason():
    """A fault that lists exactly that one requirement proves its check alone; where none can
    exist, NO_EXCLUSIVE_FAULT says why (and faults still break it with others)."""
    for rid, level in _levels().items():
        if level == "OBSERVE":
            continue
        exclusive = [fault.name for fault in exclusive_faults(rid)]
        if rid in NO_EXCLUSIVE_FAULT:
            assert exclusive == [], f"{rid} has exclusive faults {exclusive}: drop it from NO_EXCLUSIVE_FAULT"
            assert faults_breaking(rid), rid
        else:
            assert exclusive, f"no fault breaks {rid} alone"
    assert set(NO_EXCLUSIVE_FAULT) <= set(_levels())


def test_faults_name_real_requirements_that_can_fail():
    levels = _levels()
    for fault in FAULTS.values():
        assert fault.requirements, fault.name
        assert len(set(fault.requirements)) == len(fault.requirements), fault.name
        for requirement_id in fault.requirements:
            assert levels[requirement_id] in ("MUST", "SHOULD"), (fault.name, requirement_id)


def test_exclusive_means_one_requirement():
    for fault in FAULTS.values():
        assert fault.exclusive == (len(fault.requirements) == 1), fault.name


def test_list_faults_need_the_list_operation(bundled, july):
    list_faults = {name for name, fault in FAULTS.items() if fault.operation == "list-segment"}
    assert list_faults and all(name.startswith("list-") for name in list_faults)
    assert {fault.name for fault in faults_for(op.operation_id for op in july.operations)} == set(FAULTS)
    assert {fault.name for fault in faults_for(op.operation_id for op in bundled.operations)} == set(FAULTS) - list_faults
    with pytest.raises(FaultNotApplicable, match="list-limit-ignored.*list-segment"):
        MockServer(faults=["list-limit-ignored"])
    MockServer(faults=["list-limit-ignored"], contract=july)  # fine where the document has list


def test_fault_names_are_kebab_case_and_described_in_one_line():
    for name, fault in FAULTS.items():
        assert fault.name == name
        assert name == name.lower() and " " not in name and "_" not in name
        assert fault.description and "\n" not in fault.description


def test_every_fault_has_a_probe_and_every_probe_a_fault():
    assert set(PROBES) == set(FAULTS)


def test_an_unknown_fault_is_refused_before_serving():
    with pytest.raises(UnknownFault, match="no-such-fault"):
        MockServer(faults=["no-such-fault"])


def test_asking_about_a_misspelt_fault_fails_loudly():
    faults = ActiveFaults(["soft-delete"])
    assert "soft-delete" in faults
    assert "ids-repeat" not in faults
    with pytest.raises(UnknownFault, match="sof-delete"):
        "sof-delete" in faults  # noqa: B015 - the question itself must raise


# --- each fault deviates --------------------------------------------------------------------------


def _contract_for(name: str, july: Contract) -> Contract | None:
    return july if FAULTS[name].operation == "list-segment" else None


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_changes_its_own_behaviour(name, start_mock, expect, july):
    PROBES[name](start_mock(faults=[name], contract=_contract_for(name, july)), expect)


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_the_correct_mock_does_not_deviate(name, start_mock, expect, july):
    """The baseline: the same probe on the correct mock fails, so it observes the fault itself."""
    with pytest.raises(AssertionError):
        PROBES[name](start_mock(contract=_contract_for(name, july)), expect)


@probe("create-answers-201")
def _(api, expect):
    assert api.create_static().status_code == 201
    assert api.create_dynamic("passive").status_code == 201


@probe("static-filter-empty-object")
def _(api, expect):
    assert api.create_static().json()["filter"] == {}


@probe("dynamic-filter-not-echoed")
def _(api, expect):
    created = api.create_dynamic("auto-update").json()
    assert created["filter"] is None
    assert api.get(created["id"]).json()["filter"] == api.FILTER  # stored all the same


@probe("static-empty-customers-refused")
def _(api, expect):
    expect.error(api.create_static(customers=[]), 400)
    assert api.create_static(customers=["cust_1"]).status_code == 200


@probe("list-limit-1-refused")
def _(api, expect):
    expect.error(api.list({"limit": 1}), 400)
    assert api.list({"limit": 2}).status_code == 200


@probe("passive-refused-400")
def _(api, expect):
    assert api.create_dynamic("passive").status_code == 400
    assert api.create_dynamic("auto-update").status_code == 200


@probe("passive-stored-as-auto-update")
def _(api, expect):
    created = api.create_dynamic("passive").json()
    assert created["type"] == "auto-update"
    assert api.get(created["id"]).json()["type"] == "auto-update"


@probe("name-trimmed")
def _(api, expect):
    assert api.create_static(name="  padded  ").json()["name"] == "padded"


@probe("name-non-ascii-mangled")
def _(api, expect):
    assert api.create_static(name="Łódź 🎉").json()["name"] == "??d? ?"


@probe("name-normalised-nfc")
def _(api, expect):
    segment = expect.segment(api.create_static(name="Cafe\u0301"))
    assert segment["name"] == "Caf\u00e9"
    assert api.get(segment["id"]).json()["name"] == "Caf\u00e9"


@probe("name-truncated-255")
def _(api, expect):
    assert api.create_static(name="n" * 300).json()["name"] == "n" * 255
    assert api.create_static(name="n" * 255).json()["name"] == "n" * 255


@probe("static-sync-in-progress")
def _(api, expect):
    assert api.create_static().json()["initial_sync_status"] == "IN_PROGRESS"


@probe("object-capitalised")
def _(api, expect):
    created = api.create_static().json()
    assert created["object"] == "Segment"
    assert contract.schema_errors(created, contract.SEGMENT_SCHEMA)
    assert api.get(created["id"]).json()["object"] == "Segment"


@probe("created-at-without-timezone")
def _(api, expect):
    created = api.create_static().json()
    assert not created["created_at"].endswith("Z") and "+" not in created["created_at"]
    assert any(
        "created_at" in error for error in contract.schema_errors(created, contract.SEGMENT_SCHEMA)
    )


@probe("created-at-second-60")
def _(api, expect):
    created = api.create_static().json()
    assert created["created_at"][17:19] == "60" and created["created_at"][11:16] != "23:59"
    assert any("created_at" in error for error in contract.schema_errors(created, contract.SEGMENT_SCHEMA))


@probe("type-container-500")
def _(api, expect):
    for kind in (["static"], {"static": True}):
        assert api.request("POST", "/v1/segments", json={"name": "x", "type": kind, "customers": ["cust_1"]}).status_code == 500
    for kind in (1, True, None):
        expect.error(api.request("POST", "/v1/segments", json={"name": "x", "type": kind, "customers": ["cust_1"]}), 400)


@probe("gzip-ignores-identity")
def _(api, expect):
    wire = api.wire("POST", "/v1/segments", json_body={"name": "x", "type": "static", "customers": ["cust_1"]},
                    headers={"Accept-Encoding": "identity"}, accept_gzip=False)
    assert wire.status == 200 and wire.header("Content-Encoding") == "gzip" and wire.json["object"] == "segment"


@probe("gzip-delete-500")
def _(api, expect):
    for coding, status in (("gzip", 500), ("identity", 204)):
        segment_id = expect.segment(api.create_static())["id"]
        assert api.wire("DELETE", f"/v1/segments/{segment_id}", headers={"Accept-Encoding": coding}, accept_gzip=False).status == status


@probe("allow-lists-head-options-refused")
def _(api, expect):
    refused = api.request("PUT", f"/v1/segments/{UNKNOWN_ID}")
    assert refused.status_code == 405 and refused.headers["Allow"] == "GET, HEAD, DELETE, OPTIONS"
    for method in ("HEAD", "OPTIONS"):
        answer = api.request(method, f"/v1/segments/{UNKNOWN_ID}")
        assert answer.status_code == 405 and method in answer.headers["Allow"]


@probe("ids-repeat")
def _(api, expect):
    ids = [api.create_static(name=f"s{index}").json()["id"] for index in range(4)]
    assert len(set(ids[:3])) == 3
    assert ids[3] == ids[0]


@probe("get-omits-null-filter")
def _(api, expect):
    segment_id = api.create_static().json()["id"]
    got = api.get(segment_id).json()
    assert "filter" not in got
    assert contract.schema_errors(got, contract.SEGMENT_SCHEMA)


@probe("get-wraps-in-data")
def _(api, expect):
    created = api.create_static().json()
    got = api.get(created["id"]).json()
    assert list(got) == ["data"]
    assert got["data"]["id"] == created["id"]


@probe("get-created-at-without-millis")
def _(api, expect):
    created = api.create_static().json()
    got = api.get(created["id"]).json()
    assert got["created_at"] == created["created_at"][:19] + "Z"


@probe("get-expands-dotted-filter-keys")
def _(api, expect):
    created = api.create_dynamic("auto-update").json()
    assert created["filter"] == api.FILTER  # create still echoes what was sent
    got = api.get(created["id"]).json()["filter"]
    assert "address.country" not in got
    assert got["address"] == {"country": api.FILTER["address.country"]}
    assert got["metadata"] == {"club_level": api.FILTER["metadata.club_level"]}


@probe("get-unknown-answers-500")
def _(api, expect):
    assert api.get(UNKNOWN_ID).status_code == 500
    segment_id = api.create_static().json()["id"]
    expect.empty(api.delete(segment_id))
    expect.error(api.get(segment_id), 404)  # deleted ids still answer 404


@probe("get-unknown-answers-200")
def _(api, expect):
    response = api.get(UNKNOWN_ID)
    assert response.status_code == 200
    assert response.json() is None


@probe("get-deleted-answers-410")
def _(api, expect):
    segment_id = api.create_static().json()["id"]
    expect.empty(api.delete(segment_id))
    expect.error(api.get(segment_id), 410, key="gone")
    expect.error(api.get(UNKNOWN_ID), 404)


@probe("delete-answers-200-with-body")
def _(api, expect):
    segment_id = api.create_static().json()["id"]
    deleted = api.delete(segment_id)
    assert deleted.status_code == 200
    assert deleted.json()["id"] == segment_id


@probe("soft-delete")
def _(api, expect):
    segment_id = api.create_static().json()["id"]
    expect.empty(api.delete(segment_id))
    expect.segment(api.get(segment_id))
    expect.error(api.delete(segment_id), 404)


@probe("delete-tombstone-answers-204")
def _(api, expect):
    segment_id = api.create_static().json()["id"]
    expect.empty(api.delete(segment_id))
    expect.empty(api.delete(segment_id))
    expect.error(api.delete(UNKNOWN_ID), 404)


@probe("delete-missing-answers-204")
def _(api, expect):
    expect.empty(api.delete(UNKNOWN_ID))


@probe("name-coerced-to-string")
def _(api, expect):
    assert expect.segment(api.create({"name": 123}))["name"] == "123"
    assert api.create({"name": True, "type": "static"}).json()["name"] == "true"


@probe("invalid-body-422")
def _(api, expect):
    expect.error(api.create({"name": 1}), 422, key="invalid_payload")
    expect.error(api.create_raw(b"{"), 422, key="invalid_payload")


@probe("malformed-json-500")
def _(api, expect):
    assert api.create_raw(b'{"name": ').status_code == 500
    expect.error(api.create({"name": 1}), 400)


@probe("long-name-500")
def _(api, expect):
    assert api.create_static(name="n" * 1001).status_code == 500
    expect.segment(api.create_static(name="n" * 1000))


@probe("error-without-message")
def _(api, expect):
    error = api.get(UNKNOWN_ID).json()
    assert "message" not in error
    assert contract.schema_errors(error, contract.ERROR_SCHEMA)


@probe("error-code-always-400")
def _(api, expect):
    assert api.get(UNKNOWN_ID).json()["code"] == 400
    assert api.create_static(headers={}).json()["code"] == 400


@probe("text-plain-content-type")
def _(api, expect):
    assert api.create_static().headers["Content-Type"].startswith("text/plain")
    assert api.get(UNKNOWN_ID).headers["Content-Type"].startswith("text/plain")


@probe("json-with-byte-order-mark")
def _(api, expect):
    response = api.create_static()
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf{")
    assert json.loads(response.content[3:])["type"] == "static"  # the rest is the Segment


@probe("unsupported-method-answers-404")
def _(api, expect):
    response = api.request("PUT", f"/v1/segments/{UNKNOWN_ID}")
    expect.error(response, 404)
    assert "Allow" not in response.headers


@probe("method-not-allowed-without-allow")
def _(api, expect):
    response = api.request("PUT", f"/v1/segments/{UNKNOWN_ID}")
    expect.error(response, 405)
    assert "Allow" not in response.headers


@probe("static-cap-20000-rejected")
def _(api, expect):
    expect.error(api.create_static(customers=["cust"] * 20_000), 400)


@probe("static-cap-20001-accepted")
def _(api, expect):
    expect.segment(api.create_static(customers=["cust"] * 20_001))
    expect.error(api.create_static(customers=["cust"] * 20_002), 400)


@probe("dynamic-cap-101")
def _(api, expect):
    api.fill_dynamic(101)
    expect.error(api.create_dynamic(), 400)


@probe("dynamic-cap-50")
def _(api, expect):
    api.fill_dynamic(50)
    expect.error(api.create_dynamic(), 400)


@probe("cap-counts-static-segments")
def _(api, expect):
    api.fill_dynamic(100)
    expect.error(api.create_static(), 400)


@probe("deleted-still-counted")
def _(api, expect):
    ids = api.fill_dynamic(100)
    expect.empty(api.delete(ids[0]))
    expect.error(api.create_dynamic(), 400)


@probe("wrong-token-accepted")
def _(api, expect):
    segment_id = expect.segment(api.create_static(headers=WRONG_AUTH))["id"]
    expect.segment(api.get(segment_id, headers={"X-App-Id": "x", "X-App-Token": "y"}))
    expect.error(api.get(segment_id, headers={}), 401)  # presence is still checked


@probe("auth-only-on-create")
def _(api, expect):
    segment_id = api.create_static().json()["id"]
    expect.segment(api.get(segment_id, headers={}))
    expect.empty(api.delete(segment_id, headers={}))
    expect.error(api.create_static(headers={}), 401)


@probe("validation-before-auth")
def _(api, expect):
    expect.error(api.create({"name": 1}, headers={}), 400)
    expect.error(api.create_static(headers={}), 401)


@probe("lookup-before-auth")
def _(api, expect):
    expect.error(api.get(UNKNOWN_ID, headers={}), 404)
    expect.error(api.delete(UNKNOWN_ID, headers={}), 404)
    expect.error(api.get(api.create_static().json()["id"], headers={}), 401)


@probe("unauthenticated-create-stores")
def _(api, expect):
    expect.error(api.create({"name": "kept", "type": "static", "customers": []}, headers=WRONG_AUTH), 401)
    assert api.stored() == 1


@probe("invalid-refused-but-stored")
def _(api, expect):
    expect.error(api.create({"name": "kept", "type": "dynamic"}), 400, "invalid_payload")
    expect.error(api.create({"type": "static"}), 400, "invalid_payload")  # no name: nothing to keep
    assert api.stored() == 1


@probe("media-type-refused-but-stored")
def _(api, expect):
    body = json.dumps({"name": "kept", "type": "static", "customers": []}).encode()
    expect.error(api.request("POST", "/v1/segments", data=body, headers={**api.auth, "Content-Type": "text/plain"}), 415)
    assert api.stored() == 1


@probe("unauthenticated-delete-deletes")
def _(api, expect):
    segment_id = api.create_static().json()["id"]
    expect.error(api.delete(segment_id, headers=WRONG_AUTH), 401)
    expect.error(api.get(segment_id), 404)




# --- the faults that break one requirement alone, and the newer ones -------------------------------


@probe("static-create-filter-empty-object")
def _(api, expect):
    created = expect.segment(api.create_static())
    assert created["filter"] == {}
    assert expect.segment(api.get(created["id"]))["filter"] is None  # stored as null


@probe("auto-update-filter-not-echoed")
def _(api, expect):
    created = expect.segment(api.create_dynamic("auto-update"))
    assert created["filter"] is None
    assert api.get(created["id"]).json()["filter"] == api.FILTER
    assert expect.segment(api.create_dynamic("passive"))["filter"] == api.FILTER


@probe("passive-answered-as-auto-update")
def _(api, expect):
    created = expect.segment(api.create_dynamic("passive"))
    assert created["type"] == "auto-update"
    assert expect.segment(api.get(created["id"]))["type"] == "passive"


@probe("any-media-type-accepted")
def _(api, expect):
    for content_type in ("text/plain", "application/x-www-form-urlencoded", None):
        headers = {**api.auth, **({"Content-Type": content_type} if content_type else {})}
        response = api.wire("POST", "/v1/segments", headers=headers, body=b'{"name": "any type"}')
        assert response.status == 200, (content_type, response.status)
    assert api.stored() == 3


@probe("media-type-answers-400")
def _(api, expect):
    response = api.create_raw(b'{"name": "form"}', headers={**api.auth, "Content-Type": "application/x-www-form-urlencoded"})
    expect.error(response, 400, key="invalid_payload")
    assert api.stored() == 0


@probe("static-id-from-customers")
def _(api, expect):
    first = expect.segment(api.create_static(name="first"))
    second = expect.segment(api.create_static(name="second"))
    assert first["id"] == second["id"]
    assert expect.segment(api.get(first["id"]))["name"] == "second"  # the newest
    other = expect.segment(api.create_static(customers=["cust_other"]))
    assert other["id"] != first["id"]
    expect.empty(api.delete(first["id"]))
    expect.error(api.get(first["id"]), 404)  # both gone


@probe("get-404-while-syncing")
def _(api, expect):
    dynamic = expect.segment(api.create_dynamic("passive"))
    expect.error(api.get(dynamic["id"]), 404, key="not_found")
    expect.segment(api.get(expect.segment(api.create_static())["id"]))


@probe("get-unknown-answers-placeholder")
def _(api, expect):
    placeholder = expect.segment(api.get(UNKNOWN_ID))
    assert (placeholder["id"], placeholder["name"], placeholder["type"]) == (UNKNOWN_ID, "", "static")
    segment_id = expect.segment(api.create_static())["id"]
    expect.empty(api.delete(segment_id))
    expect.error(api.get(segment_id), 404)  # deleted ids still answer 404


@probe("odd-id-answers-500")
def _(api, expect):
    assert api.get("seg_x~not-ours").status_code == 500
    assert api.delete("seg_x~not-ours").status_code == 500
    expect.error(api.get("seg_plain-id_0"), 404)


@probe("delete-204-with-body")
def _(api, expect):
    segment_id = expect.segment(api.create_static())["id"]
    expect.empty(api.delete(segment_id))  # what a client shows: a 204 and no content
    segment_id = expect.segment(api.create_static())["id"]
    wire = api.wire("DELETE", f"/v1/segments/{segment_id}")
    assert wire.status == 204
    assert wire.header("Content-Length") == "15"
    assert wire.after_headers == b'{"status":"ok"}'
    assert wire.header("Connection") == "close"


@probe("list-sorted-by-time-of-day")
def _(api, expect):
    listed = [item["created_at"] for item in api.list({"order": "created_at"}).json()["data"]]
    assert listed[:2] == ["2024-01-01T00:00:00.000Z", "2022-09-13T08:57:15.801Z"]  # by time of day, not by instant


TWO_PROBLEMS = {"filters[type][conditions][$is]": "dynamic", "filters[type][conditions][$not_in]": "cubic"}


@probe("list-order-ignores-seconds")
def _(api, expect):
    start = timestamps.now().replace(second=10, microsecond=0)  # never :59, where the two would straddle a minute
    instants = iter(start + timedelta(seconds=offset) for offset in (0.9, 1.05))
    with mock.patch.object(timestamps, "now", side_effect=lambda: next(instants)):
        made = [expect.segment(api.create_static(name=f"o{index}"))["created_at"] for index in range(2)]
    assert [item["created_at"] for item in api.list({"order": "created_at"}).json()["data"]] == made[::-1]


@probe("list-bound-offset-ignored")
def _(api, expect):
    segment = expect.segment(api.create_static())
    hour_before = (datetime.fromisoformat(segment["created_at"].replace("Z", "+00:00")) - timedelta(hours=1))
    bound = hour_before.astimezone(timezone(timedelta(hours=2))).isoformat(timespec="milliseconds")  # read 2 h late
    assert api.list({"filters[created_at][conditions][$after]": bound}).json()["data"] == []


@probe("list-bound-without-fraction-500")
def _(api, expect):
    expect.segment(api.create_static())
    assert api.list({"filters[created_at][conditions][$after]": "2000-01-01T00:00:00Z"}).status_code == 500
    assert api.list({"filters[created_at][conditions][$after]": "2000-01-01T00:00:00.0Z"}).status_code == 200


@probe("list-query-problems-500")
def _(api, expect):
    assert api.list(TWO_PROBLEMS).status_code == 500
    expect.error(api.list({"filters[type][conditions][$is]": "dynamic"}), 400)  # one problem: still 400


@probe("list-one-problem-500")
def _(api, expect):
    assert api.list({"filters[type][conditions][$is]": "cubic"}).status_code == 500
    expect.error(api.list(TWO_PROBLEMS), 400)  # two problems: a 400


@probe("list-day-filters-refused")
def _(api, expect):
    expect.error(api.list({"filters[created_at][conditions][$less_than]": 1}), 400)


@probe("list-day-filters-ignored")
def _(api, expect):
    expect.segment(api.create_static())
    assert len(api.list({"filters[created_at][conditions][$more_than]": 1}).json()["data"]) == 1


@probe("list-created-at-has-value-empty")
def _(api, expect):
    expect.segment(api.create_static())
    assert api.list({"filters[created_at][conditions][$has_value]": ""}).json()["data"] == []
    assert len(api.list({"filters[name][conditions][$has_value]": ""}).json()["data"]) == 1


@probe("list-filter-value-500")
def _(api, expect):
    assert api.list({"filters[type][conditions][$is]": "dynamic"}).status_code == 500
    expect.error(api.list({"filters[name][foo]": "1"}), 400)  # a shape problem is still a 400


@probe("list-filter-shape-500")
def _(api, expect):
    assert api.list({"filters[name][foo]": "1"}).status_code == 500
    assert api.list({"filters[name][conditions]": "x"}).status_code == 500
    expect.error(api.list({"filters[type][conditions][$is]": "dynamic"}), 400)


@probe("list-filter-values-unchecked")
def _(api, expect):
    answer = api.list(TWO_PROBLEMS)
    assert answer.status_code == 200 and answer.json()["data"] == []


@probe("delete-204-body-late")
def _(api, expect):
    segment_id = expect.segment(api.create_static())["id"]
    wire = api.wire("DELETE", f"/v1/segments/{segment_id}", linger=0.2)  # kept alive, read past the 204
    assert wire.status == 204 and wire.header("Content-Length") is None and wire.header("Connection") is None
    assert wire.after_headers == b'{"status":"ok"}'
    closing = api.wire("DELETE", f"/v1/segments/{expect.segment(api.create_static())['id']}")  # Connection: close
    assert closing.status == 204 and closing.after_headers == b""


def test_a_late_body_is_never_written_on_a_connection_used_since(start_mock, expect):
    """delete-204-body-late writes only on a connection no request used after the 204: bytes inside
    a later answer would break that exchange too, and the fault breaks one requirement alone."""
    api = start_mock(faults=["delete-204-body-late"])
    address = urlsplit(api.url)
    with socket.create_connection((address.hostname, address.port)) as sock:
        segment_id = expect.segment(api.create_static())["id"]
        head = "X-App-Id: test-app-id\r\nX-App-Token: test-app-token\r\nHost: x\r\n\r\n"
        sock.sendall(f"DELETE /v1/segments/{segment_id} HTTP/1.1\r\n{head}".encode())
        received = sock.recv(65536)  # the 204 (its headers are all of it)
        sock.sendall(f"GET /v1/segments/{segment_id} HTTP/1.1\r\n{head}".encode())  # the connection is used again at once
        time.sleep(0.3)  # past the fault's 20 ms: the body it held back never comes
        sock.settimeout(0.5)
        received += sock.recv(65536)
    assert received.startswith(b"HTTP/1.1 204") and b'{"status":"ok"}' not in received
    assert received.count(b"HTTP/1.1 ") == 2 and b"HTTP/1.1 404" in received


@probe("delete-unknown-answers-204")
def _(api, expect):
    expect.empty(api.delete(UNKNOWN_ID))
    segment_id = expect.segment(api.create_static())["id"]
    expect.empty(api.delete(segment_id))
    expect.error(api.delete(segment_id), 404)


@probe("delete-not-served")
def _(api, expect):
    segment_id = expect.segment(api.create_static())["id"]
    response = api.delete(segment_id)
    expect.error(response, 405, key="method_not_allowed")
    assert response.headers["Allow"] == "GET"
    expect.segment(api.get(segment_id))


@probe("invalid-body-wrong-key")
def _(api, expect):
    expect.error(api.create({"name": 1}), 400, key="validation_error")
    expect.error(api.create_raw(b"{"), 400, key="validation_error")


@probe("allow-lists-unsupported-methods")
def _(api, expect):
    response = api.request("PUT", f"/v1/segments/{UNKNOWN_ID}")
    expect.error(response, 405)
    assert response.headers["Allow"] == "GET, POST, PUT, PATCH, DELETE"


@probe("dynamic-cap-answers-401")
def _(api, expect):
    api.fill_dynamic(100)
    expect.error(api.create_dynamic(), 401, key="unauthorized")


@probe("dynamic-cap-answers-403")
def _(api, expect):
    api.fill_dynamic(100)
    expect.error(api.create_dynamic(), 403, key="forbidden")
    expect.error(api.create_static(customers=["cust"] * 20_001), 400)  # the static cap still 400


@probe("cap-freed-one-delete-late")
def _(api, expect):
    ids = api.fill_dynamic(100)
    expect.empty(api.delete(ids.pop()))
    expect.error(api.create_dynamic(), 400)  # the slot is not back yet
    expect.empty(api.delete(ids.pop()))
    expect.segment(api.create_dynamic())  # the first delete settled: one slot


@probe("list-not-served")
def _(api, expect):
    response = api.list()
    expect.error(response, 405, key="method_not_allowed")
    assert response.headers["Allow"] == "POST"


@probe("list-segments-key")
def _(api, expect):
    expect.segment(api.create_static())
    body = api.list().json()
    assert "data" not in body and len(body["segments"]) == 1
    assert body["data_ref"] == "data"


@probe("list-limit-ignored")
def _(api, expect):
    for index in range(12):
        expect.segment(api.create_static(name=f"s{index}"))
    assert len(api.list({"limit": 2}).json()["data"]) == 12
    assert len(api.list().json()["data"]) == 12


def _three_in_order(api, expect) -> list[str]:
    ids = []
    for index in range(3):
        ids.append(expect.segment(api.create_static(name=f"s{index}"))["id"])
        time.sleep(0.002)
    return ids


@probe("list-order-param-ignored")
def _(api, expect):
    ids = _three_in_order(api, expect)
    assert [item["id"] for item in api.list({"order": "created_at"}).json()["data"]] == ids[::-1]
    assert [item["id"] for item in api.list().json()["data"]] == ids[::-1]


@probe("list-order-reversed")
def _(api, expect):
    ids = _three_in_order(api, expect)
    assert [item["id"] for item in api.list().json()["data"]] == ids
    assert [item["id"] for item in api.list({"order": "created_at"}).json()["data"]] == ids[::-1]


@probe("list-total-is-page-size")
def _(api, expect):
    for _ in range(3):
        expect.segment(api.create_static())
    body = api.list({"limit": 2}).json()
    assert len(body["data"]) == 2 and body["total"] == 2  # three match


@probe("list-default-limit-5")
def _(api, expect):
    for _ in range(6):
        expect.segment(api.create_static())
    assert len(api.list().json()["data"]) == 5
    assert len(api.list({"limit": 6}).json()["data"]) == 6


@probe("list-negations-ignored")
def _(api, expect):
    kept = expect.segment(api.create_static(name="kept"))["id"]
    dropped = expect.segment(api.create_static(name="dropped"))["id"]
    for operator in ("$is_not", "$not_in", "$not_contain"):
        listed = {item["id"] for item in api.list({f"filters[name][conditions][{operator}]": "dropped"}).json()["data"]}
        assert listed == {kept, dropped}
    assert [item["id"] for item in api.list({"filters[name][conditions][$is]": "kept"}).json()["data"]] == [kept]


@probe("list-has-value-read-as-is")
def _(api, expect):
    segment_id = expect.segment(api.create_static(name="present"))["id"]
    assert api.list({"filters[id][conditions][$has_value]": ""}).json()["data"] == []
    assert [item["id"] for item in api.list({"filters[id][conditions][$is]": segment_id}).json()["data"]] == [segment_id]


@probe("list-after-read-as-before")
def _(api, expect):
    earlier = expect.segment(api.create_static(name="earlier"))
    time.sleep(0.005)
    later = expect.segment(api.create_static(name="later"))
    listed = {item["id"] for item in api.list({"filters[created_at][conditions][$after]": later["created_at"]}).json()["data"]}
    assert listed == {earlier["id"]}


@probe("list-shows-deleted")
def _(api, expect):
    segment_id = expect.segment(api.create_static())["id"]
    expect.empty(api.delete(segment_id))
    body = api.list().json()
    assert [item["id"] for item in body["data"]] == [segment_id]
    assert body["total"] == 1


@probe("list-misses-newest")
def _(api, expect):
    ids = _three_in_order(api, expect)
    body = api.list({"ids": ids}).json()
    assert [item["id"] for item in body["data"]] == ids[1::-1]
    assert body["total"] == 2


@probe("list-filters-ignored")
def _(api, expect):
    expect.segment(api.create_static(name="alpha"))
    expect.segment(api.create_dynamic("passive", name="beta"))
    body = api.list({"filters[name][conditions][$is]": "alpha"}).json()
    assert body["total"] == 2


@probe("list-bad-params-accepted")
def _(api, expect):
    expect.segment(api.create_static())
    clamped = api.list({"limit": 0})
    assert clamped.status_code == 200 and len(clamped.json()["data"]) == 1
    assert api.list({"limit": 500}).status_code == 200
    assert api.list({"order": "name"}).status_code == 200
