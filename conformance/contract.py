"""The contract as data: the vendor's document, our overlay, and the effective document.

Everything that needs the contract (the suite, the mock, schemathesis, lint, the reports) gets it
from here, so there is exactly one reading of it.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from importlib.resources import files
from typing import Any

import yaml
from jsonschema import Draft4Validator

_OPENAPI = files("conformance.openapi")
VENDOR_DOCUMENT = "segments.json"
OVERLAY_DOCUMENT = "overlay.yaml"
# The overlay applied, kept in the repository: loading it is instant, where applying the overlay
# costs half a second of imports on every run. tests/test_contract.py proves it is up to date;
# `python -m conformance.contract` rewrites it after an edit of segments.json or overlay.yaml.
EFFECTIVE_DOCUMENT = "effective.json"

CREATE_PATH = "/v1/segments"
SEGMENT_PATH = "/v1/segments/{segmentId}"


def vendor_bytes() -> bytes:
    return (_OPENAPI / VENDOR_DOCUMENT).read_bytes()


def vendor_document() -> dict[str, Any]:
    """The vendor's document, transcribed faithfully (a fresh copy: callers may mutate it)."""
    return json.loads(vendor_bytes())


def overlay_document() -> dict[str, Any]:
    return yaml.safe_load((_OPENAPI / OVERLAY_DOCUMENT).read_text(encoding="utf-8"))


def build_effective_document() -> dict[str, Any]:
    """The vendor's document with our overlay applied, by an OpenAPI Overlay 1.0 implementation."""
    from oas_patch.overlay import apply_overlay

    return apply_overlay(vendor_document(), overlay_document())


@functools.cache
def _effective() -> dict[str, Any]:
    return json.loads((_OPENAPI / EFFECTIVE_DOCUMENT).read_bytes())


def effective_document() -> dict[str, Any]:
    """The vendor's document with our overlay applied (a fresh copy: callers may mutate it)."""
    return copy.deepcopy(_effective())


def document_sha256() -> str:
    return hashlib.sha256(vendor_bytes()).hexdigest()


def document_version() -> str:
    return _effective()["info"]["version"]


def inline_refs(node: Any, root: dict[str, Any]) -> Any:
    """A copy of `node` with every local `$ref` replaced by what it points to.

    The segments document has no recursive schemas, so full inlining terminates and lets plain
    JSON Schema validators work on one self-contained schema.
    """
    if isinstance(node, dict):
        if "$ref" in node and isinstance(node["$ref"], str):
            return inline_refs(resolve_pointer(root, node["$ref"]), root)
        return {key: inline_refs(value, root) for key, value in node.items()}
    if isinstance(node, list):
        return [inline_refs(item, root) for item in node]
    return node


def resolve_pointer(root: dict[str, Any], ref: str) -> Any:
    if not ref.startswith("#/"):
        raise ValueError(f"only local references are supported, got {ref!r}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def to_json_schema(schema: Any) -> Any:
    """An OpenAPI 3.0 schema object as JSON Schema draft 4, which it extends: `nullable: true`
    becomes a "null" type; the annotations JSON Schema does not know are left for it to ignore."""
    if isinstance(schema, list):
        return [to_json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {key: to_json_schema(value) for key, value in schema.items() if key != "nullable"}
    if schema.get("nullable") is True:
        if "type" in converted:
            converted["type"] = [converted["type"], "null"]
        if "enum" in converted:
            converted["enum"] = [*converted["enum"], None]
    return converted


@functools.cache
def _schema_validator(pointer: str, effective: bool) -> Draft4Validator:
    root = _effective() if effective else json.loads(vendor_bytes())
    schema = to_json_schema(inline_refs(resolve_pointer(root, pointer), root))
    return Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


def schema_errors(instance: Any, pointer: str, *, effective: bool = True) -> list[str]:
    """Messages for each way `instance` breaks the schema at JSON pointer `pointer` ("#/...")."""
    validator = _schema_validator(pointer, effective)
    return [_describe(error) for error in validator.iter_errors(instance)]


def _describe(error) -> str:
    where = "/".join(str(part) for part in error.absolute_path)
    return f"{where or '(body)'}: {error.message}"


SEGMENT_SCHEMA = "#/components/schemas/Segment"
ERROR_SCHEMA = "#/components/schemas/Error"
CREATE_BODY_SCHEMA = "#/components/schemas/SegmentsCreateRequestBody"
STATIC_BODY_SCHEMA = "#/components/schemas/SegmentsCreateRequestBodyStatic"
DYNAMIC_BODY_SCHEMA = "#/components/schemas/SegmentsCreateRequestBodyDynamic"


if __name__ == "__main__":  # rewrite openapi/effective.json from segments.json and overlay.yaml
    from pathlib import Path

    target = Path(str(_OPENAPI / EFFECTIVE_DOCUMENT))
    target.write_text(json.dumps(build_effective_document(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {target}")
