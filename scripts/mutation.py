"""Mutation testing of the reference mock: the proof of the suite that does not depend on who
wrote the fault.

    python scripts/mutation.py [--jobs 2] [--sample N --seed S | --mutants FILE | --classify JSON]
                               [--modules app,listing] [--json FILE]

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
cause, or a run that did not end in time). A survivor is explained by a rule that reads where the
mutant changed the function's syntax tree, or by a proof (the mock built alike from the document),
or read one by one in docs/mutation.md's table, which the report reads back: it prints the kill
rate of the mutants the contract forbids, per module, the mutants each requirement flagged, and
every survivor neither explains, with its diff.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import difflib
import functools
import importlib
import importlib.abc
import importlib.util
import io
import itertools
import json
import os
import random
import re
import select
import subprocess
import sys
import tempfile
import textwrap
import time
import types
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JULY = ROOT / "tests" / "fixtures" / "segments-2026-07.json"
NOTE = ROOT / "docs" / "mutation.md"  # the survivors read one by one, in its table
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


def mutant_sources(mutated_dir: Path, mutant: str) -> tuple[str, str] | None:
    """(the original function's source, the mutant's), each named f, or None if mutmut's output lacks one."""
    _, _, module, name = mutant.split(".", 3)
    functions = _functions(mutated_dir / f"{module}.py")
    original, mutated = functions.get(function_of(mutant) + "__mutmut_orig"), functions.get(name)
    return None if original is None or mutated is None else (original, mutated)


def mutant_diff(mutated_dir: Path, mutant: str) -> str:
    """The mutated function against the original, as a unified diff (the survivor's evidence)."""
    sources = mutant_sources(mutated_dir, mutant)
    if sources is None:
        return "(diff unavailable)"
    return "".join(difflib.unified_diff(sources[0].splitlines(True), sources[1].splitlines(True), n=0))


def identity(mutant: str, diff: str) -> tuple[str, str, tuple[str, ...]]:
    """What a mutant is, across runs: its module, its function and the lines it changes (mutmut
    numbers the mutants of a function anew whenever the function, or what the suite covers of it, changes)."""
    changed = tuple(line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---")))
    return mutant.split(".")[2], function_of(mutant), changed


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


class _MockOnlyModule(types.ModuleType):
    """A mutated module whose functions, fetched from outside the mock, are the originals.

    The suite reads with a few of the mock's helpers (test_list.py's `from conformance.mock.timestamps
    import parse_key` orders created_at values): were the mutant active there too, the checker would
    change along with the mock and agree with it. The mock reaches them as `timestamps.parse_key(...)`
    at call time, from its own modules; anyone else (an import, by the importer's frame) gets mutmut's
    copy of the original, so a mutant changes the mock and never the checker."""

    def __getattribute__(self, name: str):
        value = super().__getattribute__(name)
        if callable(value) and not name.startswith("__"):
            caller = sys._getframe(1).f_globals.get("__name__", "")
            if caller != "conformance.mock" and not caller.startswith("conformance.mock."):
                return super().__getattribute__("__dict__").get(f"x_{name}__mutmut_orig", value)
        return value


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
        module.__class__ = _MockOnlyModule
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


# --- a proof of equivalence: the mock built from the document alike --------------------------------

# The functions that run only while the mock is built from its document (tests/test_mutation.py
# proves nothing else calls them): what they do is all in the object they build. A mutant of one is
# equivalent under the July document when the mock it builds equals, attribute by attribute, the one
# the original builds from the same document (the run builds the correct mock with no fault and no
# variant, as here).
BUILT_FROM_THE_DOCUMENT = {
    "app": ("x_create_app", "xǁMockAppǁ__init__", "xǁSegmentsMockǁ__init__", "x__served_operations",
            "x__template_regex"),
    "listing": ("xǁListRulesǁ__init__", "xǁListRulesǁ_schema"),
    "validation": ("xǁCreateRulesǁ__init__",),
    "store": ("xǁSegmentStoreǁ__init__",),
}


def function_of(mutant: str) -> str:
    """mutmut's name of the mutated function: conformance.mock.app.xǁSegmentsMockǁ_get__mutmut_3 -> xǁSegmentsMockǁ_get."""
    return mutant.split(".", 3)[3].rsplit("__mutmut_", 1)[0]


def built_alike(mutants: list[str]) -> set[str]:
    """Those of `mutants` (of BUILT_FROM_THE_DOCUMENT functions; run inside a worker) with which the
    mock built from the July document is the one the original builds, and the document unchanged."""
    from mutmut.mutation.trampoline import set_mutant_under_test

    from conformance.contract import Contract

    create_app = vars(importlib.import_module("conformance.mock.app"))["create_app"]  # the trampoline (_MockOnlyModule)
    contract = Contract.load(JULY)
    document = json.dumps(contract.effective)

    def build(mutant: str):
        set_mutant_under_test(mutant)
        try:
            return _state(create_app("id", "token", contract=contract).state.mock, contract)
        finally:
            set_mutant_under_test("")

    original = build("")
    alike = set()
    for mutant in mutants:
        try:
            same = build(mutant) == original
        except Exception:  # noqa: BLE001 - a mutant that cannot build the mock proves nothing here
            same = False
        if same and json.dumps(contract.effective) == document:
            alike.add(mutant)
    return alike


def _state(value, contract, depth: int = 0):
    """`value` as plain data that compares equal exactly when the mock would act alike: every
    attribute, in order; a validator by its class's keywords, its schema and its format checker."""
    if depth > 40:
        raise ValueError("too deep to compare")
    deeper = functools.partial(_state, contract=contract, depth=depth + 1)
    if value is None or isinstance(value, (str, bytes, int, float)):
        return (type(value).__name__, value)
    if value is contract:
        return ("the contract",)
    if isinstance(value, dict):
        return ("dict", [(deeper(key), deeper(item)) for key, item in value.items()])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [deeper(item) for item in value])
    if isinstance(value, (set, frozenset)):
        return (type(value).__name__, sorted(repr(deeper(item)) for item in value))
    if isinstance(value, re.Pattern):
        return ("pattern", value.pattern, value.flags)
    if isinstance(value, itertools.count):
        return ("count", repr(value))
    if hasattr(value, "iter_errors") and hasattr(value, "schema"):  # a jsonschema validator
        keywords = {name: f"{check.__module__}.{check.__qualname__}" for name, check in type(value).VALIDATORS.items()}
        return ("validator", sorted(keywords.items()), deeper(value.schema), id(value.format_checker))
    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, type)):
        return ("callable", value.__module__, value.__qualname__)
    if hasattr(value, "__dict__"):
        return (type(value).__qualname__, deeper(vars(value)))
    raise ValueError(f"cannot compare a {type(value).__name__}")


