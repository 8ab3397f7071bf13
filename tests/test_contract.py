"""The bundled contract: valid OpenAPI 3.0, faithful to the seeds, examples that validate."""

import json

import pytest
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from openapi_spec_validator import validate

from conformance import contract
from conformance.lint import lint_document


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
    assert set(doc["paths"]["/v1/segments"]["post"]["responses"]) == {"200", "400", "401", "429"}
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
    assert contract.schema_errors({"name": "x"}, contract.CREATE_BODY_SCHEMA, effective=False)
    assert contract.schema_errors({"name": "x"}, contract.CREATE_BODY_SCHEMA) == []
    assert contract.schema_errors({"name": "x", "type": "passive", "filter": {}}, contract.CREATE_BODY_SCHEMA) == []
    assert contract.schema_errors({"type": "static"}, contract.CREATE_BODY_SCHEMA)  # name required


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
    assert contract.effective_document() == contract.build_effective_document()


def test_document_hash_is_of_the_vendor_file():
    assert len(contract.document_sha256()) == 64
    assert contract.document_version() == "v2018-08-01"
    json.loads(contract.vendor_bytes())
