"""Our suite against plain schemathesis, on the reference mock and each of its faults.

    python bench/compare_schemathesis.py [--repeat 3] [--faults a,b]

For the correct mock and for each fault, N times over: start the mock in its own process
(`python -m conformance mock --port 0 --fault NAME`, 127.0.0.1 only), time one run of a tool
against it, stop it; once for each tool, so every run meets a fresh mock (schemathesis leaves
segments behind, and the caps count them). The two tools never run at the same time.

  ours:  python -m conformance run --base-url URL --seed 7 -q   (--strict for SHOULD-only faults)
  theirs: schemathesis run openapi/segments.json --url URL -H ... --checks all --seed 7
          (its defaults otherwise; a fresh working directory and no example database, so no run
          replays another's failures)

Detected by us: the run exits 1 and its summary FAILs one of the requirements the fault is built
to break. Detected by schemathesis: its JSON report has a failure signature (operation, code,
title) that none of its runs on the correct mock has; the correct mock's signatures are its false
alarms. A fault counts as detected when most of its N runs detect it. Times are medians of N.
"""

from __future__ import annotations

import argparse
import json
import select
import statistics
import subprocess
import sys
import tempfile
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
HOST = "127.0.0.1"
APP_ID, APP_TOKEN = "bench-app-id", "bench-app-token"
SEED = 7
RUN_TIMEOUT = 600  # seconds per tool run; both take well under a minute on the mock
MOCK_START_TIMEOUT = 20
MAX_REPEAT = 10
CORRECT = "(correct mock)"

Signature = tuple[str, str, str]  # schemathesis: (operation, code, title)


@dataclass(frozen=True)
class ConformanceRun:
    seconds: float
    exit_code: int
    flagged: dict[str, str]  # requirement id -> FAIL / WARN


@dataclass(frozen=True)
class SchemathesisRun:
    seconds: float
    exit_code: int
    signatures: frozenset[Signature]


@dataclass(frozen=True)
class Target:
    """The correct mock (fault None) or one fault, and whether our runs use --strict on it."""

    fault: str | None
    requirements: tuple[str, ...]
    strict: bool

    @property
    def name(self) -> str:
        return self.fault or CORRECT


@dataclass(frozen=True)
class Outcome:
    target: Target
    ours: list[ConformanceRun]
    theirs: list[SchemathesisRun]


# --- running ------------------------------------------------------------------------------------


@contextmanager
def mock_running(fault: str | None) -> Iterator[str]:
    """A fresh mock in its own process; yields its base URL and stops it afterwards."""
    command = [sys.executable, "-m", "conformance", "mock", "--host", HOST, "--port", "0",
               "--app-id", APP_ID, "--app-token", APP_TOKEN] + (["--fault", fault] if fault else [])
    mock = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT)
    try:
        # The mock prints "serving http://127.0.0.1:PORT" once it listens (port 0: no race for a port).
        ready, _, _ = select.select([mock.stdout], [], [], MOCK_START_TIMEOUT)
        line = mock.stdout.readline() if ready else ""
        url = next((word for word in line.split() if word.startswith(f"http://{HOST}:")), None)
        if url is None:
            raise RuntimeError(f"the mock ({fault or 'no fault'}) did not start: {line.strip()!r}")
        yield url
    finally:
        mock.terminate()
        try:
            mock.wait(timeout=10)
        except subprocess.TimeoutExpired:
            mock.kill()
            mock.wait(timeout=10)


def _timed(command: list[str], cwd: Path) -> tuple[float, int]:
    started = time.perf_counter()
    try:
        completed = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   timeout=RUN_TIMEOUT, check=False)
        exit_code = completed.returncode
    except subprocess.TimeoutExpired:
        exit_code = -1
    return time.perf_counter() - started, exit_code


def run_conformance(url: str, strict: bool, work_dir: Path) -> ConformanceRun:
    report_dir = work_dir / "reports"
    command = [sys.executable, "-m", "conformance", "run", "--base-url", url, "--app-id", APP_ID,
               "--app-token", APP_TOKEN, "--report-dir", str(report_dir), "--seed", str(SEED), "-q"]
    seconds, exit_code = _timed(command + (["--strict"] if strict else []), ROOT)
    summary_path = report_dir / "summary.json"
    summary = json.loads(summary_path.read_text(encoding="utf-8")) if summary_path.exists() else {}
    return ConformanceRun(seconds, exit_code, flagged_requirements(summary))


def run_schemathesis(url: str, work_dir: Path) -> SchemathesisRun:
    report_path = work_dir / "schemathesis.json"
    command = [str(SCHEMATHESIS), "run", str(SPEC), "--url", url, "-H", f"X-App-Id: {APP_ID}",
               "-H", f"X-App-Token: {APP_TOKEN}", "--checks", "all", "--seed", str(SEED),
               "--generation-database", "none", "--report", "json", "--report-json-path", str(report_path),
               "--no-color"]
    seconds, exit_code = _timed(command, work_dir)  # its .hypothesis/ and .schemathesis/ stay in work_dir
    report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.exists() else {}
    return SchemathesisRun(seconds, exit_code, signatures(report))


