"""`conformance replay REPORT [FINDING ...]`: does a finding still reproduce?

For each finding chosen (every FAIL by default), the test that found it is run again with the
run's seed and options, so it sends the same sequence of requests (the ids the server assigns
aside) and judges the answers with the very checks that found it: a literal resend could not,
because a read-back or a delete-then-get is judged across several answers. Property-test findings
are rerun the same way (the same seed draws the same examples).

A report is a file anyone could have handed you, so nothing in it chooses where requests or
credentials go, or what code runs:
- the target is --base-url, or the embedded mock (an embedded-mock run gets the same faults and
  variants again); the URL a report names is used only when you pass it, or confirm it when asked
  on a terminal; --mock replays any report against the embedded mock;
- the tests rerun are tests of the installed suite, by module and name, never a path from the file;
- the document is a revision this tool ships (recognised by the sha256 the report recorded), or
  the one you pass with --spec, checked against that sha256; the report's path is never opened;
  TLS verification is off only with your own --insecure.

Exit 1 when a finding reproduces, 0 when none does, 2 when the replay could not test, 4 on bad input.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any, TextIO

from conformance import options
from conformance.exits import EXIT_COULD_NOT_TEST, EXIT_NONCONFORMANT, EXIT_OK, UsageError
from conformance.safetext import printable

# A test of the installed suite: its module, a test function, then the parameters pytest shows.
NODEID = re.compile(r"(?P<module>test_\w+\.py)::(?P<function>test_\w+)(?P<parameters>\[.*\])?", re.DOTALL)


def register(subparsers, epilog: str) -> None:
    parser = subparsers.add_parser(
        "replay",
        help="run a report's findings again: exit 1 when one reproduces",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=epilog,
    )
    parser.add_argument("report", metavar="REPORT", type=Path, help="a run's report directory, or its summary.json")
    parser.add_argument("findings", metavar="FINDING", nargs="*",
                        help="a requirement id (SEG-DELETE-GONE), optionally #N for its Nth finding; default: every FAIL")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--base-url", help="replay against this target (a run against a URL needs it, or --mock)")
    where.add_argument("--mock", action="store_true", help="replay against the embedded mock, whatever the run's target")
    parser.add_argument("--spec", metavar="FILE",
                        help="the document the run tested, when it was not the bundled one: a file or a shipped "
                        "revision's name (checked against the report's sha256)")
    parser.add_argument("--app-id", help="X-App-Id (default: $VOUCHERIFY_APP_ID)")
    parser.add_argument("--app-token", help="X-App-Token (default: $VOUCHERIFY_APP_TOKEN)")
    parser.add_argument("--insecure", action="store_true", help="do not verify TLS certificates")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from conformance.report.summary import SummaryError, load_summary
    from conformance.runner import run_in_process

    try:
        summary = load_summary(args.report)
    except SummaryError as error:
        raise UsageError(str(error)) from None
    if summary["command"] != "api":
        raise UsageError("replay reads `conformance run` reports; run `conformance sdk` again to recheck a client")
    chosen = choose(summary, args.findings)
    if not chosen:
        print("nothing to replay: the report has no FAIL finding" if not args.findings else "no finding matches")
        return EXIT_OK
    tests = [installed_test(finding["test"]) for finding in chosen]
    given, target = _given(summary, args)
    print(printable(f"replay: rerunning {len(set(tests))} test(s) for {len(chosen)} finding(s) "
                    f"({', '.join(dict.fromkeys(finding['requirement'] for finding in chosen))}) with seed "
                    f"{summary['run']['seed']} against {target}"))
    with tempfile.TemporaryDirectory(prefix="conformance-replay-") as report_dir:
        # The run's own options, nothing from a configuration file or CONFORMANCE_* here; credentials
        # only for a target the user named (the embedded mock makes its own).
        credentials = {} if "base_url" not in given else {
            name: value for name, value in os.environ.items() if name.startswith("VOUCHERIFY_APP_")}
        settings = options.resolve({**given, "report_dir": report_dir, "keyword": _keyword(tests, summary)},
                                   environ=credentials, cwd=Path(report_dir))
        # The rerun's own report (its verdict over a few tests, its directory, deleted here) is not
        # this command's answer: the lines below are.
        with contextlib.redirect_stdout(io.StringIO()):
            exit_code, again = run_in_process(settings, nodeids=sorted({test.split("[", 1)[0] for test in tests}))
        if again.summary is None:
            return exit_code
        return _judge(chosen, again.summary, sys.stdout)


def installed_test(nodeid: str) -> str:
    """`nodeid` if it names a test module of the installed suite; a UsageError otherwise. A node id is
    a path pytest imports: an absolute or `..` one would run a file of the report's choosing."""
    from conformance.runner import SUITES

    match = NODEID.fullmatch(nodeid)
    modules = {path.name for path in SUITES["api"].glob("test_*.py")}
    if match is None or match["module"] not in modules:
        raise UsageError(f"the report names the test {printable(nodeid[:120])!r}, which is not a test of the installed suite")
    return nodeid


def _keyword(tests: list[str], summary: dict[str, Any]) -> str:
    """A -k expression for exactly these tests (parametrized ones included, property tests too:
    schemathesis names its cases in a way pytest cannot select by node id)."""
    from conformance.report.reproduce import k_expression

    every = [test["nodeid"] for test in summary["tests"]]
    return " or ".join(f"({k_expression(test, every)})" for test in dict.fromkeys(tests))


