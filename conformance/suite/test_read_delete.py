"""Get and delete: read-back of what was written, 204 with no body, 404 after."""

import contextlib

import pytest

from conformance.suite import bodies
from conformance.suite.scenarios import create

READ_BACK = {
    "static": lambda name: bodies.static(name),
    "static-non-ascii-long": lambda name: bodies.static("Zażółć gęślą jaźń 日本語 " * 40 + name),
    "auto-update-dotted-keys": lambda name: bodies.dynamic(name, "auto-update", bodies.BIRTHDAY_FILTER),
    "passive": lambda name: bodies.dynamic(name, "passive"),
}


@pytest.mark.parametrize("label", [pytest.param(label, marks=[pytest.mark.sandbox] if label == "auto-update-dotted-keys" else []) for label in READ_BACK])
@pytest.mark.requirement("SEG-GET-200", "SEG-GET-READBACK", "SEG-SEGMENT-SCHEMA",
                         "SEG-CREATE-STATIC-200", "SEG-CREATE-AUTOUPDATE-200", "SEG-CREATE-PASSIVE-200")
def test_get_returns_what_was_created(conformance, target, verify, names, label):
    """GET answers 200 with the id, name, type, filter and created_at that create answered."""
    body = READ_BACK[label](names(label))
    created = create(conformance, target, verify, body).json
    exchange = target.get(created["id"])
    verify.check("SEG-GET-200", exchange.status == 200, f"expected 200 for a segment just created, answered {exchange.status}", exchange)
    segment = exchange.json
    verify.check("SEG-GET-200", isinstance(segment, dict) and segment.get("id") == created["id"],
                 f"expected the Segment itself (id {created['id']}), got {str(segment)[:120]}", exchange)
    expected = {"id": created["id"], "name": body["name"], "type": body["type"],
                "filter": body.get("filter"), "created_at": created["created_at"]}
    for key, value in expected.items():
        verify.check("SEG-GET-READBACK", segment.get(key) == value,
                     f"expected {key} {str(value)[:120]!r} as created, get answered {str(segment.get(key))[:120]!r}", exchange)


@pytest.mark.sandbox
@pytest.mark.requirement("SEG-GET-404", "SEG-ERROR-OBJECT", "SEG-ERROR-CODE-STATUS")
def test_get_unknown_id_is_404(target, verify, unknown_id):
    """GET of an id that never existed answers 404 with the Error object."""
    exchange = target.get(unknown_id)
    verify.check("SEG-GET-404", exchange.status == 404, f"expected 404 for an id that never existed, answered {exchange.status}", exchange)


@pytest.mark.requirement("SEG-DELETE-204-EMPTY", "SEG-DELETE-GONE", "SEG-DELETE-TWICE-404",
                         "SEG-CREATE-STATIC-200", "SEG-CREATE-AUTOUPDATE-200", "SEG-CREATE-PASSIVE-200")
@pytest.mark.parametrize("kind", [pytest.param("static", marks=pytest.mark.sandbox), "auto-update", "passive"])
def test_delete_then_gone(conformance, target, verify, names, kind):
    """DELETE answers 204 with no body; then get and a second delete answer 404."""
    body = bodies.static(names(kind)) if kind == "static" else bodies.dynamic(names(kind), kind)
    created = create(conformance, target, verify, body).json
    # The body itself is judged from the framing by the generic check (an HTTP client drops a 204's
    # body). Once, a kept-alive 204 is watched for a body written after its headers: the watch costs
    # its whole length on a clean server, so one kind (the sandbox's) pays it, not every delete.
    with target.transport.watching_for_late_bytes() if kind == "static" else contextlib.nullcontext():
        deleted = target.delete(created["id"])
    verify.check("SEG-DELETE-204-EMPTY", deleted.status == 204, f"expected 204, answered {deleted.status}", deleted)
    gone = target.get(created["id"])
    verify.check("SEG-DELETE-GONE", gone.status == 404, f"expected 404 for a deleted segment, get answered {gone.status}", gone)
    again = target.delete(created["id"])
    verify.check("SEG-DELETE-TWICE-404", again.status == 404, f"expected 404 for a second delete, answered {again.status}", again)


@pytest.mark.sandbox
@pytest.mark.requirement("SEG-DELETE-404", "SEG-CREATE-STATIC-200")
def test_delete_unknown_id_is_404(conformance, target, verify, names, unknown_id):
    """DELETE of an id that never existed answers 404 and deletes nothing."""
    bystander = create(conformance, target, verify, bodies.static(names("bystander"))).json
    exchange = target.delete(unknown_id)
    verify.check("SEG-DELETE-404", exchange.status == 404, f"expected 404 for an id that never existed, answered {exchange.status}", exchange)
    still_there = target.get(bystander["id"])
    verify.check("SEG-DELETE-404", still_there.status == 200,
                 f"expected the bystander still there (200), get answered {still_there.status}", still_there)


@pytest.mark.requirement("SEG-CREATE-STATIC-200", "SEG-GET-200", "SEG-DELETE-204-EMPTY")
def test_a_client_that_accepts_gzip_is_served(target, verify, names):
    """Create, get and delete from a client that accepts gzip (as most do; the run's other requests
    accept identity only): the same answers, decoded, and a 204 with no body."""
    gzip_ok = {"Accept-Encoding": "gzip"}
    made = target.create(bodies.static(names("gzip")), headers=gzip_ok)
    verify.check("SEG-CREATE-STATIC-200", made.status == 200, f"expected 200 (Accept-Encoding: gzip), answered {made.status}", made)
    created = made.json
    got = target.get(created["id"], headers=gzip_ok)
    verify.check("SEG-GET-200", got.status == 200, f"expected 200 for a segment just created (Accept-Encoding: gzip), "
                 f"answered {got.status}", got)
    deleted = target.delete(created["id"], headers=gzip_ok)
    verify.check("SEG-DELETE-204-EMPTY", deleted.status == 204, f"expected 204 (Accept-Encoding: gzip), answered {deleted.status}", deleted)