# --- judging ------------------------------------------------------------------------------------


def flagged_requirements(summary: dict) -> dict[str, str]:
    return {requirement["id"]: requirement["status"] for requirement in summary.get("requirements", [])
            if requirement["status"] in ("FAIL", "WARN")}


def signatures(report: dict) -> frozenset[Signature]:
    """Each (operation, code, title) schemathesis reports as a failure; errors count too."""
    found = {(operation, failure["code"], failure["title"])
             for failure in report.get("failures", []) for operation in failure.get("operations", [])}
    found |= {("-", "error", error["title"]) for error in report.get("errors", [])}
    return frozenset(found)


def we_detect(run: ConformanceRun, requirements: Sequence[str]) -> bool:
    return run.exit_code == 1 and any(run.flagged.get(requirement) == "FAIL" for requirement in requirements)


def they_detect(run: SchemathesisRun, false_alarms: frozenset[Signature]) -> bool:
    return bool(run.signatures - false_alarms)


def majority(flags: Sequence[bool]) -> bool:
    return sum(flags) * 2 > len(flags)


def verdict_text(flags: Sequence[bool], strict: bool = False) -> str:
    """yes / no, with k/N when the runs disagree; "(--strict)" when our run needed it."""
    text = "yes" if majority(flags) else "no"
    if 0 < sum(flags) < len(flags):
        text += f" ({sum(flags)}/{len(flags)})"
    return text + (" (--strict)" if strict else "")


@dataclass(frozen=True)
class Totals:
    faults: int
    ours_detected: list[str]
    theirs_detected: list[str]
    ours_false_alarms: list[str]  # requirement ids FAILed or WARNed on the correct mock
    theirs_false_alarms: list[Signature]
    ours_median_s: float
    theirs_median_s: float

    @property
    def only_ours(self) -> list[str]:
        return [name for name in self.ours_detected if name not in self.theirs_detected]

    @property
    def only_theirs(self) -> list[str]:
        return [name for name in self.theirs_detected if name not in self.ours_detected]

    @property
    def ratio(self) -> float:
        return self.ours_median_s / self.theirs_median_s


def false_alarms(outcomes: Sequence[Outcome]) -> frozenset[Signature]:
    """Every schemathesis signature on the correct mock, over all its runs."""
    correct = next(outcome for outcome in outcomes if outcome.target.fault is None)
    return frozenset().union(*(run.signatures for run in correct.theirs))


def totals(outcomes: Sequence[Outcome]) -> Totals:
    baseline = false_alarms(outcomes)
    faulty = [outcome for outcome in outcomes if outcome.target.fault is not None]
    correct = next(outcome for outcome in outcomes if outcome.target.fault is None)
    return Totals(
        faults=len(faulty),
        ours_detected=[o.target.name for o in faulty if majority([we_detect(r, o.target.requirements) for r in o.ours])],
        theirs_detected=[o.target.name for o in faulty if majority([they_detect(r, baseline) for r in o.theirs])],
        ours_false_alarms=sorted(set().union(*(run.flagged for run in correct.ours))),
        theirs_false_alarms=sorted(baseline),
        ours_median_s=statistics.median(run.seconds for outcome in outcomes for run in outcome.ours),
        theirs_median_s=statistics.median(run.seconds for outcome in outcomes for run in outcome.theirs),
    )


# --- printing -----------------------------------------------------------------------------------

HEADER = ("fault", "conformance detected", "schemathesis detected", "conformance median s", "schemathesis median s")


def table_rows(outcomes: Sequence[Outcome]) -> list[tuple[str, ...]]:
    baseline = false_alarms(outcomes)
    rows = []
    for outcome in outcomes:
        target = outcome.target
        if target.fault is None:
            ours = f"{len(set().union(*(run.flagged for run in outcome.ours)))} false alarms"
            theirs = f"{len(baseline)} false alarms"
        else:
            ours = verdict_text([we_detect(run, target.requirements) for run in outcome.ours], target.strict)
            theirs = verdict_text([they_detect(run, baseline) for run in outcome.theirs])
        rows.append((target.name, ours, theirs, f"{statistics.median(r.seconds for r in outcome.ours):.1f}",
                     f"{statistics.median(r.seconds for r in outcome.theirs):.1f}"))
    return rows


