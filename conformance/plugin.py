"""The pytest plugin behind the suite: options, the target, requirement recording, cleanup, summary.

Loaded by conformance/suite/conftest.py, so `pytest conformance/suite --base-url=...` works as well
as `conformance run`. Data flows one way: tests send through the Target, every exchange goes
through the checks, findings land in the Recorder, and the Recorder becomes summary.json.
"""

from __future__ import annotations

import ipaddress
import json
import os
import random
import secrets
import string
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from conformance import __version__, contract, interrupts, parallel
from conformance.catalogue import Requirement, load_catalogue
from conformance.checks import Finding, check_response
from conformance.ledger import Ledger
from conformance.target import BudgetExhausted, Credentials, Exchange, Target, TargetUnavailable

SUMMARY_SCHEMA_VERSION = 1
EVIDENCE_PER_REQUIREMENT = 3


class ContractViolation(AssertionError):
    """A MUST requirement (or a SHOULD one under --strict) did not hold."""


# --- recording ------------------------------------------------------------------------------------


@dataclass
class TestRecord:
    nodeid: str
    name: str
    requirements: list[str]
    outcome: str = "passed"
    duration_s: float = 0.0
    message: str | None = None
    requests: int = 0


@dataclass
class Recorder:
    """Every finding of the run, by requirement; the statuses every operation answered."""

    strict: bool
    mask: Any = staticmethod(lambda text: text)  # the target's secret masking, once there is a target
    passes: Counter = field(default_factory=Counter)
    problems: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    problem_counts: Counter = field(default_factory=Counter)
    observations: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    tests: dict[str, TestRecord] = field(default_factory=dict)
    not_tested: dict[str, str] = field(default_factory=dict)
    could_not_test: list[str] = field(default_factory=list)

    def exchange(self, exchange: Exchange) -> None:
        self.statuses[f"{exchange.method} {exchange.path_template}"][str(exchange.status)] += 1

    def finding(self, nodeid: str, requirement: Requirement, passed: bool, message: str, exchange: Exchange | None):
        message = self.mask(message)  # messages may quote what a server or schemathesis said
        if requirement.level == "OBSERVE":
            self._keep(self.observations[requirement.id], nodeid, requirement, "OBSERVED", message, exchange)
        elif passed:
            self.passes[requirement.id] += 1
        else:
            severity = "FAIL" if requirement.level == "MUST" or self.strict else "WARN"
            self.problem_counts[requirement.id] += 1
            self._keep(self.problems[requirement.id], nodeid, requirement, severity, message, exchange)

    @staticmethod
    def _keep(bucket, nodeid, requirement, severity, message, exchange):
        if len(bucket) < EVIDENCE_PER_REQUIREMENT:
            entry = {"requirement": requirement.id, "severity": severity, "message": message, "test": nodeid}
            entry.update(exchange.evidence() if exchange else {"request": None, "response": None, "curl": None})
            bucket.append(entry)

    def export(self) -> dict[str, Any]:
        """What a pytest-xdist worker hands its controller (plain JSON-able data)."""
        return {
            "passes": dict(self.passes),
            "problems": dict(self.problems),
            "problem_counts": dict(self.problem_counts),
            "observations": dict(self.observations),
            "statuses": {label: dict(counter) for label, counter in self.statuses.items()},
            "tests": [record.__dict__ for record in self.tests.values()],
            "not_tested": self.not_tested,
            "could_not_test": self.could_not_test,
        }

    def merge(self, worker: dict[str, Any]) -> None:
        """Add a worker's findings to these (the controller's)."""
        self.passes.update(worker["passes"])
        self.problem_counts.update(worker["problem_counts"])
        for bucket, theirs in ((self.problems, worker["problems"]), (self.observations, worker["observations"])):
            for requirement_id, entries in theirs.items():
                bucket[requirement_id] = (bucket[requirement_id] + entries)[:EVIDENCE_PER_REQUIREMENT]
        for label, counts in worker["statuses"].items():
            self.statuses[label].update(counts)
        for record in worker["tests"]:
            self.tests[record["nodeid"]] = TestRecord(**record)
        for requirement_id, reason in worker["not_tested"].items():
            self.not_tested.setdefault(requirement_id, reason)
        self.could_not_test.extend(worker["could_not_test"])

    def status_of(self, requirement: Requirement) -> tuple[str, str | None]:
        if requirement.level == "OBSERVE":
            observed = self.observations.get(requirement.id)
            if observed:
                return "OBSERVED", "; ".join(entry["message"] for entry in observed)
            return "NOT_TESTED", self.not_tested.get(requirement.id, "no test observed it")
        if self.problem_counts[requirement.id]:
            first = self.problems[requirement.id][0]["message"]
            count = self.problem_counts[requirement.id]
            status = "FAIL" if requirement.level == "MUST" or self.strict else "WARN"
            return status, f"{count} violation(s); first: {first}"
        if self.passes[requirement.id]:
            return "PASS", None
        return "NOT_TESTED", self.not_tested.get(requirement.id, "no test exercised it")


