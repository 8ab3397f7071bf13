"""Authentication: every operation, every way the credentials can be wrong, checked first."""

import pytest

from conformance.contract import CREATE_PATH
from conformance.masking import WRONG_ON_PURPOSE
from conformance.suite import bodies
from conformance.suite.scenarios import check_nothing_stored, create
from conformance.target import segment_path

# How the credentials can be wrong: header overrides on top of the right ones (None drops one).
CREDENTIAL_FAULTS = {
    "missing-app-id": {"X-App-Id": None},
    "missing-app-token": {"X-App-Token": None},
    "wrong-app-id": {"X-App-Id": WRONG_ON_PURPOSE + "app-id"},
    "wrong-app-token": {"X-App-Token": WRONG_ON_PURPOSE + "app-token"},
    "both-missing": {"X-App-Id": None, "X-App-Token": None},
}


@pytest.fixture
def existing_segment(conformance, target, verify, names):
    return create(conformance, target, verify, bodies.static(names("auth"))).json["id"]


def _expect_401(verify, exchange, what):
    verify.check("SEG-AUTH-401", exchange.status == 401, f"expected 401 for {what}, answered {exchange.status}", exchange)


def _sandbox(*chosen):
    """The credential faults the sandbox profile keeps for one operation (together: all five)."""
    return [pytest.param(fault, marks=[pytest.mark.sandbox] if fault in chosen else []) for fault in CREDENTIAL_FAULTS]


@pytest.mark.parametrize("fault", _sandbox("wrong-app-token", "both-missing"))
@pytest.mark.requirement("SEG-AUTH-401", "SEG-AUTH-NO-EFFECT", "SEG-ERROR-OBJECT")
def test_create_without_valid_credentials(conformance, target, verify, names, fault):
    """POST with bad credentials answers 401 with the Error object and creates nothing: judged by
    the status, and where the run can see the account, by what it holds."""
    name = names(f"unauthorized-{fault}")
    exchange = target.send("POST", CREATE_PATH, json_body=bodies.static(name), headers=CREDENTIAL_FAULTS[fault])
    _expect_401(verify, exchange, f"a create with {fault}")
    verify.check("SEG-AUTH-NO-EFFECT", not 200 <= exchange.status < 300,
                 f"expected nothing created, answered {exchange.status} (a segment was created without valid credentials)", exchange)
    check_nothing_stored(conformance, target, verify, "SEG-AUTH-NO-EFFECT", name, f"a create with {fault}", exchange)


@pytest.mark.parametrize("fault", _sandbox("missing-app-token"))
@pytest.mark.requirement("SEG-AUTH-401", "SEG-ERROR-OBJECT", "SEG-CREATE-STATIC-200")
def test_get_without_valid_credentials(target, verify, existing_segment, fault):
    """GET with bad credentials answers 401, even for a segment that exists."""
    _expect_401(verify, target.get(existing_segment, headers=CREDENTIAL_FAULTS[fault]), f"a get with {fault}")


@pytest.mark.parametrize("fault", _sandbox("wrong-app-id", "missing-app-id"))
@pytest.mark.requirement("SEG-AUTH-401", "SEG-AUTH-NO-EFFECT", "SEG-ERROR-OBJECT", "SEG-CREATE-STATIC-200")
def test_delete_without_valid_credentials(target, verify, existing_segment, fault):
    """DELETE with bad credentials answers 401 and the segment is still there."""
    exchange = target.send("DELETE", segment_path(existing_segment), headers=CREDENTIAL_FAULTS[fault])
    _expect_401(verify, exchange, f"a delete with {fault}")
    still_there = target.get(existing_segment)
    verify.check("SEG-AUTH-NO-EFFECT", still_there.status == 200,
                 f"expected the segment still there (200) after an unauthorized delete, get answered {still_there.status}", still_there)


# Judged on absent credentials only: a server that checks credentials first but accepts a wrong
# value would fail here for the wrong reason (that is SEG-AUTH-401's business).
@pytest.mark.requirement("SEG-AUTH-FIRST")
@pytest.mark.parametrize("fault", [pytest.param("missing-app-token", marks=pytest.mark.sandbox), "both-missing"])
def test_credentials_are_checked_before_anything_else(target, verify, unknown_id, fault):
    """Without credentials an invalid body, malformed JSON or an unknown id still answers 401."""
    headers = CREDENTIAL_FAULTS[fault]
    sends = {
        "an invalid body": lambda: target.send("POST", CREATE_PATH, json_body={"name": 42, "type": "nope"}, headers=headers),
        "malformed JSON": lambda: target.send("POST", CREATE_PATH, raw_body=b"{not json",
                                              headers={**headers, "Content-Type": "application/json"}),
        "get of an unknown id": lambda: target.get(unknown_id, headers=headers),
        "delete of an unknown id": lambda: target.send("DELETE", segment_path(unknown_id), headers=headers),
    }
    for what, send in sends.items():
        exchange = send()
        verify.check("SEG-AUTH-FIRST", exchange.status == 401,
                     f"expected 401 for {what} without credentials, answered {exchange.status}", exchange)
