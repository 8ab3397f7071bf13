"""Comparing JSON values the way the SDK requirements do: RFC 3339 date-times by instant and by
form, JSON values strictly (a boolean is never a number), and the contract's own validation.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from typing import Any

from conformance import contract, rfc3339

@dataclass(frozen=True)
class Instant:
    """A point in time at full precision: UTC seconds since the epoch (a leap second counts as the
    second before it, with `leap` set), and the fraction as its significant decimal digits."""

    seconds: int
    leap: bool
    fraction: str

    def __str__(self) -> str:
        return f"{self.seconds}{'+leap' if self.leap else ''}.{self.fraction or '0'}"


def parse_rfc3339(text: Any) -> Instant | None:
    """The instant an RFC 3339 date-time names, or None when `text` is not one."""
    written = rfc3339.parts(text)  # the one RFC 3339 reading (leap seconds, lowercase t/z)
    if written is None:
        return None
    leap = written.leap
    seconds = calendar.timegm((written.year, written.month, written.day, written.hour, written.minute,
                               59 if leap else written.second)) - written.offset_minutes * 60
    return Instant(seconds, leap, written.fraction.rstrip("0"))


def json_equal(left: Any, right: Any) -> bool:
    """JSON equality: numbers by value (as doubles where one is a double), but true is not 1 and
    null is only null."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        if isinstance(left, float) or isinstance(right, float):
            # One is a binary double: the number another JSON peer writes for it may be an integer
            # literal ("57568567039477850" for 5.756856703947785e+16), the same double when read.
            return float(left) == float(right)
        return left == right
    if isinstance(left, str) and isinstance(right, str):
        return left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(json_equal(left[key], right[key]) for key in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(json_equal(a, b) for a, b in zip(left, right))
    return left is None and right is None


SEGMENT_DATE_TIMES = ("created_at", "updated_at")


def _document(document: contract.Contract | None) -> contract.Contract:
    """The document to judge by: the run's (the gate passes it: `--spec` included), or the bundled one."""
    return document if document is not None else contract.Contract.bundled()


def segment_errors(instance: Any, document: contract.Contract | None = None) -> list[str]:
    """How `instance` breaks the effective Segment schema (leap seconds included: conformance.rfc3339)."""
    return _document(document).schema_errors(instance, contract.SEGMENT_SCHEMA)


def error_errors(instance: Any, document: contract.Contract | None = None) -> list[str]:
    return _document(document).schema_errors(instance, contract.ERROR_SCHEMA)


def create_body_errors(instance: Any, document: contract.Contract | None = None) -> list[str]:
    return _document(document).schema_errors(instance, contract.CREATE_BODY_SCHEMA)


def declared_segment_fields(document: contract.Contract | None = None) -> frozenset[str]:
    """The members the effective Segment schema declares."""
    return frozenset(_document(document).effective["components"]["schemas"]["Segment"]["properties"])
