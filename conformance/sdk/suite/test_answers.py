"""Generated answers through the client's real HTTP path: the answer server sends each value the
contract allows (Segments, Error objects, 204s, media types) to the client's create, get and
delete, and the client's result is judged against what was sent."""

import json

import pytest
from hypothesis import strategies as st

from conformance.sdk import judge, strategies
from conformance.exchange import Exchange

CREATE_BODY = {"name": "Customers in a new Segment", "type": "static", "customers": ["cust_iajsExT2QB4sGWzABY85WRqV"]}
MEDIA_TYPES = ("application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8",
               "Application/JSON", "APPLICATION/JSON; CHARSET=UTF-8", "application/json; charset=\"utf-8\"")


def _call(client, operation):
    if operation == "create":
        return client.create(CREATE_BODY, client.ways[0])
    if operation == "get":
        return client.get("seg_vC8iOSCqUG02EsPzsHynLv8i")
    return client.delete("seg_vC8iOSCqUG02EsPzsHynLv8i")


def _exchange(answers, status, body, content_type):
    """The last request the answer server got and what it answered, as evidence."""
    incoming = answers.last
    if incoming is None:
        return None
    raw = body if isinstance(body, bytes) else body.encode("utf-8")
    return Exchange(incoming.method, answers.url + incoming.path, "/v1/segments" if incoming.method == "POST" else "/v1/segments/{segmentId}",
                    None, dict(incoming.headers), incoming.body or None, status,
                    response_headers=[("Content-Type", content_type)] if content_type else [], body=raw)


@pytest.mark.parametrize("operation", ["create", "get"])
@pytest.mark.requirement("SDK-RESPONSE-ACCEPTED", "SDK-RETURNS-ANSWER", "SDK-AUTH-HEADERS")
def test_segment_answers(hunts, answers, answers_client, gate, operation):
    """Every contract-valid Segment a server sends is returned as the client parses it."""
    client, examples = answers_client, max(3, gate.examples // 3)
    state = {}

    def through_server(segment):
        text = json.dumps(segment, ensure_ascii=False)
        answers.answer(200, text)
        state["exchange"] = lambda: _exchange(answers, 200, text, "application/json; charset=utf-8")
        return text, _call(client, operation)

    def accepted(segment):
        return judge.response_accepted(through_server(segment)[1])

    def returned(segment):
        text, result = through_server(segment)
        return judge.returns_answer(result, client.roundtrip_segment(text, operation))

    def credentials(segment):
        through_server(segment)
        return judge.auth_headers(answers.last.headers if answers.last else {}, answers.credentials.app_id, answers.credentials.app_token)

    evidence = lambda: state["exchange"]()  # noqa: E731
    for requirement_id, check in (("SDK-RESPONSE-ACCEPTED", accepted), ("SDK-RETURNS-ANSWER", returned)):
        hunts.run(requirement_id, strategies.segments("any", gate.declared), check, label=f"{operation}, through a server",
                  explicit=strategies.edge_segments(), evidence=evidence, max_examples=examples)
    hunts.run("SDK-AUTH-HEADERS", strategies.segments("any", gate.declared), credentials, label=operation, max_examples=5)
    hunts.finish()


@pytest.mark.parametrize("operation", ["create", "get"])
@pytest.mark.requirement("SDK-RESPONSE-MEDIA-TYPE")
def test_media_types(hunts, answers, answers_client, operation):
    """application/json in any letter case, with parameters, is read as JSON."""
    text = json.dumps(strategies.vendor_segment())

    def check(content_type):
        answers.answer(200, text, content_type)
        return judge.media_type_accepted(content_type, _call(answers_client, operation))

    hunts.run("SDK-RESPONSE-MEDIA-TYPE", st.sampled_from(MEDIA_TYPES), check, label=operation, explicit=MEDIA_TYPES,
              evidence=lambda: _exchange(answers, 200, text, None))
    hunts.finish()


ERROR_CASES = [("create", 400), ("create", 401), ("get", 401), ("get", 404), ("delete", 401), ("delete", 404)]


@pytest.mark.parametrize(("operation", "status"), ERROR_CASES, ids=[f"{op}-{status}" for op, status in ERROR_CASES])
@pytest.mark.requirement("SDK-ERROR-400", "SDK-ERROR-401", "SDK-ERROR-404")
def test_error_answers(hunts, answers, answers_client, gate, operation, status):
    """Every Error object a server sends with 400, 401 or 404 is raised as the documented
    exception, with the status and the body unchanged."""
    state = {}

    def check(error):
        text = json.dumps(error, ensure_ascii=False)
        answers.answer(status, text)
        state["text"] = text
        return judge.error_raised(_call(answers_client, operation), status, text)

    hunts.run(f"SDK-ERROR-{status}", strategies.errors(status), check, label=operation, max_examples=max(3, gate.examples // 3),
              evidence=lambda: _exchange(answers, status, state["text"], "application/json; charset=utf-8"))
    hunts.finish()


@pytest.mark.requirement("SDK-DELETE-204")
@pytest.mark.parametrize("content_type", [None, "application/json"], ids=["no-content-type", "json-content-type"])
def test_delete_204(verify, answers, answers_client, content_type):
    """A 204 with no body ends delete normally, with or without a Content-Type."""
    answers.answer(204, b"", content_type)
    result = _call(answers_client, "delete")
    problem = judge.delete_returned(result)
    verify.check("SDK-DELETE-204", problem is None, problem.message if problem else "delete returned nothing",
                 _exchange(answers, 204, "", content_type))
