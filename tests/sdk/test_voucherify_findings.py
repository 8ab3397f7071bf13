"""The defects the gate finds in voucherify 6.1.1, each reproduced with the SDK itself (not through
the gate's adapter) from the gate's minimal example, and the gate naming each one.

Every input here is one the contract allows (tests/sdk/test_strategies.py checks the same forms);
what follows it is what the SDK does, and the SDK requirement that says it should not.
"""

from __future__ import annotations

import json

import pytest

from conformance.sdk.values import create_body_errors, segment_errors

VENDOR_SEGMENT = {  # seed 000, create's 200 example "Static", as get answers it (no initial_sync_status)
    "id": "seg_vC8iOSCqUG02EsPzsHynLv8i",
    "name": "Customers in a new Segment",
    "created_at": "2022-09-13T08:57:15.801Z",
    "type": "static",
    "filter": None,
    "object": "segment",
}


@pytest.fixture(scope="module")
def sdk():
    return pytest.importorskip("voucherify")


@pytest.fixture
def api(sdk, answer_server):
    configuration = sdk.Configuration(host=answer_server.url)
    configuration.api_key["X-App-Id"] = answer_server.credentials.app_id
    configuration.api_key["X-App-Token"] = answer_server.credentials.app_token
    return sdk.SegmentsApi(sdk.ApiClient(configuration))


def _get(api, answer_server, segment, content_type="application/json; charset=utf-8"):
    answer_server.answer(200, json.dumps(segment), content_type)
    return api.get_segment(segment["id"])


# --- SDK-REQUEST-VALID and SDK-REQUEST-FAITHFUL -------------------------------------------------------


@pytest.mark.parametrize("build", ["from_dict", "from_json"])
def test_from_dict_and_from_json_send_nulls_the_api_rejects(sdk, mock_server, build):
    """SDK-REQUEST-VALID. {"name": ...} is a valid static body (type defaults to static); built
    with from_dict or from_json it is sent with "type": null, "customers": null, "filter": null,
    which matches neither oneOf branch, and the API answers 400."""
    from voucherify.models.segments_create_request_body import SegmentsCreateRequestBody as Body

    body = {"name": "Customers in a new Segment"}
    assert create_body_errors(body) == []
    model = Body.from_dict(body) if build == "from_dict" else Body.from_json(json.dumps(body))
    sent = sdk.ApiClient().sanitize_for_serialization(model)
    assert sent == {"name": "Customers in a new Segment", "type": None, "customers": None, "filter": None}
    assert create_body_errors(sent)
    configuration = sdk.Configuration(host=mock_server.url)
    configuration.api_key.update({"X-App-Id": mock_server.app_id, "X-App-Token": mock_server.app_token})
    with pytest.raises(sdk.ApiException) as rejected:
        sdk.SegmentsApi(sdk.ApiClient(configuration)).create_segment(segments_create_request_body=model)
    assert rejected.value.status == 400
    # The same body as a constructor call or a plain dict (seed 003's own example) is sent as built.
    assert sdk.ApiClient().sanitize_for_serialization(Body(**body)) == body


def test_from_dict_nulls_are_one_finding(sdk):
    """The same cause (from_dict marks every member as set) adds "filter": null to seed 000's
    static example and "customers": null to its dynamic one: valid by the schema, and ignored by
    the API. SDK-REQUEST-VALID owns the cause; SDK-REQUEST-FAITHFUL does not report it again."""
    from conformance.sdk import judge
    from conformance.sdk.adapter import Result
    from voucherify.models.segments_create_request_body import SegmentsCreateRequestBody as Body

    static = {"name": "Customers in a new Segment", "type": "static", "customers": ["cust_iajsExT2QB4sGWzABY85WRqV"]}
    dynamic = {"name": "Customers in a new Dynamic Segment", "type": "auto-update", "filter": {"junction": "and"}}
    for body, added in ((static, {"filter": None}), (dynamic, {"customers": None})):
        sent = sdk.ApiClient().sanitize_for_serialization(Body.from_dict(body))
        assert sent == {**body, **added}
        wire = Result(value={"headers": {"Content-Type": "application/json"}, "body": json.dumps(sent)})
        assert judge.request_valid(body, wire) is None and judge.request_faithful(body, wire) is None


# --- SDK-RESPONSE-OPEN-VALUES and SDK-DATETIME-EDGES (SHOULD: no real answer carries these) -------------


@pytest.mark.parametrize("member,value", [
    ("created_at", "2016-12-31T23:59:60Z"),  # a leap second: RFC 3339 section 5.7 (SDK-DATETIME-EDGES)
    ("updated_at", "2016-12-31T23:59:60Z"),
    ("initial_sync_status", "FAILED"),  # any string: no enum in the contract (SDK-RESPONSE-OPEN-VALUES)
])
def test_contract_valid_segments_are_rejected(api, answer_server, member, value):
    """get_segment raises pydantic's ValidationError (not ApiException) for a Segment the contract
    allows and no server of this API sends: a leap second (datetime cannot hold second 60) or an
    initial_sync_status other than DONE / IN_PROGRESS (the SDK's enum, not the contract's)."""
    import pydantic

    segment = {**VENDOR_SEGMENT, member: value}
    assert segment_errors(segment) == []
    with pytest.raises(pydantic.ValidationError):
        _get(api, answer_server, segment)


