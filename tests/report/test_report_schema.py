"""summary.schema.json (version 2) and load_summary: the fixtures and real runs are valid, and each kind of bad
input is refused in one line."""

from __future__ import annotations

import jsonschema
import pytest

from conformance.report.summary import SummaryError, load_summary, schema, validate_summary


def test_the_schema_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(schema())


def test_the_fixture_summaries_validate(summary, make_sdk_summary):
    validate_summary(summary)
    assert {requirement["status"] for requirement in summary["requirements"]} == {
        "PASS", "FAIL", "WARN", "NOT_TESTED", "OBSERVED"
    }
    assert {requirement["in_scope"] for requirement in summary["requirements"]} == {True, False}
    validate_summary(make_sdk_summary())


def test_real_runs_write_valid_summaries(real_runs):
    for directory in real_runs.values():
        summary = load_summary(directory / "summary.json")
        assert summary["schema_version"] == 2 and summary["command"] == "api"


def test_an_optional_generic_flag_is_accepted_and_nothing_else_new(summary):
    summary["requirements"][0]["generic"] = True
    validate_summary(summary)
    summary["requirements"][0]["generic"] = "yes"
    with pytest.raises(SummaryError, match="at /requirements/0/generic"):
        validate_summary(summary)


def test_load_summary_reads_a_written_summary(summary, write_summary):
    assert load_summary(write_summary(summary)) == summary


def _break(summary, path, value):
    """Set summary[path...] = value, where path is a tuple of keys and indexes."""
    *parents, last = path
    target = summary
    for key in parents:
        target = target[key]
    target[last] = value
    return summary


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("verdict",), "MOSTLY_FINE", "at /verdict"),
        (("requirements", 3, "status"), "SKIPPED", "at /requirements/3/status"),
        (("requirements", 0, "id"), "seg-lowercase", "at /requirements/0/id"),
        (("document", "sha256"), "not-hex", "at /document/sha256"),
        (("run", "started_at"), "yesterday", "at /run/started_at"),
        (("operations", 0, "statuses"), {"2xx": 3}, "at /operations/0/statuses"),
        (("exchanges", "101", "request", "method"), "post", "at /exchanges/101/request/method"),
        (("requirements", 0, "in_scope"), "yes", "at /requirements/0/in_scope"),
        (("run", "causes"), "budget", "at /run/causes"),
        (("tests", 0, "outcome"), "xfailed", "at /tests/0/outcome"),
        (("exit_code",), 7, "at /exit_code"),
    ],
)
def test_a_summary_that_breaks_the_schema_is_refused_naming_where(summary, path, value, expected):
    with pytest.raises(SummaryError) as raised:
        validate_summary(_break(summary, path, value), origin="run/summary.json")
    message = str(raised.value)
    assert message.startswith("run/summary.json: not a version-2 summary: ")
    assert expected in message
    assert "\n" not in message


def test_a_missing_field_is_refused(summary):
    del summary["requirements"][0]["evidence"]
    with pytest.raises(SummaryError, match="'evidence' is a required property"):
        validate_summary(summary)


def test_an_unknown_field_is_refused_so_writer_and_reader_cannot_drift(summary):
    summary["run"]["workers"] = 4
    with pytest.raises(SummaryError, match="at /run: .*'workers'"):
        validate_summary(summary)


@pytest.mark.parametrize("version", [1, 3])
def test_another_schema_version_is_named_as_unsupported(summary, version):
    summary["schema_version"] = version
    with pytest.raises(SummaryError, match=rf"schema_version {version} is not supported \(this tool reads version 2\)"):
        validate_summary(summary)


def test_counts_must_agree_with_the_requirement_statuses(summary):
    summary["counts"]["PASS"] += 1
    with pytest.raises(SummaryError, match="counts.PASS is .* requirements have status PASS"):
        validate_summary(summary)


def test_a_requirement_listed_twice_is_refused(summary):
    summary["requirements"].append(dict(summary["requirements"][0]))
    summary["counts"][summary["requirements"][0]["status"]] += 1
    with pytest.raises(SummaryError, match=f"requirement {summary['requirements'][0]['id']} appears 2 times"):
        validate_summary(summary)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"schema_version": 2,', "not JSON: Expecting property name enclosed in double quotes at line 1 column 22"),
        (b"\xff\xfe\x00garbage", "not UTF-8 text"),
        (b"[1, 2, 3]", "not a version-2 summary: at the top level"),
    ],
)
def test_unreadable_content_is_refused_in_one_line(tmp_path, content, expected):
    path = tmp_path / "summary.json"
    path.write_bytes(content)
    with pytest.raises(SummaryError) as raised:
        load_summary(path)
    assert str(raised.value).startswith(str(path))
    assert expected in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_missing_file_is_refused_in_one_line(tmp_path):
    with pytest.raises(SummaryError, match=r"cannot read .*nowhere\.json: No such file or directory$"):
        load_summary(tmp_path / "nowhere.json")

