"""created_at: how the mock writes an instant (the vendor's form or a variant's), and how it
orders and compares them again (the list's `order` and its created_at filters).

Every form here is an RFC 3339 date-time (section 5.6) except NO_ZONE, which only a fault uses.
Ordering never re-parses with datetime.fromisoformat: a leap second (`23:59:60`) is legal RFC 3339
and Python's datetime cannot hold it, so an instant is kept as a sortable key instead.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from conformance import rfc3339

VENDOR = "vendor"  # 2022-09-13T08:57:15.801Z: UTC, milliseconds, Z (every vendor example)
UTC_OFFSET = "utc-offset"  # 2022-09-13T08:57:15.801+00:00
NEGATIVE_OFFSET = "negative-offset"  # 2022-09-13T03:27:15.801-05:30 (the same instant)
NO_FRACTION = "no-fraction"  # 2022-09-13T08:57:15Z
MICROSECONDS = "microseconds"  # 2022-09-13T08:57:15.801234Z
LOWERCASE = "lowercase"  # 2022-09-13t08:57:15.801z
NO_ZONE = "no-zone"  # 2022-09-13T08:57:15.801 (not RFC 3339: the created-at-without-timezone fault)
FORMS = (VENDOR, UTC_OFFSET, NEGATIVE_OFFSET, NO_FRACTION, MICROSECONDS, LOWERCASE, NO_ZONE)

MINUS_0530 = timezone(-timedelta(hours=5, minutes=30))
# The last leap second so far (IERS Bulletin C 52): 2016-12-31T23:59:60Z. As a key it sorts after
# every instant of 23:59:59 and before 2017-01-01T00:00:00Z.
LEAP_SECOND_BASE = datetime(2016, 12, 31, 23, 59, 59, tzinfo=UTC)

# (the UTC second, with :60 held as :59, 1 for a leap second else 0, microseconds)
InstantKey = tuple[datetime, int, int]

def now() -> datetime:
    return datetime.now(UTC)


def format_instant(instant: datetime, form: str = VENDOR, *, leap: bool = False) -> str:
    """`instant` (aware, UTC) written in `form`; with leap=True, second :59 is written :60."""
    if form not in FORMS:
        raise ValueError(f"unknown created_at form {form!r}")
    local = instant.astimezone(MINUS_0530) if form == NEGATIVE_OFFSET else instant.astimezone(UTC)
    seconds = "60" if leap else f"{local.second:02d}"
    text = local.strftime("%Y-%m-%dT%H:%M:") + seconds
    if form == MICROSECONDS:
        text += f".{local.microsecond:06d}"
    elif form != NO_FRACTION:
        text += f".{local.microsecond // 1000:03d}"
    zone = {UTC_OFFSET: "+00:00", NEGATIVE_OFFSET: "-05:30", NO_ZONE: ""}.get(form, "Z")
    text += zone
    return text.replace("T", "t").replace("Z", "z") if form == LOWERCASE else text


def key_of(instant: datetime, *, leap: bool = False) -> InstantKey:
    instant = instant.astimezone(UTC)
    return (instant.replace(microsecond=0), 1 if leap else 0, instant.microsecond)


def parse_key(text: object) -> InstantKey:
    """The sort key of an RFC 3339 date-time (leap seconds included). A value without a zone (only
    the no-zone fault writes one) is read as UTC. Raises ValueError for anything else."""
    written = rfc3339.parts(text, zone_required=False)
    if written is None:
        raise ValueError(f"{text!r} is not an RFC 3339 date-time")
    leap = written.leap
    zone = timezone(timedelta(minutes=written.offset_minutes or 0))
    try:
        local = datetime(written.year, written.month, written.day, written.hour, written.minute, 59 if leap else written.second, tzinfo=zone)
    except ValueError as error:  # year 0000: RFC 3339 allows it, datetime does not
        raise ValueError(f"{text!r} is not an RFC 3339 date-time ({error})") from None
    microseconds = int((written.fraction or "0")[:6].ljust(6, "0"))
    return (local.astimezone(UTC), 1 if leap else 0, microseconds)
