"""Judging a create body: JSON or not, valid by the effective document or not, and why not.

Whether a body is valid is decided by conformance.contract.schema_errors on the effective
document, the one reading of the contract the suite uses too. The reason given to the client is
ours: a short sentence naming the property ("Property name should be string"), because the
validator's own message for a oneOf repeats the whole body (20,000 customers, say).
"""

from __future__ import annotations

import functools
import json
from typing import Any

from jsonschema import Draft4Validator
from jsonschema.exceptions import best_match

from conformance import contract
from conformance.mock.store import DYNAMIC_TYPES, SEGMENT_TYPES, STATIC


class InvalidBody(ValueError):
    """A create body the mock rejects with 400; str() is the short reason."""


def _reject_constant(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")  # Python accepts NaN and Infinity; JSON does not


def parse_json(raw: bytes) -> Any:
    try:
        return json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError too
        raise InvalidBody("Request body is not valid JSON") from None


def check_create_body(body: Any) -> None:
    """Raise InvalidBody unless `body` is a create body the effective document accepts."""
    if contract.schema_errors(body, contract.CREATE_BODY_SCHEMA):
        raise InvalidBody(_reason(body))


def segment_type(body: dict[str, Any]) -> str:
    """The type of a valid body: the static branch's default when it has none."""
    return body.get("type", STATIC)


def _reason(body: Any) -> str:
    if not isinstance(body, dict):
        return "Request body should be a JSON object"
    kind = body.get("type", STATIC)
    if not isinstance(kind, str) or kind not in SEGMENT_TYPES:
        return "Property type should be one of: static, auto-update, passive"
    branch = contract.DYNAMIC_BODY_SCHEMA if kind in DYNAMIC_TYPES else contract.STATIC_BODY_SCHEMA
    error = best_match(_branch_validator(branch).iter_errors(body))
    if error is None:  # valid for its own branch, yet the oneOf failed: say so plainly
        return "Request body matches no segment definition"
    return _describe(error)


def _describe(error) -> str:
    where = _property_path(error.absolute_path)
    if error.validator == "required":
        missing = next(name for name in error.validator_value if name not in error.instance)
        return f"Property {_join(where, missing)} is required"
    if not where:
        return "Request body should be a JSON object"
    if error.validator == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        return f"Property {where} should be {expected}"
    if error.validator == "enum":
        return f"Property {where} should be one of: {', '.join(map(str, error.validator_value))}"
    return f"Property {where} is invalid"


def _property_path(parts) -> str:
    path = ""  # customers[3], filter.junction
    for part in parts:
        path = path + f"[{part}]" if isinstance(part, int) else _join(path, part)
    return path


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


@functools.cache
def _branch_validator(pointer: str) -> Draft4Validator:
    # Only for wording the reason: the verdict is schema_errors'. The body schemas use no
    # OpenAPI-only keyword (nullable), so plain draft 4, which OpenAPI 3.0 extends, reads them.
    document = contract.effective_document()
    return Draft4Validator(
        contract.inline_refs(contract.resolve_pointer(document, pointer), document)
    )
