"""`conformance run`: from a base URL (or the embedded mock) to a verdict and reports.

A thin front door over pytest.main with the suite's plugin: it checks the options, probes the
target once, runs the suite, then turns summary.json into the terminal table, report.html and
the exit code.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import string
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from conformance import cli
from conformance.contract import SEGMENT_PATH
from conformance.target import retry_seconds

SUITE_DIR = Path(__file__).parent / "suite"
CLUSTERS = ("api", "us1.api", "as1.api")
PROBE_ATTEMPTS = 3
# A profile is a selection and a budget. The sandbox budget counts the probe as one request.
PROFILES = {"sandbox": {"markexpr": "sandbox", "max_requests": 100}}


def register(subparsers, epilog: str) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run the conformance suite against a base URL (default: the embedded mock)",
        description="Run the Segments API conformance suite and write JUnit, JSON and HTML reports.",
        epilog=epilog,
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--base-url", help="the API under test, e.g. http://127.0.0.1:4010 (default: embedded mock)")
    where.add_argument("--cluster", choices=CLUSTERS, help="the vendor's cluster: https://CLUSTER.voucherify.io")
    parser.add_argument("--app-id", help="X-App-Id (default: $VOUCHERIFY_APP_ID)")
    parser.add_argument("--app-token", help="X-App-Token (default: $VOUCHERIFY_APP_TOKEN); never printed")
    parser.add_argument("--report-dir", default="reports", help="where junit.xml, summary.json, report.html go (default: reports/)")
    parser.add_argument("--seed", type=int, help="reproduce a run: the seed its report shows")
    parser.add_argument("--max-examples", type=int, default=25, help="property-test examples per operation (default: 25)")
    parser.add_argument("--strict", action="store_true", help="SHOULD failures fail the run too")
    parser.add_argument("--include-heavy", action="store_true", help="run the cap scenarios on a non-loopback target")
    parser.add_argument("--insecure", action="store_true", help="do not verify TLS certificates (said in the report)")
    parser.add_argument("--max-requests", type=int, metavar="N",
                        help="stop after N requests; what is left is NOT TESTED (cleanup stays within N)")
    parser.add_argument("--profile", choices=sorted(PROFILES),
                        help="sandbox: every MUST requirement that fits in 100 requests (the vendor sandbox's hourly limit)")
    parser.add_argument("-k", dest="keyword", metavar="EXPR", help="only tests matching the pytest -k expression")
    parser.add_argument("-m", dest="markexpr", metavar="MARKEXPR", help="only tests matching the pytest -m expression")
    parser.add_argument("--fault", action="append", default=[], metavar="NAME",
                        help="embedded mock only: switch on a named fault (see `conformance mock --list-faults`)")
    parser.add_argument("-n", dest="workers", type=int, metavar="WORKERS",
                        help="run on WORKERS processes (pytest-xdist); the caps still run alone")
    parser.add_argument("-q", "--quiet", action="store_true", help="less progress output")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    base_url = _base_url(args)
    if args.fault and base_url:
        raise cli.UsageError("--fault applies to the embedded mock only (drop --base-url / --cluster)")
    if args.fault:
        from conformance.mock.faults import FAULTS

        unknown = [name for name in args.fault if name not in FAULTS]
        if unknown:
            raise cli.UsageError(f"unknown fault {unknown[0]!r}; see `conformance mock --list-faults`")
    if args.max_examples < 1:
        raise cli.UsageError("--max-examples must be at least 1")
    if args.max_requests is not None and args.max_requests < 1:
        raise cli.UsageError("--max-requests must be at least 1")
    profile = PROFILES.get(args.profile or "", {})
    if profile and args.markexpr:
        raise cli.UsageError("--profile chooses the tests itself; drop -m")
    markexpr = profile.get("markexpr", args.markexpr)
    max_requests = min(filter(None, (args.max_requests, profile.get("max_requests")))) if (args.max_requests or profile) else None
    app_id = args.app_id or os.environ.get("VOUCHERIFY_APP_ID")
    app_token = args.app_token or os.environ.get("VOUCHERIFY_APP_TOKEN")
    if base_url:
        if not app_id or not app_token:
            raise cli.UsageError("credentials missing: pass --app-id and --app-token or set VOUCHERIFY_APP_ID and VOUCHERIFY_APP_TOKEN")
        problem = probe(base_url, app_id, app_token, verify_tls=not args.insecure)
        if problem:
            print(f"error: could not test: {problem}", file=os.sys.stderr)
            return cli.EXIT_COULD_NOT_TEST
        if max_requests is not None:
            max_requests -= 1  # the probe was one
            if max_requests < 1:
                raise cli.UsageError("--max-requests leaves nothing after the first probe request")

    report_dir = Path(args.report_dir)
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise cli.UsageError(f"cannot create report directory {report_dir}: {error.strerror}") from None
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    summary_path = report_dir / "summary.json"
    summary_path.unlink(missing_ok=True)

    pytest_args = [
        str(SUITE_DIR),
        "--rootdir", str(SUITE_DIR),
        "-c", str(SUITE_DIR / "pytest.ini"),
        "-p", "no:cacheprovider",
        "--junitxml", str(report_dir / "junit.xml"),
        "-o", "junit_family=xunit2",
        "-o", "junit_suite_name=segments-conformance",
        "--summary-json", str(summary_path),
        "--ledger-file", str(report_dir / "ledger.json"),
        "--conformance-seed", str(seed),
        f"--hypothesis-seed={seed}",
        "--max-examples", str(args.max_examples),
        "-q" if args.quiet else "-v",
        "--tb=line" if args.quiet else "--tb=short",
    ]
    if base_url:
        pytest_args += ["--base-url", base_url]
    for flag, value in (("--app-id", app_id), ("--app-token", app_token), ("-k", args.keyword), ("-m", markexpr),
                        ("--max-requests", max_requests and str(max_requests)), ("--conformance-profile", args.profile)):
        if value:
            pytest_args += [flag, value]
    for flag, on in (("--conformance-strict", args.strict), ("--include-heavy", args.include_heavy), ("--insecure", args.insecure)):
        if on:
            pytest_args.append(flag)
    for fault in args.fault:
        pytest_args += ["--mock-fault", fault]
    if args.workers is not None:
        if args.workers < 1:
            raise cli.UsageError("-n must be at least 1")
        if max_requests is not None and args.workers > 1:
            raise cli.UsageError("--max-requests and --profile need a single process (drop -n)")
        pytest_args += ["-n", str(args.workers)]

    exit_status = pytest.main(pytest_args)
    if exit_status == pytest.ExitCode.INTERRUPTED:
        return cli.EXIT_COULD_NOT_TEST
    if exit_status == pytest.ExitCode.USAGE_ERROR:
        return cli.EXIT_USAGE
    if not summary_path.exists():
        print("internal error: the run wrote no summary.json", file=os.sys.stderr)
        return cli.EXIT_INTERNAL
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    html_path = _write_html(summary_path)
    print_summary(summary, report_dir, html_path)
    return summary["exit_code"]


def _base_url(args: argparse.Namespace) -> str | None:
    if args.cluster:
        return f"https://{args.cluster}.voucherify.io"
    if args.base_url is None:
        return None
    parts = urlsplit(args.base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise cli.UsageError(f"--base-url {args.base_url!r} is not an http(s) URL")
    return args.base_url.rstrip("/")


def probe(base_url: str, app_id: str, app_token: str, *, verify_tls: bool) -> str | None:
    """One GET of an id nobody has: tells an unreachable target or rejected credentials from a
    testable one before the suite starts. Returns the problem, or None."""
    unknown = "seg_" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(24))
    url = base_url + SEGMENT_PATH.replace("{segmentId}", unknown)
    for _ in range(PROBE_ATTEMPTS):
        try:
            response = requests.get(url, headers={"X-App-Id": app_id, "X-App-Token": app_token}, timeout=(5, 15), verify=verify_tls)
        except requests.exceptions.SSLError:
            return f"TLS error talking to {base_url} (use --insecure to skip verification)"
        except requests.exceptions.Timeout:
            return f"{base_url} did not answer in time"
        except requests.RequestException:
            return f"{base_url} is unreachable or does not speak HTTP"
        if response.status_code in (401, 403):
            return f"{base_url} rejected the credentials ({response.status_code})"
        if response.status_code != 429:
            return None
        time.sleep(min(retry_seconds(response.headers.get("Retry-After")) or 1.0, 10.0))
    return f"{base_url} keeps answering 429 Too Many Requests; try again later"


def _write_html(summary_path: Path) -> Path | None:
    try:
        from conformance.report.render import write_html
    except ImportError:  # the report package is optional while it is being built
        return None
    html_path = summary_path.with_name("report.html")
    write_html(summary_path, html_path)
    return html_path


def print_summary(summary: dict, report_dir: Path, html_path: Path | None) -> None:
    counts = summary["counts"]
    run = summary["run"]
    width = 62
    print("=" * width)
    print(f" verdict: {summary['verdict']}  (exit {summary['exit_code']})")
    print(f" target:  {summary['target']['base_url']}" + (" (embedded mock)" if summary["target"]["embedded_mock"] else ""))
    print(" requirements: " + "  ".join(f"{key.lower().replace('_', ' ')} {counts.get(key, 0)}"
                                        for key in ("PASS", "FAIL", "WARN", "NOT_TESTED", "OBSERVED")))
    for requirement in summary["requirements"]:
        if requirement["status"] in ("FAIL", "WARN"):
            print(f"   {requirement['status']:<4} {requirement['id']}: {(requirement['reason'] or '')[:120]}")
    print(f" duration: {run['duration_s']:.1f} s   seed: {run['seed']}   requests: {run['requests_sent']}")
    print(f" reports: {report_dir / 'junit.xml'}  {report_dir / 'summary.json'}" + (f"  {html_path}" if html_path else ""))
    if run.get("left_behind"):
        print(f" NOT CLEANED UP: {', '.join(run['left_behind'])}")
    print("=" * width)
