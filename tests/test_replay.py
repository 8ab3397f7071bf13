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


def test_replay_accepts_the_summary_itself_prints_each_finding_once_and_a_banner(soft_delete_report):
    completed = conformance("replay", str(soft_delete_report / "summary.json"))
    assert completed.returncode == 1, completed.stdout[-2000:]
    lines = completed.stdout.splitlines()
    assert lines[0].startswith("replay: rerunning 3 test(s) for 3 finding(s) (SEG-DELETE-GONE) with seed 11 "
                               "against the embedded mock (soft-delete)")
    assert len(lines) == 4 and len(set(lines)) == 4  # the banner, then one line per finding
    assert "conformance-replay-" not in completed.stdout + completed.stderr  # no directory it deletes
    assert "verdict" not in completed.stdout  # the rerun's own verdict (over 3 tests) is not the answer


def test_a_property_test_finding_is_replayed(tmp_path):
    report = tmp_path / "report"
    completed = conformance("run", "--report-dir", str(report), "--fault", "get-unknown-answers-500", "--seed", "3",
                            "-q", "-k", "test_operation")
    assert completed.returncode == 1
    completed = conformance("replay", str(report))
    assert completed.returncode == 1, completed.stdout[-2000:] + completed.stderr[-2000:]
    assert "REPRODUCED      SEG-NO-5XX in test_properties.py::test_operation[GET /v1/segments/{segmentId}]" in completed.stdout
    assert completed.stdout.count("REPRODUCED") == 1  # the finding was recorded twice by the test: shown once


def test_a_run_against_a_url_replays_only_where_the_user_says(soft_delete_report, tmp_path):
    import json

    summary = json.loads((soft_delete_report / "summary.json").read_text())
    summary["target"].update(base_url="http://127.0.0.2:9", embedded_mock=False, faults=[], variants=[])
    (tmp_path / "summary.json").write_text(json.dumps(summary))
    completed = conformance("replay", str(tmp_path))
    assert completed.returncode == 4 and "pass --base-url" in completed.stderr and completed.stderr.count("\n") == 1
    completed = conformance("replay", str(tmp_path), "SEG-DELETE-GONE#1", "--mock")
    assert completed.returncode == 0 and "against the embedded mock" in completed.stdout  # no fault: not reproduced


def test_the_document_of_a_run_is_the_users_and_checked_by_its_digest(soft_delete_report, tmp_path):
    import json

    summary = json.loads((soft_delete_report / "summary.json").read_text())
    summary["document"].update(source="/etc/hostname", sha256="0" * 64)  # no revision this tool ships
    (tmp_path / "summary.json").write_text(json.dumps(summary))
    completed = conformance("replay", str(tmp_path))
    assert completed.returncode == 4 and "pass it with --spec" in completed.stderr
    completed = conformance("replay", str(tmp_path), "--spec", "2026-07")
    assert completed.returncode == 4 and "sha256 differs" in completed.stderr


def test_a_run_on_a_shipped_revision_replays_with_it(tmp_path):
    report = tmp_path / "report"
    completed = conformance("run", "--spec", "2026-07", "--report-dir", str(report), "--fault", "soft-delete",
                            "--seed", "5", "-q", "-k", "test_delete_then_gone")
    assert completed.returncode == 1
    completed = conformance("replay", str(report))
    assert completed.returncode == 1 and completed.stdout.count("REPRODUCED") == 3, completed.stderr