def prove_built_alike(mutated_dir: Path, mutants: list[str]) -> set[str]:
    """built_alike in a fresh process that imports the mutated mock (this one holds the real one)."""
    candidates = [mutant for mutant in mutants
                  if function_of(mutant) in BUILT_FROM_THE_DOCUMENT.get(mutant.split(".")[2], ())]
    if not candidates:
        return set()
    answer = subprocess.run([sys.executable, __file__, "--prove", str(mutated_dir)], cwd=ROOT, text=True,
                            input="\n".join(candidates), capture_output=True, timeout=600, check=True)
    return set(json.loads(answer.stdout.strip().splitlines()[-1]))


def _prover(mutated_dir: Path) -> None:
    modules = list(json.loads((mutated_dir / "mutants.json").read_text(encoding="utf-8")))
    sys.meta_path.insert(0, _MutatedMock(mutated_dir, modules))
    mutants = [line.strip() for line in sys.stdin if line.strip()]
    print(json.dumps(sorted(built_alike(mutants))))


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

# A rule reads where the mutant changed the function (the smallest node of its syntax tree that
# differs from the original's, and the nodes around it), never the text alone: a rule must not
# explain a mutant that changes what the wire carries in a way the contract forbids, so each says
# exactly which places it covers, and anything else is read by hand in docs/mutation.md.
# A survivor no rule matches is a blind spot until a stronger check kills it or docs/mutation.md
# gives its reason.


@dataclass(frozen=True)
class Site:
    """Where a mutant differs from the original: the path of (node, field, index) from the function
    down (nodes of the original), and the differing node in each."""

    path: tuple[tuple[ast.AST, str, int | None], ...]
    before: ast.AST
    after: ast.AST


