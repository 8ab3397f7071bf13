"""Create requests: every contract-valid body, built each way the client offers, through the
client's serializer (no socket) and on the wire (the answer server receives it)."""

import json

import pytest

from conformance.sdk import judge, strategies
from conformance.sdk.adapter import Result

VALID_ANSWER = json.dumps(strategies.vendor_segment())


@pytest.mark.requirement("SDK-REQUEST-VALID", "SDK-REQUEST-FAITHFUL")
def test_create_body_serialized(hunts, answers_client, gate, way):
    """The request the client would send for each valid body is valid and is the body built."""
    client = answers_client
    bodies, explicit = strategies.create_bodies(), strategies.edge_bodies()
    hunts.run("SDK-REQUEST-VALID", bodies, lambda body: judge.request_valid(body, client.serialize_create(body, way), gate.document),
              label=f"{way}, serialized", explicit=explicit)
    hunts.run("SDK-REQUEST-FAITHFUL", bodies, lambda body: judge.request_faithful(body, client.serialize_create(body, way), gate.document),
              label=f"{way}, serialized", explicit=explicit)
    hunts.finish()


@pytest.mark.requirement("SDK-REQUEST-VALID", "SDK-REQUEST-FAITHFUL", "SDK-AUTH-HEADERS")
def test_create_body_on_the_wire(hunts, answers, answers_client, gate, way):
    """What reaches a server for each valid body is valid and is the body built, with credentials."""
    client = answers_client

    def sent(body):
        answers.answer(200, VALID_ANSWER)
        result = client.create(body, way)
        if answers.last is None:  # nothing reached the server: the client raised, or sent nothing
            return result if not result.ok else Result(value={"headers": {}, "body": None})
        return Result(value={"headers": answers.last.headers, "body": answers.last.body.decode("utf-8", errors="replace")})

    bodies, explicit, examples = strategies.create_bodies(), strategies.edge_bodies(), max(3, gate.examples // 3)
    label = f"{way}, on the wire"
    hunts.run("SDK-REQUEST-VALID", bodies, lambda body: judge.request_valid(body, sent(body), gate.document), label=label,
              explicit=explicit, max_examples=examples)
    hunts.run("SDK-REQUEST-FAITHFUL", bodies, lambda body: judge.request_faithful(body, sent(body), gate.document), label=label,
              explicit=explicit, max_examples=examples)

    def credentials(body):
        sent(body)
        headers = answers.last.headers if answers.last else {}
        return judge.auth_headers(headers, answers.credentials.app_id, answers.credentials.app_token)

    hunts.run("SDK-AUTH-HEADERS", bodies, credentials, label=label, max_examples=10)
    hunts.finish()
