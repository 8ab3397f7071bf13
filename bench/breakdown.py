"""Where the wall-clock time of one `conformance run` goes: a timeline of its phases.

    python bench/breakdown.py [--runs 3] [--server plain|mock] [URL]

Runs `conformance run --base-url URL --seed 1 -q` (default options, as bench/latency.py does) in a
child process that stamps the moments between its phases, against a fresh bench/plain_server.py
(or our mock, or URL) per run, and prints the median of each phase:

  start-up       launch to the run's first configure hook (interpreter, imports, options)
  collection     configure to the end of collection (the document, schemathesis's schema, the tests)
  side by side   the scenario tests on threads, beside the property tests on the main thread
    scenarios      when the last thread finished (from the start of the phase)
    properties     when the main thread's hypothesis tests finished (from the start of the phase)
  alone          the caps, the list tests, the stateful sequences, one at a time
  finish         cleanup and every report (summary, HAR, HTML, JUnit) up to the verdict
  exit           the verdict to the end of the process

The stamps come from wrapping the plugin's hooks in the child (no change to the product).
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from speed import APP_ID, APP_TOKEN, ROOT, SEED, mock_server

PHASES = ("start-up", "collection", "side by side", "alone", "finish", "exit")


def child(stamps_path: str, argv: list[str]) -> None:
    """In the measured process: stamp the phase boundaries, then run the command as the console script does."""
    from conformance import interrupts

    interrupts.install()
    import os

    stamps: dict[str, float] = {}
    done = lambda name: stamps.setdefault(name, time.time())  # noqa: E731  (the first stamp of each name wins)
    late = lambda name: stamps.__setitem__(name, max(stamps.get(name, 0.0), time.time()))  # noqa: E731

    from conformance import parallel, plugin

    configure, collection, finish = plugin.ConformanceRun.pytest_configure, plugin.ConformanceRun.pytest_collection_finish, \
        plugin.ConformanceRun.pytest_sessionfinish
    loop, in_turn, on_thread = parallel.ThreadedTests.pytest_runtestloop, parallel.ThreadedTests._run_in_turn, \
        parallel.ThreadedTests._run_on_thread

    def stamped_configure(self, config):
        done("configure")
        return configure(self, config)

    def stamped_collection(self, session):
        done("collected")
        return collection(self, session)

    def stamped_loop(self, session):
        done("loop")
        try:
            return loop(self, session)
        finally:
            done("loop end")

    def stamped_in_turn(self, session, items, *, then):
        result = in_turn(self, session, items, then=then)
        done("main thread" if then else "alone")
        return result

    def stamped_on_thread(self, states, item):
        try:
            return on_thread(self, states, item)
        finally:
            late("threads")

    def stamped_finish(self, session, exitstatus):
        done("finish")
        return finish(self, session, exitstatus)

    for owner, name, wrapper in ((plugin.ConformanceRun, "pytest_configure", stamped_configure),
                                 (plugin.ConformanceRun, "pytest_collection_finish", stamped_collection),
                                 (plugin.ConformanceRun, "pytest_sessionfinish", stamped_finish),
                                 (parallel.ThreadedTests, "pytest_runtestloop", stamped_loop),
                                 (parallel.ThreadedTests, "_run_in_turn", stamped_in_turn),
                                 (parallel.ThreadedTests, "_run_on_thread", stamped_on_thread)):
        setattr(owner, name, functools.wraps(getattr(owner, name))(wrapper))  # wraps keeps pluggy's markers (trylast ...)
    from conformance.cli import main

    code = main(argv)
    done("verdict")
    Path(stamps_path).write_text(json.dumps(stamps))
    sys.stdout.flush()
    os._exit(code)


def one_run(url: str) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="breakdown-") as work:
        stamps_path = Path(work) / "stamps.json"
        command = [sys.executable, __file__, "--child", str(stamps_path), "run", "--base-url", url, "--app-id", APP_ID,
                   "--app-token", APP_TOKEN, "--report-dir", str(Path(work) / "reports"), "--seed", str(SEED), "-q"]
        launched = time.time()
        subprocess.run(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, timeout=600)
        ended = time.time()
        stamps = json.loads(stamps_path.read_text())
    loop_end = stamps.get("loop end", stamps["finish"])
    return {
        "start-up": stamps["configure"] - launched,
        "collection": stamps["collected"] - stamps["configure"],
        "side by side": stamps.get("main thread", loop_end) - stamps.get("loop", stamps["collected"]),
        "  scenarios": stamps.get("threads", 0.0) - stamps.get("loop", stamps["collected"]),
        "  properties": stamps.get("main thread", 0.0) - stamps.get("loop", stamps["collected"]),
        "alone": loop_end - stamps.get("main thread", loop_end),
        "finish": stamps["verdict"] - loop_end,
        "exit": ended - stamps["verdict"],
        "total": ended - launched,
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        child(argv[1], argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", help="a running server (default: a fresh one per run)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--server", choices=("plain", "mock"), default="plain")
    args = parser.parse_args(argv)
    from latency import SERVERS

    results = []
    for _ in range(args.runs):
        if args.url:
            results.append(one_run(args.url))
        else:
            with SERVERS[args.server]() as url:
                results.append(one_run(url))
        print("  " + ", ".join(f"{name.strip()} {seconds:.2f}" for name, seconds in results[-1].items()), file=sys.stderr, flush=True)
    print(f"median of {len(results)} runs against {args.url or args.server}, seconds:")
    for name in results[0]:
        print(f"  {name:14} {statistics.median(result[name] for result in results):5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