def mutation_site(original: str, mutated: str) -> Site | None:
    """The smallest node where the two sources of one function differ, or None if they do not parse."""
    try:
        before, after = ast.parse(textwrap.dedent(original)), ast.parse(textwrap.dedent(mutated))
    except SyntaxError:
        return None
    path: list[tuple[ast.AST, str, int | None]] = []
    while type(before) is type(after) and isinstance(before, ast.AST):
        fields = [name for name in before._fields if _dump(getattr(before, name)) != _dump(getattr(after, name))]
        if len(fields) != 1:
            break
        old, new = getattr(before, fields[0]), getattr(after, fields[0])
        if isinstance(old, list):
            differing = [index for index, (a, b) in enumerate(zip(old, new)) if _dump(a) != _dump(b)]
            if len(old) != len(new) or len(differing) != 1:
                break
            path.append((before, fields[0], differing[0]))
            before, after = old[differing[0]], new[differing[0]]
        elif isinstance(old, ast.AST) and isinstance(new, ast.AST):
            path.append((before, fields[0], None))
            before, after = old, new
        else:
            break  # a plain value (a constant's, an operator's) or None against a node: this node is the site
    return Site(tuple(path), before, after)


def _dump(value) -> str:
    if isinstance(value, list):
        return repr([_dump(item) for item in value])
    return ast.dump(value) if isinstance(value, ast.AST) else repr(value)


def _switch_test(node: ast.AST) -> tuple[str, bool] | None:
    """("faults" or "variants", positive) for `"name" in self.faults` / `"name" not in self.variants`."""
    if (isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn))
            and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str)
            and isinstance(node.comparators[0], ast.Attribute) and node.comparators[0].attr in ("faults", "variants")
            and isinstance(node.comparators[0].value, ast.Name) and node.comparators[0].value.id == "self"):
        return node.comparators[0].attr, isinstance(node.ops[0], ast.In)
    return None


def _switched_on_by(test: ast.AST) -> str | None:
    """"faults"/"variants" when `test` can only be true with a named fault or variant on."""
    switch = _switch_test(test)
    if switch is not None:
        return switch[0] if switch[1] else None
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return next((kind for value in test.values if (kind := _switched_on_by(value))), None)
    return None


def _tested_first(test: ast.AST) -> bool:
    """A test that looks for a switch being on before it evaluates anything else."""
    switch = _switch_test(test)
    if switch is not None:
        return switch[1]
    return isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) and _tested_first(test.values[0])


def _switch(site: Site) -> str | None:
    """"faults"/"variants" when the mutant cannot act on the correct mock, which runs with no fault
    and no variant: it renames the switch of a test (which stays as false, or as true), it rewrites a
    test that looks for a switch first into another that does (so it stays false), or it changes code
    that runs only once such a test has found one on (an if's or a conditional expression's body, a
    later operand of `and`; an earlier one only when it is a harmless comparison)."""
    if site.path and isinstance(site.before, ast.Constant) and isinstance(site.after, ast.Constant):
        parent, field, _ = site.path[-1]
        switch = _switch_test(parent)
        if field == "left" and switch is not None and isinstance(site.after.value, str):
            return switch[0]
    parent, field, _ = site.path[-1] if site.path else (None, None, None)
    if isinstance(parent, (ast.If, ast.IfExp)) and field == "test" and _tested_first(site.before) and _tested_first(site.after):
        return _switched_on_by(site.before)  # the test stays false (`(... in self.faults) and False`)
    for node, field, index in site.path:
        if isinstance(node, (ast.If, ast.IfExp)) and field == "body" and (kind := _switched_on_by(node.test)):
            return kind
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And) and index is not None:
            if kind := next((k for value in node.values[:index] if (k := _switched_on_by(value))), None):
                return kind
            # An operand before the test: its value cannot matter (the `and` is false either way), but
            # it runs, so only a comparison that cannot raise or act, before and after, qualifies.
            # Those between it and the test run under other conditions in the mutant: they must be
            # as harmless.
            depth = [entry[0] for entry in site.path].index(node)
            later = node.values[index + 1:]
            guard = next((position for position, value in enumerate(later) if _switched_on_by(value)), None)
            if guard is not None and all(map(_harmless, [node.values[index], _mutated_subtree(site, depth), *later[:guard]])):
                return _switched_on_by(later[guard])
    return None


