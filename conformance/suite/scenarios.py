"""Steps the scenarios share: creating a segment they need, and knowing when they cannot judge.

A valid auto-update or passive create can be refused for a reason the suite cannot see: the
target already holds 100 of them, made by someone else (the cap counts every segment of the
account). On a target whose content the run knows (the embedded mock starts empty) a refusal is
a failure; elsewhere it is a precondition not met: NOT TESTED with the reason, never a false FAIL.
"""

from __future__ import annotations

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
        verify.not_tested(f"a valid {kind} create answered {exchange.status}: the target may already hold "
                          f"{DYNAMIC_CAP} auto-update and passive segments (its cap) that this run did not create")
    verify.check(requirement_id, exchange.status == 200, f"expected 200 for a valid {kind} create, answered {exchange.status}", exchange)
    return exchange
