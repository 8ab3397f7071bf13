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
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conformance import interrupts, parallel
from conformance.catalogue import load_catalogue
from conformance.checks import check_response
from conformance.ledger import Ledger
from conformance.recording import ContractViolation, Recorder, TestRecord, Verifier
from conformance.summary import build_summary
from conformance.target import BudgetExhausted, Credentials, Exchange, Target, TargetUnavailable

# What conformance/suite/conftest.py takes in: every hook and fixture pytest looks up by name.
__all__ = [
    "pytest_addoption",
    "pytest_configure",
    "pytest_report_header",
    "pytest_collection_modifyitems",
    "pytest_deselected",
    "pytest_runtest_setup",
    "pytest_runtest_makereport",
    "pytest_sessionfinish",
    "pytest_testnodedown",
    "pytest_terminal_summary",
    "conformance",
    "target",
    "verify",
    "names",
    "unknown_id",
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
            self.current.findings(check_response(exchange))

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
    if report.when == "call" and verifier is not None and verifier.pending is not None:
        # A violation the generic checks found, not yet raised: it fails the test, and when the
        # scenario then tripped over the answer (a body that is not JSON, say) it is the cause.
        tripped = call.excinfo is not None and not call.excinfo.errisinstance(ContractViolation)
        if report.passed or tripped:
            report.outcome = "failed"
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