def _mutated_subtree(site: Site, depth: int) -> ast.AST:
    """The mutant's version of the child that site.path[depth] leads to: a copy of the original's
    with the differing node swapped in."""
    node, field, index = site.path[depth]
    child = getattr(node, field) if index is None else getattr(node, field)[index]
    if child is site.before:
        return site.after
    copied = current = copy.deepcopy(child)
    rest = site.path[depth + 1:]
    for _, name, position in rest[:-1]:
        current = getattr(current, name) if position is None else getattr(current, name)[position]
    _, name, position = rest[-1]
    if position is None:
        setattr(current, name, site.after)
    else:
        getattr(current, name)[position] = site.after
    return copied


def _harmless(node: ast.AST) -> bool:
    """A comparison of names, their attributes and constants (membership only in a tuple of them),
    an isinstance of a name, or `not` of one: it cannot raise or change anything."""
    def plain(operand):  # a name, a constant, or an attribute of a name (a field of the mock's own objects)
        while isinstance(operand, ast.Attribute):
            operand = operand.value
        return isinstance(operand, (ast.Name, ast.Constant))

    def tuple_of_plain(operand):
        return isinstance(operand, ast.Tuple) and all(map(plain, operand.elts))

    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return _harmless(node.operand)
    if _called(node) == "isinstance" and isinstance(node.func, ast.Name) and len(node.args) == 2 and not node.keywords:
        return isinstance(node.args[0], ast.Name) and (isinstance(node.args[1], ast.Name) or (
            isinstance(node.args[1], ast.Tuple) and all(isinstance(item, ast.Name) for item in node.args[1].elts)))
    if not isinstance(node, ast.Compare) or not plain(node.left):
        return False
    return all(plain(right) if isinstance(op, (ast.Eq, ast.NotEq, ast.Is, ast.IsNot)) else
               isinstance(op, (ast.In, ast.NotIn)) and tuple_of_plain(right)
               for op, right in zip(node.ops, node.comparators))


def _fault_switch(site: Site, function: ast.AST) -> bool:
    return _switch(site) == "faults"


def _variant_switch(site: Site, function: ast.AST) -> bool:
    return _switch(site) == "variants"


