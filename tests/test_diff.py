"""`conformance diff`: the bundled document against the vendor's July 2026 revision, and mutations
of the bundled document made here, from a deep copy (the fixture files are never edited)."""

import copy
import json
from pathlib import Path

import pytest
import yaml

from conformance import contract, diff
from conformance.cli import main
from conformance.diff import RULES, diff_documents, format_diff_summary, rules_markdown

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_FILE = str(ROOT / "openapi" / "segments.json")
JULY_FIXTURE = ROOT / "tests" / "fixtures" / "segments-2026-07.json"
JULY_SHARED = Path("/work/shared/contracts/segments-2026-07.json")  # absent on a fresh CI machine
BUNDLED = contract.vendor_document()
SEGMENT_PATH = "/v1/segments/{segmentId}"


def mutated(mutate):
    document = copy.deepcopy(BUNDLED)
    mutate(document)
    return document


def schemas(document):
    return document["components"]["schemas"]


def prop(document, schema, name):
    return schemas(document)[schema]["properties"][name]


def operation(document, method, path=SEGMENT_PATH):
    return document["paths"][path][method]


def create_body(document):
    return operation(document, "post", "/v1/segments")["requestBody"]["content"]["application/json"]


STATIC, DYNAMIC = "SegmentsCreateRequestBodyStatic", "SegmentsCreateRequestBodyDynamic"
ERROR_PROPERTY = "#/components/schemas/Error/properties/error"


def changes_of(mutate):
    return diff_documents(BUNDLED, mutated(mutate)).changes


def only(changes, rule_id):
    """The changes of one rule, after checking that no other rule fired."""
    assert {change.id for change in changes} == {rule_id}, [change.id for change in changes]
    return list(changes)


# --- the July 2026 revision ---------------------------------------------------------------------


def test_the_fixture_is_the_shared_july_revision_byte_for_byte():
    if not JULY_SHARED.exists():
        pytest.skip(f"{JULY_SHARED} is not on this machine")
    assert JULY_FIXTURE.read_bytes() == JULY_SHARED.read_bytes()


def test_the_july_revision_adds_list_segment_and_every_change_is_classified():
    result = diff_documents(BUNDLED, json.loads(JULY_FIXTURE.read_bytes()))
    assert all(isinstance(c.breaks_clients, bool) and isinstance(c.breaks_servers, bool) for c in result.changes)
    assert all(RULES[change.id] is change.rule for change in result.changes)
    assert [(c.id, str(c.operation), c.location) for c in result.changes] == [
        ("endpoint-added", "GET /v1/segments (list-segment)", "#/paths/~1v1~1segments/get"),
        ("response-optional-property-added", f"GET {SEGMENT_PATH} (get-segment)", ERROR_PROPERTY),
        ("response-optional-property-added", f"DELETE {SEGMENT_PATH} (delete-segment)", ERROR_PROPERTY),
    ]
    added, *error_property = result.changes
    assert (added.breaks_clients, added.breaks_servers) == (False, True)
    # the list requirements now apply; a 405 probe of GET /v1/segments no longer does; every operation is served
    assert {"SEG-OPERATION-SERVED", "SEG-LIST-SCHEMA", "SEG-LIST-LIMIT", "SEG-METHOD-405"} <= set(added.requirements)
    for change in error_property:
        assert (change.breaks_clients, change.breaks_servers) == (False, False)
        assert {"SEG-ERROR-OBJECT", "SEG-ERROR-CODE-STATUS"} <= set(change.requirements)
    assert result.breaking_for_clients == ()


def test_moving_and_wrapping_schemas_is_no_change():
    """What the July revision also does, and what must not show: the path parameter's schema moved
    into a component, descriptions and examples rewritten, `security: []` dropped at the top."""
    def refactor(document):
        parameter = document["paths"][SEGMENT_PATH]["parameters"][0]
        schemas(document)["SegmentId"] = parameter["schema"]
        parameter["schema"] = {"$ref": "#/components/schemas/SegmentId"}
        response = document["paths"]["/v1/segments"]["post"]["responses"]["200"]["content"]["application/json"]
        response["schema"] = {"allOf": [{"$ref": "#/components/schemas/SegmentsCreateResponseBody"}]}
        response["examples"] = {}
        schemas(document)["Segment"]["description"] = "rewritten"
        del document["security"]

    assert changes_of(refactor) == ()


