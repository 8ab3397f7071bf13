"""A target that hangs, closes mid-body, answers garbage, non-JSON or 429 forever still ends in a
clear verdict within bounded time."""

import json
import subprocess
import sys
import time

import pytest

from conformance.mock.server import MockServer
from servers import CLOSE, ScriptedServer, http

BOUND_SECONDS = 120
HOSTILE = {  # each answers every request this way
    "hang": lambda request: [60.0],  # never answers while the test runs
    "close-mid-body": lambda request: [b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"id": "se',
                                       CLOSE],
    "garbage": lambda request: [b"\x00\xffNOT HTTP AT ALL\r\n\r\n", CLOSE],
    "not-json": lambda request: http(200, b"hello", headers={"Content-Type": "text/plain", "Connection": "close"}),
    "html-page": lambda request: http(200, b"<html>hello</html>", headers={"Content-Type": "text/html", "Connection": "close"}),
    "429-forever": lambda request: http(429, b'{"code": 429, "message": "Too many requests"}', headers={"Retry-After": "1"}),
}


@pytest.mark.parametrize(
    "mode, expected_exit",
    [
        ("hang", 2),            # the probe times out: could not test
        ("close-mid-body", 2),  # the probe cannot read an answer: could not test
        ("garbage", 2),         # not HTTP: could not test
        ("not-json", 1),        # answers, but nothing it says conforms
        ("html-page", 2),       # a web page, not the API (a wrong base URL): could not test, with the reason
        ("429-forever", 2),     # rate-limited past our patience: could not test
    ],
)
def test_hostile_target_ends_in_a_verdict_in_bounded_time(tmp_path, mode, expected_exit):
    with ScriptedServer(HOSTILE[mode]) as server:
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


RSS_PROBE = """
import resource, subprocess, sys
completed = subprocess.run(sys.argv[1:], capture_output=True, text=True)
sys.stdout.write(completed.stdout)
sys.stderr.write(completed.stderr)
print(f"PEAK_RSS_KB={resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
sys.exit(completed.returncode)
"""


def _drip(request):
    return [b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"] + [1.0, b" "] * 100_000


def _two_gigabytes(request):
    return [b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2147483648\r\n\r\n"] + [b"0" * 1_048_576] * 2048


@pytest.mark.parametrize("script", [_drip, _two_gigabytes], ids=["drip-1-byte-per-second", "2-GB-body"])
def test_drip_and_huge_answers_end_in_a_verdict_in_bounded_time_and_memory(tmp_path, script):
    with ScriptedServer(script) as server:
        started = time.monotonic()
        completed = subprocess.run(
            [sys.executable, "-c", RSS_PROBE, sys.executable, "-m", "conformance", "run", "--base-url", server.url,
             "--app-id", "id", "--app-token", "hostile-secret-token", "--report-dir", str(tmp_path), "-q"],
            capture_output=True, text=True, timeout=BOUND_SECONDS + 60,
        )
        elapsed = time.monotonic() - started
    peak_mb = int(completed.stdout.rsplit("PEAK_RSS_KB=", 1)[1]) / 1024
    assert elapsed < BOUND_SECONDS, f"{elapsed:.0f} s"
    assert peak_mb < 300, f"peak RSS {peak_mb:.0f} MB"
    assert completed.returncode == 2 and completed.stderr.startswith("error: could not test:"), completed.stderr[-500:]
    assert "Traceback" not in completed.stderr


def test_a_redirect_to_another_host_never_receives_a_credential(tmp_path):
    """Every request of a whole run (probe included) meets a 307 to 127.0.0.2: nothing reaches it."""
    with ScriptedServer(lambda request: http(200, b"{}"), host="127.0.0.2") as elsewhere:
        to_elsewhere = lambda request: http(307, headers={"Location": elsewhere.url + request.path, "Content-Length": "0"})
        with ScriptedServer(to_elsewhere) as target:
            completed = subprocess.run(
                [sys.executable, "-m", "conformance", "run", "--base-url", target.url, "--app-id", "id",
                 "--app-token", "hostile-secret-token", "--report-dir", str(tmp_path), "-q"],
                capture_output=True, text=True, timeout=120,
            )
        assert elsewhere.received == []
    assert completed.returncode == 2 and "redirecting to" in completed.stderr and "never follows redirects" in completed.stderr


def test_https_to_a_plain_http_port_says_so_not_certificates(tmp_path):
    with MockServer(app_id="id", app_token="token") as server:
        completed = subprocess.run(
            [sys.executable, "-m", "conformance", "run", "--base-url", server.url.replace("http://", "https://"),
             "--app-id", "id", "--app-token", "token", "--report-dir", str(tmp_path), "--insecure", "-q"],
            capture_output=True, text=True, timeout=120,
        )
    assert completed.returncode == 2 and "does not speak TLS" in completed.stderr and "--insecure" not in completed.stderr


def test_a_base_url_that_already_ends_in_v1_gets_a_hint(tmp_path):
    with MockServer(app_id="id-1", app_token="token-1") as mock:
        completed = subprocess.run(
            [sys.executable, "-m", "conformance", "run", "--base-url", mock.url + "/v1", "--app-id", "id-1",
             "--app-token", "token-1", "--report-dir", str(tmp_path), "-q"],
            capture_output=True, text=True, timeout=120,
        )
    assert completed.returncode == 2 and "without /v1" in completed.stderr
