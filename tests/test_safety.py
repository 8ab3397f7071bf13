"""Safe against real accounts: pre-existing segments untouched, nothing left behind (also when
interrupted), the budget and the sandbox profile hold, and no output carries the token."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
import requests

from conformance.catalogue import load_catalogue
from conformance.mock.server import MockServer

APP_ID = "safety-app-id-0123456789"
TOKEN = "safety-TOKEN-5f2c9a7e41b3d8"


def live_ids(mock):
    return set(mock.app.state.mock.store._live)


def conformance(*args, **kwargs):
    env = {**os.environ, "VOUCHERIFY_APP_ID": APP_ID, "VOUCHERIFY_APP_TOKEN": TOKEN}
    return subprocess.Popen([sys.executable, "-m", "conformance", "run", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, **kwargs)


@pytest.fixture
def mock_with_customer_data():
    """A target that already holds segments the run must never touch."""
    with MockServer(app_id=APP_ID, app_token=TOKEN) as mock:
        headers = {**mock.auth_headers, "Content-Type": "application/json"}
        for body in ({"name": "customer's static", "type": "static", "customers": ["cust_1"]},
                     {"name": "customer's passive", "type": "passive", "filter": {"junction": "and"}}):
            assert requests.post(f"{mock.url}/v1/segments", json=body, headers=headers, timeout=5).status_code == 200
        yield mock


def test_existing_segments_untouched_and_nothing_left(tmp_path, mock_with_customer_data):
    mock = mock_with_customer_data
    before = {segment_id: requests.get(f"{mock.url}/v1/segments/{segment_id}", headers=mock.auth_headers, timeout=5).json()
              for segment_id in live_ids(mock)}
    run = conformance("--base-url", mock.url, "--report-dir", str(tmp_path), "--max-examples", "10", "-q")
    out, err = run.communicate(timeout=600)
    assert run.returncode == 0, out[-3000:]
    assert live_ids(mock) == set(before), "the run left segments behind or deleted one it did not create"
    for segment_id, segment in before.items():
        assert requests.get(f"{mock.url}/v1/segments/{segment_id}", headers=mock.auth_headers, timeout=5).json() == segment
    assert json.loads((tmp_path / "ledger.json").read_text())["created"] == []


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupted_run_cleans_up(tmp_path, mock_with_customer_data, signal_number):
    mock = mock_with_customer_data
    before = live_ids(mock)
    run = conformance("--base-url", mock.url, "--report-dir", str(tmp_path), "-k", "test_dynamic_cap or test_properties")
    deadline = time.monotonic() + 60
    while len(live_ids(mock)) < len(before) + 20 and time.monotonic() < deadline:
        time.sleep(0.05)  # wait until the run is mid-way through creating segments
    assert len(live_ids(mock)) >= len(before) + 20, "the run never got going"
    run.send_signal(signal_number)
    run.communicate(timeout=120)
    assert run.returncode == 2
    assert live_ids(mock) == before
    assert json.loads((tmp_path / "ledger.json").read_text())["created"] == []


def test_cleanup_command_deletes_only_what_the_ledger_lists(tmp_path, mock_with_customer_data):
    mock = mock_with_customer_data
    before = live_ids(mock)
    headers = {**mock.auth_headers, "Content-Type": "application/json"}
    ours = [requests.post(f"{mock.url}/v1/segments", json={"name": f"left {i}", "type": "static"}, headers=headers,
                          timeout=5).json()["id"] for i in range(3)]
    ledger = tmp_path / "ledger.json"
    ledger.write_text(json.dumps({"version": 1, "base_url": mock.url, "run_tag": "t",
                                  "created": [{"id": segment_id, "created_at": ""} for segment_id in ours]}))
    env = {**os.environ, "VOUCHERIFY_APP_ID": APP_ID, "VOUCHERIFY_APP_TOKEN": TOKEN}
    completed = subprocess.run([sys.executable, "-m", "conformance", "cleanup", "--ledger", str(ledger)],
                               capture_output=True, text=True, env=env, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert live_ids(mock) == before
    assert json.loads(ledger.read_text())["created"] == []


def test_budget_holds_its_request_count(tmp_path):
    with MockServer(app_id=APP_ID, app_token=TOKEN) as mock:
        run = conformance("--base-url", mock.url, "--report-dir", str(tmp_path), "--max-requests", "40", "-q")
        run.communicate(timeout=300)
        served = mock.app.state.mock.requests_served if hasattr(mock.app.state.mock, "requests_served") else None
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["run"]["requests_sent"] <= 39  # and the probe: 40
    if served is not None:
        assert served <= 40
    not_tested = [r for r in summary["requirements"] if r["status"] == "NOT_TESTED"]
    assert not_tested and all("budget" in (r["reason"] or "") or "not selected" in (r["reason"] or "") for r in not_tested)
    assert json.loads((tmp_path / "ledger.json").read_text())["created"] == []


def test_sandbox_profile_covers_every_light_must_requirement_in_100_requests(tmp_path):
    with MockServer(app_id=APP_ID, app_token=TOKEN) as mock:
        run = conformance("--base-url", mock.url, "--report-dir", str(tmp_path), "--profile", "sandbox", "-q")
        out, _ = run.communicate(timeout=300)
    assert run.returncode == 0, out[-2000:]
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["run"]["requests_sent"] + 1 <= 100  # the probe is the one more
    statuses = {r["id"]: r["status"] for r in summary["requirements"]}
    for requirement in load_catalogue().values():
        if requirement.level == "MUST" and requirement.id != "SEG-CAP-DYNAMIC-100" and "CAP-" not in requirement.id:
            assert statuses[requirement.id] == "PASS", requirement.id


def test_no_output_carries_the_token(tmp_path):
    with MockServer(app_id=APP_ID, app_token=TOKEN, faults=["soft-delete", "error-without-message"]) as mock:
        run = conformance("--base-url", mock.url, "--report-dir", str(tmp_path), "--max-examples", "5")
        out, err = run.communicate(timeout=300)
    assert run.returncode == 1  # failures, so evidence with requests and curl lines was written
    outputs = {"stdout": out, "stderr": err}
    for path in tmp_path.iterdir():
        outputs[path.name] = path.read_text(encoding="utf-8", errors="replace")
    assert {"junit.xml", "summary.json", "report.html", "ledger.json"} <= set(outputs)
    assert "curl -X" in outputs["summary.json"]
    for name, text in outputs.items():
        assert TOKEN not in text, f"the token leaked into {name}"
        assert APP_ID not in text, f"the app id leaked into {name}"


def test_heavy_scenarios_need_include_heavy_off_loopback(tmp_path):
    """On a target that is not loopback the caps are NOT TESTED, with the reason, and nothing is sent.
    (.invalid never resolves, RFC 2606; the skip happens before any request is even prepared.)"""
    import conformance.suite

    summary_path = tmp_path / "summary.json"
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", os.path.dirname(conformance.suite.__file__), "-q", "-p", "no:cacheprovider",
         "--base-url", "http://remote.invalid", "--app-id", "x", "--app-token", "y", "-k", "cap",
         "--summary-json", str(summary_path)],
        capture_output=True, text=True, timeout=300,
    )
    assert completed.returncode == 0, completed.stdout[-2000:]
    summary = json.loads(summary_path.read_text())
    assert summary["run"]["requests_sent"] == 0
    caps = [r for r in summary["requirements"] if r["id"].startswith("SEG-CAP-")]
    assert len(caps) == 5
    assert all(r["status"] == "NOT_TESTED" and "--include-heavy" in r["reason"] for r in caps)
