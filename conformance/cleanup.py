"""`conformance cleanup --ledger FILE`: delete what an earlier run created and could not delete.

A ledger is a file anyone can edit, so it is trusted for nothing but a list of candidates:
- the target is the one the command line names (--base-url), and it must be the ledger's own;
  without --base-url, the ledger's is used only after the user confirms it at a terminal;
- each id is read first and deleted only if its name carries the ledger's run tag (a run names
  everything it creates with its tag); anything else is skipped and reported;
- each id travels as one percent-encoded path segment: `..` or `a/b` can never change the path.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from conformance import options
from conformance.exits import EXIT_COULD_NOT_TEST, EXIT_OK, UsageError
from conformance.ledger import Ledger, LedgerError
from conformance.safetext import printable


def register(subparsers, epilog: str) -> None:
    parser = subparsers.add_parser(
        "cleanup",
        help="delete the segments an earlier run left in its ledger",
        description=__doc__,
        epilog=epilog,
    )
    parser.add_argument("--ledger", required=True, metavar="FILE", help="the run's ledger.json")
    parser.add_argument("--base-url", help="the target the run tested (must match the ledger's; "
                                           "without it, the ledger's is used after you confirm it)")
    parser.add_argument("--app-id", help="X-App-Id (default: $VOUCHERIFY_APP_ID)")
    parser.add_argument("--app-token", help="X-App-Token (default: $VOUCHERIFY_APP_TOKEN)")
    parser.add_argument("--insecure", action="store_true", help="do not verify TLS certificates")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from conformance.contract import Contract
    from conformance.target import Credentials, Target
    from conformance.transport import Transport

    path = Path(args.ledger)
    try:
        ledger = Ledger.load(path)
    except LedgerError as error:
        raise UsageError(f"cannot use the ledger: {error}") from None
    base_url = _target_of(ledger, args.base_url)
    if not ledger.run_tag:
        raise UsageError(f"{path} names no run tag: nothing in it can be checked as ours")
    app_id = args.app_id or os.environ.get("VOUCHERIFY_APP_ID")
    app_token = args.app_token or os.environ.get("VOUCHERIFY_APP_TOKEN")
    if not app_id or not app_token:
        raise UsageError("credentials missing: pass --app-id and --app-token or set VOUCHERIFY_APP_ID and VOUCHERIFY_APP_TOKEN")
    if not ledger.open_ids():
        print(f"nothing to clean up: {path} lists no segment")
        return EXIT_OK
    transport = Transport(base_url, Contract.bundled(), ledger=ledger, verify_tls=not args.insecure)
    target = Target(transport, Credentials(app_id, app_token))
    problems: list[str] = []
    try:
        for segment_id in ledger.open_ids():
            problem = _delete_if_ours(target, segment_id, ledger.run_tag)
            if problem:
                problems.append(f"{segment_id!r}: {problem}")
    finally:
        ledger.save()
        target.close()
    if problems:
        print(f"error: {len(problems)} segment(s) not deleted from {base_url}:", file=sys.stderr)
        for line in problems:  # the target's own words among them
            print(f"  {printable(line)}", file=sys.stderr)
        return EXIT_COULD_NOT_TEST
    print(f"deleted every segment {path} listed; the ledger is now empty")
    return EXIT_OK


def _target_of(ledger: Ledger, given: str | None) -> str:
    recorded = ledger.base_url
    if not recorded or recorded == "embedded mock":
        raise UsageError("the ledger names no base URL (an embedded-mock run leaves nothing behind)")
    recorded = options.check_base_url(recorded)
    if given is not None:
        given = options.check_base_url(given)
        if given != recorded:
            raise UsageError(f"the ledger was written for {recorded}, not {given}; nothing was sent")
        return given
    if not sys.stdin.isatty():
        raise UsageError(f"name the target with --base-url (the ledger says {recorded}); nothing was sent")
    answer = input(printable(f"Delete the segments this ledger lists on {recorded}? [y/N] "))
    if answer.strip().lower() not in ("y", "yes"):
        raise UsageError("not confirmed; nothing was sent")
    return recorded


def _delete_if_ours(target, segment_id: str, run_tag: str) -> str | None:
    """Delete `segment_id` if the target says its name carries `run_tag`; else say why not."""
    import requests

    from conformance.transport import TargetUnavailable

    try:
        found = target.get(segment_id)
        if found.status == 404:
            target.ledger.remove(segment_id)  # already gone
            return None
        if found.status != 200:
            return f"reading it answered {found.status}{_key(found)}"
        name = found.json.get("name") if isinstance(found.json, dict) else None
        if not isinstance(name, str) or run_tag not in name:
            return f"skipped: its name {str(name)[:60]!r} does not carry the run tag {run_tag}, so it is not ours"
        deleted = target.delete(segment_id)
    except (requests.RequestException, TargetUnavailable) as error:
        return f"network: {error}"
    if deleted.status in (204, 404):
        return None
    return f"delete answered {deleted.status}{_key(deleted)}"


def _key(exchange) -> str:
    body = exchange.json
    if exchange.status == 401:
        return " (credentials rejected)"
    return f" ({body.get('key') or body.get('message')})" if isinstance(body, dict) and (body.get("key") or body.get("message")) else ""
