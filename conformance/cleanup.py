"""`conformance cleanup --ledger FILE`: delete what an earlier run created and could not delete."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import requests

from conformance import cli
from conformance.ledger import Ledger
from conformance.target import Credentials, Target


def register(subparsers, epilog: str) -> None:
    parser = subparsers.add_parser(
        "cleanup",
        help="delete the segments an earlier run left in its ledger",
        description="Delete every segment listed in a run's ledger.json (and only those).",
        epilog=epilog,
    )
    parser.add_argument("--ledger", required=True, metavar="FILE", help="the run's ledger.json")
    parser.add_argument("--app-id", help="X-App-Id (default: $VOUCHERIFY_APP_ID)")
    parser.add_argument("--app-token", help="X-App-Token (default: $VOUCHERIFY_APP_TOKEN)")
    parser.add_argument("--insecure", action="store_true", help="do not verify TLS certificates")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    path = Path(args.ledger)
    try:
        ledger = Ledger.load(path)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise cli.UsageError(f"cannot use ledger {path}: {getattr(error, 'strerror', None) or error}") from None
    app_id = args.app_id or os.environ.get("VOUCHERIFY_APP_ID")
    app_token = args.app_token or os.environ.get("VOUCHERIFY_APP_TOKEN")
    if not app_id or not app_token:
        raise cli.UsageError("credentials missing: pass --app-id and --app-token or set VOUCHERIFY_APP_ID and VOUCHERIFY_APP_TOKEN")
    if not ledger.open_ids():
        print(f"nothing to clean up: {path} lists no segment")
        return cli.EXIT_OK
    target = Target(ledger.base_url, Credentials(app_id, app_token), verify_tls=not args.insecure, ledger=ledger)
    try:
        left = target.cleanup()
    except requests.RequestException:
        left = ledger.open_ids()
    finally:
        target.close()
    if left:
        print(f"error: could not delete {len(left)} segment(s) from {ledger.base_url}: {', '.join(left)}", file=os.sys.stderr)
        return cli.EXIT_COULD_NOT_TEST
    print(f"deleted every segment {path} listed; the ledger is now empty")
    return cli.EXIT_OK
