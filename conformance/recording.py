"""Findings, tests and exchanges: who owns what.

- The Verifier owns one test's findings. Scenarios state what they expect through it; the generic
  checks add theirs for every exchange the test makes. The test's outcome comes from these alone.
- The Recorder only adds up: tests, findings by requirement, the statuses each operation answered,
  and the run's exchanges (masked: the Recorder is the output side, checks never read it).
- Requirement statuses come from the Recorder; the verdict from verdict.decide.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from conformance.catalogue import Requirement
from conformance.checks import GENERIC_REQUIREMENTS, Finding
from conformance.exchange import Exchange
from conformance.masking import NO_SECRETS, Masker
from conformance.verdict import TESTED, Level, RequirementOutcome, Status, violation_status

EVIDENCE_KEPT = 20  # findings kept per requirement for the report to choose from; counts stay exact


class ContractViolation(AssertionError):
    """A MUST requirement did not hold: the test fails here."""


class PreconditionNotMet(Exception):
    """The test cannot judge its requirements on this target (e.g. no dynamic slot left):
    its requirements are NOT TESTED with this reason, and the verdict is INCOMPLETE."""


class UndeclaredRequirement(Exception):
    """A test checked a requirement it does not declare: a bug in the suite, never a finding."""


@dataclass
class FindingRecord:
    requirement: str
    status: Status  # PASS, FAIL, WARN or OBSERVED
    message: str
    test: str
    exchange: Exchange | None = None
    example: str | None = None  # the minimal input that shows it (the SDK gate's hunts)
    cause: str | None = None  # what the finding is about, to tell distinct findings apart


@dataclass
class TestRecord:
    __test__ = False  # not a pytest test class, whatever its name

    nodeid: str
    name: str
    requirements: list[str]  # declared by its marks (the generic ones are implied)
    outcome: str = "not_run"  # passed, failed, error, skipped, not_run
    message: str | None = None
    failed_requirement: str | None = None
    duration_s: float = 0.0
    requests: int = 0
    exchanges: list[int] = field(default_factory=list)  # sequence numbers, in order

    def as_data(self) -> dict[str, Any]:
        return asdict(self)


class Verifier:
    """A test's handle to state what it expects, by requirement id; owner of the test's findings."""

    def __init__(self, nodeid: str, declared: Iterable[str], catalogue: dict[str, Requirement], *, strict: bool,
                 masker: Masker = NO_SECRETS) -> None:
        self.nodeid = nodeid
        self.declared = frozenset(declared) | GENERIC_REQUIREMENTS
        self._catalogue = catalogue
        self._strict = strict
        self._masker = masker
        self.findings: list[FindingRecord] = []
        self.pending: FindingRecord | None = None  # a MUST violation of the generic checks, raised at the end
        self.precondition: str | None = None
        self.inapplicable: dict[str, str] = {}  # requirement -> why this test's target gave it nothing to judge

    def check(self, requirement_id: str, condition: bool, message: str, exchange: Exchange | None = None, *,
              example: str | None = None, cause: str | None = None) -> bool:
        record = self._record(requirement_id, bool(condition), message, exchange)
        record.example, record.cause = example, cause
        if record.status is Status.FAIL and self._catalogue[requirement_id].level is Level.MUST:
            raise ContractViolation(self.describe(record))
        return bool(condition)

    def observe(self, requirement_id: str, message: str, exchange: Exchange | None = None) -> None:
        self._record(requirement_id, True, message, exchange)

    def generic(self, findings: Iterable[Finding]) -> None:
        """The generic checks' findings. A MUST violation among them fails the test when it ends,
        so that the scenario's own checks of the same answers are recorded first and the failure
        names the requirement the scenario targets."""
        for finding in findings:
            record = self._record(finding.requirement, finding.passed, finding.message, finding.exchange)
            if record.status is Status.FAIL and self.pending is None and self._catalogue[record.requirement].level is Level.MUST:
                self.pending = record

    def not_applicable(self, requirement_id: str, reason: str) -> None:
        """The condition `requirement_id` governs did not arise here (no 405 was answered, an
        optional field was absent): not evidence either way, and no gap in the run. Unless another
        test judges it, the requirement is out of the run's scope with this reason, never a PASS."""
        if requirement_id not in self.declared:
            raise UndeclaredRequirement(f"{self.nodeid} checks {requirement_id}, which it does not declare")
        self.inapplicable.setdefault(requirement_id, reason)

    def not_tested(self, reason: str) -> None:
        """Stop the test: a precondition of its requirements does not hold on this target."""
        self.precondition = reason
        raise PreconditionNotMet(reason)

    def raise_pending(self) -> None:
        if self.pending is not None:
            record, self.pending = self.pending, None
            raise ContractViolation(self.describe(record))

    def failure_at_end(self) -> FindingRecord | None:
        """What fails the test once it has run: a pending MUST violation, or under --strict the
        first SHOULD failure. From this test's own findings only."""
        return self.pending if self.pending is not None else self.first_failure()

    def first_failure(self) -> FindingRecord | None:
        return next((record for record in self.findings if record.status is Status.FAIL), None)

    def describe(self, record: FindingRecord) -> str:
        level = self._catalogue[record.requirement].level.value
        detail = f"\n{record.exchange.describe(self._masker)}" if record.exchange is not None else ""
        return f"{record.requirement} ({level}): {self._masker.text(record.message)}{detail}"

    def _record(self, requirement_id: str, passed: bool, message: str, exchange: Exchange | None) -> FindingRecord:
        if requirement_id not in self.declared:
            raise UndeclaredRequirement(f"{self.nodeid} checks {requirement_id}, which it does not declare")
        level = self._catalogue[requirement_id].level
        if level is Level.OBSERVE:
            status = Status.OBSERVED
        else:
            status = Status.PASS if passed else violation_status(level, self._strict)
        record = FindingRecord(requirement_id, status, message, self.nodeid, exchange)
        self.findings.append(record)
        return record


