"""conformance.startup: what a run's start-up does not pay for, and that it changes nothing else."""

import gc
import os
import subprocess
import sys

import pytest

from conformance import startup
from conformance.runner import UNUSED_PYTEST_PLUGINS, pytest_arguments


def _python(code: str, **environ: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={**os.environ, **environ}, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_settings_module_stands_in_for_the_librarys_own():
    """The same setting, read from the same variable, with the same default, as the library's module."""
    from openapi_schema_validator.settings import OpenAPISchemaValidatorSettings

    fields = OpenAPISchemaValidatorSettings.model_fields
    assert set(fields) == {"compiled_validator_cache_max_size"}
    assert fields["compiled_validator_cache_max_size"].default == startup.DEFAULT_CACHE_SIZE
    prefix = OpenAPISchemaValidatorSettings.model_config["env_prefix"]
    assert (prefix + "compiled_validator_cache_max_size").upper() == startup.CACHE_SIZE_VARIABLE


def test_the_schema_validator_works_without_pydantic_settings():
    out = _python(
        "import sys\n"
        "from conformance import startup\n"
        "startup.settings_without_pydantic()\n"
        "from conformance.contract import schema_validator\n"
        "import openapi_schema_validator\n"
        "from openapi_schema_validator._caches import ValidatorCache\n"
        "validator = schema_validator({'type': 'string', 'nullable': True})\n"
        "print(validator.is_valid(None), validator.is_valid(3), openapi_schema_validator.validate('x', {'type': 'string'}),\n"
        "      any(name.startswith('pydantic') for name in sys.modules))\n"
    )
    assert out == "True False None False"


@pytest.mark.parametrize(("value", "expected"), [(None, "128"), ("7", "7"), ("-1", "ValueError")])
def test_the_cache_size_is_read_as_the_library_reads_it(value, expected, monkeypatch):
    environ = {startup.CACHE_SIZE_VARIABLE: value} if value is not None else {}
    code = ("from conformance import startup\n"
            "startup.settings_without_pydantic()\n"
            "from openapi_schema_validator.settings import get_settings\n"
            "try:\n    print(get_settings().compiled_validator_cache_max_size)\n"
            "except ValueError:\n    print('ValueError')\n")
    monkeypatch.delenv(startup.CACHE_SIZE_VARIABLE, raising=False)
    assert _python(code, **environ) == expected


def test_an_imported_settings_module_is_left_alone(monkeypatch):
    own = object()
    monkeypatch.setitem(sys.modules, startup.SETTINGS_MODULE, own)
    startup.settings_without_pydantic()
    assert sys.modules[startup.SETTINGS_MODULE] is own


def test_the_collector_is_off_during_start_up_and_back_on_after_collection():
    assert gc.isenabled()
    try:
        startup.collector_off()
        assert not gc.isenabled()
        startup.collector_on(freeze=False)
        assert gc.isenabled()
    finally:
        gc.enable()


def test_a_collector_someone_else_turned_off_stays_off():
    gc.disable()
    try:
        startup.collector_off()
        startup.collector_on(freeze=False)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_console_script_turns_it_back_on_for_a_command_that_runs_no_suite():
    out = _python("import gc\n"
                  "import conformance.launch\n"
                  "from conformance.cli import main\n"
                  "off = not gc.isenabled()\n"
                  "main(['revisions'])\n"
                  "print('collector', off, gc.isenabled())\n")
    assert out.splitlines()[-1] == "collector True True"


def test_a_run_leaves_out_pytests_plugins_it_has_no_use_for():
    from conformance import options

    arguments = pytest_arguments(options.resolve({}, environ={}), 1, "api")
    left_out = {arguments[index + 1] for index, argument in enumerate(arguments) if argument == "-p"}
    assert {f"no:{plugin}" for plugin in UNUSED_PYTEST_PLUGINS} <= left_out
    assert "doctest" in UNUSED_PYTEST_PLUGINS and "capture" not in UNUSED_PYTEST_PLUGINS
