"""The ledger: every segment id a run created, on disk the moment it is created.

The run deletes only what is in its ledger, and the file outlives a crash: `conformance cleanup
--ledger FILE` finishes the job later. The file holds ids and the base URL, never credentials.
"""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path

LEDGER_VERSION = 1


class Ledger:
    def __init__(self, path: Path | None, *, base_url: str = "", run_tag: str = "") -> None:
        self.path = path
        self.base_url = base_url
        self.run_tag = run_tag
        self._open: dict[str, str] = {}  # id -> when it was created; deleted ids leave
        self._ever: set[str] = set()  # every id this run created, deleted or not
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: Path) -> Ledger:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("version") != LEDGER_VERSION or not isinstance(data.get("created"), list):
            raise ValueError(f"{path} is not a segments-conformance ledger")
        ledger = cls(path, base_url=data.get("base_url", ""), run_tag=data.get("run_tag", ""))
        for entry in data["created"]:
            ledger._open[entry["id"]] = entry.get("created_at", "")
            ledger._ever.add(entry["id"])
        return ledger

    def add(self, segment_id: str) -> None:
        with self._lock:
            self._open[segment_id] = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
            self._ever.add(segment_id)
            self._save()

    def remove(self, segment_id: str) -> None:
        # Not saved at once: a crash now leaves an id already deleted in the file, which cleanup
        # later finds gone (404) and drops. A created id, by contrast, is saved before anything else.
        with self._lock:
            self._open.pop(segment_id, None)

    def __contains__(self, segment_id: object) -> bool:
        return segment_id in self._ever

    def open_ids(self) -> list[str]:
        return list(self._open)

    def __len__(self) -> int:
        return len(self._open)

    def _save(self) -> None:
        if self.path is None:
            return
        data = {
            "version": LEDGER_VERSION,
            "base_url": self.base_url,
            "run_tag": self.run_tag,
            "created": [{"id": segment_id, "created_at": when} for segment_id, when in self._open.items()],
        }
        # Write then rename, so an interrupted write never leaves a half ledger behind.
        temporary = self.path.with_suffix(".json.tmp")
        temporary.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        os.replace(temporary, self.path)

    def save(self) -> None:
        with self._lock:
            self._save()