class Verifier:
    """The per-test handle scenarios use to state what they expect, by requirement id."""

    def __init__(self, recorder: Recorder, nodeid: str) -> None:
        self._recorder = recorder
        self._nodeid = nodeid
        self._catalogue = load_catalogue()
        self.pending: str | None = None  # a MUST violation found by the generic checks, not yet raised

    def check(self, requirement_id: str, condition: bool, message: str, exchange: Exchange | None = None) -> bool:
        requirement = self._catalogue[requirement_id]
        message = self._recorder.mask(message)
        self._recorder.finding(self._nodeid, requirement, bool(condition), message, exchange)
        if not condition and requirement.level == "MUST":
            detail = f"\n{exchange.describe()}" if exchange else ""
            raise ContractViolation(f"{requirement_id} (MUST): {message}{detail}")
        self.raise_pending()
        return bool(condition)

    def observe(self, requirement_id: str, message: str, exchange: Exchange | None = None) -> None:
        self.check(requirement_id, True, message, exchange)

    def findings(self, findings: list[Finding], *, defer: bool = False) -> None:
        """Record every finding. A MUST violation among them fails the test: at once, or with
        `defer`, at the test's next check (so that the scenario's own, more specific check
        gets recorded first and the failure names the requirement the scenario targets)."""
        for finding in findings:
            requirement = self._catalogue[finding.requirement]
            self._recorder.finding(self._nodeid, requirement, finding.passed, finding.message, finding.exchange)
            if not finding.passed and requirement.level == "MUST" and self.pending is None:
                message = self._recorder.mask(finding.message)
                detail = f"\n{finding.exchange.describe()}" if finding.exchange else ""
                self.pending = f"{finding.requirement} (MUST): {message}{detail}"
        if not defer:
            self.raise_pending()

    def raise_pending(self) -> None:
        if self.pending is not None:
            violation, self.pending = self.pending, None
            raise ContractViolation(violation)

    def should_failures(self) -> list[str]:
        return [
            entry["message"]
            for bucket in self._recorder.problems.values()
            for entry in bucket
            if entry["test"] == self._nodeid and entry["severity"] in ("WARN", "FAIL")
            and self._catalogue[entry["requirement"]].level == "SHOULD"
        ]


# --- options and configuration ----------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "Segments API conformance")
    group.addoption("--base-url", default=None, help="the API under test (default: start the embedded mock)")
    group.addoption("--app-id", default=None, help="X-App-Id (default: $VOUCHERIFY_APP_ID)")
    group.addoption("--app-token", default=None, help="X-App-Token (default: $VOUCHERIFY_APP_TOKEN)")
    group.addoption("--conformance-strict", action="store_true", help="SHOULD failures fail the run")
    group.addoption("--include-heavy", action="store_true", help="run the cap scenarios on non-loopback targets")
    group.addoption("--conformance-seed", type=int, default=None, help="seed for generated names and ids")
    group.addoption("--max-examples", type=int, default=25, help="property-test examples per operation")
    group.addoption("--summary-json", default=None, help="write the run summary (summary.json) here")
    group.addoption("--mock-fault", action="append", default=[], help="embedded mock only: switch on a named fault")
    group.addoption("--insecure", action="store_true", help="do not verify TLS certificates")
    group.addoption("--max-requests", type=int, default=None, help="stop testing after N requests (cleanup is kept within it)")
    group.addoption("--ledger-file", default=None, help="write the ids the run creates here, as they are created")
    group.addoption("--conformance-profile", default=None, help="the name of the profile the run uses (for the report)")


