"""Fixtures for the SDK gate's own tests: the mock and the answer server on loopback, and a gate
run in its own process (as a user or CI runs it)."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from conformance import cli, options
from conformance.mock import MockServer
from conformance.runner import run_in_process
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
    """run_gate(*args) -> (outcome with returncode and stdout, summary.json as data): `conformance sdk`
    run in this process (runner.run_in_process), so the gate's runs share this process's start-up."""

    def run(*args: str, examples: int = 5, seed: int = 7):
        report_dir = tmp_path / f"reports-{len(list(tmp_path.iterdir()))}"
        argv = ["sdk", "-q", "--report-dir", str(report_dir), "--seed", str(seed), "--sdk-examples", str(examples), *args]
        given = vars(cli.build_parser(argv).parse_args(argv))
        settings = options.resolve(given, command="sdk", environ={}, cwd=tmp_path)
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            exit_code, _ = run_in_process(settings, "sdk")
        summary_path = report_dir / "summary.json"
        assert summary_path.exists(), output.getvalue()[-3000:]
        return SimpleNamespace(returncode=exit_code, stdout=output.getvalue()), json.loads(summary_path.read_text(encoding="utf-8"))

    return run


def statuses(summary, *wanted) -> set[str]:
    return {requirement["id"] for requirement in summary["requirements"] if requirement["status"] in wanted}


@pytest.fixture
def by_status():
    return statuses
