"""Mutation testing of the reference mock: the proof of the suite that does not depend on who
wrote the fault.

    python scripts/mutation.py [--jobs 2] [--sample N --seed S] [--modules app,listing] [--json FILE]

The mutator is mutmut 3's (mutmut.mutation.file_mutation.mutate_file_contents): it rewrites each
function of a module into a trampoline plus one copy per mutant, and the trampoline picks the
active mutant at call time (mutmut.mutation.trampoline.set_mutant_under_test). So one worker
process imports the mutated mock once and runs the whole suite in-process against mutant after
mutant, as scripts/fault_matrix.py does with the named faults, instead of paying mutmut's
one-pytest-per-mutant start-up. mutmut rather than cosmic-ray: cosmic-ray writes each mutant into
the source tree and re-imports it in a fresh process, which costs the suite's start-up (~3 s) per
mutant and touches the worktree; mutmut's trampolines leave the tree alone.

Only lines the correct mock runs during the suite are mutated (coverage of one clean run): what
the correct mock never runs is the fault and variant switches, which the named faults prove.

Each mutant gets one `conformance run --strict` under the July 2026 revision (it has the list
operation), seed 7. Killed: the verdict is not CONFORMANT (NONCONFORMANT, or INCOMPLETE with its
cause, or a run that did not end in time). Prints the kill rate per module and per requirement and
every survivor with its diff; docs/mutation.md classifies the survivors.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import functools
import importlib.abc
import importlib.util
import io
import json
import os
import random
import re
import select
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JULY = ROOT / "tests" / "fixtures" / "segments-2026-07.json"
SEED = 7
MAX_EXAMPLES = 5
# The mock's contract-bearing modules: handlers, validation, listing, store, responses, timestamps.
# server.py and requestlog.py are plumbing (uvicorn, the log), faults.py and variants.py the switches.
MODULES = ("app", "validation", "listing", "store", "responses", "timestamps")
PER_MUTANT_TIMEOUT = 60.0  # seconds; a clean run takes ~3 s, a mutant that hangs the mock is killed


@dataclass
class Outcome:
    """What the suite made of one mutant."""

    mutant: str  # conformance.mock.<module>.<mutmut name>
    exit_code: int  # 0 survived; 1 NONCONFORMANT; 2 INCOMPLETE; 3 our bug; -1 timed out
    failed: list[str] = field(default_factory=list)  # requirement ids that FAILed or WARNed
    causes: list[str] = field(default_factory=list)  # INCOMPLETE's causes

    @property
    def module(self) -> str:
        return self.mutant.split(".")[2]

    @property
    def killed(self) -> bool:
        return self.exit_code != 0


# --- the mutants -----------------------------------------------------------------------------------


def module_path(module: str) -> Path:
    return ROOT / "conformance" / "mock" / f"{module}.py"


def covered_lines(modules: tuple[str, ...]) -> dict[str, set[int]]:
    """Lines of each module the correct mock runs during one clean run of the suite."""
    import coverage

    tracer = coverage.Coverage(data_file=None, include=[str(module_path(module)) for module in modules])
    with tempfile.TemporaryDirectory(prefix="mutation-baseline-") as work_dir:
        tracer.start()
        try:
            exit_code, _ = _run_suite(Path(work_dir))
        finally:
            tracer.stop()
    if exit_code != 0:
        raise SystemExit(f"the correct mock is not CONFORMANT (exit {exit_code}): fix that before mutating it")
    data = tracer.get_data()
    return {module: set(data.lines(str(module_path(module))) or ()) for module in modules}


def write_mutants(modules: tuple[str, ...], mutated_dir: Path) -> dict[str, list[str]]:
    """mutmut's trampolined source of each module into mutated_dir; {module: [mutant ids]}."""
    os.chdir(ROOT)  # mutmut reads its configuration ([tool.mutmut] in pyproject.toml) from the working directory
    from mutmut.mutation.file_mutation import mutate_file_contents

    lines = covered_lines(modules)
    mutants = {}
    for module in modules:
        path = module_path(module)
        mutated = mutate_file_contents(str(path), path.read_text(encoding="utf-8"), covered_lines=lines[module])
        (mutated_dir / f"{module}.py").write_text(mutated.code, encoding="utf-8")
        mutants[module] = [f"conformance.mock.{module}.{name}" for name in mutated.mutant_names]
    (mutated_dir / "mutants.json").write_text(json.dumps(mutants), encoding="utf-8")
    return mutants


