"""The gate against the embedded mock: our reference client passes every SDK requirement, and
each named client fault is caught by exactly the requirement it is built to break.

Each case runs the gate in its own process (`python -m conformance.sdk`), as CI would.
"""

from pathlib import Path

import pytest

from conformance.catalogue import load_catalogue
from conformance.sdk.clients.reference import CLIENT_FAULTS

CATALOGUE = load_catalogue("conformance.sdk", "requirements.yaml")


JULY = str(Path(__file__).parents[1] / "fixtures" / "segments-2026-07.json")  # the revision with the list operation (SDK-LIST)


def _spec_for(requirement: str) -> tuple[str, ...]:
    return ("--spec", JULY) if requirement == "SDK-LIST" else ()


def test_reference_client_passes_every_sdk_requirement(run_gate, by_status):
    completed, summary = run_gate("--client", "reference", "--spec", JULY, examples=15)
    assert completed.returncode == 0, completed.stdout[-3000:]
    assert summary["verdict"] == "CONFORMANT" and summary["scope"]["out_of_scope"] == []
    assert by_status(summary, "FAIL", "WARN", "NOT_TESTED") == set()
    assert by_status(summary, "PASS") == set(CATALOGUE)
    assert "distinct_findings" not in summary and summary["run"]["causes"] == []
    assert all(test["outcome"] == "passed" for test in summary["tests"])


def test_what_the_document_or_the_client_lacks_is_out_of_scope_saying_why(run_gate, by_status):
    completed, summary = run_gate("--client", "reference", "-k", "list or redirect")
    assert {"id": "SDK-LIST", "reason": "out of scope: the document has no list-segment operation"} in summary["scope"]["out_of_scope"]
    assert "the document has no list-segment operation: 1" in summary["scope"]["text"]


def test_every_sdk_requirement_has_a_fault_that_breaks_it():
    assert {fault.requirement for fault in CLIENT_FAULTS.values()} == set(CATALOGUE)


@pytest.mark.parametrize("fault", sorted(CLIENT_FAULTS))
def test_client_fault_is_caught_by_its_requirement(run_gate, by_status, fault):
    requirement = CLIENT_FAULTS[fault].requirement
    should = CATALOGUE[requirement].level == "SHOULD"
    completed, summary = run_gate("--client", "reference", "--client-fault", fault, *(["--strict"] if should else []),
                                  *_spec_for(requirement))
    assert completed.returncode == 1, completed.stdout[-3000:]
    assert summary["verdict"] == "NONCONFORMANT"
    assert by_status(summary, "FAIL", "WARN") == {requirement}, summary.get("distinct_findings")
    assert not [cause for cause in summary["run"]["causes"] if "the target broke" in cause]
    findings = [finding for finding in summary.get("distinct_findings", []) if finding["requirement"] == requirement]
    assert findings and all(finding["example"] for finding in findings) or requirement in {
        "SDK-ERROR-404", "SDK-ERROR-401", "SDK-ERROR-400", "SDK-DELETE-204", "SDK-AUTH-HEADERS", "SDK-RETURNS-ANSWER",
    }  # those are found by scenarios too; the hunts' findings carry the examples


def test_a_should_fault_only_warns_without_strict(run_gate, by_status):
    completed, summary = run_gate("--client", "reference", "--client-fault", "drops-unknown-fields", "-k", "test_models")
    assert by_status(summary, "WARN") == {"SDK-ROUNDTRIP-UNKNOWN-FIELDS"} and by_status(summary, "FAIL") == set()
    assert summary["verdict"] != "NONCONFORMANT"


def test_a_spent_request_budget_makes_the_gate_incomplete(run_gate):
    """Scenarios the budget leaves untested are NOT TESTED, never a pass: the verdict says so."""
    completed, summary = run_gate("--client", "reference", "--max-requests", "15")
    assert completed.returncode == 2 and summary["verdict"] == "INCOMPLETE"
    skipped = [test for test in summary["tests"] if test["outcome"] == "skipped"]
    assert skipped and all("budget" in test["message"] for test in skipped)
    assert summary["command"] == "sdk" and summary["client"]["name"] == "reference"


def test_unknown_fault_and_fault_without_reference_are_usage_errors(run_gate, tmp_path):
    import subprocess
    import sys

    for args in (["--client", "reference", "--client-fault", "no-such-fault"], ["--client", "voucherify", "--client-fault", "ascii-names"]):
        completed = subprocess.run([sys.executable, "-m", "conformance.sdk", "-q", "--report-dir", str(tmp_path / "usage"), *args],
                                   capture_output=True, text=True, timeout=120)
        assert completed.returncode == 4, completed.stdout[-2000:] + completed.stderr[-2000:]


def test_without_the_vendor_sdk_the_gate_says_how_to_install_it(monkeypatch, capsys):
    import importlib.util

    from conformance import cli

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *args: None if name == "voucherify" else real(name, *args))
    assert cli.main(["sdk", "--client", "voucherify"]) == 4
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "pip install 'segments-conformance[sdk]'" in error