def test_application_json_in_capitals_is_an_unsupported_content_type(sdk, api, answer_server):
    """SDK-RESPONSE-MEDIA-TYPE (SHOULD). Media types are case-insensitive (RFC 9110 section
    8.3.1); the SDK compares with startswith("application/json") and raises ApiException status 0."""
    with pytest.raises(sdk.ApiException) as raised:
        _get(api, answer_server, VENDOR_SEGMENT, "Application/JSON")
    assert raised.value.status == 0 and "Unsupported content type" in str(raised.value.reason)


# --- round trips -------------------------------------------------------------------------------------------


def test_every_round_trip_adds_nulls_the_contract_forbids(sdk, api, answer_server):
    """SDK-ROUNDTRIP-VALID (SHOULD: a local copy, no call breaks). Parsed, then serialized with the
    SDK's own serializer, the vendor's own Segment gains "updated_at": null and
    "initial_sync_status": null (from_dict marks every member as set)."""
    segment = _get(api, answer_server, VENDOR_SEGMENT)
    out = api.api_client.sanitize_for_serialization(segment)
    assert out["updated_at"] is None and out["initial_sync_status"] is None
    assert "initial_sync_status: None is not of type 'string'" in segment_errors(out)


def test_fraction_digits_past_microseconds_are_lost(api, answer_server):
    """SDK-DATETIME-EDGES (SHOULD: the vendor writes milliseconds). RFC 3339 allows any number of
    fraction digits; the SDK keeps six, so 2000-01-01T00:00:00.0000001Z comes back another instant."""
    segment = _get(api, answer_server, {**VENDOR_SEGMENT, "created_at": "2000-01-01T00:00:00.0000001Z"})
    assert api.api_client.sanitize_for_serialization(segment)["created_at"] == "2000-01-01T00:00:00+00:00"
    segment = _get(api, answer_server, {**VENDOR_SEGMENT, "created_at": "2022-09-13T08:57:15.123456789Z"})
    assert api.api_client.sanitize_for_serialization(segment)["created_at"] == "2022-09-13T08:57:15.123456+00:00"


def test_date_times_come_back_in_another_form(api, answer_server):
    """SDK-ROUNDTRIP-VERBATIM (SHOULD). The vendor's own created_at, 2022-09-13T08:57:15.801Z,
    comes back as 2022-09-13T08:57:15.801000+00:00; -00:00 ("offset unknown") as +00:00."""
    segment = _get(api, answer_server, VENDOR_SEGMENT)
    assert api.api_client.sanitize_for_serialization(segment)["created_at"] == "2022-09-13T08:57:15.801000+00:00"
    segment = _get(api, answer_server, {**VENDOR_SEGMENT, "created_at": "2022-09-13T08:57:15-00:00"})
    assert api.api_client.sanitize_for_serialization(segment)["created_at"] == "2022-09-13T08:57:15+00:00"


def test_members_the_contract_does_not_declare_are_dropped(api, answer_server):
    """SDK-ROUNDTRIP-UNKNOWN-FIELDS (SHOULD)."""
    segment = _get(api, answer_server, {**VENDOR_SEGMENT, "customers_count": 2})
    assert "customers_count" not in api.api_client.sanitize_for_serialization(segment)


def test_to_json_fails_on_every_segment(api, answer_server):
    """SDK-SERIALIZER-NO-ERROR. to_json() is json.dumps(self.to_dict()), and to_dict() keeps
    created_at (required) as a datetime: TypeError for every Segment, the vendor's own example too."""
    segment = _get(api, answer_server, VENDOR_SEGMENT)
    with pytest.raises(TypeError, match="datetime is not JSON serializable"):
        segment.to_json()


# --- the client's HTTP behaviour, against the scripted answer server ------------------------------------


@pytest.fixture
def scripted(sdk):
    """(server, api): the SDK configured as its README shows, on a fresh scripted server."""
    from conformance.sdk.sequence import SequenceServer

    with SequenceServer() as server:
        configuration = sdk.Configuration(host=server.url)
        configuration.api_key["X-App-Id"] = server.credentials.app_id
        configuration.api_key["X-App-Token"] = server.credentials.app_token
        yield server, sdk.SegmentsApi(sdk.ApiClient(configuration))


def _ends_within(seconds, call):
    """Whether `call` ends within `seconds` (it is left waiting on a daemon thread if not)."""
    import threading

    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    worker.join(seconds)
    return not worker.is_alive()