def test_renaming_a_path_variable_is_no_change():
    def rename(document):
        document["paths"]["/v1/segments/{id}"] = document["paths"].pop(SEGMENT_PATH)
        document["paths"]["/v1/segments/{id}"]["parameters"][0]["name"] = "id"

    assert changes_of(rename) == ()


def test_identical_documents_give_no_change():
    result = diff_documents(BUNDLED, copy.deepcopy(BUNDLED))
    assert result.changes == ()
    assert format_diff_summary(result).startswith("No change to the API")


# --- the mutations the brief names --------------------------------------------------------------


def test_a_request_enum_value_removed_breaks_clients():
    changes = only(changes_of(lambda d: prop(d, DYNAMIC, "type")["enum"].remove("passive")),
                   "request-property-enum-value-removed")
    [change] = changes
    assert (change.breaks_clients, change.breaks_servers) == (True, False)
    assert (change.old, change.new) == ("passive", None)
    assert change.location == "#/components/schemas/SegmentsCreateRequestBodyDynamic/properties/type/enum"
    assert str(change.operation) == "POST /v1/segments (create-segment)"
    assert "SEG-CREATE-PASSIVE-200" in change.requirements and "SEG-GET-200" not in change.requirements
    assert '`oneOf[SegmentsCreateRequestBodyDynamic]/type`: enum value "passive" removed' in change.message


def test_a_response_enum_value_added_breaks_strict_clients():
    changes = only(changes_of(lambda d: prop(d, "Segment", "type")["enum"].append("archived")),
                   "response-property-enum-value-added")
    assert [change.operation.operation_id for change in changes] == ["create-segment", "get-segment"]
    for change in changes:
        assert (change.breaks_clients, change.breaks_servers) == (True, False)
        assert change.new == "archived"
        assert {"SEG-SEGMENT-SCHEMA", "SEG-SEGMENT-OBJECT", "SEG-SEGMENT-CREATED-AT"} <= set(change.requirements)


def test_a_request_property_made_required_breaks_clients():
    [change] = only(changes_of(lambda d: schemas(d)[STATIC].update(required=["customers"])),
                    "request-property-became-required")
    assert (change.breaks_clients, change.breaks_servers) == (True, False)
    assert change.location == "#/components/schemas/SegmentsCreateRequestBodyStatic/required/0"


def test_a_response_status_removed_breaks_servers_not_clients():
    [change] = only(changes_of(lambda d: operation(d, "get")["responses"].pop("404")),
                    "response-non-success-status-removed")
    assert (change.breaks_clients, change.breaks_servers) == (False, True)
    assert change.document == "old" and change.location.endswith("/get/responses/404")

    [success] = only(changes_of(lambda d: operation(d, "delete")["responses"].pop("204")),
                     "response-success-status-removed")
    assert (success.breaks_clients, success.breaks_servers) == (False, True)


def test_a_status_that_replaces_another_breaks_clients():
    def replace_204_by_200(document):
        responses = operation(document, "delete")["responses"]
        responses["200"] = responses.pop("204")

    changes = changes_of(replace_204_by_200)
    assert {(c.id, c.breaks_clients) for c in changes} == {
        ("response-success-status-added", True),
        ("response-success-status-removed", False),
    }


def test_a_type_changed_breaks_both_and_touches_the_error_requirements():
    changes = only(changes_of(lambda d: prop(d, "Error", "code").update(type="string")),
                   "response-property-type-changed")
    assert [change.operation.operation_id for change in changes] == ["get-segment", "delete-segment"]
    for change in changes:
        assert (change.breaks_clients, change.breaks_servers) == (True, True)
        assert (change.old, change.new) == ("integer", "string")
        assert {"SEG-ERROR-OBJECT", "SEG-ERROR-CODE-STATUS"} <= set(change.requirements)


def test_security_alternatives_merged_into_one_requirement_break_clients():
    def merge(document):
        operation(document, "post", "/v1/segments")["security"] = [
            {"X-App-Id": [], "X-App-Token": [], "X-Voucherify-OAuth": ["api", "segments"]}
        ]

    [change] = only(changes_of(merge), "api-security-alternatives-merged")
    assert (change.breaks_clients, change.breaks_servers) == (True, False)
    assert change.old == [{"X-App-Id": [], "X-App-Token": []}, {"X-Voucherify-OAuth": ["api", "segments"]}]
    assert change.location == "#/paths/~1v1~1segments/post/security"


def test_an_operation_removed_breaks_clients():
    [change] = only(changes_of(lambda d: d["paths"][SEGMENT_PATH].pop("delete")), "endpoint-removed")
    assert (change.breaks_clients, change.breaks_servers) == (True, False)
    assert change.document == "old" and str(change.operation) == f"DELETE {SEGMENT_PATH} (delete-segment)"
    assert "SEG-DELETE-404" in change.requirements and "SEG-METHOD-405" in change.requirements


