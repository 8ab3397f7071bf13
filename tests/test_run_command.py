"""`conformance run`: every exit code, one-line errors, and the reports it writes."""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from conformance import cli, runner
from conformance.mock.server import MockServer
from conformance.report.summary import validate_summary

QUICK = ["-k", "test_create_static_segment or test_get_unknown_id_is_404 or test_delete_then_gone"]


def conformance(*args, env=None, timeout=300):
    return subprocess.run([sys.executable, "-m", "conformance", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def test_exit_0_and_three_reports_against_the_embedded_mock(tmp_path):
    completed = conformance("run", "--report-dir", str(tmp_path), "--seed", "3", *QUICK)
    assert completed.returncode == 0, completed.stdout[-2000:]
    assert "verdict: CONFORMANT" in completed.stdout
    summary = json.loads((tmp_path / "summary.json").read_text())
    validate_summary(summary)
    assert summary["run"]["seed"] == 3 and summary["run"]["selection"]["k"] == QUICK[1]
    statuses = {r["id"]: r["status"] for r in summary["requirements"]}
    assert statuses["SEG-CREATE-STATIC-200"] == "PASS"
    caps = next(r for r in summary["requirements"] if r["id"] == "SEG-CAP-DYNAMIC-100")
    assert caps["status"] == "NOT_TESTED" and not caps["in_scope"] and "not selected" in caps["reason"]
    assert summary["scope"]["text"].startswith("within the selection -k")
    junit = ET.parse(tmp_path / "junit.xml").getroot()
    suite_properties = {p.get("name"): p.get("value") for p in junit.find("testsuite").find("properties")}
    assert suite_properties["verdict"] == "CONFORMANT" and suite_properties["scope"].startswith("within the selection -k")
    assert summary["document"]["sha256"] in suite_properties["document"]
    cases = junit.findall(".//testcase")
    assert len(cases) == 5
    assert (tmp_path / "run.har").exists() and (tmp_path / "ledger.json").exists()
    properties = {p.get("value") for p in junit.iter("property") if p.get("name") == "requirement"}
    assert {"SEG-CREATE-STATIC-200", "SEG-DELETE-204-EMPTY", "SEG-GET-404"} <= properties
    html = (tmp_path / "report.html").read_text()
    assert "CONFORMANT" in html


def test_exit_1_names_the_broken_requirement_with_evidence(tmp_path):
    completed = conformance("run", "--report-dir", str(tmp_path), "--fault", "soft-delete", *QUICK)
    assert completed.returncode == 1
    assert "FAIL SEG-DELETE-GONE" in completed.stdout
    junit = (tmp_path / "junit.xml").read_text()
    assert "SEG-DELETE-GONE (MUST)" in junit and "curl -X GET" in junit
    assert "SEG-DELETE-GONE" in (tmp_path / "report.html").read_text()


def test_a_violation_in_a_fixture_fails_the_test_at_that_requirement_not_as_an_error(tmp_path):
    """The auth tests create their segment in a fixture: a create answering 201 breaks
    SEG-CREATE-STATIC-200 there, which is the test's finding, not a tool error with a body for a message."""
    completed = conformance("run", "--report-dir", str(tmp_path), "--fault", "create-answers-201", "-q",
                            "-k", "test_get_without_valid_credentials and wrong-app-token")
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert completed.returncode == 1 and summary["verdict"] == "NONCONFORMANT"
    [test] = [test for test in summary["tests"] if test["outcome"] != "deselected"]
    assert (test["outcome"], test["failed_requirement"]) == ("failed", "SEG-CREATE-STATIC-200")
    assert test["message"].startswith("SEG-CREATE-STATIC-200 (MUST): expected 200")
    assert not [cause for cause in summary["run"]["causes"] if "in setup" in cause]


def test_should_failure_warns_and_fails_only_under_strict(tmp_path):
    args = ["run", "--fault", "invalid-body-422", "-k", "test_invalid_body_is_rejected"]
    relaxed = conformance(*args, "--report-dir", str(tmp_path / "relaxed"))
    strict = conformance(*args, "--report-dir", str(tmp_path / "strict"), "--strict")
    assert relaxed.returncode == 0 and "WARN SEG-VALIDATION-400" in relaxed.stdout
    assert strict.returncode == 1 and "FAIL SEG-VALIDATION-400" in strict.stdout


def test_exit_2_when_the_target_is_unreachable(tmp_path):
    completed = conformance("run", "--base-url", "http://127.0.0.1:9", "--app-id", "a", "--app-token", "b",
                            "--report-dir", str(tmp_path))
    assert completed.returncode == 2
    assert completed.stderr.strip().count("\n") == 0 and "unreachable" in completed.stderr


def test_exit_2_when_the_credentials_are_rejected(tmp_path):
    with MockServer(app_id="right-id", app_token="right-token") as mock:
        completed = conformance("run", "--base-url", mock.url, "--report-dir", str(tmp_path),
                                env={"VOUCHERIFY_APP_ID": "right-id", "VOUCHERIFY_APP_TOKEN": "wrong-token"})
    assert completed.returncode == 2
    assert "rejected the credentials (401)" in completed.stderr
    assert "wrong-token" not in completed.stderr + completed.stdout


def test_a_wrong_path_prefix_is_could_not_test_not_a_broken_server(tmp_path):
    """`--base-url http://host:port/api` against a healthy server: exit 2 with the reason, nothing judged."""
    with MockServer() as mock:
        completed = conformance("run", "--base-url", mock.url + "/api", "--report-dir", str(tmp_path),
                                env={"VOUCHERIFY_APP_ID": mock.app_id, "VOUCHERIFY_APP_TOKEN": mock.app_token})
    assert completed.returncode == 2, completed.stdout[-2000:]
    assert completed.stderr.strip().count("\n") == 0
    assert "is not the Segments API: POST /api/v1/segments answers 404" in completed.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["verdict"] == "INCOMPLETE" and summary["counts"].get("FAIL", 0) == 0
    assert summary["run"]["requests_sent"] == 2 and "path prefix" in summary["run"]["causes"][0]


@pytest.mark.parametrize(
    "args, message",
    [
        (["run", "--max-examples", "0"], "--max-examples"),
        (["run", "--fault", "no-such-fault"], "unknown fault"),
        (["run", "--base-url", "ftp://example"], "not an http(s) URL"),
        (["run", "--base-url", "http://[::1"], "not a valid URL"),
        (["run", "--base-url", "http://u:p@127.0.0.1:9", "--app-id", "a", "--app-token", "b"], "carries credentials"),
        (["run", "--spec", "/no/such.json"], "no such file"),
        (["run", "--spec", "README.md"], "neither JSON nor YAML"),
        (["run", "--cluster", "eu.api"], "invalid choice"),
        (["run", "--base-url", "http://127.0.0.1:9", "--fault", "soft-delete"], "embedded mock only"),
        (["run", "--bogus"], "unrecognized arguments"),
        (["nope"], "invalid choice"),
    ],
)
def test_exit_4_on_usage_errors_with_one_line(args, message, capsys):
    assert cli.main(args) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_exit_4_when_credentials_are_missing_for_a_base_url(capsys, monkeypatch):
    monkeypatch.delenv("VOUCHERIFY_APP_ID", raising=False)
    monkeypatch.delenv("VOUCHERIFY_APP_TOKEN", raising=False)
    assert cli.main(["run", "--base-url", "http://127.0.0.1:9"]) == cli.EXIT_USAGE
    assert "credentials missing" in capsys.readouterr().err


def test_exit_3_on_an_internal_error_with_one_line(monkeypatch, capsys):
    def broken(args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(runner, "run", broken)
    assert cli.main(["run"]) == cli.EXIT_INTERNAL
    err = capsys.readouterr().err
    assert err == "internal error: RuntimeError: a bug\n"


def test_help_documents_the_exit_codes():
    completed = conformance("run", "--help")
    assert completed.returncode == 0
    for line in ("0  conformant", "1  nonconformant", "2  incomplete", "3  internal error", "4  usage error"):
        assert line in completed.stdout


def test_workers_share_one_summary_and_ledger(tmp_path):
    completed = conformance("run", "-n", "2", "--report-dir", str(tmp_path), "--fault", "soft-delete", *QUICK)
    assert completed.returncode == 1, completed.stdout[-2000:]
    summary = json.loads((tmp_path / "summary.json").read_text())
    validate_summary(summary)
    assert {test["nodeid"].split("::")[1].split("[")[0] for test in summary["tests"] if test["outcome"] != "deselected"} == {
        "test_create_static_segment", "test_get_unknown_id_is_404", "test_delete_then_gone"}
    statuses = {r["id"]: r["status"] for r in summary["requirements"]}
    assert statuses["SEG-DELETE-GONE"] == "FAIL" and statuses["SEG-CREATE-STATIC-200"] == "PASS"
    # the controller collects nothing: the scope still comes out of the workers' records and the document
    assert not next(r for r in summary["requirements"] if r["id"] == "SEG-LIST-SCHEMA")["in_scope"]
    assert summary["run"]["requests_sent"] > 0
    assert json.loads((tmp_path / "ledger.json").read_text())["created"] == []
    assert not list(tmp_path.glob("ledger-gw*.json"))


def test_a_selection_that_matches_nothing_is_a_usage_error_before_any_traffic(tmp_path):
    with MockServer(app_id="id-1", app_token="token-1") as mock:
        completed = conformance("run", "--base-url", mock.url, "--report-dir", str(tmp_path), "-k", "nomatchatall",
                                env={"VOUCHERIFY_APP_ID": "id-1", "VOUCHERIFY_APP_TOKEN": "token-1"})
        served = mock.app.state.mock.store.count(frozenset({"static", "auto-update", "passive"}))
    assert completed.returncode == 4 and "matches no test" in completed.stderr
    assert completed.stderr.strip().count("\n") == 0
    assert not (tmp_path / "summary.json").exists() and served == 0


def test_budget_spent_is_incomplete_in_the_summary_and_in_the_re_rendered_report(tmp_path):
    completed = conformance("run", "--report-dir", str(tmp_path), "--max-requests", "30", "-q")
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert completed.returncode == 2 and summary["verdict"] == "INCOMPLETE" and summary["exit_code"] == 2
    assert any("not tested" in cause for cause in summary["run"]["causes"])
    rendered = conformance("report", str(tmp_path / "summary.json"), "-o", str(tmp_path / "again.html"))
    assert rendered.returncode == 0 and "INCOMPLETE" in (tmp_path / "again.html").read_text()


def test_nonconformant_beats_incomplete(tmp_path):
    completed = conformance("run", "--report-dir", str(tmp_path), "--fault", "soft-delete", "--max-requests", "6", "-q",
                            "-k", "test_delete_then_gone")
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert completed.returncode == 1 and summary["verdict"] == "NONCONFORMANT" and summary["run"]["causes"]


@pytest.mark.parametrize("blocker", ["summary.json", "report.html", "ledger.json"])
def test_a_report_directory_that_cannot_take_the_reports_is_a_usage_error_up_front(tmp_path, blocker):
    (tmp_path / blocker).mkdir()
    completed = conformance("run", "--report-dir", str(tmp_path), *QUICK)
    assert completed.returncode == 4 and "is a directory" in completed.stderr
    assert completed.stderr.strip().count("\n") == 0 and "Traceback" not in completed.stderr


def test_an_unwritable_report_directory_is_one_line(tmp_path):
    (tmp_path / "file").write_text("")
    completed = conformance("run", "--report-dir", str(tmp_path / "file" / "below"), *QUICK)
    assert completed.returncode == 4 and completed.stderr.strip().count("\n") == 0


def test_the_pytest_entry_point_gives_the_verdict_run_gives(tmp_path):
    """`pytest --pyargs conformance.suite` with run's option names: same verdict, same reports."""
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "--pyargs", "conformance.suite", "-q", "-p", "no:cacheprovider",
         "--report-dir", str(tmp_path), "--fault", "soft-delete", "--seed", "3", *QUICK],
        capture_output=True, text=True, timeout=300, cwd=tmp_path,
    )
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert completed.returncode == 1 and summary["verdict"] == "NONCONFORMANT"
    assert "verdict: NONCONFORMANT" in completed.stdout
    assert {"junit.xml", "summary.json", "report.html", "run.har", "ledger.json"} <= {path.name for path in tmp_path.iterdir()}


def test_scope_counts_under_the_profile_only_what_the_profile_alone_excludes(tmp_path):
    """`--profile sandbox -k test_get_unknown_id_is_404`: said 32 requirements were out of the profile."""
    profile_only = conformance("run", "--profile", "sandbox", "--report-dir", str(tmp_path / "profile"))
    both = conformance("run", "--profile", "sandbox", "-k", "test_get_unknown_id_is_404", "--report-dir", str(tmp_path / "both"))
    assert profile_only.returncode == 0 and both.returncode == 0, both.stdout[-2000:]
    by_profile, by_both = (json.loads((tmp_path / name / "summary.json").read_text()) for name in ("profile", "both"))

    def reasons(summary):
        return {entry["id"]: entry["reason"] for entry in summary["scope"]["out_of_scope"]}

    profile_alone = {rid for rid, why in reasons(by_profile).items() if "sandbox profile" in why}
    assert profile_alone and {rid for rid, why in reasons(by_both).items() if "sandbox profile" in why} == profile_alone
    selected = {rid for rid, why in reasons(by_both).items() if "not selected (-k 'test_get_unknown_id_is_404')" in why}
    assert selected and not selected & profile_alone
    assert "within profile sandbox and the selection -k 'test_get_unknown_id_is_404'" in by_both["scope"]["text"]


def test_a_module_that_fails_to_collect_is_named_and_the_verdict_is_the_last_word(tmp_path):
    """It was reported as 'interrupted by SIGINT', under pytest's `!!! Interrupted` line."""
    suite = tmp_path / "suite"
    shutil.copytree(runner.SUITES["api"], suite, ignore=shutil.ignore_patterns("__pycache__"))
    (suite / "test_broken.py").write_text("import no_such_module_here\n")
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", str(suite), "-p", "no:cacheprovider", "--report-dir", str(tmp_path / "r"),
         "-k", "test_create_static_segment"], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert completed.returncode == 2 and summary["verdict"] == "INCOMPLETE"
    assert summary["run"]["causes"][0] == ("could not collect test_broken.py: ModuleNotFoundError: "
                                           "No module named 'no_such_module_here'")
    assert not any("SIGINT" in cause for cause in summary["run"]["causes"])
    lines = completed.stdout.rstrip().splitlines()
    verdict = next(index for index, line in enumerate(lines) if line.startswith(" verdict: "))
    assert "Interrupted" in "\n".join(lines[:verdict]) and lines[-1] == "=" * 72
    assert not [line for line in lines[verdict:] if line.startswith(("!", "====="))][:-1]


