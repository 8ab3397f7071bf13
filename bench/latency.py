"""Speed where users run it: both tools against a target that answers N ms late.

    python bench/latency.py [--runs 3] [--delays 0,50,150] [--servers plain,mock] [--quick]

A delaying proxy on loopback (this process) holds every answer N ms before passing it on, in
front of (a) a fresh `conformance mock` process and (b) bench/plain_server.py, a standard-library
server of the contract that is not our mock. For each server and delay, RUNS rounds; in each
round the three runs go in a rotating order, each against a fresh server (both tools create
segments, and the caps count them):

  ours:      conformance run --base-url PROXY --seed 1 -q     (default options)
  theirs x1: schemathesis run ... --checks all --max-examples 50 --workers 1
  theirs x4: the same with --workers 4

It prints the medians, the ratio of ours to the better of theirs (per round, then the ratio of the
medians), the requests each sent and ours per requirement judged. --quick: one round, the plain
server, 0 and 150 ms (for development, not for a note).

--detection: the fault matrix's question asked through the proxy, that is of a default run against
a base URL (tests side by side): for each fault of the mock a fresh `conformance mock --fault`,
detected when the run exits 1 and FAILs one of the fault's own requirements (--strict for a fault
that breaks only SHOULD requirements, faults of the list with the July 2026 revision); and each
legal variant under --strict, which must be CONFORMANT. Also prints the faults that flagged more
than their own requirements (side by side, a fault that mixes segments up trips its neighbours).
"""

from __future__ import annotations

import argparse
import http.client
import http.server
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from speed import APP_ID, APP_TOKEN, ROOT, SCHEMATHESIS, Run, _serving, _url_in, mock_server, run_ours, run_theirs

HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
                        "proxy-authenticate", "proxy-authorization", "content-length"})
TOOLS = ("ours", "theirs x1", "theirs x4")


# --- the delaying proxy ---------------------------------------------------------------------------


