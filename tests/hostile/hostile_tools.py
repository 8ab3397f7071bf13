"""The hostile-input corpus's tools: a listener that proves nothing connects, a run of the CLI in
a subprocess with its time and memory measured, and the report tests' hand-built summary.
The fixtures are imported by each test module, not declared in a conftest.py: pytest drops a
directory's conftest for its second file when another directory's file is named between them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent.parent
SECRET = "hostile-corpus-secret-3f9a1c"  # the content of a file that must never reach an output
SECONDS, MEGABYTES = 60, 500  # the bounds for any input of the corpus


def _report_summaries():
    spec = importlib.util.spec_from_file_location("report_summaries", TESTS / "report" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_summary = _report_summaries().make_summary


@pytest.fixture
def summary():
    return make_summary()


@pytest.fixture(scope="module")
def listener():
    listening = Listener()
    yield listening
    listening.close()


class Listener:
    """TCP listeners on 127.0.0.1 and 127.0.0.2 ("another host"): every connection is recorded."""

    def __init__(self) -> None:
        self.connections: list[str] = []
        self._sockets = []
        for host in ("127.0.0.1", "127.0.0.2"):
            server = socket.socket()
            server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            server.bind((host, 0))
            server.listen(16)
            server.settimeout(0.2)
            self._sockets.append(server)
        self.ports = {host: server.getsockname()[1] for host, server in zip(("127.0.0.1", "127.0.0.2"), self._sockets)}
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._accept, args=(server,), daemon=True) for server in self._sockets]
        for thread in self._threads:
            thread.start()

    def url(self, host: str = "127.0.0.2") -> str:
        return f"http://{host}:{self.ports[host]}"

    def _accept(self, server: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                connection, peer = server.accept()
            except (TimeoutError, OSError):
                continue
            self.connections.append(f"{server.getsockname()} from {peer}")
            connection.close()

    def close(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()
        for server in self._sockets:
            server.close()


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    megabytes: float

    def refused(self, *said: str) -> None:
        """Exit 4, one line on stderr, no traceback, and the bounds held."""
        assert self.returncode == 4, (self.returncode, self.stdout[-500:], self.stderr[-2000:])
        assert self.stderr.count("\n") == 1 and "Traceback" not in self.stderr, self.stderr[-2000:]
        for words in said:
            assert words in self.stderr, self.stderr
        self.bounded()

    def bounded(self) -> None:
        assert self.seconds < SECONDS and self.megabytes < MEGABYTES, (self.seconds, self.megabytes)
        for text in (self.stdout, self.stderr):
            assert SECRET not in text and "\x1b" not in text and "Traceback" not in text


def conformance(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
                stdin: str | None = None) -> Outcome:
    """`conformance ARGS` in a subprocess, with its wall time and peak memory (maximum RSS)."""
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "conformance", *args], cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                               env={**os.environ, "PYTHONPATH": str(TESTS.parent), **(env or {})})
    try:
        stdout, stderr = process.communicate(stdin.encode() if stdin is not None else None, timeout=SECONDS * 2)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
    seconds = time.monotonic() - started
    # The largest peak of any child this test process has waited for: an upper bound for this one.
    megabytes = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return Outcome(process.returncode, stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace"), seconds, megabytes)


def write_json(path: Path, value) -> Path:
    path.write_text(json.dumps(value), encoding="utf-8")
    return path
