"""Speed and detection: `conformance run` against plain schemathesis, paired and alternated.

    python bench/speed.py [--runs 5] [--target mock|prism|URL] [--faults a,b|all|none]

Timing: RUNS pairs; in each pair both tools run once against the same kind of server, in
alternating order (ours first in odd pairs, theirs first in even ones), each against a fresh
server where the server keeps state (our mock: a new `conformance mock` process per run, since
both tools create segments and the caps count them). Medians of the wall-clock times, their
ratio (ours / theirs), and the requests each sent (ours: summary.json; theirs: its HAR).

  ours:   conformance run --base-url URL --seed 1 -q          (the default depth: what a CI gate runs)
  theirs: schemathesis run openapi/segments.json --url URL --checks all --max-examples 50 --seed 1

Targets: our mock (default), Stoplight Prism serving the bundled document (a server we did not
write: `--target prism`, `npm install @stoplight/prism-cli`, `--prism PATH`), or any base URL.

Start-up to first request: median time from launching `conformance run` to the first request a
server receives (the probe), against a server that answers 404 to everything.

Detection (our mock only): once per tool on the correct mock and on each fault of --faults.
Ours detects a fault when it exits 1 and FAILs a requirement the fault is built to break (--strict
when the fault breaks only SHOULD requirements); schemathesis detects it when its report has a
failure (operation, code, title) that its run on the correct mock does not: those are its false
alarms.
"""

from __future__ import annotations

import argparse
import http.server
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from conformance.catalogue import load_catalogue
from conformance.mock.faults import FAULTS

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "segments.json"
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CONFORMANCE = [sys.executable, "-m", "conformance"]
HOST = "127.0.0.1"
APP_ID, APP_TOKEN = "bench-app-id", "bench-app-token"
SEED = 1
RUN_TIMEOUT = 600
START_TIMEOUT = 60
DEFAULT_FAULTS = ("soft-delete", "dynamic-cap-101", "wrong-token-accepted", "delete-204-with-body",
                  "created-at-without-timezone", "error-code-always-400", "invalid-body-wrong-key", "get-unknown-answers-500")

Signature = tuple[str, str, str]  # schemathesis: (operation, code, title)


@dataclass(frozen=True)
class Run:
    tool: str
    seconds: float
    exit_code: int
    requests: int | None
    flagged: dict[str, str]  # ours: requirement id -> FAIL/WARN
    signatures: frozenset[Signature]  # theirs: failure signatures
    tested: int | None = None  # ours: requirements judged (PASS, FAIL or WARN)


# --- servers ------------------------------------------------------------------------------------


@contextmanager
def mock_server(fault: str | None = None, *, variant: str | None = None, spec: Path | None = None) -> Iterator[str]:
    """A fresh mock in its own process; yields its base URL."""
    command = [*CONFORMANCE, "mock", "--host", HOST, "--port", "0", "--app-id", APP_ID, "--app-token", APP_TOKEN, "--quiet"]
    command += (["--fault", fault] if fault else []) + (["--variant", variant] if variant else [])
    command += ["--spec", str(spec)] if spec else []
    with _serving(command, lambda line: _url_in(line, "http://")) as url:
        yield url


@contextmanager
def prism_server(prism: str) -> Iterator[str]:
    """Prism serving the bundled vendor document (stateless, so one process serves every run)."""
    port = _free_port()
    command = [prism, "mock", str(SPEC), "-h", HOST, "-p", str(port)]
    with _serving(command, lambda line: f"http://{HOST}:{port}" if "listening" in line.lower() else None):
        yield f"http://{HOST}:{port}"


@contextmanager
def _serving(command: list[str], ready) -> Iterator[str]:
    """Start `command`; yield what `ready` makes of the first output line it recognises."""
    import queue

    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    lines: queue.Queue = queue.Queue()
    # One reader for the whole life of the process: it hands lines over and keeps the pipe drained.
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    try:
        deadline, url = time.monotonic() + START_TIMEOUT, None
        while url is None and time.monotonic() < deadline and process.poll() is None:
            try:
                url = ready(lines.get(timeout=0.2))
            except queue.Empty:
                continue
        if url is None:
            raise RuntimeError(f"{command[0]} did not start")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _url_in(line: str, scheme: str) -> str | None:
    return next((word for word in line.split() if word.startswith(scheme)), None)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


# --- the tools ----------------------------------------------------------------------------------


