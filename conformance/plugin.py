"""The pytest plugin behind the suites: options, the run, requirement recording, verdict, reports.

Installed as a `pytest11` entry point, this module only declares the options: it stays inert
until a conformance suite is collected. The suite's conftest then calls `activate`, which
registers one `ConformanceRun` object for the session (the way pytest-html registers its report
object). `conformance run` registers the object itself, with the settings it resolved, so both
front doors run the same engine: `pytest --pyargs conformance.suite --base-url URL` gives the
verdict, reports and exit code `conformance run` gives.

Data flows one way: tests send through the Target, every exchange goes through the checks into
the test's Verifier, the Recorder adds the tests up, and the summary is built from the Recorder.
"""

from __future__ import annotations

import gc
import json
import random
import secrets
import string
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from conformance import interrupts, options, parallel
from conformance.catalogue import load_catalogue
from conformance.checks import check_response
from conformance.contract import Contract, ContractError
from conformance.exchange import Exchange
from conformance.exits import UsageError
from conformance.ledger import Ledger
from conformance.masking import Masker
from conformance.recording import (
    ContractViolation,
    PreconditionNotMet,
    Recorder,
    TestRecord,
    UndeclaredRequirement,
    Verifier,
)
from conformance.target import Credentials, Target, random_segment_id
from conformance.transport import OutOfBudget, TargetUnavailable, Transport
from conformance.verdict import Decision

SETTINGS_KEY = "conformance_settings"  # the settings handed to pytest-xdist workers
HEAVY_SKIP = "heavy scenario (100+ requests or 20,000-customer bodies): off loopback it needs --include-heavy"


# --- the entry point: options only ------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "Segments API conformance (active when a conformance suite is collected)")
    for option in options.OPTIONS:
        if option.pytest_own:
            continue
        try:
            group.addoption(*option.flags, **options.argparse_kwargs(option))
        except ValueError:  # another plugin declares it already (pytest-base-url's --base-url): share it
            pass


def activate(config: pytest.Config, *, suite: str = "api") -> None:
    """Called by a suite's conftest: start the run unless `conformance run` registered it already."""
    if any(isinstance(plugin, ConformanceRun) for plugin in config.pluginmanager.get_plugins()):
        return
    workerinput = getattr(config, "workerinput", None)
    if workerinput and SETTINGS_KEY in workerinput:
        settings = options.Settings(**json.loads(workerinput[SETTINGS_KEY]))
    else:
        given = {option.name: _pytest_value(config, option) for option in options.OPTIONS}
        try:
            settings = options.resolve(given)
        except UsageError as error:
            raise pytest.UsageError(str(error)) from None
    try:
        run = ConformanceRun(settings, suite=suite)
    except UsageError as error:
        raise pytest.UsageError(str(error)) from None
    config.pluginmanager.register(run, ConformanceRun.NAME)
    if not getattr(config.option, "xmlpath", None) and not workerinput:
        # The same reports as `conformance run`, JUnit included: pytest's own writer, started the way
        # its plugin starts itself when --junitxml is given (it has run its configure already).
        from _pytest import junitxml

        config.option.xmlpath = str(run.report_dir / "junit.xml")
        if junitxml.xml_key not in config.stash:
            junitxml.pytest_configure(config)
            config.stash[junitxml.xml_key].pytest_sessionstart()  # the session may have started already
    run.pytest_configure(config)


def _pytest_value(config: pytest.Config, option: options.Option) -> Any:
    own = {"keyword": "keyword", "markexpr": "markexpr", "strict": "strict", "workers": "numprocesses", "quiet": "verbose"}
    if option.name in own:
        value = getattr(config.option, own[option.name], None)
        if option.name == "quiet":
            return bool(value and value < 0)
        return value or None
    return config.getoption(option.name, default=None)


# --- the run ---------------------------------------------------------------------------------------


