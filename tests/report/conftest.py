"""Summaries for the report tests: hand-built version-2 summaries, and two real runs built once.

`make_summary()` gives what a run against the embedded mock with two faults would write, from the
real requirement catalogue: most requirements PASS; SEG-DELETE-GONE FAILs after a create, a delete
and a GET that still answers 200 (the soft-delete story, three exchanges); SEG-NO-5XX FAILs on a
500 whose body tries to inject markup; SEG-VALIDATION-400 WARNs; a heavy cap NOT_TESTED in scope;
the list requirements out of scope (the document lacks the operation); the ambiguous cases
OBSERVED; non-ASCII and Markdown backticks throughout. `statuses` sets chosen requirements to other
statuses; counts, tests, exchanges and the verdict follow. `make_sdk_summary()` is an SDK gate run.

`real_runs` runs `conformance run` twice per test session (once across pytest-xdist workers, under
a file lock): against the correct mock, and against the mock with --fault soft-delete and
credentials of our own (so that the report and run.har can be searched for them).
"""

from __future__ import annotations

import copy
import fcntl
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from conformance.catalogue import load_catalogue

BASE_URL = "http://127.0.0.1:4010"
INJECTION = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'
NON_ASCII_NAME = "Café ☕ Zürich — 東京 segment"
MASKED = {"X-App-Id": "***", "X-App-Token": "***"}
SHA256 = "3f2a9c0e5b7d4e1f8a6c2b9d0e4f7a1c3b5d8e2f6a9c0b4d7e1f3a5c8b2d6e9f"
SEGMENT_ID = "seg_1a2B3c4D5e6F7g8H9i0J"
OUT_OF_SCOPE_REASON = "out of scope: the document has no list-segment operation"
BULK_TESTS = 35  # tests that all declare SEG-CREATE-STATIC-200, as the property tests and scenarios do

# The statuses of the default run; every other requirement PASSes (the list ones are out of scope).
DEFAULT_STATUSES = {
    "SEG-DELETE-GONE": "FAIL",
    "SEG-NO-5XX": "FAIL",
    "SEG-VALIDATION-400": "WARN",
    "SEG-CAP-STATIC-20000": "NOT_TESTED",
    "SEG-AMBIG-NO-TYPE": "OBSERVED",
    "SEG-AMBIG-CUSTOMERS-AND-FILTER": "OBSERVED",
}
OUTCOME = {"PASS": "passed", "FAIL": "failed", "WARN": "passed", "OBSERVED": "passed", "NOT_TESTED": "skipped"}
# The real app credentials of the failing real run: nothing the run writes may contain them.
APP_ID, APP_TOKEN = "report-app-id-Q7x2", "report-token-Zk4v-9s3cr3t"


class _Builder:
    """Exchanges and tests for one hand-built summary, numbered in the order a run would send them."""

    def __init__(self) -> None:
        self.exchanges: dict[str, dict[str, Any]] = {}
        self.sequence = 100

    def exchange(self, nodeid: str, method: str, path: str, status: int, *, body: str | None = None,
                 answer: str | None = "", content_type: str = "application/json; charset=utf-8",
                 request_headers: dict[str, str] | None = None) -> int:
        self.sequence += 1
        headers = {"User-Agent": "python-requests/2.34.2", "Accept": "application/json", **MASKED,
                   **({"Content-Type": "application/json"} if body is not None else {}), **(request_headers or {})}
        curl = f"curl -X {method} '{BASE_URL}{path}'" + "".join(f" -H '{k}: {v}'" for k, v in headers.items())
        if body is not None:
            curl += f" --data-raw '{body}'"
        self.exchanges[str(self.sequence)] = {
            "sequence": self.sequence,
            "request": {"method": method, "url": BASE_URL + path, "headers": headers, "body": body},
            "response": {"status": status,
                         "headers": {"content-type": content_type} if answer else {},
                         "body": answer, "elapsed_ms": 2.4},
            "curl": curl,
            "test": nodeid,
            "started_at": 1795348846.0 + self.sequence / 1000,
        }
        return self.sequence


