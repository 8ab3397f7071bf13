"""Hunting: a hypothesis search per requirement, whose finding carries the minimal example.

Each hunt asks one question ("does any value of this strategy make the judgement fail?"), with
shrinking on, so the value a failure is recorded with is the simplest hypothesis could find, and
one hunt's failure never hides another requirement's. A hunt records exactly one finding for its
requirement through the test's Verifier: a failure with the minimal example (and, through a
server, the exchange), or a pass with the number of values judged. When no value was judgeable
(every one NOT_APPLICABLE: say, the client rejected every Segment), nothing is recorded and the
requirement stays NOT TESTED unless another test judges it.

MUST failures are collected and raised together when the test ends (Hunts.finish), so one test
can run all its hunts and the report gets every finding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

import hypothesis
from hypothesis import strategies as st

from conformance.recording import ContractViolation
from conformance.sdk.judge import NOT_APPLICABLE, Problem
from conformance.exchange import Exchange

EXAMPLE_LIMIT = 1500  # characters of a minimal example kept in a finding


class _Found(Exception):
    pass


def describe_example(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= EXAMPLE_LIMIT else text[:EXAMPLE_LIMIT] + f"… [{len(text) - EXAMPLE_LIMIT} more characters]"


@dataclass
class Hunts:
    verify: Any
    seed: int
    max_examples: int
    test: str = ""
    violations: list[str] = field(default_factory=list)
    results: dict[str, str] = field(default_factory=dict)  # label -> "pass" / "fail" / "not applicable"

    def run(
        self,
        requirement_id: str,
        strategy: st.SearchStrategy,
        judge: Callable[[Any], Problem | None],
        *,
        label: str = "",
        explicit: Iterable[Any] = (),
        evidence: Callable[[], Exchange | None] | None = None,
        max_examples: int | None = None,
    ) -> bool:
        """Search `strategy` for a value `judge` finds a Problem with; record the finding."""
        state = {"judged": 0, "last": None}

        def probe(value: Any) -> None:
            verdict = judge(value)
            if verdict is NOT_APPLICABLE:
                return
            state["judged"] += 1
            if isinstance(verdict, Problem):
                state["last"] = (value, verdict, evidence() if evidence else None)
                raise _Found()

        search = hypothesis.given(strategy)(probe)
        for value in reversed(list(explicit)):
            search = hypothesis.example(value)(search)
        search = hypothesis.settings(
            max_examples=max_examples or self.max_examples,
            deadline=None,
            database=None,
            derandomize=False,
            print_blob=False,
            report_multiple_bugs=False,
            verbosity=hypothesis.Verbosity.quiet,
            suppress_health_check=list(hypothesis.HealthCheck),
            phases=(hypothesis.Phase.explicit, hypothesis.Phase.generate, hypothesis.Phase.shrink),
        )(search)
        search = hypothesis.seed(self.seed)(search)
        where = f" [{label}]" if label else ""
        try:
            search()
        except _Found:
            value, problem, exchange = state["last"]  # the last failing call is hypothesis's final, minimal replay
            example = describe_example(value)
            message = f"{problem.message}{where}; minimal example: {example}"
            self.results[f"{requirement_id}{where}"] = "fail"
            try:
                self.verify.check(requirement_id, False, message, exchange, example=example, cause=problem.key)
            except ContractViolation as violation:
                self.violations.append(str(violation))
            return False
        if state["judged"] == 0:
            self.results[f"{requirement_id}{where}"] = "not applicable"
            return True
        self.results[f"{requirement_id}{where}"] = "pass"
        self.verify.check(requirement_id, True, f"{state['judged']} generated value(s) held{where}")
        return True

    def finish(self) -> None:
        """Fail the test with every MUST violation its hunts found."""
        if self.violations:
            raise ContractViolation("\n\n".join(self.violations))