class ConformanceRun:
    """What one pytest session knows about the conformance run; its hooks and fixtures."""

    NAME = "conformance-run"
    SUITE_DIRECTORIES = {"api": "suite", "sdk": "sdk/suite"}

    def __init__(self, settings: options.Settings, *, suite: str = "api") -> None:
        self.settings = settings
        self.suite = suite
        self.suite_directory = self.SUITE_DIRECTORIES[suite]
        # What the run is judged on (the summary's requirements), and what its Verifiers know: the
        # SDK gate judges a client, while the generic checks still judge every answer of the target.
        self.judged = load_catalogue() if suite == "api" else load_catalogue("conformance.sdk", "requirements.yaml")
        self.catalogue = {**load_catalogue(), **self.judged}
        self.client: dict[str, Any] | None = None  # the SDK gate's client under test, described by itself
        try:
            self.contract = Contract.load(settings.spec)
        except ContractError as error:
            raise UsageError(str(error)) from None
        self.seed = settings.seed if settings.seed is not None else secrets.randbelow(2**31)
        self.rng = random.Random(self.seed)
        self.run_tag = "sc" + "".join(self.rng.choices(string.ascii_lowercase + string.digits, k=6))
        self.started_at = datetime.now(timezone.utc)
        self.started = time.monotonic()
        embedded = settings.embedded
        self.credentials = Credentials(
            settings.app_id or ("conformance-" + secrets.token_hex(4) if embedded else ""),
            settings.app_token or (secrets.token_urlsafe(24) if embedded else ""),
        )
        self.masker = Masker((self.credentials.app_id, self.credentials.app_token))
        self.recorder = Recorder(masker=self.masker)
        self.report_dir = Path(settings.report_dir)
        self.scope: dict[str, str] = {}  # requirement id -> why it is left out on purpose
        self.decision: Decision | None = None
        self.summary: dict[str, Any] | None = None
        self.probe_problem: str | None = None
        self.left_behind: list[str] = []
        self.current: Verifier | None = None
        self.config: pytest.Config | None = None
        self._mock = None
        self._target: Target | None = None
        self._deselected: dict[str, str] = {}  # nodeid -> why
        self._check_report_dir()

    def _check_report_dir(self) -> None:
        """Every report can be written: checked before any traffic, not found out after the suite ran."""
        try:
            self.report_dir.mkdir(parents=True, exist_ok=True)
            for name in ("summary.json", "report.html", "run.har", "ledger.json", "junit.xml"):
                path = self.report_dir / name
                if path.is_dir():
                    raise UsageError(f"cannot write the reports: {path} is a directory")
            probe = self.report_dir / ".conformance-write-test"
            probe.write_text("")
            probe.unlink()
        except OSError as error:
            raise UsageError(f"cannot write to the report directory {self.report_dir}: {error.strerror or error}") from None

    # --- set-up -------------------------------------------------------------------------------------

    def pytest_configure(self, config: pytest.Config) -> None:
        if self.config is not None:
            return
        self.config = config
        config.addinivalue_line("markers", "requirement(*ids): the catalogue requirements a test verifies")
        config.addinivalue_line("markers", "sandbox: in the sandbox profile (every light MUST requirement in under 100 requests)")
        config.addinivalue_line("markers", "operation(id): needs this documented operation (else out of scope)")
        config.addinivalue_line("markers", "deep: runs with --depth deep only")
        interrupts.install()
        _keep_hypothesis_out_of_the_working_directory()
        self._ledger().save()  # an empty ledger on disk from the start (the report directory is checked)
        from conformance import suite as suite_package

        suite_package.RUN = self  # the one seam for modules that parametrize at import time
        # The whole suite, by path or by package (--pyargs conformance.suite), is no selection.
        whole_suite = (str(Path(__file__).parent / self.suite_directory), "conformance." + self.suite_directory.replace("/", "."))
        chosen = [arg for arg in config.args if not str(arg).rstrip("/").endswith(whole_suite)]
        if not self.selection_given(chosen) and not parallel.is_controller(config):
            self.start_probe()

    def start_probe(self) -> None:
        """Probe the target while the suite is imported and collected (start-up to first request).
        Only when no selection can turn out empty: a selection that matches nothing must stay a
        usage error before any traffic, so then the probe waits for collection."""
        if self.settings.target_url and getattr(self, "_probe_thread", None) is None:
            self._probe_thread = threading.Thread(target=self._probe, name="conformance-probe", daemon=True)
            self._probe_thread.start()

    def selection_given(self, chosen_tests) -> bool:
        """Whether the tests to run were chosen (-k, -m, or tests named): then it may be none, and a
        selection that matches nothing must be a usage error before any traffic."""
        return bool(self.settings.keyword or self.settings.markexpr or chosen_tests)

    def _probe(self) -> None:
        try:
            self._probe_result = self.target.probe()
        except interrupts.Interrupted as error:  # a signal during start-up: the run ends as interrupted
            self._probe_result = f"interrupted by {error}"

    def _probed(self) -> str | None:
        thread = getattr(self, "_probe_thread", None)
        if thread is None:
            return self.target.probe()
        thread.join()
        return self._probe_result

    def _ledger(self) -> Ledger:
        if not hasattr(self, "_ledger_object"):
            path = parallel.worker_path(self.report_dir / "ledger.json", self.config)
            self._ledger_object = Ledger(path, base_url=self.settings.target_url or "embedded mock", run_tag=self.run_tag,
                                         write_through=not self.settings.embedded)
        return self._ledger_object

    @property
    def base_url(self) -> str:
        return self.settings.target_url or self._start_mock().url

    @property
    def loopback(self) -> bool:
        return self.settings.embedded or options.is_loopback(self.settings.target_url)

    @property
    def embedded_mock(self):
        """The embedded mock's server when the run targets it, else None: its memory shows what a
        refused request left behind, without a request (conformance.suite.scenarios.stored_names)."""
        return self._mock if self.settings.embedded else None

    def _start_mock(self):
        if self._mock is None:
            from conformance.mock.server import MockServer

            self._mock = MockServer(app_id=self.credentials.app_id, app_token=self.credentials.app_token,
                                    faults=self.settings.fault, variants=self.settings.variant, contract=self.contract)
            self._mock.start()
        return self._mock

    @property
    def target(self) -> Target:
        if self._target is None:
            ledger = self._ledger()
            ledger.base_url = self.base_url if not self.settings.embedded else "embedded mock"
            transport = Transport(
                self.base_url,
                self.contract,
                ledger=ledger,
                run_tag=self.run_tag,
                verify_tls=not self.settings.insecure,
                max_requests=self.settings.request_budget,
                stop_at=self.started + self.settings.max_time,
            )
            transport.listeners.append(self._on_exchange)
            self._target = Target(transport, self.credentials)
        return self._target

    def _on_exchange(self, exchange: Exchange) -> None:
        if self.current is not None:  # checks first, on the exchange as received
            self.current.generic(check_response(exchange, self.contract))
        self.recorder.exchange(exchange)

    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        where = self.settings.target_url or "embedded mock" + (f" with faults {self.settings.fault}" if self.settings.fault else "")
        return [f"conformance: target {self.masker.text(where)}; document {self.contract.source} "
                f"(sha256 {self.contract.sha256[:12]}); seed {self.seed}; run tag {self.run_tag}; depth {self.settings.depth}"]

    # --- collection: what is in scope -----------------------------------------------------------------

    @pytest.hookimpl(trylast=True)  # after -k/-m deselected theirs
    def pytest_collection_modifyitems(self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
        kept, dropped = [], []
        for item in items:
            ids = requirement_ids(item)
            unknown = [requirement_id for requirement_id in ids if requirement_id not in self.catalogue]
            if unknown:
                raise pytest.UsageError(f"{item.nodeid} names unknown requirements {unknown}")
            for requirement_id in ids:
                item.user_properties.append(("requirement", requirement_id))
            needed = [mark.args[0] for mark in item.iter_markers("operation")]
            missing = [operation for operation in needed if not self.contract.has(operation)]
            if missing:
                self._deselected[item.nodeid] = f"the document has no {missing[0]} operation"
                dropped.append(item)
            elif item.get_closest_marker("deep") and not self.settings.stateful:
                self._deselected[item.nodeid] = "runs with --depth deep"
                dropped.append(item)
            elif any(self.catalogue[requirement_id].heavy for requirement_id in ids) and not (self.settings.include_heavy or self.loopback):
                self._deselected[item.nodeid] = HEAVY_SKIP
                dropped.append(item)
            else:
                kept.append(item)
        if dropped:
            items[:] = kept
            config.hook.pytest_deselected(items=dropped)

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        why = "out of the sandbox profile" if self.settings.profile else "not selected (-k, -m)"
        for item in items:
            record = self._record_of(item)
            record.outcome = "deselected"
            record.message = self._deselected.get(item.nodeid, why)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            self._record_of(item)
        if not session.items and not parallel.is_worker(session.config):
            selection = " ".join(f"{flag} {value!r}" for flag, value in (("-k", self.settings.keyword), ("-m", self.settings.effective_markexpr)) if value)
            if self._deselected:
                why = sorted(set(self._deselected.values()))[0]
                raise pytest.UsageError(f"the selection {selection or '(none)'} leaves no test in scope ({why}); nothing was sent")
            raise pytest.UsageError(f"the selection {selection or '(none)'} matches no test of the suite; nothing was sent")
        if self.settings.target_url and not parallel.is_controller(session.config):
            self.probe_problem = self._probed()
            if self.probe_problem:  # nothing can be tested: no test runs, the reports say why
                self.recorder.causes.append(f"could not test: {self.probe_problem}")
                session.items.clear()
        gc.freeze()  # start-up objects live to the end: keep the collector from walking them again

    def _scope(self) -> dict[str, str]:
        """Requirement ids left out on purpose, with why: the document lacks their operation, or every
        test that verifies them was deselected (profile, -k/-m, heavy off loopback)."""
        documented = self.contract.operation_ids
        declared = self.recorder.tests_declaring()
        scope = {}
        for requirement in self.judged.values():
            if not requirement.applies_to(documented):
                missing = next(op for op in requirement.operations if op not in documented)
                scope[requirement.id] = f"out of scope: the document has no {missing} operation"
                continue
            tests = declared.get(requirement.id, [])
            if tests and all(test.outcome == "deselected" for test in tests):
                scope[requirement.id] = f"out of scope: {tests[0].message}"
        return scope

    # --- running tests --------------------------------------------------------------------------------

    def pytest_runtest_logstart(self, nodeid: str, location) -> None:
        """Progress by area: a heading each time the run moves to another part of the suite."""
        area = nodeid.split("::", 1)[0]
        if area == getattr(self, "_area", None) or self.config is None or parallel.is_worker(self.config):
            return
        self._area = area
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            if reporter._tw.width_of_current_line:  # after -q's dots: the heading gets a line of its own
                reporter.write("\n")
            reporter.write_line(f"── {_area_label(Path(__file__).parent / self.suite_directory / Path(area).name)}",
                                cyan=True, bold=True)

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        interrupts.checkpoint()
        target = self._target
        if target is None:
            return
        transport = target.transport
        budget = transport.budget
        reason = None
        if transport.unavailable:
            reason = f"not tested: the target became unavailable: {transport.unavailable}"
        elif not budget.allows(reserved=len(target.ledger), requests=2):  # a test needs a create and its delete at least
            reason = f"not tested: the request budget of {budget.limit} is spent"
        elif transport.stop_at is not None and time.monotonic() >= transport.stop_at:
            reason = f"not tested: the run's time limit of {self.settings.max_time} s is reached"
        if reason:
            self.recorder.causes.append(reason)  # a test left out for it: the run did not cover its scope
            pytest.skip(reason)

    @pytest.hookimpl(wrapper=True, tryfirst=True)  # outermost: other wrappers see pytest's own report
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        verifier: Verifier | None = getattr(item, "_conformance_verifier", None)
        record = self._record_of(item)
        if report.when == "call" or (report.when == "setup" and report.failed):
            # A fixture sends requests too (the auth tests create their segment in one): what it
            # finds is judged as the test's own findings are, not reported as a tool error.
            self._judge(item, call, report, verifier, record)
        elif report.outcome != "passed" and record.outcome in ("not_run", "passed"):
            record.outcome = "skipped" if report.skipped else "error"
            record.message = _message_of(report, self.masker)
            if report.failed:
                self.recorder.causes.append(f"{item.name}: error in {report.when}: {record.message}")
        if report.longrepr is not None and not isinstance(report.longrepr, tuple):
            report.longrepr = self.masker.text(str(report.longrepr))  # what pytest prints and JUnit keeps
        record.duration_s = round(record.duration_s + report.duration, 3)
        return report

    def _judge(self, item, call, report, verifier: Verifier | None, record: TestRecord) -> None:
        """The test's outcome (from its call, or from a setup that failed), from its own findings:
        a MUST violation (raised, or found by the generic checks), a SHOULD one under --strict, or
        why it could not judge."""
        error = call.excinfo.value if call.excinfo is not None else None
        failure = verifier.failure_at_end() if verifier is not None else None
        if isinstance(error, OutOfBudget):
            report.outcome, report.longrepr = "skipped", (str(item.path), item.location[1] or 0, f"Skipped: not tested: {error}")
            self.recorder.causes.append(f"not tested: {error}")
        elif isinstance(error, PreconditionNotMet):
            message = f"not tested: precondition not met: {error}"
            report.outcome, report.longrepr = "skipped", (str(item.path), item.location[1] or 0, f"Skipped: {message}")
            self.recorder.causes.append(f"{item.name}: precondition not met: {error}")
        elif failure is not None:  # a violation, whatever else went wrong after it: the violation is the cause
            report.outcome = "failed"
            report.longrepr = verifier.describe(failure)
            record.failed_requirement = failure.requirement
        elif isinstance(error, (TargetUnavailable, OSError)) or _is_transport_error(error):
            message = f"could not test: {self.masker.text(str(error))[:300]}"
            report.outcome, report.longrepr = "failed", message
            self.recorder.causes.append(f"{item.name}: {message}")
        elif isinstance(error, UndeclaredRequirement):
            self.recorder.causes.append(f"internal error in the suite: {error}")
        elif error is not None and not isinstance(error, ContractViolation) and report.when == "setup":
            self.recorder.causes.append(f"{item.name}: error in setup: {_message_of(report, self.masker)}")
        elif error is not None and not isinstance(error, ContractViolation):
            self.recorder.causes.append(f"{item.name} could not judge an answer ({type(error).__name__}: "
                                        f"{self.masker.text(str(error))[:200]})")
        if report.skipped:
            record.outcome, record.message = "skipped", _message_of(report, self.masker)
        elif report.failed:
            record.outcome = "failed" if failure is not None or isinstance(error, ContractViolation) else "error"
            record.message = self.masker.text(verifier.describe(failure).splitlines()[0]) if failure is not None else _message_of(report, self.masker)
        else:
            record.outcome = "passed"

    def _record_of(self, item: pytest.Item) -> TestRecord:
        record = self.recorder.tests.get(item.nodeid)
        if record is None:
            record = TestRecord(item.nodeid, _readable_name(item), requirement_ids(item))
            self.recorder.tests[item.nodeid] = record
        return record

    # --- fixtures -------------------------------------------------------------------------------------

    @pytest.fixture(scope="session")
    def conformance(self) -> ConformanceRun:
        return self

    @pytest.fixture(scope="session", name="target")
    def target_fixture(self) -> Target:
        return self.target

    @pytest.fixture
    def verify(self, request: pytest.FixtureRequest):
        """The test's Verifier; while it is active every exchange is checked against the contract."""
        item = request.node
        verifier = Verifier(item.nodeid, requirement_ids(item), self.catalogue, strict=self.settings.strict, masker=self.masker)
        item._conformance_verifier = verifier
        target = self.target
        before = set(target.ledger.open_ids())
        requests_before = target.requests_sent
        with parallel.target_lock(target.transport.origin, item, self.catalogue, shared=not self.settings.embedded):
            self.current, target.transport.test = verifier, item.nodeid
            try:
                yield verifier
            finally:
                self.current, target.transport.test = None, None
                # Each test tidies up what it created, so no test inherits another's segments (the caps);
                # whatever it could not delete stays in the ledger for the final cleanup.
                target.cleanup([segment_id for segment_id in target.ledger.open_ids() if segment_id not in before])
                self.recorder.absorb(verifier)
                self._record_of(item).requests = target.requests_sent - requests_before

    @pytest.fixture
    def names(self):
        """Segment names that carry the run tag, so a person (and cleanup) can tell what a run created."""
        counter = iter(range(1, 100_000))
        return lambda label="segment": f"{label} {self.run_tag}-{next(counter)}"

    @pytest.fixture
    def unknown_id(self) -> str:
        """An id in the vendor's format that no segment has (drawn from the seeded generator)."""
        return random_segment_id(self.rng)

    # --- the end --------------------------------------------------------------------------------------

    def pytest_keyboard_interrupt(self, excinfo) -> None:
        # pytest calls this for pytest.exit() too: only a real interrupt counts
        if isinstance(excinfo.value, KeyboardInterrupt) and not interrupts.requested():
            interrupts.simulate()  # a KeyboardInterrupt from elsewhere (pytest-xdist's controller)

    @pytest.hookimpl(trylast=True)  # after pytest tore the fixtures down: an interrupted test's findings are in
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        gc.unfreeze()
        self._finish()
        if parallel.is_worker(session.config):
            parallel.hand_over(session.config, self.recorder, self.left_behind)
            return
        if parallel.is_controller(session.config):
            parallel.merge_ledgers(self._ledger())
        if exitstatus == pytest.ExitCode.USAGE_ERROR:
            return
        if exitstatus == pytest.ExitCode.INTERNAL_ERROR:
            self.recorder.causes.append("internal error in this tool (the terminal shows it)")
        self.write_reports()
        session.exitstatus = self.decision.exit_code

    def _finish(self) -> None:
        """Cleanup, then the mock stops. Runs on every end: normal, failure, interrupt."""
        if self._target is not None:
            self.left_behind = self._target.cleanup()
            self.recorder.requests_sent += self._target.requests_sent
            self._target.close()
        if self._mock is not None:
            self._mock.stop()

    def write_reports(self) -> None:
        from conformance.report.har import write_har
        from conformance.summary import build_summary, write_summary

        if interrupts.requested():
            self.recorder.causes.insert(0, f"interrupted by {interrupts.signal_name()}")
        for requirement_id in sorted(set(self.recorder.violations) - set(self.judged)):
            if self.recorder.violations[requirement_id] and self.catalogue[requirement_id].level.value == "MUST":
                # the SDK gate: the target broke the contract, so what the client did with it cannot be judged
                self.recorder.causes.append(f"the target broke {requirement_id}: the client could not be judged on it")
        self.scope = self._scope()  # here, not at collection: under pytest-xdist only the workers collect
        summary, self.decision = build_summary(
            recorder=self.recorder,
            catalogue=self.judged,
            scope=self.scope,
            scope_note=self._scope_note(),
            document={**self.contract.identity(), "content": self.contract.vendor},
            target={
                "base_url": self.settings.target_url or (self._mock.url if self._mock else "embedded mock"),
                "embedded_mock": self.settings.embedded,
                "faults": list(self.settings.fault),
                "variants": list(self.settings.variant),
                "insecure": bool(self.settings.insecure),
            },
            run={
                "seed": self.seed,
                "started_at": self.started_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "duration_s": round(time.monotonic() - self.started, 3),
                "strict": bool(self.settings.strict),
                "depth": self.settings.depth,
                "max_examples": self.settings.examples if self.suite == "api" else self.settings.sdk_examples,
                "selection": {"k": self.settings.keyword, "m": self.settings.effective_markexpr},
                "profile": self.settings.profile,
                "run_tag": self.run_tag,
                "left_behind": self.left_behind,
                "max_requests": self.settings.request_budget,
                "max_time_s": self.settings.max_time,
                "interrupted": interrupts.signal_name(),
                "config_file": self.settings.config_file,
            },
            options=self.settings.shown(),
            command=self.suite,
            client=self.client,
        )
        self.summary = self.masker.value(summary)  # the last lock: no credential in any report
        write_summary(self.summary, self.report_dir / "summary.json")
        write_har(self.recorder, self.report_dir / "run.har")
        try:
            from conformance.report.render import write_html

            write_html(self.report_dir / "summary.json", self.report_dir / "report.html")
        except OSError as error:
            self.recorder.causes.append(f"report.html not written: {error}")

    def _junit_with_verdict(self, text: str) -> str:
        """JUnit as pytest wrote it, with the verdict as properties of its test suite."""
        import xml.etree.ElementTree as ElementTree

        if self.summary is None:
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
        for name, value in _junit_properties(self.summary):
            ElementTree.SubElement(properties, "property", name=name, value=value)
        return ElementTree.tostring(root, encoding="unicode", xml_declaration=True)

    def _scope_note(self) -> str:
        """What chose the scope, in the user's words (the counts and reasons follow it)."""
        if self.settings.profile:
            return f"within profile {self.settings.profile}"
        chosen = " ".join(f"{flag} {value!r}" for flag, value in (("-k", self.settings.keyword), ("-m", self.settings.markexpr)) if value)
        return f"within the selection {chosen}" if chosen else ""

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node, error) -> None:  # pytest-xdist controller
        parallel.take_over(self, node)

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node) -> None:  # pytest-xdist controller: the settings, as resolved
        node.workerinput[SETTINGS_KEY] = json.dumps({"values": self.settings.values, "sources": self.settings.sources,
                                                     "config_file": self.settings.config_file})

    def pytest_terminal_summary(self, terminalreporter, exitstatus: int, config: pytest.Config) -> None:
        if self.summary is None or parallel.is_worker(config):
            return
        from conformance.report.terminal import banner

        for line, colour in banner(self.summary, self.report_dir):
            terminalreporter.write_line(line, **({colour: True} if colour else {}))

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        junit = getattr(config.option, "xmlpath", None)
        if junit and Path(junit).is_file() and not parallel.is_worker(config):
            path = Path(junit)
            text = self._junit_with_verdict(path.read_text(encoding="utf-8"))
            path.write_text(self.masker.text(text), encoding="utf-8")  # the second lock: no credential in JUnit
        from conformance import suite as suite_package

        if getattr(suite_package, "RUN", None) is self:
            suite_package.RUN = None


