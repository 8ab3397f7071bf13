"""`conformance mock` / `python -m conformance.mock`: options, one-line errors, clean stops."""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys

import pytest
import requests

from conformance.cli import EXIT_OK, EXIT_USAGE, UsageError, _Parser
from conformance.mock import FAULTS, command, server

AUTH = {"X-App-Id": "test-app-id", "X-App-Token": "test-app-token"}


def _mock_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="conformance")
    subcommands = parser.add_subparsers(dest="command", parser_class=_Parser)
    command.register(subcommands, epilog="EPILOG")
    return parser


def test_register_adds_mock_with_documented_defaults():
    parser = _mock_parser()
    args = parser.parse_args(
        ["mock", "--fault", "soft-delete", "ids-repeat", "--fault", "name-trimmed"]
    )
    assert args.handler is command.run
    assert (args.host, args.port) == ("127.0.0.1", 4010)
    assert (args.app_id, args.app_token) == ("test-app-id", "test-app-token")
    assert args.faults == ["soft-delete", "ids-repeat", "name-trimmed"]
    assert (command.DEFAULT_APP_ID, command.DEFAULT_APP_TOKEN) == (
        server.DEFAULT_APP_ID,
        server.DEFAULT_APP_TOKEN,
    )


def test_help_documents_the_default_credentials_and_exit_codes():
    mock_parser = _mock_parser()._subparsers._group_actions[0].choices["mock"]
    text = mock_parser.format_help()
    assert "test-app-id" in text and "test-app-token" in text
    assert "--list-faults" in text and "EPILOG" in text


@pytest.mark.parametrize(
    "argv, complaint",
    [
        (["mock", "--fault", "no-such-fault"], "unknown fault 'no-such-fault'"),
        (["mock", "--port", "70000"], "invalid port '70000'"),
        (["mock", "--port", "http"], "invalid port 'http'"),
    ],
)
def test_bad_options_are_one_line_usage_errors(argv, complaint):
    with pytest.raises(UsageError) as raised:
        _mock_parser().parse_args(argv)
    assert complaint in str(raised.value)
    assert "\n" not in str(raised.value)


def test_list_faults_prints_one_line_per_fault_with_its_requirements(capsys):
    assert command.main(["--list-faults"]) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(FAULTS)
    for line, fault in zip(lines, FAULTS.values(), strict=True):
        name, requirement_ids, description = re.split(r"\s{2,}", line, maxsplit=2)
        assert name == fault.name
        assert requirement_ids.startswith("* ") == fault.exclusive
        assert requirement_ids.removeprefix("* ").split(",") == list(fault.requirements)
        needs = f" [{fault.operation}]" if fault.operation else ""
        assert description == fault.description + needs


def test_unknown_fault_exits_4_with_one_line(capsys):
    assert command.main(["--fault", "no-such-fault"]) == EXIT_USAGE
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "unknown fault 'no-such-fault'" in error


def test_port_in_use_exits_4_with_one_line(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert command.main(["--port", str(port)]) == EXIT_USAGE
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and f"cannot listen on 127.0.0.1:{port}" in error


LOG_LINE = re.compile(r"^(GET|POST|DELETE) /v1/segments\S* \d{3} \d+\.\dms$")


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("quiet", [False, True], ids=["logged", "quiet"])
def test_serves_in_the_foreground_and_stops_cleanly(stop_signal, quiet):
    process = subprocess.Popen(
        [sys.executable, "-m", "conformance.mock", "--port", "0", "--fault", "soft-delete",
         *(["--quiet"] if quiet else [])],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        first_line = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", first_line).group(0)
        assert "soft-delete" in first_line
        segment_id = requests.post(
            f"{url}/v1/segments", json={"name": "cli"}, headers=AUTH, timeout=5
        ).json()["id"]
        assert (
            requests.delete(f"{url}/v1/segments/{segment_id}", headers=AUTH, timeout=5).status_code
            == 204
        )
        assert (
            requests.get(f"{url}/v1/segments/{segment_id}", headers=AUTH, timeout=5).status_code
            == 200
        )
        process.send_signal(stop_signal)
        out, err = process.communicate(timeout=10)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 0
    # One line per request (no uvicorn banner, no traceback), or nothing at all with --quiet.
    lines = err.splitlines()
    assert len(lines) == (0 if quiet else 3), err
    assert all(LOG_LINE.match(line) for line in lines), err
    assert [line.split()[2] for line in lines] == ([] if quiet else ["200", "204", "200"])
    assert "test-app-token" not in err and "test-app-id" not in err


def test_the_conformance_cli_routes_to_the_mock_command(capsys):
    pytest.importorskip(
        "conformance.lint", reason="conformance.cli also registers lint, not written yet"
    )
    from conformance.cli import main  # noqa: PLC0415

    assert main(["mock", "--list-faults"]) == EXIT_OK
    assert len(capsys.readouterr().out.splitlines()) == len(FAULTS)
    assert main(["mock", "--fault", "nope"]) == EXIT_USAGE