@dataclass
class RunConfig:
    base_url: str | None
    credentials: Credentials
    strict: bool
    include_heavy: bool
    seed: int
    max_examples: int
    summary_path: Path | None
    faults: list[str]
    insecure: bool
    max_requests: int | None = None
    ledger_path: Path | None = None

    @property
    def embedded(self) -> bool:
        return self.base_url is None


class ConformanceSession:
    """What one pytest session knows about the conformance run."""

    def __init__(self, config: RunConfig) -> None:
        self.config = config
        self.recorder = Recorder(strict=config.strict)
        self.started_at = datetime.now(timezone.utc)
        self.started = time.perf_counter()
        self.rng = random.Random(config.seed)
        self.run_tag = "sc" + "".join(self.rng.choices(string.ascii_lowercase + string.digits, k=6))
        self._mock = None
        self._target: Target | None = None
        self.current: Verifier | None = None
        self.left_behind: list[str] = []
        self.selection: dict[str, str | None] = {"k": None, "m": None}
        self.profile: str | None = None
        self.worker_requests = 0  # under pytest-xdist, the controller adds up the workers' requests

    @property
    def base_url(self) -> str:
        if self.config.base_url:
            return self.config.base_url
        return self._start_mock().url

    def _start_mock(self):
        if self._mock is None:
            from conformance.mock.server import MockServer

            self._mock = MockServer(
                app_id=self.config.credentials.app_id,
                app_token=self.config.credentials.app_token,
                faults=self.config.faults,
            )
            self._mock.start()
        return self._mock

    @property
    def target(self) -> Target:
        if self._target is None:
            ledger = Ledger(self.config.ledger_path, base_url=self.base_url, run_tag=self.run_tag)
            ledger.save()  # an empty ledger on disk from the start: "nothing created yet" is news too
            self._target = Target(
                self.base_url,
                self.config.credentials,
                verify_tls=not self.config.insecure,
                max_requests=self.config.max_requests,
                ledger=ledger,
                on_exchange=self._on_exchange,
            )
            self.recorder.mask = self._target.mask
        return self._target

    def _on_exchange(self, exchange: Exchange) -> None:
        self.recorder.exchange(exchange)
        if self.current is not None:
            self.current.findings(check_response(exchange), defer=True)

    @property
    def loopback(self) -> bool:
        host = urlsplit(self.base_url).hostname or ""
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    def finish(self) -> None:
        if self._target is not None:
            self.left_behind = self._target.cleanup()
            self._target.close()
        if self._mock is not None:
            self._mock.stop()


def _credentials(config: pytest.Config, embedded: bool) -> Credentials:
    app_id = config.getoption("--app-id") or os.environ.get("VOUCHERIFY_APP_ID")
    app_token = config.getoption("--app-token") or os.environ.get("VOUCHERIFY_APP_TOKEN")
    if embedded:  # the embedded mock gets fresh credentials unless told otherwise
        app_id = app_id or "conformance-" + secrets.token_hex(4)
        app_token = app_token or secrets.token_urlsafe(24)
    if not app_id or not app_token:
        raise pytest.UsageError(
            "credentials missing: pass --app-id and --app-token or set VOUCHERIFY_APP_ID and VOUCHERIFY_APP_TOKEN"
        )
    return Credentials(app_id, app_token)


SESSION_KEY = pytest.StashKey[ConformanceSession]()
REQUIREMENTS_KEY = pytest.StashKey[list]()
_ACTIVE: ConformanceSession | None = None


