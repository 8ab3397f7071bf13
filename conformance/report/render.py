"""summary.json -> one self-contained report.html.

Data first, rendering second: `build_view` turns a validated summary into plain values (masked,
formatted, chart geometry computed); the Jinja template only lays them out, with autoescaping on.
The page loads nothing: inline CSS, inline SVG, one inline script pinned by its hash in the page's
Content-Security-Policy, so a response body that smuggles in markup can neither run nor fetch.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2

from conformance.report import charts
from conformance.report.redact import mask_curl, mask_headers, mask_text
from conformance.report.summary import STATUSES, load_summary, validate_summary

STATUS_LABELS = {status: status.replace("_", " ") for status in STATUSES}  # NOT_TESTED reads "NOT TESTED"
SEVERITY_ORDER = {"FAIL": 0, "WARN": 1, "OBSERVED": 2}
VERDICT_MEANING = {
    "CONFORMANT": "No requirement failed.",
    "NONCONFORMANT": "At least one requirement failed.",
    "INCOMPLETE": "The run could not finish testing the target; what it did test is below.",
}


def render_html(summary: dict[str, Any]) -> str:
    validate_summary(summary)
    view = build_view(summary)
    return _environment().get_template("report.html.j2").render(view)


def write_html(summary_path: str | Path, html_path: str | Path) -> Path:
    """Render the summary at `summary_path` into `html_path`; returns `html_path`."""
    html = render_html(load_summary(summary_path))
    html_path = Path(html_path)
    html_path.write_text(html, encoding="utf-8")
    return html_path


def build_view(summary: dict[str, Any]) -> dict[str, Any]:
    """Everything the template shows, as plain values, secrets masked."""
    tests = [_test_view(test, index) for index, test in enumerate(summary["tests"], start=1)]
    tests_by_nodeid = {test["nodeid"]: test for test in tests}
    findings = _findings_view(summary["requirements"], summary["exchanges"])
    findings_by_requirement: dict[str, list[dict[str, Any]]] = {}
    for finding in findings:
        findings_by_requirement.setdefault(finding["requirement"], []).append(finding)
    script = _script()
    return {
        "title": f"{summary['document']['title']} {summary['document']['info_version']}",
        "tool": f"{summary['tool']['name']} {summary['tool']['version']}",
        "schema_version": summary["schema_version"],
        "verdict": summary["verdict"],
        "verdict_meaning": VERDICT_MEANING[summary["verdict"]],
        "exit_code": summary["exit_code"],
        "facts": _facts(summary),
        "counts": [(status, STATUS_LABELS[status], summary["counts"][status]) for status in STATUSES],
        "status_chart": charts.status_chart(summary["counts"], STATUSES, STATUS_LABELS),
        "operations_chart": charts.operations_chart(summary["operations"]),
        "operations": _operations_view(summary["operations"]),
        "requirements": [
            _requirement_view(requirement, tests_by_nodeid, findings_by_requirement.get(requirement["id"], []))
            for requirement in summary["requirements"]
        ],
        "findings": findings,
        "tests": tests,
        "script": script,
        "script_hash": base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii"),
    }


def _facts(summary: dict[str, Any]) -> list[tuple[str, str]]:
    target, run, document, tool = summary["target"], summary["run"], summary["document"], summary["tool"]
    where = mask_text(target["base_url"]) + (" (embedded mock)" if target["embedded_mock"] else "")
    facts = [("Target", where)]  # warnings (faults, TLS off, segments left behind) right after it
    if target["embedded_mock"] and target["faults"]:
        facts.append(("Mock faults", ", ".join(target["faults"])))
    if target["insecure"]:
        facts.append(("TLS", "verification OFF (--insecure)"))
    if run.get("left_behind"):
        left = run["left_behind"]
        facts.append(("Left behind", f"{len(left)} segment(s) this run created: {', '.join(left)}"))
    facts += [
        ("Seed", str(run["seed"])),
        ("Started", run["started_at"]),
        ("Duration", _duration(run["duration_s"])),
        ("Requests sent", str(run["requests_sent"])),
        *([("Run tag", run["run_tag"])] if run.get("run_tag") else []),
        ("Strict", "yes: SHOULD failures fail the run" if run["strict"] else "no: SHOULD failures are warnings"),
        ("Max examples", str(run["max_examples"])),
    ]
    selection = [f"-{key} {value}" for key, value in run["selection"].items() if value]
    if selection:
        facts.append(("Selection", "  ".join(selection)))
    facts += [
        ("Document", f"{document['title']} {document['info_version']}"),
        ("Document sha256", document["sha256"][:12]),
        ("Tool", f"{tool['name']} {tool['version']}"),
    ]
    return facts


def _requirement_view(requirement: dict[str, Any], tests: dict[str, dict], findings: list[dict]) -> dict[str, Any]:
    return {
        **requirement,
        "status_label": STATUS_LABELS[requirement["status"]],
        "reason": mask_text(requirement["reason"]) if requirement["reason"] else None,
        # A nodeid the tests list does not know is still shown, unlinked.
        "test_links": [
            {"name": tests[nodeid]["name"], "anchor": tests[nodeid]["anchor"]} if nodeid in tests
            else {"name": nodeid, "anchor": None}
            for nodeid in requirement["tests"]
        ],
        "findings": findings,
    }


def _findings_view(requirements: list[dict[str, Any]], exchanges: dict[str, Any]) -> list[dict[str, Any]]:
    """Every piece of evidence, failures first, numbered so the matrix can link to it."""
    evidence = [(requirement, finding) for requirement in requirements for finding in requirement["evidence"]]
    evidence.sort(key=lambda pair: SEVERITY_ORDER[pair[1]["severity"]])  # stable: catalogue order within
    return [
        {
            "anchor": f"finding-{index}",
            "requirement": finding["requirement"],
            "level": requirement["level"],
            "severity": finding["severity"],
            "message": mask_text(finding["message"]),
            "test": finding["test"],
            "request": _request_text(exchange["request"]) if exchange else None,
            "response": _response_text(exchange["response"]) if exchange else None,
            "curl": mask_curl(exchange["curl"]) if exchange else None,
        }
        for index, (requirement, finding, exchange) in enumerate(
            ((requirement, finding, exchanges.get(str(finding["sequence"]))) for requirement, finding in evidence), start=1)
    ]


def _request_text(request: dict[str, Any]) -> str:
    head = f"{request['method']} {mask_text(request['url'])}"
    return _message(head, request["headers"], request["body"])


def _response_text(response: dict[str, Any]) -> str:
    elapsed = f"  ({response['elapsed_ms']:.1f} ms)" if response["elapsed_ms"] is not None else ""
    return _message(f"HTTP {response['status']}{elapsed}", response["headers"], response["body"])


def _message(head: str, headers: dict[str, str], body: str | None) -> str:
    """An exchange half laid out like HTTP on the wire: start line, headers, blank line, body."""
    lines = [head] + [f"{name}: {value}" for name, value in mask_headers(headers).items()]
    if body:
        lines += ["", _pretty(mask_text(body))]
    return "\n".join(lines)


def _pretty(body: str) -> str:
    """JSON indented for reading; anything else (or truncated JSON) as it came."""
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body


def _operations_view(operations: list[dict[str, Any]]) -> dict[str, Any]:
    codes = sorted({code for operation in operations for code in operation["statuses"]})
    rows = [
        {
            "operation": operation["operation"],
            "cells": [operation["statuses"].get(code, 0) for code in codes],
            "total": sum(operation["statuses"].values()),
        }
        for operation in operations
    ]
    return {"codes": codes, "rows": rows}


def _test_view(test: dict[str, Any], index: int) -> dict[str, Any]:
    return {
        **test,
        "anchor": f"test-{index}",
        "message": mask_text(test["message"]) if test["message"] else None,
        "duration": _duration(test["duration_s"]),
    }


def _duration(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


@functools.cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("conformance.report", "templates"),
        autoescape=True,  # the template is .html.j2, which select_autoescape would not recognise
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@functools.cache
def _script() -> str:
    return files("conformance.report").joinpath("templates", "filter.js").read_text("utf-8").strip()
