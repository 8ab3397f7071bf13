"""A target that hangs, closes mid-body, answers garbage, non-JSON or 429 forever still ends in a
clear verdict within bounded time."""

import json
import subprocess
import sys
import time

import pytest

from hostile import HostileServer

BOUND_SECONDS = 120


@pytest.mark.parametrize(
    "mode, expected_exit",
    [
        ("hang", 2),            # the probe times out: could not test
        ("close-mid-body", 2),  # the probe cannot read an answer: could not test
        ("garbage", 2),         # not HTTP: could not test
        ("not-json", 1),        # answers, but nothing it says conforms
        ("429-forever", 2),     # rate-limited past our patience: could not test
    ],
)
def test_hostile_target_ends_in_a_verdict_in_bounded_time(tmp_path, mode, expected_exit):
    with HostileServer(mode) as server:
        started = time.monotonic()
        completed = subprocess.run(
            [sys.executable, "-m", "conformance", "run", "--base-url", server.url, "--app-id", "id",
             "--app-token", "hostile-secret-token", "--report-dir", str(tmp_path), "--max-examples", "5", "-q"],
            capture_output=True, text=True, timeout=BOUND_SECONDS + 60,
        )
        elapsed = time.monotonic() - started
    assert elapsed < BOUND_SECONDS, f"{mode}: {elapsed:.0f} s"
    assert completed.returncode == expected_exit, completed.stdout[-2000:] + completed.stderr[-2000:]
    assert "Traceback" not in completed.stderr
    if expected_exit == 2 and not (tmp_path / "summary.json").exists():
        assert completed.stderr.startswith("error: could not test:") and completed.stderr.count("\n") == 1
    else:
        summary = json.loads((tmp_path / "summary.json").read_text())
        assert summary["exit_code"] == expected_exit
        ledger = json.loads((tmp_path / "ledger.json").read_text())
        assert ledger["created"] == [] or summary["run"]["left_behind"]
    assert "hostile-secret-token" not in completed.stdout + completed.stderr
