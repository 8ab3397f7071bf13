"""The reports one run writes at its end: summary.json (the verdict), run.har, report.html, and
the verdict added to pytest's JUnit file.

The summary is built from the Recorder and masked once more before it is written; everything
else is rendered from it (conformance.report reads summary.json only).
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance import interrupts, outputs
from conformance.exits import UsageError
from conformance.judging import run_scope, scope_note

if TYPE_CHECKING:
    from conformance.plugin import ConformanceRun


REPORT_FILES = ("summary.json", "report.html", "run.har", "ledger.json", "junit.xml")


def check_report_dir(report_dir: Path) -> None:
    """Every report can be written: checked before any traffic, not found out after the suite ran."""
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
        for name in REPORT_FILES:
            path = report_dir / name
            if path.is_dir():
                raise UsageError(f"cannot write the reports: {path} is a directory")
            outputs.unlink_symlink(path)  # pytest writes junit.xml itself: never through a planted link
        probe = report_dir / ".conformance-write-test"
        probe.write_text("")
        probe.unlink()
    except OSError as error:
        raise UsageError(f"cannot write to the report directory {report_dir}: {error.strerror or error}") from None


def start_junit(config, path: Path) -> None:
    """pytest's own JUnit writer for a plain `pytest` run, started the way its plugin starts itself
    when --junitxml is given (it has run its configure already)."""
    from _pytest import junitxml

    config.option.xmlpath = str(path)
    if junitxml.xml_key not in config.stash:
        junitxml.pytest_configure(config)
        config.stash[junitxml.xml_key].pytest_sessionstart()  # the session may have started already


def write_reports(run: ConformanceRun) -> None:
    """The run's verdict (run.decision, run.summary) and every report file, from what it recorded."""
    from conformance.report.har import write_har
    from conformance.summary import build_summary, write_summary

    recorder, settings = run.recorder, run.settings
    if interrupts.requested():
        recorder.causes.insert(0, f"interrupted by {interrupts.signal_name()}")
    for requirement_id in sorted(set(recorder.violations) - set(run.judged)):
        if recorder.violations[requirement_id] and run.catalogue[requirement_id].level.value == "MUST":
            # the SDK gate: the target broke the contract, so what the client did with it cannot be judged
            recorder.causes.append(f"the target broke {requirement_id}: the client could not be judged on it")
    run.scope = run_scope(run.judged, run.contract, recorder, run.client)  # here, not at collection: under pytest-xdist only the workers collect
    mock = run.lifecycle.mock
    summary, run.decision = build_summary(
        recorder=recorder,
        catalogue=run.judged,
        scope=run.scope,
        scope_note=scope_note(settings),
        document={**run.contract.identity(), "content": run.contract.vendor},
        target={
            "base_url": settings.target_url or (mock.url if mock else "embedded mock"),
            "embedded_mock": settings.embedded,
            "faults": list(settings.fault),
            "variants": list(settings.variant),
            "insecure": bool(settings.insecure),
        },
        run={
            "seed": run.seed,
            "started_at": run.started_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "duration_s": round(time.monotonic() - run.started, 3),
            "strict": bool(settings.strict),
            "depth": settings.depth,
            "max_examples": settings.examples if run.suite == "api" else settings.sdk_examples,
            "selection": {"k": settings.keyword, "m": settings.effective_markexpr},
            "profile": settings.profile,
            "run_tag": run.run_tag,
            "left_behind": run.left_behind,
            "max_requests": settings.request_budget,
            "max_time_s": settings.max_time,
            "interrupted": interrupts.signal_name(),
            "config_file": settings.config_file,
        },
        options=settings.shown(),
        command=run.suite,
        client=run.client,
    )
    run.summary = run.masker.value(summary)  # the last lock: no credential in any report
    summary_text = write_summary(run.summary, run.report_dir / "summary.json")
    write_har(recorder, run.report_dir / "run.har")
    try:
        from conformance.report.render import render_html

        # From the text just written, as `conformance report` renders summary.json, without reading
        # it back: the bounds and strict parsing of load_summary are for a file someone hands us.
        outputs.write_text(run.report_dir / "report.html", render_html(json.loads(summary_text)))
    except OSError as error:
        recorder.causes.append(f"report.html not written: {error}")


def prepare_while_waiting() -> None:
    """Import and compile the HTML renderer on a thread of its own, while the run waits for the
    target (the dynamic cap: the server's time more than ours), so that the reports at the end only
    render. A failure here is left to write_reports, which meets it again and says so."""
    def prepare() -> None:
        try:
            from conformance.report.render import prepare

            prepare()
        except Exception:  # noqa: BLE001 (see above)
            pass

    threading.Thread(target=prepare, name="conformance-prepare-reports", daemon=True).start()


def add_verdict_to_junit(path: Path, summary: dict[str, Any] | None, masker) -> None:
    """pytest's JUnit file with the verdict added, masked (the second lock: no credential in JUnit)."""
    outputs.write_text(path, masker.text(junit_with_verdict(path.read_text(encoding="utf-8"), summary)))


def junit_with_verdict(text: str, summary: dict[str, Any] | None) -> str:
    """JUnit as pytest wrote it, with the verdict as properties of its test suite."""
    import xml.etree.ElementTree as ElementTree

    if summary is None:
        return text
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError:
        return text
    suite = root if root.tag == "testsuite" else root.find("testsuite")
    if suite is None:
        return text
    properties = suite.find("properties")
    if properties is None:
        properties = ElementTree.Element("properties")
        suite.insert(0, properties)
    for name, value in junit_properties(summary):
        ElementTree.SubElement(properties, "property", name=name, value=value)
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True)


def junit_properties(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """What a CI system reading only JUnit should know: the verdict, its scope and causes, the document."""
    document = summary["document"]
    properties = [("verdict", summary["verdict"]), ("exit_code", str(summary["exit_code"])), ("scope", summary["scope"]["text"]),
                  ("document", f"{document['source']} sha256 {document['sha256']} info.version {document['info_version']}"),
                  ("seed", str(summary["run"]["seed"]))]
    properties += [("incomplete", cause) for cause in summary["run"]["causes"]]
    return properties


def progress_heading(config, test_file: Path) -> None:
    """The heading of the part of the suite the run moves to, on the terminal."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        if reporter._tw.width_of_current_line:  # after -q's dots: the heading gets a line of its own
            reporter.write("\n")
        reporter.write_line(f"── {area_label(test_file)}", cyan=True, bold=True)


def area_label(path) -> str:
    """The part of the suite a test file is (the progress headings): its docstring's words before
    the first colon."""
    import ast

    try:
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    except (OSError, SyntaxError):
        doc = ""
    label = doc.split(":", 1)[0].split(".", 1)[0].strip() if doc else path.stem
    return label or path.stem
