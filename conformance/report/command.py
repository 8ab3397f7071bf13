"""`conformance report` and `conformance compare`: read summary.json files, never the target."""

from __future__ import annotations

import argparse
from pathlib import Path

from conformance.exits import EXIT_NONCONFORMANT, EXIT_OK, UsageError
from conformance.report.compare import compare, format_comparison
from conformance.report.render import write_html
from conformance.report.summary import SUMMARY_NAME, SummaryError, load_summary
from conformance.safetext import printable_lines

DEFAULT_REPORT_NAME = "report.html"


def register(subparsers: argparse._SubParsersAction, epilog: str) -> None:
    report = subparsers.add_parser(
        "report",
        help="render report.html from a run's summary.json",
        description="Render the HTML report of a run from its summary.json, without re-running anything.",
        epilog=epilog,
    )
    report.add_argument("summary", metavar="SUMMARY", type=Path, help="the run's summary.json, or its report directory")
    report.add_argument(
        "--output", "-o", metavar="FILE", type=Path, default=None,
        help=f"where to write the report (default: {DEFAULT_REPORT_NAME} next to SUMMARY)",
    )
    report.set_defaults(handler=run_report)

    comparison = subparsers.add_parser(
        "compare",
        help="compare two runs' summary.json; exit 1 on a regression",
        description=(
            "Compare two runs (report directories or their summary.json files) requirement by requirement. What differs besides the results comes "
            "first: the contract documents (with a summary of the API changes when both summaries carry them), "
            "the targets, the clients of SDK gate runs, the tool versions. Regressions: a requirement that held "
            "(PASS or WARN) and now FAILs, and a MUST requirement that was tested and now is NOT_TESTED or out of "
            "scope. Then degraded (PASS -> WARN), SHOULD requirements no longer tested, fixes, newly tested, scope "
            "changes, requirements added and removed. Exits 1 if there is any regression, 0 otherwise."
        ),
        epilog=epilog,
    )
    comparison.add_argument("old", metavar="OLD", type=Path, help="the earlier run's report directory or its summary.json")
    comparison.add_argument("new", metavar="NEW", type=Path, help="the later run's report directory or its summary.json")
    comparison.set_defaults(handler=run_compare)


def run_report(args: argparse.Namespace) -> int:
    if args.summary.is_dir():  # a report directory: its summary, and report.html next to it
        args.summary = args.summary / SUMMARY_NAME
    output = args.output if args.output is not None else args.summary.parent / DEFAULT_REPORT_NAME
    if output.resolve() == args.summary.resolve():
        raise UsageError(f"--output {output} is the summary itself; refusing to overwrite it")
    try:
        written = write_html(args.summary, output)
    except SummaryError as error:
        raise UsageError(str(error)) from None
    except OSError as error:
        raise UsageError(f"cannot write {output}: {error.strerror or error}") from None
    print(f"wrote {written}")
    return EXIT_OK


def run_compare(args: argparse.Namespace) -> int:
    try:
        old, new = load_summary(args.old), load_summary(args.new)  # a report directory or its summary.json
    except SummaryError as error:
        raise UsageError(str(error)) from None
    comparison = compare(old, new)
    print(printable_lines(format_comparison(comparison)))  # titles, messages and paths come from the files
    return EXIT_NONCONFORMANT if comparison.has_regressions else EXIT_OK
