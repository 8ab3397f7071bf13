# Our own tests import the suite's modules (their helpers and parametrization): the suite's markers
# are known here as they are in a run (one list: conformance.judging.MARKERS).
from conformance.judging import MARKERS


def pytest_configure(config):
    for marker in MARKERS:
        config.addinivalue_line("markers", marker)
