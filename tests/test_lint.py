"""`conformance lint`: the document's own problems, with pointers and exit codes."""

import json
from pathlib import Path

import pytest

from conformance import contract
from conformance.cli import main
from conformance.lint import lint_document


def test_lint_finds_the_one_of_ambiguity_in_the_vendor_document():
    problems = lint_document(contract.vendor_document())
    ambiguity = [p for p in problems if p.code == "L001"]
    assert len(ambiguity) == 1
    assert ambiguity[0].pointer == "#/components/schemas/SegmentsCreateRequestBody/oneOf"
    assert '{"name": "x"}' in ambiguity[0].message


def test_lint_finds_nothing_required_and_undeclared_example_fields():
    problems = lint_document(contract.vendor_document())
    assert {p.pointer for p in problems if p.code == "L002"} >= {
        "#/components/schemas/Segment",
        "#/components/schemas/SegmentsCreateRequestBodyStatic",
        "#/components/schemas/SegmentsCreateRequestBodyDynamic",
    }
    undeclared = [p.pointer for p in problems if p.code == "L003"]
    assert len(undeclared) == 2
    assert all(pointer.endswith("/initial_sync_status") for pointer in undeclared)


def test_the_overlay_resolves_what_lint_reports():
    assert lint_document(contract.effective_document()) == []


def test_lint_reports_an_example_that_does_not_validate():
    doc = contract.vendor_document()
    example = doc["paths"]["/v1/segments"]["post"]["responses"]["200"]["content"]["application/json"]["examples"]["Static"]
    example["value"]["created_at"] = "yesterday"
    bad = [p for p in lint_document(doc) if p.code == "L004"]
    assert len(bad) == 1 and bad[0].pointer.endswith("/examples/Static/value/created_at")


def test_lint_command_exit_codes(tmp_path, capsys):
    assert main(["lint"]) == 0
    out = capsys.readouterr().out
    assert "L001" in out and "warning(s), 0 error(s)" in out

    invalid = tmp_path / "invalid.json"
    invalid.write_text(json.dumps({"openapi": "3.0.1", "info": {"title": "x"}, "paths": {}}))
    assert main(["lint", str(invalid)]) == 1
    assert "ERROR L100" in capsys.readouterr().out

    assert main(["lint", str(tmp_path / "missing.json")]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot read" in err and "Traceback" not in err

    garbage = tmp_path / "garbage.yaml"
    garbage.write_text("openapi: [unclosed\n")
    assert main(["lint", str(garbage)]) == 4
    err = capsys.readouterr().err
    assert err.startswith(f"error: {garbage}: cannot parse at line 2") and "unclosed" not in err


def test_lint_json_format_and_bad_option(capsys):
    assert main(["lint", "--format", "json"]) == 0
    problems = json.loads(capsys.readouterr().out)
    assert {"code", "severity", "pointer", "message"} <= set(problems[0])
    assert main(["lint", "--format", "xml"]) == 4
    assert capsys.readouterr().err.count("\n") == 1


# --- L100: what kind of document this is --------------------------------------------------------

JULY_REVISION = Path(__file__).parent / "fixtures" / "segments-2026-07.json"


def only_problem(document):
    problems = lint_document(document)
    assert len(problems) == 1 and problems[0].code == "L100" and problems[0].severity == "error"
    return problems[0].message


def test_a_swagger_2_document_is_named_and_fails(tmp_path, capsys):
    swagger = {"swagger": "2.0", "info": {"title": "x", "version": "1"}, "paths": {}}
    assert "Swagger 2.0" in only_problem(swagger)
    spec = tmp_path / "swagger.json"
    spec.write_text(json.dumps(swagger))
    assert main(["lint", str(spec)]) == 1
    assert "ERROR L100 #: a Swagger 2.0 document, not OpenAPI 3.0" in capsys.readouterr().out


def test_an_empty_object_says_what_is_missing():
    assert only_problem({}).startswith("no `openapi`, `info` or `paths` field")
    assert only_problem({"info": {"title": "x", "version": "1"}, "paths": {}}).startswith("no `openapi` field")


def test_openapi_3_1_is_named_as_unsupported_not_validated_as_3_0():
    document = contract.vendor_document() | {"openapi": "3.1.0"}
    assert only_problem(document).startswith("OpenAPI 3.1.0 is not supported")


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        (3.0, '`openapi` is 3.0, not a version string such as "3.0.3"'),
        ("4.0.0", 'is "4.0.0": not an OpenAPI 3.0.x version'),
    ],
)
def test_other_versions_are_named(version, expected):
    assert expected in only_problem(contract.vendor_document() | {"openapi": version})


def test_a_yaml_version_number_is_caught_through_the_command(tmp_path, capsys):
    spec = tmp_path / "spec.yaml"
    spec.write_text("openapi: 3.0\ninfo: {title: x, version: '1'}\npaths: {}\n")
    assert main(["lint", str(spec)]) == 1
    assert "not a version string" in capsys.readouterr().out


def test_an_invalid_3_0_document_still_says_why():
    document = {"openapi": "3.0.3", "info": {"title": "x"}, "paths": {}}
    assert "'version' is a required property" in only_problem(document).replace('"', "'")


# --- L005 ---------------------------------------------------------------------------------------


def test_l005_finds_the_july_revisions_required_but_undeclared_data():
    problems = lint_document(json.loads(JULY_REVISION.read_text(encoding="utf-8")))
    undeclared = [p for p in problems if p.code == "L005"]
    assert [p.pointer for p in undeclared] == ["#/components/schemas/SegmentsListResponseBody/required/2"]
    assert undeclared[0].severity == "warning"
    assert "`data`" in undeclared[0].message and "segments" in undeclared[0].message


def test_l005_counts_properties_declared_by_all_of_parts_and_skips_examples():
    document = contract.vendor_document()
    schemas = document["components"]["schemas"]
    # required names a property an allOf part declares: consistent
    schemas["Wrapped"] = {
        "allOf": [{"$ref": "#/components/schemas/Segment"}],
        "properties": {"extra": {"type": "string"}},
        "required": ["id", "extra"],
    }
    # an example value shaped like a schema is data, not a schema
    response = document["paths"]["/v1/segments"]["post"]["responses"]["200"]["content"]["application/json"]
    response["examples"]["Static"]["value"]["filter"] = {"properties": {"a": {}}, "required": ["b"]}
    assert [p for p in lint_document(document) if p.code == "L005"] == []

    schemas["Segment"]["required"] = ["id", "segment_id"]
    found = [p for p in lint_document(document) if p.code == "L005"]
    assert [p.pointer for p in found] == [
        "#/components/schemas/Segment/required/1",
    ]


def test_effective_lints_the_given_revision_with_the_overlay_applied(capsys):
    from conformance import cli

    july = "tests/fixtures/segments-2026-07.json"
    assert cli.main(["lint", july, "--effective"]) == 0
    out = capsys.readouterr().out
    assert f"in {july} with the overlay applied" in out
    assert "L005" not in out  # the overlay declares `data`, as the vendor's example shows it
    assert cli.main(["lint", "--spec", july]) == 0
    assert "L005" in capsys.readouterr().out  # the vendor's own document contradicts itself