def choose(summary: dict[str, Any], wanted: list[str]) -> list[dict[str, Any]]:
    """The findings to replay, each once (a test that recorded a requirement's violation several
    times is one finding): every FAIL, or those named (SEG-X for all of one requirement, SEG-X#2 for one)."""
    findings = list({(finding["requirement"], finding["test"]): finding
                     for requirement in summary["requirements"] for finding in reversed(requirement["evidence"])
                     if finding["severity"] in ("FAIL", "WARN")}.values())[::-1]
    if not wanted:
        return [finding for finding in findings if finding["severity"] == "FAIL"]
    chosen = []
    for name in wanted:
        requirement_id, _, index = name.partition("#")
        of_requirement = [finding for finding in findings if finding["requirement"] == requirement_id]
        if not of_requirement:
            raise UsageError(f"{printable(name)}: the report has no FAIL or WARN finding of {printable(requirement_id)}")
        if index:
            if not index.isdigit() or not 1 <= int(index) <= len(of_requirement):
                raise UsageError(f"{printable(name)}: {requirement_id} has {len(of_requirement)} finding(s) in the report")
            of_requirement = [of_requirement[int(index) - 1]]
        chosen += of_requirement
    return chosen


def _given(summary: dict[str, Any], args: argparse.Namespace) -> tuple[dict[str, Any], str]:
    """The rerun's options, and the target in words for the banner."""
    target, run = summary["target"], summary["run"]
    given: dict[str, Any] = {
        "seed": run["seed"],
        "depth": run.get("depth"),
        "max_examples": run["max_examples"],
        "strict": run["strict"] or None,
        "spec": _spec(summary, args.spec),
        "app_id": args.app_id,
        "app_token": args.app_token,
        "insecure": args.insecure or None,
        "quiet": True,
    }
    if args.base_url:
        given["base_url"] = args.base_url
        return given, args.base_url
    if not args.mock and not target["embedded_mock"]:
        if not _confirmed(target["base_url"]):
            raise UsageError(f"the run's target {printable(target['base_url'])!r} is read from the report, which does "
                             "not choose where requests and credentials go: pass --base-url (that URL or another) or --mock")
        given["base_url"] = target["base_url"]
        return given, target["base_url"]
    if target["embedded_mock"]:
        given["fault"], given["variant"] = target["faults"] or None, target.get("variants") or None
    faults = ", ".join([*(given.get("fault") or []), *(given.get("variant") or [])])
    return given, "the embedded mock" + (f" ({faults})" if faults else "")


def _confirmed(url: str, stdin: TextIO = sys.stdin, stderr: TextIO = sys.stderr) -> bool:
    """Whether the user, at a terminal, agrees to send requests and credentials to `url`."""
    if not (stdin.isatty() and stderr.isatty()):
        return False
    stderr.write(printable(f"The report names the target {url}. Replay against it, sending your credentials there? [y/N] "))
    stderr.flush()
    return stdin.readline().strip().lower() in ("y", "yes")


def _spec(summary: dict[str, Any], given: str | None) -> str | None:
    """The document to rerun with: the bundled one, or the file the user passes, which must be the
    one the run tested (the report's path is a hint, never opened)."""
    from conformance.contract import Contract, ContractError

    from conformance.revisions import REVISIONS, spec_path

    recorded = summary["document"]
    if given is None:
        if recorded["source"] == "bundled":
            return None
        shipped = [revision.name for revision in REVISIONS.values()
                   if hashlib.sha256(revision.path.read_bytes()).hexdigest() == recorded["sha256"]]
        if shipped:  # a revision this tool ships: its own file, recognised by content, not by the path
            return shipped[0]
        raise UsageError(f"the run tested {printable(recorded['source'])!r}: pass it with --spec (the report's "
                         "path is not opened on its own)")

    try:
        sha256 = Contract.load(spec_path(given)).sha256  # a file, or a shipped revision's name
    except ContractError as error:
        raise UsageError(str(error)) from None
    if sha256 != recorded["sha256"]:
        raise UsageError(f"{given} is not the document the run tested (its sha256 differs from the report's)")
    return given


def _judge(chosen: list[dict[str, Any]], again: dict[str, Any], out) -> int:
    statuses = {requirement["id"]: requirement for requirement in again["requirements"]}
    outcomes = {test["nodeid"]: test for test in again["tests"]}
    reproduced = 0
    for finding in chosen:
        now = statuses.get(finding["requirement"], {"status": "NOT_TESTED", "evidence": []})
        test = outcomes.get(finding["test"], {})
        first = next((entry for entry in now["evidence"] if entry["test"] == finding["test"]), None)
        if now["status"] == finding["severity"] and first is not None:
            reproduced += 1
            line = f"REPRODUCED      {finding['requirement']} in {finding['test']}: {first['message']}"
        else:
            line = (f"NOT REPRODUCED  {finding['requirement']} in {finding['test']}: now {now['status']}"
                    f" (test {test.get('outcome', 'not run')})")
        print(printable(line), file=out)
    if reproduced:
        return EXIT_NONCONFORMANT
    return EXIT_COULD_NOT_TEST if not _all_ran(chosen, outcomes) else EXIT_OK


def _all_ran(chosen: list[dict[str, Any]], outcomes: dict[str, Any]) -> bool:
    return all(outcomes.get(finding["test"], {}).get("outcome") in ("passed", "failed") for finding in chosen)
