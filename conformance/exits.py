"""Exit codes and the user's-mistake exception: the bottom of the package, importing nothing of it.

Every command returns one of these, and README.md and `--help` document them.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_NONCONFORMANT = 1
EXIT_COULD_NOT_TEST = 2
EXIT_INTERNAL = 3
EXIT_USAGE = 4

EXIT_CODES_HELP = """exit codes:
  0  conformant: every requirement in scope tested, none failed (lint, diff, compare: no problem)
  1  nonconformant: a MUST failed (a SHOULD too under --strict), even if the run was also
     incomplete; lint: invalid document; diff: a change breaks clients; compare: a regression;
     replay: a finding reproduced
  2  incomplete: something in scope went untested (interrupted, budget or time spent, target
     unavailable, a precondition not met)
  3  internal error (a bug in this tool)
  4  usage error: bad option, unreadable file, a selection that matches no test
"""


class UsageError(Exception):
    """Bad input from the user: reported as one line, exit 4, before any traffic."""
