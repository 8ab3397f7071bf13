"""`conformance run -n N`: the suite on pytest-xdist workers, one summary at the end.

Each worker runs its share of the tests with its own Target (and, without --base-url, its own
embedded mock, so workers never share state). A worker hands its findings and its ledger to the
controller, which writes the one summary.json and the one ledger.json.

Against a shared target the caps are only sound when nothing else creates segments meanwhile:
heavy tests take an exclusive lock across workers, every other test a shared one.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import tempfile
from pathlib import Path

import pytest

from conformance.catalogue import load_catalogue


def worker_id(config: pytest.Config) -> str | None:
    workerinput = getattr(config, "workerinput", None)
    return workerinput["workerid"] if workerinput else None


def is_controller(config: pytest.Config) -> bool:
    return config.pluginmanager.hasplugin("dsession") and worker_id(config) is None


def worker_ledger_path(path: Path | None, config: pytest.Config) -> Path | None:
    worker = worker_id(config)
    return path.with_name(f"{path.stem}-{worker}{path.suffix}") if path and worker else path


def hand_over(config: pytest.Config, recorder, requests_sent: int, left_behind: list[str]) -> None:
    """Worker side: what the controller needs to write the summary."""
    config.workeroutput["conformance"] = json.dumps(
        {"recorder": recorder.export(), "requests_sent": requests_sent, "left_behind": left_behind}
    )


def take_over(state, node) -> None:
    """Controller side: add one finished worker's results to the session."""
    output = getattr(node, "workeroutput", {}).get("conformance")
    if output is None:
        state.recorder.could_not_test.append(f"worker {node.gateway.id} ended without results")
        return
    data = json.loads(output)
    state.recorder.merge(data["recorder"])
    state.worker_requests += data["requests_sent"]
    state.left_behind.extend(data["left_behind"])


def merge_ledgers(path: Path | None) -> None:
    """Controller side: the workers' ledger parts become the run's one ledger.json."""
    if path is None:
        return
    created, base_url, run_tag = [], "", ""
    for part in sorted(path.parent.glob(f"{path.stem}-gw*{path.suffix}")):
        data = json.loads(part.read_text(encoding="utf-8"))
        created += data["created"]
        base_url, run_tag = base_url or data["base_url"], run_tag or data["run_tag"]
        part.unlink()
    path.write_text(json.dumps({"version": 1, "base_url": base_url, "run_tag": run_tag, "created": created}, indent=1) + "\n")


@contextlib.contextmanager
def global_state_lock(run_tag: str, item: pytest.Item, shared_target: bool):
    """Exclusive for tests whose verdict depends on the whole target's state (the caps), shared
    for the rest; a no-op when workers do not share a target."""
    if not shared_target or worker_id(item.config) is None:
        yield
        return
    requirement_ids = [i for mark in item.iter_markers("requirement") for i in mark.args]
    heavy = any(load_catalogue()[i].heavy for i in requirement_ids if i in load_catalogue())
    lock_path = Path(tempfile.gettempdir()) / f"segments-conformance-{run_tag}.lock"
    with open(lock_path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX if heavy else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
