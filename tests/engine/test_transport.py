"""The transport: one gate for every request, bounded whatever the target does."""

import json
import threading
import time

import pytest
import requests

from conformance import interrupts
from conformance.contract import Contract
from conformance.ledger import Ledger
from conformance.transport import (LATE_BYTES_WAIT_S, BodyTooLarge, BudgetExhausted, DeadlineExceeded, OffOrigin,
                                  TimeLimitReached, Transport)
from servers import CLOSE, ScriptedServer, http

SEGMENT = {"id": "seg_1", "name": "x", "created_at": "2022-09-13T08:57:15.801Z", "type": "static", "filter": None, "object": "segment"}


def transport(server, **kwargs):
    return Transport(server.url, Contract.bundled(), ledger=Ledger(None), run_tag=kwargs.pop("run_tag", "scTAG001"), **kwargs)


@pytest.fixture(autouse=True)
def no_signal_left():
    interrupts.reset()
    yield
    interrupts.reset()


def test_a_redirect_is_an_answer_never_followed_and_no_credential_travels():
    with ScriptedServer(lambda request: http(200, b"{}"), host="127.0.0.2") as elsewhere:
        redirect = lambda request: http(307, headers={"Location": f"{elsewhere.url}/v1/segments/seg_1", "Content-Length": "0"})
        with ScriptedServer(redirect) as target:
            gate = transport(target)
            response = gate.session.get(f"{target.url}/v1/segments/seg_1", headers={"X-App-Id": "id", "X-App-Token": "token"})
            assert response.status_code == 307 and response.exchange.header("Location").startswith(elsewhere.url)
            assert elsewhere.received == []


def test_a_request_for_another_origin_is_refused_before_it_is_sent():
    with ScriptedServer(lambda request: http(200, b"{}"), host="127.0.0.2") as elsewhere, \
            ScriptedServer(lambda request: http(200, b"{}")) as target:
        gate = transport(target)
        with pytest.raises(OffOrigin):
            gate.session.get(f"{elsewhere.url}/v1/segments/seg_1", headers={"X-App-Token": "token"})
        assert elsewhere.received == [] and gate.requests_sent == 0


