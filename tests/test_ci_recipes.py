"""docs/ci.md stays true: its YAML parses, and every `conformance` command in it is one the tool takes."""

import re
import shlex
from pathlib import Path

import yaml

from conformance import cli

CI_DOC = Path(__file__).parent.parent / "docs" / "ci.md"
PLACEHOLDERS = {r"\$\{\{[^}]*\}\}": "http://127.0.0.1:4010", r"\$\w+": "http://127.0.0.1:4010"}


def _yaml_blocks():
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", CI_DOC.read_text(), re.S)]


def _shell_lines(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("run", "script") and isinstance(value, (str, list)):
                yield from (value if isinstance(value, list) else value.splitlines())
            else:
                yield from _shell_lines(value)
    elif isinstance(node, list):
        for item in node:
            yield from _shell_lines(item)


def _conformance_commands(line):
    for part in re.split(r";|&&|\bthen\b", line):
        part = part.strip()
        if part.startswith("conformance "):
            for pattern, value in PLACEHOLDERS.items():
                part = re.sub(pattern, value, part)
            yield shlex.split(part)[1:]


def test_both_recipes_parse_and_keep_the_reports_and_gate_on_the_exit_code():
    github, gitlab = _yaml_blocks()[:2]
    steps = github["jobs"]["conformance"]["steps"]
    assert any(step.get("uses", "").startswith("actions/upload-artifact") and step.get("if") for step in steps)
    assert gitlab["conformance"]["artifacts"]["when"] == "always"
    assert gitlab["conformance"]["artifacts"]["reports"]["junit"].endswith("junit.xml")


def test_every_conformance_command_in_the_recipes_exists():
    commands = [command for block in _yaml_blocks() for line in _shell_lines(block) for command in _conformance_commands(line)]
    assert len(commands) >= 6
    parser = cli.build_parser()
    for command in commands:
        parser.parse_args(command)  # raises UsageError on an unknown command or option
    assert {command[0] for command in commands} >= {"run", "compare"}
