"""The mock's memory: segments by id, the ones deleted, and counts per type for the caps.

Not thread-safe by itself: the app touches it only from its event loop, in `async def` handlers
that never await between reading and changing it, so each change is atomic.

An id names one segment. Two faults bend that: `ids-repeat` replaces the older segment
(add(..., share=False)), `static-id-from-customers` keeps both under one id (share=True), in which
case get answers the newest and delete removes every segment that has the id.
"""

from __future__ import annotations

import itertools
import secrets
import string
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from conformance.mock.timestamps import InstantKey

STATIC = "static"
DYNAMIC_TYPES = frozenset({"auto-update", "passive"})
SEGMENT_TYPES = frozenset({STATIC}) | DYNAMIC_TYPES

_ID_LENGTH = 24  # the vendor's ids: seg_ and 24 letters or digits (seg_vC8iOSCqUG02EsPzsHynLv8i)
_LONG_ID_LENGTH = 40  # the long-ids variant: seg_ and 40 of letters, digits, "-" and "_"
_ID_ALPHABET = string.ascii_letters + string.digits + "-_"


@dataclass
class Segment:
    id: str
    name: str
    type: str
    filter: dict[str, Any] | None
    created_at: str  # as answered, in the form the mock writes (timestamps.py)
    key: InstantKey | None = None  # the instant created_at names, for ordering and filters
    customers: int = 0  # how many customers a static segment was created with
    born: float = 0.0  # time.monotonic() at creation (get-404-while-syncing)
    sequence: int = field(default=0)  # creation order: 1, 2, ... (set by the store)


def random_segment_id() -> str:
    # token_urlsafe draws uniformly from letters, digits, "-" and "_"; dropping the last two
    # leaves a uniform draw from the 62 alphanumerics, from one urandom call instead of 24.
    while True:
        letters = secrets.token_urlsafe(32).replace("-", "").replace("_", "")
        if len(letters) >= _ID_LENGTH:
            return "seg_" + letters[:_ID_LENGTH]


def random_long_segment_id() -> str:
    """seg_ and 40 characters of [A-Za-z0-9_-], at least one "-" and one "_" among them."""
    middle = [secrets.choice(_ID_ALPHABET) for _ in range(_LONG_ID_LENGTH - 2)]
    for mark in "-_":
        middle.insert(secrets.randbelow(len(middle) + 1), mark)
    return "seg_" + "".join(middle)


class SegmentStore:
    def __init__(self) -> None:
        self._live: dict[str, list[Segment]] = {}  # one segment per id, unless a fault shares ids
        self._deleted: dict[str, Segment] = {}  # kept so faults can tell "deleted" from "never was"
        self._live_types: Counter[str] = Counter()
        self._deleted_types: Counter[str] = Counter()
        self._sequence = itertools.count(1)

    def unused_id(self, *, long: bool = False) -> str:
        draw = random_long_segment_id if long else random_segment_id
        while True:  # a clash is unthinkable, but unique is a MUST, so make sure
            segment_id = draw()
            if segment_id not in self._live and segment_id not in self._deleted:
                return segment_id

    def add(self, segment: Segment, *, share: bool = False) -> None:
        segment.sequence = next(self._sequence)
        held = self._live.setdefault(segment.id, [])
        if held and not share:  # only a fault (ids-repeat) ever reuses an id
            for replaced in held:
                self._live_types[replaced.type] -= 1
            held.clear()
        held.append(segment)
        self._live_types[segment.type] += 1

    def get(self, segment_id: str) -> Segment | None:
        held = self._live.get(segment_id)
        return held[-1] if held else None

    def deleted(self, segment_id: str) -> Segment | None:
        return self._deleted.get(segment_id)

    def remove(self, segment_id: str) -> Segment | None:
        held = self._live.pop(segment_id, None)
        if not held:
            return None
        for segment in held:
            self._live_types[segment.type] -= 1
            self._deleted_types[segment.type] += 1
        self._deleted[segment_id] = held[-1]
        return held[-1]

    def live(self) -> Iterator[Segment]:
        for held in self._live.values():
            yield from held

    def all_deleted(self) -> Iterator[Segment]:
        yield from self._deleted.values()

    def newest(self) -> Segment | None:
        return max(self.live(), key=lambda segment: segment.sequence, default=None)

    def count(self, types: frozenset[str], *, include_deleted: bool = False) -> int:
        total = sum(self._live_types[kind] for kind in types)
        if include_deleted:
            total += sum(self._deleted_types[kind] for kind in types)
        return total
