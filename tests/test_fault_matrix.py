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
import requests

from conformance import options
from conformance.catalogue import load_catalogue
from conformance.contract import Contract
from conformance.mock.faults import FAULTS, VARIANTS, fault_variant_pairs
from conformance.mock.server import MockServer
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


# --- a refusal on a target whose content the run cannot see ---------------------------------------
# The suite against the mock served as any server (--base-url): the run cannot know what the account
# held before it, so a refused dynamic create may be the 100 cap; an accepted sibling create of the
# other dynamic type proves it was not.


def run_against(tmp_path, mock, spec=None):
    given = {"spec": spec, "base_url": mock.url, "app_id": mock.app_id, "app_token": mock.app_token, "seed": 7, "max_examples": 5,
             "quiet": True, "report_dir": str(tmp_path / "reports"),
             "max_requests": 100_000}  # a budget runs the tests one after another: a sibling create can tell
    return run_in_process(options.resolve(given, environ={}, cwd=tmp_path))


def test_a_passive_refusal_beside_an_accepted_sibling_fails_where_the_content_is_unseen(tmp_path):
    with MockServer(faults=["passive-refused-400"]) as mock:
        exit_code, run = run_against(tmp_path, mock)
    assert exit_code == 1 and "SEG-CREATE-PASSIVE-200" in statuses(run.summary, "FAIL"), run.summary["run"]["causes"]


def foreign_dynamic_segments(mock, count):
    for index in range(count):
        kind = "passive" if index % 2 else "auto-update"
        answer = requests.post(f"{mock.url}/v1/segments", headers={**mock.auth_headers, "Content-Type": "application/json"},
                               json={"name": f"someone else's {index}", "type": kind, "filter": {"junction": "and"}}, timeout=5)
        assert answer.status_code == 200


def test_a_passive_refusal_at_a_full_cap_is_not_tested_where_the_content_is_unseen(tmp_path):
    """The legal case beside it: the account already holds 100 dynamic segments of others, so both
    the create and its sibling are refused: a precondition not met, never a FAIL."""
    with MockServer() as mock:
        foreign_dynamic_segments(mock, 100)
        exit_code, run = run_against(tmp_path, mock)
    requirements = {r["id"]: r["status"] for r in run.summary["requirements"]}
    assert not statuses(run.summary, "FAIL"), statuses(run.summary, "FAIL")
    assert requirements["SEG-CAP-DYNAMIC-100"] == requirements["SEG-CREATE-PASSIVE-200"] == "NOT_TESTED" and exit_code == 2


@pytest.mark.parametrize("spec, expected", [(JULY, "PASS"), (None, "NOT_TESTED")], ids=["list-counts-them", "unseen"])
def test_a_cap_reached_with_segments_of_others_is_no_false_failure(tmp_path, spec, expected):
    """60 dynamic segments of others: the run's 41st is refused. The list operation shows the
    account held 100 (PASS); without it, "up to 100" cannot be judged (NOT TESTED, never PASS)."""
    with MockServer(**({"contract": Contract.load(spec)} if spec else {})) as mock:
        foreign_dynamic_segments(mock, 60)
        _, run = run_against(tmp_path, mock, spec=spec)
    assert {r["id"]: r["status"] for r in run.summary["requirements"]}["SEG-CAP-DYNAMIC-100"] == expected
    assert not statuses(run.summary, "FAIL"), statuses(run.summary, "FAIL")


def test_a_cap_of_50_fails_where_the_list_shows_the_account(tmp_path):
    with MockServer(faults=["dynamic-cap-50"], contract=Contract.load(JULY)) as mock:
        _, run = run_against(tmp_path, mock, spec=JULY)
    assert statuses(run.summary, "FAIL") == {"SEG-CAP-DYNAMIC-100"}
