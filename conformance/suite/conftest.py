# Collecting this suite is what switches the conformance plugin on (installed as a pytest11 entry
# point, it is inert elsewhere): `conformance run` has registered the run already; plain
# `pytest --pyargs conformance.suite --base-url=...` gets one here, from the same options.
import pytest

from conformance.plugin import activate
from conformance.suite import parametrized


def pytest_configure(config):
    activate(config, suite="api")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_pycollect_makeitem(collector, name, obj):
    """A test marked by parametrize_from_run is collected as schemathesis collects its own
    parametrized tests, with the schema of this run."""
    result = yield
    if not collector.istestfunction(obj, name):
        return result
    wrapped = parametrized(collector.config, obj)
    if wrapped is None:
        return result
    return collector.ihook.pytest_pycollect_makeitem(collector=collector, name=name, obj=wrapped)
