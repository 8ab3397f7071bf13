"""RFC 3339 date-times (section 5.6), the `date-time` format of OpenAPI and JSON Schema.

Our own, because the validators at hand reject forms the RFC allows: a leap second
(`1990-12-31T23:59:60Z`, section 5.8's own example) and lowercase `t`/`z` (section 5.6, NOTE).
A checker that fails a server for those raises a false alarm.
"""

from __future__ import annotations

import calendar
import re

_DATE_TIME = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"[Tt](?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})(?:\.\d+)?"
    r"(?:[Zz]|[+-](?P<offset_hour>\d{2}):(?P<offset_minute>\d{2}))",
    re.ASCII,
)


def is_date_time(text: object) -> bool:
    """True when `text` is an RFC 3339 date-time with a time zone (Z or an offset)."""
    if not isinstance(text, str):
        return False
    match = _DATE_TIME.fullmatch(text)
    if match is None:
        return False
    part = {name: int(value) for name, value in match.groupdict(default="0").items()}
    if not 1 <= part["month"] <= 12:
        return False
    if not 1 <= part["day"] <= calendar.monthrange(part["year"], part["month"])[1]:
        return False
    # Second 60 is a leap second; with an offset it lands on any local minute (e.g. 15:59:60-08:00),
    # so only the range is checked, never the wall-clock position.
    return (
        part["hour"] <= 23
        and part["minute"] <= 59
        and part["second"] <= 60
        and part["offset_hour"] <= 23
        and part["offset_minute"] <= 59
    )
