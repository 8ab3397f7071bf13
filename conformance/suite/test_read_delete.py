"""Get and delete: read-back of what was written, 204 with no body, 404 after."""

import pytest

from conformance.suite import bodies


def _create(target, verify, body):
    exchange = target.create(body)
    requirement_id = {"static": "SEG-CREATE-STATIC-200", "auto-update": "SEG-CREATE-AUTOUPDATE-200",
                      "passive": "SEG-CREATE-PASSIVE-200"}[body.get("type", "static")]
    verify.check(requirement_id, exchange.status == 200, f"create answered {exchange.status}, not 200", exchange)
    return exchange.json


READ_BACK = {
    "static": lambda name: bodies.static(name),
    "static-non-ascii-long": lambda name: bodies.static("Zażółć gęślą jaźń 日本語 " * 40 + name),
    "auto-update-dotted-keys": lambda name: bodies.dynamic(name, "auto-update", bodies.BIRTHDAY_FILTER),
    "passive": lambda name: bodies.dynamic(name, "passive"),
}


@pytest.mark.parametrize("label", [pytest.param(label, marks=[pytest.mark.sandbox] if label == "auto-update-dotted-keys" else []) for label in READ_BACK])
@pytest.mark.requirement("SEG-GET-200", "SEG-GET-READBACK", "SEG-SEGMENT-SCHEMA")
def test_get_returns_what_was_created(target, verify, names, label):
    """GET answers 200 with the id, name, type, filter and created_at that create answered."""
    body = READ_BACK[label](names(label))
    created = _create(target, verify, body)
    exchange = target.get(created["id"])
    verify.check("SEG-GET-200", exchange.status == 200, f"get of a segment just created answered {exchange.status}", exchange)
    segment = exchange.json
    expected = {"id": created["id"], "name": body["name"], "type": body["type"],
                "filter": body.get("filter"), "created_at": created["created_at"]}
    for key, value in expected.items():
        verify.check("SEG-GET-READBACK", segment.get(key) == value,
                     f"get answered {key} {str(segment.get(key))[:120]!r}, created with {str(value)[:120]!r}", exchange)


@pytest.mark.sandbox
@pytest.mark.requirement("SEG-GET-404", "SEG-ERROR-OBJECT", "SEG-ERROR-CODE-STATUS")
def test_get_unknown_id_is_404(target, verify, unknown_id):
    """GET of an id that never existed answers 404 with the Error object."""
    exchange = target.get(unknown_id)
    verify.check("SEG-GET-404", exchange.status == 404, f"get of an unknown id answered {exchange.status}", exchange)


@pytest.mark.requirement("SEG-DELETE-204-EMPTY", "SEG-DELETE-GONE", "SEG-DELETE-TWICE-404")
@pytest.mark.parametrize("kind", [pytest.param("static", marks=pytest.mark.sandbox), "auto-update", "passive"])
def test_delete_then_gone(target, verify, names, kind):
    """DELETE answers 204 with no body; then get and a second delete answer 404."""
    body = bodies.static(names(kind)) if kind == "static" else bodies.dynamic(names(kind), kind)
    created = _create(target, verify, body)
    deleted = target.delete(created["id"])
    verify.check("SEG-DELETE-204-EMPTY", deleted.status == 204, f"delete answered {deleted.status}, not 204", deleted)
    verify.check("SEG-DELETE-204-EMPTY", deleted.response_text == "", f"a 204 with a {len(deleted.response_text)}-character body", deleted)
    gone = target.get(created["id"])
    verify.check("SEG-DELETE-GONE", gone.status == 404, f"get after delete answered {gone.status}, not 404", gone)
    again = target.delete(created["id"])
    verify.check("SEG-DELETE-TWICE-404", again.status == 404, f"a second delete answered {again.status}, not 404", again)


@pytest.mark.sandbox
@pytest.mark.requirement("SEG-DELETE-404")
def test_delete_unknown_id_is_404(target, verify, names, unknown_id):
    """DELETE of an id that never existed answers 404 and deletes nothing."""
    bystander = _create(target, verify, bodies.static(names("bystander")))
    exchange = target.delete(unknown_id)
    verify.check("SEG-DELETE-404", exchange.status == 404, f"delete of an unknown id answered {exchange.status}", exchange)
    still_there = target.get(bystander["id"])
    verify.check("SEG-DELETE-404", still_there.status == 200, "a delete of an unknown id removed another segment", still_there)
