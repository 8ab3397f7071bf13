"""Methods a path does not support: 405 with an Allow header (a SHOULD: the vendor documents none)."""

import pytest

from conformance.contract import CREATE_PATH, SEGMENT_PATH
from conformance.suite import bodies

UNSUPPORTED = [("GET", CREATE_PATH), ("DELETE", CREATE_PATH), ("PUT", SEGMENT_PATH), ("PATCH", SEGMENT_PATH), ("POST", SEGMENT_PATH)]


@pytest.mark.parametrize(
    "method, path",
    [pytest.param(m, p, id=f"{m} {p}", marks=[pytest.mark.sandbox] if (m, p) == ("DELETE", CREATE_PATH) else []) for m, p in UNSUPPORTED],
)
@pytest.mark.requirement("SEG-METHOD-405")
def test_unsupported_method(target, verify, names, method, path):
    """An unsupported method answers 405 with an Allow header, and changes nothing."""
    segment_id = None
    if path == SEGMENT_PATH:
        created = target.create(bodies.static(names("method")))
        verify.check("SEG-CREATE-STATIC-200", created.status == 200, f"create answered {created.status}", created)
        segment_id = created.json["id"]
    body = {"name": "changed"} if method in ("PUT", "PATCH", "POST") else None
    exchange = target.send(method, path, segment_id=segment_id, json_body=body)
    verify.check("SEG-METHOD-405", exchange.status == 405, f"{method} {path} answered {exchange.status}, not 405", exchange)
    if exchange.status == 405:
        verify.check("SEG-METHOD-405", "allow" in exchange.response_headers, "a 405 without an Allow header", exchange)
