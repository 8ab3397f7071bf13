"""The fault matrix: which requirements fail when each fault of the mock is switched on, and the
panel of legal variants, on which nothing may fail.

    python scripts/fault_matrix.py [--jobs 2] [--faults a,b] [--pairs N | --pairs all] [--out-dir docs]

Runs `conformance run --fault NAME --seed 7 --max-examples 10` against the embedded mock once per
fault and once with no fault (faults of the list operation with the July 2026 revision, --spec),
and once per legal variant under --strict. JOBS worker processes each run their share in-process,
one after another, so the start-up is paid once per worker. A fault that breaks only SHOULD
requirements is run twice: by default (its cells show WARN) and with --strict (which is what makes
it detectable by exit code, as tests/test_fault_matrix.py does). With --pairs, each fault is also
combined with legal variants (faults.fault_variant_pairs: all but the declared contradictions; a
seeded sample of N, or all), run --strict: every pair must still be detected. Writes
docs/fault-matrix.md and docs/fault-matrix.html.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import jinja2

from conformance.catalogue import Requirement, load_catalogue
from conformance.mock.faults import FAULTS, VARIANTS, Fault, fault_variant_pairs

ROOT = Path(__file__).resolve().parent.parent
JULY = ROOT / "tests" / "fixtures" / "segments-2026-07.json"
SEED = 7
MAX_EXAMPLES = 10
SHOWN_STATUSES = ("FAIL", "WARN", "NOT_TESTED")  # PASS is a blank cell
CELL_TEXT = {"FAIL": "FAIL", "WARN": "WARN", "NOT_TESTED": "n/t"}


@dataclass(frozen=True)
class RunResult:
    """What one `conformance run` said: its exit code and each requirement's status."""

    fault: str | None  # None: the correct mock
    strict: bool
    exit_code: int
    statuses: dict[str, str]  # requirement id -> PASS / FAIL / WARN / NOT_TESTED / OBSERVED
    problem: str | None = None  # why there is no summary, when there is none
    variant: str | None = None  # the legal variant switched on with it, if any


@dataclass(frozen=True)
class Row:
    """One line of the matrix: a fault (or the correct mock) and what the suite made of it."""

    name: str
    description: str
    targets: tuple[str, ...]
    cells: dict[str, str]  # requirement id -> FAIL / WARN / NOT_TESTED; PASS left out
    exit_code: int  # of the default run
    detected: bool
    strict_exit_code: int | None  # of the --strict run, when detection was judged on one
    problem: str | None
    alone: bool | None = None  # a fault built to break one requirement: did only that one fail or warn?


def graded_requirements(catalogue: dict[str, Requirement]) -> list[Requirement]:
    """The matrix columns: MUST and SHOULD requirements (OBSERVE ones never fail)."""
    return [requirement for requirement in catalogue.values() if requirement.level != "OBSERVE"]


def should_only(fault: Fault, catalogue: dict[str, Requirement]) -> bool:
    return all(catalogue[requirement].level == "SHOULD" for requirement in fault.requirements)


def names_a_target(result: RunResult, targets: Iterable[str]) -> bool:
    """Detected: the run failed (exit 1) and a requirement the fault is built to break FAILed."""
    return result.exit_code == 1 and any(result.statuses.get(target) == "FAIL" for target in targets)


def build_rows(results: Iterable[RunResult], faults: Iterable[Fault]) -> list[Row]:
    """The correct mock first, then one row per fault, in the order given.

    Cells come from the default run (a SHOULD failure shows WARN); detection of a SHOULD-only
    fault is judged on its --strict run.
    """
    by_key = {(result.fault, result.strict): result for result in results}
    correct = by_key[(None, False)]
    rows = [Row("(correct mock)", "no fault switched on: every cell must be blank", (), _cells(correct),
                correct.exit_code, detected=False, strict_exit_code=None, problem=correct.problem)]
    for fault in faults:
        default = by_key[(fault.name, False)]
        strict = by_key.get((fault.name, True))
        judged = strict or default
        rows.append(Row(fault.name, fault.description, fault.requirements, _cells(default), default.exit_code,
                        detected=names_a_target(judged, fault.requirements),
                        strict_exit_code=None if strict is None else strict.exit_code,
                        problem=default.problem or judged.problem,
                        alone=(set(_flagged(judged)) == set(fault.requirements)) if fault.exclusive else None))
    return rows


