"""What a test is judged on and how: its scope (collection), its outcome (its report), and the
run's scope (the requirements left out on purpose, with why).

The plugin's hooks call in here; the verdict of the whole run is conformance.verdict's.
"""

from __future__ import annotations

from typing import Any

import pytest

from conformance.contract import Contract
from conformance.masking import Masker
from conformance.recording import ContractViolation, PreconditionNotMet, Recorder, TestRecord, UndeclaredRequirement, Verifier
from conformance.scope import requirement_reason
from conformance.transport import OutOfBudget, TargetUnavailable

MARKERS = (
    "requirement(*ids): the catalogue requirements a test verifies",
    "sandbox: in the sandbox profile (every light MUST requirement in under 100 requests)",
    "operation(id): needs this documented operation (else out of scope)",
    "deep: runs with --depth deep only",
)
HEAVY_SKIP = "heavy scenario (100+ requests or 20,000-customer bodies): off loopback it needs --include-heavy"


def requirement_ids(item: pytest.Item) -> list[str]:
    ids: list[str] = []
    for mark in item.iter_markers("requirement"):
        ids.extend(mark.args)
    return list(dict.fromkeys(ids))


# --- collection: what is in scope ---------------------------------------------------------------------


def why_left_out(item: pytest.Item, catalogue: dict, contract: Contract, settings, *, loopback: bool) -> str | None:
    """Why a collected test is out of this run's scope (None: it runs). Unknown requirement ids
    are the suite's bug: a usage error before any traffic."""
    ids = requirement_ids(item)
    unknown = [requirement_id for requirement_id in ids if requirement_id not in catalogue]
    if unknown:
        raise pytest.UsageError(f"{item.nodeid} names unknown requirements {unknown}")
    missing = [mark.args[0] for mark in item.iter_markers("operation") if not contract.has(mark.args[0])]
    if missing:
        return f"the document has no {missing[0]} operation"
    if item.get_closest_marker("deep") and not settings.stateful:
        return "runs with --depth deep"
    if any(catalogue[requirement_id].heavy for requirement_id in ids) and not (settings.include_heavy or loopback):
        return HEAVY_SKIP
    return None


def run_scope(judged: dict, contract: Contract, recorder: Recorder, client: dict | None = None) -> dict[str, str]:
    """Requirement ids left out on purpose, with why: the document lacks their operation, the SDK
    gate's client does not offer it (`client["offers"]`), every test that verifies them was
    deselected (profile, -k/-m, heavy off loopback), or no answer gave them anything to judge
    (Verifier.not_applicable: a judged requirement stays in scope, see Recorder.outcomes)."""
    documented = contract.operation_ids
    declared = recorder.tests_declaring()
    offered = set(client["offers"]) if client and "offers" in client else None
    scope = {}
    for requirement in judged.values():
        if not requirement.applies_to(documented):
            missing = next(op for op in requirement.operations if op not in documented)
            scope[requirement.id] = f"out of scope: the document has no {missing} operation"
            continue
        if offered is not None and not requirement.applies_to(offered):
            missing = next(op for op in requirement.operations if op not in offered)
            scope[requirement.id] = f"out of scope: {client['name']} {client['version']} offers no {missing} operation"
            continue
        tests = declared.get(requirement.id, [])
        if tests and all(test.outcome == "deselected" for test in tests):
            scope[requirement.id] = f"out of scope: {requirement_reason(test.message for test in tests)}"
        elif requirement.id in recorder.not_applicable:  # judged by no test (outcomes keeps a judged one in scope)
            scope[requirement.id] = f"out of scope: not applicable: {recorder.not_applicable[requirement.id]}"
    return scope


def scope_note(settings) -> str:
    """What chose the scope, in the user's words (the counts and reasons follow it)."""
    chosen = " ".join(f"{flag} {value!r}" for flag, value in (("-k", settings.keyword), ("-m", settings.markexpr)) if value)
    parts = [f"profile {settings.profile}"] * bool(settings.profile) + [f"the selection {chosen}"] * bool(chosen)
    return f"within {' and '.join(parts)}" if parts else ""


def why_nothing_runs(settings, deselected: dict[str, str]) -> str:
    """The usage error of a selection that leaves no test to run (before any traffic)."""
    selection = " ".join(f"{flag} {value!r}" for flag, value in (("-k", settings.keyword), ("-m", settings.effective_markexpr)) if value)
    if deselected:
        why = sorted(set(deselected.values()))[0]
        return f"the selection {selection or '(none)'} leaves no test in scope ({why}); nothing was sent"
    return f"the selection {selection or '(none)'} matches no test of the suite; nothing was sent"


# --- a test's outcome -----------------------------------------------------------------------------------


