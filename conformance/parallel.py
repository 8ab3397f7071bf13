"""Tests side by side in one process (threads), on pytest-xdist workers (`-n N`), and sharing one
target with other processes.

Side by side (ThreadedTests, the default against a base URL): a run is mostly waiting for answers,
so the scenario tests run on threads, several at once, in one process (no start-up cost per
worker). What must not share the target with anything else runs alone afterwards on the main
thread: the dynamic cap (the catalogue's `alone`), the list's tests and the stateful sequences.
Hypothesis's tests (the property tests) run on the main thread meanwhile, one after the other. The Transport bounds
the requests in flight, numbers exchanges per test, and keeps each test's exchanges in order.

Each worker runs its share of the tests with its own Target (and, without --base-url, its own
embedded mock, so workers never share state). A worker hands its results and its ledger to the
controller, which writes the one summary.json and the one ledger.json.

The dynamic cap is sound only while nothing else creates segments on the target. Whenever the
target is shared (any --base-url), a lock per target origin, machine-wide, serialises it: a test
of a requirement the catalogue marks `alone` takes it exclusively, every other test shared. Two runs on one machine against one target
(two CI jobs, say) then cannot disturb each other's caps.
"""

from __future__ import annotations

import ast
import contextlib
import fcntl
import functools
import hashlib
import json
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from _pytest import runner as pytest_runner
from _pytest.fixtures import FixtureDef
from _pytest.runner import SetupState
from _pytest.unraisableexception import gc_collect_iterations_key

from conformance import interrupts

if TYPE_CHECKING:
    from conformance.ledger import Ledger
    from conformance.recording import Recorder


RECORDING = threading.Lock()
COLLECTION_OPERATIONS = ("list-segment",)  # operations whose answer shows every test's segments  # a finished test's findings go into the run's Recorder one test at a time


def worker_id(config: pytest.Config | None) -> str | None:
    workerinput = getattr(config, "workerinput", None)
    return workerinput["workerid"] if workerinput else None


def is_worker(config: pytest.Config | None) -> bool:
    return worker_id(config) is not None


def is_controller(config: pytest.Config | None) -> bool:
    return config is not None and config.pluginmanager.hasplugin("dsession") and not is_worker(config)


def worker_path(path: Path, config: pytest.Config | None) -> Path:
    worker = worker_id(config)
    return path.with_name(f"{path.stem}-{worker}{path.suffix}") if worker else path


def hand_over(config: pytest.Config, recorder: Recorder, left_behind: list[str]) -> None:
    """Worker side: what the controller needs to write the summary."""
    config.workeroutput["conformance"] = json.dumps({"recorder": recorder.export(), "left_behind": left_behind})


def take_over(run: Any, node: Any) -> None:
    """Controller side: add one finished worker's results to the run."""
    output = getattr(node, "workeroutput", {}).get("conformance")
    if output is None:
        run.recorder.causes.append(f"worker {node.gateway.id} ended without results")
        return
    data = json.loads(output)
    offset = max(run.recorder.exchanges, default=0)
    run.recorder.merge(data["recorder"], offset)
    run.left_behind.extend(data["left_behind"])


def merge_ledgers(ledger: Ledger) -> None:
    """Controller side: the workers' ledger parts become the run's one ledger.json."""
    path = ledger.path
    if path is None:
        return
    created: list[dict[str, Any]] = []
    for part in sorted(path.parent.glob(f"{path.stem}-gw*{path.suffix}")):
        data = json.loads(part.read_text(encoding="utf-8"))
        created += data["created"]
        ledger.base_url = data.get("base_url") or ledger.base_url
        part.unlink()
    for entry in created:
        ledger.add(entry["id"], kind=entry.get("type"))


def needs_the_whole_account(item: pytest.Item, catalogue: dict) -> bool:
    """A test of a requirement judged on what the whole account holds (the catalogue's `alone`:
    the dynamic cap). The static cap's 20,000-customer bodies are heavy too, but judged on one
    request alone: they may share the target."""
    return any(catalogue[r].alone for mark in item.iter_markers("requirement") for r in mark.args if r in catalogue)


