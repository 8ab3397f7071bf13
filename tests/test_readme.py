"""README.md stays true, as tests/test_ci_recipes.py keeps docs/ci.md true: every `conformance`
command in its shell blocks is one the tool takes (and every `--spec` it names exists in a clone);
its configuration snippet is read as it is, from either file; the QA quickstart runs as written."""

import os
import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conformance import cli, options
from conformance.revisions import spec_path

README = Path(__file__).parent.parent / "README.md"
CREDENTIALS = {"VOUCHERIFY_APP_ID": "test-app-id", "VOUCHERIFY_APP_TOKEN": "test-app-token"}


def _blocks(language):
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def _commands(block):
    """Each `conformance ...` line of a shell block as argv (comments and a trailing `&` dropped)."""
    for line in block.splitlines():
        line = line.split("#", 1)[0].strip().removesuffix("&").strip()
        if line.startswith("conformance "):
            yield shlex.split(line)[1:]


def test_every_conformance_command_in_the_readme_exists_and_names_what_a_clone_has():
    commands = [command for block in _blocks("sh") for command in _commands(block)]
    assert len(commands) >= 8
    parser = cli.build_parser()
    for command in commands:
        parsed = parser.parse_args(command)  # raises UsageError on an unknown command or option
        if getattr(parsed, "spec", None):
            assert Path(spec_path(parsed.spec)).is_file(), command
    assert {command[0] for command in commands} >= {"mock", "run", "compare", "revisions"}


@pytest.mark.parametrize("name", ["conformance.toml", "pyproject.toml"])
def test_the_readme_configuration_snippet_works_copied_into_either_file(tmp_path, name):
    (snippet,) = _blocks("toml")
    (tmp_path / name).write_text(snippet, encoding="utf-8")
    settings = options.resolve({}, environ=CREDENTIALS, cwd=tmp_path)
    assert (settings.base_url, settings.profile, settings.strict) == ("http://127.0.0.1:4010", "sandbox", True)
    assert settings.sources["strict"] == str(tmp_path / name)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_qa_quickstart_runs_as_written(tmp_path):
    """The block under "QA quickstart", with a free port for 4010: the mock, two runs, compare."""
    block = next(block for block in _blocks("sh") if block.startswith("conformance mock"))
    port = str(_free_port())
    mock, *steps = [[part.replace("4010", port) for part in command] for command in _commands(block)]
    exported = dict(re.findall(r"(VOUCHERIFY_APP_\w+)=(\S+)", block))
    assert exported == CREDENTIALS  # the mock's defaults, as `conformance mock --help` says
    env = {**os.environ, **exported}
    server = subprocess.Popen([sys.executable, "-m", "conformance", *mock, "--quiet"], cwd=tmp_path, env=env)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", int(port)), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        codes = [subprocess.run([sys.executable, "-m", "conformance", *step], cwd=tmp_path, env=env,
                                capture_output=True, text=True, timeout=600).returncode for step in steps]
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert codes == [0, 0, 1]  # as the comments say: CONFORMANT twice, then compare's lost coverage
    assert (tmp_path / "reports" / "mock" / "summary.json").is_file()
