"""Where a pytest session keeps the conformance run: the config's stash (schemathesis keeps its
schemas the same way, in schemathesis/pytest/_keys.py).

Tests get the run through fixtures (`conformance`, `target`, `verify`); code that runs before any
fixture (pytest_generate_tests, collection hooks) reads it here, from the config pytest hands it.
No module global: two runs in one process (the fault matrix) never see each other's run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conformance.plugin import ConformanceRun

RUN_KEY: pytest.StashKey[ConformanceRun] = pytest.StashKey()


def run_of(config: pytest.Config) -> ConformanceRun:
    run = config.stash.get(RUN_KEY, None)
    if run is None:
        raise RuntimeError("no conformance run is configured: run the suite with `conformance run` or "
                           "`pytest --pyargs conformance.suite` (the plugin activates from its conftest)")
    return run
