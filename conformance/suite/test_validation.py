"""Invalid create bodies: rejected with a 4xx (400 SHOULD) and the Error object, never a 5xx.
Ambiguous bodies: observed and reported, never failed."""

import json

import pytest

from conformance.contract import CREATE_PATH
from conformance.suite import bodies
from conformance.suite.scenarios import check_nothing_stored

INVALID_BODIES = {
    "name-missing": {"type": "static", "customers": bodies.STATIC_CUSTOMERS},
    "name-number": {"name": 42, "type": "static", "customers": bodies.STATIC_CUSTOMERS},
    "name-null": {"name": None, "type": "auto-update", "filter": bodies.CREATED_AFTER_FILTER},
    "type-unknown": {"name": "x", "type": "dynamic", "filter": bodies.CREATED_AFTER_FILTER},
    "type-number": {"name": "x", "type": 1},
    "type-boolean": {"name": "x", "type": True},
    "type-null": {"name": "x", "type": None, "customers": bodies.STATIC_CUSTOMERS},
    "type-array": {"name": "x", "type": ["static"], "customers": bodies.STATIC_CUSTOMERS},
    "type-object": {"name": "x", "type": {"static": True}, "customers": bodies.STATIC_CUSTOMERS},
    "customers-not-array": {"name": "x", "type": "static", "customers": "cust_1"},
    "customers-not-strings": {"name": "x", "type": "static", "customers": [1, 2]},
    "filter-not-object": {"name": "x", "type": "auto-update", "filter": "created_at > 2021"},
    "body-array": [{"name": "x", "type": "static"}],
    "body-string": "segment",
}

RAW_BODIES = {
    "malformed-json": '{"name": "x", "type": "static",',
    "empty-body": "",
}


def _expect_rejected(target, verify, exchange, what):
    verify.check("SEG-VALIDATION-4XX", 400 <= exchange.status < 500, f"expected a 4xx for {what}, answered {exchange.status}", exchange)
    verify.check("SEG-VALIDATION-400", exchange.status == 400, f"expected 400 for {what}, answered {exchange.status}", exchange)
    key = exchange.json.get("key") if isinstance(exchange.json, dict) else None
    if exchange.status == 400 and key is not None:  # the vendor's key for it, when the Error object names one
        verify.check("SEG-VALIDATION-400", key == "invalid_payload", f"expected key invalid_payload for {what}, got {key!r}", exchange)


SANDBOX_BODIES = {"name-missing", "type-unknown", "customers-not-strings"}


@pytest.mark.parametrize("label", [pytest.param(label, marks=[pytest.mark.sandbox] if label in SANDBOX_BODIES else []) for label in INVALID_BODIES])
@pytest.mark.requirement("SEG-VALIDATION-4XX", "SEG-VALIDATION-400", "SEG-ERROR-OBJECT", "SEG-ERROR-CODE-STATUS", "SEG-NO-5XX")
def test_invalid_body_is_rejected(conformance, target, verify, names, label):
    """An invalid create body answers 4xx (400 expected) with the Error object and creates nothing
    (a body that names a segment is looked for where the run can see the account)."""
    body = INVALID_BODIES[label]
    named = isinstance(body, dict) and isinstance(body.get("name"), str)
    if named:
        body = {**body, "name": f"{body['name']} (invalid: {label}) {names('invalid')}"}
    exchange = target.create(body)
    _expect_rejected(target, verify, exchange, f"the invalid body {label!r}")
    if named:
        check_nothing_stored(conformance, target, verify, "SEG-VALIDATION-4XX", body["name"], f"the invalid body {label!r}", exchange)


@pytest.mark.parametrize("label", [pytest.param(label, marks=[pytest.mark.sandbox] if label == "malformed-json" else []) for label in RAW_BODIES])
@pytest.mark.requirement("SEG-VALIDATION-4XX", "SEG-VALIDATION-400", "SEG-ERROR-OBJECT", "SEG-NO-5XX")
def test_unparseable_body_is_rejected(target, verify, label):
    """Malformed JSON and an empty body answer 4xx (400 expected), never a 5xx."""
    exchange = target.send("POST", CREATE_PATH, raw_body=RAW_BODIES[label].encode(), headers={"Content-Type": "application/json"})
    _expect_rejected(target, verify, exchange, f"a {label} body")


# A valid body, declared as something other than JSON: the vendor's document accepts application/json only.
MEDIA_TYPES = {
    "text-plain": "text/plain",
    "form": "application/x-www-form-urlencoded",
    "multipart": "multipart/form-data; boundary=conformance",
    "none": None,
}


@pytest.mark.parametrize("label", [pytest.param(label, marks=[pytest.mark.sandbox] if label == "text-plain" else []) for label in MEDIA_TYPES])
@pytest.mark.requirement("SEG-CREATE-MEDIA-TYPE-415", "SEG-ERROR-OBJECT")
def test_create_body_of_another_media_type_is_refused(conformance, target, verify, names, label):
    """A valid JSON body declared text/plain, form, multipart or nothing answers 415 and creates nothing."""
    name = names(f"media-{label}")
    body = json.dumps(bodies.static(name)).encode("utf-8")
    exchange = target.send("POST", CREATE_PATH, raw_body=body, headers={"Content-Type": MEDIA_TYPES[label]})
    verify.check("SEG-CREATE-MEDIA-TYPE-415", exchange.status == 415,
                 f"expected 415 for a body declared {MEDIA_TYPES[label] or '(no Content-Type)'}, answered {exchange.status}"
                 + (" and a segment was created" if exchange.status == 200 else ""), exchange)
    check_nothing_stored(conformance, target, verify, "SEG-CREATE-MEDIA-TYPE-415", name,
                         f"a body declared {MEDIA_TYPES[label] or '(no Content-Type)'}", exchange)


AMBIGUOUS = {
    "SEG-AMBIG-NO-TYPE": lambda name: {"name": name, "customers": bodies.STATIC_CUSTOMERS},
    "SEG-AMBIG-CUSTOMERS-AND-FILTER": lambda name: {"name": name, "type": "static", "customers": bodies.STATIC_CUSTOMERS,
                                                     "filter": bodies.CREATED_AFTER_FILTER},
    "SEG-AMBIG-DYNAMIC-NO-FILTER": lambda name: {"name": name, "type": "passive"},
    "SEG-AMBIG-STATIC-NO-CUSTOMERS": lambda name: {"name": name, "type": "static"},
}


@pytest.mark.parametrize(
    "requirement_id", [pytest.param(key, marks=[pytest.mark.requirement(key), pytest.mark.sandbox], id=key) for key in AMBIGUOUS]
)
def test_ambiguous_body_is_observed(target, verify, names, requirement_id):
    """A body the vendor's document leaves open: what the target does is recorded, not judged."""
    exchange = target.create(AMBIGUOUS[requirement_id](names("ambiguous")))
    if exchange.status == 200:
        segment = exchange.json
        verify.observe(requirement_id, f"accepted as a {segment.get('type')!r} segment", exchange)
    else:
        verify.observe(requirement_id, f"rejected with {exchange.status}", exchange)