def run_ours(url: str, work: Path, *, strict: bool = False, extra: Sequence[str] = ()) -> Run:
    report = work / "reports"
    command = [*CONFORMANCE, "run", "--base-url", url, "--app-id", APP_ID, "--app-token", APP_TOKEN,
               "--report-dir", str(report), "--seed", str(SEED), "-q"] + (["--strict"] if strict else []) + list(extra)
    seconds, exit_code = _timed(command, ROOT)
    summary = _json(report / "summary.json")
    flagged = {r["id"]: r["status"] for r in summary.get("requirements", []) if r["status"] in ("FAIL", "WARN")}
    for cause in summary.get("run", {}).get("causes", []) if exit_code == 2 else ():
        print(f"    conformance INCOMPLETE: {cause[:300]}", file=sys.stderr, flush=True)  # a figure needs its reason
    return Run("conformance", seconds, exit_code, summary.get("run", {}).get("requests_sent"), flagged, frozenset(),
               tested=sum(summary.get("counts", {}).get(status, 0) for status in ("PASS", "FAIL", "WARN")))


def run_theirs(url: str, work: Path, *, workers: int = 1) -> Run:
    command = [str(SCHEMATHESIS), "run", str(SPEC), "--url", url, "-H", f"X-App-Id: {APP_ID}", "-H", f"X-App-Token: {APP_TOKEN}",
               "--checks", "all", "--max-examples", "50", "--seed", str(SEED), "--generation-database", "none",
               "--report", "json,har", "--report-json-path", str(work / "st.json"), "--report-har-path", str(work / "st.har"),
               "--no-color", "--workers", str(workers)]
    seconds, exit_code = _timed(command, work)  # its .hypothesis/ stays in the work directory
    report, har = _json(work / "st.json"), _json(work / "st.har")
    found = {(operation, failure["code"], failure["title"])
             for failure in report.get("failures", []) for operation in failure.get("operations", [])}
    found |= {("-", "error", error["title"]) for error in report.get("errors", [])}
    requests = len(har["log"]["entries"]) if har else None
    return Run("schemathesis", seconds, exit_code, requests, {}, frozenset(found))


def _timed(command: list[str], cwd: Path) -> tuple[float, int]:
    started = time.perf_counter()
    try:
        exit_code = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   timeout=RUN_TIMEOUT, check=False).returncode
    except subprocess.TimeoutExpired:
        exit_code = -1
    return time.perf_counter() - started, exit_code


def _json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


# --- measuring ----------------------------------------------------------------------------------


def timing_pairs(runs: int, serve) -> list[tuple[Run, Run]]:
    pairs = []
    for index in range(runs):
        order = ("ours", "theirs") if index % 2 == 0 else ("theirs", "ours")
        done = {}
        for tool in order:
            with tempfile.TemporaryDirectory(prefix=f"speed-{tool}-") as work, serve() as url:
                done[tool] = (run_ours if tool == "ours" else run_theirs)(url, Path(work))
        pairs.append((done["ours"], done["theirs"]))
        ours, theirs = done["ours"], done["theirs"]
        print(f"  pair {index + 1}: conformance {ours.seconds:.2f} s ({ours.requests} requests, exit {ours.exit_code}), "
              f"schemathesis {theirs.seconds:.2f} s ({theirs.requests} requests, exit {theirs.exit_code})",
              file=sys.stderr, flush=True)
    return pairs


class _FirstRequest(http.server.ThreadingHTTPServer):
    first: float | None = None