class _Relay(http.server.BaseHTTPRequestHandler):
    """One client connection: each request goes upstream on this connection's own upstream
    connection; the answer goes back `delay` seconds after it arrived, whole."""

    protocol_version = "HTTP/1.1"
    wbufsize = 64 * 1024  # status, headers and body in one write (flushed after each answer)
    disable_nagle_algorithm = True
    server: DelayingProxy

    def log_message(self, *args) -> None:
        pass

    def _relay(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {name: value for name, value in self.headers.items() if name.lower() not in HOP_BY_HOP}
        if body is not None:
            headers["Content-Length"] = str(len(body))
        upstream = getattr(self, "_upstream", None)
        if upstream is None:
            upstream = self._upstream = http.client.HTTPConnection(*self.server.upstream, timeout=60)
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            data = answer.read()
        except (OSError, http.client.HTTPException):
            upstream.close()
            self._upstream = None
            self.send_error(502)
            return
        time.sleep(self.server.delay)
        self.send_response_only(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in HOP_BY_HOP:
                self.send_header(name, value)
        if answer.status not in (204, 304) and self.command != "HEAD":
            self.send_header("Content-Length", str(len(data)))
        if answer.will_close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = do_HEAD = do_OPTIONS = do_TRACE = _relay


class DelayingProxy(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # the standard library listens with a backlog of 5: connections at once would be refused

    def __init__(self, upstream_url: str, delay_ms: float) -> None:
        super().__init__(("127.0.0.1", 0), _Relay)
        host, port = upstream_url.split("://", 1)[1].rsplit(":", 1)
        self.upstream, self.delay = (host, int(port)), delay_ms / 1000
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


@contextmanager
def delayed(upstream_url: str, delay_ms: float) -> Iterator[str]:
    proxy = DelayingProxy(upstream_url, delay_ms)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy.url
    finally:
        proxy.shutdown()
        proxy.server_close()


@contextmanager
def plain_server() -> Iterator[str]:
    command = [sys.executable, str(ROOT / "bench" / "plain_server.py"), "--app-id", APP_ID, "--app-token", APP_TOKEN]
    with _serving(command, lambda line: _url_in(line, "http://")) as url:
        yield url


SERVERS = {"plain": plain_server, "mock": mock_server}
JULY = ROOT / "tests" / "fixtures" / "segments-2026-07.json"


# --- measuring ------------------------------------------------------------------------------------


def one(tool: str, serve, delay_ms: float) -> Run:
    with tempfile.TemporaryDirectory(prefix="latency-") as work, serve() as url, delayed(url, delay_ms) as proxy:
        if tool == "ours":
            return run_ours(proxy, Path(work))
        return run_theirs(proxy, Path(work), workers=int(tool.rsplit("x", 1)[1]))


def rounds(runs: int, serve, delay_ms: float) -> list[dict[str, Run]]:
    done = []
    for index in range(runs):
        order = TOOLS[index % 3:] + TOOLS[: index % 3]  # each tool first in turn
        results = {tool: one(tool, serve, delay_ms) for tool in order}
        done.append(results)
        print("    round " + str(index + 1) + ": " + ", ".join(
            f"{tool} {results[tool].seconds:.1f} s ({results[tool].requests} requests, exit {results[tool].exit_code})"
            for tool in TOOLS), file=sys.stderr, flush=True)
    return done


def text(server: str, delay_ms: float, results: list[dict[str, Run]]) -> str:
    median = {tool: statistics.median(r[tool].seconds for r in results) for tool in TOOLS}
    requests = {tool: statistics.median(r[tool].requests or 0 for r in results) for tool in TOOLS}
    best = min(median["theirs x1"], median["theirs x4"])
    per_round = [r["ours"].seconds / min(r["theirs x1"].seconds, r["theirs x4"].seconds) for r in results]
    judged = statistics.median(r["ours"].tested or 0 for r in results)
    return (f"{server} server, {delay_ms:.0f} ms per answer, medians of {len(results)} alternated rounds:\n"
            f"  conformance run        {median['ours']:6.1f} s  {requests['ours']:5.0f} requests"
            f"  ({requests['ours'] / judged if judged else 0:.1f} per requirement judged, {judged:.0f} judged)\n"
            f"  schemathesis -w 1      {median['theirs x1']:6.1f} s  {requests['theirs x1']:5.0f} requests\n"
            f"  schemathesis -w 4      {median['theirs x4']:6.1f} s  {requests['theirs x4']:5.0f} requests\n"
            f"  ratio ours/best theirs {median['ours'] / best:6.2f}  (per round: {', '.join(f'{ratio:.2f}' for ratio in per_round)})")


def detection(delay_ms: float, jobs: int) -> str:
    from concurrent.futures import ThreadPoolExecutor

    from conformance.catalogue import load_catalogue
    from conformance.mock.faults import FAULTS, VARIANTS

    catalogue = load_catalogue()
    plan = [(None, None)] + [(fault, None) for fault in FAULTS] + [(None, variant) for variant in VARIANTS]

    def one_run(fault: str | None, variant: str | None) -> tuple[str | None, str | None, Run]:
        targets = FAULTS[fault].requirements if fault else ()
        strict = bool(variant) or (bool(fault) and all(catalogue[r].level == "SHOULD" for r in targets))
        spec = JULY if variant or (fault and FAULTS[fault].operation == "list-segment") else None
        with tempfile.TemporaryDirectory(prefix="latency-detect-") as work, \
                mock_server(fault, variant=variant, spec=spec) as url, delayed(url, delay_ms) as proxy:
            return fault, variant, run_ours(proxy, Path(work), strict=strict, extra=["--spec", str(spec)] if spec else [])

    with ThreadPoolExecutor(jobs) as pool:  # each run is its own processes: threads only wait for them
        results = list(pool.map(lambda planned: one_run(*planned), plan))
    correct = next(run for fault, variant, run in results if fault is None and variant is None)
    faults = [(fault, run) for fault, variant, run in results if fault]
    variants = [(variant, run) for fault, variant, run in results if variant]
    detected = [fault for fault, run in faults
                if run.exit_code == 1 and any(run.flagged.get(r) == "FAIL" for r in FAULTS[fault].requirements)]
    spilled = [f"{fault} (+{', '.join(sorted(set(run.flagged) - set(FAULTS[fault].requirements)))})"
               for fault, run in faults if set(run.flagged) - set(FAULTS[fault].requirements)]
    clean = [variant for variant, run in variants if run.exit_code == 0 and not run.flagged]
    missed = sorted(set(FAULTS) - set(detected))
    return (f"detection through a base URL ({delay_ms:.0f} ms, tests side by side):\n"
            f"  correct mock: exit {correct.exit_code}, flagged {sorted(correct.flagged) or 'nothing'}\n"
            f"  faults detected and named: {len(detected)} of {len(faults)}" + (f"; missed: {', '.join(missed)}" if missed else "") + "\n"
            f"  legal variants CONFORMANT with nothing flagged: {len(clean)} of {len(variants)}"
            + (f"; not: {', '.join(sorted(set(VARIANTS) - set(clean)))}" if len(clean) < len(variants) else "") + "\n"
            f"  faults that also flagged other requirements: {'; '.join(spilled) or 'none'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="rounds per server and delay (default 3)")
    parser.add_argument("--delays", default="0,50,150", help="milliseconds added to every answer (default 0,50,150)")
    parser.add_argument("--servers", default="plain,mock", help="plain (not ours), mock (ours), or both (default)")
    parser.add_argument("--quick", action="store_true", help="one round, plain server, 0 and 150 ms")
    parser.add_argument("--detection", action="store_true", help="the mock's faults and legal variants through the proxy "
                        "(at the first of --delays), instead of timing")
    parser.add_argument("--jobs", type=int, default=2, help="--detection: runs at a time (default 2)")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.delays, args.servers = 1, "0,150", "plain"
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not SCHEMATHESIS.exists():
        parser.error(f"schemathesis CLI not found at {SCHEMATHESIS}")
    servers = args.servers.split(",")
    if any(name not in SERVERS for name in servers):
        parser.error(f"--servers: choose from {', '.join(SERVERS)}")
    delays = [float(value) for value in args.delays.split(",")]
    if args.detection:
        print(detection(delays[0], max(1, args.jobs)), flush=True)
        return 0
    print(f"started {datetime.now().astimezone():%Y-%m-%d %H:%M:%S %Z}; load {os.getloadavg()[0]:.2f}; "
          f"{os.cpu_count()} cores", file=sys.stderr)
    for server in servers:
        for delay in delays:
            print(f"  {server} server, {delay:.0f} ms:", file=sys.stderr, flush=True)
            print(text(server, delay, rounds(args.runs, SERVERS[server], delay)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