def _junit_properties(summary: dict[str, Any]) -> list[tuple[str, str]]:
    """What a CI system reading only JUnit should know: the verdict, its scope and causes, the document."""
    document = summary["document"]
    properties = [("verdict", summary["verdict"]), ("exit_code", str(summary["exit_code"])), ("scope", summary["scope"]["text"]),
                  ("document", f"{document['source']} sha256 {document['sha256']} info.version {document['info_version']}"),
                  ("seed", str(summary["run"]["seed"]))]
    properties += [("incomplete", cause) for cause in summary["run"]["causes"]]
    return properties


def _area_label(path: Path) -> str:
    """The part of the suite a test file is: its docstring's words before the first colon."""
    import ast

    try:
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    except (OSError, SyntaxError):
        doc = ""
    label = doc.split(":", 1)[0].split(".", 1)[0].strip() if doc else path.stem
    return label or path.stem


def requirement_ids(item: pytest.Item) -> list[str]:
    ids: list[str] = []
    for mark in item.iter_markers("requirement"):
        ids.extend(mark.args)
    return list(dict.fromkeys(ids))


def _readable_name(item: pytest.Item) -> str:
    doc = getattr(getattr(item, "function", None), "__doc__", None)
    first_line = " ".join(doc.strip().split("\n\n")[0].split()) if doc else item.name
    return first_line if "[" not in item.name else f"{first_line} [{item.name.split('[', 1)[1]}"


def _message_of(report: pytest.TestReport, masker: Masker) -> str:
    if isinstance(report.longrepr, tuple):
        return masker.text(str(report.longrepr[2]).removeprefix("Skipped: "))
    text = str(report.longrepr or "").strip()
    return masker.text(text.splitlines()[-1] if text else report.outcome)


def _is_transport_error(error: BaseException | None) -> bool:
    import requests

    return isinstance(error, requests.RequestException)


def _keep_hypothesis_out_of_the_working_directory() -> None:
    """Hypothesis keeps caches (never examples: the suite runs without an example database, so a
    seed alone reproduces a run) in .hypothesis/ of the working directory; put them in the user's
    cache directory instead of littering wherever `conformance run` was started."""
    import os

    from hypothesis.configuration import set_hypothesis_home_dir

    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "segments-conformance" / "hypothesis"
    set_hypothesis_home_dir(cache)
