"""Scenarios: the client drives the target (through the relay) as a user would.

Create with each branch and each way the client offers to build the body, read back, delete and
then 404, wrong credentials and 401, an invalid body and 400. Each step's request and answer are
the relay's record; the client's result is judged against them. What the target itself does
wrong is the generic checks' business (server requirements), not the client's.
"""

import pytest

from conformance.masking import WRONG_ON_PURPOSE
from conformance.sdk import judge
from conformance.sdk.adapter import Result

CUSTOMERS = ["cust_iajsExT2QB4sGWzABY85WRqV", "cust_sehkNIi8Uq2qQuRqSr7xn4Zi"]  # seed 000
FILTER = {  # seed 000, "Dynamic - customers with birthday next month": dotted keys
    "junction": "and",
    "birthdate": {"conditions": {"$next_month": [True]}},
    "address.country": {"conditions": {"$is": "Poland"}},
    "metadata.club_level": {"conditions": {"$in": ["Gold", "Silver"]}},
}
BRANCHES = {
    "static": lambda name: {"name": name, "type": "static", "customers": list(CUSTOMERS)},
    "auto-update": lambda name: {"name": name, "type": "auto-update", "filter": dict(FILTER)},
    "passive": lambda name: {"name": name, "type": "passive", "filter": dict(FILTER)},
}


def _step(verify, relay, call, app_id, app_token):
    """Run one client call; judge the headers of every request it sent; return (result, relayed)."""
    mark = relay.mark()
    result = call()
    relay.raise_pending()
    relayed = relay.since(mark)
    for entry in relayed:
        problem = judge.auth_headers(entry.sent.headers, app_id, app_token)
        verify.check("SDK-AUTH-HEADERS", problem is None, problem.message if problem else "credentials sent as configured", entry.exchange)
    return result, relayed


def _judge_segment_answer(verify, client, result, entry, operation):
    problem = judge.response_accepted(result)
    verify.check("SDK-RESPONSE-ACCEPTED", problem is None, problem.message if problem else f"{operation} answer parsed", entry.exchange)
    problem = judge.returns_answer(result, client.roundtrip_segment(entry.response_text, operation))
    if problem is not judge.NOT_APPLICABLE:
        verify.check("SDK-RETURNS-ANSWER", problem is None, problem.message if problem else f"{operation} returned the answer", entry.exchange)


def _judge_error(verify, result, entry, status):
    problem = judge.error_raised(result, status, entry.response_text)
    verify.check(f"SDK-ERROR-{status}", problem is None, problem.message if problem else f"raised its documented error for {status}", entry.exchange)


@pytest.mark.parametrize("branch", list(BRANCHES))
@pytest.mark.requirement("SDK-AUTH-HEADERS", "SDK-REQUEST-VALID", "SDK-REQUEST-FAITHFUL", "SDK-RESPONSE-ACCEPTED",
                         "SDK-RETURNS-ANSWER", "SDK-ERROR-400")
def test_create_and_read_back(verify, relay, client, gate, names, branch, way):
    """Create with each branch, the body built each way the client offers; read it back."""
    credentials = relay.credentials
    body = BRANCHES[branch](names(f"SDK {way} Zażółć gęślą jaźń 日本語"))
    result, relayed = _step(verify, relay, lambda: client.create(body, way), credentials.app_id, credentials.app_token)
    posts = [entry for entry in relayed if entry.sent.method == "POST"]
    verify.check("SDK-REQUEST-VALID", bool(posts), f"sent no create request for a contract-valid body: {result.describe()}")
    post = posts[-1]
    sent = Result(value={"headers": post.sent.headers, "body": post.sent.body.decode("utf-8", errors="replace")})
    problem = judge.request_valid(body, sent, gate.document)
    verify.check("SDK-REQUEST-VALID", problem is None, problem.message if problem else f"{way}: a valid body", post.exchange)
    problem = judge.request_faithful(body, sent, gate.document)
    verify.check("SDK-REQUEST-FAITHFUL", problem is None, problem.message if problem else f"{way}: the body built", post.exchange)
    if post.status == 400:  # the target refused a valid body: its finding; the client must still raise
        _judge_error(verify, result, post, 400)
        return
    if post.status != 200 or post.exchange is None or not isinstance(post.exchange.json, dict):
        return
    _judge_segment_answer(verify, client, result, post, "create")
    segment_id = post.exchange.json.get("id")
    result, relayed = _step(verify, relay, lambda: client.get(segment_id), credentials.app_id, credentials.app_token)
    if relayed and relayed[-1].status == 200:
        _judge_segment_answer(verify, client, result, relayed[-1], "get")