def is_clean(row: Row) -> bool:
    """The correct mock's row as it must be: exit 0 and not one cell filled."""
    return row.exit_code == 0 and not row.cells and row.problem is None


def _flagged(result: RunResult) -> list[str]:
    return [rid for rid, status in result.statuses.items() if status in ("FAIL", "WARN")]


def _cells(result: RunResult) -> dict[str, str]:
    return {rid: status for rid, status in result.statuses.items() if status in SHOWN_STATUSES}


def _short(requirement_id: str) -> str:
    return requirement_id.removeprefix("SEG-")


def render_markdown(rows: list[Row], columns: list[Requirement]) -> str:
    detected = sum(row.detected for row in rows[1:])
    lines = [
        "# Fault matrix",
        "",
        (f"Generated by `python scripts/fault_matrix.py` (`conformance run --seed {SEED} --max-examples "
         f"{MAX_EXAMPLES}` against the embedded mock, once per fault; faults of the list operation with "
         "`--spec tests/fixtures/segments-2026-07.json`). Rows are the mock's faults "
         "(`conformance mock --list-faults`), columns the MUST and SHOULD requirements (`SEG-` left out). "
         "**Bold** marks a requirement the fault is built to break; `n/t` is NOT TESTED; a blank cell "
         "passed. *Detected* means the run exited 1 and one of the fault's own requirements FAILED; for "
         "a fault that breaks only SHOULD requirements that is judged on a `--strict` run (the cells show "
         "the default run, where a SHOULD failure is a WARN). *Alone* (for a fault built to break one "
         "requirement): that requirement, and no other, failed or warned: the proof of that one check."),
        "",
        f"**{detected} of {len(rows) - 1} faults detected and named.** "
        + ("The correct mock fails nothing." if is_clean(rows[0])
           else "**The correct mock does not pass cleanly: see its row.**"),
        "",
        "| fault | breaks | detected | alone | exit | " + " | ".join(_short(column.id) for column in columns) + " |",
        "| --- | --- | --- | --- | --- | " + " | ".join("---" for _ in columns) + " |",
    ]
    for row in rows:
        cells = []
        for column in columns:
            text = CELL_TEXT.get(row.cells.get(column.id, ""), "")
            cells.append(f"**{text}**" if text and column.id in row.targets else text)
        detected = ("yes" if row.detected else "**no**") + (" (--strict)" if row.strict_exit_code is not None else "")
        if row.name == "(correct mock)":
            detected = "-"
        name = f"`{row.name}`" if row.targets else row.name
        breaks = ", ".join(_short(target) for target in row.targets) or "-"
        problem = f" ({row.problem})" if row.problem else ""
        alone = "-" if row.alone is None else ("yes" if row.alone else "**no**")
        lines.append(f"| {name}: {_escape(row.description)}{problem} | {breaks} | {detected} | {alone} | {_exits(row)} | "
                     + " | ".join(cells) + " |")
    lines += ["", "## Requirements", "", "| id | level | requirement |", "| --- | --- | --- |"]
    lines += [f"| {column.id} | {column.level} | {_escape(column.text)} |" for column in columns]
    return "\n".join(lines) + "\n"


def _exits(row: Row) -> str:
    return str(row.exit_code) + ("" if row.strict_exit_code is None else f", --strict {row.strict_exit_code}")


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


