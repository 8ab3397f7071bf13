"""The generic response checks: each fails on the fault it targets, passes on good and on every
legal variant of an answer, and reads the exchange as received (framing included, unmasked)."""

import json

import pytest

from conformance.checks import GENERIC_REQUIREMENTS, check_response
from conformance.contract import CREATE_PATH, SEGMENT_PATH, Contract
from conformance.exchange import Exchange
from conformance.masking import Masker

BUNDLED = Contract.bundled()
GOOD_SEGMENT = {
    "id": "seg_vC8iOSCqUG02EsPzsHynLv8i", "name": "Customers", "created_at": "2022-09-13T08:57:15.801Z",
    "type": "static", "filter": None, "initial_sync_status": "DONE", "object": "segment",
}
GOOD_ERROR = {"code": 404, "key": "not_found", "message": "Resource not found", "details": "x", "request_id": "v-1"}
OPERATIONS = {("POST", CREATE_PATH): "create-segment", ("GET", SEGMENT_PATH): "get-segment", ("DELETE", SEGMENT_PATH): "delete-segment"}


def exchange(status, body=None, *, method="POST", path=CREATE_PATH, content_type="application/json", text=None,
             headers=(), after=0, late_by_ms=None):
    raw = text if text is not None else ("" if body is None else json.dumps(body))
    response_headers = [("Content-Type", content_type)] if raw else []
    return Exchange(method=method, url="http://127.0.0.1/x", path_template=path, operation_id=OPERATIONS.get((method, path)),
                    request_headers={}, request_body=None, status=status, response_headers=response_headers + list(headers),
                    body=raw.encode("utf-8"), bytes_after_headers=after, late_by_ms=late_by_ms)


def utf16(answer):
    answer.body = answer.body.decode("utf-8").encode("utf-16")
    return answer


def failed(findings):
    return sorted({finding.requirement for finding in findings if not finding.passed})


