"""What a run's start-up need not pay for (bench/breakdown.py measures it).

On loopback a run is CPU, not waiting, and imports are a third of it. Two costs here have nothing
to do with conformance:

- The cyclic garbage collector walking every object the imports create, several times over, while
  none of them is garbage: it is off from the console script's first line until collection ends,
  when the plugin freezes what start-up built (gc.freeze) and turns it back on; and what is built
  before pytest starts is frozen then, out of the full collection hypothesis asks for (`freeze`).
- pydantic-settings, imported by openapi-schema-validator for one setting (see
  `settings_without_pydantic`).
"""

from __future__ import annotations

import gc
import os
import sys
import types
from functools import lru_cache

_COLLECTOR_OFF_BY_US = False


def collector_off() -> None:
    """Start-up: no cyclic collections until `collector_on` (reference counting still frees the rest)."""
    global _COLLECTOR_OFF_BY_US
    if gc.isenabled():
        gc.disable()
        _COLLECTOR_OFF_BY_US = True


def collector_on(*, freeze: bool = True) -> None:
    """After collection: what start-up built lives to the end of the run, so it is frozen out of
    the collector's walks, which then run as usual for what the tests create."""
    global _COLLECTOR_OFF_BY_US
    if freeze:
        gc.freeze()
    if _COLLECTOR_OFF_BY_US:
        gc.enable()
        _COLLECTOR_OFF_BY_US = False


def freeze() -> None:
    """What is built so far lives to the end of the run: out of every collection from now on.
    Before pytest imports schemathesis's plugin: there hypothesis registers its random generator
    with a full gc.collect() and a gc.get_referrers() walk over every object (entropy.register_random),
    which cost a tenth of a second with start-up's objects still in the collector's view."""
    gc.freeze()


SETTINGS_MODULE = "openapi_schema_validator.settings"
CACHE_SIZE_VARIABLE = "OPENAPI_SCHEMA_VALIDATOR_COMPILED_VALIDATOR_CACHE_MAX_SIZE"
DEFAULT_CACHE_SIZE = 128  # openapi-schema-validator 0.9's default (pinned below 0.10 in pyproject.toml)


class _Settings(types.SimpleNamespace):
    compiled_validator_cache_max_size: int


def settings_without_pydantic() -> None:
    """openapi-schema-validator 0.9 reads its one setting, the size of the compiled-validator cache
    behind its `validate` shortcut (the suite builds validators itself and never calls it), through
    pydantic-settings, whose import is about 0.2 s of CPU: a sixth of a loopback run's start-up.
    Its settings module is put in place before the package is imported, with the same setting read
    the same way (the same variable, the same default, refused below 0 as its Field(ge=0) does).
    tests/engine/test_startup.py holds it to the library's own module."""
    if SETTINGS_MODULE in sys.modules:
        return
    module = types.ModuleType(SETTINGS_MODULE, "openapi-schema-validator's settings, read without pydantic-settings "
                                               "(conformance.startup)")

    @lru_cache(maxsize=1)
    def get_settings() -> _Settings:
        value = os.environ.get(CACHE_SIZE_VARIABLE)
        size = DEFAULT_CACHE_SIZE if value is None else int(value)
        if size < 0:
            raise ValueError(f"{CACHE_SIZE_VARIABLE} must be at least 0")
        return _Settings(compiled_validator_cache_max_size=size)

    module.get_settings = get_settings
    module.reset_settings_cache = get_settings.cache_clear
    sys.modules[SETTINGS_MODULE] = module