def _text(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


# The calls whose arguments at these positions only word an Error object's message or details
# (InvalidBody's and InvalidQuery's text becomes the 400's details, and nothing else). Not the key:
# the vendor's convention names it (invalid_payload for an invalid body, which SEG-VALIDATION-400 checks).
_ERROR_TEXT = {"_error": (2, 3), "_server_error": (0,), "InvalidBody": (0,), "InvalidQuery": (0,)}
_STRINGIFIED = {"InvalidBody", "InvalidQuery"}  # exceptions whose str() is the text
# Functions that only word an Error's details: every call of one is at a text position above or in
# another of them (tests/test_mutation.py proves it), so a string one returns is Error text too.
TEXT_FUNCTIONS = ("validation.CreateRules._reason", "validation._describe", "validation._property_path", "validation._join")
_HEADER_NAME = {"get", "set_header", "header"}  # request.headers.get(name), answer.set_header(name, ...)
_CODEC_NAME = {"encode", "decode"}


def _called(node: ast.AST) -> str | None:
    if isinstance(node, ast.Call):
        return node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
    return None


def _text_only_names(function: ast.AST) -> set[str]:
    """Local names whose every use is (through other such names) an Error text argument."""
    parents = {child: node for node in ast.walk(function) for child in ast.iter_child_nodes(node)}
    names = {target.id for node in ast.walk(function) if isinstance(node, ast.Assign)
             for target in node.targets if isinstance(target, ast.Name)}
    while True:
        keep = {name for name in names if all(_feeds_text(use, parents, names) for use in ast.walk(function)
                                              if isinstance(use, ast.Name) and use.id == name and isinstance(use.ctx, ast.Load))}
        if keep == names:
            return names
        names = keep


def _feeds_text(node: ast.AST, parents: dict, names: set[str]) -> bool:
    while node in parents:
        parent = parents[node]
        if _called(parent) in _ERROR_TEXT and node in parent.args:
            return parent.args.index(node) in _ERROR_TEXT[_called(parent)]
        if isinstance(parent, ast.Assign):
            return all(isinstance(target, ast.Name) and target.id in names for target in parent.targets)
        if not isinstance(parent, (ast.JoinedStr, ast.FormattedValue)) or (
                isinstance(parent, ast.FormattedValue) and node is parent.format_spec):
            return False  # not text, or a format spec (which can raise)
        node = parent
    return False


def _error_text(site: Site, function: ast.AST, text_function: bool = False) -> bool:
    """A string literal that only words an Error object's message or details changed to another
    (so the answer's status, code, key and shape stay, and nothing new can raise): an argument of
    _error/_server_error/InvalidBody/InvalidQuery at a text position, or a local that only feeds one."""
    if not site.path:
        return False
    path = site.path
    if not (_text(site.before) and _text(site.after)):
        # str(x) made str(None), InvalidBody("...") made InvalidBody(None): still a string (the
        # exception's text is str() of it), and nothing can raise
        parent, _, index = path[-1]
        stringified = _called(parent) == "str" or _called(parent) in _STRINGIFIED and index == 0
        if not (isinstance(site.after, ast.Constant) and stringified and isinstance(parent.func, ast.Name)
                and len(parent.args) == 1 and not parent.keywords):
            return False
        if _called(parent) == "str":
            path = path[:-1]
    for node, field, index in reversed(path):
        if isinstance(node, ast.Return):
            return text_function
        if _called(node) in _ERROR_TEXT:
            return field == "args" and index in _ERROR_TEXT[_called(node)]
        if isinstance(node, ast.Assign):
            return all(isinstance(target, ast.Name) for target in node.targets) and {
                target.id for target in node.targets} <= _text_only_names(function)
        if isinstance(node, ast.FormattedValue) and field == "format_spec":
            return False  # a format spec can raise
        if isinstance(node, ast.IfExp) and field != "test" or isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            continue  # either branch of a conditional; a concatenation of strings
        if not isinstance(node, ast.JoinedStr):
            return False
    return False


def _case_of_a_name(site: Site, function: ast.AST) -> bool:
    """The case of an HTTP header name (request.headers.get, set_header, header, or the name of a
    header pair handed to an Answer) or of a codec's name."""
    if not (_text(site.before) and _text(site.after) and site.path) or site.before.value == site.after.value:
        return False
    if site.before.value.lower() != site.after.value.lower():
        return False
    parent, field, index = site.path[-1]
    name = _called(parent)
    if field == "args" and index == 0 and name in _CODEC_NAME:
        return True
    if field == "args" and index == 0 and name in _HEADER_NAME:
        owner = parent.func.value if isinstance(parent.func, ast.Attribute) else None
        return name != "get" or (isinstance(owner, ast.Attribute) and owner.attr == "headers")
    if isinstance(parent, ast.Tuple) and index == 0 and len(parent.elts) == 2 and len(site.path) >= 2:
        holder = site.path[-2][0]
        return isinstance(holder, ast.List) and len(site.path) >= 3 and (
            _called(site.path[-3][0]) == "Answer" or any(
                isinstance(target, ast.Name) and target.id == "headers" for target in getattr(site.path[-3][0], "targets", ())))
    return False


RULES = (
    ("fault switch", "equivalent: the mutant acts only where a named fault is on (it renames the fault a test "
     "looks for, keeps a test false that looks for it first, or changes code that runs only once that test found "
     "it on), and the correct mock runs with none", _fault_switch),
    ("variant switch", "equivalent: the mutant acts only where a legal variant is on (it renames the variant a "
     "test looks for, keeps a test false that looks for it first, or changes code that runs only once that test "
     "found it on), and the correct mock runs with none", _variant_switch),
    ("case of a name", "equivalent: the case of an HTTP header's name or a codec's name, which HTTP (RFC 9110 "
     "section 5.1) and Python compare without case", _case_of_a_name),
    ("Error text", "outside the contract: a string that only words the message or details of an Error object, "
     "whose text the vendor does not document (the status, code, key and shape are checked)", _error_text),
)
BUILT_ALIKE = ("built alike", "equivalent: the mutated function runs only while the mock is built from its "
               "document, and the mock it builds from the July document equals the original's, attribute by "
               "attribute (proved by building both)")


def changed_line(diff: str) -> str:
    """The mutated line, stripped: how docs/mutation.md names a survivor (mutmut's numbers change
    whenever the function does). A mutant that only deletes (an argument on a line of its own) is
    named by the line it deletes."""
    lines = diff.splitlines()
    added = [line[1:].strip() for line in lines if line.startswith("+") and not line.startswith("+++")]
    removed = [line[1:].strip() for line in lines if line.startswith("-") and not line.startswith("---")]
    return next((line for line in added if line.strip(" ,()[]{}")), f"deleted: {removed[0]}" if removed else "")


def label(mutant: str) -> str:
    """The survivor's function as docs/mutation.md names it: app.SegmentsMock._create, listing._holds."""
    function = function_of(mutant)
    name = function[2:].replace("ǁ", ".") if function.startswith("xǁ") else function.removeprefix("x_")
    return f"{mutant.split('.')[2]}.{name}"


READ_CLASSES = ("equivalent", "outside the contract", "blind spot")
_ROW = re.compile(r"^\| `(?P<function>[^`]+)` \| `(?P<line>.*)` \| (?P<class>[^|]+?) \| .* \|$")


def read_survivors(note: str) -> dict[tuple[str, str], str]:
    """(function, mutated line) -> class (equivalent, outside the contract, blind spot), from the
    table of docs/mutation.md: the survivors read one by one."""
    read = {}
    for line in note.splitlines():
        row = _ROW.match(line)
        if row:
            kind = next((kind for kind in READ_CLASSES if row["class"].startswith(kind)), None)
            if kind is not None:
                read[(row["function"], row["line"])] = kind
    return read


def classify(original: str, mutated: str, *, built_alike: bool = False, text_function: bool = False) -> tuple[str, str] | None:
    """(rule, reason) for a survivor (the mutated function's source and the original's) that a rule
    explains, else None. built_alike: the proof of built_alike() holds for it; text_function: the
    function is one of TEXT_FUNCTIONS."""
    if built_alike:
        return BUILT_ALIKE[0], BUILT_ALIKE[1]
    site = mutation_site(original, mutated)
    if site is None or not site.path:
        return None
    function = ast.parse(textwrap.dedent(original))
    if text_function and _error_text(site, function, text_function=True):
        return "Error text", dict((name, reason) for name, reason, _ in RULES)["Error text"]
    return next(((name, reason) for name, reason, test in RULES if test(site, function)), None)


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
    unexplained: list[str]  # survivors no rule explains: read in docs/mutation.md, or not yet
    read: dict[str, str] = field(default_factory=dict)  # unexplained survivor -> its class in docs/mutation.md

    @property
    def unread(self) -> list[str]:
        return [mutant for mutant in self.unexplained if mutant not in self.read]

    @property
    def kill_rate(self) -> float:
        """Killed among the mutants that change the wire in a way the contract forbids: all but the
        survivors a rule explains or docs/mutation.md reads as equivalent or outside the contract
        (blind spots and survivors not yet read count as not killed)."""
        return self.killed / max(self.killed + len(self.unread) + sum(kind == "blind spot" for kind in self.read.values()), 1)


def explain(mutated_dir: Path, survivors: list[str]) -> dict[str, tuple[str, str]]:
    """survivor -> (rule, reason), for the survivors a rule or the built-alike proof explains."""
    alike = prove_built_alike(mutated_dir, survivors)
    explained = {}
    for mutant in survivors:
        sources = mutant_sources(mutated_dir, mutant)
        rule = classify(*sources, built_alike=mutant in alike, text_function=label(mutant) in TEXT_FUNCTIONS) if sources else None
        if rule is not None:
            explained[mutant] = rule
    return explained


def figures(outcomes: list[Outcome], explained: dict[str, tuple[str, str]],
            diffs: dict[str, str] | None = None, note: str = "") -> Figures:
    """The run's figures; with the diffs and docs/mutation.md's text, the survivors it reads too."""
    survivors = sorted((o.mutant for o in outcomes if not o.killed), key=_natural)
    unexplained = [mutant for mutant in survivors if mutant not in explained]
    table = read_survivors(note)
    read = {mutant: kind for mutant in unexplained if diffs and mutant in diffs
            and (kind := table.get((label(mutant), changed_line(diffs[mutant])))) is not None}
    return Figures(sum(o.killed for o in outcomes), len(outcomes),
                   {mutant: explained[mutant] for mutant in survivors if mutant in explained}, unexplained, read)


def report(outcomes: list[Outcome], diffs: dict[str, str], explained: dict[str, tuple[str, str]], note: str = "") -> str:
    """The figures docs/mutation.md gives: totals, survivors by rule and as read, the kill rate of the
    mutants that change the wire in a way the contract forbids, per module and per requirement, and
    every survivor neither a rule nor the note explains (with its diff)."""
    summary = figures(outcomes, explained, diffs, note)
    kinds = Counter({0: 0, 1: 0, 2: 0, 3: 0, -1: 0}) + Counter(o.exit_code for o in outcomes)
    read = Counter(summary.read.values())
    lines = [f"{summary.total} mutants run; killed {summary.killed}: NONCONFORMANT {kinds[1]}, INCOMPLETE {kinds[2]}, "
             f"broke {kinds[3]}, timed out {kinds[-1]}; survived {summary.total - summary.killed}",
             "survivors explained by rule: " + (", ".join(f"{rule} {count}" for rule, count in
                                                          Counter(r for r, _ in summary.explained.values()).most_common()) or "none"),
             f"survivors read in docs/mutation.md: equivalent {read['equivalent']}, outside the contract "
             f"{read['outside the contract']}, blind spot {read['blind spot']}; not read yet {len(summary.unread)}",
             f"kill rate of the mutants the contract forbids: {summary.killed} / "
             f"{summary.killed + read['blind spot'] + len(summary.unread)} = {100 * summary.kill_rate:.1f}%",
             "", "per module (killed / mutants the contract forbids; killed / run):"]
    for module in sorted({o.module for o in outcomes}):
        mine = [o for o in outcomes if o.module == module]
        part = figures(mine, explained, diffs, note)
        forbidden = part.killed + len(part.unread) + sum(kind == "blind spot" for kind in part.read.values())
        lines.append(f"  {module:12} {part.killed:5} / {forbidden:<5} {100 * part.kill_rate:5.1f}%   "
                     f"{part.killed:5} / {part.total:<5}")
    lines += ["", "mutants flagged per requirement (a killed mutant may be flagged by several):"]
    lines += [f"  {rid:32} {count}" for rid, count in kills_by_requirement(outcomes).items()]
    blind = [mutant for mutant, kind in summary.read.items() if kind == "blind spot"]
    lines += ["", f"survivors read as blind spots ({len(blind)}):"] + [f"  {label(m)}: {changed_line(diffs[m])}" for m in blind]
    lines += ["", f"survivors no rule explains and docs/mutation.md does not read ({len(summary.unread)}):"]
    for mutant in summary.unread:
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


def read_outcomes(path: Path) -> list[dict]:
    """A previous run's --json: a list of outcomes, each with its mutant, exit code and diff."""
    try:
        outcomes = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot read {path}: {error}") from None
    if not isinstance(outcomes, list) or not all(
            isinstance(o, dict) and isinstance(o.get("mutant"), str) and isinstance(o.get("exit_code"), int)
            and isinstance(o.get("diff"), str) and o["mutant"].count(".") >= 3 for o in outcomes):
        raise ValueError(f"{path} is not the --json of scripts/mutation.py")
    return outcomes


def chosen_mutants(path: Path, mutated_dir: Path, mutants: dict[str, list[str]]) -> tuple[list[str], list[str]]:
    """(the mutants to run, what of `path` names no mutant of this tree). `path` lists mutant names,
    one a line, or is a previous run's --json, whose survivors are chosen: matched by what they change
    (identity()), since mutmut renumbers a function's mutants when the function changes."""
    everything = [mutant for names in mutants.values() for mutant in names]
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot read {path}: {error}") from None
    if text.lstrip().startswith("["):
        wanted = {identity(o["mutant"], o["diff"]): o["mutant"] for o in read_outcomes(path) if o["exit_code"] == 0}
        current = {identity(mutant, mutant_diff(mutated_dir, mutant)): mutant for mutant in everything}
        return sorted((current[key] for key in wanted if key in current), key=_natural), sorted(
            name for key, name in wanted.items() if key not in current)
    names = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    known = set(everything)
    return [name for name in names if name in known], [name for name in names if name not in known]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2: this machine has 2 cores)")
    parser.add_argument("--modules", default=",".join(MODULES), help=f"mock modules to mutate (default {','.join(MODULES)})")
    parser.add_argument("--sample", type=int, help="run a seeded random sample of this many mutants (default: all)")
    parser.add_argument("--seed", type=int, default=0, help="the sample's seed (default 0)")
    parser.add_argument("--mutants", type=Path, help="run only these: a file of mutant names, one a line, or a "
                        "previous --json, whose survivors are run again (matched by the lines they change)")
    parser.add_argument("--classify", type=Path, metavar="JSON", help="run nothing but the baseline: classify the "
                        "survivors of a previous --json again with this tree's rules, and print its report")
    parser.add_argument("--json", type=Path, help="also write every outcome to this file")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--prove", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker)
        return 0
    if args.prove:
        _prover(args.prove)
        return 0
    modules = tuple(args.modules.split(","))
    unknown = [module for module in modules if module not in MODULES]
    if unknown:
        parser.error(f"unknown module {unknown[0]!r}; choose from {', '.join(MODULES)}")
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if sum(map(bool, (args.sample, args.mutants, args.classify))) > 1:
        parser.error("choose one of --sample, --mutants and --classify")
    previous = None
    if args.classify:
        try:
            previous = read_outcomes(args.classify)
        except ValueError as error:
            parser.error(str(error))
    with tempfile.TemporaryDirectory(prefix="mutation-") as mutated:
        mutated_dir = Path(mutated)
        mutants = write_mutants(modules, mutated_dir)
        if previous is not None:
            outcomes, diffs, explained = _reclassified(previous, mutated_dir, mutants)
        else:
            if args.mutants:
                try:
                    chosen, missing = chosen_mutants(args.mutants, mutated_dir, mutants)
                except ValueError as error:
                    parser.error(str(error))
                for name in missing:
                    print(f"not in this tree's mutants (its line changed or is no longer run): {name}")
            else:
                chosen = sample(mutants, args.sample, args.seed)
            print(f"{sum(map(len, mutants.values()))} mutants on covered lines; running {len(chosen)}", flush=True)
            outcomes = run_mutants(mutated_dir, chosen, args.jobs, progress=lambda text: print(text, flush=True))
            diffs = {outcome.mutant: mutant_diff(mutated_dir, outcome.mutant) for outcome in outcomes}
            explained = explain(mutated_dir, [outcome.mutant for outcome in outcomes if not outcome.killed])
            if args.mutants and args.mutants.read_text(encoding="utf-8").lstrip().startswith("["):
                outcomes, diffs = _with_previous(read_outcomes(args.mutants), outcomes, diffs)
    print(report(outcomes, diffs, explained, NOTE.read_text(encoding="utf-8")))
    if args.json:
        args.json.write_text(json.dumps([asdict(o) | {"diff": diffs[o.mutant], "rule": explained.get(o.mutant, ("",))[0]}
                                         for o in outcomes], indent=1), encoding="utf-8")
    return 0


