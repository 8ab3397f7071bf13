"""Fixtures for the SDK gate's own tests: the mock and the answer server on loopback, and a gate
run in its own process (as a user or CI runs it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.mock import MockServer
from conformance.sdk.answers import AnswerServer


@pytest.fixture
def mock_server():
    with MockServer() as server:
        yield server


@pytest.fixture(scope="module")
def answer_server():
    with AnswerServer() as server:
        yield server


@pytest.fixture
def run_gate(tmp_path: Path):
    """run_gate(*args) -> (completed process, summary.json as data)."""

    def run(*args: str, examples: int = 5, seed: int = 7):
        report_dir = tmp_path / f"reports-{len(list(tmp_path.iterdir()))}"
        completed = subprocess.run(
            [sys.executable, "-m", "conformance.sdk", "-q", "--report-dir", str(report_dir), "--seed", str(seed),
             "--sdk-examples", str(examples), *args],
            capture_output=True, text=True, timeout=300,
        )
        summary_path = report_dir / "summary.json"
        assert summary_path.exists(), completed.stdout[-3000:] + completed.stderr[-3000:]
        return completed, json.loads(summary_path.read_text(encoding="utf-8"))

    return run


def statuses(summary, *wanted) -> set[str]:
    return {requirement["id"] for requirement in summary["requirements"] if requirement["status"] in wanted}


@pytest.fixture
def by_status():
    return statuses
