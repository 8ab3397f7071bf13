"""summary.json -> one self-contained report.html.

Data first, rendering second: `build_view` turns a validated summary into plain values (masked,
ordered, with the reproduction scripts and rerun commands computed); the Jinja template only lays
them out, with autoescaping on. The page loads nothing: inline CSS, inline SVG, one inline script
pinned by its hash in the page's Content-Security-Policy, so a response body that smuggles in
markup can neither run nor fetch.

The page reads top-down the way a QA lead acts on it: the verdict with what failed (linked) and why
a run is incomplete; each failure and warning with the exchanges that led to it, a script that
replays them and the command that reruns the test; the requirement matrix; the answers by
operation; the tests; then the run's details (document identity, options with their source).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from conformance import outputs
from conformance.report import charts
from conformance.masking import mask_headers, mask_text
from conformance.report.reproduce import curl_script, mock_command, rerun_command
from conformance.report.summary import STATUSES, load_summary, validate_summary
from conformance.verdict import verdict_of_summary

STATUS_LABELS = {status: status.replace("_", " ") for status in STATUSES}  # NOT_TESTED reads "NOT TESTED"
SEVERITY_ORDER = {"FAIL": 0, "WARN": 1, "OBSERVED": 2}
VERDICT_MEANING = {
    "CONFORMANT": "Every requirement in scope was tested and none failed.",
    "NONCONFORMANT": "A requirement failed.",
    "INCOMPLETE": "Something in scope went untested; what was tested is below.",
}
# Requirements the generic checks judge on every answer (conformance/checks/responses.py), for
# summaries that do not say so themselves (the optional requirement field `generic`).
try:
    from conformance.checks import GENERIC_REQUIREMENTS as _GENERIC
except ImportError:  # pragma: no cover - the report layer alone
    _GENERIC = frozenset()
OUTCOME_ORDER = {"failed": 0, "error": 0, "skipped": 1, "not_run": 1}  # then passed: failures first
TESTS_LISTED = 1  # "Verified by" names one test inline; more go behind a <details> with their count
UNTESTED_NAMED = 5  # the causes name this many untested requirements; the banner lists all beyond it  # "Verified by" names up to this many tests inline; more go behind a <details>


def render_html(summary: dict[str, Any]) -> str:
    validate_summary(summary)
    view = build_view(summary)
    return _environment().get_template("report.html.j2").render(view)


def prepare() -> None:
    """What rendering costs before it renders: the template, compiled from its source on first use."""
    _environment().get_template("report.html.j2")


def write_html(summary_path: str | Path, html_path: str | Path) -> Path:
    """Render the summary at `summary_path` into `html_path`; returns `html_path`."""
    html = render_html(load_summary(summary_path))
    return outputs.write_text(html_path, html)


def shown_verdict(summary: dict[str, Any]) -> str:
    """The verdict the page shows: an interrupted run is never green, whatever the file says (the
    rule is conformance.verdict's)."""
    return verdict_of_summary(summary).value


def build_view(summary: dict[str, Any]) -> dict[str, Any]:
    """Everything the template shows, as plain values, secrets masked, in reading order."""
    tests = [_test_view(test, index) for index, test in enumerate(summary["tests"], start=1)]
    tests_by_nodeid = {test["nodeid"]: test for test in tests}
    findings = _findings(summary, tests_by_nodeid)
    by_requirement: dict[str, list[dict[str, Any]]] = {}
    for finding in findings:
        by_requirement.setdefault(finding["requirement"], []).append(finding)
    requirements = [_requirement_view(requirement, tests_by_nodeid, by_requirement.get(requirement["id"], []),
                                       len([t for t in tests if t["ran"]]))
                    for requirement in summary["requirements"]]
    problems = sorted((r for r in requirements if r["status"] in ("FAIL", "WARN")),
                      key=lambda r: SEVERITY_ORDER[r["status"]])  # stable: catalogue order within
    observations = [f for f in findings if f["severity"] == "OBSERVED"]
    verdict = shown_verdict(summary)
    script = _script()
    return {
        "title": f"{summary['document']['title']} {summary['document']['info_version']}",
        "tool": f"{summary['tool']['name']} {summary['tool']['version']}",
        "schema_version": summary["schema_version"],
        "verdict": verdict,
        "banner": _banner(summary, verdict, problems, requirements),
        "exit_code": summary["exit_code"],
        "facts": _facts(summary),
        "counts": [(status, STATUS_LABELS[status], summary["counts"][status]) for status in STATUSES],
        "status_chart": charts.status_chart(summary["counts"], STATUSES, STATUS_LABELS),
        "problems": problems,
        "matrix": [r for r in requirements if r["in_scope"]],
        "out_of_scope": [r for r in requirements if not r["in_scope"]],
        "operations": _operations_view(summary),
        "tests": [t for t in tests if t["ran"]],
        "failing_tests": sorted((t for t in tests if t["ran"] and t["outcome"] != "passed"),
                                key=lambda t: OUTCOME_ORDER.get(t["outcome"], 2)),
        "passed_tests": [t for t in tests if t["ran"] and t["outcome"] == "passed"],
        "test_counts": _test_counts(tests),
        "deselected": [t for t in tests if not t["ran"]],
        "observations": observations,
        "requirement_ids": [requirement["id"] for requirement in summary["requirements"]],
        "details": _details(summary),
        "script": script,
        "script_hash": base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii"),
    }


# --- the banner -----------------------------------------------------------------------------------

def _banner(summary: dict[str, Any], verdict: str, problems: list[dict[str, Any]],
            requirements: list[dict[str, Any]]) -> dict[str, Any]:
    run = summary["run"]
    failed = [p for p in problems if p["status"] == "FAIL"]
    warned = [p for p in problems if p["status"] == "WARN"]
    causes = [mask_text(cause) for cause in run.get("causes", [])]
    interrupted = run.get("interrupted")
    if interrupted and not any(interrupted in cause for cause in causes):
        causes.insert(0, f"interrupted by {interrupted}: the run did not finish")
    limits = []  # what a cause list of untested requirements leaves unsaid: the run's own limits
    if run.get("max_requests") and run["requests_sent"] >= run["max_requests"]:
        limits.append(f"the request budget was spent: {run['requests_sent']} of {run['max_requests']} requests "
                      f"({'--profile ' + run['profile'] if run.get('profile') else '--max-requests'})")
    if run.get("max_time_s") and run["duration_s"] >= run["max_time_s"]:
        limits.append(f"the time limit of {run['max_time_s']} s was reached (--max-time)")
    if causes:
        causes = limits + causes
    untested = [r["id"] for r in requirements if r["in_scope"] and r["status"] == "NOT_TESTED"]
    if verdict == "NONCONFORMANT":
        count = len(failed)
        levels = sorted({p["level"] for p in failed}, key=["MUST", "SHOULD", "OBSERVE"].index)
        headline = (f"{count} requirement{'s' if count != 1 else ''} failed"
                    + (f" ({' and '.join(levels)})" if levels else "") + ":")
    else:
        headline = VERDICT_MEANING[verdict]
    note = None
    if verdict != summary["verdict"]:
        note = f"The summary says {summary['verdict']}, but the run was interrupted ({interrupted}): it is shown as {verdict}."
    return {
        "headline": headline,
        "scope": mask_text(summary["scope"]["text"]) if summary["scope"]["text"] else None,
        "failed": [_banner_item(p) for p in failed],
        "warned": [_banner_item(p) for p in warned],
        "causes": causes,
        # All of them when the causes abbreviate the list ("... and 22 more"): the engine names five.
        "untested": untested if len(untested) > UNTESTED_NAMED else [],
        "causes_title": "Why it is incomplete:" if verdict == "INCOMPLETE" else "Besides the failures:",
        "note": note,
        "strict": run["strict"],
    }


def _banner_item(problem: dict[str, Any]) -> dict[str, Any]:
    return {"id": problem["id"], "level": problem["level"], "anchor": problem["problem_anchor"],
            "summary": problem["headline"]}


def _facts(summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The banner's facts: where, what, how; warnings (faults, TLS off, left behind) marked."""
    target, run, document = summary["target"], summary["run"], summary["document"]
    facts: list[dict[str, Any]] = []

    def fact(label: str, value: str, warning: bool = False) -> None:
        facts.append({"label": label, "value": value, "warning": warning})

    if summary.get("command") == "sdk" and summary.get("client"):
        client = summary["client"]
        fact("Client", f"{client['name']} {client['version']}")
        if client.get("faults"):
            fact("Client faults", ", ".join(client["faults"]), warning=True)
    fact("Target", mask_text(target["base_url"]) + (" (embedded mock)" if target["embedded_mock"] else ""))
    if target["embedded_mock"] and target["faults"]:
        fact("Mock faults", ", ".join(target["faults"]), warning=True)
    if target["embedded_mock"] and target.get("variants"):
        fact("Mock variants", ", ".join(target["variants"]))
    if target["insecure"]:
        fact("TLS", "verification OFF (--insecure)", warning=True)
    if run.get("left_behind"):
        left = run["left_behind"]
        fact("Left behind", f"{len(left)} segment(s) this run created: {', '.join(left)}", warning=True)
    fact("Document", f"{document['source']} · {document['info_version']} · sha256 {document['sha256'][:12]}")
    fact("Seed", str(run["seed"]))
    fact("Started", run["started_at"])
    fact("Duration", _duration(run["duration_s"]))
    fact("Requests sent", str(run["requests_sent"]) + (f" (budget {run['max_requests']})" if run.get("max_requests") else ""))
    fact("Depth", f"{run.get('depth') or 'quick'}, {run['max_examples']} examples per operation")
    fact("Strict", "yes: SHOULD failures fail the run" if run["strict"] else "no: SHOULD failures are warnings")
    selection = [f"-{key} {value}" for key, value in run["selection"].items() if value]
    if run.get("profile"):
        fact("Profile", run["profile"])
    elif selection:
        fact("Selection", "  ".join(selection))
    if run.get("run_tag"):
        fact("Run tag", run["run_tag"])
    fact("Tool", f"{summary['tool']['name']} {summary['tool']['version']}")
    return facts


def _details(summary: dict[str, Any]) -> dict[str, Any]:
    """The run's details, at the end of the page: the contract document, the options and where
    each came from, and how to run the same again."""
    document, run, target = summary["document"], summary["run"], summary["target"]
    return {
        "document": {
            "source": document["source"],
            "sha256": document["sha256"],
            "info_version": document["info_version"],
            "title": document["title"],
            "operations": document["operations"],
            "overlay_warnings": [mask_text(w) for w in document["overlay_warnings"]],
        },
        "options": [{**option, "value": mask_text(option["value"])} for option in summary["options"]],
        "config_file": run.get("config_file"),
        "client": summary.get("client") if summary.get("command") == "sdk" else None,
        "command": summary.get("command", "api"),
        "rerun": mask_text(rerun_command(summary)),
        "mock": mock_command(summary) if target["embedded_mock"] and summary.get("command", "api") == "api" else None,
        "max_time_s": run.get("max_time_s"),
    }


# --- requirements ---------------------------------------------------------------------------------

def _requirement_view(requirement: dict[str, Any], tests: dict[str, dict], findings: list[dict],
                      tests_run: int) -> dict[str, Any]:
    links = [
        {"name": tests[nodeid]["name"], "anchor": tests[nodeid]["anchor"]} if nodeid in tests
        else {"name": nodeid, "anchor": None}
        for nodeid in requirement["tests"]
    ]
    generic = requirement.get("generic", requirement["id"] in _GENERIC)
    status = requirement["status"]
    reason = mask_text(requirement["reason"]) if requirement["reason"] else None
    first = next((f for f in findings if f["severity"] in ("FAIL", "WARN")), None)
    return {
        **requirement,
        "status_label": STATUS_LABELS[status],
        "reason": reason,
        "headline": first["message"] if first else (reason or ""),
        "problem_anchor": f"problem-{requirement['id']}" if status in ("FAIL", "WARN") else None,
        "verified": {
            "count": len(links),
            "generic": generic,
            "tests": links,
            "inline": links if len(links) <= TESTS_LISTED and not generic else [],
            "tests_run": tests_run,
        },
        "findings": [f for f in findings if f["severity"] in ("FAIL", "WARN")],
        "observations": [f for f in findings if f["severity"] == "OBSERVED"],
        "evidence_not_shown": requirement.get("evidence_not_shown", 0),
    }


# --- findings -------------------------------------------------------------------------------------

def _findings(summary: dict[str, Any], tests: dict[str, dict]) -> list[dict[str, Any]]:
    """Every piece of evidence, numbered so that the matrix and the banner can link to it."""
    levels = {requirement["id"]: requirement["level"] for requirement in summary["requirements"]}
    evidence = [finding for requirement in summary["requirements"] for finding in requirement["evidence"]]
    views = []
    for index, finding in enumerate(evidence, start=1):
        test = tests.get(finding["test"])
        views.append({
            "anchor": f"finding-{index}",
            "requirement": finding["requirement"],
            "level": levels.get(finding["requirement"], ""),
            "severity": finding["severity"],
            "message": mask_text(finding["message"]),
            "test": finding["test"],
            "test_name": test["name"] if test else finding["test"],
            "test_anchor": test["anchor"] if test else None,
            "steps": _steps(summary, finding),
            "missing": [n for n in finding["sequence_of_exchanges"] if str(n) not in summary["exchanges"]],
            "script": curl_script(summary, finding),  # masks every literal it carries
            "rerun": mask_text(rerun_command(summary, finding["test"])),
            "example": mask_text(finding["example"]) if finding.get("example") else None,
        })
    return views


def _steps(summary: dict[str, Any], finding: dict[str, Any]) -> list[dict[str, Any]]:
    """The exchanges that led to the finding, in order, its own last and marked."""
    base_url = summary["target"]["base_url"]
    steps = []
    for number in finding["sequence_of_exchanges"]:
        exchange = summary["exchanges"].get(str(number))
        if exchange is None:
            continue
        request, response = exchange["request"], exchange["response"]
        url = request["url"]
        path = url[len(base_url):] if url.startswith(base_url) else url
        culprit = number == finding["sequence"]
        steps.append({
            "sequence": number,
            "method": request["method"],
            "path": mask_text(path or "/"),
            "status": response["status"],
            "elapsed": f"{response['elapsed_ms']:.1f} ms" if response["elapsed_ms"] is not None else "",
            "culprit": culprit,
            "severity": finding["severity"] if culprit else None,
            "request": _request_text(request),
            "response": _response_text(response),
        })
    return steps


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
        lines += ["", _visible(_pretty(mask_text(body)))]
    return "\n".join(lines)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _visible(text: str) -> str:
    """Control characters (a NUL a fuzzer sent, say) as \\xHH, so that the reader sees them."""
    return _CONTROL.sub(lambda match: f"\\x{ord(match.group(0)):02x}", text)


def _pretty(body: str) -> str:
    """JSON indented for reading; anything else (or truncated JSON) as it came."""
    try:
        return json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    except ValueError:
        return body


# --- operations -----------------------------------------------------------------------------------

def _operations_view(summary: dict[str, Any]) -> dict[str, Any]:
    """Answers by operation and status code, the documented operations first; and the line that
    reconciles the table's total with the header's "requests sent"."""
    operations = summary["operations"]
    documented = [f"{op['method'].upper()} {op['path']}" for op in summary["document"]["operations"]]
    order = {label: index for index, label in enumerate(documented)}
    ordered = sorted(operations, key=lambda op: (order.get(op["operation"], len(order)), op["operation"]))
    codes = sorted({code for operation in operations for code in operation["statuses"]})
    rows = [
        {
            "operation": operation["operation"],
            "documented": operation["operation"] in order,
            "cells": [operation["statuses"].get(code, 0) for code in codes],
            "total": sum(operation["statuses"].values()),
        }
        for operation in ordered
    ]
    answered = sum(row["total"] for row in rows)
    sent = summary["run"]["requests_sent"]
    in_tests = None
    if summary["tests"] and all("exchanges" in test for test in summary["tests"]):
        in_tests = sum(len(test["exchanges"]) for test in summary["tests"])
    return {"codes": codes, "rows": rows, "answered": answered, "sent": sent,
            "reconcile": _reconcile(answered, sent, in_tests, summary["target"]["embedded_mock"]),
            "undocumented": any(not row["documented"] for row in rows)}


def _reconcile(answered: int, sent: int, in_tests: int | None, embedded: bool) -> str:
    outside = "cleanup after each test and at the end" + ("" if embedded else ", and the reachability probe before the tests")
    parts = [f"The table counts the {answered} answers the run received, by operation and status code."]
    if in_tests is not None:
        parts.append(f"{in_tests} of them came to tests' own requests; the other {answered - in_tests} are outside "
                     f"any test ({outside}).")
    else:
        parts.append(f"Requests outside any test ({outside}) are counted too.")
    if sent == answered:
        parts.append(f"That is every request sent: the header's {sent}.")
    elif sent > answered:
        parts.append(f"The header's {sent} requests sent include {sent - answered} that got no answer "
                     "(a transport error or a timeout).")
    else:
        parts.append(f"The header counts {sent} requests sent; {answered - sent} answers more were recorded "
                     "than requests counted (the summary's counts disagree).")
    return " ".join(parts)


# --- tests ----------------------------------------------------------------------------------------

def _test_view(test: dict[str, Any], index: int) -> dict[str, Any]:
    return {
        **test,
        "anchor": f"test-{index}",
        "ran": test["outcome"] not in ("deselected",),
        "message": mask_text(test["message"]) if test["message"] else None,
        "duration": _duration(test["duration_s"]),
        "requests": test.get("requests"),
    }


def _test_counts(tests: list[dict[str, Any]]) -> str:
    """"72 tests: 2 failed, 1 skipped, 69 passed", failures first."""
    ran = [test["outcome"] for test in tests if test["ran"]]
    order = ("failed", "error", "skipped", "not_run", "passed")
    parts = [f"{ran.count(outcome)} {outcome.replace('_', ' ')}" for outcome in order if ran.count(outcome)]
    return f"{len(ran)} test{'s' if len(ran) != 1 else ''}" + (f": {', '.join(parts)}" if parts else "")


def _duration(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


# --- the environment ------------------------------------------------------------------------------

_BACKTICKED = re.compile(r"`([^`\n]+)`")


def inline_markdown(text: Any) -> markupsafe.Markup:
    """`code` spans of Markdown as <code>: escaped first, then converted, so that nothing in the
    text can become markup but the <code> elements this adds."""
    escaped = str(markupsafe.escape("" if text is None else text))
    return markupsafe.Markup(_BACKTICKED.sub(r"<code>\1</code>", escaped))


_REQUIREMENT_ID = re.compile(r"\b(?:SEG|SDK)(?:-[A-Z0-9]+)+\b")


def link_requirements(text: Any, known: Any) -> markupsafe.Markup:
    """Requirement ids in already-escaped text as links to their rows in the matrix (known ids only)."""
    known = set(known)
    markup = text if isinstance(text, markupsafe.Markup) else markupsafe.escape(text)
    return markupsafe.Markup(_REQUIREMENT_ID.sub(
        lambda match: f'<a href="#req-{match.group(0)}">{match.group(0)}</a>' if match.group(0) in known
        else match.group(0), str(markup)))


@functools.cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("conformance.report", "templates"),
        autoescape=True,  # the template is .html.j2, which select_autoescape would not recognise
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["md"] = inline_markdown
    environment.filters["link_requirements"] = link_requirements
    return environment


@functools.cache
def _script() -> str:
    return files("conformance.report").joinpath("templates", "report.js").read_text("utf-8").strip()
