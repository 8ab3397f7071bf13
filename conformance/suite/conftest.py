# The suite's plugin lives in the package so that both `conformance run` and a plain
# `pytest conformance/suite --base-url=...` load the same options, fixtures and hooks.
from conformance.plugin import (  # noqa: F401  (hooks and fixtures pytest discovers by name)
    conformance,
    names,
    pytest_addoption,
    pytest_collection_modifyitems,
    pytest_configure,
    pytest_deselected,
    pytest_report_header,
    pytest_runtest_makereport,
    pytest_sessionfinish,
    pytest_terminal_summary,
    pytest_testnodedown,
    target,
    unknown_id,
    verify,
)
