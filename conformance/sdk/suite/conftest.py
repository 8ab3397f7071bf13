# The SDK release gate's suite. Collecting it switches the conformance plugin on for the gate
# (`conformance sdk` has registered the run already; plain `pytest --pyargs conformance.sdk.suite`
# gets one here): the target, the Verifier, names, cleanup, verdict and reports are the engine's;
# the client under test, the relay and the answer server are the gate's own fixtures.
from conformance.plugin import activate
from conformance.sdk.fixtures import *  # noqa: F401,F403


def pytest_configure(config):
    activate(config, suite="sdk")
