"""The mock's memory: segments by id, the ones deleted, and counts per type for the caps.

Not thread-safe by itself: the app touches it only from its event loop, in `async def` handlers
that never await between reading and changing it, so each change is atomic.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

STATIC = "static"
DYNAMIC_TYPES = frozenset({"auto-update", "passive"})
SEGMENT_TYPES = frozenset({STATIC}) | DYNAMIC_TYPES

_ID_LENGTH = 24  # the vendor's ids: seg_ and 24 letters or digits (seg_vC8iOSCqUG02EsPzsHynLv8i)


@dataclass
class Segment:
    id: str
    name: str
    type: str
    filter: dict[str, Any] | None
    created_at: str


def random_segment_id() -> str:
    # token_urlsafe draws uniformly from letters, digits, "-" and "_"; dropping the last two
    # leaves a uniform draw from the 62 alphanumerics, from one urandom call instead of 24.
    while True:
        letters = secrets.token_urlsafe(32).replace("-", "").replace("_", "")
        if len(letters) >= _ID_LENGTH:
            return "seg_" + letters[:_ID_LENGTH]


def utc_timestamp(*, with_zone: bool = True) -> str:
    """Now as the vendor writes it: 2022-09-13T08:57:15.801Z (UTC, milliseconds, Z)."""
    now = datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}"
    return stamp + "Z" if with_zone else stamp


class SegmentStore:
    def __init__(self) -> None:
        self._live: dict[str, Segment] = {}
        self._deleted: dict[str, Segment] = {}  # kept so faults can tell "deleted" from "never was"
        self._live_types: Counter[str] = Counter()
        self._deleted_types: Counter[str] = Counter()

    def unused_id(self) -> str:
        while True:  # 62**24 ids make a clash unthinkable, but unique is a MUST, so make sure
            segment_id = random_segment_id()
            if segment_id not in self._live and segment_id not in self._deleted:
                return segment_id

    def add(self, segment: Segment) -> None:
        replaced = self._live.get(segment.id)  # only a fault (ids-repeat) ever reuses an id
        if replaced is not None:
            self._live_types[replaced.type] -= 1
        self._live[segment.id] = segment
        self._live_types[segment.type] += 1

    def get(self, segment_id: str) -> Segment | None:
        return self._live.get(segment_id)

    def deleted(self, segment_id: str) -> Segment | None:
        return self._deleted.get(segment_id)

    def remove(self, segment_id: str) -> Segment | None:
        segment = self._live.pop(segment_id, None)
        if segment is not None:
            self._live_types[segment.type] -= 1
            self._deleted[segment_id] = segment
            self._deleted_types[segment.type] += 1
        return segment

    def count(self, types: frozenset[str], *, include_deleted: bool = False) -> int:
        total = sum(self._live_types[kind] for kind in types)
        if include_deleted:
            total += sum(self._deleted_types[kind] for kind in types)
        return total
