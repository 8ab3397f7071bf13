"""The contract: the bundled document valid OpenAPI 3.0 and faithful to the seeds, examples that
validate; any later revision loaded as the contract, with our overlay and its own operations."""

import hashlib
import json
from pathlib import Path

import pytest
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from openapi_spec_validator import validate

from conformance import contract, rfc3339
from conformance.contract import Contract
from conformance.lint import lint_document

JULY = Path(__file__).parent / "fixtures" / "segments-2026-07.json"


@pytest.mark.parametrize("document", [contract.vendor_document, contract.effective_document], ids=["vendor", "effective"])
def test_document_is_valid_openapi_30(document):
    doc = document()
    assert doc["openapi"].startswith("3.0")
    validate(doc)


def test_vendor_document_carries_what_the_seeds_say():
    doc = contract.vendor_document()
    assert doc["servers"][0]["variables"]["cluster"]["enum"][:3] == ["api", "us1.api", "as1.api"]
    post = doc["paths"]["/v1/segments"]["post"]
    assert post["security"] == [
        {"X-App-Id": [], "X-App-Token": []},
        {"X-Voucherify-OAuth": ["api", "segments"]},
    ]
    assert [b["$ref"].rsplit("/", 1)[-1] for b in doc["components"]["schemas"]["SegmentsCreateRequestBody"]["oneOf"]] == [
        "SegmentsCreateRequestBodyStatic",
        "SegmentsCreateRequestBodyDynamic",
    ]
    segment_path = doc["paths"]["/v1/segments/{segmentId}"]
    assert set(segment_path["get"]["responses"]) == {"200", "404"}
    assert set(segment_path["delete"]["responses"]) == {"204", "404"}
    assert "content" not in segment_path["delete"]["responses"]["204"]  # 204: no body
    error = doc["components"]["schemas"]["Error"]
    assert error["required"] == ["code", "message"]
    assert set(error["properties"]) == {"code", "key", "message", "details", "request_id", "resource_id", "resource_type"}
    # The vendor marks nothing required in its own schemas: that is the overlay's job.
    for name in ("Segment", "SegmentsCreateRequestBodyStatic", "SegmentsCreateRequestBodyDynamic"):
        assert "required" not in doc["components"]["schemas"][name]


def test_overlay_adds_errors_requirements_and_links():
    doc = contract.effective_document()
    assert set(doc["paths"]["/v1/segments"]["post"]["responses"]) == {"200", "400", "401", "415", "429"}
    for method in ("get", "delete"):
        assert {"401", "429"} <= set(doc["paths"]["/v1/segments/{segmentId}"][method]["responses"])
    schemas = doc["components"]["schemas"]
    assert schemas["SegmentsCreateRequestBodyStatic"]["required"] == ["name"]
    assert schemas["Segment"]["required"] == ["id", "name", "created_at", "type", "filter", "object"]
    links = doc["paths"]["/v1/segments"]["post"]["responses"]["200"]["links"]
    assert {link["operationId"] for link in links.values()} == {"get-segment", "delete-segment"}


def test_every_overlay_action_names_its_source():
    for action in contract.overlay_document()["actions"]:
        assert "Source:" in action["description"], action["target"]


def test_effective_document_resolves_the_one_of_ambiguity():
    vendor_only = Contract(contract.vendor_bytes(), source="vendor", effective=contract.vendor_document())
    assert vendor_only.schema_errors({"name": "x"}, contract.CREATE_BODY_SCHEMA)
    bundled = Contract.bundled()
    assert bundled.schema_errors({"name": "x"}, contract.CREATE_BODY_SCHEMA) == []
    assert bundled.schema_errors({"name": "x", "type": "passive", "filter": {}}, contract.CREATE_BODY_SCHEMA) == []
    assert bundled.schema_errors({"type": "static"}, contract.CREATE_BODY_SCHEMA)  # name required


