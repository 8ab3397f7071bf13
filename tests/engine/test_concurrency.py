"""Requests in flight together: concurrency.py's fan-out, and the transport's gate under it."""

import contextvars
import json
import threading
import time

import pytest

from conformance import concurrency, interrupts, options
from conformance.contract import Contract
from conformance.ledger import Ledger
from conformance.target import Credentials, Target
from conformance.transport import BudgetExhausted, Transport
from servers import ScriptedServer, http


@pytest.fixture(autouse=True)
def no_signal_left():
    interrupts.reset()
    yield
    interrupts.reset()


def _gauge():
    """A call factory that records how many calls run at once."""
    lock, state = threading.Lock(), {"now": 0, "most": 0}

    def call(value, pause=0.05):
        def run():
            with lock:
                state["now"] += 1
                state["most"] = max(state["most"], state["now"])
            time.sleep(pause)
            with lock:
                state["now"] -= 1
            return value
        return run

    return call, state


def test_send_all_keeps_the_order_of_the_calls_and_the_width():
    call, state = _gauge()
    pauses = [0.08, 0.01, 0.05, 0.02, 0.06, 0.01, 0.03]
    assert concurrency.send_all([call(index, pause) for index, pause in enumerate(pauses)], width=3) == list(range(7))
    assert state["most"] == 3


def test_send_until_starts_no_more_once_a_result_says_stop():
    started = []

    def call(index):
        def run():
            started.append(index)
            time.sleep(0.0 if index == 0 else 0.2)
            return index
        return run

    # The first answer says stop while the other three of the first round are still in flight:
    # they finish and count (they were sent), and nothing more starts.
    results = concurrency.send_until([call(index) for index in range(50)], stop=lambda index: index == 0, width=4)
    assert results == [0, 1, 2, 3] and sorted(started) == results


def test_a_call_that_raises_stops_the_rest_and_its_error_is_raised_after_those_in_flight():
    finished = []

    def call(index):
        def run():
            time.sleep(0.03)
            if index == 2:
                raise ValueError("the third")
            finished.append(index)
            return index
        return run

    with pytest.raises(ValueError, match="the third"):
        concurrency.send_all([call(index) for index in range(40)], width=2)
    assert len(finished) < 10  # nothing new started after the failure was seen


def test_calls_run_in_the_callers_context():
    test = contextvars.ContextVar("test", default=None)
    test.set("test_x")
    assert concurrency.send_all([test.get] * 5, width=3) == ["test_x"] * 5


def test_the_sandbox_profile_sends_one_request_at_a_time():
    settings = options.resolve({"profile": "sandbox"}, command="run")
    assert concurrency.in_flight_bound(settings) == concurrency.SANDBOX_IN_FLIGHT == 1
    assert concurrency.in_flight_bound(options.resolve({}, command="run")) == concurrency.DEFAULT_IN_FLIGHT


# --- the transport's gate, with several requests in flight ------------------------------------------


def _slow(pause, body=b"{}", status=200):
    return lambda request: [pause, http(status, body)]


def _transport(server, **kwargs):
    return Transport(server.url, Contract.bundled(), ledger=kwargs.pop("ledger", Ledger(None)), **kwargs)


def test_the_transport_bounds_the_requests_in_flight():
    with ScriptedServer(_slow(0.2)) as server:
        gate = _transport(server, max_in_flight=2)
        started = time.monotonic()
        concurrency.send_all([lambda: gate.session.get(f"{server.url}/v1/segments/seg_1")] * 6, width=6)
        assert time.monotonic() - started >= 0.6  # three rounds of two, not one round of six
        assert gate.requests_sent == 6


def test_the_budget_is_never_overspent_by_requests_sent_together():
    with ScriptedServer(_slow(0.05)) as server:
        gate = _transport(server, max_requests=5, max_in_flight=8)

        def get():
            try:
                return gate.session.get(f"{server.url}/v1/segments/seg_1").status_code
            except BudgetExhausted:
                return None

        answers = concurrency.send_all([get] * 12, width=12)
        assert answers.count(200) == 5 and len(server.received) == 5 and gate.requests_sent == 5


def test_creates_in_flight_keep_their_deletes_in_reserve():
    """Four creates at once under a budget of 6: each keeps one request for its delete, so only
    three go out (3 creates + 3 deletes = 6), never four that could leave one segment behind."""
    created = iter(range(100))
    answer = lambda request: [0.1, http(200, f'{{"id": "seg_{next(created)}"}}'.encode())]
    with ScriptedServer(answer) as server:
        gate = _transport(server, max_requests=6, max_in_flight=8)
        target = Target(gate, Credentials("id", "token"))

        def create():
            try:
                return target.create({"name": "x"}).status
            except BudgetExhausted:
                return None

        assert concurrency.send_all([create] * 4, width=4).count(200) == 3
        assert len(gate.ledger) == 3