def active_session() -> ConformanceSession:
    """The running session, for test modules that build parametrization at import time."""
    if _ACTIVE is None:
        raise RuntimeError("the conformance plugin is not configured")
    return _ACTIVE


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requirement(*ids): the catalogue requirements a test verifies")
    config.addinivalue_line("markers", "sandbox: in the sandbox profile (every light MUST requirement in under 100 requests)")
    base_url = config.getoption("--base-url")
    seed = config.getoption("--conformance-seed")
    summary = config.getoption("--summary-json")
    run_config = RunConfig(
        base_url=base_url.rstrip("/") if base_url else None,
        credentials=_credentials(config, embedded=not base_url),
        strict=config.getoption("--conformance-strict"),
        include_heavy=config.getoption("--include-heavy"),
        seed=seed if seed is not None else secrets.randbelow(2**31),
        max_examples=config.getoption("--max-examples"),
        summary_path=Path(summary) if summary else None,
        faults=config.getoption("--mock-fault"),
        insecure=config.getoption("--insecure"),
        max_requests=config.getoption("--max-requests"),
        ledger_path=parallel.worker_ledger_path(
            Path(config.getoption("--ledger-file")) if config.getoption("--ledger-file") else None, config
        ),
    )
    if run_config.faults and not run_config.embedded:
        raise pytest.UsageError("--mock-fault applies to the embedded mock only (drop --base-url)")
    interrupts.install()
    _keep_hypothesis_out_of_the_working_directory()
    global _ACTIVE
    _ACTIVE = config.stash[SESSION_KEY] = ConformanceSession(run_config)
    _ACTIVE.selection = {"k": config.getoption("keyword") or None, "m": config.getoption("markexpr") or None}
    _ACTIVE.profile = config.getoption("--conformance-profile")


def _keep_hypothesis_out_of_the_working_directory() -> None:
    """Hypothesis keeps caches (never examples: the suite runs without an example database, so a
    seed alone reproduces a run) in .hypothesis/ of the working directory; put them in the user's
    cache directory instead of littering wherever `conformance run` was started."""
    from hypothesis.configuration import set_hypothesis_home_dir

    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "segments-conformance" / "hypothesis"
    set_hypothesis_home_dir(cache)


def conformance_session(config: pytest.Config) -> ConformanceSession:
    return config.stash[SESSION_KEY]


def pytest_report_header(config: pytest.Config) -> list[str]:
    session = conformance_session(config)
    where = session.config.base_url or "embedded mock" + (f" with faults {session.config.faults}" if session.config.faults else "")
    return [f"conformance: target {where}; seed {session.config.seed}; run tag {session.run_tag}"]


def requirement_ids(item: pytest.Item) -> list[str]:
    ids: list[str] = []
    for mark in item.iter_markers("requirement"):
        ids.extend(mark.args)
    return ids


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    state = conformance_session(config)
    catalogue = load_catalogue()
    for item in items:
        ids = requirement_ids(item)
        unknown = [requirement_id for requirement_id in ids if requirement_id not in catalogue]
        if unknown:
            raise pytest.UsageError(f"{item.nodeid} names unknown requirements {unknown}")
        for requirement_id in ids:
            item.user_properties.append(("requirement", requirement_id))
        heavy = any(catalogue[requirement_id].heavy for requirement_id in ids)
        if heavy and not (state.config.include_heavy or state.loopback):
            reason = "heavy scenario (100+ requests or 20,000-customer bodies): needs --include-heavy on a non-loopback target"
            item.add_marker(pytest.mark.skip(reason=reason))
        item.stash[REQUIREMENTS_KEY] = ids


def pytest_deselected(items: list[pytest.Item]) -> None:
    for item in items:
        state = conformance_session(item.config)
        for requirement_id in requirement_ids(item):
            state.recorder.not_tested.setdefault(requirement_id, "not selected (-k, -m or --profile)")


def _readable_name(item: pytest.Item) -> str:
    doc = getattr(getattr(item, "function", None), "__doc__", None)
    first_line = doc.strip().splitlines()[0] if doc else item.name
    return first_line if "[" not in item.name else f"{first_line} [{item.name.split('[', 1)[1]}"


