"""The documented caps: 20,000 customers per static segment; 100 auto-update and passive segments.

Sound on a target that already holds segments: the dynamic cap is filled to the first rejection and
the suite asserts that at most 100 of its own were accepted, never exactly 100.
"""

import pytest

from conformance.suite import bodies

STATIC_CAP = 20_000
DYNAMIC_CAP = 100


@pytest.mark.sandbox  # two requests, if heavy bodies are allowed (--include-heavy off loopback)
@pytest.mark.requirement("SEG-CAP-STATIC-20000")
def test_static_segment_with_20000_customers_is_accepted(target, verify, names):
    """A static segment with exactly 20,000 customers answers 200."""
    exchange = target.create(bodies.static(names("cap-20000"), bodies.customer_ids(STATIC_CAP)))
    verify.check("SEG-CAP-STATIC-20000", exchange.status == 200, f"20,000 customers answered {exchange.status}, not 200", exchange)


@pytest.mark.sandbox
@pytest.mark.requirement("SEG-CAP-STATIC-20001", "SEG-VALIDATION-400")
def test_static_segment_with_20001_customers_is_rejected(target, verify, names):
    """A static segment with 20,001 customers answers a 4xx with the Error object."""
    exchange = target.create(bodies.static(names("cap-20001"), bodies.customer_ids(STATIC_CAP + 1)))
    verify.check("SEG-CAP-STATIC-20001", 400 <= exchange.status < 500, f"20,001 customers answered {exchange.status}, not a 4xx", exchange)
    verify.check("SEG-VALIDATION-400", exchange.status == 400, f"20,001 customers answered {exchange.status}, not 400", exchange)


@pytest.mark.requirement("SEG-CAP-DYNAMIC-100", "SEG-CAP-STATIC-NOT-COUNTED", "SEG-CAP-DELETE-FREES")
def test_dynamic_cap(target, verify, names):
    """Fill auto-update and passive segments to the first rejection: at most 100 accepted; a static
    segment still accepted at the cap; deleting one frees exactly one slot."""
    accepted: list[str] = []
    try:
        _fill_and_free(target, verify, names, accepted)
    finally:  # a full cap would starve every later test of dynamic segments
        target.cleanup()


def _fill_and_free(target, verify, names, accepted):
    rejection = None
    for index in range(DYNAMIC_CAP + 1):
        kind = "auto-update" if index % 2 else "passive"
        exchange = target.create(bodies.dynamic(names(f"cap-{kind}"), kind))
        if exchange.status != 200:
            rejection = exchange
            break
        accepted.append(exchange.json["id"])
    verify.check("SEG-CAP-DYNAMIC-100", rejection is not None,
                 f"{len(accepted)} auto-update and passive segments were accepted, more than {DYNAMIC_CAP}",
                 exchange)
    verify.check("SEG-CAP-DYNAMIC-100", 400 <= rejection.status < 500,
                 f"the create past the cap answered {rejection.status}, not a 4xx", rejection)
    verify.check("SEG-CAP-DYNAMIC-100", len(accepted) <= DYNAMIC_CAP, f"{len(accepted)} accepted", rejection)

    static = target.create(bodies.static(names("cap-static")))
    verify.check("SEG-CAP-STATIC-NOT-COUNTED", static.status == 200,
                 f"at the dynamic cap a static segment answered {static.status}, not 200", static)

    if not accepted:
        pytest.skip("the target was already at the cap before this run; cannot show a slot being freed")
    freed = target.delete(accepted.pop())
    verify.check("SEG-DELETE-204-EMPTY", freed.status == 204, f"delete answered {freed.status}", freed)
    refill = target.create(bodies.dynamic(names("cap-refill"), "passive"))
    verify.check("SEG-CAP-DELETE-FREES", refill.status == 200, f"after a delete at the cap, create answered {refill.status}, not 200", refill)
    over = target.create(bodies.dynamic(names("cap-over"), "auto-update"))
    verify.check("SEG-CAP-DELETE-FREES", 400 <= over.status < 500,
                 f"one delete freed more than one slot: the next create answered {over.status}", over)
