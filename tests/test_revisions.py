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
