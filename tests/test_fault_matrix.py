"""The whole suite against the mock: the correct mock conforms; every named fault is caught and
the failure names the requirement the fault breaks.

Each case runs `conformance run` in its own process, as a user would, against the embedded mock.
"""

import json
import subprocess
import sys

import pytest

from conformance.catalogue import load_catalogue
from conformance.mock.faults import FAULTS

CATALOGUE = load_catalogue()


def run_suite(tmp_path, *extra):
    report_dir = tmp_path / "reports"
    completed = subprocess.run(
        [sys.executable, "-m", "conformance", "run", "--report-dir", str(report_dir), "--seed", "7",
         "--max-examples", "10", "-q", *extra],
        capture_output=True, text=True, timeout=600,
    )
    summary = json.loads((report_dir / "summary.json").read_text())
    return completed, summary


def statuses(summary, *wanted):
    return {r["id"] for r in summary["requirements"] if r["status"] in wanted}


def test_correct_mock_conforms_with_no_failure_and_no_warning(tmp_path):
    completed, summary = run_suite(tmp_path)
    assert completed.returncode == 0, completed.stdout[-3000:]
    assert summary["verdict"] == "CONFORMANT"
    assert statuses(summary, "FAIL", "WARN") == set()
    assert summary["counts"]["NOT_TESTED"] == 0
    assert all(test["outcome"] == "passed" for test in summary["tests"])


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_fault_is_detected_and_named(tmp_path, fault):
    targeted = set(FAULTS[fault].requirements)
    # A fault that breaks only SHOULD requirements is a warning by default; --strict makes it fail.
    should_only = all(CATALOGUE[requirement].level == "SHOULD" for requirement in targeted)
    completed, summary = run_suite(tmp_path, "--fault", fault, *(["--strict"] if should_only else []))
    failed = statuses(summary, "FAIL")
    assert completed.returncode == 1, completed.stdout[-3000:]
    assert summary["verdict"] == "NONCONFORMANT"
    assert failed & targeted, f"{fault} broke {sorted(targeted)} but the run failed {sorted(failed)}"
