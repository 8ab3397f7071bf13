"""The API conformance suite: pytest tests that drive a target through conformance.plugin.

RUN is the run in progress (plugin.ConformanceRun), set when the suite is configured: the one
seam for modules that build their parametrization at import time from the run's document and
settings (test_properties, test_methods).
"""

RUN = None


def active():
    if RUN is None:
        raise RuntimeError("no conformance run is configured: run the suite with `conformance run` or "
                           "`pytest --pyargs conformance.suite` (the plugin activates from its conftest)")
    return RUN
