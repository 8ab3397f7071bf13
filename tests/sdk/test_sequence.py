"""The scripted answer server (conformance/sdk/sequence.py) and the judgements of the client's
HTTP behaviour (conformance/sdk/judge.py), piece by piece, without a gate run."""

from __future__ import annotations

import socket
import time

import pytest
import requests

from conformance.sdk import judge
from conformance.sdk.adapter import ClientError, Result
from conformance.sdk.sequence import Attempt, SequenceServer, Step


@pytest.fixture
def server():
    with SequenceServer() as running:
        yield running


def test_each_attempt_takes_the_next_step_and_the_last_repeats(server):
    server.play({"GET": [Step(429, b"slow down"), Step.json(200, '{"ok": true}')]})
    statuses = [requests.get(server.url + "/v1/segments/x", timeout=5).status_code for _ in range(3)]
    assert statuses == [429, 200, 200]
    assert [attempt.method for attempt in server.at("primary")] == ["GET"] * 3
    assert requests.post(server.url + "/v1/segments", timeout=5).status_code == 404  # no POST script


def test_the_other_origin_is_another_host_and_records_what_arrived(server):
    assert server.other_url.startswith("http://127.0.0.2:")
    server.play({"GET": [Step(302, b"", {"Location": server.other_url + "/v1/segments/x"})]})
    response = requests.get(server.url + "/v1/segments/x", headers={"X-App-Token": "secret"}, timeout=5)
    assert response.status_code == 401  # requests followed it, and kept the header (the known trap)
    assert server.at("other")[0].headers["X-App-Token"] == "secret"


def test_a_stalled_step_never_answers_and_closes_when_the_server_stops():
    server = SequenceServer().start()
    server.play({"GET": [Step(stall=True)]})
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(b"GET /v1/segments/x HTTP/1.1\r\nHost: x\r\n\r\n")
        connection.settimeout(0.5)
        with pytest.raises(socket.timeout):
            connection.recv(1)
        started = time.monotonic()
        server.stop()
        connection.settimeout(5)
        assert connection.recv(1) == b""  # closed unanswered
        assert time.monotonic() - started < 5


# --- judgements ----------------------------------------------------------------------------------------


def _attempt(headers=None, body=b"", path="/v1/segments/x", origin="other"):
    return Attempt(origin, "GET", path, headers or {}, body, 0.0)


def test_redirect_judgement_names_what_followed():
    assert judge.redirect_kept_secrets("get", 302, [], "id", "token", None) is None
    assert judge.redirect_kept_secrets("get", 302, [_attempt({"X-App-Id": "other", "Accept": "*/*"})], "id", "token", None) is None
    problem = judge.redirect_kept_secrets("create", 307, [_attempt({"x-app-token": "token"}, b"{}")], "id", "token", b"{}")
    assert "X-App-Token, the body" in problem.message


def test_time_judgement():
    assert judge.ended_in_time("get", "stalled", Result(value=None), 10, "none") is None
    problem = judge.ended_in_time("get", "stalled", None, 10, "none")
    assert "had not ended after 10 s" in problem.message and problem.key == "stalled: no bound on time"


@pytest.mark.parametrize("segment_id,paths,holds", [
    ("seg_1", ["/v1/segments/seg_1"], True),
    ("a/b", ["/v1/segments/a%2Fb"], True),
    ("a?b", ["/v1/segments/a%3Fb"], True),
    ("100%", ["/v1/segments/100%25"], True),
    ("..", [], True),  # refused: nothing sent
    ("..", ["/v1/"], False),
    ("..", ["/v1/segments/%2E%2E"], False),  # a dot segment to a normalizer
    ("", ["/v1/segments/"], False),
    ("a/b", ["/v1/segments/a/b"], False),
    ("a#b", ["/v1/segments/a"], False),
])
def test_id_path_judgement(segment_id, paths, holds):
    problem = judge.id_path(segment_id, [_attempt(path=path, origin="primary") for path in paths])
    assert (problem is None) is holds, problem


def test_error_members_count_as_the_body_where_the_client_exposes_them():
    body = '{"code": 500, "key": "internal_error", "message": "Internal error", "extra": 1}'
    fields = ClientError("js.n", True, 500, None, "Internal error", {"code": 500, "key": "internal_error", "message": "Internal error"})
    assert judge.error_raised(Result(error=fields), 500, body) is None
    changed = ClientError("js.n", True, 500, None, "x", {"code": 500, "message": "Unexpected status code: 500"})
    assert "body not kept" in judge.error_raised(Result(error=changed), 500, body).key
    html = "<html>Bad Gateway</html>"
    lost = ClientError("js.n", True, None, None, f"Unexpected status code: 502 - Details: {html}", {})
    assert judge.error_raised(Result(error=lost), 502, html).key == "status lost"


def test_an_added_null_is_request_valid_s_finding_only():
    wire = lambda body: Result(value={"headers": {"Content-Type": "application/json"}, "body": body})  # noqa: E731
    built = {"name": "n", "type": "auto-update"}
    assert judge.request_faithful(built, wire('{"name": "n", "type": "auto-update", "customers": null}')) is None
    assert judge.request_faithful(built, wire('{"name": "?", "type": "auto-update"}')).key == "changed name"
    assert judge.request_valid({"name": "n"}, wire('{"name": "n", "type": null, "customers": null, "filter": null}')) is not None


def test_date_time_edges_judge_only_past_the_microsecond():
    original = {"created_at": "2022-09-13T08:57:15.123456789Z"}
    parsed = Result(value="Segment")
    assert judge.date_time_edge(original, parsed, Result(value={"created_at": "2022-09-13T08:57:15.123456789Z"})) is None
    assert judge.date_time_edge(original, parsed, Result(value={"created_at": "2022-09-13T08:57:15.123456+00:00"})) is not None
    # lost within the microsecond: SDK-ROUNDTRIP-LOSSLESS's, not this one's
    assert judge.date_time_edge(original, parsed, Result(value={"created_at": "2022-09-13T08:57:15.123Z"})) is judge.NOT_APPLICABLE
    rejected = Result(error=ClientError("x.E", False, None, None, "second must be in 0..59"))
    assert judge.date_time_edge({"created_at": "2016-12-31T23:59:60Z"}, rejected, rejected).key == "rejected a leap second"
