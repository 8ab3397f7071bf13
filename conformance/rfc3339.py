"""RFC 3339 date-times (section 5.6), the `date-time` format of OpenAPI and JSON Schema: the one
reading every part of the tool shares (the checks, the mock's ordering, the SDK gate's instants).

Our own, because the validators at hand reject forms the RFC allows: a leap second
(`1990-12-31T23:59:60Z`, section 5.8's own example) and lowercase `t`/`z` (section 5.6, NOTE).
A checker that fails a server for those raises a false alarm.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

# date-time = full-date "T" full-time; time-secfrac is "." and one or more digits; time-offset is
# "Z" or +hh:mm / -hh:mm. The zone is optional here only so that `parts(zone_required=False)` can
# read the one zone-less form a fault of the mock writes.
DATE_TIME = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"[Tt](?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})(?:\.(?P<fraction>\d+))?"
    r"(?P<zone>(?P<zulu>[Zz])|(?P<sign>[+-])(?P<offset_hour>\d{2}):(?P<offset_minute>\d{2}))?",
    re.ASCII,
)


@dataclass(frozen=True)
class Parts:
    """A date-time as written: second 60 is a leap second; `fraction` is the digits as written;
    `zone` the time-offset as written ("Z", "z", "-00:00", "+02:00"; "" when none was);
    `offset_minutes` is east of UTC (None: no zone was written)."""

    year: int
    month: int
    day: int
    hour: int
    minute: int
    second: int
    fraction: str
    zone: str
    offset_minutes: int | None

    @property
    def leap(self) -> bool:
        return self.second == 60


def parts(text: object, *, zone_required: bool = True) -> Parts | None:
    """The parts of an RFC 3339 date-time, or None when `text` is not one (syntax or ranges)."""
    match = DATE_TIME.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        return None
    has_zone = match["zulu"] is not None or match["sign"] is not None
    if zone_required and not has_zone:
        return None
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"])
    offset_hour, offset_minute = int(match["offset_hour"] or 0), int(match["offset_minute"] or 0)
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    if hour > 23 or minute > 59 or second > 60 or offset_hour > 23 or offset_minute > 59:
        return None
    offset = None
    if has_zone:
        offset = (offset_hour * 60 + offset_minute) * (-1 if match["sign"] == "-" else 1)
    if second == 60 and not _ends_a_utc_month(year, month, day, hour, minute, offset or 0):
        return None
    return Parts(year, month, day, hour, minute, second, match["fraction"] or "", match["zone"] or "", offset)


def _ends_a_utc_month(year: int, month: int, day: int, hour: int, minute: int, offset: int) -> bool:
    """Whether the local minute is 23:59 UTC on the last day of a month since 1972: the only minute
    a leap second ends (RFC 3339 section 5.7 and Appendix D; section 5.6: second 60 "based on leap
    second rules"). With an offset it is another local minute (1990-12-31T15:59:60-08:00), the same
    instant; 10:15:60Z names no instant at all."""
    if year < 1972:  # the first leap second: 1972-06-30T23:59:60Z
        return False
    utc = datetime(year, month, day, hour, minute) - timedelta(minutes=offset)
    return (utc.hour, utc.minute) == (23, 59) and utc.day == calendar.monthrange(utc.year, utc.month)[1]


def is_date_time(text: object) -> bool:
    """True when `text` is an RFC 3339 date-time with a time zone (Z or an offset)."""
    return parts(text) is not None