def test_a_tests_exchanges_reach_the_listeners_in_the_order_they_were_sent():
    pauses = {"/v1/segments/a": 0.3, "/v1/segments/b": 0.0, "/v1/segments/c": 0.1}
    with ScriptedServer(lambda request: [pauses[request.path], http(404, b"{}")]) as server:
        gate = _transport(server, max_in_flight=3)
        heard = []
        gate.listeners.append(lambda exchange: heard.append((exchange.test, exchange.url.rsplit("/", 1)[1])))
        gate.test = "test_x"
        sends = [lambda name=name: gate.session.get(f"{server.url}/v1/segments/{name}") for name in "abc"]
        concurrency.send_all(sends, width=3)
        assert heard == [("test_x", "a"), ("test_x", "b"), ("test_x", "c")]


def test_another_tests_slow_request_holds_nobody_back():
    with ScriptedServer(lambda request: [0.5 if request.path.endswith("slow") else 0.0, http(404, b"{}")]) as server:
        gate = _transport(server, max_in_flight=4)
        heard = threading.Event()
        gate.listeners.append(lambda exchange: heard.set() if exchange.test == "fast" else None)

        def send(test, name):
            gate.test = test
            gate.session.get(f"{server.url}/v1/segments/{name}")

        slow = threading.Thread(target=send, args=("slow", "slow"))
        slow.start()
        time.sleep(0.05)
        send("fast", "fast")
        assert heard.is_set()  # delivered at once, not after the other test's answer
        slow.join()
        assert gate.sent_for("slow") == gate.sent_for("fast") == 1


def test_each_test_knows_the_segments_it_created():
    created = iter(range(100))
    with ScriptedServer(lambda request: http(200, f'{{"id": "seg_{next(created)}"}}'.encode())) as server:
        gate = _transport(server, max_in_flight=4)
        target = Target(gate, Credentials("id", "token"))

        def create(test):
            gate.test = test
            return target.create({"name": "x"}).json["id"]

        first = concurrency.send_all([lambda: create("one")] * 3, width=3)
        second = create("two")
        assert sorted(gate.created_for("one")) == sorted(first) and gate.created_for("two") == [second]


def test_cleanup_deletes_together_and_names_what_it_left_in_order():
    answer = lambda request: [0.1, http(204) if request.path[-1] in "02468" else http(500, b"{}")]
    with ScriptedServer(answer) as server:
        ledger = Ledger(None)
        for index in range(10):
            ledger.add(f"seg_{index}")
        target = Target(_transport(server, ledger=ledger, max_in_flight=8), Credentials("id", "token"))
        started = time.monotonic()
        assert target.cleanup() == ["seg_1", "seg_3", "seg_5", "seg_7", "seg_9"]
        assert time.monotonic() - started < 0.6  # two rounds, not ten
        assert ledger.open_ids() == ["seg_1", "seg_3", "seg_5", "seg_7", "seg_9"]


# --- tests side by side (parallel.ThreadedTests) ------------------------------------------------------


def test_tests_side_by_side_each_keep_their_own_exchanges_in_order(tmp_path):
    from conformance import runner
    from conformance.parallel import ThreadedTests

    from conformance.mock.server import MockServer

    with MockServer(app_id="id", app_token="token") as mock:
        settings = options.resolve({"base_url": mock.url, "app_id": "id", "app_token": "token", "report_dir": str(tmp_path),
                                    "seed": 1, "quiet": True, "keyword": "test_read_delete or test_create or test_auth"},
                                   command="run")
        exit_code, run = runner.run_in_process(settings)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert exit_code != 1 and summary["counts"]["FAIL"] == 0 and run.config.pluginmanager.has_plugin(ThreadedTests.NAME)
    sent_for: dict[str, list[int]] = {}  # the HAR names each exchange "#sequence nodeid"
    for entry in json.loads((tmp_path / "run.har").read_text())["log"]["entries"]:
        sequence, _, nodeid = entry["comment"].partition(" ")
        sent_for.setdefault(nodeid, []).append(int(sequence.lstrip("#")))
    ran = [test for test in summary["tests"] if test["outcome"] == "passed"]
    assert len(ran) > 10
    for test in ran:
        assert test["exchanges"] and test["exchanges"] == sorted(sent_for[test["nodeid"]])