class _Handler(http.server.BaseHTTPRequestHandler):
    def _answer(self) -> None:
        if self.server.first is None:
            self.server.first = time.monotonic()
        body = b'{"code": 404, "message": "Not found"}'
        self.send_response(404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _answer

    def log_message(self, *args) -> None:
        pass


def startup_to_first_request(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        server = _FirstRequest((HOST, 0), _Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://{HOST}:{server.server_address[1]}"
        with tempfile.TemporaryDirectory(prefix="speed-startup-") as work:
            started = time.monotonic()
            process = subprocess.Popen([*CONFORMANCE, "run", "--base-url", url, "--app-id", APP_ID, "--app-token", APP_TOKEN,
                                        "--report-dir", work, "-q"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
            while server.first is None and process.poll() is None:
                time.sleep(0.005)
            if server.first is not None:
                times.append(server.first - started)
            process.kill()
            process.wait()
        server.shutdown()
    return times


def detection(faults: Sequence[str]) -> list[tuple[str | None, Run, Run]]:
    catalogue = load_catalogue()
    rows = []
    for fault in [None, *faults]:
        strict = bool(fault) and all(catalogue[r].level == "SHOULD" for r in FAULTS[fault].requirements)
        with tempfile.TemporaryDirectory(prefix="speed-ours-") as work, mock_server(fault) as url:
            ours = run_ours(url, Path(work), strict=strict)
        with tempfile.TemporaryDirectory(prefix="speed-theirs-") as work, mock_server(fault) as url:
            theirs = run_theirs(url, Path(work))
        rows.append((fault, ours, theirs))
        print(f"  {fault or '(correct mock)'}: conformance exit {ours.exit_code}, schemathesis exit {theirs.exit_code}",
              file=sys.stderr, flush=True)
    return rows


# --- printing -----------------------------------------------------------------------------------


def timing_text(pairs: Sequence[tuple[Run, Run]], target: str) -> str:
    ours = statistics.median(pair[0].seconds for pair in pairs)
    theirs = statistics.median(pair[1].seconds for pair in pairs)
    ours_requests = statistics.median(pair[0].requests or 0 for pair in pairs)
    theirs_requests = statistics.median(pair[1].requests or 0 for pair in pairs)
    ratios = [pair[0].seconds / pair[1].seconds for pair in pairs]
    return (f"target {target}: medians of {len(pairs)} alternated pairs\n"
            f"  conformance run     {ours:6.2f} s  {ours_requests:6.0f} requests\n"
            f"  schemathesis run    {theirs:6.2f} s  {theirs_requests:6.0f} requests\n"
            f"  ratio ours/theirs   {ours / theirs:6.2f}  (per pair: {', '.join(f'{ratio:.2f}' for ratio in ratios)})")


def detection_text(rows: Sequence[tuple[str | None, Run, Run]]) -> str:
    baseline = rows[0][2].signatures
    ours_alarms = sorted(rows[0][1].flagged)
    lines = [f"false alarms on the correct mock: conformance {len(ours_alarms)} {ours_alarms or ''}, "
             f"schemathesis {len(baseline)} " + ", ".join(f"{code} {title} on {operation}" for operation, code, title in sorted(baseline))]
    caught = {"conformance": 0, "schemathesis": 0}
    for fault, ours, theirs in rows[1:]:
        targets = FAULTS[fault].requirements
        we = ours.exit_code == 1 and any(ours.flagged.get(r) == "FAIL" for r in targets)
        they = bool(theirs.signatures - baseline)
        caught["conformance"] += we
        caught["schemathesis"] += they
        lines.append(f"  {fault:34} conformance {'yes' if we else 'NO ':3}  schemathesis {'yes' if they else 'no'}")
    lines.append(f"detected: conformance {caught['conformance']}/{len(rows) - 1}, schemathesis {caught['schemathesis']}/{len(rows) - 1}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timing pairs (default 5, at least 5 for the figures in a note)")
    parser.add_argument("--target", default="mock", help="mock (default), prism, or a base URL (needs --app-id/--app-token)")
    parser.add_argument("--prism", default=shutil.which("prism") or "/work/tools/prism/node_modules/.bin/prism",
                        help="the prism executable for --target prism")
    parser.add_argument("--app-id", default=None)
    parser.add_argument("--app-token", default=None)
    parser.add_argument("--faults", default=",".join(DEFAULT_FAULTS), help="comma-separated faults, 'all' or 'none' (mock only)")
    parser.add_argument("--startup-runs", type=int, default=5)
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not SCHEMATHESIS.exists():
        parser.error(f"schemathesis CLI not found at {SCHEMATHESIS}")
    faults = list(FAULTS) if args.faults == "all" else [] if args.faults == "none" else args.faults.split(",")
    unknown = [name for name in faults if name not in FAULTS]
    if unknown:
        parser.error(f"unknown fault {unknown[0]!r}")
    if args.target == "mock":
        serve = mock_server
    elif args.target == "prism":
        if not os.path.exists(args.prism):
            parser.error(f"prism not found at {args.prism}: npm install @stoplight/prism-cli, or --prism PATH")
        serve = lambda: prism_server(args.prism)  # noqa: E731
    else:
        global APP_ID, APP_TOKEN
        APP_ID, APP_TOKEN = args.app_id or APP_ID, args.app_token or APP_TOKEN

        @contextmanager
        def serve():
            yield args.target.rstrip("/")

    print(f"started {datetime.now().astimezone():%Y-%m-%d %H:%M:%S %Z}; load {os.getloadavg()[0]:.2f}", file=sys.stderr)
    startup = startup_to_first_request(args.startup_runs)
    pairs = timing_pairs(args.runs, serve)
    print(f"start-up to first request: median {statistics.median(startup):.2f} s over {len(startup)} runs "
          f"({', '.join(f'{value:.2f}' for value in startup)})")
    print(timing_text(pairs, args.target))
    if faults and args.target == "mock":
        print(detection_text(detection(faults)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
