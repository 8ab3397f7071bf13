"""Every operation the document documents is served: its route answers, neither 404 nor 405.

Derived from the run's document, so a revision that adds an operation (the July 2026 list) tests
it, and a target that lags behind the document is NONCONFORMANT, naming the operation.
"""

import pytest

from conformance.contract import CREATE_PATH
from conformance.keys import run_of
from conformance.suite import bodies
from conformance.suite.scenarios import create
from conformance.target import segment_path


def pytest_generate_tests(metafunc):
    operations = run_of(metafunc.config).contract.operations
    metafunc.parametrize("operation", [pytest.param(operation, id=operation.operation_id) for operation in operations])


def _valid_request(operation, conformance, target, verify, names):
    """A request the document allows for `operation`: an item path gets a segment of ours."""
    if operation.method == "POST" and operation.path == CREATE_PATH:
        return target.create(bodies.static(names("served")))
    path = operation.path
    if "{segmentId}" in path:
        created = create(conformance, target, verify, bodies.static(names("served"))).json
        path = segment_path(created["id"])
    return target.send(operation.method, path)


@pytest.mark.requirement("SEG-OPERATION-SERVED", "SEG-CREATE-STATIC-200")
def test_documented_operation_is_served(conformance, target, verify, names, operation):
    """A valid request to each documented operation is served (not 404 or 405 for its route)."""
    exchange = _valid_request(operation, conformance, target, verify, names)
    verify.check("SEG-OPERATION-SERVED", exchange.status not in (404, 405),
                 f"expected {operation.operation_id} ({operation.label}) to be served, answered {exchange.status}", exchange)
