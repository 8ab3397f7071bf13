"""The run in the terminal, the same for `conformance run` and plain pytest: progress by area of
the suite, one line per test, and the verdict banner as the last word."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conformance.safetext import printable

WIDTH = 72
ELLIPSIS = "…"
COLOURS = {"CONFORMANT": "green", "NONCONFORMANT": "red", "INCOMPLETE": "yellow", "FAIL": "red", "WARN": "yellow"}


def banner(summary: dict[str, Any], report_dir: Path) -> list[tuple[str, str | None]]:
    """(line, colour) pairs; colour names as pytest's TerminalWriter takes them, None for plain."""
    counts, run = summary["counts"], summary["run"]
    verdict = summary["verdict"]
    scope = summary["scope"]["text"]
    lines: list[tuple[str, str | None]] = [("=" * WIDTH, None)]
    lines.append((f" verdict: {verdict} (exit {summary['exit_code']}) — {scope}", COLOURS.get(verdict)))
    target = summary["target"]
    lines.append((f" target:   {target['base_url']}" + (" (embedded mock)" if target["embedded_mock"] else ""), None))
    client = summary.get("client")
    if client:
        faults = f" with faults {', '.join(client['faults'])}" if client.get("faults") else ""
        lines.append((f" client:   {client['name']} {client['version']}{faults}", None))
    document = summary["document"]
    lines.append((f" document: {document['source']} (sha256 {document['sha256'][:12]}, {document['info_version']})", None))
    lines.append((" requirements: " + "  ".join(f"{key.lower().replace('_', ' ')} {counts.get(key, 0)}"
                                               for key in ("PASS", "FAIL", "WARN", "NOT_TESTED", "OBSERVED")), None))
    for requirement in summary["requirements"]:
        if requirement["status"] in ("FAIL", "WARN"):
            lines.append((f"   {requirement['status']:<4} {requirement['id']}: {clip(requirement['reason'] or '', 110)}",
                          COLOURS[requirement["status"]]))
    for cause in run.get("causes", [])[:6]:
        lines.append((f"   incomplete: {clip(cause, 120)}", "yellow"))
    effort = f"depth: {run['depth']}" if summary["command"] == "api" else f"examples per hunt: {run['max_examples']}"
    lines.append((f" duration: {run['duration_s']:.1f} s   seed: {run['seed']}   requests: {run['requests_sent']}   {effort}", None))
    for finding in summary.get("distinct_findings", [])[:12]:
        lines.append((f"   {finding['severity']:<4} {finding['requirement']}: {clip(finding['cause'], 70)} — minimal example: "
                       f"{clip(finding['example'], 160)}", COLOURS.get(finding["severity"])))
    lines.append((f" reports:  {report_dir}/ (junit.xml summary.json report.html run.har ledger.json)", None))
    if run.get("left_behind"):
        lines.append((f" NOT CLEANED UP: {', '.join(run['left_behind'])} (conformance cleanup --ledger {report_dir}/ledger.json)", "red"))
    lines.append(("=" * WIDTH, None))
    return lines


def clip(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, cut between words and marked with an ellipsis when it
    is longer (a cut mid-word reads as a typo: `answere`, `creat`)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    space = cut.rfind(" ")
    if space >= limit // 2:  # a very long word (a URL, a JSON body) is cut where it must be
        cut = cut[:space]
    return cut.rstrip(" ,;:—-") + ELLIPSIS


def show_banner(run, config) -> None:
    """The verdict banner on pytest's terminal, once pytest has said everything it says (the
    collection errors, its `!!! Interrupted` line, its counts): the verdict is the last word."""
    from conformance import parallel

    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if run.summary is None or reporter is None or parallel.is_worker(config):
        return
    for line, colour in banner(run.summary, run.report_dir):
        reporter.write_line(printable(line), **({colour: True} if colour else {}))  # the document's words escaped


class ShortNodeIds:
    """A pytest plugin for `conformance run`: each test's line names it from the suite's root
    (`test_auth.py::test_...`), not from wherever the command was started (pytest prints paths
    relative to the working directory: `../../usr/lib/python3/site-packages/conformance/suite/...`)."""

    def pytest_configure(self, config) -> None:
        config.cwd_relative_nodeid = lambda nodeid: nodeid  # nodeids are relative to --rootdir: the suite


class Progress:
    """A pytest plugin: the run's progress on pytest's terminal, a heading before the first line
    of each area of the suite (run_reports.progress_heading). Tests one after another get theirs
    when the first test starts, before pytest writes its name. Tests side by side
    (parallel.ThreadedTests) start together and end in any order: pytest's verbose reporter would
    write each name as it starts and again with its result, leaving half lines between results, so
    each test gets one line, written with its result, and an area's heading comes before the first
    result of that area. (pluggy reads a plugin's hooks when it is registered: the reporter, there
    from the session's start, is registered again without its start line.)"""

    def __init__(self, suite_directory: Path, *, side_by_side: bool) -> None:
        self.suite_directory = suite_directory
        self.side_by_side = side_by_side
        self.areas: set[str] = set()
        self.config = None

    @pytest.hookimpl(trylast=True)
    def pytest_sessionstart(self, session) -> None:
        self.config = session.config
        manager = session.config.pluginmanager
        reporter = manager.get_plugin("terminalreporter")
        if self.side_by_side and reporter is not None and reporter.showlongtestinfo:
            manager.unregister(reporter)
            reporter.pytest_runtest_logstart = lambda nodeid, location: None
            manager.register(reporter, "terminalreporter")

    @pytest.hookimpl(tryfirst=True)  # before pytest's reporter starts the test's line
    def pytest_runtest_logstart(self, nodeid: str, location) -> None:
        if not self.side_by_side:
            self._heading(nodeid)

    @pytest.hookimpl(tryfirst=True)  # before pytest's reporter writes the result
    def pytest_runtest_logreport(self, report) -> None:
        if self.side_by_side and (report.when == "call" or not report.passed):
            self._heading(report.nodeid)

    def _heading(self, nodeid: str) -> None:
        from conformance.run_reports import progress_heading

        area = nodeid.split("::", 1)[0]
        if area not in self.areas and self.config is not None:
            self.areas.add(area)
            progress_heading(self.config, self.suite_directory / Path(area).name)