def _with_previous(previous: list[dict], rerun: list[Outcome], diffs: dict[str, str]) -> tuple[list[Outcome], dict[str, str]]:
    """The whole previous run, each survivor replaced by its run again (matched by identity()), so the
    figures are the run's against this tree's suite. A survivor this tree no longer has (its line
    changed or is no longer run; printed before the run) leaves the figures."""
    again = {identity(outcome.mutant, diffs[outcome.mutant]): outcome for outcome in rerun}
    outcomes, merged = [], dict(diffs)
    for old in previous:
        if old["exit_code"] != 0:  # kept under its name, marked when this tree numbers another mutant so
            name = old["mutant"] + ("@previous" if old["mutant"] in diffs else "")
            outcomes.append(Outcome(name, old["exit_code"], list(old.get("failed") or []), list(old.get("causes") or [])))
            merged[name] = old["diff"]
        elif (outcome := again.get(identity(old["mutant"], old["diff"]))) is not None:
            outcomes.append(outcome)
    return outcomes, merged


def _reclassified(previous: list[dict], mutated_dir: Path, mutants: dict[str, list[str]]):
    """A previous run's outcomes and diffs, its survivors explained by this tree's rules: each matched
    to this tree's mutant that changes the same lines (unmatched ones stay unexplained)."""
    outcomes = [Outcome(o["mutant"], o["exit_code"], list(o.get("failed") or []), list(o.get("causes") or []))
                for o in previous]
    diffs = {o["mutant"]: o["diff"] for o in previous}
    current = {identity(mutant, mutant_diff(mutated_dir, mutant)): mutant for names in mutants.values() for mutant in names}
    here = {o.mutant: current.get(identity(o.mutant, diffs[o.mutant])) for o in outcomes if not o.killed}
    found = explain(mutated_dir, [mutant for mutant in here.values() if mutant])
    explained = {old: found[new] for old, new in here.items() if new in found}
    return outcomes, diffs, explained


if __name__ == "__main__":
    sys.exit(main())
