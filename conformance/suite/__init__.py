"""The API conformance suite: pytest tests that drive a target through conformance.plugin.

Tests reach the run through the plugin's fixtures (`conformance`, `target`, `verify`, `names`);
parametrization that depends on the run's document is built at collection, from the config pytest
hands the hook (conformance.keys.run_of), never at import: `pytest_generate_tests` for our own
parameters, `parametrize_from_run` for schemathesis's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conformance.keys import run_of

SCHEMA_BUILDER = "_conformance_schema_builder"  # the attribute parametrize_from_run leaves on a test
_SCHEMAS: pytest.StashKey[dict] = pytest.StashKey()


def parametrize_from_run(build: Callable[[Any], Any]) -> Callable:
    """schemathesis's `schema.parametrize()`, with the schema built from the run when the test is
    collected (`build(run)`), not when its module is imported. The suite's conftest applies it."""
    def mark(test: Callable) -> Callable:
        setattr(test, SCHEMA_BUILDER, build)
        return test

    return mark


def schema_of(config: pytest.Config, build: Callable[[Any], Any]):
    """The run's schema from `build`, built once per run (the parametrized test and the stateful
    test share it)."""
    schemas = config.stash.setdefault(_SCHEMAS, {})
    if build not in schemas:
        schemas[build] = build(run_of(config))
    return schemas[build]


def parametrized(config: pytest.Config, test: Callable) -> Callable | None:
    """The test as schemathesis's parametrize() leaves it, if parametrize_from_run marked it."""
    build = getattr(test, SCHEMA_BUILDER, None)
    if build is None:
        return None
    wrapped = schema_of(config, build).parametrize()(test)
    wrapped.__dict__.pop(SCHEMA_BUILDER, None)  # copied by functools.wraps: collected once, not again
    return wrapped