def make_summary(statuses: Mapping[str, str] | None = None, *, strict: bool = False) -> dict[str, Any]:
    wanted = {**DEFAULT_STATUSES, **(statuses or {})}
    builder = _Builder()
    requirements, tests, out_of_scope = [], [], []
    for requirement in load_catalogue().values():
        in_scope = not requirement.id.startswith("SEG-LIST-")
        status = wanted.get(requirement.id, "PASS") if in_scope else "NOT_TESTED"
        nodeid = _nodeid(requirement.id)
        evidence = _evidence(builder, requirement.id, status, nodeid) if in_scope else []
        test = _test(requirement.id, status, nodeid, in_scope, builder)
        tests.append(test)
        if not in_scope:
            out_of_scope.append({"id": requirement.id, "reason": OUT_OF_SCOPE_REASON})
        requirements.append({
            "id": requirement.id,
            "level": requirement.level.value,
            "text": requirement.text,
            "source": requirement.source,
            "ambiguity": requirement.ambiguity,
            "status": status,
            "in_scope": in_scope,
            "reason": _reason(requirement.id, status, in_scope),
            "tests": [nodeid] + ([f"test_bulk.py::test_bulk[{i}]" for i in range(BULK_TESTS)]
                                 if requirement.id == "SEG-CREATE-STATIC-200" else []),
            "violations": 3 if status in ("FAIL", "WARN") and requirement.id == "SEG-DELETE-GONE" else (
                1 if status in ("FAIL", "WARN") else 0),
            "evidence": evidence,
            "evidence_not_shown": 2 if requirement.id == "SEG-DELETE-GONE" and status == "FAIL" else 0,
        })
    for index in range(BULK_TESTS):
        tests.append({"nodeid": f"test_bulk.py::test_bulk[{index}]", "name": f"Bulk create number {index}.",
                      "outcome": "passed", "duration_s": 0.01, "requirements": ["SEG-CREATE-STATIC-200"],
                      "message": None, "failed_requirement": None, "requests": 0, "exchanges": []})
    counts = Counter(requirement["status"] for requirement in requirements)
    failed = counts["FAIL"] > 0
    untested = [r["id"] for r in requirements if r["in_scope"] and r["status"] == "NOT_TESTED"]
    causes = [f"{len(untested)} requirement(s) in scope not tested: {', '.join(untested)}"] if untested else []
    verdict, exit_code = ("NONCONFORMANT", 1) if failed else (("INCOMPLETE", 2) if untested else ("CONFORMANT", 0))
    operations = [
        {"operation": "POST /v1/segments", "statuses": {"200": 41, "400": 37, "401": 6, "415": 4, "422": 3, "500": 1}},
        {"operation": "GET /v1/segments/{segmentId}", "statuses": {"200": 30, "401": 3, "404": 12}},
        {"operation": "DELETE /v1/segments/{segmentId}", "statuses": {"204": 28, "401": 2, "404": 9}},
        {"operation": "PUT /v1/segments", "statuses": {"405": 1}},
    ]
    answered = sum(sum(operation["statuses"].values()) for operation in operations)
    summary = {
        "schema_version": 2,
        "tool": {"name": "segments-conformance", "version": "0.1.0"},
        "command": "api",
        "document": {
            "source": "bundled",
            "sha256": SHA256,
            "info_version": "v2018-08-01",
            "title": "Voucherify API — Segments",
            "operations": [
                {"method": "POST", "path": "/v1/segments", "operation_id": "create-segment"},
                {"method": "GET", "path": "/v1/segments/{segmentId}", "operation_id": "get-segment"},
                {"method": "DELETE", "path": "/v1/segments/{segmentId}", "operation_id": "delete-segment"},
            ],
            "overlay_warnings": ["action 3 (`$.paths['/v1/segments'].get`) matched nothing"],
        },
        "target": {"base_url": BASE_URL, "embedded_mock": True, "faults": ["soft-delete", "long-name-500"],
                   "variants": [], "insecure": False},
        "run": {
            "seed": 1234,
            "started_at": "2026-11-22T10:00:00.000Z",
            "duration_s": 12.3,
            "strict": strict,
            "depth": "quick",
            "max_examples": 20,
            "selection": {"k": None, "m": None},
            "requests_sent": answered,
            "run_tag": "sc02d4o4",
            "left_behind": [],
            "max_requests": None,
            "max_time_s": 1800,
            "profile": None,
            "interrupted": None,
            "config_file": None,
            "causes": causes,
        },
        "options": [
            {"option": "--fault", "value": "soft-delete, long-name-500", "source": "command line"},
            {"option": "--max-examples", "value": "20", "source": "environment"},
            {"option": "--report-dir", "value": "reports/nightly", "source": "pyproject.toml"},
        ],
        "verdict": verdict,
        "exit_code": exit_code,
        "scope": {"text": "operations the document lacks left out: 5 MUST, 1 SHOULD requirement(s) out of scope",
                  "out_of_scope": out_of_scope},
        "counts": {status: counts[status] for status in ("PASS", "FAIL", "WARN", "NOT_TESTED", "OBSERVED")},
        "requirements": requirements,
        "tests": tests,
        "exchanges": builder.exchanges,
        "operations": operations,
    }
    return summary