def test_no_threads_under_a_request_budget_or_on_xdist(tmp_path):
    from conformance import parallel

    class Config:
        pluginmanager = type("PM", (), {"hasplugin": staticmethod(lambda name: False)})()

    budget = options.resolve({"max_requests": 50, "base_url": "https://api.voucherify.io", "app_id": "id", "app_token": "token"}, command="run", environ={})
    assert parallel.threads_for(Config(), budget) == 0
    assert parallel.threads_for(Config(), options.resolve({"profile": "sandbox"}, command="run")) == 0
    assert parallel.threads_for(Config(), options.resolve({}, command="run")) == 0  # the embedded mock
    remote = options.resolve({"base_url": "https://api.voucherify.io", "app_id": "id", "app_token": "token"}, command="run", environ={})
    assert parallel.threads_for(Config(), remote) == concurrency.DEFAULT_IN_FLIGHT
    worker = Config()
    worker.workerinput = {"workerid": "gw0"}
    assert parallel.threads_for(worker, remote) == 0


class _Item:
    """What ThreadedTests reads of a pytest item: its markers."""

    def __init__(self, **markers):
        self.markers = markers

    def iter_markers(self, name):
        return [type("Mark", (), {"args": args}) for args in self.markers.get(name, [])]

    def get_closest_marker(self, name):
        return next(iter(self.iter_markers(name)), None)


def test_what_needs_the_target_to_itself_runs_alone():
    from conformance import parallel
    from conformance.catalogue import load_catalogue

    run = type("Run", (), {"catalogue": load_catalogue()})()
    threaded = parallel.ThreadedTests(run, 8)
    light = next(rid for rid, requirement in run.catalogue.items() if not requirement.heavy)
    assert threaded.alone(_Item(requirement=[("SEG-CAP-DYNAMIC-100",)]))  # the dynamic cap counts the whole account
    # the static cap's big bodies are judged one request at a time: side by side
    assert not threaded.alone(_Item(requirement=[("SEG-CAP-STATIC-20000",)]))
    assert not threaded.alone(_Item(requirement=[("SEG-CAP-STATIC-20001", "SEG-VALIDATION-400")]))
    assert threaded.alone(_Item(requirement=[(light,)], operation=[("list-segment",)]))  # the list shows every test's segments
    assert threaded.alone(_Item(requirement=[(light,)], deep=[()]))  # stateful sequences clean up what they find
    assert not threaded.alone(_Item(requirement=[(light,)], operation=[("create-segment",)]))


def test_only_the_dynamic_cap_holds_a_shared_target_exclusively(tmp_path, monkeypatch):
    """Another run's tests on the same target (here: a second lock file handle) wait only for the
    dynamic cap; the static cap's two big bodies share the target."""
    import fcntl
    import tempfile

    from conformance import parallel
    from conformance.catalogue import load_catalogue

    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path))
    origin = ("http", "127.0.0.1", 9)

    def another_run_can_share() -> bool:
        lock_file = next(tmp_path.glob("segments-conformance-target-*.lock"))
        with open(lock_file, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            fcntl.flock(handle, fcntl.LOCK_UN)
            return True

    for requirement_id, shares in (("SEG-CAP-DYNAMIC-100", False), ("SEG-CAP-STATIC-20000", True), ("SEG-GET-200", True)):
        with parallel.target_lock(origin, _Item(requirement=[(requirement_id,)]), load_catalogue(), shared=True):
            assert another_run_can_share() is shares, requirement_id


def test_ast_parse_is_one_thread_at_a_time_while_tests_run_side_by_side():
    import ast

    from conformance import parallel

    inside, most = [0], [0]
    lock = threading.Lock()

    def slow_parse(source):
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        time.sleep(0.02)
        with lock:
            inside[0] -= 1
        return ast.parse(source)

    parse = parallel._one_at_a_time(slow_parse)
    concurrency.send_all([lambda: parse("x = 1")] * 6, width=6)
    assert most[0] == 1


def test_a_429_holds_every_request_in_flight_together_and_the_wait_is_counted_once():
    arrivals: list[tuple[str, float]] = []
    limited = threading.Event()

    def answer(request):
        arrivals.append((request.path, time.monotonic()))
        if request.path.endswith("/first") and not limited.is_set():
            limited.set()
            return http(429, b'{"code": 429}', headers={"Retry-After": "0.5"})
        return http(404, b"{}")

    with ScriptedServer(answer) as server:
        gate = _transport(server, max_in_flight=4, rate_limit_patience_s=10)

        def later():
            limited.wait(5)
            time.sleep(0.05)  # sent while the first one waits out its 429
            return gate.session.get(f"{server.url}/v1/segments/second").status_code

        first = lambda: gate.session.get(f"{server.url}/v1/segments/first").status_code  # noqa: E731
        assert concurrency.send_all([first, later], width=2) == [404, 404]
        told = next(at for path, at in arrivals if path.endswith("/first"))
        second = next(at for path, at in arrivals if path.endswith("/second"))
        assert second - told >= 0.45  # held by the other request's back-off, not sent at once
        assert 9.4 <= gate.rate_limit_patience_left <= 9.6  # one window of 0.5 s, counted once
