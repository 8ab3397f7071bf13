# The SDK release gate's suite. It takes in the conformance plugin by name (options, the target,
# the Verifier, names, cleanup, JUnit properties), as conformance/suite/conftest.py does, and adds
# the gate's own: the client under test (--client, --client-fault), the relay through which that
# client reaches the target, the answer server for generated answers, and sdk-summary.json.
from conformance import plugin as _plugin
from conformance.plugin import *  # noqa: F401,F403
from conformance.sdk.fixtures import *  # noqa: F401,F403
from conformance.sdk.fixtures import gate_addoption, gate_collection_modifyitems, gate_configure, gate_sessionfinish


def pytest_addoption(parser):
    _plugin.pytest_addoption(parser)
    gate_addoption(parser)


def pytest_configure(config):
    _plugin.pytest_configure(config)
    gate_configure(config)


def pytest_collection_modifyitems(session, config, items):
    gate_collection_modifyitems(session, config, items)


def pytest_sessionfinish(session, exitstatus):
    _plugin.pytest_sessionfinish(session, exitstatus)
    gate_sessionfinish(session, exitstatus)
