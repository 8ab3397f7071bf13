"""Statuses, levels and the verdict: what a CI gate may trust, defined once.

- CONFORMANT (exit 0): at least one requirement tested, every requirement in the run's scope
  tested, none failed (MUST; SHOULD too under --strict). The scope says what was left out on
  purpose (profile, -k/-m, heavy scenarios off loopback, operations the document lacks) and why.
- NONCONFORMANT (exit 1): a MUST failed (or a SHOULD under --strict), even if the run was also
  incomplete.
- INCOMPLETE (exit 2): a requirement in scope went untested for another reason (interrupted,
  budget or time spent, target unavailable, a test errored, a precondition not met), or nothing
  was tested at all. The causes say which.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from conformance.exits import EXIT_COULD_NOT_TEST, EXIT_NONCONFORMANT, EXIT_OK


class Level(StrEnum):
    MUST = "MUST"
    SHOULD = "SHOULD"
    OBSERVE = "OBSERVE"  # the contract is ambiguous here: recorded, never failed


class Status(StrEnum):
    PASS = "PASS"
    FAIL = "FAIL"
    WARN = "WARN"
    NOT_TESTED = "NOT_TESTED"
    OBSERVED = "OBSERVED"


class Verdict(StrEnum):
    CONFORMANT = "CONFORMANT"
    NONCONFORMANT = "NONCONFORMANT"
    INCOMPLETE = "INCOMPLETE"

    @property
    def exit_code(self) -> int:
        return {"CONFORMANT": EXIT_OK, "NONCONFORMANT": EXIT_NONCONFORMANT, "INCOMPLETE": EXIT_COULD_NOT_TEST}[self.value]


TESTED = frozenset({Status.PASS, Status.FAIL, Status.WARN, Status.OBSERVED})


def violation_status(level: Level | str, strict: bool) -> Status:
    """What a violated requirement is: FAIL for a MUST (and a SHOULD under --strict), else WARN."""
    return Status.FAIL if Level(level) is Level.MUST or strict else Status.WARN


def fails_the_test(level: Level | str, strict: bool) -> bool:
    return violation_status(level, strict) is Status.FAIL and Level(level) is not Level.OBSERVE


@dataclass(frozen=True)
class RequirementOutcome:
    id: str
    level: Level
    status: Status
    in_scope: bool  # False: left out on purpose (the reason says why)
    reason: str | None = None


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    causes: tuple[str, ...] = ()  # why INCOMPLETE (or what else is wrong besides a failure)
    out_of_scope: tuple[str, ...] = ()  # requirement ids left out on purpose
    scope: str = ""  # one sentence for the banner, e.g. "within profile sandbox: 3 MUST requirements out of scope"

    @property
    def exit_code(self) -> int:
        return self.verdict.exit_code


def decide(outcomes: Iterable[RequirementOutcome], *, causes: Iterable[str] = (), scope_note: str = "") -> Decision:
    """The verdict from every requirement's outcome and the run's own troubles (interrupt, errors)."""
    outcomes = list(outcomes)
    causes = list(dict.fromkeys(causes))
    failed = [outcome for outcome in outcomes if outcome.status is Status.FAIL]
    untested = [outcome for outcome in outcomes if outcome.in_scope and outcome.status is Status.NOT_TESTED]
    tested = [outcome for outcome in outcomes if outcome.status in TESTED]
    out = tuple(outcome.id for outcome in outcomes if not outcome.in_scope)
    if untested:
        shown = ", ".join(outcome.id for outcome in untested[:5]) + (f" and {len(untested) - 5} more" if len(untested) > 5 else "")
        causes.append(f"{len(untested)} requirement(s) in scope not tested: {shown}")
    if not tested:
        causes.append("nothing was tested")
    scope = describe_scope(outcomes, scope_note)
    if failed:
        return Decision(Verdict.NONCONFORMANT, tuple(causes), out, scope)
    if causes:
        return Decision(Verdict.INCOMPLETE, tuple(causes), out, scope)
    return Decision(Verdict.CONFORMANT, (), out, scope)


def describe_scope(outcomes: list[RequirementOutcome], note: str = "") -> str:
    """One sentence: what the verdict leaves out on purpose, counted by level and by why."""
    left_out = [outcome for outcome in outcomes if not outcome.in_scope]
    if not left_out:
        return "full scope: every requirement of the catalogue"
    by_level = {level: sum(outcome.level is level for outcome in left_out) for level in Level}
    counts = ", ".join(f"{count} {level.value}" for level, count in by_level.items() if count)
    by_reason: dict[str, int] = {}
    for outcome in left_out:
        reason = (outcome.reason or "out of scope").removeprefix("out of scope: ")
        by_reason[reason] = by_reason.get(reason, 0) + 1
    why = "; ".join(f"{reason}: {count}" for reason, count in sorted(by_reason.items(), key=lambda item: -item[1]))
    return f"{note + ': ' if note else ''}{counts} requirement(s) out of scope ({why})"


def verdict_of_summary(summary: dict) -> Verdict:
    """The verdict a summary file supports (it may have been cut short or edited since it was
    written): its own, except that an interrupted run is never CONFORMANT, as in `decide`, where
    the interrupt is one of the causes."""
    verdict = Verdict(summary["verdict"])
    if verdict is Verdict.CONFORMANT and summary["run"].get("interrupted"):
        return Verdict.INCOMPLETE
    return verdict
