"""Hostile summaries and report directories through report, compare and replay: exit 4 in one
line before anything is sent, no code run, no connection, no other file's content shown, and no
output written through a symlink."""

from __future__ import annotations

import json
import os
import re

import pytest

from hostile_tools import SECRET, conformance, make_summary, write_json
from hostile_tools import listener  # noqa: F401 (fixtures)


def _text(summary=None) -> str:
    return json.dumps(summary or make_summary())


def _replace_first(pattern: str, replacement: str) -> str:
    text, count = re.subn(pattern, replacement, _text(), count=1)
    assert count == 1
    return text


TEXTS = {
    "nan-duration": (_replace_first(r'"duration_s": [0-9.]+', '"duration_s": NaN'), "NaN is not JSON"),
    "infinite-duration": (_replace_first(r'"duration_s": [0-9.]+', '"duration_s": Infinity'), "Infinity is not JSON"),
    "overflowing-duration": (_replace_first(r'"duration_s": [0-9.]+', '"duration_s": 1e999'), "out of range"),
    "huge-duration": (_replace_first(r'"duration_s": [0-9.]+', '"duration_s": 1e300'), "beyond"),
    "huge-integer": (_replace_first(r'"seed": \d+', '"seed": ' + "9" * 5000), "digits"),
    "deep-nesting": (_text().replace("{", '{"x": ' + "[" * 10_000 + "]" * 10_000 + ", ", 1), "nested"),
    "duplicate-keys": (_text().replace("{", '{"verdict": "CONFORMANT", ', 1), "duplicate key"),
    "lone-surrogate": (_replace_first(r'"message": "', '"message": "\\\\ud800'), "surrogate"),
    "not-json": ("{this is not json", "not JSON"),
    "not-a-summary": ("[]", "not a version-2 summary"),
    "future-version": (_text().replace('"schema_version": 2', '"schema_version": 3', 1), "schema_version 3"),
    "empty": ("", "not JSON"),
}


@pytest.fixture(scope="module")
def summaries(tmp_path_factory):
    folder = tmp_path_factory.mktemp("summaries")
    paths = {}
    for name, (text, _) in TEXTS.items():
        paths[name] = folder / name / "summary.json"
        paths[name].parent.mkdir()
        paths[name].write_text(text, encoding="utf-8")
    good = write_json(folder / "good.json", make_summary())
    huge = folder / "huge" / "summary.json"
    huge.parent.mkdir()
    with open(huge, "wb") as handle:
        handle.truncate(65 * 1024 * 1024)  # sparse: refused by its size, never read
    paths["too-large"] = huge
    fifo = folder / "fifo" / "summary.json"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    paths["fifo"] = fifo
    return good, paths


SAID = {**{name: said for name, (_, said) in TEXTS.items()}, "too-large": "more than", "fifo": "not a regular file"}


@pytest.mark.parametrize("command", ["report", "compare", "replay"])
@pytest.mark.parametrize("name", sorted(SAID))
def test_a_hostile_summary_is_refused_in_one_line(summaries, listener, name, command):
    good, paths = summaries
    path = paths[name]
    arguments = {"report": ["report", str(path)], "compare": ["compare", str(good), str(path)],
                 "replay": ["replay", str(path.parent)]}[command]
    conformance(*arguments).refused(SAID[name])
    assert not (path.parent / "report.html").exists()
    assert listener.connections == []


def _with_finding_test(nodeid: str) -> dict:
    summary = make_summary()
    for requirement in summary["requirements"]:
        for finding in requirement["evidence"]:
            finding["test"] = nodeid
    return summary


@pytest.mark.parametrize("nodeid", ["{evil}::test_x", "../../{evil}::test_x", "/proc/self/cwd/{evil}::test_x",
                                    "test_create.py/../../../{evil}::test_x", "test_create.py::test_x\n{evil}"])
def test_replay_runs_no_file_the_report_names(tmp_path, nodeid):
    canary = tmp_path / "canary"
    evil = tmp_path / "test_evil.py"
    evil.write_text(f"open({str(canary)!r}, 'w').close()\ndef test_x():\n    pass\n", encoding="utf-8")
    report = tmp_path / "report"
    report.mkdir()
    write_json(report / "summary.json", _with_finding_test(nodeid.format(evil=evil)))
    conformance("replay", str(report)).refused("not a test of the installed suite")
    assert not canary.exists()


REAL_TEST = "test_read_delete.py::test_get_unknown_id_is_404"


def test_replay_never_sends_anything_to_the_url_a_report_names(tmp_path, listener):
    summary = _with_finding_test(REAL_TEST)
    summary["target"].update(base_url=listener.url(), embedded_mock=False, faults=[], variants=[])
    report = tmp_path / "report"
    report.mkdir()
    write_json(report / "summary.json", summary)
    credentials = {"VOUCHERIFY_APP_ID": "id-hostile", "VOUCHERIFY_APP_TOKEN": "token-hostile"}
    conformance("replay", str(report), env=credentials).refused("pass --base-url")
    conformance("replay", str(report), env=credentials, stdin="y\n").refused("pass --base-url")  # not a terminal
    assert listener.connections == []


def test_replay_opens_no_document_the_report_names(tmp_path):
    secret = tmp_path / "secret.json"
    secret.write_text(SECRET, encoding="utf-8")
    summary = _with_finding_test(REAL_TEST)
    summary["document"]["source"] = str(secret)
    report = tmp_path / "report"
    report.mkdir()
    write_json(report / "summary.json", summary)
    conformance("replay", str(report)).refused("pass it with --spec")
    conformance("replay", str(report), "--spec", str(secret)).refused()  # a file the user names: still no content shown


def test_control_characters_of_a_summary_are_escaped_on_the_terminal(tmp_path):
    summary = make_summary()
    summary["document"]["title"] = "\x1b]0;pwned\x07"
    for requirement in summary["requirements"]:
        requirement["text"] = "\x1b[2J" + requirement["text"]
        for finding in requirement["evidence"]:
            finding["message"] = "\x1b[31m" + finding["message"]
    old = write_json(tmp_path / "old.json", make_summary())
    new = write_json(tmp_path / "new.json", summary)
    outcome = conformance("compare", str(old), str(new))
    assert outcome.returncode in (0, 1)
    outcome.bounded()


@pytest.mark.parametrize("name", ["report.html", "summary.json"])
def test_report_writes_no_output_through_a_symlink(tmp_path, name):
    victim = tmp_path / "victim"
    victim.write_text("precious", encoding="utf-8")
    report = tmp_path / "report"
    report.mkdir()
    summary_path = write_json(tmp_path / "summary.json", make_summary())
    (report / name).symlink_to(victim)
    outcome = conformance("report", str(summary_path), "-o", str(report / name))
    assert outcome.returncode == 0, outcome.stderr
    assert victim.read_text(encoding="utf-8") == "precious"
    assert not (report / name).is_symlink() and "<html" in (report / name).read_text(encoding="utf-8")
