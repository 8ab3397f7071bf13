"""`conformance` command line: a thin front door over the package's pieces.

Exit codes (documented in --help and README.md):
  0  conformant / no problem found
  1  nonconformance found (run, compare) or an invalid document (lint)
  2  could not test: target unreachable, credentials rejected, interrupted
  3  internal error (a bug in this tool)
  4  usage error: bad option, unreadable file
"""

from __future__ import annotations

import argparse
import sys

EXIT_OK = 0
EXIT_NONCONFORMANT = 1
EXIT_COULD_NOT_TEST = 2
EXIT_INTERNAL = 3
EXIT_USAGE = 4

EXIT_CODES_HELP = """exit codes:
  0  conformant / no problem found
  1  nonconformance found (a MUST failure, or a SHOULD failure under --strict);
     for lint: the document is invalid; for compare: a regression
  2  could not test: target unreachable, TLS error, credentials rejected, interrupted
  3  internal error (a bug in this tool)
  4  usage error: bad option, unreadable file
"""


class UsageError(Exception):
    """Bad input from the user: reported as one line, exit 4."""


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)  # keep our line breaks
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # argparse would exit 2, which means "could not test"
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="conformance",
        description="Conformance checker for the Voucherify Segments API.",
        epilog=EXIT_CODES_HELP,
    )
    from conformance import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    from conformance import cleanup, diff, lint, runner
    from conformance.mock import command as mock_command
    from conformance.report import command as report_command

    for module in (runner, mock_command, report_command, lint, diff, cleanup):
        module.register(commands, epilog=EXIT_CODES_HELP)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return args.handler(args)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `conformance ... | head`: the reader left, nothing more to say
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return EXIT_COULD_NOT_TEST
    except Exception as error:  # the promise is one line, never a traceback
        print(f"internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
