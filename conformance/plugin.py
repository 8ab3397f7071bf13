"""The pytest plugin behind the suites: options, hooks and fixtures; the work is done elsewhere.

Installed as a `pytest11` entry point, this module only declares the options: it stays inert
until a conformance suite is collected. The suite's conftest then calls `activate`, which
registers one `ConformanceRun` object for the session (the way pytest-html registers its report
object). `conformance run` registers the object itself, with the settings it resolved, so both
front doors run the same engine: `pytest --pyargs conformance.suite --base-url URL` gives the
verdict, reports and exit code `conformance run` gives.

Data flows one way: tests send through the Target, every exchange goes through the checks into
the test's Verifier, the Recorder adds the tests up, and the summary is built from the Recorder.
The hooks delegate: the run's resources (mock, target, ledger, probe, cleanup) to
conformance.lifecycle, a test's scope and outcome to conformance.judging, the reports to
conformance.run_reports. Tests reach the run through fixtures; hooks through the config's stash
(conformance.keys).
"""

from __future__ import annotations

import gc
import json
import random
import secrets
import string
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from conformance import interrupts, judging, options, parallel, scope, startup
from conformance.catalogue import load_catalogue
from conformance.checks import check_response
from conformance.contract import Contract, ContractError
from conformance.exchange import Exchange
from conformance.exits import UsageError
from conformance.keys import RUN_KEY
from conformance.lifecycle import Lifecycle, check_the_mock_serves, keep_hypothesis_out_of_the_working_directory, run_credentials
from conformance.masking import Masker
from conformance.recording import Recorder, Verifier
from conformance.report.terminal import Progress
from conformance.run_reports import add_verdict_to_junit, check_report_dir, start_junit, write_reports
from conformance.target import Target, random_segment_id
from conformance.verdict import Decision

