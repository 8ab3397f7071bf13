"""The proof bench on the mock: the correct mock and every legal variant break nothing; every fault
breaks exactly the requirements it lists (so an exclusive fault proves its check alone).

The bench (probe_bench.py) probes every MUST and SHOULD requirement on the wire. Faults and single
variants run under the July document, which has every operation (the list too); the correct mock
and the variants together run under both revisions.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import probe_bench
import pytest

from conformance.contract import Contract
from conformance.mock import FAULTS, VARIANTS, MockServer, VariantNotLegal


def _report(findings: dict[str, list[str]]) -> str:
    return "\n".join(f"{rid}: {messages[0]}" for rid, messages in sorted(findings.items()))


@pytest.fixture(scope="session")
def july_nullable_updated_at(july) -> Contract:
    """The July document with Segment.updated_at nullable, as its own list example needs."""
    document = copy.deepcopy(july.vendor)
    document["components"]["schemas"]["Segment"]["properties"]["updated_at"]["nullable"] = True
    return Contract(json.dumps(document).encode(), source="july+nullable-updated_at")


@pytest.mark.parametrize("document", ["bundled", "july"])
def test_the_correct_mock_breaks_nothing(bench, document, request):
    findings = bench(contract=request.getfixturevalue(document))
    assert findings == {}, _report(findings)


@pytest.mark.parametrize("name", sorted(FAULTS))
def test_each_fault_breaks_exactly_what_it_lists(bench, july, name):
    findings = bench(faults=[name], contract=july)
    listed = set(FAULTS[name].requirements)
    assert set(findings) == listed, (
        f"{name} lists {sorted(listed)}; the bench found {sorted(set(findings))}\n{_report(findings)}"
    )


# Each variant alone under the July document (every operation); all of them together under both
# revisions below (the ones of a group one at a time there, since two of a group are refused).
VARIANT_RUNS = [
    pytest.param(name, "july", id=name) for name in sorted(VARIANTS) if name != "updated-at-null"
] + [pytest.param("updated-at-null", "july_nullable_updated_at", id="updated-at-null-july-nullable")]


@pytest.mark.parametrize("name, document", VARIANT_RUNS)
def test_each_variant_breaks_nothing(bench, name, document, request):
    """No false alarm: a legal way of answering passes every probe, generic checks included."""
    findings = bench(variants=[name], contract=request.getfixturevalue(document))
    assert findings == {}, _report(findings)


TOGETHER = [
    pytest.param(document, created_at, content_type, id=f"{document}-{created_at}-{content_type}")
    for document, created_at, content_type in (
        ("bundled", "created-at-negative-offset", "json-charset-uppercase"),
        ("bundled", "created-at-lowercase", "json-without-charset"),
        ("bundled", "created-at-no-fraction", "json-charset-uppercase"),
        ("july", "created-at-utc-offset", "json-without-charset"),
        ("july", "created-at-microseconds", "json-charset-uppercase"),
    )
]


@pytest.mark.parametrize("document, created_at, content_type", TOGETHER)
def test_variants_together_break_nothing(bench, document, created_at, content_type, request):
    chosen = [name for name, variant in VARIANTS.items() if variant.group is None and variant.legal_under is None]
    findings = bench(variants=[*chosen, created_at, content_type], contract=request.getfixturevalue(document))
    assert findings == {}, _report(findings)


def test_a_variant_the_document_does_not_allow_is_refused():
    """Our overlay reads updated_at as nullable in every revision; a document whose effective
    Segment keeps it a plain string refuses the variant."""
    bundled = Contract.bundled()
    strict = copy.deepcopy(bundled.effective)
    strict["components"]["schemas"]["Segment"]["properties"]["updated_at"].pop("nullable")
    contract = Contract(json.dumps(bundled.vendor).encode(), source="strict-updated-at", effective=strict)
    with pytest.raises(VariantNotLegal, match="updated-at-null.*not nullable"):
        MockServer(variants=["updated-at-null"], contract=contract)


def test_two_variants_of_one_group_are_refused():
    with pytest.raises(VariantNotLegal, match="created-at-lowercase.*created-at-utc-offset"):
        MockServer(variants=["created-at-utc-offset", "created-at-lowercase"])


def test_the_bench_probes_every_must_and_should_requirement():
    """Each requirement id appears in a check of the bench: none is silently never judged."""
    source = Path(probe_bench.__file__).read_text(encoding="utf-8")
    judged = set(re.findall(r'"(SEG-[A-Z0-9-]+)"', source))
    assert set(probe_bench.requirement_levels()) <= judged


def test_the_bench_reads_leap_seconds_and_offsets():
    key = probe_bench.instant
    assert key("2016-12-31T23:59:59.999Z") < key("2016-12-31T23:59:60Z") < key("2017-01-01T00:00:00Z")
    assert key("2016-12-31T18:29:60-05:30") == key("2016-12-31T23:59:60Z")
    assert key("2022-09-13T08:57:15.801+00:00") == key("2022-09-13t08:57:15.801z")
    assert key("2022-09-13T08:57:15Z") < key("2022-09-13T08:57:15.000001Z")
    assert key("2022-09-13T08:57:15") is None and key(None) is None
