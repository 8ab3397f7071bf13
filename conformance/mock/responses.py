"""What the mock answers with: JSON bodies and the vendor's Error object."""

from __future__ import annotations

import json
import secrets
from typing import Any

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def json_bytes(body: Any) -> bytes:
    try:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a "\ud800" escape: answer it escaped too
        return json.dumps(body, separators=(",", ":")).encode("ascii")


def request_id() -> str:
    return "v-" + secrets.token_hex(9)  # the vendor's shape: v-0c4e6b8a4f0e2a1c53


def error_body(status: int, key: str, message: str, details: str, **extra: str) -> dict[str, Any]:
    """The vendor's Error object; `extra` adds resource_id and resource_type where they apply."""
    return {
        "code": status,
        "key": key,
        "message": message,
        "details": details,
        "request_id": request_id(),
        **extra,
    }