@pytest.mark.parametrize("status", [302, 307])
def test_credentials_follow_a_redirect_to_another_host(scripted, status):
    """SDK-REDIRECT-CREDENTIALS. urllib3 follows the redirect and strips only Authorization and
    Cookie: X-App-Id and X-App-Token (the secret key) reach 127.0.0.2."""
    from conformance.sdk.sequence import Step

    server, api = scripted
    server.play({"GET": [Step(status, b"", {"Location": server.other_url + "/v1/segments/seg_x"})]})
    with pytest.raises(Exception):  # the other host answers 401, as a host that knows no key
        api.get_segment("seg_x")
    arrived = server.at("other")
    assert arrived and arrived[0].headers["X-App-Token"] == server.credentials.app_token


def test_a_stalled_server_holds_the_call_forever(scripted):
    """SDK-TIME-BOUND. No default timeout: against a server that never answers, get_segment has
    not ended after 3 s (the gate waits 10), and would wait until the connection closes."""
    from conformance.sdk.sequence import Step

    server, api = scripted
    server.play({"GET": [Step(stall=True)]})
    assert not _ends_within(3, lambda: _quietly(api.get_segment, "seg_x"))


def test_retry_after_3600_is_slept_through_on_get(scripted):
    """SDK-TIME-BOUND. urllib3's default Retry honours Retry-After on GET and DELETE, so a 429
    with Retry-After: 3600 holds get_segment for an hour, _request_timeout notwithstanding."""
    from conformance.sdk.sequence import Step

    server, api = scripted
    server.play({"GET": [Step.json(429, '{"code": 429, "message": "Too many requests"}', **{"Retry-After": "3600"})]})
    assert not _ends_within(3, lambda: _quietly(api.get_segment, "seg_x", _request_timeout=1))
    assert len(server.at("primary")) == 1  # it sleeps; it has not asked again


@pytest.mark.parametrize("segment_id,reached", [("..", "/v1/"), (".", "/v1/segments/"), ("", "/v1/segments/")])
def test_dot_and_empty_ids_reach_another_endpoint(scripted, segment_id, reached):
    """SDK-ID-PATH. delete_segment('..') sends DELETE /v1/; '.' and '' reach /v1/segments/ (the
    July revision's list endpoint)."""
    from conformance.sdk.sequence import Step

    server, api = scripted
    server.play({"DELETE": [Step(204)]})
    api.delete_segment(segment_id)
    assert [attempt.path for attempt in server.at("primary")] == [reached]


@pytest.mark.parametrize("content_type", ["application/json", "text/html"])
def test_a_create_that_succeeded_raises_without_its_status(sdk, scripted, content_type):
    """SDK-UNREADABLE-ANSWER (SHOULD). A portal's page answered 200 to create: json's
    JSONDecodeError (application/json) or ApiException with status 0 (text/html); neither says
    the request succeeded, nor keeps the body."""
    import json as stdlib_json

    from conformance.sdk.sequence import Step

    server, api = scripted
    server.play({"POST": [Step(200, b"<html>Please sign in</html>", {"Content-Type": content_type})]})
    with pytest.raises(Exception) as raised:
        api.create_segment(segments_create_request_body={"name": "Customers in a new Segment"})
    if content_type == "text/html":
        assert isinstance(raised.value, sdk.ApiException) and raised.value.status == 0
    else:
        assert isinstance(raised.value, stdlib_json.JSONDecodeError)


def _quietly(call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except Exception:  # noqa: BLE001 - only whether it ends matters here
        pass


# --- the gate names each one ---------------------------------------------------------------------------------


def test_the_gate_finds_each_defect_and_nothing_else(run_gate, by_status):
    pytest.importorskip("voucherify")
    completed, summary = run_gate("--client", "voucherify", examples=20)
    assert completed.returncode == 1
    assert summary["client"]["name"] == "voucherify" and summary["client"]["version"] == "6.1.1"
    assert by_status(summary, "FAIL") == {"SDK-REQUEST-VALID", "SDK-SERIALIZER-NO-ERROR", "SDK-REDIRECT-CREDENTIALS",
                                          "SDK-TIME-BOUND", "SDK-ID-PATH"}
    assert by_status(summary, "WARN") == {"SDK-RESPONSE-OPEN-VALUES", "SDK-DATETIME-EDGES", "SDK-RESPONSE-MEDIA-TYPE",
                                          "SDK-ROUNDTRIP-VALID", "SDK-ROUNDTRIP-VERBATIM", "SDK-ROUNDTRIP-UNKNOWN-FIELDS",
                                          "SDK-UNREADABLE-ANSWER"}
    findings = summary.get("distinct_findings", [])
    causes = {(finding["requirement"], finding["cause"]) for finding in findings}
    assert ("SDK-REQUEST-VALID", "added null customers, filter, type") in causes
    assert ("SDK-SERIALIZER-NO-ERROR", "to_json raised builtins.TypeError: Object of type datetime is not JSON serializable") in causes
    # No MUST failure whose trigger is a leap second, a sub-microsecond fraction or an open enum value.
    for finding in findings:
        if finding["severity"] == "FAIL":
            assert "23:59:60" not in finding["example"] and "initial_sync_status" not in finding["cause"], finding
    examples = {finding["example"] for finding in findings}
    assert '{"name": "Customers in a new Segment"}' in examples
