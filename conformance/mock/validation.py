"""Judging a create request: its media type, JSON or not, valid by the document or not, and why not.

Everything comes from the Contract the mock serves: the media types create accepts are the keys
of its requestBody content, and whether a body is valid is Contract.schema_errors on that
operation's request schema, the same reading the suite uses. The reason given to the client is
ours: a short sentence naming the property ("Property name should be string"), because the
validator's own message for a oneOf repeats the whole body (20,000 customers, say).
"""

from __future__ import annotations

import functools
import json
from typing import Any

from jsonschema.exceptions import best_match
from jsonschema.validators import extend

from conformance.contract import (
    CREATE_PATH,
    DYNAMIC_BODY_SCHEMA,
    FORMATS,
    STATIC_BODY_SCHEMA,
    Contract,
    inline_refs,
    schema_validator_class,
)
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


def media_type(content_type: str | None) -> str:
    """The media type's essence, lower case (RFC 9110 section 8.3.1): parameters dropped."""
    return (content_type or "").split(";", 1)[0].strip().lower()


class CreateRules:
    """How one document judges a create request."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        operation = contract.effective["paths"][CREATE_PATH]["post"]
        content = (operation.get("requestBody") or {}).get("content") or {"application/json": {}}
        # The media types the document lists for the body (the vendor: application/json only). A
        # +json type (application/merge-patch+json, say) is another media type with its own
        # meaning (RFC 6839 section 3.1); the document does not list it, so it is refused too.
        self.media_types = tuple(media_type(name) for name in content)
        schema = next(iter(content.values()), {}).get("schema")
        self._validator = None if schema is None else _validator(inline_refs(schema, contract.effective))
        self._branches: dict[str, Any] = {}

    def accepts(self, content_type: str | None) -> bool:
        return media_type(content_type) in self.media_types

    def check(self, body: Any) -> None:
        """Raise InvalidBody unless `body` is a create body the document accepts."""
        if self._validator is not None and not self._validator.is_valid(body):
            raise InvalidBody(self._reason(body))

    def _reason(self, body: Any) -> str:
        if not isinstance(body, dict):
            return "Request body should be a JSON object"
        kind = body.get("type", STATIC)
        if not isinstance(kind, str) or kind not in SEGMENT_TYPES:
            return "Property type should be one of: static, auto-update, passive"
        branch = self._branch(DYNAMIC_BODY_SCHEMA if kind in DYNAMIC_TYPES else STATIC_BODY_SCHEMA)
        error = best_match(branch.iter_errors(body)) if branch is not None else None
        if error is None:  # valid for its own branch, yet the oneOf failed: say so plainly
            return "Request body matches no segment definition"
        return _describe(error)

    def _branch(self, pointer: str) -> Any:
        # Only for wording the reason: the verdict is the whole request schema's.
        if pointer not in self._branches:
            known = self.contract.has_schema(pointer)
            self._branches[pointer] = _validator(self.contract.schema(pointer)) if known else None
        return self._branches[pointer]




_ANNOTATIONS = frozenset({"description", "title", "example", "examples"})


def _items(validator, items, instance, schema):
    """`items`, with a shortcut for an array of strings (20,000 customers): when the item
    schema says nothing but type string and every item is one, there is nothing to report, as the
    general rule would find after 20,000 descents. Anything else takes the general rule."""
    if (
        isinstance(items, dict)
        and items.get("type") == "string"
        and set(items) - _ANNOTATIONS == {"type"}
        and validator.is_type(instance, "array")
        and all(isinstance(item, str) for item in instance)
    ):
        return
    yield from schema_validator_class().VALIDATORS["items"](validator, items, instance, schema)


@functools.cache
def _validator_class():
    return extend(schema_validator_class(), {"items": _items})


def _validator(schema: Any):
    return _validator_class()(schema, format_checker=FORMATS)


def segment_type(body: dict[str, Any]) -> str:
    """The type of a valid body: the static branch's default when it has none."""
    return body.get("type", STATIC)


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