@dataclass
class Recorder:
    """Adds up the run: tests, findings by requirement, statuses by operation, exchanges."""

    masker: Masker = NO_SECRETS
    tests: dict[str, TestRecord] = field(default_factory=dict)
    passes: Counter = field(default_factory=Counter)
    violations: Counter = field(default_factory=Counter)  # FAIL and WARN, exact
    kept: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))  # shown as evidence
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    exchanges: dict[int, dict[str, Any]] = field(default_factory=dict)  # sequence -> masked evidence
    causes: list[str] = field(default_factory=list)  # why the run could not test everything
    not_tested: dict[str, str] = field(default_factory=dict)  # requirement -> a reason stated by the run
    not_applicable: dict[str, str] = field(default_factory=dict)  # requirement -> why no test had anything to judge
    requests_sent: int = 0

    def exchange(self, exchange: Exchange) -> None:
        label = f"{exchange.method} {exchange.path_template or '(undocumented path)'}"
        self.statuses[label][str(exchange.status)] += 1
        self.exchanges[exchange.sequence] = {**exchange.evidence(self.masker), "test": exchange.test,
                                             "started_at": exchange.started_at, "full": self._har_view(exchange)}
        record = self.tests.get(exchange.test or "")
        if record is not None:
            record.exchanges.append(exchange.sequence)

    def _har_view(self, exchange: Exchange) -> dict[str, Any]:
        """What HAR needs beyond the evidence: whole bodies (masked) and the headers as sent."""
        return {
            "request_body": None if exchange.request_body is None else self.masker.text(exchange.request_text or ""),
            "response_body": self.masker.text(exchange.text),
            "response_headers": [[name, self.masker.header_value(name, value)] for name, value in exchange.response_headers],
            "reason": exchange.reason,
        }

    def absorb(self, verifier: Verifier) -> None:
        """A finished (or stopped) test's findings."""
        for requirement_id, reason in verifier.inapplicable.items():
            self.not_applicable.setdefault(requirement_id, reason)
        for record in verifier.findings:
            if record.status is Status.PASS:
                self.passes[record.requirement] += 1
                continue
            if record.status is not Status.OBSERVED:
                self.violations[record.requirement] += 1
            kept = self.kept[record.requirement]
            if len(kept) < EVIDENCE_KEPT:
                entry = {
                    "requirement": record.requirement,
                    "severity": record.status.value,
                    "message": self.masker.text(record.message),
                    "test": record.test,
                    "sequence": record.exchange.sequence if record.exchange is not None else None,
                }
                if record.example is not None:
                    entry.update(example=self.masker.text(record.example), cause=record.cause)
                kept.append(entry)

    # --- results --------------------------------------------------------------------------------------

    def tests_declaring(self) -> dict[str, list[TestRecord]]:
        """Requirement id -> the tests that declare it (selected or not)."""
        declared_by: dict[str, list[TestRecord]] = defaultdict(list)
        for record in self.tests.values():
            for requirement_id in record.requirements:
                declared_by[requirement_id].append(record)
        return declared_by

    def outcomes(self, catalogue: dict[str, Requirement], scope: dict[str, str]) -> list[tuple[RequirementOutcome, int]]:
        """Each requirement's outcome (and its violation count). `scope` maps the ids left out on
        purpose to the reason."""
        declared_by = self.tests_declaring()
        results = []
        for requirement in catalogue.values():
            status, reason = self._status(requirement, declared_by.get(requirement.id, []), scope)
            in_scope = requirement.id not in scope or status in TESTED  # tested anyway (a generic check): in
            results.append((RequirementOutcome(requirement.id, requirement.level, status, in_scope, reason),
                            self.violations[requirement.id]))
        return results

    def _status(self, requirement: Requirement, tests: list[TestRecord], scope: dict[str, str]) -> tuple[Status, str | None]:
        kept = self.kept.get(requirement.id, [])
        if requirement.level is Level.OBSERVE:
            if kept:
                return Status.OBSERVED, "; ".join(entry["message"] for entry in kept[:3])
        elif self.violations[requirement.id]:
            first = next(entry for entry in kept if entry["severity"] in ("FAIL", "WARN"))
            count = self.violations[requirement.id]
            return Status(first["severity"]), f"{count} violation(s); first: {first['message']}"
        elif self.passes[requirement.id]:
            return Status.PASS, None
        if requirement.id in scope:
            return Status.NOT_TESTED, scope[requirement.id]
        return Status.NOT_TESTED, self.not_tested.get(requirement.id) or _why_untested(requirement.id, tests, self.causes)

    # --- pytest-xdist: a worker's results to its controller ------------------------------------------

    def export(self) -> dict[str, Any]:
        return {
            "tests": [record.as_data() for record in self.tests.values()],
            "passes": dict(self.passes),
            "violations": dict(self.violations),
            "kept": dict(self.kept),
            "statuses": {label: dict(counter) for label, counter in self.statuses.items()},
            "exchanges": self.exchanges,
            "causes": self.causes,
            "not_tested": self.not_tested,
            "not_applicable": self.not_applicable,
            "requests_sent": self.requests_sent,
        }

    def merge(self, worker: dict[str, Any], offset: int) -> None:
        """Add a worker's results; its exchange numbers are shifted by `offset` to stay unique."""
        for data in worker["tests"]:
            data["exchanges"] = [sequence + offset for sequence in data["exchanges"]]
            self.tests[data["nodeid"]] = TestRecord(**data)
        self.passes.update(worker["passes"])
        self.violations.update(worker["violations"])
        for requirement_id, entries in worker["kept"].items():
            for entry in entries:
                if entry["sequence"] is not None:
                    entry["sequence"] += offset
            self.kept[requirement_id] = (self.kept[requirement_id] + entries)[:EVIDENCE_KEPT]
        for label, counts in worker["statuses"].items():
            self.statuses[label].update(counts)
        for sequence, entry in worker["exchanges"].items():
            self.exchanges[int(sequence) + offset] = {**entry, "sequence": int(sequence) + offset}
        self.causes.extend(worker["causes"])
        for requirement_id, reason in worker["not_tested"].items():
            self.not_tested.setdefault(requirement_id, reason)
        for requirement_id, reason in worker["not_applicable"].items():
            self.not_applicable.setdefault(requirement_id, reason)
        self.requests_sent += worker["requests_sent"]


def _why_untested(requirement_id: str, tests: list[TestRecord], causes: list[str]) -> str:
    """In words, why a requirement in scope has no finding: from the tests that declare it."""
    if not tests:
        return "no test of the suite declares it"
    for wanted in ("skipped", "failed", "error", "not_run", "passed"):
        for test in tests:
            if test.outcome != wanted:
                continue
            name = test.nodeid.rsplit("::", 1)[-1]
            if wanted == "skipped":
                return f"{name}: {test.message}"
            if wanted in ("failed", "error"):
                stopped = test.failed_requirement or "an error"
                return f"{name} stopped at {stopped} before it checked this"
            if wanted == "not_run":
                return f"{name} did not run" + (f": {causes[0]}" if causes else "")
            return f"{name} ran but nothing it received gave occasion to check this"
    return "not tested"
