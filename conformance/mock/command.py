"""`conformance mock`: serve the reference mock in the foreground, or list its faults.

Kept light to import (conformance.cli imports it for every command): the server and its
dependencies are imported only when the mock is actually served.
"""

from __future__ import annotations

import argparse
import sys

from conformance.cli import EXIT_CODES_HELP, EXIT_OK, EXIT_USAGE, UsageError, _Parser
from conformance.mock.faults import FAULTS

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4010
DEFAULT_APP_ID = "test-app-id"  # the same as server.DEFAULT_APP_ID, without importing uvicorn
DEFAULT_APP_TOKEN = "test-app-token"

DESCRIPTION = """\
Serve the reference mock of the Segments API (POST /v1/segments, GET and DELETE
/v1/segments/{segmentId}) until Ctrl-C or SIGTERM. State is kept in memory.

The mock accepts only the credentials given here (default X-App-Id: test-app-id,
X-App-Token: test-app-token). --fault switches on a named deviation from one
requirement, to see a check fail; --list-faults lists them.
"""


def register(subparsers, epilog: str) -> None:
    parser = subparsers.add_parser(
        "mock",
        help="serve the reference mock of the Segments API",
        description=DESCRIPTION,
        epilog=epilog,
    )
    add_arguments(parser)
    parser.set_defaults(handler=run)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default=DEFAULT_HOST, help="address to listen on (default %(default)s)"
    )
    parser.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        help="port to listen on; 0 picks a free one (default %(default)s)",
    )
    parser.add_argument(
        "--app-id", default=DEFAULT_APP_ID, help="the X-App-Id to accept (default %(default)s)"
    )
    parser.add_argument(
        "--app-token",
        default=DEFAULT_APP_TOKEN,
        help="the X-App-Token to accept (default %(default)s)",
    )
    parser.add_argument(
        "--fault",
        dest="faults",
        metavar="NAME",
        type=_fault_name,
        action="extend",
        nargs="+",
        default=[],
        help="switch on a fault (repeatable); see --list-faults",
    )
    parser.add_argument(
        "--list-faults",
        action="store_true",
        help="print each fault, the requirements it breaks, what it does",
    )


def run(args: argparse.Namespace) -> int:
    if args.list_faults:
        print(format_faults())
        return EXIT_OK
    from conformance.mock.server import ListenError, serve_forever

    try:
        serve_forever(args.host, args.port, args.app_id, args.app_token, args.faults)
    except ListenError as error:
        raise UsageError(str(error)) from None
    return EXIT_OK


def format_faults() -> str:
    """One line per fault: name, the requirement ids it breaks, what it does."""
    width = max(len(name) for name in FAULTS)
    return "\n".join(
        f"{name:<{width}}  {','.join(fault.requirements)}  {fault.description}"
        for name, fault in FAULTS.items()
    )


def _fault_name(text: str) -> str:
    if text not in FAULTS:
        raise argparse.ArgumentTypeError(
            f"unknown fault {text!r} (--list-faults lists the {len(FAULTS)} faults)"
        )
    return text


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {text!r} (0-65535)")
    return port


def main(argv: list[str] | None = None) -> int:
    """`python -m conformance.mock ...`: the mock command on its own, with the same exit codes."""
    parser = _Parser(
        prog="python -m conformance.mock",
        description=DESCRIPTION,
        epilog=EXIT_CODES_HELP,
    )
    add_arguments(parser)
    try:
        return run(parser.parse_args(argv))
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
