"""Comparing JSON values the way the SDK requirements do: RFC 3339 date-times by instant and by
form, JSON values strictly (a boolean is never a number), and the contract's own validation.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from typing import Any

from conformance import contract

# RFC 3339 section 5.6: date-time = full-date "T" full-time; "T" and "Z" may be lowercase (the note
# under the grammar); time-secfrac is one or more digits; time-second 60 is a leap second.
RFC3339 = re.compile(
    r"^(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})[Tt]"
    r"(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})(?:\.(?P<fraction>\d+))?"
    r"(?P<offset>[Zz]|[+-]\d{2}:\d{2})$",
    re.ASCII,
)


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
    if not isinstance(text, str):
        return None
    match = RFC3339.match(text)
    if match is None:
        return None
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"])
    if not (1 <= month <= 12 and hour <= 23 and minute <= 59 and second <= 60):
        return None
    if not 1 <= day <= calendar.monthrange(year or 2000, month)[1]:
        return None
    offset = match["offset"]
    offset_seconds = 0
    if offset not in ("Z", "z"):
        offset_hours, offset_minutes = int(offset[1:3]), int(offset[4:6])
        if offset_hours > 23 or offset_minutes > 59:
            return None
        offset_seconds = (offset_hours * 60 + offset_minutes) * 60 * (1 if offset[0] == "+" else -1)
    leap = second == 60
    seconds = calendar.timegm((year, month, day, hour, minute, 59 if leap else second)) - offset_seconds
    return Instant(seconds, leap, (match["fraction"] or "").rstrip("0"))


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
