"""Shipped revisions by name: `--spec 2026-07` needs no outside path, in a clone or an install."""

import hashlib
from pathlib import Path

import pytest

from conformance import cli, options
from conformance.contract import Contract
from conformance.exits import UsageError
from conformance.revisions import REVISIONS, spec_path

FIXTURE = Path(__file__).parent / "fixtures" / "segments-2026-07.json"
JULY_SHA256 = hashlib.sha256(FIXTURE.read_bytes()).hexdigest()


def test_the_july_revision_ships_in_the_package_as_published():
    shipped = REVISIONS["2026-07"].path
    assert shipped.is_file()
    assert hashlib.sha256(shipped.read_bytes()).hexdigest() == JULY_SHA256
    assert Contract.load(spec_path("2026-07")).has("list-segment")
    assert not Contract.load(spec_path("bundled")).has("list-segment")


def test_run_takes_a_revision_name_and_a_file_still_wins(tmp_path, monkeypatch):
    settings = options.resolve({"spec": "2026-07"}, environ={}, cwd=tmp_path)
    assert settings.spec == str(REVISIONS["2026-07"].path)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "2026-07").write_bytes(FIXTURE.read_bytes())
    assert options.resolve({"spec": "2026-07"}, environ={}, cwd=tmp_path).spec == "2026-07"


def test_an_unknown_name_is_one_line_listing_the_revisions(tmp_path):
    with pytest.raises(UsageError, match=r"no such file, and not a shipped revision \(bundled, 2026-07;") as refused:
        options.resolve({"spec": "2026-08"}, environ={}, cwd=tmp_path)
    assert "\n" not in str(refused.value)


def test_revisions_lists_them_and_diff_takes_their_names(capsys):
    assert cli.main(["revisions"]) == cli.EXIT_OK
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed] == list(REVISIONS)
    assert cli.main(["diff", "bundled", "2026-07", "--format", "json"]) in (cli.EXIT_OK, cli.EXIT_NONCONFORMANT)
    assert '"operation_id": "list-segment"' in capsys.readouterr().out


INVALID = str(Path(__file__).parent / "fixtures" / "history" / "segments-2025-12-31-673ae2e7.json")


@pytest.mark.parametrize("command", [["run"], ["sdk", "--client", "reference"], ["mock", "--port", "0"]])
def test_an_invalid_revision_is_one_line_exit_4_for_run_sdk_and_mock(command, capsys):
    """The vendor's 673ae2e7 (`"X-App-Id": [[]]`): lint calls it invalid, and so does every command
    that would test or serve it, before any traffic (run answered CONFORMANT on it)."""
    assert cli.main([*command, "--spec", INVALID]) == cli.EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1
    assert captured.err.startswith(f"error: --spec {INVALID} is invalid (lint L100): not a valid OpenAPI 3.0 document: ")
    assert "X-App-Id" in captured.err or "[]" in captured.err


def test_every_shipped_revision_is_valid():
    from conformance.loader import load_document, validation_problems

    assert all(validation_problems(load_document(revision.path)) == [] for revision in REVISIONS.values())
