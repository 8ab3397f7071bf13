"""The client's HTTP behaviour, against the scripted answer server (conformance/sdk/sequence.py):
each test plays a script of answers and judges every attempt the client made and what reached
the caller. The client runs with its default options, as its users run it."""

import json

import pytest

from conformance.sdk import judge, strategies
from conformance.sdk.sequence import PATIENCE, Step, call_within
from conformance.sdk.values import json_equal

SEGMENT = json.dumps(strategies.vendor_segment())
BODY = {"name": "Customers in a new Segment", "type": "static", "customers": ["cust_iajsExT2QB4sGWzABY85WRqV"]}
SEGMENT_ID = "seg_vC8iOSCqUG02EsPzsHynLv8i"
METHODS = {"create": "POST", "get": "GET", "delete": "DELETE"}
SUCCESS = {"create": Step.json(200, SEGMENT), "get": Step.json(200, SEGMENT), "delete": Step(204)}


def _args(client, operation):
    return (BODY, client.ways[0]) if operation == "create" else (SEGMENT_ID,)


def _judge_all(verify, requirement_id, judged):
    """One verdict for a test's cases, [(case, Problem or None, what happened)]: every failing case
    in it (a MUST failure ends the test, so they are gathered first), the first as the example."""
    failing = [(case, problem) for case, problem, _ in judged if problem is not None]
    if not failing:
        verify.check(requirement_id, True, "; ".join(f"{case}: {happened}" for case, _, happened in judged)[:1500])
        return
    causes = list(dict.fromkeys(problem.key for _, problem in failing))
    verify.check(requirement_id, False, f"{len(failing)} of {len(judged)} case(s): " + "; ".join(problem.message for _, problem in failing),
                 example=failing[0][0], cause="; ".join(causes))


@pytest.mark.parametrize("status", [302, 307])
@pytest.mark.requirement("SDK-REDIRECT-CREDENTIALS")
def test_redirect_to_another_origin(verify, sequence, sequence_client, status):
    """A redirect to another origin: no credential and no body follows it there."""
    credentials, judged = sequence.credentials, []
    for operation, method in METHODS.items():
        location = f"{sequence.other_url}/v1/segments" + ("" if operation == "create" else f"/{SEGMENT_ID}")
        sequence.play({method: [Step(status, b"", {"Location": location})]})
        outcome, _ = call_within(sequence_client, PATIENCE, operation, *_args(sequence_client, operation))
        sent = sequence.at("primary")
        body = sent[0].body if sent and sent[0].body else None
        problem = judge.redirect_kept_secrets(operation, status, sequence.at("other"), credentials.app_id,
                                              credentials.app_token, body)
        judged.append((f"{operation} answered {status} with Location: {location}", problem,
                       "nothing followed it, " + (outcome.describe()[:100] if outcome else "still waiting")))
    _judge_all(verify, "SDK-REDIRECT-CREDENTIALS", judged)


@pytest.mark.requirement("SDK-TIME-BOUND")
def test_stalled_server(verify, sequence, sequence_client):
    """A server that accepts and never answers: every call ends within PATIENCE seconds."""
    sequence.play({method: [Step(stall=True)] for method in METHODS.values()})
    _judge_in_time(verify, sequence_client, "a server that never answers")


@pytest.mark.requirement("SDK-TIME-BOUND")
def test_rate_limited_with_retry_after(verify, sequence, sequence_client):
    """429 with Retry-After: 3600 and then a success: the call ends within PATIENCE seconds
    (whether it gives the caller the 429, or retries sooner than it was told to)."""
    limited = Step.json(429, '{"code": 429, "key": "too_many_requests", "message": "Too many requests"}', **{"Retry-After": "3600"})
    sequence.play({method: [limited, SUCCESS[operation]] for operation, method in METHODS.items()})
    _judge_in_time(verify, sequence_client, "429 with Retry-After: 3600")


