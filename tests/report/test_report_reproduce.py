"""A finding's reproduction: the curl script replays its exchanges against a fresh server, and the
`conformance run` command reruns exactly its test, with the run's seed, target and contract."""

from __future__ import annotations

import json
import re
import os
import shlex
import shutil
import subprocess
import sys

import pytest

from conformance.mock.server import MockServer
from conformance.report.render import build_view
from conformance.report.reproduce import curl_script, k_expression, mock_command, rerun_command

BASH = shutil.which("bash")
CURL = shutil.which("curl")
needs_shell = pytest.mark.skipif(not (BASH and CURL), reason="bash and curl run the reproduction scripts")


def _finding(summary, requirement_id, index=0):
    return next(r for r in summary["requirements"] if r["id"] == requirement_id)["evidence"][index]


@pytest.fixture(scope="module")
def failing(real_runs):
    return json.loads((real_runs["fail"] / "summary.json").read_text(encoding="utf-8"))


# --- the script ---------------------------------------------------------------------------------

def test_the_script_reads_credentials_from_the_environment_and_captures_created_ids(summary):
    script = curl_script(summary, _finding(summary, "SEG-DELETE-GONE"))
    assert "***" not in script
    # three requests, and the cleanup that deletes what the script created
    assert script.count('"X-App-Id: $VOUCHERIFY_APP_ID"') == 4 and script.count('"X-App-Token: $VOUCHERIFY_APP_TOKEN"') == 4
    lines = script.splitlines()
    create = next(i for i, line in enumerate(lines) if line.startswith("send '#101 POST /v1/segments' 200 -X POST"))
    assert lines[create + 1] == "capture SEGMENT_1"
    assert "seg_1a2B3c4D5e6F7g8H9i0J" not in script  # the id of the run's server is no use to a fresh one
    assert lines[-1] == 'echo "The last answer now: HTTP $STATUS (the run got 200)"'


def test_an_embedded_mock_run_says_how_to_start_the_same_mock(summary):
    script = curl_script(summary, _finding(summary, "SEG-DELETE-GONE"))
    assert "#   conformance mock --port 4010 --fault soft-delete --fault long-name-500" in script
    assert 'BASE_URL=${BASE_URL:-http://127.0.0.1:4010}' in script
    assert ': "${VOUCHERIFY_APP_ID:=test-app-id}" "${VOUCHERIFY_APP_TOKEN:=test-app-token}"' in script
    summary["target"]["variants"] = ["error-message-localised"]
    assert mock_command(summary).endswith("--fault long-name-500 --variant error-message-localised")


def test_a_real_target_defaults_to_its_base_url_and_insists_on_credentials(summary):
    summary["target"].update(base_url="https://api.voucherify.io", embedded_mock=False, faults=[])
    for exchange in summary["exchanges"].values():
        exchange["request"]["url"] = exchange["request"]["url"].replace("http://127.0.0.1:4010", "https://api.voucherify.io")
    script = curl_script(summary, _finding(summary, "SEG-DELETE-GONE"))
    assert 'BASE_URL=${BASE_URL:-https://api.voucherify.io}' in script
    assert "conformance mock" not in script
    assert ': "${VOUCHERIFY_APP_ID:?export VOUCHERIFY_APP_ID (the X-App-Id to send)}"' in script
    assert '-X POST "${BASE_URL}"/v1/segments' in script


def test_bodies_without_a_content_type_and_cut_bodies_are_sent_faithfully_or_said(summary):
    exchange = summary["exchanges"]["101"]
    del exchange["request"]["headers"]["Content-Type"]
    exchange["request"]["body"] += "… [20000 more characters]"
    script = curl_script(summary, _finding(summary, "SEG-DELETE-GONE"))
    assert "-H 'Content-Type:' --data-raw" in script  # or curl would declare a form
    assert "# The body was cut in the summary; this sends its start only" in script
    assert "more characters]" not in script


@needs_shell
def test_a_body_with_a_nul_a_fuzzer_sent_is_sent_byte_for_byte(summary, tmp_path):
    finding = _finding(summary, "SEG-VALIDATION-400")
    exchange = summary["exchanges"][str(finding["sequence"])]
    exchange["request"]["body"] = '\x00{"a": "b\\c"}'
    exchange["response"]["status"] = 400
    script = curl_script(summary, finding)
    assert """--data-binary @<(printf '%b' '\\x00{"a": "b\\\\c"}')""" in script
    path = tmp_path / "reproduce.sh"
    path.write_text(script, encoding="utf-8")
    with MockServer() as mock:  # the correct mock: malformed JSON answers 400
        out = subprocess.run([BASH, str(path)], capture_output=True, text=True, timeout=60,
                             env={**os.environ, "BASE_URL": mock.url}).stdout
    assert out.rstrip().endswith("The last answer now: HTTP 400 (the run got 400)")
    html_body = next(step["request"] for step in build_view(summary)["problems"][2]["findings"][0]["steps"])
    assert html_body.endswith(r'\x00{"a": "b\c"}')  # the NUL shown, not swallowed