def _media_examples(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            media_types = [operation.get("requestBody", {}).get("content", {})]
            media_types += [response.get("content", {}) for response in operation["responses"].values()]
            for content in media_types:
                for media in content.values():
                    for name, example in media.get("examples", {}).items():
                        yield f"{method.upper()} {path} {name}", media["schema"], example["value"]


@pytest.mark.parametrize("document", [contract.vendor_document, contract.effective_document], ids=["vendor", "effective"])
def test_every_example_validates_against_its_schema_or_lint_reports_it(document):
    doc = document()
    reported = {problem.pointer for problem in lint_document(doc) if problem.code == "L004"}
    failures = []
    for label, schema, value in _media_examples(doc):
        validator = OAS30Validator(contract.inline_refs(schema, doc), format_checker=oas30_format_checker)
        if not validator.is_valid(value):
            failures.append(label)
    assert failures == [] or reported, failures
    assert failures == []  # today every vendor example validates; keep it that way


def test_committed_effective_document_is_the_overlay_applied():
    # If this fails after an edit of segments.json or overlay.yaml: python -m conformance.contract
    effective, lost = contract.apply_overlay(contract.vendor_document(), contract.overlay_document())
    assert lost == ()
    assert contract.effective_document() == effective


def test_identity_of_the_bundled_document():
    bundled = Contract.bundled()
    identity = bundled.identity()
    assert identity["source"] == "bundled" and len(identity["sha256"]) == 64 and identity["info_version"] == "v2018-08-01"
    assert [op["operation_id"] for op in identity["operations"]] == ["create-segment", "get-segment", "delete-segment"]
    assert bundled.sha256 == hashlib.sha256(contract.vendor_bytes()).hexdigest()


def test_a_later_revision_is_loaded_with_the_overlay_and_its_own_operations():
    july = Contract.load(JULY)
    assert july.has("list-segment") and july.info_version == "v2018-08-01"
    assert july.sha256 != Contract.bundled().sha256  # only the content tells revisions apart
    assert july.overlay_warnings == ()
    assert {"400", "401", "429"} <= july.documented_statuses("GET", "/v1/segments")  # x-conformance-operation actions
    assert "data" in july.schema(contract.LIST_SCHEMA)["properties"]
    assert "GET" not in july.undocumented_methods("/v1/segments")
    assert "GET" in Contract.bundled().undocumented_methods("/v1/segments")


def test_an_overlay_action_whose_target_is_gone_is_reported_by_name():
    document = contract.vendor_document()
    del document["components"]["schemas"]["SegmentsCreateRequestBodyDynamic"]
    del document["components"]["schemas"]["SegmentsCreateRequestBody"]["oneOf"][1]
    revision = Contract(json.dumps(document).encode(), source="renamed.json")
    assert len(revision.overlay_warnings) == 1
    assert "SegmentsCreateRequestBodyDynamic" in revision.overlay_warnings[0]


@pytest.mark.parametrize(
    "text, message",
    [
        (b"{}", "no `openapi` version field"),
        (b'{"swagger": "2.0", "paths": {}}', "Swagger 2.0"),
        (b'{"openapi": "3.1.0", "paths": {}}', "OpenAPI 3.1.0"),
        (b"[1, 2]", "top level is not an object"),
        (b"\xff\xfe", "not UTF-8"),
        (b'{"openapi": "3.0.1", "paths": {}}', "documents no operation"),
    ],
)
def test_a_document_that_cannot_be_the_contract_is_refused_in_one_line(text, message):
    with pytest.raises(contract.ContractError, match=message.replace("(", r"\(")) as refused:
        Contract(text, source="x.json")
    assert "\n" not in str(refused.value) and str(refused.value).startswith("x.json")


def test_paths_map_to_their_templates_and_nothing_else():
    bundled = Contract.bundled()
    assert bundled.path_template("/v1/segments/seg_1") == contract.SEGMENT_PATH
    assert bundled.path_template("/v1/segments") == contract.CREATE_PATH
    assert bundled.path_template("/v1/segments/") is None and bundled.path_template("/v1/segments/a/b") is None


@pytest.mark.parametrize("stamp", ["1990-12-31T23:59:60Z", "1990-12-31T15:59:60-08:00", "2022-09-13t08:57:15.801z",
                                   "2022-09-13T08:57:15+00:00", "2022-09-13T08:57:15.123456789-05:30", "2024-02-29T00:00:00Z"])
def test_every_rfc_3339_form_is_a_date_time(stamp):
    assert rfc3339.is_date_time(stamp)


@pytest.mark.parametrize("stamp", ["2022-09-13 08:57:15Z", "2022-09-13T08:57:15", "2023-02-29T00:00:00Z",
                                   "2022-09-13T24:00:00Z", "2022-09-13T08:60:00Z", "2022-09-13T08:57:61Z", "", None, 5])
def test_what_is_not_an_rfc_3339_date_time(stamp):
    assert not rfc3339.is_date_time(stamp)