def test_good_answers_pass_every_check():
    assert failed(check_response(exchange(200, GOOD_SEGMENT), BUNDLED)) == []
    assert failed(check_response(exchange(404, GOOD_ERROR, method="GET", path=SEGMENT_PATH), BUNDLED)) == []
    assert failed(check_response(exchange(204, method="DELETE", path=SEGMENT_PATH), BUNDLED)) == []


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
        (exchange(200, {**GOOD_SEGMENT, "created_at": "2026-12-07T00:06:60.123Z"}), "SEG-SEGMENT-CREATED-AT"),  # no leap second ends there
        (exchange(200, {**GOOD_SEGMENT, "created_at": "1990-12-30T23:59:60Z"}), "SEG-SEGMENT-CREATED-AT"),  # not a month's last day
        (exchange(200, {k: v for k, v in GOOD_SEGMENT.items() if k != "filter"}), "SEG-SEGMENT-SCHEMA"),
        (exchange(200, {**GOOD_SEGMENT, "type": "dynamic"}), "SEG-SEGMENT-SCHEMA"),
        (exchange(204, method="DELETE", path=SEGMENT_PATH, headers=[("Content-Length", "15")], after=15), "SEG-DELETE-204-EMPTY"),
        (exchange(204, method="DELETE", path=SEGMENT_PATH, after=3), "SEG-DELETE-204-EMPTY"),
        (exchange(204, method="DELETE", path=SEGMENT_PATH, after=15, late_by_ms=50.0), "SEG-DELETE-204-EMPTY"),
        (exchange(204, method="DELETE", path=SEGMENT_PATH, headers=[("Transfer-Encoding", "chunked")]), "SEG-DELETE-204-EMPTY"),
        # JSON that json.loads takes and RFC 8259 does not
        (exchange(200, text="\ufeff" + json.dumps(GOOD_SEGMENT)), "SEG-JSON-CONTENT-TYPE"),
        (exchange(200, text=json.dumps({**GOOD_SEGMENT, "filter": {"score": float("nan")}})), "SEG-JSON-CONTENT-TYPE"),
        (exchange(200, text=json.dumps({**GOOD_SEGMENT, "filter": {"score": float("-inf")}})), "SEG-JSON-CONTENT-TYPE"),
        (exchange(200, text=json.dumps(GOOD_SEGMENT)[:-1] + ',"type":"auto-update"}'), "SEG-JSON-CONTENT-TYPE"),
        (utf16(exchange(200, GOOD_SEGMENT)), "SEG-JSON-CONTENT-TYPE"),
        # a 405 that does not say what is allowed
        (exchange(405, {"code": 405, "message": "no"}, method="PUT", path=SEGMENT_PATH), "SEG-405-ALLOW"),
        (exchange(405, {"code": 405, "message": "no"}, method="PUT", path=SEGMENT_PATH,
                  headers=[("Allow", "GET, PUT, DELETE")]), "SEG-405-ALLOW"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_each_check_fails_on_its_fault(answer, requirement):
    assert requirement in failed(check_response(answer, BUNDLED))


@pytest.mark.parametrize(
    "answer",
    [
        exchange(200, {**GOOD_SEGMENT, "created_at": "1990-12-31T23:59:60Z"}),  # RFC 3339 section 5.8's leap second
        exchange(200, {**GOOD_SEGMENT, "created_at": "1990-12-31T15:59:60-08:00"}),  # the same instant, offset
        exchange(200, {**GOOD_SEGMENT, "created_at": "2016-12-31T18:29:60.5-05:30"}),
        exchange(200, {**GOOD_SEGMENT, "created_at": "2022-09-13T08:57:15+00:00"}),
        exchange(200, {**GOOD_SEGMENT, "created_at": "2022-09-13t08:57:15z"}),
        exchange(200, {**GOOD_SEGMENT, "created_at": "2022-09-13T08:57:15Z"}),
        exchange(200, {**GOOD_SEGMENT, "customers_count": 2, "metadata": {"a": 1}}),
        exchange(200, {**GOOD_SEGMENT, "updated_at": None}),
        exchange(200, {k: v for k, v in GOOD_SEGMENT.items() if k != "initial_sync_status"}),
        exchange(200, GOOD_SEGMENT, content_type="application/json; charset=utf-8"),
        exchange(200, GOOD_SEGMENT, content_type="Application/JSON;charset=UTF-8"),
        exchange(404, {"code": 404, "message": "Not found"}, method="GET", path=SEGMENT_PATH),
        exchange(401, {"code": 401, "message": "Unauthorized"}, method="GET", path=SEGMENT_PATH,
                 headers=[("WWW-Authenticate", "X-App-Token")]),
        exchange(204, method="DELETE", path=SEGMENT_PATH, headers=[("Content-Length", "0")]),
        exchange(429, {"code": 429, "message": "Too many"}, headers=[("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT")]),
        exchange(200, text=json.dumps({**GOOD_SEGMENT, "name": "Łódź 🎁"}, ensure_ascii=False)),
        exchange(200, text=json.dumps({**GOOD_SEGMENT, "name": "NaN Infinity"}, indent=2)),
        exchange(405, {"code": 405, "message": "no"}, method="PUT", path=SEGMENT_PATH, headers=[("Allow", "GET, HEAD, DELETE, OPTIONS")]),
        exchange(405, {"code": 405, "message": "no"}, method="PUT", path=SEGMENT_PATH, headers=[("Allow", "")]),  # disabled
        exchange(405, method="HEAD", path=SEGMENT_PATH, headers=[("Allow", "GET, DELETE")]),  # no content, so no Error object
    ],
)
def test_legal_variants_pass_every_check(answer):
    assert failed(check_response(answer, BUNDLED)) == []


@pytest.mark.parametrize("accepted, coding, passed", [
    ("identity", "gzip", False), ("identity", None, True), ("identity", "identity", True), ("gzip", "gzip", True), (None, "gzip", True),
])
def test_content_coding_only_where_the_request_accepts_it(accepted, coding, passed):
    answer = exchange(200, GOOD_SEGMENT, headers=[("Content-Encoding", coding)] if coding else ())
    answer.request_headers = {"Accept-Encoding": accepted} if accepted else {}
    assert ("SEG-CONTENT-CODING" not in failed(check_response(answer, BUNDLED))) == passed


def test_a_late_body_is_named_with_its_delay_and_what_a_client_suffers():
    late = exchange(204, method="DELETE", path=SEGMENT_PATH, after=15, late_by_ms=50.0)
    [finding] = [finding for finding in check_response(late, BUNDLED) if not finding.passed]
    assert "15 byte(s) after the headers, 50 ms after" in finding.message and "next answer" in finding.message


def test_checks_read_the_answer_unmasked_whatever_the_credential():
    """A token that is a common word must not turn application/json into ***/json before a check."""
    answer = exchange(200, GOOD_SEGMENT)
    Masker(["application", "application"]).headers(answer.response_headers)  # output masking leaves the exchange alone
    assert failed(check_response(answer, BUNDLED)) == []
    assert answer.content_type == "application/json"


def test_the_list_answer_is_checked_as_the_vendor_example_shows_it():
    july = Contract.load("tests/fixtures/segments-2026-07.json")
    good = {"object": "list", "data_ref": "data", "data": [GOOD_SEGMENT], "total": 1}

    def listed(body):
        answer = exchange(200, body, method="GET", path=CREATE_PATH)
        answer.operation_id = "list-segment"
        return failed(check_response(answer, july))

    assert listed(good) == []
    assert listed({"object": "list", "data_ref": "data", "segments": [GOOD_SEGMENT], "total": 1}) == ["SEG-LIST-SCHEMA"]
    assert listed({**good, "data": [{**GOOD_SEGMENT, "object": "Segment"}]}) == ["SEG-LIST-SCHEMA"]


def test_generic_requirements_are_what_the_checks_can_emit():
    emitted = set()
    for answer in (exchange(500, {}), exchange(200, GOOD_SEGMENT), exchange(400, {"code": 1, "message": "x"}),
                   exchange(204, method="DELETE", path=SEGMENT_PATH)):
        emitted |= {finding.requirement for finding in check_response(answer, BUNDLED)}
    assert emitted <= GENERIC_REQUIREMENTS


def test_curl_and_evidence_mask_credentials_in_every_form():
    answer = exchange(200, GOOD_SEGMENT)
    answer.request_headers = {"X-App-Id": "app-id-123456", "X-App-Token": "tök\"en-secret"}
    answer.body = json.dumps({"echo": "tök\"en-secret"}).encode()  # JSON-escaped: t\\u00f6k\\"en
    masker = Masker(["app-id-123456", "tök\"en-secret"])
    evidence = json.dumps(answer.evidence(masker), ensure_ascii=False)
    assert "secret" not in evidence and "app-id-123456" not in evidence
    assert "'X-App-Token: ***'" in answer.curl(masker)