@pytest.mark.requirement("SDK-AUTH-HEADERS", "SDK-DELETE-204", "SDK-ERROR-404")
def test_delete_then_404(verify, relay, target, client, names):
    """Delete answers 204 and the client returns nothing; get and delete again raise for 404."""
    credentials = relay.credentials
    created = target.create(BRANCHES["static"](names("SDK delete")))
    if created.status != 200 or not isinstance(created.json, dict):
        pytest.skip(f"not tested: the target answered create with {created.status}")
    segment_id = created.json["id"]
    result, relayed = _step(verify, relay, lambda: client.delete(segment_id), credentials.app_id, credentials.app_token)
    if relayed and relayed[-1].status == 204:
        problem = judge.delete_returned(result)
        verify.check("SDK-DELETE-204", problem is None, problem.message if problem else "delete returned nothing", relayed[-1].exchange)
    for call in (lambda: client.get(segment_id), lambda: client.delete(segment_id)):
        result, relayed = _step(verify, relay, call, credentials.app_id, credentials.app_token)
        if relayed and relayed[-1].status == 404:
            _judge_error(verify, result, relayed[-1], 404)


@pytest.mark.requirement("SDK-AUTH-HEADERS", "SDK-ERROR-404")
def test_unknown_id_404(verify, relay, client, unknown_id):
    """Get and delete of an id that never existed raise the documented error with 404."""
    credentials = relay.credentials
    for call in (lambda: client.get(unknown_id), lambda: client.delete(unknown_id)):
        result, relayed = _step(verify, relay, call, credentials.app_id, credentials.app_token)
        if relayed and relayed[-1].status == 404:
            _judge_error(verify, result, relayed[-1], 404)


@pytest.mark.requirement("SDK-AUTH-HEADERS", "SDK-ERROR-401")
def test_wrong_token_401(verify, relay, client_factory, names, unknown_id):
    """With a wrong token every operation is answered 401, and the client raises for it."""
    app_id, wrong_token = relay.credentials.app_id, WRONG_ON_PURPOSE + "token"
    wrong = client_factory(relay.url, app_id, wrong_token)
    calls = (lambda: wrong.create(BRANCHES["static"](names("SDK wrong token")), wrong.ways[0]),
             lambda: wrong.get(unknown_id), lambda: wrong.delete(unknown_id))
    for call in calls:
        result, relayed = _step(verify, relay, call, app_id, wrong_token)
        if relayed and relayed[-1].status == 401:
            _judge_error(verify, result, relayed[-1], 401)


@pytest.mark.requirement("SDK-AUTH-HEADERS", "SDK-ERROR-400")
def test_invalid_body_400(verify, relay, client, way):
    """A body without a name is answered 400, and the client raises for it (a client that
    refuses to send it at all has nothing to answer for here)."""
    credentials = relay.credentials
    body = {"type": "static", "customers": list(CUSTOMERS)}
    result, relayed = _step(verify, relay, lambda: client.create(body, way), credentials.app_id, credentials.app_token)
    if relayed and relayed[-1].status == 400:
        _judge_error(verify, result, relayed[-1], 400)
