"""The target: ids as one path segment, the probe's messages, cleanup of what the run created."""

import json

import pytest

from conformance.contract import Contract
from conformance.ledger import Ledger
from conformance.target import Credentials, Target, segment_path
from conformance.transport import Transport, UnsafePath
from servers import ScriptedServer, http


def target_of(server, **kwargs):
    return Target(Transport(server.url, Contract.bundled(), ledger=Ledger(None), **kwargs), Credentials("id-123456", "token-123456"))


@pytest.mark.parametrize("segment_id, path", [
    ("seg_1", "/v1/segments/seg_1"),
    ("a/b?c#d", "/v1/segments/a%2Fb%3Fc%23d"),
])
def test_an_id_is_always_one_path_segment(segment_id, path):
    assert segment_path(segment_id) == path


@pytest.mark.parametrize("segment_id", [".", ".."])
def test_an_id_of_dots_is_never_sent(segment_id):
    """DELETE /v1/segments/.. would reach /v1/ wherever dot segments are resolved."""
    with ScriptedServer(lambda request: http(204)) as server:
        target = target_of(server)
        target.ledger.add(segment_id)
        with pytest.raises(UnsafePath):
            target.delete(segment_id)
        assert target.cleanup() == [segment_id] and server.received == []


@pytest.mark.parametrize("status, message", [
    (401, "rejected the credentials (401)"),
    (307, "never follows redirects"),
])
def test_the_probe_says_what_is_wrong(status, message):
    answer = http(status, b'{"code":1,"message":"x"}', headers={"Location": "http://127.0.0.2:1/x"} if status == 307 else None)
    with ScriptedServer(lambda request: answer) as server:
        assert message in target_of(server).probe()


def test_the_probe_passes_a_testable_target():
    def answer(request):
        return http(400 if request.method == "POST" else 404, b'{"code":404,"message":"x"}')

    with ScriptedServer(answer) as server:
        assert target_of(server).probe() is None
        assert [request.method for request in server.received] == ["GET", "POST"]


@pytest.mark.parametrize("answer, message", [
    (lambda request: http(404, b'{"code":404,"message":"No route"}'),
     "POST /api/v1/segments answers 404: the create route is not there"),
    (lambda request: http(200, b"<!DOCTYPE html><html><body>Welcome</body></html>", headers={"Content-Type": "text/html"}),
     "GET /api/v1/segments/seg_"),
    (lambda request: http(404 if request.method == "GET" else 405, b"<html>Not Found</html>"), "answers an HTML page (404)"),
])
def test_a_wrong_path_prefix_is_named_before_the_suite(answer, message):
    """The issue's `--base-url http://host:port/api`: a healthy server is not reported broken."""
    with ScriptedServer(answer) as server:
        target = Target(Transport(server.url + "/api", Contract.bundled(), ledger=Ledger(None)),
                        Credentials("id-123456", "token-123456"))
        problem = target.probe()
        assert problem.startswith(f"{server.url}/api is not the Segments API: ") and message in problem
        assert "path prefix" in problem


def test_cleanup_deletes_what_the_run_created_and_says_what_it_could_not():
    def answer(request):
        if request.method == "POST":
            return http(200, json.dumps({"id": json.loads(request.body)["name"], "type": "static"}).encode())
        return http(204) if request.path.endswith("/gone") else http(500, b'{"code":500,"message":"x"}')

    with ScriptedServer(answer) as server:
        target = target_of(server)
        target.create({"name": "gone", "type": "static"})
        target.create({"name": "stuck", "type": "static"})
        assert target.cleanup() == ["stuck"]
        assert target.ledger.open_ids() == ["stuck"]
