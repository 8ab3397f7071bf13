"""Recording findings: what each test found, by requirement, and what that means for the test.

A finding says whether one requirement held for one exchange. The Verifier is a test's handle to
state what it expects; the Recorder keeps every finding of the run; the summary is built from it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from conformance.catalogue import Requirement, load_catalogue
from conformance.checks import Finding
from conformance.target import Exchange

EVIDENCE_PER_REQUIREMENT = 3


class ContractViolation(AssertionError):
    """A MUST requirement (or a SHOULD one under --strict) did not hold."""


# --- recording ------------------------------------------------------------------------------------


@dataclass
class TestRecord:
    nodeid: str
    name: str
    requirements: list[str]
    outcome: str = "passed"
    duration_s: float = 0.0
    message: str | None = None
    requests: int = 0


@dataclass
class Recorder:
    """Every finding of the run, by requirement; the statuses every operation answered."""

    strict: bool
    mask: Any = staticmethod(lambda text: text)  # the target's secret masking, once there is a target
    passes: Counter = field(default_factory=Counter)
    problems: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    problem_counts: Counter = field(default_factory=Counter)
    observations: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    tests: dict[str, TestRecord] = field(default_factory=dict)
    not_tested: dict[str, str] = field(default_factory=dict)
    could_not_test: list[str] = field(default_factory=list)

    def exchange(self, exchange: Exchange) -> None:
        self.statuses[f"{exchange.method} {exchange.path_template}"][str(exchange.status)] += 1

    def finding(self, nodeid: str, requirement: Requirement, passed: bool, message: str, exchange: Exchange | None):
        message = self.mask(message)  # messages may quote what a server or schemathesis said
        if requirement.level == "OBSERVE":
            self._keep(self.observations[requirement.id], nodeid, requirement, "OBSERVED", message, exchange)
        elif passed:
            self.passes[requirement.id] += 1
        else:
            severity = "FAIL" if requirement.level == "MUST" or self.strict else "WARN"
            self.problem_counts[requirement.id] += 1
            self._keep(self.problems[requirement.id], nodeid, requirement, severity, message, exchange)

    @staticmethod
    def _keep(bucket, nodeid, requirement, severity, message, exchange):
        if len(bucket) < EVIDENCE_PER_REQUIREMENT:
            entry = {"requirement": requirement.id, "severity": severity, "message": message, "test": nodeid}
            entry.update(exchange.evidence() if exchange else {"request": None, "response": None, "curl": None})
            bucket.append(entry)

    def export(self) -> dict[str, Any]:
        """What a pytest-xdist worker hands its controller (plain JSON-able data)."""
        return {
            "passes": dict(self.passes),
            "problems": dict(self.problems),
            "problem_counts": dict(self.problem_counts),
            "observations": dict(self.observations),
            "statuses": {label: dict(counter) for label, counter in self.statuses.items()},
            "tests": [record.__dict__ for record in self.tests.values()],
            "not_tested": self.not_tested,
            "could_not_test": self.could_not_test,
        }

    def merge(self, worker: dict[str, Any]) -> None:
        """Add a worker's findings to these (the controller's)."""
        self.passes.update(worker["passes"])
        self.problem_counts.update(worker["problem_counts"])
        for bucket, theirs in ((self.problems, worker["problems"]), (self.observations, worker["observations"])):
            for requirement_id, entries in theirs.items():
                bucket[requirement_id] = (bucket[requirement_id] + entries)[:EVIDENCE_PER_REQUIREMENT]
        for label, counts in worker["statuses"].items():
            self.statuses[label].update(counts)
        for record in worker["tests"]:
            self.tests[record["nodeid"]] = TestRecord(**record)
        for requirement_id, reason in worker["not_tested"].items():
            self.not_tested.setdefault(requirement_id, reason)
        self.could_not_test.extend(worker["could_not_test"])

    def status_of(self, requirement: Requirement) -> tuple[str, str | None]:
        if requirement.level == "OBSERVE":
            observed = self.observations.get(requirement.id)
            if observed:
                return "OBSERVED", "; ".join(entry["message"] for entry in observed)
            return "NOT_TESTED", self.not_tested.get(requirement.id, "no test observed it")
        if self.problem_counts[requirement.id]:
            first = self.problems[requirement.id][0]["message"]
            count = self.problem_counts[requirement.id]
            status = "FAIL" if requirement.level == "MUST" or self.strict else "WARN"
            return status, f"{count} violation(s); first: {first}"
        if self.passes[requirement.id]:
            return "PASS", None
        return "NOT_TESTED", self.not_tested.get(requirement.id, "no test exercised it")


class Verifier:
    """The per-test handle scenarios use to state what they expect, by requirement id."""

    def __init__(self, recorder: Recorder, nodeid: str) -> None:
        self._recorder = recorder
        self._nodeid = nodeid
        self._catalogue = load_catalogue()
        self.pending: str | None = None  # a MUST violation found by the generic checks, not yet raised

    def check(self, requirement_id: str, condition: bool, message: str, exchange: Exchange | None = None) -> bool:
        requirement = self._catalogue[requirement_id]
        message = self._recorder.mask(message)
        self._recorder.finding(self._nodeid, requirement, bool(condition), message, exchange)
        if not condition and requirement.level == "MUST":
            detail = f"\n{exchange.describe()}" if exchange else ""
            raise ContractViolation(f"{requirement_id} (MUST): {message}{detail}")
        return bool(condition)

    def observe(self, requirement_id: str, message: str, exchange: Exchange | None = None) -> None:
        self.check(requirement_id, True, message, exchange)

    def findings(self, findings: list[Finding]) -> None:
        """Record every finding. A MUST violation among them fails the test when the test ends
        (or at raise_pending), so that the scenario's own checks of the same answers are all
        recorded first and the failure names the requirement the scenario targets."""
        for finding in findings:
            requirement = self._catalogue[finding.requirement]
            self._recorder.finding(self._nodeid, requirement, finding.passed, finding.message, finding.exchange)
            if not finding.passed and requirement.level == "MUST" and self.pending is None:
                message = self._recorder.mask(finding.message)
                detail = f"\n{finding.exchange.describe()}" if finding.exchange else ""
                self.pending = f"{finding.requirement} (MUST): {message}{detail}"

    def raise_pending(self) -> None:
        if self.pending is not None:
            violation, self.pending = self.pending, None
            raise ContractViolation(violation)

    def should_failures(self) -> list[str]:
        return [
            entry["message"]
            for bucket in self._recorder.problems.values()
            for entry in bucket
            if entry["test"] == self._nodeid and entry["severity"] in ("WARN", "FAIL")
            and self._catalogue[entry["requirement"]].level == "SHOULD"
        ]
