"""A realistic summary.json for the report tests, built from the real requirement catalogue.

`make_summary()` gives what a run against a mock with a fault or two would write: most
requirements PASS, a MUST failing with a 500 whose body tries to inject markup, a SHOULD warning,
heavy scenarios NOT_TESTED, the ambiguous cases OBSERVED; non-ASCII throughout. Pass `statuses` to
set chosen requirements to other statuses; counts, tests and the verdict follow.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import pytest

from conformance.catalogue import load_catalogue

BASE_URL = "http://127.0.0.1:4010"
INJECTION = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'
NON_ASCII_NAME = "Café ☕ Zürich — 東京 segment"
MASKED = {"X-App-Id": "***", "X-App-Token": "***"}

# The statuses of the default run; every other requirement PASSes.
DEFAULT_STATUSES = {
    "SEG-NO-5XX": "FAIL",
    "SEG-CREATE-NAME-ECHO": "FAIL",
    "SEG-VALIDATION-400": "WARN",
    "SEG-CAP-STATIC-20000": "NOT_TESTED",
    "SEG-CAP-STATIC-20001": "NOT_TESTED",
    "SEG-AMBIG-NO-TYPE": "OBSERVED",
    "SEG-AMBIG-CUSTOMERS-AND-FILTER": "OBSERVED",
    "SEG-AMBIG-DYNAMIC-NO-FILTER": "NOT_TESTED",
}
SEVERITY = {"FAIL": "FAIL", "WARN": "WARN", "OBSERVED": "OBSERVED"}
OUTCOME = {"PASS": "passed", "FAIL": "failed", "WARN": "passed", "OBSERVED": "passed", "NOT_TESTED": "skipped"}


def make_summary(statuses: Mapping[str, str] | None = None, *, strict: bool = False) -> dict[str, Any]:
    wanted = {**DEFAULT_STATUSES, **(statuses or {})}
    requirements, tests = [], []
    for requirement in load_catalogue().values():
        status = wanted.get(requirement.id, "PASS")
        test = _test_for(requirement.id, status)
        tests.append(test)
        requirements.append(
            {
                "id": requirement.id,
                "level": requirement.level,
                "text": requirement.text,
                "source": requirement.source,
                "ambiguity": requirement.ambiguity,
                "status": status,
                "reason": _reason(requirement.id, status),
                "tests": [test["nodeid"]],
                "evidence": [_finding(requirement.id, status, test["nodeid"])] if status in SEVERITY else [],
            }
        )
    counts = Counter(requirement["status"] for requirement in requirements)
    failed = counts["FAIL"] > 0
    return {
        "schema_version": 1,
        "tool": {"name": "segments-conformance", "version": "0.1.0"},
        "document": {
            "sha256": "3f2a9c0e5b7d4e1f8a6c2b9d0e4f7a1c3b5d8e2f6a9c0b4d7e1f3a5c8b2d6e9f",
            "info_version": "v2018-08-01",
            "title": "Voucherify API — Segments",
        },
        "target": {"base_url": BASE_URL, "embedded_mock": True, "faults": ["http-500-on-long-name"], "insecure": False},
        "run": {
            "seed": 1234,
            "started_at": "2026-11-22T10:00:00.000Z",
            "duration_s": 12.3,
            "strict": strict,
            "max_examples": 20,
            "selection": {"k": None, "m": "not heavy"},
            "requests_sent": 345,
            "run_tag": "sc02d4o4",
            "left_behind": [],
        },
        "verdict": "NONCONFORMANT" if failed else "CONFORMANT",
        "exit_code": 1 if failed else 0,
        "counts": {status: counts[status] for status in ("PASS", "FAIL", "WARN", "NOT_TESTED", "OBSERVED")},
        "requirements": requirements,
        "tests": tests,
        "operations": [
            {"operation": "POST /v1/segments", "statuses": {"200": 41, "400": 37, "401": 6, "422": 3, "500": 1}},
            {"operation": "GET /v1/segments/{segmentId}", "statuses": {"200": 30, "401": 3, "404": 12}},
            {"operation": "DELETE /v1/segments/{segmentId}", "statuses": {"204": 28, "401": 2, "404": 9}},
        ],
    }


def _test_for(requirement_id: str, status: str) -> dict[str, Any]:
    slug = requirement_id.removeprefix("SEG-").lower().replace("-", "_")
    nodeid = f"conformance/suite/test_scenarios.py::test_{slug}[{NON_ASCII_NAME}]"
    return {
        "nodeid": nodeid,
        "name": f"{requirement_id.removeprefix('SEG-').replace('-', ' ').capitalize()} ({NON_ASCII_NAME})",
        "outcome": OUTCOME[status],
        "duration_s": 0.12 if status != "NOT_TESTED" else 0.0,
        "requirements": [requirement_id],
        "message": {
            "FAIL": f"AssertionError: {requirement_id} failed: see the evidence",
            "WARN": f"{requirement_id} (SHOULD) not met: warning only",
            "NOT_TESTED": "skipped: heavy scenario deselected by -m 'not heavy'",
        }.get(status),
    }


def _reason(requirement_id: str, status: str) -> str | None:
    if status == "NOT_TESTED":
        return "Deselected by -m 'not heavy': this scenario sends 20,000-customer bodies."
    if status == "FAIL":
        return f"{requirement_id}: the target's answer broke the requirement (1 exchange)."
    return None


def _finding(requirement_id: str, status: str, nodeid: str) -> dict[str, Any]:
    body = json.dumps({"name": NON_ASCII_NAME * 8, "type": "static", "customers": ["cust_Ü1"]}, ensure_ascii=False)
    if requirement_id == "SEG-NO-5XX":
        response = {
            "status": 500,
            "headers": {"content-type": "text/html; charset=utf-8"},
            "body": f"<html><body>Internal error for {NON_ASCII_NAME}{INJECTION}</body></html>",
            "elapsed_ms": 3.1,
        }
        message = "POST /v1/segments answered 500: a server error is never a conforming answer."
    elif status == "WARN":
        response = {
            "status": 422,
            "headers": {"content-type": "application/json"},
            "body": json.dumps({"code": 422, "key": "invalid_payload", "message": "Ungültige Nutzlast"}, ensure_ascii=False),
            "elapsed_ms": 1.7,
        }
        message = f"{requirement_id}: an invalid body answered 422; the vendor's convention is 400."
    elif status == "OBSERVED":
        segment = {"id": "seg_9zY8x", "name": NON_ASCII_NAME, "type": "static", "filter": None, "object": "segment"}
        response = {"status": 200, "headers": {"content-type": "application/json"},
                    "body": json.dumps(segment, ensure_ascii=False), "elapsed_ms": 2.0}
        message = f"{requirement_id}: the target accepted the body and created a static segment (recorded, not judged)."
    else:
        # The segment came back, but not as sent: the name lost its non-ASCII tail.
        segment = {"id": "seg_1a2B3c", "name": "Caf", "type": "static", "filter": None, "object": "segment"}
        response = {"status": 200, "headers": {"content-type": "application/json"},
                    "body": json.dumps(segment), "elapsed_ms": 2.4}
        message = f"{requirement_id}: the segment answered has name 'Caf', not the name sent."
    return {
        "requirement": requirement_id,
        "severity": SEVERITY[status],
        "message": message,
        "test": nodeid,
        "request": {
            "method": "POST",
            "url": f"{BASE_URL}/v1/segments",
            "headers": {**MASKED, "Content-Type": "application/json", "Accept": "application/json"},
            "body": body,
        },
        "response": response,
        "curl": (
            f"curl -X POST '{BASE_URL}/v1/segments' -H 'X-App-Id: ***' -H 'X-App-Token: ***' "
            f"-H 'Content-Type: application/json' -d '{body}'"
        ),
    }


@pytest.fixture
def summary() -> dict[str, Any]:
    return make_summary()


@pytest.fixture(name="make_summary")
def make_summary_fixture() -> Callable[..., dict[str, Any]]:
    return make_summary


@pytest.fixture
def write_summary(tmp_path) -> Callable[[dict[str, Any], str], Any]:
    """Write a summary dict as JSON under tmp_path; returns the path."""

    def write(summary: dict[str, Any], name: str = "summary.json"):
        path = tmp_path / name
        path.write_text(json.dumps(copy.deepcopy(summary), ensure_ascii=False, indent=2), encoding="utf-8")
        return path

    return write