def make_sdk_summary(client_version: str = "6.1.1") -> dict[str, Any]:
    """An SDK gate summary: the same shape, command "sdk", the client under test named."""
    summary = make_summary({"SEG-NO-5XX": "PASS"})
    summary["command"] = "sdk"
    summary["client"] = {"name": "voucherify-python-sdk", "version": client_version, "faults": []}
    for requirement in summary["requirements"]:
        for finding in requirement["evidence"]:
            finding["example"] = 'client.segments.get("seg_gone") returned a Segment instead of raising NotFound'
    return summary


def _nodeid(requirement_id: str) -> str:
    slug = requirement_id.removeprefix("SEG-").lower().replace("-", "_")
    return f"test_scenarios.py::test_{slug}[{NON_ASCII_NAME}]"


def _test(requirement_id: str, status: str, nodeid: str, in_scope: bool, builder: _Builder) -> dict[str, Any]:
    sequences = [int(n) for n, e in builder.exchanges.items() if e["test"] == nodeid]
    name = (f"{requirement_id.removeprefix('SEG-').replace('-', ' ').capitalize()}: the answer carries `name` "
            f"and `type` as sent, however long the sentence describing it gets ({NON_ASCII_NAME}).")
    return {
        "nodeid": nodeid,
        "name": name,
        "outcome": OUTCOME[status] if in_scope else "deselected",
        "duration_s": 0.12 if status != "NOT_TESTED" else 0.0,
        "requirements": [requirement_id],
        "message": (OUT_OF_SCOPE_REASON.removeprefix("out of scope: ") if not in_scope else {
            "FAIL": f"{requirement_id} (MUST): the target's answer broke it",
            "WARN": f"{requirement_id} (SHOULD) not met: warning only",
            "NOT_TESTED": "skipped: heavy scenario: run it with `--include-heavy`",
        }.get(status)),
        "failed_requirement": requirement_id if status == "FAIL" else None,
        "requests": len(sequences) + (1 if sequences else 0),  # and its cleanup, outside the test's exchanges
        "exchanges": sequences,
    }


def _reason(requirement_id: str, status: str, in_scope: bool) -> str | None:
    if not in_scope:
        return OUT_OF_SCOPE_REASON
    if status == "NOT_TESTED":
        return "heavy scenario left out: it sends 20,000-customer bodies (run it with `--include-heavy`)"
    if status == "FAIL" and requirement_id == "SEG-DELETE-GONE":
        return "3 violation(s); first: expected 404 for a deleted segment, get answered 200"
    if status in ("FAIL", "WARN"):
        return f"1 violation(s); first: {requirement_id}: the target's answer broke it"
    if status == "OBSERVED":
        return "accepted as a `static` segment"
    return None