@needs_shell
def test_the_script_is_valid_bash(summary, tmp_path):
    path = tmp_path / "reproduce.sh"
    path.write_text(curl_script(summary, _finding(summary, "SEG-DELETE-GONE")), encoding="utf-8")
    assert subprocess.run([BASH, "-n", str(path)], capture_output=True, text=True).returncode == 0


@needs_shell
def test_a_real_findings_script_reproduces_it_against_a_fresh_mock(failing, tmp_path):
    finding = _finding(failing, "SEG-DELETE-GONE")
    path = tmp_path / "reproduce.sh"
    path.write_text(curl_script(failing, finding), encoding="utf-8")
    with MockServer(faults=["soft-delete"]) as mock:  # `conformance mock --fault soft-delete`, on a free port
        completed = subprocess.run([BASH, str(path)], capture_output=True, text=True, timeout=60,
                                   env={**os.environ, "BASE_URL": mock.url})
    assert completed.returncode == 0, completed.stderr
    out = completed.stdout
    assert "POST /v1/segments -> HTTP 200 (the run got 200)" in out
    assert re.search(r"DELETE /v1/segments/seg_\w+ -> HTTP 204 \(the run got 204\)", out)
    assert re.search(r"GET /v1/segments/seg_\w+ -> HTTP 200 \(the run got 200\)", out)  # still there: reproduced
    assert out.rstrip().endswith("The last answer now: HTTP 200 (the run got 200)")


@needs_shell
def test_against_the_correct_mock_the_same_script_shows_the_fix(failing, tmp_path):
    path = tmp_path / "reproduce.sh"
    path.write_text(curl_script(failing, _finding(failing, "SEG-DELETE-GONE")), encoding="utf-8")
    with MockServer() as mock:
        out = subprocess.run([BASH, str(path)], capture_output=True, text=True, timeout=60,
                             env={**os.environ, "BASE_URL": mock.url}).stdout
    assert out.rstrip().endswith("The last answer now: HTTP 404 (the run got 200)")


# --- the command that reruns one test -------------------------------------------------------------

@pytest.mark.parametrize(("nodeid", "expression"), [
    ("test_read_delete.py::test_delete_then_gone[static]", "test_delete_then_gone[static]"),
    ("test_properties.py::test_operation[POST /v1/segments]", "test_operation[POST and /v1/segments]"),
    ("test_methods.py::test_unsupported_method[PUT /v1/segments/{segmentId}]",
     "test_unsupported_method[PUT and /v1/segments/ and segmentId and ]"),
])
def test_k_expressions_are_words_pytest_accepts(nodeid, expression):
    assert k_expression(nodeid, [nodeid]) == expression


def test_a_k_expression_that_would_select_another_test_excludes_it():
    nodeids = ["test_create.py::test_ids_are_unique", "test_create.py::test_ids_are_unique_across_types"]
    assert k_expression(nodeids[0], nodeids) == "test_ids_are_unique and not test_ids_are_unique_across_types"
    assert k_expression(nodeids[1], nodeids) == "test_ids_are_unique_across_types"


def test_the_command_carries_the_runs_target_contract_and_settings(summary):
    summary["target"].update(base_url="https://staging.example.test", embedded_mock=False, faults=[], insecure=True)
    summary["document"]["source"] = "specs/segments 2026.json"
    summary["run"].update(strict=True, depth="deep")
    summary["options"] = [{"option": "--include-heavy", "value": "True", "source": "environment"},
                          {"option": "--max-examples", "value": "50", "source": "command line"},
                          {"option": "--quiet", "value": "True", "source": "command line"}]
    command = rerun_command(summary, "test_caps.py::test_dynamic_cap")
    assert command == ("conformance run --base-url https://staging.example.test --spec 'specs/segments 2026.json' "
                       "--depth deep --strict --insecure --include-heavy --max-examples 50 --seed 1234 "
                       "-k test_dynamic_cap --report-dir reports/rerun")


def test_the_command_reruns_exactly_the_findings_test(failing, tmp_path):
    finding = _finding(failing, "SEG-DELETE-GONE")
    command = shlex.split(rerun_command(failing, finding["test"]))
    assert command[:2] == ["conformance", "run"] and "--seed" in command and "soft-delete" in command
    report_dir = command.index("--report-dir") + 1
    command[report_dir] = str(tmp_path / "rerun")
    completed = subprocess.run([sys.executable, "-m", "conformance", *command[1:], "-q"], capture_output=True, text=True,
                               timeout=300)
    assert completed.returncode == 1, completed.stdout[-2000:]
    rerun = json.loads((tmp_path / "rerun" / "summary.json").read_text(encoding="utf-8"))
    ran = [test["nodeid"] for test in rerun["tests"] if test["outcome"] != "deselected"]
    assert ran == [finding["test"]]
    assert rerun["run"]["seed"] == failing["run"]["seed"]
    assert next(r for r in rerun["requirements"] if r["id"] == "SEG-DELETE-GONE")["status"] == "FAIL"