def test_a_drip_fed_answer_ends_at_the_deadline():
    drip = lambda request: [b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"] + [0.1, b"x"] * 1000
    with ScriptedServer(drip) as target:
        gate = transport(target, deadline_s=1.0)
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            gate.session.get(f"{target.url}/v1/segments/seg_1")
        assert time.monotonic() - started < 2.5


def test_drip_fed_headers_end_at_the_deadline_too():
    drip = lambda request: [item for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 500 for item in (0.05, bytes([byte]))]
    with ScriptedServer(drip) as target:
        gate = transport(target, deadline_s=1.0)
        started = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            gate.session.get(f"{target.url}/v1/segments/seg_1")
        assert time.monotonic() - started < 2.5


def test_an_endless_body_is_cut_at_the_cap_and_counts_toward_the_breaker():
    endless = lambda request: [b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2000000000\r\n\r\n"] + [b"0" * 65536] * 100_000
    with ScriptedServer(endless) as target:
        gate = transport(target, max_body_bytes=256 * 1024)
        for _ in range(3):
            with pytest.raises(BodyTooLarge):
                gate.session.get(f"{target.url}/v1/segments/seg_1")
        assert gate.unavailable and "longer than" in gate.unavailable


def test_the_bytes_a_204_carries_are_seen_though_the_client_drops_them():
    body = b'{"deleted":true}'
    answer = lambda request: http(204, headers={"Content-Length": str(len(body))}) + body
    with ScriptedServer(answer) as target:
        exchange = transport(target).session.delete(f"{target.url}/v1/segments/seg_1").exchange
        assert exchange.status == 204 and exchange.body == b"" and exchange.bytes_after_headers == len(body)


@pytest.mark.parametrize("delay", [0, 0.05], ids=["with-the-headers", "right-after"])
def test_the_bytes_a_204_that_closes_its_connection_carries_are_seen(delay):
    # http.client lets go of the connection's socket once the answer says it will close: the bytes
    # are read from the response's own socket, and waited for (the server writes them after the headers).
    body = b'{"status":"ok"}'
    with ScriptedServer(lambda request: [http(204, headers={"Connection": "close"}), delay, body]) as target:
        exchange = transport(target).session.delete(f"{target.url}/v1/segments/seg_1").exchange
        assert exchange.status == 204 and exchange.bytes_after_headers == len(body)


def test_a_clean_204_that_closes_its_connection_has_nothing_after_its_headers():
    with ScriptedServer(lambda request: [http(204, headers={"Connection": "close"}), CLOSE]) as target:
        assert transport(target).session.delete(f"{target.url}/v1/segments/seg_1").exchange.bytes_after_headers == 0


def test_a_clean_204_has_nothing_after_its_headers():
    with ScriptedServer(lambda request: http(204)) as target:
        gate = transport(target)
        for _ in range(3):  # on a kept-alive connection too
            assert gate.session.delete(f"{target.url}/v1/segments/seg_1").exchange.bytes_after_headers == 0


def test_a_body_written_late_after_a_kept_alive_204_is_seen_where_a_scenario_watches():
    body = b'{"status":"ok"}'
    with ScriptedServer(lambda request: [http(204), 0.02, body]) as target:  # kept alive: no Connection: close
        gate = transport(target)
        with gate.watching_for_late_bytes():
            watched = gate.session.delete(f"{target.url}/v1/segments/seg_1").exchange
        assert watched.bytes_after_headers == len(body) and 0 < watched.late_by_ms < LATE_BYTES_WAIT_S * 1000
        unwatched = gate.session.delete(f"{target.url}/v1/segments/seg_1").exchange  # one look, no wait
        assert unwatched.status == 204 and unwatched.bytes_after_headers == 0 and unwatched.late_by_ms is None


def test_once_a_target_wrote_past_a_204_its_later_204s_connections_are_not_reused():
    """A server that writes a 204's body late, always: once the watch has seen it, the next request
    gets a connection of its own, so the late bytes cannot start its answer (a GET answered slowly,
    here, which they would reach first on a reused connection)."""
    body = b'{"status":"ok"}'
    script = lambda request: [http(204), 0.02, body] if request.method == "DELETE" else [0.1, http(404, b'{"code":404}')]
    with ScriptedServer(script) as target:
        gate = transport(target)
        with gate.watching_for_late_bytes():
            assert gate.session.delete(f"{target.url}/v1/segments/seg_1").exchange.bytes_after_headers == len(body)
        for _ in range(2):
            assert gate.session.delete(f"{target.url}/v1/segments/seg_1").exchange.status == 204
            assert gate.session.get(f"{target.url}/v1/segments/seg_1").exchange.status == 404


@pytest.mark.parametrize("script", [lambda request: http(204), lambda request: [http(204), 0.02, CLOSE]],
                         ids=["kept-open-silent", "idle-connection-closed"])
def test_a_watched_clean_204_has_nothing_after_it_and_the_wait_is_bounded(script):
    with ScriptedServer(script) as target:
        gate = transport(target)
        for _ in range(2):  # the connection a silent server keeps is reused; a closed one is replaced
            started = time.monotonic()
            with gate.watching_for_late_bytes():
                exchange = gate.session.delete(f"{target.url}/v1/segments/seg_1").exchange
            assert exchange.status == 204 and exchange.bytes_after_headers == 0
            assert time.monotonic() - started < LATE_BYTES_WAIT_S + 0.5


def test_429_is_honoured_then_the_real_answer_is_the_exchange():
    answers = iter([http(429, b'{"code":429,"message":"slow"}', headers={"Retry-After": "0"}), http(200, json.dumps(SEGMENT).encode())])
    with ScriptedServer(lambda request: next(answers)) as target:
        gate = transport(target)
        seen = []
        gate.listeners.append(seen.append)
        response = gate.session.get(f"{target.url}/v1/segments/seg_1")
        assert response.status_code == 200 and gate.requests_sent == 2
        assert [exchange.status for exchange in seen] == [429, 200]  # both are on the wire: both are recorded


def test_the_budget_counts_every_request_and_keeps_a_delete_for_each_create():
    with ScriptedServer(lambda request: http(200, json.dumps({**SEGMENT, "id": f"seg_{time.time_ns()}"}).encode())) as target:
        gate = transport(target, max_requests=3)
        gate.session.post(f"{target.url}/v1/segments", json={"name": "a", "type": "static"})  # 1 sent, 1 reserved
        with pytest.raises(BudgetExhausted):
            gate.session.post(f"{target.url}/v1/segments", json={"name": "b", "type": "static"})  # would leave no room
        gate.session.get(f"{target.url}/v1/segments/seg_x")  # 2 sent, 1 reserved: fits
        assert gate.requests_sent == 2 and len(gate.ledger) == 1


def test_the_run_time_limit_stops_everything_but_cleanup():
    with ScriptedServer(lambda request: http(204)) as target:
        gate = transport(target, stop_at=time.monotonic() - 1)
        with pytest.raises(TimeLimitReached):
            gate.session.get(f"{target.url}/v1/segments/seg_1")
        gate.cleaning = True
        assert gate.session.delete(f"{target.url}/v1/segments/seg_1").status_code == 204


def test_every_create_body_names_the_run_and_a_negative_case_stays_negative():
    with ScriptedServer(lambda request: http(400, b'{"code":400,"message":"no"}')) as target:
        gate = transport(target, run_tag="scABC123")
        gate.session.post(f"{target.url}/v1/segments", json={"name": "Customers in a new Segment", "type": "static"})
        gate.session.post(f"{target.url}/v1/segments", json={"name": 42, "type": "static"})
        gate.session.post(f"{target.url}/v1/segments", data=b"{not json", headers={"Content-Type": "application/json"})
        sent = [request.body for request in target.received]
        assert json.loads(sent[0])["name"] == "Customers in a new Segment scABC123"
        assert json.loads(sent[1])["name"] == 42 and sent[2] == b"{not json"


def test_any_answer_that_carries_a_new_segment_id_is_ledgered_and_reads_never_are():
    def answer(request):
        if request.method == "GET":
            return http(200, json.dumps({"data": [{**SEGMENT, "id": "seg_foreign"}]}).encode())
        return http(200, json.dumps({**SEGMENT, "id": f"seg_{request.method.lower()}"}).encode())

    with ScriptedServer(answer) as target:
        gate = transport(target)
        gate.session.post(f"{target.url}/v1/segments", json={"name": "a"})
        gate.session.put(f"{target.url}/v1/segments/seg_1", json={"name": "a"})
        gate.session.post(f"{target.url}/v1/segments/seg_1", json={"name": "a"})
        gate.session.get(f"{target.url}/v1/segments")
        assert sorted(gate.ledger.open_ids()) == ["seg_post", "seg_put"]
        assert "seg_foreign" not in gate.ledger


def test_an_interrupt_cuts_a_request_in_flight_within_two_seconds():
    drip = lambda request: [b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"] + [0.2, b"x"] * 1000
    with ScriptedServer(drip) as target:
        gate = transport(target, deadline_s=60)
        threading.Timer(0.5, interrupts.simulate).start()
        started = time.monotonic()
        with pytest.raises(interrupts.Interrupted):
            gate.session.get(f"{target.url}/v1/segments/seg_1")
        assert time.monotonic() - started < 2.5


def test_after_an_interrupt_nothing_more_is_sent_but_cleanup():
    with ScriptedServer(lambda request: http(204)) as target:
        gate = transport(target)
        interrupts.simulate()
        with pytest.raises(interrupts.Interrupted):
            gate.session.get(f"{target.url}/v1/segments/seg_1")
        gate.cleaning = True
        assert gate.session.delete(f"{target.url}/v1/segments/seg_1").status_code == 204
        assert len(target.received) == 1


def test_three_transport_failures_in_a_row_make_the_target_unavailable():
    with ScriptedServer(lambda request: None) as target:  # closes without answering
        gate = transport(target)
        for _ in range(3):
            with pytest.raises(requests.RequestException):
                gate.session.get(f"{target.url}/v1/segments/seg_1")
        assert gate.unavailable and "3 requests in a row" in gate.unavailable
