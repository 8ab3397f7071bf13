"""`conformance mock`: serve the reference mock in the foreground, or list its faults.

Kept light to import (conformance.cli imports it for every command): the server and its
dependencies are imported only when the mock is actually served.
"""

from __future__ import annotations

import argparse
import sys

from conformance.cli import EXIT_CODES_HELP, EXIT_OK, EXIT_USAGE, UsageError, _Parser
from conformance.mock.faults import FAULTS, VARIANTS

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4010
DEFAULT_APP_ID = "test-app-id"  # the same as server.DEFAULT_APP_ID, without importing uvicorn
DEFAULT_APP_TOKEN = "test-app-token"

DESCRIPTION = """\
Serve the reference mock of the Segments API until Ctrl-C or SIGTERM: every
operation of the document (the bundled one: POST /v1/segments, GET and DELETE
/v1/segments/{segmentId}; --spec serves another revision, such as one with
GET /v1/segments). State is kept in memory. One line per request goes to
stderr (method, path, status, time; credentials masked); --quiet silences it.

The mock accepts only the credentials given here (default X-App-Id: test-app-id,
X-App-Token: test-app-token). --fault switches on a named deviation that breaks
known requirements, to see a check fail (--list-faults). --variant switches on
a legal way of answering that some checker mistakes for a fault, to see a check
pass (--list-variants).
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
        help="print each fault, the requirements it breaks (* = that one alone), what it does",
    )
    parser.add_argument(
        "--variant",
        dest="variants",
        metavar="NAME",
        type=_variant_name,
        action="extend",
        nargs="+",
        default=[],
        help="switch on a legal variant (repeatable); see --list-variants",
    )
    parser.add_argument(
        "--list-variants",
        action="store_true",
        help="print each variant, what it answers, why that is legal",
    )
    parser.add_argument(
        "--spec",
        metavar="FILE|NAME",
        help="the vendor's segments document to serve: a file or a shipped revision (`conformance revisions`; "
        "default: bundled)",
    )
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="no request log on stderr",
    )


def run(args: argparse.Namespace) -> int:
    if args.list_faults:
        print(format_faults())
        return EXIT_OK
    if args.list_variants:
        print(format_variants())
        return EXIT_OK
    from conformance.contract import Contract, ContractError
    from conformance.mock.app import UnsupportedOperation
    from conformance.mock.faults import FaultNotApplicable
    from conformance.mock.server import ListenError, serve_forever
    from conformance.mock.variants import VariantNotLegal
    from conformance.revisions import valid_spec_path

    try:
        contract = Contract.load(valid_spec_path(args.spec) if args.spec else None)
        serve_forever(
            args.host,
            args.port,
            args.app_id,
            args.app_token,
            args.faults,
            args.variants,
            contract,
            quiet=args.quiet,
        )
    except (ContractError, ListenError, FaultNotApplicable, VariantNotLegal, UnsupportedOperation) as error:
        raise UsageError(" ".join(str(error).split())) from None
    return EXIT_OK


def format_faults() -> str:
    """One line per fault: name, the requirement ids it breaks (* when it breaks that one alone,
    with the operation it needs in brackets), what it does."""
    width = max(len(name) for name in FAULTS)
    lines = []
    for name, fault in FAULTS.items():
        mark = "*" if fault.exclusive else " "
        needs = f" [{fault.operation}]" if fault.operation else ""
        lines.append(f"{name:<{width}}  {mark} {','.join(fault.requirements)}  {fault.description}{needs}")
    return "\n".join(lines)


def format_variants() -> str:
    """Two lines per variant: name and what it answers; then, indented, why that is legal."""
    width = max(len(name) for name in VARIANTS)
    return "\n".join(
        f"{name:<{width}}  {variant.description}\n{'':<{width}}  legal: {variant.legal_because}"
        for name, variant in VARIANTS.items()
    )


def _fault_name(text: str) -> str:
    if text not in FAULTS:
        raise argparse.ArgumentTypeError(
            f"unknown fault {text!r} (--list-faults lists the {len(FAULTS)} faults)"
        )
    return text


def _variant_name(text: str) -> str:
    if text not in VARIANTS:
        raise argparse.ArgumentTypeError(
            f"unknown variant {text!r} (--list-variants lists the {len(VARIANTS)} variants)"
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
    except BrokenPipeError:  # `python -m conformance.mock --list-faults | head`: the reader left
        sys.stderr.close()
        return EXIT_OK
