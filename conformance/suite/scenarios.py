"""Steps the scenarios share: creating a segment they need, and knowing when they cannot judge.

A valid auto-update or passive create can be refused for a reason the suite cannot see: the
target already holds 100 of them, made by someone else (the cap counts every segment of the
account). On a target whose content the run knows (the embedded mock starts empty) a refusal is
a failure. Elsewhere, with tests one after another, one more valid dynamic create, of the other
type, tells: the cap counts both types, so if that sibling is accepted the cap had room and the
refusal is a failure; if it is refused too, the refusal is a precondition not met: NOT TESTED with
the reason, never a false FAIL. With tests side by side the others' creates and deletes change the
count between the two, so there a refusal stays NOT TESTED.
"""

from __future__ import annotations

from conformance.contract import CREATE_PATH
from conformance.suite import bodies
from conformance.mock.store import DYNAMIC_TYPES  # the types the 100 cap counts: one definition

CREATE_REQUIREMENT = {"static": "SEG-CREATE-STATIC-200", "auto-update": "SEG-CREATE-AUTOUPDATE-200",
                      "passive": "SEG-CREATE-PASSIVE-200"}
DYNAMIC_CAP = 100
NOT_CAP_STATUSES = frozenset({401, 404, 405, 415, 429})  # refusals that say something else than "full"


def knows_dynamic_room(conformance) -> bool:
    """Whether a refused dynamic create can only mean a fault: the target held nothing when the
    run began (the embedded mock) and the run's own dynamic segments leave room under the cap."""
    return conformance.settings.embedded and len(conformance.target.ledger.open_of_types(DYNAMIC_TYPES)) < DYNAMIC_CAP


def create(conformance, target, verify, body, requirement_id: str | None = None):
    """Create `body` and check it answered 200 (under the requirement of its branch by default)."""
    kind = body.get("type", "static") if isinstance(body, dict) else "static"
    requirement_id = requirement_id or CREATE_REQUIREMENT[kind]
    exchange = target.create(body)
    if (exchange.status != 200 and kind in DYNAMIC_TYPES and 400 <= exchange.status < 500
            and exchange.status not in NOT_CAP_STATUSES and not knows_dynamic_room(conformance)):
        if conformance.side_by_side:  # tests beside this one create and delete meanwhile: a sibling proves nothing
            verify.not_tested(f"a valid {kind} create answered {exchange.status}: the target may already hold {DYNAMIC_CAP} "
                              "auto-update and passive segments (its cap) that this run did not create (tests run side by "
                              "side; --max-requests runs them one after another, where a sibling create tells)")
        sibling = _sibling_create(target, body, kind)
        if sibling.status != 200:
            verify.not_tested(f"a valid {kind} create answered {exchange.status} and a valid {_sibling_type(kind)} create "
                              f"after it {sibling.status}: the target may already hold {DYNAMIC_CAP} auto-update and "
                              "passive segments (its cap) that this run did not create")
        verify.check(requirement_id, False, f"expected 200 for a valid {kind} create, answered {exchange.status}; a valid "
                     f"{_sibling_type(kind)} create right after it answered 200, so the cap they share had room", exchange)
    verify.check(requirement_id, exchange.status == 200, f"expected 200 for a valid {kind} create, answered {exchange.status}", exchange)
    return exchange


def _sibling_type(kind: str) -> str:
    return "passive" if kind == "auto-update" else "auto-update"


def _sibling_create(target, body: dict, kind: str):
    """A valid create of the other dynamic type, named after the refused one (cleanup deletes it)."""
    name = str(body.get("name", "conformance"))[:200]
    return target.create(bodies.dynamic(f"{name} sibling", _sibling_type(kind)))


def stored_names(conformance, target, token: str) -> list[str] | None:
    """Names of the segments the target holds that contain `token` (a name only one test sends),
    where the run can see them: the embedded mock's memory (no request), else the list operation
    when the run's document has one. None where it cannot: then a refusal's effect is not judged.
    A segment found is ledgered, so that cleanup deletes what a refusal created anyway."""
    mock = conformance.lifecycle.mock if conformance.settings.embedded else None
    if mock is not None:
        return [segment.name for segment in mock.app.state.mock.store.live() if token in segment.name]
    if "list-segment" not in conformance.contract.operation_ids:
        return None
    exchange = target.send("GET", CREATE_PATH, params={"filters[name][conditions][$contains]": token, "limit": 100})
    data = exchange.json.get("data") if exchange.status == 200 and isinstance(exchange.json, dict) else None
    if not isinstance(data, list):
        return None
    found = [item for item in data if isinstance(item, dict) and token in str(item.get("name"))]
    for item in found:
        if isinstance(item.get("id"), str):
            conformance.target.ledger.add(item["id"], kind=item.get("type"))
    return [str(item.get("name")) for item in found]


def check_nothing_stored(conformance, target, verify, requirement_id: str, token: str, what: str, exchange) -> None:
    """A refused create stored nothing, judged where the run can see the account (stored_names)."""
    if 200 <= exchange.status < 300:
        return  # an accepted create is the requirement's own finding
    found = stored_names(conformance, target, token)
    if found is not None:
        named = f" named {found[0][:80]!r}" if found else ""
        verify.check(requirement_id, not found, f"expected nothing stored after {what} answered {exchange.status}, "
                     f"found {len(found)} segment(s){named}", exchange)
