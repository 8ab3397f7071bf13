"""`conformance lint`: the document's own problems, with pointers and exit codes."""

import json


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
    assert capsys.readouterr().err.startswith("error: cannot parse")


def test_lint_json_format_and_bad_option(capsys):
    assert main(["lint", "--format", "json"]) == 0
    problems = json.loads(capsys.readouterr().out)
    assert {"code", "severity", "pointer", "message"} <= set(problems[0])
    assert main(["lint", "--format", "xml"]) == 4
    assert capsys.readouterr().err.count("\n") == 1
