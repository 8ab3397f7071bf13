"""Hostile OpenAPI documents, through every command that reads one (lint, diff, run, sdk, mock):
exit 4 in one line, no traceback, no connection to any host, no other file's content in any
output, bounded time and memory. Legal but odd documents (a recursive schema, a title full of
escape sequences) are served or refused in one line, and their text never reaches the terminal raw."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hostile_tools import SECRET, conformance, write_json
from hostile_tools import listener  # noqa: F401 (fixtures)

REVISION = Path(__file__).resolve().parents[1] / "fixtures" / "segments-2026-07.json"  # the July revision, as published


def legal() -> dict:
    return json.loads(REVISION.read_text(encoding="utf-8"))


def with_schema_ref(ref: str) -> dict:
    """The July revision with the Segment schema replaced by a reference, used by every operation."""
    document = legal()
    document["components"]["schemas"]["Segment"] = {"$ref": ref}
    return document


def _recursive() -> dict:
    document = legal()
    segment = document["components"]["schemas"]["Segment"]
    segment["properties"]["parent"] = {"$ref": "#/components/schemas/Segment"}
    return document


def _reference_bomb() -> dict:
    document = legal()
    schemas = document["components"]["schemas"]
    schemas["B0"] = {"type": "string"}
    for level in range(1, 40):
        schemas[f"B{level}"] = {"type": "object", "properties": {
            "a": {"$ref": f"#/components/schemas/B{level - 1}"}, "b": {"$ref": f"#/components/schemas/B{level - 1}"}}}
    schemas["Segment"]["properties"]["bomb"] = {"$ref": "#/components/schemas/B39"}
    return document


def _alias_bomb() -> str:
    lines = ['openapi: "3.0.3"', "info: {title: t, version: '1'}", "paths: {}", "x-bomb:", '  l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"  l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * 9)}]" for level in range(1, 12)]
    return "\n".join(lines) + "\n"


def documents(tmp: Path, listener) -> dict[str, Path]:
    """Each hostile document, by name, written under `tmp`."""
    secret = tmp / "secret.json"
    secret.write_text(json.dumps({"a": {"type": "string", "description": SECRET}, "x": SECRET}), encoding="utf-8")
    remote = f"{listener.url()}/schema.json#/a"
    example = legal()
    media = example["paths"]["/v1/segments"]["post"]["requestBody"]["content"]["application/json"]
    media["examples"] = {"remote": {"externalValue": f"{listener.url()}/example.json"}}
    texts = {
        "remote-ref": json.dumps(with_schema_ref(remote)),
        "remote-ref-loopback": json.dumps(with_schema_ref(f"{listener.url('127.0.0.1')}/schema.json")),
        "file-ref": json.dumps(with_schema_ref(f"file://{secret}#/a")),
        "relative-ref": json.dumps(with_schema_ref("secret.json#/a")),
        "proc-ref": json.dumps(with_schema_ref("/proc/self/cwd/secret.json#/a")),
        "broken-ref": json.dumps(with_schema_ref("#/components/schemas/Missing")),
        "external-value": json.dumps(example),
        "recursive-schema": json.dumps(_recursive()),
        "reference-bomb": json.dumps(_reference_bomb()),
        "alias-bomb": _alias_bomb(),
        "deep-json": '{"openapi": "3.0.3", "x": ' + "[" * 10_000 + "]" * 10_000 + "}",
        "deep-yaml": "openapi: 3.0.3\nx: " + "[" * 10_000 + "]" * 10_000 + "\n",
        "nan": json.dumps(legal()).replace('"minimum": 1', '"minimum": NaN', 1).replace("{", '{"x-n": NaN, ', 1),
        "infinity": json.dumps(legal()).replace("{", '{"x-n": Infinity, ', 1),
        "duplicate-keys": json.dumps(legal()).replace("{", '{"openapi": "2.0", ', 1),
        "huge-integer": json.dumps(legal()).replace("{", '{"x-n": ' + "9" * 5000 + ", ", 1),
        "not-utf8": b"\xff\xfe" + json.dumps(legal()).encode("utf-16-le"),
        "top-level-list": "[1, 2, 3]",
    }
    paths = {}
    for name, text in texts.items():
        path = tmp / (f"{name}.yaml" if "yaml" in name or "alias" in name else f"{name}.json")
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        paths[name] = path
    fifo = tmp / "fifo.json"
    os.mkfifo(fifo)
    paths["fifo"], paths["device"] = fifo, Path("/dev/zero")
    return paths


NAMES = ["remote-ref", "remote-ref-loopback", "file-ref", "relative-ref", "proc-ref", "broken-ref", "external-value",
         "recursive-schema", "reference-bomb", "alias-bomb", "deep-json", "deep-yaml", "nan", "infinity",
         "duplicate-keys", "huge-integer", "not-utf8", "top-level-list", "fifo", "device"]
SAID = {"remote-ref": "only local references", "file-ref": "only local references", "relative-ref": "only local", "broken-ref": "points at nothing",
        "external-value": "externalValue", "recursive-schema": "recursive", "reference-bomb": "expand",
        "alias-bomb": "alias", "deep-json": "nested", "deep-yaml": "nested", "nan": "NaN", "infinity": "Infinity",
        "duplicate-keys": "duplicate key", "huge-integer": "digits", "not-utf8": "UTF-8", "top-level-list": "not a JSON or YAML object"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, listener):
    return documents(tmp_path_factory.mktemp("documents"), listener)


def commands(path: Path, tmp: Path) -> dict[str, list[str]]:
    return {
        "lint": ["lint", str(path)],
        "lint --effective": ["lint", "--effective", str(path)],
        "diff": ["diff", str(REVISION), str(path)],
        "run": ["run", "--spec", str(path), "--report-dir", str(tmp / "run"), "-q"],
        "sdk": ["sdk", "--client", "reference", "--spec", str(path), "--report-dir", str(tmp / "sdk"), "-q"],
        "mock": ["mock", "--spec", str(path), "--port", "0"],
    }


@pytest.mark.parametrize("command", ["lint", "lint --effective", "diff", "run", "sdk", "mock"])
@pytest.mark.parametrize("name", NAMES)
def test_a_hostile_document_is_refused_in_one_line_by_every_command(corpus, listener, tmp_path, name, command):
    outcome = conformance(*commands(corpus[name], tmp_path)[command])
    outcome.refused(SAID.get(name, ""))
    assert listener.connections == []
    assert not (tmp_path / "run" / "summary.json").exists()  # refused before the run began


def test_a_title_full_of_escape_sequences_never_reaches_the_terminal_raw(tmp_path, listener):
    document = legal()
    document["info"]["title"] = "\x1b]0;pwned\x07\x1b[31mRED\x9b2J"
    document["info"]["version"] = "v\x1b[2J"
    document["paths"]["/v1/segments"]["post"]["operationId"] = "create-segment\x1b[5m"
    path = write_json(tmp_path / "ansi.json", document)
    for arguments in (["lint", str(path)], ["diff", str(REVISION), str(path)],
                      ["run", "--spec", str(path), "-k", "test_get_unknown", "--report-dir", str(tmp_path / "r")]):
        outcome = conformance(*arguments)
        assert outcome.returncode in (0, 1, 2), outcome.stderr[-2000:]
        outcome.bounded()
    outcome = conformance("compare", str(tmp_path / "r" / "summary.json"), str(tmp_path / "r" / "summary.json"))
    assert outcome.returncode == 0
    outcome.bounded()
    assert listener.connections == []


def test_a_document_the_embedded_mock_cannot_serve_is_one_line(tmp_path):
    document = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                "paths": {"/v2/other": {"get": {"operationId": "other", "responses": {"200": {"description": "ok"}}}}}}
    outcome = conformance("run", "--spec", str(write_json(tmp_path / "other.json", document)), "--report-dir", str(tmp_path))
    outcome.refused("the mock cannot serve GET /v2/other")


def test_a_base_uri_in_a_schema_or_a_server_url_reaches_nothing(tmp_path, listener):
    """`id`/`$id` change where JSON Schema resolves a reference; the libraries only ever see our
    local references, so a base URI naming another host reaches nothing. The document's `servers`
    never choose the target either."""
    document = legal()
    document["servers"] = [{"url": listener.url()}, {"url": listener.url("127.0.0.1")}]
    segment = document["components"]["schemas"]["Segment"]
    segment["id"] = segment["$id"] = f"{listener.url()}/base/"
    path = write_json(tmp_path / "base.json", document)
    for arguments in (["lint", str(path)], ["run", "--spec", str(path), "-q", "-k", "test_properties or test_create_static",
                                             "--report-dir", str(tmp_path / "r")]):
        conformance(*arguments).bounded()
    assert listener.connections == []
