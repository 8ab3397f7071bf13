"""Request economy: what each part of a default run adds to detection, and what it costs in requests.

    python bench/phases.py [--jobs 2] [--faults a,b] [--parts scenarios,properties] [--max-examples N]
    python bench/phases.py --parts whole --max-examples 5    (the fault matrix's count for a default run at N)

For every fault of the mock (scripts/fault_matrix.py's list and judgement: exit 1 and one of the
fault's own requirements FAILED, --strict for a SHOULD-only fault), two runs against the embedded
mock: the scenarios alone (`-k "not test_properties"`) and the property tests alone
(`-k test_properties`, "properties"), each at the fault matrix's seed and examples. It prints the requests each
part sends on the correct mock, the faults each part detects, and the faults only one of them
detects: a part that detects nothing the other does not is a candidate to stop sending. The part
"whole" is the default run (no -k), to compare the count at two values of --max-examples.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import fault_matrix  # noqa: E402  (scripts/ is not a package)

from conformance.catalogue import load_catalogue  # noqa: E402
from conformance.mock.faults import FAULTS  # noqa: E402

PARTS = {"scenarios": "not test_properties", "properties": "test_properties", "whole": None}  # whole: a default run


def run_part(part: str, fault: str | None, strict: bool, work_dir: str,
             max_examples: int = fault_matrix.MAX_EXAMPLES) -> tuple[str, str | None, bool, int, dict[str, str], int]:
    from conformance import options
    from conformance.runner import run_in_process

    spec = fault_matrix.JULY if fault and FAULTS[fault].operation == "list-segment" else None
    given = {"fault": [fault] if fault else None, "spec": str(spec) if spec else None, "strict": strict or None,
             "seed": fault_matrix.SEED, "max_examples": max_examples, "quiet": True, "keyword": PARTS[part],
             "report_dir": str(Path(work_dir) / f"{part}-{fault or 'correct'}{'-strict' if strict else ''}")}
    with contextlib.redirect_stdout(io.StringIO()):
        exit_code, run = run_in_process(options.resolve(given, environ={}, cwd=Path(work_dir)))
    summary = run.summary or {"requirements": [], "run": {"requests_sent": 0}}
    statuses = {requirement["id"]: requirement["status"] for requirement in summary["requirements"]}
    return part, fault, strict, exit_code, statuses, summary["run"]["requests_sent"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--faults", help="comma-separated fault names (default: all)")
    parser.add_argument("--parts", default="scenarios,properties", help=f"which parts to run, of {','.join(PARTS)} "
                        "(default: scenarios,properties)")
    parser.add_argument("--max-examples", type=int, default=fault_matrix.MAX_EXAMPLES,
                        help=f"property-test examples per operation (default: the fault matrix's {fault_matrix.MAX_EXAMPLES})")
    args = parser.parse_args(argv)
    parts = args.parts.split(",")
    if any(part not in PARTS for part in parts):
        parser.error(f"--parts: choose from {', '.join(PARTS)}")
    catalogue = load_catalogue()
    faults = [FAULTS[name] for name in args.faults.split(",")] if args.faults else list(FAULTS.values())
    plan = [(part, None, False) for part in parts]
    for fault in faults:
        strict = fault_matrix.should_only(fault, catalogue)
        plan += [(part, fault.name, strict) for part in parts]
    with tempfile.TemporaryDirectory(prefix="phases-") as work, ProcessPoolExecutor(args.jobs) as pool:
        results = list(pool.map(run_part, *zip(*[(part, fault, strict, work, args.max_examples) for part, fault, strict in plan])))
    detected: dict[str, set[str]] = {part: set() for part in parts}
    for part, fault, strict, exit_code, statuses, requests in results:
        if fault is None:
            print(f"{part:15} {requests:4d} requests on the correct mock (exit {exit_code})")
        else:
            result = fault_matrix.RunResult(fault, strict, exit_code, statuses)
            if fault_matrix.names_a_target(result, FAULTS[fault].requirements):
                detected[part].add(fault)
    both = set.union(*detected.values())
    print(f"faults detected: {len(both)} of {len(faults)} by the two together; "
          + ", ".join(f"{part} {len(found)}" for part, found in detected.items()))
    for part, found in detected.items():
        others = set.union(set(), *(detected[other] for other in parts if other != part))
        print(f"the {part} detect: {', '.join(sorted(found)) or 'none'}")
        if len(parts) > 1:
            print(f"only the {part}: {', '.join(sorted(found - others)) or 'none'}")
    print(f"missed by both: {', '.join(sorted({fault.name for fault in faults} - both)) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