@contextlib.contextmanager
def target_lock(origin: tuple[str, str | None, int], item: pytest.Item, catalogue: dict, *, shared: bool):
    """Exclusive for tests whose verdict depends on the whole target's state (the dynamic cap),
    shared for the rest; a no-op for a target nobody else can reach (the embedded mock)."""
    if not shared:
        yield
        return
    key = hashlib.sha256("://".join(map(str, origin)).encode()).hexdigest()[:16]
    lock_path = Path(tempfile.gettempdir()) / f"segments-conformance-target-{key}.lock"
    with open(lock_path, "a") as handle:
        mode = fcntl.LOCK_EX if needs_the_whole_account(item, catalogue) else fcntl.LOCK_SH
        while True:  # polled, not blocking: a Ctrl-C while another run holds the lock still counts
            try:
                fcntl.flock(handle, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                interrupts.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --- tests side by side, on threads ------------------------------------------------------------------


def configure(config: pytest.Config, run: Any) -> int:
    """What a run sets up for speed: tests side by side where they can be (threads_for), and no
    full garbage collections at the end of the session (pytest looks for unraisable exceptions
    there, 0.3 s on this machine; a conformance run reports on the target, not on those)."""
    config.stash[gc_collect_iterations_key] = 0
    threads = threads_for(config, run.settings) if run.suite == "api" else 0
    if threads:
        config.pluginmanager.register(ThreadedTests(run, threads), ThreadedTests.NAME)
    return threads


def threads_for(config: pytest.Config, settings: Any) -> int:
    """Threads for tests side by side. None on pytest-xdist (its own processes); none under a
    request budget (--max-requests, --profile): which tests it cuts short would depend on timing,
    and the seed must reproduce the run; none on the embedded mock: its answers cost microseconds,
    there is no waiting to overlap, and there the fault matrix proves each check alone (side by
    side, a fault that mixes segments up, such as ids shared across creates, also trips the tests
    that happen to run beside the one it is built for)."""
    from conformance import concurrency

    if worker_id(config) is not None or is_controller(config) or settings.request_budget is not None or settings.embedded:
        return 0
    width = concurrency.in_flight_bound(settings)
    return width if width > 1 else 0


class ThreadedTests:
    """pytest's test loop, with the independent tests on `width` threads (see the module's doc)."""

    NAME = "conformance-threaded-tests"

    def __init__(self, run: Any, width: int) -> None:
        self.run = run
        self.width = width
        self._reporting = threading.RLock()
        self._shared: dict[Any, tuple[list, None]] = {}  # collector -> its finalizers, for every thread
        self._shared_lock = threading.Lock()

    def alone(self, item: pytest.Item) -> bool:
        """Needs the target to itself: the dynamic cap (needs_the_whole_account), the list (it
        shows every test's segments: "the one created last" must be the test's own), or the
        stateful sequences (their clean-up takes every segment created meanwhile). The static cap's
        two big bodies go side by side: most of their time is the server reading 20,000 ids."""
        collection = any(operation in COLLECTION_OPERATIONS for mark in item.iter_markers("operation") for operation in mark.args)
        return needs_the_whole_account(item, self.run.catalogue) or collection or item.get_closest_marker("deep") is not None

    @staticmethod
    def on_main_thread(item: pytest.Item) -> bool:
        """Hypothesis's tests, one after the other: hypothesis seeds the global `random` for each test
        and schemathesis draws from it, so side by side the seed would no longer reproduce their cases."""
        return hasattr(getattr(item, "obj", None), "hypothesis")

    # pytest's reporting hooks are not written for threads either: one report at a time.
    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_logstart(self, nodeid, location):
        with self._reporting:
            return (yield)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_logreport(self, report):
        with self._reporting:
            return (yield)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_logfinish(self, nodeid, location):
        with self._reporting:
            return (yield)

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_makereport(self, item, call):  # a failure's text parses source: ast.parse is not thread-safe
        with self._reporting:
            return (yield)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session):
        if session.testsfailed and not session.config.option.continue_on_collection_errors:
            return None  # pytest's own loop says why
        if session.config.option.collectonly:
            return True
        side_by_side = [item for item in session.items if not self.alone(item) and not self.on_main_thread(item)]
        if len(side_by_side) < 2:
            return None  # nothing to overlap: pytest's own loop
        main = [item for item in session.items if self.on_main_thread(item) and not self.alone(item)]
        last = [item for item in session.items if self.alone(item)]
        self.run.target  # created here, once, before any thread asks for it
        capture = session.config.pluginmanager.getplugin("capturemanager")
        states = _ThreadStates(session._setupstate)
        session._setupstate = states
        if capture is not None:  # one capture for the whole process cannot tell threads apart: none
            capture.item_capture = _no_capture
        current_test_var, pytest_runner._update_current_test_var = pytest_runner._update_current_test_var, _no_current_test_var
        parse, ast.parse = ast.parse, _one_at_a_time(ast.parse)
        _PerThread.install()
        try:
            with ThreadPoolExecutor(max_workers=self.width, thread_name_prefix="conformance-test") as pool:
                futures = [pool.submit(self._run_on_thread, states, item) for item in side_by_side]
                self._run_in_turn(session, main, then=last)
                for future in futures:
                    future.result()
            self._teardown_shared()
            if last:
                from conformance.run_reports import prepare_while_waiting

                prepare_while_waiting()  # the tests alone are mostly the server's time
            self._run_in_turn(session, last, then=[])
        finally:
            _PerThread.uninstall()
            ast.parse = parse
            pytest_runner._update_current_test_var = current_test_var
            session._setupstate = states.main
            if capture is not None:
                del capture.item_capture
        _stop_if_asked(session)
        return True

    def _run_in_turn(self, session: pytest.Session, items: list[pytest.Item], *, then: list[pytest.Item]) -> None:
        for index, item in enumerate(items):
            following = items[index + 1] if index + 1 < len(items) else (then[0] if then else None)
            item.config.hook.pytest_runtest_protocol(item=item, nextitem=following)
            _stop_if_asked(session)

    def _run_on_thread(self, states: _ThreadStates, item: pytest.Item) -> None:
        if item.session.shouldfail or item.session.shouldstop:
            return
        chain = item.listchain()
        state = states.local()
        state.stack = {collector: self._collector(collector) for collector in chain[:-1]}
        # The next item, for teardown, is "a sibling": only this item's own fixtures are torn down.
        item.config.hook.pytest_runtest_protocol(item=item, nextitem=_Sibling(chain[:-1]))

    def _collector(self, collector) -> tuple[list, None]:
        """The collector (module, package, session) set up once for all threads; its finalizers
        (module- and session-scoped fixtures) are kept for _teardown_shared."""
        with self._shared_lock:
            if collector not in self._shared:
                self._shared[collector] = ([collector.teardown], None)
                collector.setup()
            return self._shared[collector]

    def _teardown_shared(self) -> None:
        state = SetupState()
        state.stack = dict(self._shared)
        self._shared.clear()
        state.teardown_exact(None)


