"""run.har: a real run's every exchange as HAR 1.2, credentials masked, importable by a browser's devtools.

The required fields are HAR 1.2's (http://www.softwareishard.com/blog/har-12-spec/); the types are
what Chromium's importer (devtools-frontend, front_end/models/har/HARFormat.ts) insists on: numbers
that cast to numbers, dates that parse, objects where it reads fields, arrays where it maps.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from urllib.parse import urlsplit

import pytest

from conformance.report.har import har_document

REQUIRED = {
    "log": {"version": str, "creator": dict, "entries": list},
    "creator": {"name": str, "version": str},
    "entry": {"startedDateTime": str, "time": (int, float), "request": dict, "response": dict, "cache": dict,
              "timings": dict},
    "request": {"method": str, "url": str, "httpVersion": str, "cookies": list, "headers": list, "queryString": list,
                "headersSize": int, "bodySize": int},
    "response": {"status": int, "statusText": str, "httpVersion": str, "cookies": list, "headers": list,
                 "content": dict, "redirectURL": str, "headersSize": int, "bodySize": int},
    "content": {"size": int, "mimeType": str},
    "timings": {"send": (int, float), "wait": (int, float), "receive": (int, float)},
    "postData": {"mimeType": str},
    "pair": {"name": str, "value": str},
}


def _has(kind: str, value: dict, where: str) -> list[str]:
    """The fields of `kind` that `value` lacks or holds with the wrong type."""
    problems = []
    for field, types in REQUIRED[kind].items():
        if field not in value:
            problems.append(f"{where}: no {field}")
        elif not isinstance(value[field], types) or isinstance(value[field], bool):
            problems.append(f"{where}.{field}: {type(value[field]).__name__}")
    return problems


def har_problems(har: dict) -> list[str]:
    """Everything that keeps `har` from being HAR 1.2 a browser imports; empty when it is."""
    problems = _has("log", har.get("log", {}), "log")
    if problems:
        return problems
    log = har["log"]
    problems += _has("creator", log["creator"], "log.creator")
    if log["version"] != "1.2":
        problems.append(f"log.version {log['version']!r}")
    if not isinstance(log.get("pages", []), list):
        problems.append("log.pages is not an array")
    for index, entry in enumerate(log["entries"]):
        where = f"entries[{index}]"
        found = _has("entry", entry, where)
        if found:
            problems += found
            continue
        problems += _has("request", entry["request"], f"{where}.request")
        problems += _has("response", entry["response"], f"{where}.response")
        problems += _has("timings", entry["timings"], f"{where}.timings")
        if "content" in entry["response"]:
            problems += _has("content", entry["response"]["content"], f"{where}.response.content")
        if "postData" in entry["request"]:
            problems += _has("postData", entry["request"]["postData"], f"{where}.request.postData")
        for part in ("request", "response"):
            for header in entry[part].get("headers", []):
                problems += _has("pair", header, f"{where}.{part}.headers[]")
        try:
            datetime.fromisoformat(entry["startedDateTime"])
        except (TypeError, ValueError):
            problems.append(f"{where}.startedDateTime {entry['startedDateTime']!r} is not ISO 8601")
        timings = entry["timings"]
        total = sum(value for value in (timings.get(k, -1) for k in ("blocked", "dns", "connect", "send", "wait",
                                                                     "receive", "ssl")) if value != -1)
        if isinstance(entry["time"], (int, float)) and not math.isclose(entry["time"], total, abs_tol=0.01):
            problems.append(f"{where}.time {entry['time']} is not the sum of its timings {total}")
        if not urlsplit(entry["request"].get("url", "")).scheme:
            problems.append(f"{where}.request.url is not absolute")
    return problems


@pytest.fixture(scope="module")
def failing_run(real_runs):
    directory = real_runs["fail"]
    return {
        "har_text": (directory / "run.har").read_text(encoding="utf-8"),
        "summary": json.loads((directory / "summary.json").read_text(encoding="utf-8")),
        "directory": directory,
    }


def test_a_real_runs_har_is_har_1_2_that_devtools_imports(failing_run):
    har = json.loads(failing_run["har_text"])
    assert har["log"]["version"] == "1.2"
    assert har["log"]["creator"]["name"] == "segments-conformance"
    assert har["log"]["entries"], "the run sent requests"
    assert har_problems(har) == []


def test_the_har_has_exactly_one_entry_per_request_the_run_sent(failing_run):
    har, summary = json.loads(failing_run["har_text"]), failing_run["summary"]
    assert summary["target"]["embedded_mock"]  # no probe request: every request is an exchange
    entries = har["log"]["entries"]
    assert len(entries) == summary["run"]["requests_sent"]
    numbers = [int(entry["comment"].split(" ", 1)[0].lstrip("#")) for entry in entries]
    assert sorted(numbers) == list(range(1, len(entries) + 1))  # each exchange once
    answered = sum(sum(operation["statuses"].values()) for operation in summary["operations"])
    assert answered == len(entries)
    started = [entry["startedDateTime"] for entry in entries]
    assert started == sorted(started)  # oldest first, as the spec prefers


def test_the_evidence_in_the_summary_is_in_the_har_too(failing_run):
    har, summary = json.loads(failing_run["har_text"]), failing_run["summary"]
    by_number = {int(entry["comment"].split(" ", 1)[0].lstrip("#")): entry for entry in har["log"]["entries"]}
    for number, exchange in summary["exchanges"].items():
        entry = by_number[int(number)]
        assert (entry["request"]["method"], entry["request"]["url"], entry["response"]["status"]) == (
            exchange["request"]["method"], exchange["request"]["url"], exchange["response"]["status"])


def test_no_credential_of_the_run_is_in_its_har_or_report(failing_run, real_run_credentials):
    app_id, app_token = real_run_credentials
    directory = failing_run["directory"]
    for name in ("run.har", "summary.json", "report.html", "junit.xml"):
        text = (directory / name).read_text(encoding="utf-8")
        assert app_token not in text and app_id not in text, name
    har = json.loads(failing_run["har_text"])
    sent = [header for entry in har["log"]["entries"] for header in entry["request"]["headers"]
            if header["name"].lower() in ("x-app-id", "x-app-token")]
    # the run's credentials read ***; the only other values are the wrong ones the suite sent on purpose
    assert sent and {header["value"] for header in sent} - {"***"} <= {"conformance-wrong-app-id", "conformance-wrong-app-token"}


def test_the_checker_sees_what_a_browser_would_refuse():
    good = har_document({})
    assert har_problems(good) == []
    broken = {"log": {"version": "1.1", "creator": {"name": "x"}, "entries": [
        {"startedDateTime": "yesterday", "time": 5, "request": {"method": "GET"}, "response": {}, "cache": {},
         "timings": {"send": 0, "wait": 1, "receive": 0}}]}}
    problems = har_problems(broken)
    assert "log.version '1.1'" in problems and "log.creator: no version" in problems
    assert "entries[0].request: no url" in problems and "entries[0].response: no status" in problems
    assert "entries[0].startedDateTime 'yesterday' is not ISO 8601" in problems
    assert "entries[0].time 5 is not the sum of its timings 1" in problems


def test_an_exchange_without_elapsed_time_still_makes_an_entry():
    exchange = {
        "sequence": 1, "test": None, "started_at": 1795348846.0,
        "request": {"method": "POST", "url": "http://127.0.0.1:4010/v1/segments?x=&y=1", "headers": {"X-App-Token": "***"},
                    "body": "{}"},
        "response": {"status": 204, "headers": {}, "body": "", "elapsed_ms": None},
        "curl": "curl", "full": {"request_body": "{}", "response_body": "", "response_headers": [], "reason": "No Content"},
    }
    (entry,) = har_document({1: exchange})["log"]["entries"]
    assert har_problems(har_document({1: exchange})) == []
    assert entry["request"]["queryString"] == [{"name": "x", "value": ""}, {"name": "y", "value": "1"}]
    assert entry["comment"] == "#1 outside a test (probe or cleanup)"
