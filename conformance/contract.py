"""The contract as data: a vendor document, our overlay on top of it, and the effective document.

Everything that needs the contract (the suite, the mock, schemathesis, checks, lint, the reports)
reads one `Contract`: the bundled revision by default, or any revision given with `--spec`. Its
identity (file, sha256, info.version, operations) is what reports show, because the vendor never
changes info.version: only the content tells revisions apart.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml
from jsonschema import FormatChecker

from conformance import rfc3339
from conformance.loader import MAX_BYTES, DocumentError, parse_document, read_bounded, resolve_pointer

_OPENAPI = files("conformance.openapi")
VENDOR_DOCUMENT = "segments.json"
OVERLAY_DOCUMENT = "overlay.yaml"
# The overlay applied to the bundled document, kept in the repository: loading it is instant, where
# applying the overlay costs half a second of imports on every run. tests/test_contract.py proves it
# is up to date; `python -m conformance.contract` rewrites it after an edit of either source.
EFFECTIVE_DOCUMENT = "effective.json"
BUNDLED = "bundled"

CREATE_PATH = "/v1/segments"
SEGMENT_PATH = "/v1/segments/{segmentId}"
HTTP_METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH")  # what a 405 probe may try (not HEAD/OPTIONS)
# An overlay action with this extension applies only where the document has that operation; where
# it has not, the action is skipped quietly instead of being reported as a lost reading.
OPERATION_EXTENSION = "x-conformance-operation"

SEGMENT_SCHEMA = "#/components/schemas/Segment"
ERROR_SCHEMA = "#/components/schemas/Error"
LIST_SCHEMA = "#/components/schemas/SegmentsListResponseBody"
CREATE_BODY_SCHEMA = "#/components/schemas/SegmentsCreateRequestBody"
STATIC_BODY_SCHEMA = "#/components/schemas/SegmentsCreateRequestBodyStatic"
DYNAMIC_BODY_SCHEMA = "#/components/schemas/SegmentsCreateRequestBodyDynamic"


class ContractError(DocumentError, ValueError):
    """A document that cannot serve as the contract; the message is one line, naming the file."""


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    path: str  # the documented path template
    operation_id: str

    @property
    def parameters(self) -> tuple[str, ...]:
        """The path parameters, in order: each carries the id of a resource."""
        return path_parameters(self.path)

    @property
    def creates(self) -> bool:
        """A POST to a collection (a path that does not end in a parameter) creates a resource:
        the run tags its body and records what it answers (conformance.transport)."""
        return self.method == "POST" and not is_item_path(self.path)

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


def path_parameters(template: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\{([^}/]+)\}", template))


def is_item_path(template: str) -> bool:
    """A path that addresses one resource: its last segment is a parameter (DELETE there deletes it)."""
    return re.search(r"/\{[^}/]+\}/?$", template) is not None


FORMATS = FormatChecker()
# A format constrains strings only (JSON Schema 7.1): a null updated_at is the type's business.
FORMATS.checks("date-time")(lambda instance: not isinstance(instance, str) or rfc3339.is_date_time(instance))


class Contract:
    """One revision of the vendor's segments document with our overlay applied."""

    def __init__(self, vendor_bytes: bytes, *, source: str, effective: dict[str, Any] | None = None) -> None:
        self.source = source
        self.sha256 = hashlib.sha256(vendor_bytes).hexdigest()
        self.vendor = _parse(vendor_bytes, source)
        _require_openapi_30(self.vendor, source)
        self.overlay_warnings: tuple[str, ...] = ()
        if effective is None:
            effective, self.overlay_warnings = apply_overlay(self.vendor, overlay_document())
        self.effective = effective
        self.operations = tuple(_operations(self.effective))
        if not self.operations:
            raise ContractError(f"{source}: documents no operation")
        self.operation_ids = frozenset(operation.operation_id for operation in self.operations)
        self._by_route = {(operation.method, operation.path): operation for operation in self.operations}
        self._path_patterns = [(_template_pattern(path), path) for path in self.effective.get("paths", {})]
        self._validators: dict[str, Any] = {}

    # --- loading ------------------------------------------------------------------------------------

    @classmethod
    def bundled(cls) -> Contract:
        return _bundled()

    @classmethod
    def load(cls, path: str | Path | None) -> Contract:
        """The revision at `path` with the overlay applied; the bundled one for None."""
        if path is None:
            return cls.bundled()
        try:
            data = read_bounded(path, MAX_BYTES)
        except DocumentError as error:
            raise ContractError(str(error)) from None
        return cls(data, source=str(path))

    # --- identity -----------------------------------------------------------------------------------

    @property
    def info_version(self) -> str:
        return str(self.effective.get("info", {}).get("version", ""))

    @property
    def title(self) -> str:
        return str(self.effective.get("info", {}).get("title", ""))

    def identity(self) -> dict[str, Any]:
        """What every report says about the document (the vendor's, before our overlay)."""
        return {
            "source": self.source,
            "sha256": self.sha256,
            "info_version": self.info_version,
            "title": self.title,
            "operations": [
                {"method": operation.method, "path": operation.path, "operation_id": operation.operation_id}
                for operation in self.operations
            ],
            "overlay_warnings": list(self.overlay_warnings),
        }

    # --- operations ---------------------------------------------------------------------------------

    def operation(self, method: str, path_template: str) -> Operation | None:
        return self._by_route.get((method.upper(), path_template))

    def has(self, operation_id: str) -> bool:
        return operation_id in self.operation_ids

    def path_template(self, path: str) -> str | None:
        """The documented path template a concrete path (no query) falls under, if any."""
        for pattern, template in self._path_patterns:
            if pattern.fullmatch(path):
                return template
        return None

    def documented_methods(self, path_template: str) -> tuple[str, ...]:
        return tuple(operation.method for operation in self.operations if operation.path == path_template)

    def undocumented_methods(self, path_template: str) -> tuple[str, ...]:
        documented = self.documented_methods(path_template)
        return tuple(method for method in HTTP_METHODS if method not in documented)

    def documented_statuses(self, method: str, path_template: str) -> frozenset[str]:
        operation = self.effective["paths"][path_template][method.lower()]
        return frozenset(str(status) for status in operation.get("responses", {}))

    # --- schemas ------------------------------------------------------------------------------------

    def has_schema(self, pointer: str) -> bool:
        try:
            resolve_pointer(self.effective, pointer)
        except (LookupError, TypeError, ValueError):
            return False
        return True

    def schema(self, pointer: str) -> Any:
        """The schema at `pointer` of the effective document, references inlined."""
        return inline_refs(resolve_pointer(self.effective, pointer), self.effective)

    def validator(self, pointer: str):
        if pointer not in self._validators:
            self._validators[pointer] = schema_validator(self.schema(pointer))
        return self._validators[pointer]

    def schema_errors(self, instance: Any, pointer: str) -> list[str]:
        """Messages for each way `instance` breaks the effective schema at `pointer` ("#/...")."""
        return [_describe(error) for error in self.validator(pointer).iter_errors(instance)]