def _evidence(builder: _Builder, requirement_id: str, status: str, nodeid: str) -> list[dict[str, Any]]:
    if status not in ("FAIL", "WARN", "OBSERVED"):
        return []
    create = json.dumps({"name": f"static {NON_ASCII_NAME}", "type": "static", "customers": ["cust_Ü1"]},
                        ensure_ascii=False)
    segment = json.dumps({"id": SEGMENT_ID, "name": f"static {NON_ASCII_NAME}", "type": "static", "filter": None,
                          "created_at": "2026-11-22T10:00:01.000Z", "object": "segment"}, ensure_ascii=False)
    if requirement_id == "SEG-DELETE-GONE":
        first = builder.exchange(nodeid, "POST", "/v1/segments", 200, body=create, answer=segment)
        second = builder.exchange(nodeid, "DELETE", f"/v1/segments/{SEGMENT_ID}", 204, answer="")
        third = builder.exchange(nodeid, "GET", f"/v1/segments/{SEGMENT_ID}", 200, answer=segment)
        chain = [first, second, third]
        message = "expected 404 for a deleted segment, `get` answered 200"
    elif requirement_id == "SEG-NO-5XX":
        body = json.dumps({"name": NON_ASCII_NAME * 8, "type": "static", "customers": ["cust_Ü1"]}, ensure_ascii=False)
        chain = [builder.exchange(nodeid, "POST", "/v1/segments", 500, body=body,
                                  answer=f"<html><body>Internal error for {NON_ASCII_NAME}{INJECTION}</body></html>",
                                  content_type="text/html; charset=utf-8")]
        message = "POST /v1/segments answered 500: a server error is never a conforming answer"
    elif status == "WARN":
        chain = [builder.exchange(nodeid, "POST", "/v1/segments", 422, body='{"type": "static"}',
                                  answer=json.dumps({"code": 422, "key": "invalid_payload", "message": "Ungültige Nutzlast"},
                                                    ensure_ascii=False))]
        message = "expected 400 for the invalid body `name-missing`, answered 422"
    elif status == "OBSERVED":
        chain = [builder.exchange(nodeid, "POST", "/v1/segments", 200, body=create, answer=segment)]
        message = "accepted as a `static` segment"
    else:
        chain = [builder.exchange(nodeid, "POST", "/v1/segments", 200, body=create, answer=segment)]
        message = f"{requirement_id}: the answer broke it"
    return [{"requirement": requirement_id, "severity": status, "message": message, "test": nodeid,
             "sequence": chain[-1], "sequence_of_exchanges": chain}]


@pytest.fixture
def summary() -> dict[str, Any]:
    return make_summary()


@pytest.fixture(name="make_summary")
def make_summary_fixture() -> Callable[..., dict[str, Any]]:
    return make_summary


@pytest.fixture(name="make_sdk_summary")
def make_sdk_summary_fixture() -> Callable[..., dict[str, Any]]:
    return make_sdk_summary


@pytest.fixture
def write_summary(tmp_path) -> Callable[[dict[str, Any], str], Any]:
    """Write a summary dict as JSON under tmp_path; returns the path."""

    def write(summary: dict[str, Any], name: str = "summary.json"):
        path = tmp_path / name
        path.write_text(json.dumps(copy.deepcopy(summary), ensure_ascii=False, indent=2), encoding="utf-8")
        return path

    return write


# --- real runs ------------------------------------------------------------------------------------

REAL_RUNS = {
    "pass": ["--seed", "11"],
    "fail": ["--seed", "12", "--fault", "soft-delete", "--app-id", APP_ID, "--app-token", APP_TOKEN],
}


def conformance(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "conformance", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "NO_COLOR": "1"}, check=False)


@pytest.fixture(scope="session")
def real_runs(tmp_path_factory, worker_id) -> dict[str, Path]:
    """Report directories of two real runs against the embedded mock, built once per session
    (shared by the pytest-xdist workers: the first one to take the lock runs them)."""
    root = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    directories = {name: root / f"real-run-{name}" for name in REAL_RUNS}
    with open(root / "real-runs.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        missing = {name: args for name, args in REAL_RUNS.items() if not (directories[name] / "summary.json").is_file()}
        processes = {
            name: subprocess.Popen([sys.executable, "-m", "conformance", "run", "-q", "--report-dir",
                                    str(directories[name]), *args],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            for name, args in missing.items()
        }
        for name, process in processes.items():
            _, stderr = process.communicate(timeout=300)
            assert process.returncode in (0, 1), f"real run {name} exited {process.returncode}: {stderr[-2000:]}"
    return directories


@pytest.fixture(scope="session")
def real_run_credentials() -> tuple[str, str]:
    """The X-App-Id and X-App-Token the failing real run used (its embedded mock accepted them)."""
    return APP_ID, APP_TOKEN
