"""`conformance` command line: a thin front door over the package's pieces.

Exit codes live in conformance.exits (documented in --help and README.md).
"""

from __future__ import annotations

import argparse
import os
import sys

from conformance import interrupts, startup
from conformance.exits import (  # noqa: F401 (re-exported for the commands)
    EXIT_CODES_HELP,
    EXIT_COULD_NOT_TEST,
    EXIT_INTERNAL,
    EXIT_NONCONFORMANT,
    EXIT_OK,
    EXIT_USAGE,
    UsageError,
)
from conformance.safetext import printable

__all__ = ["main", "build_parser", "UsageError"]


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)  # keep our line breaks
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # argparse would exit 2, which means "could not test"
        raise UsageError(f"{self.prog}: {message}")


# Which module declares each command. Only the module of the command given is imported (a run does
# not pay for the report renderer's or the differ's imports); `--help` imports them all.
COMMANDS = {
    "run": "conformance.runner",
    "sdk": "conformance.runner",
    "mock": "conformance.mock.command",
    "report": "conformance.report.command",
    "compare": "conformance.report.command",
    "replay": "conformance.replay",
    "lint": "conformance.lint",
    "diff": "conformance.diff",
    "cleanup": "conformance.cleanup",
    "revisions": "conformance.revisions",
}
# The commands that run a suite: the plugin turns the garbage collector back on once the suite is
# collected (conformance.startup); every other command does before its work.
SUITE_RUNS = ("run", "sdk", "replay")


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    import importlib

    parser = _Parser(
        prog="conformance",
        description="Conformance checker for the Voucherify Segments API.",
        epilog=EXIT_CODES_HELP,
    )
    from conformance import __version__

    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    given = argv[0] if argv and argv[0] in COMMANDS else None
    modules = [COMMANDS[given]] if given else list(dict.fromkeys(COMMANDS.values()))
    for name in modules:
        module = importlib.import_module(name)
        module.register(commands, epilog=EXIT_CODES_HELP)
        if name == COMMANDS["sdk"]:
            module.register_sdk(commands, epilog=EXIT_CODES_HELP)
    return parser


def entry() -> None:
    """The console script: main, then out at once. Once the reports are written and the streams
    flushed there is nothing left to do, and interpreter shutdown both costs time and puts the
    default signal handlers back (a SIGTERM then would end the process with -15, not our exit code)."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):
        pass
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    previous = interrupts.install()  # the console script did it at its first line (launch.py)
    try:
        return _main(argv)
    finally:
        interrupts.restore(previous)


def _main(argv: list[str] | None) -> int:
    try:
        argv = sys.argv[1:] if argv is None else argv
        args = build_parser(argv).parse_args(argv)
        if args.command not in SUITE_RUNS:
            startup.collector_on()
        return args.handler(args)
    except UsageError as error:
        print(f"error: {printable(' '.join(str(error).split()))}", file=sys.stderr)  # one line, escaped
        return EXIT_USAGE
    except BrokenPipeError:  # `conformance ... | head`: the reader left, nothing more to say
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return EXIT_COULD_NOT_TEST
    except Exception as error:  # the promise is one line, never a traceback
        print(f"internal error: {type(error).__name__}: {printable(' '.join(str(error).split()))[:500]}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    entry()
