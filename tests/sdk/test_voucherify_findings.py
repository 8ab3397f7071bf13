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


def test_from_dict_adds_a_null_member_of_the_other_branch(sdk):
    """SDK-REQUEST-FAITHFUL (SHOULD). seed 000's static example gains "filter": null, its dynamic
    example "customers": null: valid by the schema, but not what the user built."""
    from voucherify.models.segments_create_request_body import SegmentsCreateRequestBody as Body

    static = {"name": "Customers in a new Segment", "type": "static", "customers": ["cust_iajsExT2QB4sGWzABY85WRqV"]}
    dynamic = {"name": "Customers in a new Dynamic Segment", "type": "auto-update", "filter": {"junction": "and"}}
    assert sdk.ApiClient().sanitize_for_serialization(Body.from_dict(static)) == {**static, "filter": None}
    assert sdk.ApiClient().sanitize_for_serialization(Body.from_dict(dynamic)) == {**dynamic, "customers": None}


# --- SDK-RESPONSE-ACCEPTED ------------------------------------------------------------------------------


@pytest.mark.parametrize("member,value", [
    ("created_at", "2016-12-31T23:59:60Z"),  # a leap second: RFC 3339 section 5.7
    ("updated_at", "2016-12-31T23:59:60Z"),
    ("initial_sync_status", "FAILED"),  # any string: no enum in the contract
])
def test_contract_valid_segments_are_rejected(api, answer_server, member, value):
    """SDK-RESPONSE-ACCEPTED. get_segment raises pydantic's ValidationError for a Segment the
    contract allows: a leap second (pydantic cannot represent second 60) or an
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
    """SDK-ROUNDTRIP-VALID. Parsed, then serialized with the SDK's own serializer, the vendor's
    own Segment gains "updated_at": null and "initial_sync_status": null (from_dict marks every
    member as set): no longer a valid Segment (initial_sync_status is a string when present; the
    overlay reads updated_at as nullable, as the vendor's own list example has it)."""
    segment = _get(api, answer_server, VENDOR_SEGMENT)
    out = api.api_client.sanitize_for_serialization(segment)
    assert out["updated_at"] is None and out["initial_sync_status"] is None
    assert "initial_sync_status: None is not of type 'string'" in segment_errors(out)


def test_fraction_digits_past_microseconds_are_lost(api, answer_server):
    """SDK-ROUNDTRIP-LOSSLESS. RFC 3339 allows any number of fraction digits; the SDK keeps six,
    so 2000-01-01T00:00:00.0000001Z comes back as another instant."""
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


# --- the gate names each one ---------------------------------------------------------------------------------


def test_the_gate_finds_each_defect_and_nothing_else(run_gate, by_status):
    pytest.importorskip("voucherify")
    completed, summary = run_gate("--client", "voucherify", examples=20)
    assert completed.returncode == 1
    assert summary["client"]["name"] == "voucherify" and summary["client"]["version"] == "6.1.1"
    assert by_status(summary, "FAIL") == {"SDK-REQUEST-VALID", "SDK-RESPONSE-ACCEPTED", "SDK-ROUNDTRIP-VALID",
                                          "SDK-ROUNDTRIP-LOSSLESS", "SDK-SERIALIZER-NO-ERROR"}
    assert by_status(summary, "WARN") == {"SDK-REQUEST-FAITHFUL", "SDK-RESPONSE-MEDIA-TYPE", "SDK-ROUNDTRIP-VERBATIM",
                                          "SDK-ROUNDTRIP-UNKNOWN-FIELDS"}
    causes = {(finding["requirement"], finding["cause"]) for finding in summary.get("distinct_findings", [])}
    assert ("SDK-REQUEST-VALID", "added null customers, filter, type") in causes
    assert ("SDK-SERIALIZER-NO-ERROR", "to_json raised builtins.TypeError: Object of type datetime is not JSON serializable") in causes
    accepted = " ".join(cause for requirement, cause in causes if requirement == "SDK-RESPONSE-ACCEPTED")
    assert "created_at" in accepted and "initial_sync_status" in accepted
    examples = {finding["example"] for finding in summary.get("distinct_findings", [])}
    assert '{"name": "Customers in a new Segment"}' in examples