HTML_TEMPLATE = """\
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>segments-conformance: fault matrix</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
  table { border-collapse: collapse; }
  th, td { border: 1px solid #ccc; padding: 2px 4px; text-align: center; }
  th.req { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; font-weight: normal;
           font-size: 12px; }
  th.req.should { font-style: italic; }
  td.fault { text-align: left; white-space: nowrap; }
  td.fault small { color: #555; white-space: normal; display: block; max-width: 32em; }
  td.FAIL { background: #f4b6b6; font-weight: bold; }
  td.WARN { background: #f7e0a3; }
  td.NOT_TESTED { background: #e4e4e4; color: #555; }
  td.target { outline: 2px solid #333; outline-offset: -3px; }
  td.yes { color: #176317; } td.no { color: #a11; font-weight: bold; }
  td.yes, td.no, td.exit { white-space: nowrap; }
  tr.correct td { background: #eef6ee; }
  tr.correct td.FAIL, tr.correct td.WARN { background: #f4b6b6; }
  .legend span { display: inline-block; padding: 0 6px; margin-right: 6px; border: 1px solid #ccc; }
  table.catalogue td { text-align: left; }
</style>
</head>
<body>
<h1>Fault matrix</h1>
<p>Generated by <code>python scripts/fault_matrix.py</code>: <code>conformance run --seed {{ seed }}
--max-examples {{ max_examples }}</code> against the embedded mock, once per fault. Rows are the mock's faults
(<code>conformance mock --list-faults</code>), columns the MUST and SHOULD requirements (SHOULD in italics).
<em>Detected</em> means the run exited 1 and one of the fault's own requirements FAILED; for a fault that breaks only
SHOULD requirements that is judged on a <code>--strict</code> run, while the cells show the default run.</p>
<p><strong>{{ detected }} of {{ rows|length - 1 }} faults detected and named.</strong>
{% if clean %}The correct mock fails nothing.{% else %}<strong>The correct mock does not pass cleanly.</strong>{% endif %}</p>
<p class="legend"><span class="l-fail" style="background:#f4b6b6">FAIL</span><span style="background:#f7e0a3">WARN</span>
<span style="background:#e4e4e4">n/t: not tested</span><span style="outline:2px solid #333">a requirement the fault is
built to break</span></p>
<table>
<thead><tr><th>fault</th><th>detected</th><th>exit</th>
{% for column in columns %}<th class="req {{ column.level|lower }}" title="{{ column.id }} ({{ column.level }}): {{ column.text }}">{{ column.id|replace("SEG-", "") }}</th>{% endfor %}
</tr></thead>
<tbody>
{% for row in rows %}
<tr{% if loop.first %} class="correct"{% endif %}>
<td class="fault">{% if loop.first %}{{ row.name }}{% else %}<code>{{ row.name }}</code>{% endif %}<small>{{ row.description }}{% if row.problem %} ({{ row.problem }}){% endif %}</small></td>
{% if loop.first %}<td>-</td>{% else %}<td class="{{ 'yes' if row.detected else 'no' }}">{{ 'yes' if row.detected else 'no' }}{% if row.strict_exit_code is not none %} (--strict){% endif %}</td>{% endif %}
<td class="exit">{{ exits(row) }}</td>
{% for column in columns %}{% set status = row.cells.get(column.id, "") %}<td class="{{ status }}{% if column.id in row.targets %} target{% endif %}"{% if status %} title="{{ column.id }}: {{ status }}"{% endif %}>{{ cell_text.get(status, "") }}</td>{% endfor %}
</tr>
{% endfor %}
</tbody>
</table>
<h2>Requirements</h2>
<table class="catalogue">
<thead><tr><th>id</th><th>level</th><th>requirement</th></tr></thead>
<tbody>
{% for column in columns %}<tr><td><code>{{ column.id }}</code></td><td>{{ column.level }}</td><td>{{ column.text }}</td></tr>
{% endfor %}
</tbody>
</table>
</body>
</html>
"""


def render_html(rows: list[Row], columns: list[Requirement]) -> str:
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True)
    return environment.from_string(HTML_TEMPLATE).render(
        rows=rows, columns=columns, seed=SEED, max_examples=MAX_EXAMPLES, cell_text=CELL_TEXT, exits=_exits,
        detected=sum(row.detected for row in rows[1:]),
        clean=is_clean(rows[0]),
    )


