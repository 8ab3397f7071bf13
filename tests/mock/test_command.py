"""`conformance mock` / `python -m conformance.mock`: options, one-line errors, clean stops."""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from conformance.cli import EXIT_OK, EXIT_USAGE, UsageError, _Parser
from conformance.mock import FAULTS, VARIANTS, command, server

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


# --- documents, variants, the log -----------------------------------------------------------------

JULY = str(Path(__file__).parent.parent / "fixtures" / "segments-2026-07.json")


def test_register_adds_spec_variants_and_quiet():
    args = _mock_parser().parse_args(
        ["mock", "--spec", JULY, "--variant", "long-ids", "chunked", "--variant", "gzip", "--quiet"]
    )
    assert (args.spec, args.variants, args.quiet) == (JULY, ["long-ids", "chunked", "gzip"], True)
    defaults = _mock_parser().parse_args(["mock"])
    assert (defaults.spec, defaults.variants, defaults.quiet) == (None, [], False)


def test_list_variants_prints_each_variant_and_why_it_is_legal(capsys):
    assert command.main(["--list-variants"]) == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 * len(VARIANTS)
    for (first, second), item in zip(zip(lines[::2], lines[1::2]), VARIANTS.values(), strict=True):
        assert first.split()[0] == item.name and first.endswith(item.description)
        assert second.strip() == f"legal: {item.legal_because}"


@pytest.mark.parametrize(
    "argv, complaint",
    [
        (["--variant", "no-such-variant"], "unknown variant 'no-such-variant'"),
        (["--spec", "/nonexistent/segments.json"], "cannot read /nonexistent/segments.json"),
        (["--spec", __file__], "neither JSON nor YAML"),
        (["--fault", "list-limit-ignored"], "fault 'list-limit-ignored' needs operation list-segment"),
        (["--variant", "chunked", "--variant", "created-at-lowercase", "--variant", "created-at-no-fraction"],
         "both set the created-at"),
    ],
)
def test_bad_documents_faults_and_variants_exit_4_with_one_line(capsys, argv, complaint):
    assert command.main(["--port", "0", *argv]) == EXIT_USAGE
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and complaint in error, error


def test_serves_the_document_given_with_spec():
    process = subprocess.Popen(
        [sys.executable, "-m", "conformance.mock", "--port", "0", "--spec", JULY, "--variant", "long-ids",
         "--fault", "list-limit-ignored"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        first_line = process.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+", first_line).group(0)
        assert f"document: {JULY}" in first_line and "variants: long-ids" in first_line
        for index in range(3):
            created = requests.post(f"{url}/v1/segments", json={"name": f"s{index}"}, headers=AUTH, timeout=5).json()
            assert len(created["id"]) == 44
        listed = requests.get(f"{url}/v1/segments", params={"limit": 1}, headers=AUTH, timeout=5).json()
        assert (listed["total"], len(listed["data"])) == (3, 3)  # the fault: limit ignored
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=10)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 0
    assert err.splitlines()[-1].startswith("GET /v1/segments?limit=1 200 ")
