"""The vendor's own Python SDK (PyPI voucherify 6.1.1, module `voucherify`) works against the mock.

The SDK is generated from the vendor's OpenAPI document, so it is a second, independent reading
of the contract: if it can create, get and delete, and maps our errors to its exceptions, the
mock speaks the vendor's dialect. Importing it takes seconds (it loads every model), so the
import happens in a fixture, only when these tests run.
"""

from __future__ import annotations

import json

import pytest

UNKNOWN_ID = "seg_unknownunknownunknown0"


@pytest.fixture(scope="module")
def sdk():
    import voucherify  # noqa: PLC0415 - see the module docstring

    return voucherify


@pytest.fixture
def segments_api(sdk, mock_server):
    configuration = sdk.Configuration(host=mock_server.url)
    configuration.api_key["X-App-Id"] = mock_server.app_id
    configuration.api_key["X-App-Token"] = mock_server.app_token
    with sdk.ApiClient(configuration) as client:
        yield sdk.SegmentsApi(client)


def test_sdk_creates_gets_and_deletes_a_segment(sdk, segments_api):
    from voucherify.models.segments_create_request_body import SegmentsCreateRequestBody  # noqa: PLC0415

    filter_ = {"junction": "and", "address.country": {"conditions": {"$is": "Poland"}}}
    body = SegmentsCreateRequestBody(name="SDK – Łódź", type="auto-update", filter=filter_)
    created = segments_api.create_segment(segments_create_request_body=body)
    assert created.id.startswith("seg_")
    assert (created.name, created.type, created.filter) == ("SDK – Łódź", "auto-update", filter_)
    assert created.object == "segment"
    assert created.initial_sync_status == "IN_PROGRESS"
    assert created.created_at.utcoffset().total_seconds() == 0

    got = segments_api.get_segment(created.id)
    fields = ("id", "name", "type", "filter", "created_at")
    assert [getattr(got, field) for field in fields] == [
        getattr(created, field) for field in fields
    ]

    deleted = segments_api.delete_segment_with_http_info(created.id)
    assert (deleted.status_code, deleted.data) == (204, None)

    with pytest.raises(sdk.ApiException) as raised:
        segments_api.get_segment(created.id)
    assert raised.value.status == 404
    assert json.loads(raised.value.body)["resource_id"] == created.id


def test_sdk_static_segment_and_its_404_on_delete(sdk, segments_api):
    from voucherify.models.segments_create_request_body import SegmentsCreateRequestBody  # noqa: PLC0415

    body = SegmentsCreateRequestBody(
        name="SDK static", type="static", customers=["cust_1", "cust_2"]
    )
    created = segments_api.create_segment(segments_create_request_body=body)
    assert (created.type, created.filter, created.initial_sync_status) == ("static", None, "DONE")
    assert segments_api.delete_segment(created.id) is None
    with pytest.raises(sdk.ApiException) as raised:
        segments_api.delete_segment(UNKNOWN_ID)
    assert raised.value.status == 404
    assert json.loads(raised.value.body)["key"] == "not_found"


def test_sdk_maps_400_and_401_to_its_exceptions(sdk, segments_api, mock_server):
    from voucherify.models.segments_create_request_body import SegmentsCreateRequestBody  # noqa: PLC0415

    with pytest.raises(sdk.ApiException) as invalid:
        segments_api.create_segment(
            segments_create_request_body=SegmentsCreateRequestBody(type="static")
        )
    assert invalid.value.status == 400
    assert json.loads(invalid.value.body)["details"] == "Property name is required"

    segments_api.api_client.configuration.api_key["X-App-Token"] = "wrong"
    with pytest.raises(sdk.ApiException) as unauthorized:
        segments_api.get_segment(UNKNOWN_ID)
    assert unauthorized.value.status == 401
