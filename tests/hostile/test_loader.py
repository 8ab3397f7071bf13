"""THE loader, piece by piece: each refusal is one line naming the file, and a legal document loads."""

import json
from pathlib import Path

import pytest

from conformance import loader
from conformance.contract import Contract, ContractError
from conformance.exits import UsageError

JULY = Path(__file__).resolve().parents[1] / "fixtures" / "segments-2026-07.json"


def minimal(**extra):
    return {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, **extra}


def write(tmp_path, text, name="doc.json"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def refused(tmp_path, text, name="doc.json"):
    path = write(tmp_path, text, name)
    with pytest.raises(loader.DocumentError) as caught:
        loader.load_document(path)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message and isinstance(caught.value, UsageError)
    return message


def test_a_legal_document_loads_and_yaml_status_codes_become_strings(tmp_path):
    path = write(tmp_path, "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
                           "      responses:\n        200: {description: ok}\n      x-when: 2020-01-01\n", "doc.yaml")
    document = loader.load_document(path)
    assert document["paths"]["/a"]["get"]["responses"] == {"200": {"description": "ok"}}
    assert document["paths"]["/a"]["get"]["x-when"] == "2020-01-01"
    assert loader.validation_problems(document) == []


@pytest.mark.parametrize(("ref", "said"), [
    ("http://127.0.0.2:9/x.json", "only local references"),
    ("file:///etc/passwd", "only local references"),
    ("other.yaml#/a", "only local references"),
    ("/proc/self/environ", "only local references"),
])
def test_a_reference_outside_the_document_is_refused(tmp_path, ref, said):
    document = minimal(components={"schemas": {"A": {"$ref": ref}}})
    assert said in refused(tmp_path, json.dumps(document))


def test_external_examples_and_operation_refs_are_refused(tmp_path):
    example = minimal(components={"examples": {"E": {"externalValue": "http://127.0.0.2/e"}}})
    assert "externalValue" in refused(tmp_path, json.dumps(example))
    link = minimal(components={"links": {"L": {"operationRef": "https://127.0.0.2/spec#/paths"}}})
    assert "operationRef" in refused(tmp_path, json.dumps(link))


def test_a_recursive_schema_is_refused_in_one_line(tmp_path):
    node = {"type": "object", "properties": {"child": {"$ref": "#/components/schemas/Node"}}}
    assert "recursive" in refused(tmp_path, json.dumps(minimal(components={"schemas": {"Node": node}})))


def test_a_reference_bomb_is_refused_without_building_it(tmp_path):
    schemas = {"S0": {"type": "string"}}
    for level in range(1, 40):
        schemas[f"S{level}"] = {"allOf": [{"$ref": f"#/components/schemas/S{level - 1}"}] * 2}
    assert "expand" in refused(tmp_path, json.dumps(minimal(components={"schemas": schemas})))


def test_yaml_aliases_are_refused(tmp_path):
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    assert "alias" in refused(tmp_path, bomb, "bomb.yaml")


@pytest.mark.parametrize(("text", "said"), [
    ('{"openapi": NaN}', "NaN is not JSON"),
    ('{"a": Infinity}', "Infinity is not JSON"),
    ('{"a": 1e999}', "out of range"),
    ('{"a": 1, "a": 2}', "duplicate key"),
    ("[" * 10_000 + "]" * 10_000, "nested"),
    ("a:\n" + "".join("  " * depth + "- \n" for depth in range(200)), "nested"),
    ('{"a": ' + "9" * 5000 + "}", "digits"),
    ("a: .nan\n", "finite"),
    ('{"a": "\x00"}', "NUL"),
    (b"\xff\xfe{}", "UTF-8"),
    ("{1: 2}", "not valid JSON"),
    ("? [a]\n: b\n", "unhashable key"),
    ("1.5: b\n", "not a string"),
])
def test_strict_json_and_bounded_yaml(tmp_path, text, said):
    assert said in refused(tmp_path, text)


def test_sizes_and_file_kinds_are_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "MAX_BYTES", 100)
    assert "more than the 100" in refused(tmp_path, json.dumps(minimal(x="y" * 200)))
    with pytest.raises(loader.DocumentError, match="not a regular file"):
        loader.load_document("/dev/zero")
    with pytest.raises(loader.DocumentError, match="not a regular file"):
        loader.load_document(tmp_path)


def test_the_contract_reads_through_the_loader(tmp_path):
    path = write(tmp_path, json.dumps(minimal(components={"schemas": {"A": {"$ref": "http://127.0.0.2/"}}})))
    with pytest.raises(ContractError, match="only local references"):
        Contract.load(path)
    assert Contract.load(JULY).has("list-segment")


def test_a_valid_document_and_the_first_problem_of_an_invalid_one(tmp_path):
    assert loader.load_valid_document(JULY)["openapi"].startswith("3.0")
    broken = write(tmp_path, json.dumps(minimal(paths={"/a": {"get": {}}})))
    with pytest.raises(loader.DocumentError, match="not a valid OpenAPI 3.0 document"):
        loader.load_valid_document(broken)


def test_control_characters_in_a_refusal_are_escaped(tmp_path):
    message = refused(tmp_path, json.dumps(minimal(components={"schemas": {"A": {"$ref": "\x1b]0;pwned\x07"}}})))
    assert "\x1b" not in message and "\x07" not in message and "pwned" in message


def test_a_reference_to_nothing_is_refused(tmp_path):
    document = minimal(components={"schemas": {"A": {"$ref": "#/components/schemas/Missing"}}})
    assert "points at nothing" in refused(tmp_path, json.dumps(document))
    escaped = minimal(components={"schemas": {"a/b": {"type": "string"}, "A": {"$ref": "#/components/schemas/a~1b"}}})
    assert loader.load_document(write(tmp_path, json.dumps(escaped)))["components"]["schemas"]["A"]


@pytest.mark.parametrize("path", sorted((JULY.parent / "history").glob("*.json")), ids=lambda path: path.name)
def test_every_published_revision_loads(path):
    """The loader refuses what is hostile, not what the vendor publishes (some revisions are invalid
    OpenAPI: that is validation's finding, not the loader's)."""
    assert loader.load_document(path)["paths"]
