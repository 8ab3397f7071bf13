"""Create: the three oneOf branches, what the answer carries, unique ids."""

import pytest

from conformance.suite import bodies


def _created(target, verify, body, requirement_id):
    exchange = target.create(body)
    verify.check(requirement_id, exchange.status == 200, f"create answered {exchange.status}, not 200", exchange)
    return exchange, exchange.json


@pytest.mark.sandbox
@pytest.mark.requirement("SEG-CREATE-STATIC-200", "SEG-SEGMENT-SCHEMA", "SEG-SEGMENT-OBJECT", "SEG-SEGMENT-CREATED-AT", "SEG-CREATE-SYNC-STATUS")
def test_create_static_segment(target, verify, names):
    """A static body answers 200 with a static Segment whose filter is null."""
    exchange, segment = _created(target, verify, bodies.static(names("static")), "SEG-CREATE-STATIC-200")
    verify.check("SEG-CREATE-STATIC-200", segment.get("type") == "static", f"type is {segment.get('type')!r}", exchange)
    verify.check("SEG-CREATE-STATIC-200", segment.get("filter", "absent") is None, f"filter is {segment.get('filter', 'absent')!r}, not null", exchange)
    if "initial_sync_status" in segment:
        verify.check("SEG-CREATE-SYNC-STATUS", segment["initial_sync_status"] == "DONE",
                     f"initial_sync_status {segment['initial_sync_status']!r} on a static segment", exchange)


@pytest.mark.parametrize(
    "kind, requirement_id, filter_",
    [
        pytest.param("auto-update", "SEG-CREATE-AUTOUPDATE-200", bodies.CREATED_AFTER_FILTER, id="auto-update"),
        pytest.param("auto-update", "SEG-CREATE-AUTOUPDATE-200", bodies.BIRTHDAY_FILTER, id="auto-update-dotted-keys",
                     marks=pytest.mark.sandbox),
        pytest.param("passive", "SEG-CREATE-PASSIVE-200", bodies.CREATED_AFTER_FILTER, id="passive", marks=pytest.mark.sandbox),
    ],
)
@pytest.mark.requirement("SEG-CREATE-AUTOUPDATE-200", "SEG-CREATE-PASSIVE-200", "SEG-SEGMENT-SCHEMA", "SEG-CREATE-SYNC-STATUS")
def test_create_dynamic_segment(target, verify, names, kind, requirement_id, filter_):
    """A dynamic body answers 200 with a Segment of that type and the filter it was sent."""
    body = bodies.dynamic(names(kind), kind, filter_)
    exchange, segment = _created(target, verify, body, requirement_id)
    verify.check(requirement_id, segment.get("type") == kind, f"type is {segment.get('type')!r}, sent {kind!r}", exchange)
    verify.check(requirement_id, segment.get("filter") == body["filter"], "the filter answered is not the filter sent", exchange)
    if "initial_sync_status" in segment:
        verify.check("SEG-CREATE-SYNC-STATUS", segment["initial_sync_status"] in ("DONE", "IN_PROGRESS"),
                     f"initial_sync_status {segment['initial_sync_status']!r} on a {kind} segment", exchange)


NAMES = {
    "ascii": "Customers in a new Segment",
    "non-ascii": "Klienci z Łodzi — 東京 🎁 Ünïcödé",
    "long-1000": "L" * 990,
    "padded": "  spaces kept  ",
}


@pytest.mark.parametrize("label", [pytest.param(label, marks=[pytest.mark.sandbox] if label == "non-ascii" else []) for label in NAMES])
@pytest.mark.requirement("SEG-CREATE-NAME-ECHO")
def test_create_answers_the_name_sent(target, verify, names, label):
    """Create answers with the name it was sent, unchanged."""
    name = f"{names('n')} {NAMES[label]}"
    exchange, segment = _created(target, verify, bodies.static(name), "SEG-CREATE-STATIC-200")
    verify.check("SEG-CREATE-NAME-ECHO", segment.get("name") == name,
                 f"name answered {str(segment.get('name'))[:80]!r} is not the name sent {name[:80]!r}", exchange)


@pytest.mark.sandbox
@pytest.mark.requirement("SEG-ID-UNIQUE")
def test_ids_are_unique(target, verify, names):
    """Each created segment gets its own non-empty string id."""
    seen: dict[str, str] = {}
    for index in range(6):
        body = bodies.static(names("unique")) if index % 2 else bodies.dynamic(names("unique"), "passive")
        exchange = target.create(body)
        segment_id = exchange.json.get("id") if isinstance(exchange.json, dict) else None
        verify.check("SEG-ID-UNIQUE", isinstance(segment_id, str) and segment_id != "", f"id {segment_id!r}", exchange)
        verify.check("SEG-ID-UNIQUE", segment_id not in seen, f"id {segment_id} was already given to {seen.get(segment_id)!r}", exchange)
        seen[segment_id] = body["name"]
