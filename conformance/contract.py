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
from oas_patch.overlay import apply_overlay
from openapi_schema_validator import OAS30Validator, oas30_format_checker

_OPENAPI = files("conformance.openapi")
VENDOR_DOCUMENT = "segments.json"
OVERLAY_DOCUMENT = "overlay.yaml"

CREATE_PATH = "/v1/segments"
SEGMENT_PATH = "/v1/segments/{segmentId}"


def vendor_bytes() -> bytes:
    return (_OPENAPI / VENDOR_DOCUMENT).read_bytes()


def vendor_document() -> dict[str, Any]:
    """The vendor's document, transcribed faithfully (a fresh copy: callers may mutate it)."""
    return json.loads(vendor_bytes())


def overlay_document() -> dict[str, Any]:
    return yaml.safe_load((_OPENAPI / OVERLAY_DOCUMENT).read_text(encoding="utf-8"))


@functools.cache
def _effective() -> dict[str, Any]:
    return apply_overlay(vendor_document(), overlay_document())


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


@functools.cache
def _schema_validator(pointer: str, effective: bool) -> OAS30Validator:
    root = _effective() if effective else json.loads(vendor_bytes())
    schema = inline_refs(resolve_pointer(root, pointer), root)
    return OAS30Validator(schema, format_checker=oas30_format_checker)


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
