"""Property tests: schemathesis over the run's effective document, every request through the Target.

What only generation finds: 5xx and malformed answers on odd inputs, answers that break the
document's schemas, bodies the document forbids that a server still accepts. Every answer also
goes through the suite's generic checks (5xx, JSON, documented statuses, Error object, Segment),
so schemathesis's checks that repeat them are not run (README: checks used and left out). The
auth matrix and the 405 probes are scenarios of their own (test_auth, test_methods).

--depth quick (the CI gate): examples and fuzzing. --depth deep (nightly): coverage phase too, more
examples, and stateful sequences through the document's links.
"""

import hypothesis
import pytest
import schemathesis
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi import checks as openapi_checks

from conformance.checks.schemathesis_failures import CHECKS_USED, requirement_for
from conformance.contract import path_parameters
from conformance.suite import parametrize_from_run, schema_of


def run_schema(run):
    """The run's effective document as schemathesis reads it, generating as the run's settings say."""
    schema = schemathesis.openapi.from_dict(run.contract.effective)
    # No shrinking: the first failing example is evidence enough, and shrinking costs minutes.
    # No example database either: a run keeps no state for the next (the seed reproduces a run).
    schema.config.generation.update(max_examples=run.settings.examples, modes=["positive", "negative"], no_shrink=True, database="none")
    schema.config.phases.update(phases=["examples", "fuzzing", "coverage", "stateful"] if run.settings.stateful else ["examples", "fuzzing"])
    schema.config.seed = run.seed
    return schema


NO_SHRINK = [hypothesis.Phase.explicit, hypothesis.Phase.reuse, hypothesis.Phase.generate]
CHECKS = [getattr(openapi_checks, name) for name in CHECKS_USED]


def _only_our_segments(case, target):
    """Never read, change or delete a segment this run did not create: on any path that carries
    ids, a generated id that is not in the ledger gets a suffix no real id has, so it still
    exercises the path and can only miss."""
    if not case.path_parameters:
        return
    for name in path_parameters(case.operation.path):
        value = str(case.path_parameters.get(name, ""))
        if value not in target.ledger:
            case.path_parameters[name] = f"{value}~not-ours"


def _send(case, target):
    _only_our_segments(case, target)
    kwargs = case.as_transport_kwargs(base_url=target.base_url, headers=target.credentials.headers())
    kwargs.pop("session", None)
    return target.session.request(**kwargs)


def _validate(case, response, target, verify, recorder=None):
    failures = None
    try:
        case.validate_response(
            response,
            checks=CHECKS,
            headers=target.credentials.headers(),
            transport_kwargs={"base_url": target.base_url, "headers": target.credentials.headers(), "session": target.session},
            recorder=recorder,
        )
    except FailureGroup as group:
        failures = group  # reported outside the except block: its text must not chain into ours
    if failures is not None:
        _report(failures, response.exchange, verify)
    verify.raise_pending()  # stop generating at the first violation: the example is the evidence


def _report(group, exchange, verify):
    for failure in group.exceptions:
        requirement_id = requirement_for(failure.code, exchange.status)
        if requirement_id is None:
            raise AssertionError(f"schemathesis {failure.code} ({failure.title}) maps to no requirement") from None
        verify.check(requirement_id, False, f"schemathesis {failure.code} {failure.title}: {failure.message[:400]}", exchange)


@parametrize_from_run(run_schema)
# `verify` is function-scoped on purpose: findings of every generated case belong to this test.
@hypothesis.settings(suppress_health_check=list(hypothesis.HealthCheck), deadline=None, database=None, phases=NO_SHRINK)
@pytest.mark.requirement("SEG-VALIDATION-4XX", "SEG-DELETE-GONE", "SEG-GET-200")
def test_operation(case, target, verify):
    """Generated requests: every answer conforms to the effective document."""
    _validate(case, _send(case, target), target, verify)


def _workflow(schema, target, verify):
    """Stateful sequences through the document's links, sent through the suite's Target."""

    class Workflow(schema.as_state_machine()):
        def __init__(self) -> None:
            super().__init__()
            self._before = set(target.ledger.open_ids())

        def teardown(self) -> None:
            # Each sequence leaves the target as it found it: otherwise the creates of earlier sequences
            # fill the 100-segment cap, later ones draw differently, and hypothesis calls the run flaky.
            target.cleanup([segment_id for segment_id in target.ledger.open_ids() if segment_id not in self._before])
            super().teardown()

        def call(self, case, **kwargs):
            from schemathesis.core.transport import Response

            response = _send(case, target)
            self.last = response
            return Response.from_requests(response, verify=True)

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            _validate(case, self.last, target, verify, getattr(self, "recorder", None))

    return Workflow


@pytest.mark.deep  # stateful sequences: --depth deep (the plugin leaves it out of a quick run, saying why)
@pytest.mark.requirement("SEG-DELETE-GONE", "SEG-GET-200", "SEG-VALIDATION-4XX")
def test_stateful_links(request, conformance, target, verify):
    """Stateful sequences through the links: create, then get and delete what was created, get again."""
    workflow = _workflow(schema_of(request.config, run_schema), target, verify)
    settings = hypothesis.settings(
        max_examples=max(3, conformance.settings.examples // 4),
        stateful_step_count=6,
        deadline=None,
        database=None,
        phases=NO_SHRINK,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    try:
        workflow.run(settings=settings)
    except hypothesis.errors.HypothesisException as error:
        # Hypothesis's own trouble (a flaky strategy on an erratic server) is not a finding: a
        # violation found before it is reported by the plugin; without one, the run could not judge.
        if verify.first_failure() is None:
            raise RuntimeError(f"the stateful phase could not run to the end ({type(error).__name__})") from None
        verify.raise_pending()
        raise