def record_of(recorder: Recorder, item: pytest.Item) -> TestRecord:
    record = recorder.tests.get(item.nodeid)
    if record is None:
        record = TestRecord(item.nodeid, readable_name(item), requirement_ids(item))
        recorder.tests[item.nodeid] = record
    return record


def judge_report(item: pytest.Item, call: pytest.CallInfo, report: pytest.TestReport, recorder: Recorder, masker: Masker) -> None:
    """Turn pytest's report of one phase into the test's record (and pytest's outcome into ours)."""
    verifier: Verifier | None = getattr(item, "_conformance_verifier", None)
    record = record_of(recorder, item)
    if report.when == "call" or (report.when == "setup" and report.failed):
        # A fixture sends requests too (the auth tests create their segment in one): what it
        # finds is judged as the test's own findings are, not reported as a tool error.
        _judge(item, call, report, verifier, record, recorder, masker)
    elif report.outcome != "passed" and record.outcome in ("not_run", "passed"):
        record.outcome = "skipped" if report.skipped else "error"
        record.message = message_of(report, masker)
        if report.failed:
            recorder.causes.append(f"{item.name}: error in {report.when}: {record.message}")
    if report.longrepr is not None and not isinstance(report.longrepr, tuple):
        report.longrepr = masker.text(str(report.longrepr))  # what pytest prints and JUnit keeps
    record.duration_s = round(record.duration_s + report.duration, 3)


def _judge(item, call, report, verifier: Verifier | None, record: TestRecord, recorder: Recorder, masker: Masker) -> None:
    """The test's outcome (from its call, or from a setup that failed), from its own findings:
    a MUST violation (raised, or found by the generic checks), a SHOULD one under --strict, or
    why it could not judge."""
    error = call.excinfo.value if call.excinfo is not None else None
    failure = verifier.failure_at_end() if verifier is not None else None
    if isinstance(error, OutOfBudget):
        report.outcome, report.longrepr = "skipped", (str(item.path), item.location[1] or 0, f"Skipped: not tested: {error}")
        recorder.causes.append(f"not tested: {error}")
    elif isinstance(error, PreconditionNotMet):
        message = f"not tested: precondition not met: {error}"
        report.outcome, report.longrepr = "skipped", (str(item.path), item.location[1] or 0, f"Skipped: {message}")
        recorder.causes.append(f"{item.name}: precondition not met: {error}")
    elif failure is not None:  # a violation, whatever else went wrong after it: the violation is the cause
        report.outcome = "failed"
        report.longrepr = verifier.describe(failure)
        record.failed_requirement = failure.requirement
    elif isinstance(error, (TargetUnavailable, OSError)) or _is_transport_error(error):
        message = f"could not test: {masker.text(str(error))[:300]}"
        report.outcome, report.longrepr = "failed", message
        recorder.causes.append(f"{item.name}: {message}")
    elif isinstance(error, UndeclaredRequirement):
        recorder.causes.append(f"internal error in the suite: {error}")
    elif error is not None and not isinstance(error, ContractViolation) and report.when == "setup":
        recorder.causes.append(f"{item.name}: error in setup: {message_of(report, masker)}")
    elif error is not None and not isinstance(error, ContractViolation):
        recorder.causes.append(f"{item.name} could not judge an answer ({type(error).__name__}: "
                               f"{masker.text(str(error))[:200]})")
    if report.skipped:
        record.outcome, record.message = "skipped", message_of(report, masker)
    elif report.failed:
        record.outcome = "failed" if failure is not None or isinstance(error, ContractViolation) else "error"
        record.message = masker.text(verifier.describe(failure).splitlines()[0]) if failure is not None else message_of(report, masker)
    else:
        record.outcome = "passed"


def collection_failure(report: pytest.CollectReport, masker: Masker) -> str:
    """The cause a test module that cannot be imported gives the run."""
    error = message_of(report, masker).removeprefix("E").strip()  # pytest's error-line marker
    return f"could not collect {report.nodeid}: {error}"


def readable_name(item: pytest.Item) -> str:
    doc = getattr(getattr(item, "function", None), "__doc__", None)
    first_line = " ".join(doc.strip().split("\n\n")[0].split()) if doc else item.name
    return first_line if "[" not in item.name else f"{first_line} [{item.name.split('[', 1)[1]}"


def message_of(report: pytest.TestReport, masker: Masker) -> str:
    if isinstance(report.longrepr, tuple):
        return masker.text(str(report.longrepr[2]).removeprefix("Skipped: "))
    text = str(report.longrepr or "").strip()
    return masker.text(text.splitlines()[-1] if text else report.outcome)


def _is_transport_error(error: Any) -> bool:
    import requests

    return isinstance(error, requests.RequestException)