# --- more of the rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mutate", "rule_id", "clients", "servers"),
    [
        pytest.param(lambda d: prop(d, STATIC, "type")["enum"].append("frozen"),
                     "request-property-enum-value-added", False, True, id="request enum value added"),
        pytest.param(lambda d: prop(d, "Segment", "name").update(nullable=True),
                     "response-property-became-nullable", True, False, id="response property made nullable"),
        pytest.param(lambda d: schemas(d)["Segment"]["properties"].pop("updated_at"),
                     "response-optional-property-removed", True, False, id="response property removed"),
        pytest.param(lambda d: schemas(d)["Segment"].update(required=["id"]),
                     "response-property-became-required", False, True, id="response property made required"),
        pytest.param(lambda d: schemas(d)[DYNAMIC]["properties"].update(tags={"type": "array"}),
                     "new-optional-request-property", False, True, id="request property added"),
        pytest.param(lambda d: schemas(d)["SegmentsCreateRequestBody"]["oneOf"].pop(),
                     "request-property-one-of-removed", True, False, id="oneOf branch removed"),
        pytest.param(lambda d: prop(d, "Segment", "created_at").update(format="date"),
                     "response-property-format-changed", True, True, id="format changed"),
        pytest.param(lambda d: prop(d, STATIC, "customers").update(maxItems=20000),
                     "request-property-max-items-decreased", True, False, id="maxItems set"),
        pytest.param(lambda d: prop(d, STATIC, "customers")["items"].update(type="integer"),
                     "request-property-type-changed", True, True, id="items type changed"),
        pytest.param(lambda d: prop(d, DYNAMIC, "filter").update(additionalProperties={"type": "object"}),
                     "request-property-type-specialized", True, False, id="additionalProperties typed"),
        pytest.param(lambda d: prop(d, STATIC, "type").update(default="dynamic"),
                     "request-property-default-changed", True, True, id="request default changed"),
        pytest.param(lambda d: operation(d, "get").update(parameters=[
                         {"name": "expand", "in": "query", "required": True, "schema": {"type": "string"}}]),
                     "new-required-request-parameter", True, True, id="required parameter added"),
        pytest.param(lambda d: d["paths"][SEGMENT_PATH]["parameters"][0]["schema"].update(maxLength=40),
                     "request-parameter-max-length-decreased", True, False, id="parameter maxLength set"),
        pytest.param(lambda d: operation(d, "post", "/v1/segments")["requestBody"]["content"].update({"text/csv": {}}),
                     "request-body-media-type-added", False, True, id="request media type added"),
        pytest.param(lambda d: operation(d, "post", "/v1/segments")["requestBody"].update(required=False),
                     "request-body-became-optional", False, True, id="request body made optional"),
        pytest.param(lambda d: operation(d, "get")["responses"]["200"].update(
                         headers={"X-Rate-Limit-Remaining": {"required": True, "schema": {"type": "integer"}}}),
                     "response-required-header-added", False, True, id="required response header added"),
        pytest.param(lambda d: operation(d, "get").update(security=[
                         {"X-Voucherify-OAuth": ["api", "segments", "admin"]}, {"X-App-Id": [], "X-App-Token": []}]),
                     "api-security-scope-added", True, False, id="scope added"),
        pytest.param(lambda d: operation(d, "get").update(security=[{"X-App-Id": [], "X-App-Token": []}]),
                     "api-security-removed", True, False, id="security alternative removed"),
        pytest.param(lambda d: operation(d, "get").update(security=[]),
                     "api-security-added", False, True, id="anonymous access added"),
        pytest.param(lambda d: d["components"]["securitySchemes"]["X-App-Token"].update(name="X-Client-Token"),
                     "api-security-scheme-changed", True, True, id="api key header renamed"),
    ],
)
def test_each_rule_is_classified_as_its_table_says(mutate, rule_id, clients, servers):
    changes = changes_of(mutate)
    assert changes and {change.id for change in changes} == {rule_id}, [change.id for change in changes]
    assert {(change.breaks_clients, change.breaks_servers) for change in changes} == {(clients, servers)}