@functools.cache
def _bundled() -> Contract:
    effective = json.loads((_OPENAPI / EFFECTIVE_DOCUMENT).read_bytes())
    return Contract(vendor_bytes(), source=BUNDLED, effective=effective)


def vendor_bytes() -> bytes:
    return (_OPENAPI / VENDOR_DOCUMENT).read_bytes()


# The bundled revision, for code that has no run to ask (lint's default, tests).
def vendor_document() -> dict[str, Any]:
    return copy.deepcopy(Contract.bundled().vendor)


def effective_document() -> dict[str, Any]:
    return copy.deepcopy(Contract.bundled().effective)


def schema_errors(instance: Any, pointer: str) -> list[str]:
    return Contract.bundled().schema_errors(instance, pointer)


def overlay_document() -> dict[str, Any]:
    return yaml.safe_load((_OPENAPI / OVERLAY_DOCUMENT).read_text(encoding="utf-8"))


def apply_overlay(vendor: dict[str, Any], overlay: dict[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The vendor document with our overlay applied (OpenAPI Overlay 1.0, by oas-patch), and a
    warning for each action whose target the document no longer has: that reading of ours is lost
    for this revision, and the report says so (a warning, not an error: the rest still applies)."""
    from jsonpath_ng.ext import parse  # oas-patch's own JSONPath; both load only for --spec
    from oas_patch.overlay import apply_overlay as apply

    document = copy.deepcopy(vendor)
    operation_ids = {operation.operation_id for operation in _operations(document)}
    applicable, warnings = [], []
    for action in overlay.get("actions", []):
        needs = action.get(OPERATION_EXTENSION)
        if needs is not None and needs not in operation_ids:
            continue
        if not parse(action["target"]).find(document):
            source = " ".join(str(action.get("description", "")).split())[:80]
            warnings.append(f"overlay action for {action['target']} did not apply: the document has no such target ({source})")
            continue
        applicable.append({key: value for key, value in action.items() if key != OPERATION_EXTENSION})
    return apply(document, {**overlay, "actions": applicable}), tuple(warnings)


def _parse(data: bytes, source: str) -> dict[str, Any]:
    """The document in `data`, read by THE loader (local references only, bounded, strict)."""
    try:
        return parse_document(data, source)
    except DocumentError as error:
        raise ContractError(str(error)) from None


def _require_openapi_30(document: dict[str, Any], source: str) -> None:
    version = document.get("openapi")
    if "swagger" in document:
        raise ContractError(f"{source}: a Swagger {document['swagger']} document; this tool reads OpenAPI 3.0")
    if not isinstance(version, str):
        raise ContractError(f"{source}: not an OpenAPI document (no `openapi` version field)")
    if not version.startswith("3.0"):
        raise ContractError(f"{source}: OpenAPI {version}; this tool reads OpenAPI 3.0 documents")
    if not isinstance(document.get("paths"), dict):
        raise ContractError(f"{source}: no `paths` object")


def _operations(document: dict[str, Any]):
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method, operation in item.items():
            if method.upper() in HTTP_METHODS and isinstance(operation, dict):
                yield Operation(method.upper(), path, str(operation.get("operationId") or f"{method} {path}"))


def _template_pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}/]+\})", template)
    return re.compile("".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts))


def inline_refs(node: Any, root: dict[str, Any]) -> Any:
    """A copy of `node` with every local `$ref` replaced by what it points to.

    The loader refuses recursive references and bounds what inlining produces, so full inlining
    terminates and lets plain JSON Schema validators work on one self-contained schema.
    """
    if isinstance(node, dict):
        if "$ref" in node and isinstance(node["$ref"], str):
            target = inline_refs(resolve_pointer(root, node["$ref"]), root)
            # OpenAPI 3.0 ignores a reference's siblings, but for `nullable: true` beside it: the
            # way a document says "this schema, or null" (read by schema_validator_class below).
            return {"nullable": True, "allOf": [target]} if node.get("nullable") is True else target
        return {key: inline_refs(value, root) for key, value in node.items()}
    if isinstance(node, list):
        return [inline_refs(item, root) for item in node]
    return node


def _null_where_nullable(keyword):
    """The keyword, except that a null passes where the same schema object says `nullable: true`."""
    def validate(validator, value, instance, schema):
        if instance is None and schema.get("nullable") is True:
            return
        yield from keyword(validator, value, instance, schema)

    return validate


@functools.cache
def schema_validator_class():
    """OpenAPI 3.0 schema objects read as they are, by openapi-schema-validator (a property named
    `nullable` is a property; `nullable` is a keyword only where a keyword stands). One reading of
    ours on top: `nullable: true` allows null for the schema object it stands in, whatever keyword
    there carries the type (allOf, oneOf, anyOf, $ref, enum). That is OpenAPI 3.0.0-3.0.2's wording
    ("allows sending a null value for the defined schema") and how documents write a nullable
    reference; 3.0.3 narrowed it to `type` beside it, and a checker that fails a null there raises a
    false alarm against a server that follows the earlier text.

    Imported on first use: openapi-schema-validator's import (pydantic-settings) costs tenths of a
    second that a run's start-up to its first request need not pay."""
    from jsonschema.validators import extend
    from openapi_schema_validator import OAS30Validator

    return extend(OAS30Validator, {keyword: _null_where_nullable(OAS30Validator.VALIDATORS[keyword])
                                   for keyword in ("allOf", "oneOf", "anyOf", "$ref", "enum")})


def schema_validator(schema: Any, format_checker: FormatChecker = FORMATS):
    """A validator of instances against one OpenAPI 3.0 schema object (references inlined already)."""
    return schema_validator_class()(schema, format_checker=format_checker)


def _describe(error) -> str:
    where = "/".join(str(part) for part in error.absolute_path)
    return f"{where or '(body)'}: {error.message}"


if __name__ == "__main__":  # rewrite openapi/effective.json from segments.json and overlay.yaml
    target = Path(str(_OPENAPI / EFFECTIVE_DOCUMENT))
    effective, lost = apply_overlay(json.loads(vendor_bytes()), overlay_document())
    if lost:
        raise SystemExit("\n".join(lost))
    target.write_text(json.dumps(effective, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {target}")
