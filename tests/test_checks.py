"""The generic response checks: each fails on the fault it targets and passes on a good answer."""

import json

import pytest

from conformance.checks import check_response
from conformance.contract import CREATE_PATH, SEGMENT_PATH
from conformance.target import Exchange

GOOD_SEGMENT = {
    "id": "seg_vC8iOSCqUG02EsPzsHynLv8i", "name": "Customers", "created_at": "2022-09-13T08:57:15.801Z",
    "type": "static", "filter": None, "initial_sync_status": "DONE", "object": "segment",
}
GOOD_ERROR = {"code": 404, "key": "not_found", "message": "Resource not found", "details": "x", "request_id": "v-1"}


def exchange(status, body=None, *, method="POST", path=CREATE_PATH, content_type="application/json", text=None):
    text = text if text is not None else ("" if body is None else json.dumps(body))
    parsed, error = None, False
    if text:
        try:
            parsed = json.loads(text)
        except ValueError:
            error = True
    return Exchange(method, "http://127.0.0.1/x", path, {}, None, status,
                    {"content-type": content_type} if text else {}, text, 1.0, parsed, error)


def failed(findings):
    return sorted({finding.requirement for finding in findings if not finding.passed})


def test_good_answers_pass_every_check():
    assert failed(check_response(exchange(200, GOOD_SEGMENT))) == []
    assert failed(check_response(exchange(404, GOOD_ERROR, method="GET", path=SEGMENT_PATH))) == []
    assert failed(check_response(exchange(204, method="DELETE", path=SEGMENT_PATH))) == []


@pytest.mark.parametrize(
    "answer, requirement",
    [
        (exchange(500, {"code": 500, "message": "boom"}), "SEG-NO-5XX"),
        (exchange(200, GOOD_SEGMENT, content_type="text/plain"), "SEG-JSON-CONTENT-TYPE"),
        (exchange(200, text="not json"), "SEG-JSON-CONTENT-TYPE"),
        (exchange(201, GOOD_SEGMENT), "SEG-STATUS-DOCUMENTED"),
        (exchange(400, {"message": "no code"}), "SEG-ERROR-OBJECT"),
        (exchange(400, {"code": 422, "message": "x"}), "SEG-ERROR-CODE-STATUS"),
        (exchange(200, {**GOOD_SEGMENT, "object": "Segment"}), "SEG-SEGMENT-OBJECT"),
        (exchange(200, {**GOOD_SEGMENT, "created_at": "2022-09-13 08:57:15"}), "SEG-SEGMENT-CREATED-AT"),
        (exchange(200, {k: v for k, v in GOOD_SEGMENT.items() if k != "filter"}), "SEG-SEGMENT-SCHEMA"),
        (exchange(200, {**GOOD_SEGMENT, "type": "dynamic"}), "SEG-SEGMENT-SCHEMA"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_each_check_fails_on_its_fault(answer, requirement):
    assert requirement in failed(check_response(answer))


def test_exchange_curl_is_quoted():
    answer = exchange(200, GOOD_SEGMENT)
    answer.request_headers["X-App-Token"] = "***"
    assert "'X-App-Token: ***'" in answer.curl()


def test_the_suite_takes_in_every_hook_and_fixture_of_the_plugin():
    import inspect

    from conformance import plugin

    hooks = {name for name, value in vars(plugin).items() if name.startswith("pytest_") and inspect.isfunction(value)}
    fixtures = {name for name, value in vars(plugin).items() if type(value).__name__ == "FixtureFunctionDefinition"}
    assert "pytest_runtest_setup" in hooks and {"verify", "target"} <= fixtures
    assert hooks | fixtures <= set(plugin.__all__)
