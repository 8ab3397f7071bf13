"""Running on pytest-xdist workers (`-n N`), and sharing one target with other processes.

Each worker runs its share of the tests with its own Target (and, without --base-url, its own
embedded mock, so workers never share state). A worker hands its results and its ledger to the
controller, which writes the one summary.json and the one ledger.json.

The caps are sound only while nothing else creates segments on the target. Whenever the target
is shared (any --base-url), a lock per target origin, machine-wide, serialises them: a heavy
test takes it exclusively, every other test shared. Two runs on one machine against one target
(two CI jobs, say) then cannot disturb each other's caps.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from conformance import interrupts

if TYPE_CHECKING:
    from conformance.ledger import Ledger
    from conformance.recording import Recorder


def worker_id(config: pytest.Config | None) -> str | None:
    workerinput = getattr(config, "workerinput", None)
    return workerinput["workerid"] if workerinput else None


def is_worker(config: pytest.Config | None) -> bool:
    return worker_id(config) is not None


def is_controller(config: pytest.Config | None) -> bool:
    return config is not None and config.pluginmanager.hasplugin("dsession") and not is_worker(config)


def worker_path(path: Path, config: pytest.Config | None) -> Path:
    worker = worker_id(config)
    return path.with_name(f"{path.stem}-{worker}{path.suffix}") if worker else path


def hand_over(config: pytest.Config, recorder: Recorder, left_behind: list[str]) -> None:
    """Worker side: what the controller needs to write the summary."""
    config.workeroutput["conformance"] = json.dumps({"recorder": recorder.export(), "left_behind": left_behind})


def take_over(run: Any, node: Any) -> None:
    """Controller side: add one finished worker's results to the run."""
    output = getattr(node, "workeroutput", {}).get("conformance")
    if output is None:
        run.recorder.causes.append(f"worker {node.gateway.id} ended without results")
        return
    data = json.loads(output)
    offset = max(run.recorder.exchanges, default=0)
    run.recorder.merge(data["recorder"], offset)
    run.left_behind.extend(data["left_behind"])


def merge_ledgers(ledger: Ledger) -> None:
    """Controller side: the workers' ledger parts become the run's one ledger.json."""
    path = ledger.path
    if path is None:
        return
    created: list[dict[str, Any]] = []
    for part in sorted(path.parent.glob(f"{path.stem}-gw*{path.suffix}")):
        data = json.loads(part.read_text(encoding="utf-8"))
        created += data["created"]
        ledger.base_url = data.get("base_url") or ledger.base_url
        part.unlink()
    for entry in created:
        ledger.add(entry["id"], kind=entry.get("type"))


@contextlib.contextmanager
def target_lock(origin: tuple[str, str | None, int], item: pytest.Item, catalogue: dict, *, shared: bool):
    """Exclusive for tests whose verdict depends on the whole target's state (the caps), shared
    for the rest; a no-op for a target nobody else can reach (the embedded mock)."""
    if not shared:
        yield
        return
    ids = [requirement_id for mark in item.iter_markers("requirement") for requirement_id in mark.args]
    heavy = any(catalogue[requirement_id].heavy for requirement_id in ids if requirement_id in catalogue)
    key = hashlib.sha256("://".join(map(str, origin)).encode()).hexdigest()[:16]
    lock_path = Path(tempfile.gettempdir()) / f"segments-conformance-target-{key}.lock"
    with open(lock_path, "a") as handle:
        mode = fcntl.LOCK_EX if heavy else fcntl.LOCK_SH
        while True:  # polled, not blocking: a Ctrl-C while another run holds the lock still counts
            try:
                fcntl.flock(handle, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                interrupts.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