def run_one(fault: str | None, strict: bool, work_dir: Path, variant: str | None = None) -> RunResult:
    """One `conformance run` in this (worker) process, with its own report directory."""
    from conformance import options
    from conformance.runner import run_in_process

    name = fault or variant or "correct"
    report_dir = work_dir / f"{name}{'-strict' if strict else ''}"
    spec = JULY if variant or (fault and FAULTS[fault].operation == "list-segment") else None
    given = {"fault": [fault] if fault else None, "variant": [variant] if variant else None, "spec": str(spec) if spec else None,
             "strict": strict or None, "seed": SEED, "max_examples": MAX_EXAMPLES, "quiet": True, "report_dir": str(report_dir)}
    try:
        exit_code, run = run_in_process(options.resolve(given, environ={}, cwd=work_dir))
    except Exception as error:  # noqa: BLE001 - a row that says what went wrong beats a lost matrix
        return RunResult(fault, strict, 3, {}, problem=f"{type(error).__name__}: {error}"[:160], variant=variant)
    if run.summary is None:
        return RunResult(fault, strict, exit_code, {}, problem="no summary", variant=variant)
    # Out of scope (the bundled document has no list operation) is a blank cell, not "n/t".
    statuses = {requirement["id"]: requirement["status"] if requirement["in_scope"] else "OUT_OF_SCOPE"
                for requirement in run.summary["requirements"]}
    return RunResult(fault, strict, exit_code, statuses, variant=variant)


def _run_batch(batch: list[tuple[str | None, bool, str | None]], work_dir: str) -> list[RunResult]:
    import contextlib
    import io

    results = []
    for fault, strict, variant in batch:
        with contextlib.redirect_stdout(io.StringIO()):  # each run's own terminal output is not the matrix's
            results.append(run_one(fault, strict, Path(work_dir), variant))
    return results


def planned_runs(faults: list[Fault], catalogue: dict[str, Requirement],
                 pairs: list[tuple[str, str]] = ()) -> list[tuple[str | None, bool, str | None]]:
    """(fault, strict, variant) for every run: the correct mock, each fault, each legal variant,
    and each (fault, variant) pair asked for (--strict, so a SHOULD fault is detected by exit code)."""
    runs: list[tuple[str | None, bool, str | None]] = [(None, False, None)]
    for fault in faults:
        runs.append((fault.name, False, None))
        if should_only(fault, catalogue):
            runs.append((fault.name, True, None))
    runs += [(None, True, variant) for variant in VARIANTS]
    runs += [(fault, True, variant) for fault, variant in pairs]
    return runs


def chosen_pairs(faults: list[Fault], how_many: str | None, seed: int = SEED) -> list[tuple[str, str]]:
    """The (fault, variant) pairs of these faults to run: none, a seeded sample of N, or all."""
    names = {fault.name for fault in faults}
    pairs = [pair for pair in fault_variant_pairs() if pair[0] in names]
    if not how_many:
        return []
    if how_many == "all" or int(how_many) >= len(pairs):
        return pairs
    return sorted(random.Random(seed).sample(pairs, int(how_many)))


def pair_detected(result: RunResult) -> bool:
    return names_a_target(result, FAULTS[result.fault].requirements)


def render_pairs(results: list[RunResult]) -> str:
    if not results:
        return ""
    missed = [result for result in results if not pair_detected(result)]
    lines = ["", "## Faults combined with legal variants", "",
             f"Each fault with each legal variant it does not contradict (`faults.CONTRADICTIONS` says which and why), "
             f"run `--strict` under the July 2026 revision: the fault must still be detected and named. "
             f"**{len(results) - len(missed)} of {len(results)} pairs detected.**", ""]
    if missed:
        lines += ["| fault | variant | exit | flagged |", "| --- | --- | --- | --- |"]
        for result in missed:
            flagged = ", ".join(f"{rid} {status}" for rid, status in sorted(result.statuses.items()) if status in ("FAIL", "WARN"))
            lines.append(f"| `{result.fault}` | `{result.variant}` | {result.exit_code} | {flagged or 'nothing'} |")
    return "\n".join(lines) + "\n"


