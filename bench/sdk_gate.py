"""How long a default SDK gate run takes (target: under a minute).

    python bench/sdk_gate.py                 # voucherify and reference, default settings, one run each
    python bench/sdk_gate.py --runs 3 --client reference

Each run is `python -m conformance.sdk --client NAME` in its own process against the embedded
mock, with the default number of generated values per hunt, timed from start to exit; the
verdict, the requirement counts and the number of distinct findings are printed beside it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def one_run(client: str, seed: int, examples: int | None) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory() as directory:
        command = [sys.executable, "-m", "conformance.sdk", "-q", "--client", client, "--seed", str(seed),
                   "--report-dir", directory]
        if examples is not None:
            command += ["--sdk-examples", str(examples)]
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, text=True, timeout=600)
        elapsed = time.perf_counter() - started
        return elapsed, json.loads((Path(directory) / "summary.json").read_text(encoding="utf-8"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--client", action="append", help="voucherify, reference (default: both)")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--sdk-examples", type=int, default=None, help="default: the gate's default")
    args = parser.parse_args()
    for client in args.client or ["voucherify", "reference"]:
        times = []
        for run in range(args.runs):
            elapsed, summary = one_run(client, args.seed + run, args.sdk_examples)
            times.append(elapsed)
            print(f"{client:11} run {run + 1}: {elapsed:6.1f} s  {summary['verdict']:14} {summary['counts']}  "
                  f"{len(summary.get('distinct_findings', []))} distinct finding(s), {len(summary['tests'])} tests")
        print(f"{client:11} median {statistics.median(times):6.1f} s over {len(times)} run(s) "
              f"({'under' if max(times) < 60 else 'OVER'} a minute)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
