"""The whole suite against the mock, in this process: the correct mock conforms under both
revisions of the document, every legal variant conforms under --strict (no false alarm), and every
named fault is caught, naming the requirement it breaks; a fault built to break one requirement
alone fails that requirement and nothing else (the proof of that one check).

Faults are also combined with legal variants (a seeded sample of the pairs here; all of them with
`python scripts/fault_matrix.py --pairs all`): the fault must still be caught.

Each case is one `conformance run` in-process (runner.run_in_process), so the runs share the
start-up of this process instead of paying it once per fault.
"""

from pathlib import Path

import random

import pytest

from conformance import options
from conformance.catalogue import load_catalogue
from conformance.mock.faults import FAULTS, VARIANTS, fault_variant_pairs
from conformance.runner import run_in_process

CATALOGUE = load_catalogue()
JULY = str(Path(__file__).parent / "fixtures" / "segments-2026-07.json")


def run_suite(tmp_path, *, fault=None, variant=None, spec=None, strict=False):
    given = {"fault": [fault] if fault else None, "variant": [variant] if variant else None, "spec": spec,
             "strict": strict or None, "seed": 7, "max_examples": 5, "quiet": True, "report_dir": str(tmp_path / "reports")}
    settings = options.resolve(given, environ={}, cwd=tmp_path)
    exit_code, run = run_in_process(settings)
    return exit_code, run.summary


def statuses(summary, *wanted):
    return {r["id"] for r in summary["requirements"] if r["status"] in wanted}


@pytest.mark.parametrize("spec", [None, JULY], ids=["bundled", "july"])
def test_the_correct_mock_conforms_with_no_failure_and_no_warning(tmp_path, spec):
    exit_code, summary = run_suite(tmp_path, spec=spec, strict=True)
    assert exit_code == 0 and summary["verdict"] == "CONFORMANT", summary["run"]["causes"]
    assert statuses(summary, "FAIL", "WARN") == set()
    assert [r["id"] for r in summary["requirements"] if r["in_scope"] and r["status"] == "NOT_TESTED"] == []


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_a_legal_variant_raises_no_alarm(tmp_path, variant):
    exit_code, summary = run_suite(tmp_path, variant=variant, spec=JULY, strict=True)
    assert statuses(summary, "FAIL", "WARN") == set(), [
        (r["id"], r["reason"]) for r in summary["requirements"] if r["status"] in ("FAIL", "WARN")]
    assert exit_code == 0 and summary["verdict"] == "CONFORMANT", summary["run"]["causes"]


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_is_detected_and_named(tmp_path, fault):
    targeted = set(FAULTS[fault].requirements)
    # A fault that breaks only SHOULD requirements is a warning by default; --strict makes it fail.
    should_only = all(CATALOGUE[requirement].level == "SHOULD" for requirement in targeted)
    spec = JULY if FAULTS[fault].operation == "list-segment" else None
    exit_code, summary = run_suite(tmp_path, fault=fault, spec=spec, strict=should_only)
    failed = statuses(summary, "FAIL")
    assert exit_code == 1 and summary["verdict"] == "NONCONFORMANT", summary["run"]["causes"]
    assert failed & targeted, f"{fault} broke {sorted(targeted)} but the run failed {sorted(failed)}"
    if FAULTS[fault].exclusive:  # the proof of one check: that requirement, and no other, flags it
        assert statuses(summary, "FAIL", "WARN") == targeted, f"{fault}: {sorted(statuses(summary, 'FAIL', 'WARN'))}"


PAIR_SAMPLE = 8  # of ~2,000 pairs; `python scripts/fault_matrix.py --pairs all` runs them all


@pytest.mark.parametrize("fault, variant", sorted(random.Random(7).sample(fault_variant_pairs(), PAIR_SAMPLE)))
def test_fault_is_still_detected_under_a_legal_variant(tmp_path, fault, variant):
    exit_code, summary = run_suite(tmp_path, fault=fault, variant=variant, spec=JULY, strict=True)
    failed = statuses(summary, "FAIL")
    assert exit_code == 1 and failed & set(FAULTS[fault].requirements), (
        f"{fault} under {variant}: exit {exit_code}, failed {sorted(failed)}", summary["run"]["causes"])
