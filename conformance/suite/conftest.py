# Collecting this suite is what switches the conformance plugin on (installed as a pytest11 entry
# point, it is inert elsewhere): `conformance run` has registered the run already; plain
# `pytest --pyargs conformance.suite --base-url=...` gets one here, from the same options.
from conformance.plugin import activate


def pytest_configure(config):
    activate(config, suite="api")