def test_a_parameter_that_moves_is_one_change():
    def limit_in(location):
        return lambda d: operation(d, "delete").update(
            parameters=[{"name": "limit", "in": location, "schema": {"type": "integer"}}])

    [change] = diff_documents(mutated(limit_in("query")), mutated(limit_in("header"))).changes
    assert (change.id, change.old, change.new) == ("request-parameter-location-changed", "query", "header")
    assert (change.breaks_clients, change.breaks_servers) == (True, True)


def test_a_recursive_schema_is_compared_once_and_ends():
    def recurse(document):
        schemas(document)["Segment"]["properties"]["parent"] = {"$ref": "#/components/schemas/Segment"}

    old = mutated(recurse)
    new = mutated(lambda d: (recurse(d), prop(d, "Segment", "type")["enum"].append("archived")))
    changes = diff_documents(old, new).changes
    # the enum value is reported where the schema is met: the body, and once through `parent`
    assert {change.message.split(":")[0] for change in changes} == {
        "response 200 body property `type`", "response 200 body property `parent/type`"}


def test_a_document_with_a_dangling_ref_is_a_document_error():
    broken = mutated(lambda d: create_body(d).update(schema={"$ref": "#/components/schemas/Missing"}))
    with pytest.raises(diff.DocumentError, match="points at nothing"):
        diff_documents(BUNDLED, broken, new_label="broken.json")


# --- the rule table -----------------------------------------------------------------------------


def test_docs_diff_md_has_the_rule_table_of_the_code():
    text = (ROOT / "docs" / "diff.md").read_text(encoding="utf-8")
    table = text.split("<!-- rules:begin -->\n")[1].split("<!-- rules:end -->")[0]
    assert table == rules_markdown(), "run: python -m conformance.diff"


def test_every_departure_from_oasdiff_for_clients_is_explained():
    breaking = {"ERR": True, "INFO": False, "-": False}  # no oasdiff rule: oasdiff reports nothing
    for rule in RULES.values():
        level = rule.oasdiff.rsplit(" ", 1)[-1]
        if level == "WARN" or breaking[level] != rule.breaks_clients:
            assert rule.differs, f"{rule.id}: oasdiff says {rule.oasdiff}, we say breaks_clients={rule.breaks_clients}"


# --- the command --------------------------------------------------------------------------------


def write(tmp_path, name, document):
    path = tmp_path / name
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def test_command_text_on_the_july_revision_exits_0(capsys):
    assert main(["diff", BUNDLED_FILE, str(JULY_FIXTURE)]) == 0
    out = capsys.readouterr().out
    assert "3 changes, 0 break existing clients, 1 breaks existing servers." in out
    assert out.index("BREAKING FOR EXISTING CLIENTS (0)") < out.index("NOT BREAKING FOR EXISTING CLIENTS (3)")
    assert "endpoint-added [breaks servers]: new operation" in out


def test_command_exits_1_when_a_change_breaks_clients_and_lists_it_first(tmp_path, capsys):
    july_without_delete = json.loads(JULY_FIXTURE.read_bytes())
    del july_without_delete["paths"][SEGMENT_PATH]["delete"]
    new = write(tmp_path, "new.json", july_without_delete)
    assert main(["diff", BUNDLED_FILE, new]) == 1
    out = capsys.readouterr().out
    assert out.index("endpoint-removed") < out.index("endpoint-added")


def test_command_json_output_has_the_documented_shape(tmp_path, capsys):
    assert main(["diff", "--format", "json", BUNDLED_FILE, str(JULY_FIXTURE)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert list(result) == ["schema_version", "old", "new", "summary", "notes", "changes"]
    assert result["summary"] == {"changes": 3, "breaking_for_clients": 0, "breaking_for_servers": 1}
    assert result["new"] == {"label": str(JULY_FIXTURE), "openapi": "3.0.1", "version": "v2018-08-01"}
    assert list(result["changes"][0]) == [
        "id", "breaks_clients", "breaks_servers", "operation", "location", "document", "old", "new", "message",
        "requirements"]
    assert result["changes"][0]["operation"] == {
        "method": "GET", "path": "/v1/segments", "operation_id": "list-segment"}


def test_command_markdown_and_yaml_input(tmp_path, capsys):
    old = tmp_path / "old.yaml"
    old.write_text(yaml.safe_dump(BUNDLED, allow_unicode=True), encoding="utf-8")
    new = write(tmp_path, "new.json", mutated(lambda d: prop(d, "Segment", "type")["enum"].append("archived")))
    assert main(["diff", "--format", "markdown", str(old), new]) == 1
    out = capsys.readouterr().out
    assert "## Breaking for existing clients (2)" in out and "## Not breaking for existing clients (0)" in out
    assert "| `response-property-enum-value-added` | `POST /v1/segments (create-segment)` |" in out

    assert main(["diff", str(old), BUNDLED_FILE]) == 0
    assert "No change to the API." in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such file, and not a shipped revision"),
        ("openapi: [unclosed\n", "cannot parse"),
        ("[1, 2]\n", "not a JSON or YAML object"),
        ("{}", "no `openapi`, `info` or `paths` field"),
        ('{"swagger": "2.0", "info": {}, "paths": {}}', "a Swagger 2.0 document"),
        ('{"openapi": "3.1.0", "info": {}, "paths": {}}', "OpenAPI 3.1.0 is not supported"),
        ('{"openapi": "3.0.3", "info": {}}', '"paths" is a required property'),
    ],
)
def test_command_exits_4_on_a_document_it_cannot_read(tmp_path, capsys, content, expected):
    path = tmp_path / "bad.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert main(["diff", BUNDLED_FILE, str(path)]) == 4
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert expected in captured.err