def pytest_runtest_setup(item: pytest.Item) -> None:
    state = conformance_session(item.config)
    target = state._target
    if target is None:
        return
    if target.unavailable:
        pytest.skip(f"not tested: {target.unavailable}")
    if target.max_requests is not None and target.requests_sent + len(target.ledger) + 2 > target.max_requests:
        pytest.skip(f"not tested: the request budget of {target.max_requests} is spent")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if call.excinfo is not None and report.when == "call":
        _stopped_by_the_run(item, call, report)
    state = conformance_session(item.config)
    verifier: Verifier | None = getattr(item, "_conformance_verifier", None)
    if report.when == "call" and report.passed and verifier is not None and verifier.pending is not None:
        report.outcome = "failed"  # a violation the generic checks found after the test's last check
        report.longrepr = verifier.pending
        verifier.pending = None
    if report.when == "call" and report.passed and state.config.strict and verifier is not None:
        should = verifier.should_failures()
        if should:  # --strict: a SHOULD failure fails the test that found it
            report.outcome = "failed"
            report.longrepr = "SHOULD failure(s) under --strict:\n" + "\n".join(should)
    record = _record_of(state, item)
    if record is not None:
        if report.when == "call" or report.outcome != "passed":
            record.duration_s = round(record.duration_s + report.duration, 3)
        if report.outcome != "passed" and record.outcome == "passed":
            record.outcome = "skipped" if report.skipped else ("failed" if report.when == "call" else "error")
            record.message = _short_message(report)
            if report.skipped:
                for requirement_id in record.requirements:
                    state.recorder.not_tested.setdefault(requirement_id, record.message or "skipped")
    return report


def _record_of(state: ConformanceSession, item: pytest.Item) -> TestRecord | None:
    """The test's record, made when it first reports: under pytest-xdist a worker records only
    the tests it ran, so the controller can add the workers' records up."""
    if REQUIREMENTS_KEY not in item.stash:
        return None
    if item.nodeid not in state.recorder.tests:
        state.recorder.tests[item.nodeid] = TestRecord(item.nodeid, _readable_name(item), item.stash[REQUIREMENTS_KEY])
    return state.recorder.tests[item.nodeid]


def _stopped_by_the_run(item: pytest.Item, call: pytest.CallInfo, report: pytest.TestReport) -> None:
    """A test cut short by the budget is NOT TESTED, not failed; one cut short by the target
    going away (or any transport failure) means the run could not test: exit 2, never a pass."""
    import requests

    state = conformance_session(item.config)
    error = call.excinfo.value
    if call.excinfo.errisinstance(BudgetExhausted):
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, f"Skipped: not tested: {error}")
    elif call.excinfo.errisinstance((TargetUnavailable, requests.RequestException)):
        message = f"could not test: {state.target.mask(str(error))[:300]}"
        state.recorder.could_not_test.append(message)
        report.longrepr = message


def _short_message(report: pytest.TestReport) -> str:
    if report.skipped and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2]).removeprefix("Skipped: ")
    text = str(report.longrepr or "")
    for line in text.splitlines():
        if "(MUST)" in line or "(SHOULD)" in line:
            return line.strip().removeprefix("E").strip()
    return text.strip().splitlines()[-1] if text.strip() else report.outcome


# --- fixtures --------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def conformance(request: pytest.FixtureRequest) -> ConformanceSession:
    return conformance_session(request.config)


@pytest.fixture(scope="session")
def target(conformance: ConformanceSession) -> Target:
    return conformance.target


@pytest.fixture
def verify(request: pytest.FixtureRequest, conformance: ConformanceSession):
    """The test's Verifier; while it is active every exchange is checked against the contract."""
    verifier = Verifier(conformance.recorder, request.node.nodeid)
    request.node._conformance_verifier = verifier
    conformance.current = verifier
    target = conformance.target
    before = set(target.ledger.open_ids())
    requests_before = target.requests_sent
    with parallel.global_state_lock(conformance.run_tag, request.node, shared_target=not conformance.config.embedded):
        yield verifier
    conformance.current = None
    # Each test tidies up what it created, so no test inherits another's segments (the caps);
    # whatever it could not delete stays in the ledger for the final cleanup.
    target.cleanup([segment_id for segment_id in target.ledger.open_ids() if segment_id not in before])
    record = _record_of(conformance, request.node)
    if record is not None:
        record.requests = target.requests_sent - requests_before


