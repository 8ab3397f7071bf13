"""Every fault switch does what it says, and only that.

For each fault: its probe observes the deviation on a mock with that fault on, and the baseline
checks whose requirements the fault does not declare still pass there (so a fault is one small
deviation, not a broken mock). Requirement-level detection of each fault by the suite is the
suite's own test; here we prove the mock side.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from conformance import contract
from conformance.catalogue import load_catalogue
from conformance.mock import FAULTS, MockServer, UnknownFault, faults_breaking
from conformance.mock.faults import ActiveFaults

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


def test_every_must_and_should_requirement_has_a_fault():
    catalogue = load_catalogue()
    uncovered = [
        rid for rid, req in catalogue.items() if req.level != "OBSERVE" and not faults_breaking(rid)
    ]
    assert uncovered == []


def test_faults_name_real_requirements_that_can_fail():
    catalogue = load_catalogue()
    for fault in FAULTS.values():
        assert fault.requirements, fault.name
        for requirement_id in fault.requirements:
            assert catalogue[requirement_id].level in ("MUST", "SHOULD"), (
                fault.name,
                requirement_id,
            )


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


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_changes_its_own_behaviour(name, start_mock, expect):
    PROBES[name](start_mock(faults=[name]), expect)


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
    assert api.create({"name": 123}).json()["name"] == "123"
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


@probe("unauthenticated-delete-deletes")
def _(api, expect):
    segment_id = api.create_static().json()["id"]
    expect.error(api.delete(segment_id, headers=WRONG_AUTH), 401)
    expect.error(api.get(segment_id), 404)


# --- and only that --------------------------------------------------------------------------------
#
# Each baseline check asserts one behaviour strictly and builds its setup leniently (any answer
# that carries an id will do), so a fault trips only the checks that name its requirements.


@dataclass(frozen=True)
class BaselineCheck:
    requirements: frozenset[str]
    run: Callable

    def applies_to(self, fault_name: str) -> bool:
        return not self.requirements & set(FAULTS[fault_name].requirements)


def _baseline(*requirements: str):
    def register(function):
        BASELINE.append(BaselineCheck(frozenset(requirements), function))
        return function

    return register


BASELINE: list[BaselineCheck] = []


@_baseline(
    "SEG-CREATE-STATIC-200",
    "SEG-CREATE-NAME-ECHO",
    "SEG-CREATE-SYNC-STATUS",
    "SEG-SEGMENT-SCHEMA",
    "SEG-SEGMENT-OBJECT",
    "SEG-SEGMENT-CREATED-AT",
)
def _create_static(api):
    response = api.create_static(name="baseline")
    assert response.status_code == 200
    segment = response.json()
    assert contract.schema_errors(segment, contract.SEGMENT_SCHEMA) == []
    assert segment["created_at"].endswith("Z")
    assert (segment["name"], segment["type"], segment["filter"]) == ("baseline", "static", None)
    assert (segment["object"], segment["initial_sync_status"]) == ("segment", "DONE")


@_baseline("SEG-CREATE-AUTOUPDATE-200", "SEG-CREATE-SYNC-STATUS")
def _create_auto_update(api):
    response = api.create_dynamic("auto-update")
    assert response.status_code == 200
    segment = response.json()
    assert (segment["type"], segment["filter"]) == ("auto-update", api.FILTER)
    assert segment["initial_sync_status"] == "IN_PROGRESS"


@_baseline("SEG-GET-200", "SEG-GET-READBACK", "SEG-SEGMENT-SCHEMA")
def _get_reads_back(api):
    sent = {"name": "read back", "type": "auto-update", "filter": api.FILTER}
    created = api.create(sent).json()
    response = api.get(created["id"])
    assert response.status_code == 200
    got = response.json()
    assert (got["id"], got["created_at"]) == (created["id"], created["created_at"])
    assert (got["name"], got["type"], got["filter"]) == (sent["name"], sent["type"], sent["filter"])


@_baseline("SEG-DELETE-204-EMPTY", "SEG-DELETE-GONE", "SEG-DELETE-TWICE-404")
def _delete_then_gone(api):
    segment_id = api.create_static(name="to delete").json()["id"]
    deleted = api.delete(segment_id)
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert api.get(segment_id).status_code == 404
    assert api.delete(segment_id).status_code == 404


@_baseline("SEG-GET-404", "SEG-DELETE-404")
def _unknown_id_404(api):
    assert api.get(UNKNOWN_ID).status_code == 404
    assert api.delete(UNKNOWN_ID).status_code == 404


@_baseline("SEG-ERROR-OBJECT", "SEG-ERROR-CODE-STATUS", "SEG-GET-404")
def _error_object(api):
    invalid = {"name": "x", "type": "dynamic"}
    for response in (api.get(UNKNOWN_ID), api.create(invalid), api.get(UNKNOWN_ID, headers={})):
        error = response.json()
        assert contract.schema_errors(error, contract.ERROR_SCHEMA) == []
        assert error["code"] == response.status_code


@_baseline("SEG-JSON-CONTENT-TYPE")
def _json_content_type(api):
    for response in (api.create_static(), api.get(UNKNOWN_ID), api.create_raw(b"{")):
        assert response.headers["Content-Type"].startswith("application/json")


@_baseline("SEG-AUTH-401", "SEG-AUTH-FIRST")
def _missing_or_wrong_credentials_401(api):
    segment_id = api.create_static().json()["id"]
    assert api.create({"name": 1}, headers={}).status_code == 401
    assert api.get(segment_id, headers=WRONG_AUTH).status_code == 401
    assert api.delete(UNKNOWN_ID, headers={}).status_code == 401


@_baseline("SEG-AUTH-NO-EFFECT", "SEG-AUTH-401")
def _rejected_delete_deletes_nothing(api):
    segment_id = api.create_static().json()["id"]
    assert api.delete(segment_id, headers=WRONG_AUTH).status_code == 401
    assert api.get(segment_id).status_code == 200


@_baseline("SEG-ID-UNIQUE")
def _ids_unique(api):
    ids = [api.create_static(name=f"unique {index}").json()["id"] for index in range(5)]
    assert len(set(ids)) == 5


@_baseline("SEG-VALIDATION-4XX", "SEG-VALIDATION-400", "SEG-NO-5XX")
def _invalid_body_400(api):
    assert api.create({"name": 1}).status_code == 400
    assert api.create_raw(b"{").status_code == 400


@_baseline("SEG-METHOD-405")
def _method_not_allowed_405(api):
    response = api.request("PATCH", f"/v1/segments/{UNKNOWN_ID}")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, DELETE"


def test_baseline_passes_on_the_correct_mock(start_mock):
    api = start_mock()
    for check in BASELINE:
        check.run(api)


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_fault_leaves_the_rest_working(name, start_mock):
    checks = [check for check in BASELINE if check.applies_to(name)]
    assert len(checks) >= len(BASELINE) - 3, f"{name} is not one small deviation"
    api = start_mock(faults=[name])
    for check in checks:
        check.run(api)
