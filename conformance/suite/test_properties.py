"""Property tests: schemathesis over the effective document, through our Target.

Examples, coverage and fuzzing phases with positive and negative data, then stateful sequences
through the document's links (create -> get / delete -> get again). Every response goes through
the suite's own checks as well as the schemathesis checks listed in CHECKS_USED; every
schemathesis failure is reported under the requirement its code maps to.
"""

import hypothesis
import pytest
import schemathesis
from schemathesis import checks as core_checks
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi import checks as openapi_checks

from conformance import contract
from conformance.checks.schemathesis_failures import CHECKS_USED, requirement_for
from conformance.plugin import active_session

_session = active_session()
schema = schemathesis.openapi.from_dict(contract.effective_document())
# No shrinking: the first failing example is evidence enough, and shrinking costs minutes.
# No example database either: a run keeps no state for the next (the seed reproduces a run).
schema.config.generation.update(
    max_examples=_session.config.max_examples, modes=["positive", "negative"], no_shrink=True, database="none"
)
NO_SHRINK = [hypothesis.Phase.explicit, hypothesis.Phase.reuse, hypothesis.Phase.generate]
schema.config.seed = _session.config.seed
CHECKS = [getattr(openapi_checks, name, None) or getattr(core_checks, name) for name in CHECKS_USED]


def _only_our_segments(case, target):
    """Never read or delete a segment this run did not create: a generated id that is not in the
    ledger gets a suffix no real id has, so it still exercises the path and can only miss."""
    if case.operation.path == contract.SEGMENT_PATH and case.path_parameters:
        segment_id = str(case.path_parameters.get("segmentId", ""))
        if segment_id not in target.ledger:
            case.path_parameters["segmentId"] = f"{segment_id}~not-ours"


def _send_and_check(case, target, verify, base_url, recorder=None):
    _only_our_segments(case, target)
    kwargs = case.as_transport_kwargs(base_url=base_url, headers=target.credentials.headers())
    exchange, response = target.send_prepared(case.operation.path, kwargs)
    _validate(case, response, exchange, target, verify, base_url, recorder)
    return response


def _validate(case, response, exchange, target, verify, base_url, recorder):
    failures = None
    try:
        case.validate_response(
            response,
            checks=CHECKS,
            headers=target.credentials.headers(),
            transport_kwargs={"base_url": base_url, "headers": target.credentials.headers(), "session": target.session},
            recorder=recorder,
        )
    except FailureGroup as group:
        failures = group  # reported outside the except block: its text must not chain into ours
    if failures is not None:
        _report(failures, exchange, verify)
    verify.raise_pending()  # stop generating at the first violation: the example is the evidence


def _report(group, exchange, verify):
    for failure in group.exceptions:
        requirement_id = requirement_for(failure.code, exchange.status)
        if requirement_id is None:
            raise AssertionError(f"schemathesis {failure.code} ({failure.title}) maps to no requirement") from None
        verify.check(requirement_id, False, f"schemathesis {failure.code} {failure.title}: {failure.message[:400]}", exchange)


@schema.parametrize()
# `verify` is function-scoped on purpose: findings of every generated case belong to this test.
@hypothesis.settings(suppress_health_check=list(hypothesis.HealthCheck), deadline=None, database=None, phases=NO_SHRINK)
@pytest.mark.requirement(
    "SEG-NO-5XX", "SEG-STATUS-DOCUMENTED", "SEG-JSON-CONTENT-TYPE", "SEG-SEGMENT-SCHEMA",
    "SEG-ERROR-OBJECT", "SEG-VALIDATION-4XX", "SEG-AUTH-401", "SEG-METHOD-405",
)
def test_operation(case, target, verify, conformance):
    """Generated requests: every answer conforms to the effective document."""
    _send_and_check(case, target, verify, conformance.base_url)


class _Workflow(schema.as_state_machine()):
    """Stateful sequences through the document's links, sent through the suite's Target."""

    context: dict = {}

    def call(self, case, **kwargs):
        from schemathesis.core.transport import Response

        target, base_url = self.context["target"], self.context["base_url"]
        _only_our_segments(case, target)
        kwargs = case.as_transport_kwargs(base_url=base_url, headers=target.credentials.headers())
        exchange, response = target.send_prepared(case.operation.path, kwargs)
        self.context["last_exchange"] = exchange
        return Response.from_requests(response, verify=True)

    def validate_response(self, response, case, additional_checks=None, **kwargs):
        context = self.context
        _validate(case, response, context["last_exchange"], context["target"], context["verify"], context["base_url"],
                  getattr(self, "recorder", None))


@pytest.mark.requirement("SEG-DELETE-GONE", "SEG-GET-200", "SEG-NO-5XX", "SEG-SEGMENT-SCHEMA")
def test_stateful_links(target, verify, conformance):
    """Stateful sequences through the links: create, then get and delete what was created, get again."""
    _Workflow.context = {"target": target, "verify": verify, "base_url": conformance.base_url}
    settings = hypothesis.settings(
        max_examples=max(3, conformance.config.max_examples // 4),
        stateful_step_count=6,
        deadline=None,
        derandomize=False,
        database=None,
        phases=NO_SHRINK,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    _Workflow.run(settings=settings)