def test_command_exits_4_on_a_dangling_ref_and_a_bad_format(tmp_path, capsys):
    broken = write(tmp_path, "broken.json", mutated(lambda d: create_body(d).update(schema={"$ref": "#/nowhere"})))
    assert main(["diff", BUNDLED_FILE, broken]) == 4
    error = capsys.readouterr().err  # the loader refuses it, naming the file, the reference and where it is
    assert error.startswith(f"error: {broken}: $ref \"#/nowhere\" at #/paths/") and error.count("\n") == 1
    assert error.endswith("points at nothing in the document\n")
    assert main(["diff", "--format", "xml", BUNDLED_FILE, broken]) == 4
    assert capsys.readouterr().err.count("\n") == 1


# --- the summary for compare --------------------------------------------------------------------


def test_the_summary_is_a_few_lines_breaking_changes_first():
    july = diff_documents(BUNDLED, json.loads(JULY_FIXTURE.read_bytes()))
    assert format_diff_summary(july).splitlines() == [
        "The contract changed (info.version v2018-08-01 in both): 3 changes, 0 break existing clients, "
        "1 breaks existing servers.",
        "  breaks servers: GET /v1/segments (list-segment): new operation (endpoint-added)",
    ]
    many = diff_documents(BUNDLED, mutated(lambda d: d.update(paths={})))
    lines = format_diff_summary(many, limit=2).splitlines()
    assert len(lines) == 4 and lines[1].startswith("  breaks clients: ") and "1 more breaking" in lines[3]


# --- the vendor's published revisions, invalid ones included ------------------------------------

HISTORY = ROOT / "tests" / "fixtures" / "history"


def test_an_invalid_new_revision_is_one_line_exit_4_naming_the_problem_as_lint_does(capsys):
    old, new = (str(HISTORY / name) for name in ("segments-2025-12-03-c3d8f76a.json", "segments-2025-12-31-673ae2e7.json"))
    assert main(["diff", old, new]) == 4
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert captured.err.startswith(f"error: cannot diff: NEW {new} is invalid (lint L100): not a valid OpenAPI 3.0")
    assert main(["lint", new]) == 1 and "L100" in capsys.readouterr().out


def test_declaring_a_path_variable_the_old_path_had_is_a_correction_not_a_break(capsys):
    old, new = (str(HISTORY / name) for name in ("reference-segments-2025-08-29-3e707093.json",
                                                 "reference-segments-2025-08-29-5fbfd650.json"))
    assert main(["diff", old, new]) == 0
    out = capsys.readouterr().out
    assert "new-required-request-parameter" not in out
    assert f"NOTE OLD {old} is invalid (lint L100): " in out and "segmentId" in out.split("\n")[2]
    assert "path-parameter-declared [servers unaffected]: path parameter `segmentId` declared" in out
    assert "0 break existing clients, 0 break existing servers" in out


def test_an_invalid_old_security_requirement_does_not_crash_and_is_no_break(capsys):
    old, new = (str(HISTORY / name) for name in ("segments-2025-12-31-673ae2e7.json", "segments-2026-02-02-302ca66e.json"))
    assert main(["diff", "--format", "json", old, new]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["notes"] and "is invalid (lint L100)" in result["notes"][0]
    assert not [change for change in result["changes"] if change["id"].startswith("api-security")]
    invalid = json.loads((HISTORY / "segments-2025-12-31-673ae2e7.json").read_bytes())
    assert diff_documents(BUNDLED, invalid) is not None  # the Python API reads it without a TypeError