@pytest.mark.parametrize("serial", [[], ["--max-requests", "1000"]], ids=["side-by-side", "one-after-another"])
def test_run_names_tests_from_the_suite_and_headings_come_before_their_first_test(tmp_path, serial):
    """Each test one whole line, named from the suite (not `../../site-packages/...`), under its area's heading
    (a request budget runs the tests one after another; without one they run side by side)."""
    completed = conformance("run", "--report-dir", str(tmp_path), *serial,
                            "-k", "test_create_static_segment or test_get_unknown_id_is_404 or test_delete_then_gone")
    assert completed.returncode == 0, completed.stdout[-2000:]
    lines = [line for line in completed.stdout.splitlines() if line.strip()]
    tests = [line for line in lines if "::" in line]
    assert len(tests) == 5 and all(line.startswith(("test_create.py::", "test_read_delete.py::")) for line in tests)
    assert all(re.search(r" PASSED +\[ *\d+%\]$", line) for line in tests)  # the result on the name's own line
    for heading, module in (("── Create", "test_create.py::"), ("── Get and delete", "test_read_delete.py::")):
        assert lines[lines.index(heading) + 1].startswith(module)



def test_after_an_interrupt_the_verdict_is_still_the_last_word(tmp_path):
    """pytest printed `!!!! Interrupted: SIGINT !!!!` and its counts under the verdict banner."""
    run = subprocess.Popen([sys.executable, "-m", "conformance", "run", "--report-dir", str(tmp_path)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    for line in run.stdout:
        lines.append(line.rstrip("\n"))
        if "::" in line and "PASSED" in line:  # testing has begun
            run.send_signal(signal.SIGINT)
            break
    out, _ = run.communicate(timeout=120)
    lines += out.rstrip().splitlines()
    assert run.returncode in (1, 2)
    verdict = next(index for index, line in enumerate(lines) if line.startswith(" verdict: "))
    assert lines[verdict].startswith(" verdict: INCOMPLETE") or lines[verdict].startswith(" verdict: NONCONFORMANT")
    assert lines[-1] == "=" * 72
    assert not [line for line in lines[verdict:-1] if line.startswith(("!", "====="))]


def test_quiet_failures_are_whole_messages_under_their_test_s_name(tmp_path):
    """`-q` ran pytest's --tb=line, which prints each failure again cut at 50 characters (`answere`)."""
    completed = conformance("run", "-q", "--fault", "soft-delete", "--report-dir", str(tmp_path), "-k", "test_delete_then_gone")
    assert completed.returncode == 1
    messages = [line for line in completed.stdout.splitlines() if line.startswith("SEG-DELETE-GONE (MUST):")]
    assert messages and all(line.endswith("get answered 200") for line in messages)
    assert "_ test_delete_then_gone[static] _" in completed.stdout
