"""`conformance report` and `conformance compare` through the real cli.main, with only our commands registered."""

from __future__ import annotations

import pytest

from conformance import cli


@pytest.fixture
def main():
    """cli.main as shipped (exit codes, one-line errors)."""
    return cli.main


def _one_error_line(capsys) -> str:
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    return lines[0]


# --- report -------------------------------------------------------------------------------------

def test_report_writes_report_html_next_to_the_summary(main, summary, write_summary, capsys):
    path = write_summary(summary)
    assert main(["report", str(path)]) == cli.EXIT_OK
    report = path.parent / "report.html"
    assert capsys.readouterr().out == f"wrote {report}\n"
    assert "NONCONFORMANT" in report.read_text(encoding="utf-8")


def test_report_re_renders_a_real_run_the_same(main, real_runs, tmp_path, capsys):
    directory = real_runs["fail"]
    assert main(["report", str(directory / "summary.json"), "--output", str(tmp_path / "again.html")]) == cli.EXIT_OK
    assert (tmp_path / "again.html").read_text(encoding="utf-8") == (directory / "report.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("interrupted", [None, "SIGINT"])
def test_an_incomplete_or_interrupted_summary_renders_incomplete(main, make_summary, write_summary, interrupted):
    summary = make_summary({"SEG-DELETE-GONE": "PASS", "SEG-NO-5XX": "PASS"})  # a heavy cap stays untested
    assert summary["verdict"] == "INCOMPLETE"
    if interrupted:  # even a summary that claims CONFORMANT: the run did not finish
        summary = make_summary({"SEG-DELETE-GONE": "PASS", "SEG-NO-5XX": "PASS", "SEG-CAP-STATIC-20000": "PASS"})
        summary["run"]["interrupted"] = interrupted
    path = write_summary(summary)
    assert main(["report", str(path)]) == cli.EXIT_OK
    html = (path.parent / "report.html").read_text(encoding="utf-8")
    assert '<header class="verdict verdict-INCOMPLETE" id="verdict">' in html
    assert "<title>INCOMPLETE" in html


def test_report_output_goes_where_asked(main, summary, write_summary, tmp_path):
    assert main(["report", str(write_summary(summary)), "--output", str(tmp_path / "run-1.html")]) == cli.EXIT_OK
    assert (tmp_path / "run-1.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not (tmp_path / "report.html").exists()


def test_report_refuses_to_overwrite_its_own_summary(main, summary, write_summary, capsys):
    path = write_summary(summary)
    assert main(["report", str(path), "--output", str(path)]) == cli.EXIT_USAGE
    assert _one_error_line(capsys).endswith("is the summary itself; refusing to overwrite it")
    assert path.read_text(encoding="utf-8").startswith("{")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "cannot read"),
        ('{"schema_version": 2', "not JSON"),
        ('{"schema_version": 2}', "not a version-2 summary: at the top level: 'tool' is a required property"),
        ('{"schema_version": 1}', "schema_version 1 is not supported (this tool reads version 2)"),
    ],
)
def test_report_on_bad_input_exits_4_with_one_line(main, tmp_path, capsys, content, expected):
    path = tmp_path / "summary.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    assert main(["report", str(path)]) == cli.EXIT_USAGE
    line = _one_error_line(capsys)
    assert line.startswith("error: ") and expected in line and str(path) in line
    assert not (tmp_path / "report.html").exists()


def test_report_into_a_missing_directory_exits_4(main, summary, write_summary, tmp_path, capsys):
    target = tmp_path / "no" / "such" / "report.html"
    assert main(["report", str(write_summary(summary)), "--output", str(target)]) == cli.EXIT_USAGE
    assert _one_error_line(capsys) == f"error: cannot write {target}: No such file or directory"


# --- compare ------------------------------------------------------------------------------------

def test_compare_exits_1_on_a_regression(main, make_summary, write_summary, capsys):
    old = write_summary(make_summary(), "old.json")
    new = write_summary(make_summary({"SEG-DELETE-204-EMPTY": "FAIL"}), "new.json")
    assert main(["compare", str(old), str(new)]) == cli.EXIT_NONCONFORMANT
    out = capsys.readouterr().out
    assert "Regressions (held before, FAIL now): 1\n  SEG-DELETE-204-EMPTY" in out
    assert out.endswith("RESULT: 1 regression (1 held before and fail now)\n")


def test_compare_exits_1_when_a_must_requirement_is_no_longer_tested(main, make_summary, write_summary, capsys):
    old = write_summary(make_summary(), "old.json")
    new = write_summary(make_summary({"SEG-GET-404": "NOT_TESTED"}), "new.json")
    assert main(["compare", str(old), str(new)]) == cli.EXIT_NONCONFORMANT
    assert capsys.readouterr().out.endswith("RESULT: 1 regression (1 MUST no longer tested)\n")


def test_compare_of_real_runs_exits_1_one_way_and_0_the_other(main, real_runs, capsys):
    passing, failing = (str(real_runs[name] / "summary.json") for name in ("pass", "fail"))
    assert main(["compare", passing, failing]) == cli.EXIT_NONCONFORMANT
    assert "SEG-DELETE-GONE" in capsys.readouterr().out
    assert main(["compare", failing, passing]) == cli.EXIT_OK


def test_compare_exits_0_when_only_things_got_better(main, make_summary, write_summary, capsys):
    old = write_summary(make_summary(), "old.json")
    new = write_summary(make_summary({"SEG-NO-5XX": "PASS"}), "new.json")
    assert main(["compare", str(old), str(new)]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert "Fixed: 1\n  SEG-NO-5XX" in out and out.endswith("RESULT: no regression\n")


@pytest.mark.parametrize("broken", ["old", "new"])
def test_compare_with_an_unreadable_side_exits_4_naming_it(main, summary, write_summary, tmp_path, capsys, broken):
    paths = {"old": write_summary(summary, "old.json"), "new": write_summary(summary, "new.json")}
    paths[broken].write_text("not json", encoding="utf-8")
    assert main(["compare", str(paths["old"]), str(paths["new"])]) == cli.EXIT_USAGE
    assert _one_error_line(capsys).startswith(f"error: {paths[broken]}: not JSON")


def test_compare_with_one_argument_is_a_usage_error(main, summary, write_summary, capsys):
    assert main(["compare", str(write_summary(summary))]) == cli.EXIT_USAGE
    assert "the following arguments are required: NEW" in _one_error_line(capsys)


def test_compare_takes_report_directories_as_run_prints_them(main, real_runs, tmp_path, capsys):
    passing, failing = (str(real_runs[name]) for name in ("pass", "fail"))
    assert main(["compare", passing, failing]) == cli.EXIT_NONCONFORMANT
    assert "SEG-DELETE-GONE" in capsys.readouterr().out
    assert main(["compare", passing, str(real_runs["fail"] / "summary.json")]) == cli.EXIT_NONCONFORMANT
    capsys.readouterr()
    assert main(["compare", passing, str(tmp_path)]) == cli.EXIT_USAGE
    assert _one_error_line(capsys) == f"error: {tmp_path} is a directory without a summary.json"