@pytest.fixture
def names(conformance: ConformanceSession, request: pytest.FixtureRequest):
    """Segment names that carry the run tag, so a person can tell what a run created."""
    counter = iter(range(1, 10_000))

    def make(label: str = "segment") -> str:
        return f"{label} {conformance.run_tag}-{next(counter)}"

    return make


@pytest.fixture
def unknown_id(conformance: ConformanceSession) -> str:
    """An id in the vendor's format that no segment has (drawn from the seeded generator)."""
    return "seg_" + "".join(conformance.rng.choices(string.ascii_letters + string.digits, k=24))


# --- the end ---------------------------------------------------------------------------------------


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    state = conformance_session(session.config)
    state.finish()
    if parallel.worker_id(session.config):
        requests_sent = state._target.requests_sent if state._target else 0
        parallel.hand_over(session.config, state.recorder, requests_sent, state.left_behind)
        return
    if parallel.is_controller(session.config):
        parallel.merge_ledgers(state.config.ledger_path)
    if state.config.summary_path is not None:
        summary = build_summary(state)
        state.config.summary_path.parent.mkdir(parents=True, exist_ok=True)
        state.config.summary_path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    parallel.take_over(conformance_session(node.config), node)


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    state = conformance_session(config)
    if state.left_behind:
        terminalreporter.write_line(
            f"conformance: could not delete {len(state.left_behind)} segment(s) this run created: "
            + ", ".join(state.left_behind),
            red=True,
        )


def build_summary(state: ConformanceSession) -> dict[str, Any]:
    recorder = state.recorder
    requirements = []
    counts = Counter({"PASS": 0, "FAIL": 0, "WARN": 0, "NOT_TESTED": 0, "OBSERVED": 0})
    tests_by_requirement: dict[str, list[str]] = defaultdict(list)
    for record in recorder.tests.values():
        for requirement_id in record.requirements:
            tests_by_requirement[requirement_id].append(record.nodeid)
    for requirement in load_catalogue().values():
        status, reason = recorder.status_of(requirement)
        counts[status] += 1
        evidence = recorder.problems.get(requirement.id, []) or recorder.observations.get(requirement.id, [])
        requirements.append(
            {
                "id": requirement.id,
                "level": requirement.level,
                "text": requirement.text,
                "source": requirement.source,
                "ambiguity": requirement.ambiguity,
                "status": status,
                "reason": reason,
                "tests": tests_by_requirement.get(requirement.id, []),
                "evidence": list(evidence),
            }
        )
    test_failed = any(record.outcome in ("failed", "error") for record in recorder.tests.values())
    if counts["FAIL"]:
        verdict, exit_code = "NONCONFORMANT", 1
    elif recorder.could_not_test or test_failed:
        verdict, exit_code = "INCOMPLETE", 2
    else:
        verdict, exit_code = "CONFORMANT", 0
    document = contract.effective_document()
    return {
        "schema_version": SUMMARY_SCHEMA_VERSION,
        "tool": {"name": "segments-conformance", "version": __version__},
        "document": {
            "sha256": contract.document_sha256(),
            "info_version": document["info"]["version"],
            "title": document["info"]["title"],
        },
        "target": {
            "base_url": state.target.mask(state.base_url) if state._target else (state.config.base_url or "one per worker"),
            "embedded_mock": state.config.embedded,
            "faults": list(state.config.faults),
            "insecure": state.config.insecure,
        },
        "run": {
            "seed": state.config.seed,
            "started_at": state.started_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "duration_s": round(time.perf_counter() - state.started, 3),
            "strict": state.config.strict,
            "max_examples": state.config.max_examples,
            "selection": state.selection,
            "requests_sent": state._target.requests_sent if state._target else state.worker_requests,
            "run_tag": state.run_tag,
            "left_behind": state.left_behind,
            "max_requests": state.config.max_requests,
            "profile": state.profile,
            "could_not_test": recorder.could_not_test,
        },
        "verdict": verdict,
        "exit_code": exit_code,
        "counts": dict(counts),
        "requirements": requirements,
        "tests": [record.__dict__ for record in recorder.tests.values()],
        "operations": [
            {"operation": operation, "statuses": dict(sorted(statuses.items()))}
            for operation, statuses in sorted(recorder.statuses.items())
        ],
    }
