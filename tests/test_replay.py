"""`conformance replay`: a finding reproduces against the faulty target and not against a correct one."""

import os
import subprocess
import sys

import pytest

from conformance.mock.server import MockServer


def conformance(*args, env=None):
    return subprocess.run([sys.executable, "-m", "conformance", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def soft_delete_report(tmp_path_factory):
    report = tmp_path_factory.mktemp("soft-delete")
    completed = conformance("run", "--report-dir", str(report), "--fault", "soft-delete", "--seed", "11", "-q",
                            "-k", "test_delete_then_gone or test_get_unknown")
    assert completed.returncode == 1
    return report


def test_a_finding_reproduces_against_the_same_faulty_mock(soft_delete_report):
    completed = conformance("replay", str(soft_delete_report))
    assert completed.returncode == 1, completed.stdout[-2000:]
    assert completed.stdout.count("REPRODUCED      SEG-DELETE-GONE") == 3


def test_a_finding_does_not_reproduce_against_a_correct_target(soft_delete_report):
    with MockServer(app_id="replay-id", app_token="replay-token") as mock:
        completed = conformance("replay", str(soft_delete_report), "SEG-DELETE-GONE#2", "--base-url", mock.url,
                                env={"VOUCHERIFY_APP_ID": "replay-id", "VOUCHERIFY_APP_TOKEN": "replay-token"})
        assert mock.app.state.mock.store.count(frozenset({"static", "auto-update", "passive"})) == 0  # cleaned up
    assert completed.returncode == 0, completed.stdout[-2000:]
    assert "NOT REPRODUCED  SEG-DELETE-GONE" in completed.stdout and completed.stdout.count("REPRODUCED") == 1


@pytest.mark.parametrize("finding, message", [("SEG-GET-200", "no FAIL or WARN finding"), ("SEG-DELETE-GONE#9", "has 3 finding")])
def test_a_finding_the_report_does_not_have_is_a_usage_error(soft_delete_report, finding, message):
    completed = conformance("replay", str(soft_delete_report), finding)
    assert completed.returncode == 4 and message in completed.stderr


def test_a_report_directory_without_a_summary_is_a_usage_error(tmp_path):
    completed = conformance("replay", str(tmp_path))
    assert completed.returncode == 4 and completed.stderr.count("\n") == 1
