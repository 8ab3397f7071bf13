"""`pytest --pyargs conformance.sdk.suite`, as the SDK README shows it, takes every SDK option;
an option of the other suite is a usage error there, never silently dropped."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conformance import options
from conformance.exits import UsageError


def _pytest(tmp_path, *args):
    report_dir = tmp_path / "reports"
    completed = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "--report-dir", str(report_dir), *args],
                               capture_output=True, text=True, timeout=300, cwd=tmp_path)
    summary = report_dir / "summary.json"
    return completed, json.loads(summary.read_text(encoding="utf-8")) if summary.exists() else None


def test_the_pytest_route_gates_the_client_it_is_given(tmp_path):
    completed, summary = _pytest(tmp_path, "--pyargs", "conformance.sdk.suite", "--client", "reference", "--client-fault",
                                 "follows-redirects", "--sdk-examples", "3", "-k", "redirect")
    assert completed.returncode == 1, completed.stdout[-2000:]
    assert summary["client"]["name"] == "reference" and summary["client"]["faults"] == ["follows-redirects"]
    assert {r["id"] for r in summary["requirements"] if r["status"] == "FAIL"} == {"SDK-REDIRECT-CREDENTIALS"}


@pytest.mark.parametrize("suite,option", [("conformance.sdk.suite", "--fault=wrong-status-on-create"),
                                          ("conformance.suite", "--client=reference")])
def test_an_option_of_the_other_suite_is_an_error(tmp_path, suite, option):
    completed, summary = _pytest(tmp_path, "--pyargs", suite, option)
    # pytest's own exit for a usage error met while collecting (the suite's conftest): nothing ran
    assert completed.returncode in (2, 4) and summary is None
    assert "does not apply to the" in completed.stdout + completed.stderr


def test_resolve_refuses_what_the_command_does_not_take():
    with pytest.raises(UsageError, match="--sdk-examples does not apply to the API suite"):
        options.resolve({"sdk_examples": 5}, command="run", environ={})
    assert options.resolve({"client": "reference"}, command="sdk", environ={}).client == "reference"
