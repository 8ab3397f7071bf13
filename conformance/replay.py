"""`conformance replay REPORT_DIR [FINDING ...]`: does a finding still reproduce?

For each finding chosen (every FAIL by default), the test that found it is run again with the
run's seed, options and document, so it sends the same sequence of requests (the ids the server
assigns aside) and judges the answers with the very checks that found it: a literal resend
could not, because a read-back or a delete-then-get is judged across several answers. The
target is the one given with --base-url, else the run's own (an embedded-mock run gets the same
mock again, same faults and variants). Every request goes through the same gate as a run.

Exit 1 when a finding reproduces, 0 when none does, 2 when the replay could not test, 4 on bad input.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from conformance import options
from conformance.exits import EXIT_COULD_NOT_TEST, EXIT_NONCONFORMANT, EXIT_OK, UsageError


def register(subparsers, epilog: str) -> None:
    parser = subparsers.add_parser(
        "replay",
        help="run a report's findings again: exit 1 when one reproduces",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=epilog,
    )
    parser.add_argument("report_dir", metavar="REPORT_DIR", type=Path, help="a run's report directory (its summary.json)")
    parser.add_argument("findings", metavar="FINDING", nargs="*",
                        help="a requirement id (SEG-DELETE-GONE), optionally #N for its Nth finding; default: every FAIL")
    parser.add_argument("--base-url", help="replay against this target instead of the run's")
    parser.add_argument("--app-id", help="X-App-Id (default: $VOUCHERIFY_APP_ID)")
    parser.add_argument("--app-token", help="X-App-Token (default: $VOUCHERIFY_APP_TOKEN)")
    parser.add_argument("--insecure", action="store_true", help="do not verify TLS certificates")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from conformance.report.summary import SummaryError, load_summary
    from conformance.runner import run_in_process

    try:
        summary = load_summary(args.report_dir / "summary.json")
    except SummaryError as error:
        raise UsageError(str(error)) from None
    if summary["command"] != "api":
        raise UsageError("replay reads `conformance run` reports; run `conformance sdk` again to recheck a client")
    chosen = choose(summary, args.findings)
    if not chosen:
        print("nothing to replay: the report has no FAIL finding" if not args.findings else "no finding matches")
        return EXIT_OK
    with tempfile.TemporaryDirectory(prefix="conformance-replay-") as report_dir:
        # The run's own options, nothing from a configuration file or CONFORMANCE_* here: only credentials.
        credentials = {name: value for name, value in os.environ.items() if name.startswith("VOUCHERIFY_APP_")}
        settings = options.resolve({**_given(summary, args), "report_dir": report_dir}, environ=credentials, cwd=Path(report_dir))
        tests = sorted({finding["test"] for finding in chosen})
        exit_code, again = run_in_process(settings, nodeids=tests)
        if again.summary is None:
            return exit_code
        return _judge(chosen, again.summary, sys.stdout)


def choose(summary: dict[str, Any], wanted: list[str]) -> list[dict[str, Any]]:
    """The findings to replay: every FAIL, or those named (SEG-X for all of one requirement, SEG-X#2 for one)."""
    findings = [finding for requirement in summary["requirements"] for finding in requirement["evidence"]
                if finding["severity"] in ("FAIL", "WARN")]
    if not wanted:
        return [finding for finding in findings if finding["severity"] == "FAIL"]
    chosen = []
    for name in wanted:
        requirement_id, _, index = name.partition("#")
        of_requirement = [finding for finding in findings if finding["requirement"] == requirement_id]
        if not of_requirement:
            raise UsageError(f"{name}: the report has no FAIL or WARN finding of {requirement_id}")
        if index:
            if not index.isdigit() or not 1 <= int(index) <= len(of_requirement):
                raise UsageError(f"{name}: {requirement_id} has {len(of_requirement)} finding(s) in the report")
            of_requirement = [of_requirement[int(index) - 1]]
        chosen += of_requirement
    return chosen


def _given(summary: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    target, run = summary["target"], summary["run"]
    spec = summary["document"]["source"]
    given: dict[str, Any] = {
        "seed": run["seed"],
        "depth": run.get("depth"),
        "max_examples": run["max_examples"],
        "strict": run["strict"] or None,
        "spec": None if spec == "bundled" else spec,
        "app_id": args.app_id,
        "app_token": args.app_token,
        "insecure": args.insecure or target["insecure"] or None,
        "quiet": True,
    }
    if args.base_url or not target["embedded_mock"]:
        given["base_url"] = args.base_url or target["base_url"]
    else:
        given["fault"], given["variant"] = target["faults"] or None, target.get("variants") or None
    return given


def _judge(chosen: list[dict[str, Any]], again: dict[str, Any], out) -> int:
    statuses = {requirement["id"]: requirement for requirement in again["requirements"]}
    outcomes = {test["nodeid"]: test for test in again["tests"]}
    reproduced = 0
    for finding in chosen:
        now = statuses[finding["requirement"]]
        test = outcomes.get(finding["test"], {})
        same = now["status"] == finding["severity"] and any(entry["test"] == finding["test"] for entry in now["evidence"])
        if same:
            reproduced += 1
            first = next(entry for entry in now["evidence"] if entry["test"] == finding["test"])
            print(f"REPRODUCED      {finding['requirement']} in {finding['test']}: {first['message']}", file=out)
        else:
            print(f"NOT REPRODUCED  {finding['requirement']} in {finding['test']}: now {now['status']}"
                  f" (test {test.get('outcome', 'not run')})", file=out)
    if reproduced:
        return EXIT_NONCONFORMANT
    return EXIT_COULD_NOT_TEST if again["verdict"] == "INCOMPLETE" and not _all_ran(chosen, outcomes) else EXIT_OK


def _all_ran(chosen: list[dict[str, Any]], outcomes: dict[str, Any]) -> bool:
    return all(outcomes.get(finding["test"], {}).get("outcome") in ("passed", "failed") for finding in chosen)