def format_table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[column]) for row in [HEADER, *rows]) for column in range(len(HEADER))]
    lines = [" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in [HEADER, *rows]]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(lines)


def format_totals(result: Totals) -> str:
    def names(items: Sequence[str]) -> str:
        return ", ".join(items) if items else "none"

    ours_alarms = f"conformance {len(result.ours_false_alarms)}" + (
        f" ({names(result.ours_false_alarms)})" if result.ours_false_alarms else "")
    theirs_alarms = f"schemathesis {len(result.theirs_false_alarms)} (" + ", ".join(
        f"{code} {title} on {operation}" for operation, code, title in result.theirs_false_alarms) + ")"
    detections = f"conformance {len(result.ours_detected)}/{result.faults}, schemathesis {len(result.theirs_detected)}/{result.faults}"
    times = f"conformance {result.ours_median_s:.1f} s, schemathesis {result.theirs_median_s:.1f} s"
    return "\n".join([
        f"detections: {detections}",
        f"false alarms on the correct mock: {ours_alarms}, {theirs_alarms}",
        f"schemathesis misses, conformance catches ({len(result.only_ours)}): {names(result.only_ours)}",
        f"schemathesis catches, conformance misses ({len(result.only_theirs)}): {names(result.only_theirs)}",
        f"median wall time per run: {times}; ratio ours/theirs {result.ratio:.2f}",
    ])


def format_details(outcomes: Sequence[Outcome]) -> str:
    """What each tool named, per fault: our failed target requirements, their new signatures."""
    baseline = false_alarms(outcomes)
    lines = []
    for outcome in outcomes:
        if outcome.target.fault is None:
            continue
        ours = sorted({rid for run in outcome.ours for rid, status in run.flagged.items()
                       if status == "FAIL" and rid in outcome.target.requirements})
        theirs = sorted(set().union(*(run.signatures for run in outcome.theirs)) - baseline)
        lines.append(f"{outcome.target.name}: conformance {', '.join(ours) or '-'}; schemathesis "
                     + (", ".join(f"{code} on {operation}" for operation, code, _ in theirs) or "-"))
    return "\n".join(lines)


# --- main ---------------------------------------------------------------------------------------


def targets_for(names: Sequence[str]) -> list[Target]:
    catalogue = load_catalogue()
    chosen = [Target(None, (), strict=False)]
    for name in names:
        requirements = FAULTS[name].requirements
        # A SHOULD failure is a warning (exit 0) by default; --strict is how it fails a run.
        strict = all(catalogue[requirement].level == "SHOULD" for requirement in requirements)
        chosen.append(Target(name, requirements, strict))
    return chosen


def measure(target: Target, repeat: int) -> Outcome:
    ours, theirs = [], []
    for attempt in range(1, repeat + 1):
        with tempfile.TemporaryDirectory(prefix="bench-ours-") as work, mock_running(target.fault) as url:
            ours.append(run_conformance(url, target.strict, Path(work)))
        with tempfile.TemporaryDirectory(prefix="bench-theirs-") as work, mock_running(target.fault) as url:
            theirs.append(run_schemathesis(url, Path(work)))
        print(f"  {target.name} #{attempt}: conformance {ours[-1].seconds:.1f} s exit {ours[-1].exit_code}, "
              f"schemathesis {theirs[-1].seconds:.1f} s exit {theirs[-1].exit_code}", file=sys.stderr, flush=True)
    return Outcome(target, ours, theirs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help=f"runs per tool and target, 1-{MAX_REPEAT} (default 3)")
    parser.add_argument("--faults", help="comma-separated fault names (default: every fault)")
    args = parser.parse_args(argv)
    if not 1 <= args.repeat <= MAX_REPEAT:
        parser.error(f"--repeat must be 1-{MAX_REPEAT}")
    names = args.faults.split(",") if args.faults else list(FAULTS)
    unknown = [name for name in names if name not in FAULTS]
    if unknown:
        parser.error(f"unknown fault {unknown[0]!r}; see `conformance mock --list-faults`")
    if not SCHEMATHESIS.exists():
        parser.error(f"schemathesis CLI not found at {SCHEMATHESIS}")

    started = datetime.now().astimezone()
    print(f"started {started:%Y-%m-%d %H:%M:%S %Z}; {len(names)} faults + the correct mock, {args.repeat} runs each",
          file=sys.stderr, flush=True)
    outcomes = [measure(target, args.repeat) for target in targets_for(names)]
    finished = datetime.now().astimezone()

    print(f"run {started:%Y-%m-%d %H:%M:%S} - {finished:%H:%M:%S %Z}, repeat {args.repeat}, seed {SEED}, "
          f"medians of {args.repeat} wall-clock runs per cell")
    print(format_table(table_rows(outcomes)))
    print()
    print(format_totals(totals(outcomes)))
    print("(--strict): a fault that breaks only SHOULD requirements; our runs on it use --strict")
    print()
    print("named per fault:")
    print(format_details(outcomes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