class _ThreadStates:
    """session._setupstate for tests on several threads: the main thread keeps pytest's own, each
    other thread has one of its own (pytest's keeps one stack of what is set up)."""

    def __init__(self, main: SetupState) -> None:
        self.main = main
        self._local = threading.local()

    def local(self) -> SetupState:
        if threading.current_thread() is threading.main_thread():
            return self.main
        if not hasattr(self._local, "state"):
            self._local.state = SetupState()
        return self._local.state

    def __getattr__(self, name: str):
        return getattr(self.local(), name)


class _PerThread:
    """A FixtureDef attribute kept per thread: pytest caches a fixture's value and its finalizers
    on the fixture's definition, one for all tests, which tests on several threads would share
    (one test handed another's Verifier). The main thread keeps pytest's own storage."""

    NAMES = {"cached_result": lambda: None, "_finalizers": list}
    _local = threading.local()

    def __init__(self, name: str) -> None:
        self.name, self.default = name, self.NAMES[name]

    def _values(self) -> dict:
        if not hasattr(self._local, "values"):
            self._local.values = {}
        return self._local.values

    def __get__(self, fixturedef, owner=None):
        if fixturedef is None:
            return self
        if threading.current_thread() is threading.main_thread():
            return fixturedef.__dict__[self.name]
        values = self._values()
        key = (id(fixturedef), self.name)
        if key not in values:
            values[key] = self.default()
        return values[key]

    def __set__(self, fixturedef, value) -> None:
        if threading.current_thread() is threading.main_thread():
            fixturedef.__dict__[self.name] = value
        else:
            self._values()[(id(fixturedef), self.name)] = value

    @classmethod
    def install(cls) -> None:
        for name in cls.NAMES:
            setattr(FixtureDef, name, cls(name))

    @classmethod
    def uninstall(cls) -> None:
        for name in cls.NAMES:
            if isinstance(FixtureDef.__dict__.get(name), cls):
                delattr(FixtureDef, name)


class _Sibling:
    """Stands for the next item in the same collector: teardown_exact keeps the collectors up."""

    def __init__(self, chain: list) -> None:
        self._chain = chain

    def listchain(self) -> list:
        return list(self._chain)


@contextlib.contextmanager
def _no_capture(when: str, item: pytest.Item):
    yield


def _one_at_a_time(parse):
    """ast.parse for threads: CPython 3.11 keeps the AST builder's recursion depth per process, so two
    threads parsing at once fail with SystemError ("AST constructor recursion depth mismatch"), and
    pytest (failure reports), hypothesis (strategy reprs) and the progress headings all parse."""
    lock = threading.Lock()

    @functools.wraps(parse)
    def parse_alone(*args, **kwargs):
        with lock:
            return parse(*args, **kwargs)

    return parse_alone


def _no_current_test_var(item: pytest.Item, when: str | None) -> None:
    """PYTEST_CURRENT_TEST names one test; with several running it could name none truly (and two
    threads removing it at once is a KeyError)."""


def _stop_if_asked(session: pytest.Session) -> None:
    if session.shouldfail:
        raise session.Failed(session.shouldfail)
    if session.shouldstop:
        raise session.Interrupted(session.shouldstop)
