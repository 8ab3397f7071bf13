"""The mock serves the document it is given: its operations, 405 with an Allow derived from it, the
request media types it lists (415 for the others)."""

from __future__ import annotations

import copy
import json

import pytest

from conformance.contract import Contract
from conformance.mock import MockServer, UnsupportedOperation

UNKNOWN_ID = "seg_unknownunknownunknown0"


def mutated(contract: Contract, change) -> Contract:
    """A copy of a revision with `change(document)` applied (never the fixture file itself)."""
    document = copy.deepcopy(contract.vendor)
    change(document)
    return Contract(json.dumps(document).encode(), source="mutated")


# --- routes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "document, path, method, allow",
    [
        ("bundled", "/v1/segments", "GET", "POST"),
        ("bundled", "/v1/segments", "PUT", "POST"),
        ("bundled", "/v1/segments/{id}", "PATCH", "GET, DELETE"),
        ("july", "/v1/segments", "DELETE", "GET, POST"),
        ("july", "/v1/segments", "PATCH", "GET, POST"),
        ("july", "/v1/segments/{id}", "POST", "GET, DELETE"),
        ("july", "/v1/segments/{id}", "HEAD", "GET, DELETE"),
    ],
)
def test_undocumented_methods_answer_405_with_the_documented_ones(start_mock, expect, request, document, path,
                                                                   method, allow):
    contract = request.getfixturevalue(document)
    api = start_mock(contract=contract)
    response = api.request(method, path.replace("{id}", UNKNOWN_ID))
    assert response.status_code == 405
    assert response.headers["Allow"] == allow
    template = "/v1/segments/{segmentId}" if "{id}" in path else path
    assert set(allow.split(", ")) == set(contract.documented_methods(template))


def test_allow_follows_a_document_without_delete(start_mock, expect, july):
    contract = mutated(july, lambda document: document["paths"]["/v1/segments/{segmentId}"].pop("delete"))
    api = start_mock(contract=contract)
    segment_id = expect.segment(api.create_static())["id"]
    response = api.delete(segment_id)
    expect.error(response, 405, key="method_not_allowed")
    assert response.headers["Allow"] == "GET"
    expect.segment(api.get(segment_id))  # nothing deleted


def test_a_document_without_create_serves_the_rest(start_mock, july):
    contract = mutated(july, lambda document: document["paths"]["/v1/segments"].pop("post"))
    api = start_mock(contract=contract)
    response = api.create_static()
    assert (response.status_code, response.headers["Allow"]) == (405, "GET")
    assert api.list().json()["total"] == 0


def test_a_document_operation_the_mock_cannot_serve_is_refused(july):
    def add_put(document):
        document["paths"]["/v1/segments/{segmentId}"]["put"] = {"operationId": "update-segment", "responses": {}}

    with pytest.raises(UnsupportedOperation, match="PUT /v1/segments/{segmentId} .update-segment."):
        MockServer(contract=mutated(july, add_put))


def test_each_mock_keeps_its_own_document(start_mock, july):
    bundled_api, july_api = start_mock(), start_mock(contract=july)
    assert bundled_api.list().status_code == 405
    assert july_api.list().status_code == 200
    assert bundled_api.server.contract.source == "bundled"
    assert july_api.server.contract is july


def test_validation_follows_the_document(start_mock, expect, july):
    """A revision that requires customers on a static body: the mock requires them too."""
    def require_customers(document):
        document["components"]["schemas"]["SegmentsCreateRequestBodyStatic"]["required"] = ["customers"]

    api = start_mock(contract=mutated(july, require_customers))
    error = expect.error(api.create({"name": "no customers", "type": "static"}), 400, key="invalid_payload")
    assert error["details"] == "Property customers is required"
    expect.segment(api.create_static())


# --- request media types --------------------------------------------------------------------------

BODY = b'{"name": "typed", "type": "static", "customers": ["cust_1"]}'


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "multipart/form-data",
     "application/xml", "application/merge-patch+json", "application/vnd.api+json", "application/jsonp"],
)
@pytest.mark.mock_verifies("SEG-CREATE-MEDIA-TYPE-415")
def test_a_body_not_declared_json_answers_415_and_creates_nothing(start_mock, expect, content_type):
    api = start_mock()
    response = api.create_raw(BODY, headers={**api.auth, "Content-Type": content_type})
    error = expect.error(response, 415, key="unsupported_media_type")
    assert error["details"].endswith("send application/json")
    assert api.stored() == 0


def test_a_body_without_content_type_answers_415(start_mock, expect):
    api = start_mock()
    response = api.wire("POST", "/v1/segments", body=BODY)  # rawhttp adds no Content-Type
    assert response.status == 415
    assert response.json["details"].startswith("a body without Content-Type")
    assert api.stored() == 0


def test_no_body_and_no_content_type_is_an_invalid_body(start_mock, expect):
    """Nothing was sent, so there is no media type to refuse: the body is what is missing."""
    api = start_mock()
    response = api.wire("POST", "/v1/segments", body=b"")
    assert (response.status, response.json["key"]) == (400, "invalid_payload")


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "Application/JSON", "application/json;charset=UTF-8",
     "application/json ; charset=\"utf-8\""],
)
def test_json_with_any_parameters_or_case_is_accepted(start_mock, expect, content_type):
    api = start_mock()
    expect.segment(api.create_raw(BODY, headers={**api.auth, "Content-Type": content_type}))


def test_credentials_come_before_the_media_type(api, expect):
    expect.error(api.create_raw(BODY, headers={"Content-Type": "text/plain"}), 401)


def test_the_media_types_come_from_the_document(start_mock, expect, july):
    """A revision that also lists application/merge-patch+json accepts it (JSON syntax)."""
    def add_type(document):
        content = document["paths"]["/v1/segments"]["post"]["requestBody"]["content"]
        content["application/merge-patch+json"] = copy.deepcopy(content["application/json"])

    api = start_mock(contract=mutated(july, add_type))
    expect.segment(api.create_raw(BODY, headers={**api.auth, "Content-Type": "application/merge-patch+json"}))
    expect.error(api.create_raw(BODY, headers={**api.auth, "Content-Type": "text/plain"}), 415)
