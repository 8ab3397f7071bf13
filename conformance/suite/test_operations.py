"""Every operation the document documents is served: its route answers, neither 404 nor 405.

Derived from the run's document, so a revision that adds an operation (the July 2026 list) tests
it, and a target that lags behind the document is NONCONFORMANT, naming the operation.
"""

import pytest

from conformance.keys import run_of
from conformance.suite import bodies
from conformance.suite.scenarios import create
from conformance.target import fill_path


def pytest_generate_tests(metafunc):
    operations = run_of(metafunc.config).contract.operations
    metafunc.parametrize("operation", [pytest.param(operation, id=operation.operation_id) for operation in operations])


def _valid_request(operation, conformance, target, verify, names):
    """A request the document allows for `operation`: a creating one sends a valid create body; a
    path that carries ids gets the id of a segment of ours for each."""
    if operation.creates:
        return target.send(operation.method, operation.path, json_body=bodies.static(names("served")))
    ids = {}
    if operation.parameters:
        created = create(conformance, target, verify, bodies.static(names("served"))).json
        ids = {name: created["id"] for name in operation.parameters}
    return target.send(operation.method, fill_path(operation.path, ids))


@pytest.mark.requirement("SEG-OPERATION-SERVED", "SEG-CREATE-STATIC-200")
def test_documented_operation_is_served(conformance, target, verify, names, operation):
    """A valid request to each documented operation is served (not 404 or 405 for its route)."""
    exchange = _valid_request(operation, conformance, target, verify, names)
    verify.check("SEG-OPERATION-SERVED", exchange.status not in (404, 405),
                 f"expected {operation.operation_id} ({operation.label}) to be served, answered {exchange.status}", exchange)