def mutant_diff(mutated_dir: Path, mutant: str) -> str:
    """The mutated function against the original, as a unified diff (the survivor's evidence)."""
    _, _, module, name = mutant.split(".", 3)
    functions = _functions(mutated_dir / f"{module}.py")
    original, mutated = functions.get(name.rsplit("__mutmut_", 1)[0] + "__mutmut_orig"), functions.get(name)
    if original is None or mutated is None:
        return "(diff unavailable)"
    return "".join(difflib.unified_diff(original.splitlines(True), mutated.splitlines(True), n=0))


@functools.cache
def _functions(path: Path) -> dict[str, str]:
    """Every top-level function and method of mutmut's output, by name, its name in the text left out."""
    import libcst

    tree = libcst.parse_module(path.read_text(encoding="utf-8"))
    found = {}
    for statement in tree.body:
        items = statement.body.body if isinstance(statement, libcst.ClassDef) else [statement]
        for node in items:
            if isinstance(node, libcst.FunctionDef):
                found[node.name.value] = tree.code_for_node(node).replace(node.name.value, "f", 1)
    return found


# --- a worker: the mutated mock, imported once, and one suite run per mutant -------------------------


class _MutatedMock(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves conformance.mock.<module> from mutmut's trampolined source instead of the tree's."""

    def __init__(self, mutated_dir: Path, modules: list[str]) -> None:
        self.sources = {f"conformance.mock.{module}": mutated_dir / f"{module}.py" for module in modules}

    def find_spec(self, name, path=None, target=None):
        if name not in self.sources:
            return None
        return importlib.util.spec_from_loader(name, self, origin=str(self.sources[name]))

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        source = self.sources[module.__name__]
        module.__file__ = str(source)
        exec(compile(source.read_text(encoding="utf-8"), str(source), "exec"), module.__dict__)  # noqa: S102 - mutmut's output of our own module


def _run_suite(work_dir: Path) -> tuple[int, dict | None]:
    from conformance import options
    from conformance.runner import run_in_process

    given = {"spec": str(JULY), "strict": True, "seed": SEED, "max_examples": MAX_EXAMPLES, "quiet": True,
             "report_dir": str(work_dir / "reports")}
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        exit_code, run = run_in_process(options.resolve(given, environ={}, cwd=work_dir))
    return exit_code, run.summary


def worker(mutated_dir: Path) -> None:
    """Reads mutant ids on stdin, answers one JSON Outcome per line on the original stdout."""
    from mutmut.mutation.trampoline import set_mutant_under_test

    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # the suite's own output (and uvicorn's) is not the protocol
    modules = list(json.loads((mutated_dir / "mutants.json").read_text(encoding="utf-8")))
    sys.meta_path.insert(0, _MutatedMock(mutated_dir, modules))
    for line in sys.stdin:
        mutant = line.strip()
        set_mutant_under_test(mutant)
        with tempfile.TemporaryDirectory(prefix="mutant-") as work_dir:
            try:
                exit_code, summary = _run_suite(Path(work_dir))
            except Exception as error:  # noqa: BLE001 - a mutant that breaks the run is a killed mutant, said so
                exit_code, summary = 3, {"requirements": [], "run": {"causes": [f"{type(error).__name__}: {error}"]}}
        flagged = [r["id"] for r in (summary or {}).get("requirements", []) if r["status"] in ("FAIL", "WARN")]
        causes = (summary or {}).get("run", {}).get("causes", []) if exit_code == 2 else []
        protocol.write(json.dumps(asdict(Outcome(mutant, exit_code, flagged, causes))) + "\n")


class _Worker:
    def __init__(self, mutated_dir: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--worker", str(mutated_dir)], cwd=ROOT, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.mutant: str | None = None
        self.started = 0.0

    def send(self, mutant: str) -> None:
        self.mutant, self.started = mutant, time.monotonic()
        self.process.stdin.write(mutant + "\n")
        self.process.stdin.flush()

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


def run_mutants(mutated_dir: Path, mutants: list[str], jobs: int, progress=print) -> list[Outcome]:
    """Every mutant through a pool of workers; a worker stuck past the timeout is replaced."""
    pending = list(reversed(mutants))
    workers = [_Worker(mutated_dir) for _ in range(min(jobs, len(mutants)))]
    outcomes: list[Outcome] = []
    try:
        for each in workers:
            each.send(pending.pop())
        while any(each.mutant for each in workers):
            busy = {each.process.stdout: each for each in workers if each.mutant}
            ready, _, _ = select.select(list(busy), [], [], 1.0)
            for stream in ready:
                each = busy[stream]
                line = stream.readline()
                outcome = Outcome(**json.loads(line)) if line else Outcome(each.mutant, 3, causes=["the worker died"])
                outcomes.append(outcome)
                progress(f"[{len(outcomes)}/{len(mutants)}] {'killed' if outcome.killed else 'SURVIVED'} {outcome.mutant}")
                if not line:
                    workers[workers.index(each)] = each = _Worker(mutated_dir)
                each.mutant = None
                if pending:
                    each.send(pending.pop())
            for index, each in enumerate(workers):
                if each.mutant and time.monotonic() - each.started > PER_MUTANT_TIMEOUT:
                    outcomes.append(Outcome(each.mutant, -1, causes=[f"no verdict in {PER_MUTANT_TIMEOUT:.0f} s"]))
                    progress(f"[{len(outcomes)}/{len(mutants)}] timed out {each.mutant}")
                    each.stop()
                    workers[index] = _Worker(mutated_dir)
                    if pending:
                        workers[index].send(pending.pop())
    finally:
        for each in workers:
            each.stop()
    return outcomes


# --- survivors: which are equivalent or outside the contract, by rule -----------------------------------

# Each rule: (name, the reason written down for a survivor it matches, a test of the changed lines).
# A survivor no rule matches is a blind spot until a stronger check kills it or docs/mutation.md
# gives its reason.
_HEADER_OR_CODEC = re.compile(r"""(headers\.get|set_header|\.encode|\.decode|\(\s*"Content-Type")\(?""", re.IGNORECASE)


def _fault_switch(removed: str, added: str) -> bool:
    return "self.faults" in removed or "self.faults" in added


def _variant_switch(removed: str, added: str) -> bool:
    return "self.variants" in removed or "self.variants" in added


def _case_of_a_name(removed: str, added: str) -> bool:
    return removed != added and removed.lower() == added.lower() and bool(_HEADER_OR_CODEC.search(removed))


def _error_text(removed: str, added: str) -> bool:
    """Only the message, details or key of an Error object changed (its status and code did not)."""
    status = re.compile(r"_error\(\s*(\d{3})")
    before, after = status.search(removed), status.search(added)
    return bool(before and after and before.group(1) == after.group(1)) or (
        "resource_type" in removed.lower() and "resource_type" in added.lower())


RULES = (
    ("fault switch", "equivalent: the line only acts when a named fault is on, and the correct mock runs with none "
     "(a fault the mutant switches on for good is a named fault, which the fault matrix proves detected)", _fault_switch),
    ("variant switch", "outside the contract: the mutant turns a legal variant of the answer on or off, and every "
     "legal variant must pass (tests/test_fault_matrix.py proves each does)", _variant_switch),
    ("case of a name", "equivalent: the case of an HTTP header name or codec name, which HTTP (RFC 9110 section 5.1) "
     "and Python compare without case", _case_of_a_name),
    ("Error text", "outside the contract: the message, details, key or resource_type of an Error object, whose text "
     "the vendor does not document (the status, code and shape are checked)", _error_text),
)


def changed_line(diff: str) -> str:
    """The mutated line, stripped: how docs/mutation.md names a survivor (mutmut's numbers change
    whenever the function does)."""
    return next((line[1:].strip() for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")), "")


def classify(diff: str) -> tuple[str, str] | None:
    """(rule, reason) for a survivor's diff that a rule explains, else None."""
    removed = "\n".join(line[1:] for line in diff.splitlines() if line.startswith("-") and not line.startswith("---"))
    added = "\n".join(line[1:] for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++"))
    if not removed and not added:
        return None
    return next(((name, reason) for name, reason, test in RULES if test(removed, added)), None)


# --- figures -----------------------------------------------------------------------------------------


def kill_rates(outcomes: list[Outcome]) -> dict[str, tuple[int, int]]:
    """module -> (killed, total)."""
    totals, killed = Counter(), Counter()
    for outcome in outcomes:
        totals[outcome.module] += 1
        killed[outcome.module] += outcome.killed
    return {module: (killed[module], totals[module]) for module in sorted(totals)}


def kills_by_requirement(outcomes: list[Outcome]) -> dict[str, int]:
    """Requirement id -> how many mutants it flagged; INCOMPLETE and timeouts under their own names."""
    counts: Counter = Counter()
    for outcome in outcomes:
        counts.update(outcome.failed)
        if outcome.exit_code == 2:
            counts["(INCOMPLETE)"] += 1
        elif outcome.exit_code in (3, -1):
            counts["(run broke or timed out)"] += 1
    return dict(counts.most_common())


@dataclass(frozen=True)
class Figures:
    killed: int
    total: int
    explained: dict[str, tuple[str, str]]  # survivor -> (rule, reason)
    unexplained: list[str]  # survivors no rule explains: blind spots, or reasons for docs/mutation.md

    @property
    def kill_rate(self) -> float:
        """Killed among the mutants no rule explains away (equivalent or outside the contract)."""
        return self.killed / max(self.total - len(self.explained), 1)


def figures(outcomes: list[Outcome], diffs: dict[str, str]) -> Figures:
    survivors = sorted((o.mutant for o in outcomes if not o.killed), key=_natural)
    explained = {mutant: rule for mutant in survivors if (rule := classify(diffs[mutant])) is not None}
    return Figures(sum(o.killed for o in outcomes), len(outcomes), explained,
                   [mutant for mutant in survivors if mutant not in explained])


def report(outcomes: list[Outcome], diffs: dict[str, str]) -> str:
    rates = kill_rates(outcomes)
    summary = figures(outcomes, diffs)
    lines = [f"killed {summary.killed} of {summary.total} mutants ({100 * summary.killed / max(summary.total, 1):.1f}%); "
             f"{len(summary.explained)} survivors equivalent or outside the contract by rule; "
             f"kill rate of the rest {100 * summary.kill_rate:.1f}%", "", "per module (killed / run):"]
    lines += [f"  {module:12} {k:5} / {t:<5} {100 * k / max(t, 1):5.1f}%" for module, (k, t) in rates.items()]
    lines += ["", "mutants flagged per requirement:"]
    lines += [f"  {rid:32} {count}" for rid, count in kills_by_requirement(outcomes).items()]
    by_rule = Counter(rule for rule, _ in summary.explained.values())
    lines += ["", "survivors explained by rule:"] + [f"  {rule:16} {count}" for rule, count in by_rule.items()]
    lines += ["", f"survivors no rule explains ({len(summary.unexplained)}):"]
    for mutant in summary.unexplained:
        lines += [f"--- {mutant}", diffs[mutant].rstrip()]
    return "\n".join(lines) + "\n"


def _natural(mutant: str) -> tuple[str, int]:
    stem, _, number = mutant.rpartition("_")
    return stem, int(number) if number.isdigit() else 0


def sample(mutants: dict[str, list[str]], size: int | None, seed: int) -> list[str]:
    everything = [mutant for names in mutants.values() for mutant in names]
    if size is None or size >= len(everything):
        return everything
    return sorted(random.Random(seed).sample(everything, size), key=_natural)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2: this machine has 2 cores)")
    parser.add_argument("--modules", default=",".join(MODULES), help=f"mock modules to mutate (default {','.join(MODULES)})")
    parser.add_argument("--sample", type=int, help="run a seeded random sample of this many mutants (default: all)")
    parser.add_argument("--seed", type=int, default=0, help="the sample's seed (default 0)")
    parser.add_argument("--json", type=Path, help="also write every outcome to this file")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker)
        return 0
    modules = tuple(args.modules.split(","))
    unknown = [module for module in modules if module not in MODULES]
    if unknown:
        parser.error(f"unknown module {unknown[0]!r}; choose from {', '.join(MODULES)}")
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    with tempfile.TemporaryDirectory(prefix="mutation-") as mutated:
        mutated_dir = Path(mutated)
        mutants = write_mutants(modules, mutated_dir)
        chosen = sample(mutants, args.sample, args.seed)
        print(f"{sum(map(len, mutants.values()))} mutants on covered lines; running {len(chosen)}", flush=True)
        outcomes = run_mutants(mutated_dir, chosen, args.jobs, progress=lambda text: print(text, flush=True))
        diffs = {outcome.mutant: mutant_diff(mutated_dir, outcome.mutant) for outcome in outcomes}
    print(report(outcomes, diffs))
    if args.json:
        args.json.write_text(json.dumps([asdict(o) | {"diff": diffs[o.mutant], "rule": (classify(diffs[o.mutant]) or ("",))[0]}
                                         for o in outcomes], indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