SETTINGS_KEY = "conformance_settings"  # the settings handed to pytest-xdist workers


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
            settings = options.resolve(given, command="sdk" if suite == "sdk" else "run")
        except UsageError as error:
            raise pytest.UsageError(str(error)) from None
    try:
        run = ConformanceRun(settings, suite=suite)
    except UsageError as error:
        raise pytest.UsageError(str(error)) from None
    config.pluginmanager.register(run, ConformanceRun.NAME)
    if not getattr(config.option, "xmlpath", None) and not workerinput:
        start_junit(config, run.report_dir / "junit.xml")  # the same reports as `conformance run`, JUnit included
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
    """What one pytest session knows about the conformance run: its hooks and fixtures."""

    NAME = "conformance-run"
    SUITE_DIRECTORIES = {"api": "suite", "sdk": "sdk/suite"}

    def __init__(self, settings: options.Settings, *, suite: str = "api") -> None:
        self.settings = settings
        self.suite = suite
        self.side_by_side = False  # tests side by side (parallel.ThreadedTests): set when pytest configures the run
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
        check_the_mock_serves(settings, self.contract)
        self.seed = settings.seed if settings.seed is not None else secrets.randbelow(2**31)
        self.rng = random.Random(self.seed)
        self.run_tag = "sc" + "".join(self.rng.choices(string.ascii_lowercase + string.digits, k=6))
        self.started_at = datetime.now(timezone.utc)
        self.started = time.monotonic()
        self.credentials = run_credentials(settings)
        self.masker = Masker((self.credentials.app_id, self.credentials.app_token))
        self.recorder = Recorder(masker=self.masker)
        self.report_dir = Path(settings.report_dir)
        self.scope: dict[str, str] = {}  # requirement id -> why it is left out on purpose
        self.decision: Decision | None = None
        self.summary: dict[str, Any] | None = None
        self.probe_problem: str | None = None
        self.left_behind: list[str] = []
        self.verifiers: dict[str, Verifier] = {}  # nodeid -> the Verifier of a test running now
        self.config: pytest.Config | None = None
        self._deselected: dict[str, str] = {}  # nodeid -> why
        check_report_dir(self.report_dir)
        self.lifecycle = Lifecycle(settings, self.contract, self.credentials, run_tag=self.run_tag,
                                   report_dir=self.report_dir, started=self.started, on_exchange=self._on_exchange)

    @property
    def target(self) -> Target:
        return self.lifecycle.target

    def selection_given(self, chosen_tests) -> bool:
        """Whether the tests to run were chosen (-k, -m, or tests named): then it may be none, and a
        selection that matches nothing must be a usage error before any traffic."""
        return bool(self.settings.keyword or self.settings.markexpr or chosen_tests)

    def _on_exchange(self, exchange: Exchange) -> None:
        verifier = self.verifiers.get(exchange.test or "")
        if verifier is not None:  # checks first, on the exchange as received
            verifier.generic(check_response(exchange, self.contract))
        self.recorder.exchange(exchange)

    # --- set-up -------------------------------------------------------------------------------------

    def pytest_configure(self, config: pytest.Config) -> None:
        if self.config is not None:
            return
        self.config = self.lifecycle.config = config
        config.stash[RUN_KEY] = self  # how collection hooks and pytest_generate_tests reach the run
        threads = parallel.configure(config, self)  # tests side by side, where they can be
        self.side_by_side = bool(threads)  # the scenarios ask: others' creates and deletes may interleave with theirs
        if not parallel.is_worker(config):  # progress by area: a heading before each part of the suite
            config.pluginmanager.register(Progress(Path(__file__).parent / self.suite_directory, side_by_side=bool(threads)))
        for marker in judging.MARKERS:
            config.addinivalue_line("markers", marker)
        interrupts.install()
        keep_hypothesis_out_of_the_working_directory()
        self.lifecycle.ledger().save()  # an empty ledger on disk from the start (the report directory is checked)
        # The whole suite, by path or by package (--pyargs conformance.suite), is no selection.
        whole_suite = (str(Path(__file__).parent / self.suite_directory), "conformance." + self.suite_directory.replace("/", "."))
        chosen = [arg for arg in config.args if not str(arg).rstrip("/").endswith(whole_suite)]
        if not self.selection_given(chosen) and not parallel.is_controller(config):
            self.lifecycle.start_probe()

    def pytest_report_header(self, config: pytest.Config) -> list[str]:
        where = self.settings.target_url or "embedded mock" + (f" with faults {self.settings.fault}" if self.settings.fault else "")
        return [f"conformance: target {self.masker.text(where)}; document {self.contract.source} "
                f"(sha256 {self.contract.sha256[:12]}); seed {self.seed}; run tag {self.run_tag}; depth {self.settings.depth}"]

    # --- collection: what is in scope -----------------------------------------------------------------

    @pytest.hookimpl(trylast=True)  # after -k/-m deselected theirs
    def pytest_collection_modifyitems(self, session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
        kept, dropped = [], []
        for item in items:
            why = judging.why_left_out(item, self.catalogue, self.contract, self.settings, loopback=self.lifecycle.loopback)
            for requirement_id in judging.requirement_ids(item):
                item.user_properties.append(("requirement", requirement_id))
            if why:
                self._deselected[item.nodeid] = why
                dropped.append(item)
            else:
                kept.append(item)
        if dropped:
            items[:] = kept
            config.hook.pytest_deselected(items=dropped)

    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        for item in items:
            record = judging.record_of(self.recorder, item)
            record.outcome = "deselected"
            record.message = self._deselected.get(item.nodeid) or scope.why_deselected(item, self.settings)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        for item in session.items:
            judging.record_of(self.recorder, item)
        if not session.items and not parallel.is_worker(session.config):
            raise pytest.UsageError(judging.why_nothing_runs(self.settings, self._deselected))
        if self.settings.target_url and not parallel.is_controller(session.config):
            self.probe_problem = self.lifecycle.probed()
            if self.probe_problem:  # nothing can be tested: no test runs, the reports say why
                self.recorder.causes.append(f"could not test: {self.probe_problem}")
                session.items.clear()
        startup.collector_on()  # start-up objects live to the end: frozen out of the collector's walks

    # --- running tests --------------------------------------------------------------------------------

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        interrupts.checkpoint()
        reason = self.lifecycle.why_not_start()
        if reason:
            self.recorder.causes.append(reason)  # a test left out for it: the run did not cover its scope
            pytest.skip(reason)

    @pytest.hookimpl(wrapper=True, tryfirst=True)  # outermost: other wrappers see pytest's own report
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        report = yield
        judging.judge_report(item, call, report, self.recorder, self.masker)
        return report

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
        verifier = Verifier(item.nodeid, judging.requirement_ids(item), self.catalogue, strict=self.settings.strict, masker=self.masker)
        item._conformance_verifier = verifier
        target = self.target
        with parallel.target_lock(target.transport.origin, item, self.catalogue, shared=not self.settings.embedded):
            self.verifiers[item.nodeid], target.transport.test = verifier, item.nodeid
            try:
                yield verifier
            finally:
                del self.verifiers[item.nodeid]
                target.transport.test = None
                # Each test tidies up what it created, so no test inherits another's segments (the caps).
                deleted = self.lifecycle.clean_up_after(item.nodeid)
                with parallel.RECORDING:  # tests side by side finish in any order
                    self.recorder.absorb(verifier)
                    judging.record_of(self.recorder, item).requests = target.transport.sent_for(item.nodeid) + deleted

    @pytest.fixture
    def names(self):
        """Segment names that carry the run tag, so a person (and cleanup) can tell what a run created."""
        counter = iter(range(1, 100_000))
        return lambda label="segment": f"{label} {self.run_tag}-{next(counter)}"

    @pytest.fixture
    def unknown_id(self, request: pytest.FixtureRequest) -> str:
        """An id in the vendor's format that no segment has: drawn from the seed and the test, so
        the seed reproduces it whatever order tests side by side (parallel.ThreadedTests) start in."""
        return random_segment_id(random.Random(f"{self.seed}:{request.node.nodeid}"))

    # --- the end --------------------------------------------------------------------------------------

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        # a test module that cannot be imported: its tests are not run, and the run says why (under
        # pytest-xdist the controller hears of it from the worker that collected it)
        if report.failed and not (self.config is not None and parallel.is_worker(self.config)):
            self.recorder.causes.append(judging.collection_failure(report, self.masker))

    def pytest_keyboard_interrupt(self, excinfo) -> None:  # pytest.exit() and a collection error's stop are no interrupt
        if isinstance(excinfo.value, KeyboardInterrupt) and not isinstance(excinfo.value, pytest.Session.Interrupted) \
                and not interrupts.requested():
            interrupts.simulate()  # a KeyboardInterrupt from elsewhere (pytest-xdist's controller)

    @pytest.hookimpl(trylast=True)  # after pytest tore the fixtures down: an interrupted test's findings are in
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        gc.unfreeze()
        self._finish()
        if parallel.is_worker(session.config):
            parallel.hand_over(session.config, self.recorder, self.left_behind)
            return
        if parallel.is_controller(session.config):
            parallel.merge_ledgers(self.lifecycle.ledger())
        if exitstatus == pytest.ExitCode.USAGE_ERROR:
            return
        if exitstatus == pytest.ExitCode.INTERNAL_ERROR:
            self.recorder.causes.append("internal error in this tool (the terminal shows it)")
        self.write_reports()
        session.exitstatus = self.decision.exit_code

    def _finish(self) -> None:
        """Cleanup, then the mock stops. Runs on every end: normal, failure, interrupt."""
        left_behind, requests_sent = self.lifecycle.finish()
        if left_behind is not None:
            self.left_behind = left_behind
        self.recorder.requests_sent += requests_sent

    def write_reports(self) -> None:
        write_reports(self)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node, error) -> None:  # pytest-xdist controller
        parallel.take_over(self, node)

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node) -> None:  # pytest-xdist controller: the settings, as resolved
        node.workerinput[SETTINGS_KEY] = json.dumps({"values": self.settings.values, "sources": self.settings.sources,
                                                     "config_file": self.settings.config_file})

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        from conformance.report.terminal import show_banner

        show_banner(self, config)  # here: after pytest's own last lines, the verdict is the last thing said
        junit = getattr(config.option, "xmlpath", None)
        if junit and Path(junit).is_file() and not parallel.is_worker(config):
            add_verdict_to_junit(Path(junit), self.summary, self.masker)