def render_variants(results: dict[str, RunResult]) -> str:
    lines = ["", "## Legal variants", "",
             "Each a way of answering the contract allows (`conformance mock --list-variants` says why), run with "
             "`--strict` under the July 2026 revision: the verdict must be CONFORMANT with nothing flagged.", "",
             "| variant | exit | flagged |", "| --- | --- | --- |"]
    for name, result in results.items():
        flagged = ", ".join(f"{rid} {status}" for rid, status in sorted(result.statuses.items()) if status in ("FAIL", "WARN"))
        lines.append(f"| `{name}`: {_escape(VARIANTS[name].description)} | {result.exit_code} | {flagged or 'nothing'} |")
    clean = sum(result.exit_code == 0 for result in results.values())
    lines.insert(3, f"**{clean} of {len(results)} variants CONFORMANT.**\n")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2, help="runs at a time (default 2: this machine has 2 cores)")
    parser.add_argument("--faults", help="comma-separated fault names (default: all); for a quick look")
    parser.add_argument("--pairs", help="also combine faults with legal variants: a seeded sample of N pairs, or 'all'")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "docs", help="where the .md and .html go (default docs/)")
    args = parser.parse_args(argv)
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    names = args.faults.split(",") if args.faults else list(FAULTS)
    unknown = [name for name in names if name not in FAULTS]
    if unknown:
        parser.error(f"unknown fault {unknown[0]!r}; see `conformance mock --list-faults`")
    faults = [FAULTS[name] for name in names]
    catalogue = load_catalogue()
    if args.pairs and args.pairs != "all" and not args.pairs.isdigit():
        parser.error("--pairs takes a number or 'all'")
    runs = planned_runs(faults, catalogue, chosen_pairs(faults, args.pairs))

    with tempfile.TemporaryDirectory(prefix="fault-matrix-") as work_dir, ProcessPoolExecutor(args.jobs) as pool:
        batches = [runs[index::args.jobs] for index in range(args.jobs)]
        finished = [result for part in pool.map(_run_batch, batches, [work_dir] * len(batches)) for result in part]
    results = [result for result in finished if result.variant is None]
    variants = {result.variant: result for result in finished if result.variant is not None and result.fault is None}
    paired = [result for result in finished if result.variant is not None and result.fault is not None]
    for result in results:
        label = (result.fault or "(correct mock)") + (" --strict" if result.strict else "")
        print(f"exit {result.exit_code}  {label}" + (f"  {result.problem}" if result.problem else ""), flush=True)

    rows = build_rows(results, faults)
    columns = graded_requirements(catalogue)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "fault-matrix.md").write_text(render_markdown(rows, columns) + render_variants(variants) + render_pairs(paired), encoding="utf-8")
    (args.out_dir / "fault-matrix.html").write_text(render_html(rows, columns), encoding="utf-8")
    missed = [row.name for row in rows[1:] if not row.detected]
    print(f"detected {len(rows) - 1 - len(missed)} of {len(rows) - 1} faults" + (f"; missed: {', '.join(missed)}" if missed else ""))
    print(f"wrote {args.out_dir / 'fault-matrix.md'} and {args.out_dir / 'fault-matrix.html'}")
    clean = is_clean(rows[0])
    if not clean:
        print("the correct mock did not pass cleanly", file=sys.stderr)
    alarms = [name for name, result in variants.items() if result.exit_code != 0]
    if alarms:
        print(f"legal variants not CONFORMANT: {', '.join(alarms)}", file=sys.stderr)
    missed_pairs = [f"{result.fault} x {result.variant}" for result in paired if not pair_detected(result)]
    if missed_pairs:
        print(f"faults not detected under a legal variant: {', '.join(missed_pairs)}", file=sys.stderr)
    return 0 if clean and not missed and not alarms and not missed_pairs else 1


if __name__ == "__main__":
    sys.exit(main())
