"""The relay: the client reaches the target only through it, with the relay's own credentials;
every request is the Target's (counted, budgeted, in the ledger), answers come back unchanged."""

import json

import pytest
import requests

from conformance.contract import Contract
from conformance.ledger import Ledger
from conformance.masking import Masker
from conformance.sdk.relay import NOT_OURS, Relay
from conformance.target import Credentials, Target
from conformance.transport import BudgetExhausted, Transport


def make_target(server, max_requests=None):
    transport = Transport(server.url, Contract.bundled(), ledger=Ledger(None), max_requests=max_requests)
    return Target(transport, Credentials(server.app_id, server.app_token))


@pytest.fixture
def target(mock_server):
    running = make_target(mock_server)
    yield running
    running.cleanup()
    running.close()


@pytest.fixture
def relay(target):
    with Relay(target) as running:
        yield running


def _headers(relay, **override):
    headers = {"X-App-Id": relay.credentials.app_id, "X-App-Token": relay.credentials.app_token, "Content-Type": "application/json"}
    headers.update(override)
    return {key: value for key, value in headers.items() if value is not None}


def test_relay_forwards_through_the_target_with_its_credentials(relay, target, mock_server):
    body = json.dumps({"name": "relay Zażółć", "type": "static", "customers": []}, ensure_ascii=False).encode()
    created = requests.post(relay.url + "/v1/segments", data=body, headers=_headers(relay))
    assert created.status_code == 200 and created.json()["name"] == "relay Zażółć"
    segment_id = created.json()["id"]
    assert segment_id in target.ledger and target.requests_sent == 1
    entry = relay.exchanges[-1]
    assert entry.sent.body == body and entry.credentials_ok == {"X-App-Id": True, "X-App-Token": True}
    assert entry.response_body == created.content  # unchanged, byte for byte
    evidence = str(entry.exchange.evidence(Masker([mock_server.app_id, mock_server.app_token])))
    assert relay.credentials.app_token not in evidence and mock_server.app_token not in evidence
    got = requests.get(f"{relay.url}/v1/segments/{segment_id}", headers=_headers(relay))
    assert got.status_code == 200 and got.json()["id"] == segment_id
    assert requests.delete(f"{relay.url}/v1/segments/{segment_id}", headers=_headers(relay)).status_code == 204
    assert segment_id not in target.ledger.open_ids() and target.requests_sent == 3


def test_a_wrong_token_stays_wrong(relay):
    answer = requests.get(relay.url + "/v1/segments/seg_x", headers=_headers(relay, **{"X-App-Token": "wrong"}))
    assert answer.status_code == 401
    assert relay.exchanges[-1].credentials_ok == {"X-App-Id": True, "X-App-Token": False}


def test_ids_the_run_did_not_create_are_never_read_or_deleted(relay, mock_server):
    answer = requests.delete(relay.url + "/v1/segments/seg_someone_elses", headers=_headers(relay))
    assert answer.status_code == 404
    assert relay.exchanges[-1].exchange.url.endswith("seg_someone_elses" + requests.utils.quote(NOT_OURS, safe=""))


def test_only_the_contract_operations_are_forwarded(relay, target):
    for method, path in (("GET", "/v1/customers"), ("PUT", "/v1/segments/seg_x"), ("GET", "/v1/segments")):
        answer = requests.request(method, relay.url + path, headers=_headers(relay))
        assert answer.status_code == 403 and answer.json()["key"] == "relay_refused"
    assert target.requests_sent == 0


def test_a_spent_budget_reaches_the_test(mock_server):
    target = make_target(mock_server, max_requests=1)
    with Relay(target) as relay:
        first = requests.get(relay.url + "/v1/segments/seg_x", headers=_headers(relay))
        assert first.status_code == 404
        second = requests.get(relay.url + "/v1/segments/seg_x", headers=_headers(relay))
        assert second.status_code == 503
        with pytest.raises(BudgetExhausted):
            relay.raise_pending()
    target.close()


def test_the_relay_is_bounded(relay):
    from conformance.sdk.loopback import LoopbackServer, Outgoing

    with LoopbackServer(lambda incoming: Outgoing(200, b"{}"), name="small", max_body=10) as server:
        assert requests.post(server.url + "/x", data=b"x" * 11).status_code == 413
        assert requests.post(server.url + "/x", data=b"x" * 10).status_code == 200