def _judge_in_time(verify, client, situation):
    """Run the three operations at once (each waits at most PATIENCE seconds), judge each."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(METHODS)) as pool:
        futures = {operation: pool.submit(call_within, client, PATIENCE, operation, *_args(client, operation)) for operation in METHODS}
    judged = []
    for operation, future in futures.items():
        outcome, elapsed = future.result()
        problem = judge.ended_in_time(operation, situation, outcome, PATIENCE, client.default_timeout)
        judged.append((f"{operation}, {situation}", problem, f"ended after {elapsed:.1f} s, {outcome.describe()[:120] if outcome else ''} "
                       f"(the client's default timeout: {client.default_timeout})"))
    _judge_all(verify, "SDK-TIME-BOUND", judged)


# (status, Content-Type, body): what the API, gateways, load balancers and WAFs answer besides the
# statuses SDK-ERROR-400/401/404 own (so one client defect is one finding).
ANSWERS = [
    (429, "application/json", '{"code": 429, "key": "too_many_requests", "message": "Too many requests"}'),
    (500, "application/json", '{"code": 500, "key": "internal_error", "message": "Internal error", "request_id": "v-0a1b2c"}'),
    (500, "application/json", '{"error": "internal"}'),
    (502, "text/html", "<html><body><h1>502 Bad Gateway</h1></body></html>"),
    (503, None, ""),
    (403, "text/html", "<html><body>Request blocked</body></html>"),
    (413, "text/html", "<html><head><title>413 Request Entity Too Large</title></head></html>"),
]


@pytest.mark.parametrize(("status", "content_type", "body"), ANSWERS, ids=[f"{s}-{c or 'none'}-{n}" for n, (s, c, _) in enumerate(ANSWERS)])
@pytest.mark.requirement("SDK-ERROR-ANY-STATUS")
def test_any_error_status(verify, sequence, sequence_client, status, content_type, body):
    """Any answer that is not a success raises the documented exception, with the status and
    the body (or the Error object's members)."""
    headers, judged = {"Content-Type": content_type} if content_type else {}, []
    for operation, method in METHODS.items():
        sequence.play({method: [Step(status, body.encode("utf-8"), headers)]})
        outcome, _ = call_within(sequence_client, PATIENCE, operation, *_args(sequence_client, operation))
        if outcome is None:
            continue  # still waiting: SDK-TIME-BOUND's finding, not this one's
        problem = judge.error_raised(outcome, status, body)
        case = f"{operation} answered {status} ({content_type or 'no Content-Type'}) {body[:60]!r}"
        judged.append((case, problem and judge.Problem(f"{case}: {problem.message}", problem.key), outcome.describe()[:160]))
    _judge_all(verify, "SDK-ERROR-ANY-STATUS", judged)


IDS = ["", ".", "..", "a/b", "../customers", "a?b=1", "a#b", "%2E%2E", "100%", "seg x", "seg_ąę"]


@pytest.mark.parametrize("operation", ["get", "delete"])
@pytest.mark.requirement("SDK-ID-PATH")
def test_ids_never_reach_another_endpoint(verify, sequence, sequence_client, operation):
    """An id is one path segment of /v1/segments/{id}, whatever it holds; one that cannot be (an
    empty id, a dot segment) is refused, not sent."""
    method, judged = METHODS[operation], []
    for segment_id in IDS:
        sequence.play({method: [Step.json(404, '{"code": 404, "key": "not_found", "message": "Resource not found"}')]})
        call_within(sequence_client, PATIENCE, operation, segment_id)
        problem = judge.id_path(segment_id, sequence.at("primary"))
        judged.append((f"{operation}({segment_id!r})", problem and judge.Problem(f"{operation}: {problem.message}", problem.key),
                       ", ".join(attempt.path for attempt in sequence.at("primary")) or "nothing sent"))
    _judge_all(verify, "SDK-ID-PATH", judged)


JULY_PAGE = {  # the July 2026 revision's list example, shortened
    "object": "list", "data_ref": "data", "total": 1,
    "data": [{"id": "seg_5ix74s3gM3N7", "name": "Customers with placed order", "created_at": "2023-08-03T10:37:49.285Z",
              "updated_at": None, "type": "auto-update",
              "filter": {"junction": "and", "events.payment_placed.count": {"conditions": {"$more_than": ["0"]}}}, "object": "segment"}],
}


@pytest.mark.operation("list-segment")
@pytest.mark.requirement("SDK-LIST")
def test_list_returns_the_page(verify, sequence, sequence_client):
    """Where the document has the list operation and the client offers it: the page comes back
    as sent. A client that does not offer it leaves SDK-LIST out of scope, saying so."""
    if "list-segment" not in sequence_client.offers:
        pytest.skip(f"out of scope: {sequence_client.name} offers no list-segment operation")
    text = json.dumps(JULY_PAGE)
    sequence.play({"GET": [Step.json(200, text)]})
    outcome, _ = call_within(sequence_client, PATIENCE, "list")
    paths = [attempt.path for attempt in sequence.at("primary")]
    held = outcome is not None and outcome.ok and json_equal(outcome.value, JULY_PAGE) and paths == ["/v1/segments"]
    verify.check("SDK-LIST", held, f"list sent {paths} and " + (outcome.describe()[:300] if outcome else "had not ended"),
                 example=None if held else text, cause=None if held else "the page not returned as sent")


# (Content-Type, body) of a 200 that is not JSON: a captive portal's or a proxy's page. JSON that is
# not a Segment is left out: a client may return what the server sent, as the reference client does.
UNREADABLE = [
    ("application/json", "<html><body>Please sign in to the network</body></html>"),
    ("text/html", "<html><body>Please sign in to the network</body></html>"),
]


@pytest.mark.requirement("SDK-UNREADABLE-ANSWER")
def test_unreadable_success_answer(verify, sequence, sequence_client):
    """A 200 the client cannot read raises its documented exception with the status and the body."""
    judged = []
    for operation in ("create", "get"):
        for content_type, body in UNREADABLE:
            sequence.play({METHODS[operation]: [Step(200, body.encode("utf-8"), {"Content-Type": content_type})]})
            outcome, _ = call_within(sequence_client, PATIENCE, operation, *_args(sequence_client, operation))
            if outcome is None:
                continue  # still waiting: SDK-TIME-BOUND's finding
            problem = judge.error_raised(outcome, 200, body)
            case = f"{operation} answered 200 ({content_type}) {body[:40]!r}"
            judged.append((case, problem and judge.Problem(f"{case}: {problem.message}", problem.key), outcome.describe()[:160]))
    _judge_all(verify, "SDK-UNREADABLE-ANSWER", judged)
