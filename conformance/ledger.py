"""The ledger: every segment id a run created, on disk the moment it is created.

The run deletes only what is in its ledger, and the file outlives a crash: `conformance cleanup
--ledger FILE` finishes the job later. The file is bound to its run: the base URL it was created
on and the run tag every created name carries, so cleanup can check each id before deleting it.
It holds ids, types and the base URL (without userinfo), never credentials.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from conformance import outputs

LEDGER_VERSION = 2
MAX_BYTES = 16 * 1024 * 1024  # an id is under 100 bytes: room for 100,000 of them
MAX_DEPTH = 4  # {"created": [{"id": ...}]}


class LedgerError(ValueError):
    """Not a ledger this tool can use; the message is one line."""


@dataclass
class Entry:
    id: str
    created_at: str
    type: str | None = None  # the type the answer said: the dynamic cap counts auto-update and passive


class Ledger:
    def __init__(self, path: Path | None, *, base_url: str = "", run_tag: str = "", write_through: bool = True) -> None:
        self.path = path
        # On disk at every create where a crash could leave segments behind on an account; the
        # embedded mock's segments end with the mock, so its ledger is written at the end only.
        self.write_through = write_through
        self.base_url = base_url
        self.run_tag = run_tag
        self._open: dict[str, Entry] = {}  # deleted ids leave
        self._ever: set[str] = set()  # every id this run created, deleted or not
        self._lock = threading.Lock()  # the entries
        self._writing = threading.Lock()  # the file: one write at a time, taken before _lock
        self._changes = 0  # adds so far
        self._on_disk = 0  # adds the file holds

    @classmethod
    def load(cls, path: Path) -> Ledger:
        """The ledger at `path`; a file anyone can edit, so bounded and strict before it is read."""
        from conformance.loader import DocumentError, check_shape, read_bounded, strict_json

        try:
            data = strict_json(read_bounded(path, MAX_BYTES).decode("utf-8"))
            check_shape(data, str(path), max_depth=MAX_DEPTH)
        except DocumentError as error:
            raise LedgerError(str(error)) from None
        except (ValueError, RecursionError):  # not UTF-8, not strict JSON, or nested past the parser
            raise LedgerError(f"{path} is not JSON") from None
        if not isinstance(data, dict) or data.get("version") not in (1, LEDGER_VERSION) or not isinstance(data.get("created"), list):
            raise LedgerError(f"{path} is not a segments-conformance ledger")
        ledger = cls(path, base_url=str(data.get("base_url") or ""), run_tag=str(data.get("run_tag") or ""))
        for item in data["created"]:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str):
                raise LedgerError(f"{path}: an entry without a string id")
            ledger._open[item["id"]] = Entry(item["id"], str(item.get("created_at", "")), item.get("type"))
            ledger._ever.add(item["id"])
        return ledger

    def add(self, segment_id: str, *, kind: str | None = None) -> None:
        """Returns once the id is on disk (when written through)."""
        with self._lock:
            self._open[segment_id] = Entry(segment_id, datetime.now(timezone.utc).isoformat(timespec="milliseconds"), kind)
            self._ever.add(segment_id)
            self._changes += 1
            change = self._changes
        if self.write_through:
            self._save(until=change)

    def remove(self, segment_id: str) -> None:
        # Not saved at once: a crash now leaves an id already deleted in the file, which cleanup
        # later finds gone (404) and drops. A created id, by contrast, is saved before anything else.
        with self._lock:
            self._open.pop(segment_id, None)

    def __contains__(self, segment_id: object) -> bool:
        return segment_id in self._ever

    def open_ids(self) -> list[str]:
        return list(self._open)

    def open_of_types(self, types) -> list[str]:
        return [entry.id for entry in self._open.values() if entry.type in types]

    def __len__(self) -> int:
        return len(self._open)

    def as_data(self) -> dict:
        return {
            "version": LEDGER_VERSION,
            "base_url": self.base_url,
            "run_tag": self.run_tag,
            "created": [entry.__dict__ for entry in self._open.values()],
        }

    def _save(self, *, until: int | None = None) -> None:
        """Write the ledger, unless the file holds change `until` already. Creates answered at once
        (the cap's, 8 in flight) share writes: while one thread writes, the others wait for it, and
        the next write carries all of their ids (a group commit), so each still returns with its id
        on disk, and the cap's 100 creates cost a few writes instead of 100 one after another."""
        if self.path is None:
            return
        with self._writing:
            if until is not None and self._on_disk >= until:
                return
            with self._lock:
                text = json.dumps(self.as_data(), indent=1) + "\n"
                changes = self._changes
            # Write then rename: an interrupted write never leaves half a ledger, nor writes through a symlink.
            outputs.write_text(self.path, text)
            self._on_disk = changes

    def save(self) -> None:
        self._save()
