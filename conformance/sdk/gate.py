"""Running the gate: pytest.main over conformance/sdk/suite, then sdk-summary.json's verdict.

`python -m conformance.sdk --client voucherify` runs it against the embedded mock; the lead's
`conformance sdk` command is meant to be a thin front door over `run`. Exit codes as
`conformance run`: 0 conformant, 1 nonconformant (a MUST failed; a SHOULD under --strict),
2 could not test (or a server requirement failed, so the client could not be judged), 3 our bug,
4 usage.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from pathlib import Path

SUITE_DIR = Path(__file__).parent / "suite"
EXIT_INTERNAL, EXIT_USAGE = 3, 4


def parser() -> argparse.ArgumentParser:
    from conformance.sdk.adapter import CLIENTS

    parse = argparse.ArgumentParser(prog="conformance sdk", description="The SDK release gate: a client of the Segments contract, judged against it.")
    parse.add_argument("--client", choices=CLIENTS, default="voucherify", help="the client under test (default: voucherify)")
    parse.add_argument("--client-fault", action="append", default=[], metavar="NAME", help="reference client only: a named client fault")
    parse.add_argument("--list-client-faults", action="store_true", help="print the reference client's faults and exit")
    parse.add_argument("--base-url", help="the Segments API the scenarios use (default: the embedded mock)")
    parse.add_argument("--app-id", help="X-App-Id for --base-url (default: $VOUCHERIFY_APP_ID)")
    parse.add_argument("--app-token", help="X-App-Token for --base-url (default: $VOUCHERIFY_APP_TOKEN)")
    parse.add_argument("--max-requests", type=int, help="request budget for the target (the model gate sends none)")
    parse.add_argument("--seed", type=int, help="reproduce a run")
    parse.add_argument("--sdk-examples", type=int, default=None, help="generated values per hunt (default 60)")
    parse.add_argument("--strict", action="store_true", help="SHOULD failures fail")
    parse.add_argument("-k", dest="keyword", help="select tests (pytest -k)")
    parse.add_argument("--report-dir", default="reports/sdk", help="where junit.xml, sdk-summary.json and ledger.json go")
    parse.add_argument("-q", "--quiet", action="store_true")
    return parse


def pytest_args(args: argparse.Namespace, report_dir: Path, seed: int) -> list[str]:
    arguments = [
        str(SUITE_DIR), "--rootdir", str(SUITE_DIR), "-c", str(SUITE_DIR / "pytest.ini"), "-p", "no:cacheprovider",
        "--junitxml", str(report_dir / "junit.xml"), "-o", "junit_family=xunit2", "-o", "junit_suite_name=segments-conformance-sdk",
        "--sdk-summary-json", str(report_dir / "sdk-summary.json"), "--ledger-file", str(report_dir / "ledger.json"),
        "--conformance-seed", str(seed), f"--hypothesis-seed={seed}", "--client", args.client,
        "-q" if args.quiet else "-v", "--tb=line" if args.quiet else "--tb=short",
    ]
    for fault in args.client_fault:
        arguments += ["--client-fault", fault]
    for flag, value in (("--base-url", args.base_url), ("--app-id", args.app_id), ("--app-token", args.app_token),
                        ("--max-requests", args.max_requests), ("--sdk-examples", args.sdk_examples), ("-k", args.keyword)):
        if value is not None:
            arguments += [flag, str(value)]
    if args.strict:
        arguments.append("--conformance-strict")
    return arguments


def run(argv: list[str] | None = None) -> int:
    import pytest

    try:
        args = parser().parse_args(argv)
    except SystemExit as exit_:
        return 0 if exit_.code == 0 else EXIT_USAGE
    if args.list_client_faults:
        from conformance.sdk.clients.reference import CLIENT_FAULTS

        for fault in CLIENT_FAULTS.values():
            print(f"{fault.name:32} {fault.requirement:30} {fault.description}")
        return 0
    report_dir = Path(args.report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    summary_path = report_dir / "sdk-summary.json"
    summary_path.unlink(missing_ok=True)
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    status = pytest.main(pytest_args(args, report_dir, seed))
    if status == pytest.ExitCode.USAGE_ERROR:
        return EXIT_USAGE
    if status == pytest.ExitCode.INTERRUPTED:
        return 2
    if not summary_path.exists():
        print("internal error: the gate wrote no sdk-summary.json", file=sys.stderr)
        return EXIT_INTERNAL
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    print_summary(summary, summary_path)
    return summary["exit_code"]


def print_summary(summary: dict, path: Path) -> None:
    client = summary["client"]
    faults = f" with faults {', '.join(client.get('faults', []))}" if client.get("faults") else ""
    print(f"\nSDK gate: {client.get('name')} {client.get('version', '')}{faults}: {summary['verdict']} "
          f"(seed {summary['seed']}; {summary['counts']})")
    for requirement in summary["requirements"]:
        if requirement["status"] != "PASS":
            print(f"  {requirement['status']:10} {requirement['id']:30} {(requirement['reason'] or '')[:110]}")
    for finding in summary["findings"]:
        print(f"  - {finding['requirement']}: {finding['cause'][:100]}\n      minimal example: {finding['example'][:300]}")
    print(f"summary: {path}")


if __name__ == "__main__":
    sys.exit(run())
