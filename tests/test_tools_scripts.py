"""The two tool scripts on synthetic results: no suite run, no mock, no schemathesis run.

scripts/fault_matrix.py: rows, detection and both renderings. bench/compare_schemathesis.py: what
counts as detected by each tool, the totals and the printed table.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

from conformance.catalogue import load_catalogue
from conformance.mock.faults import FAULTS

ROOT = Path(__file__).resolve().parent.parent


def load_script(relative_path):
    spec = importlib.util.spec_from_file_location(Path(relative_path).stem, ROOT / relative_path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


matrix = load_script("scripts/fault_matrix.py")
bench = load_script("bench/compare_schemathesis.py")
CATALOGUE = load_catalogue()


# --- the fault matrix ---------------------------------------------------------------------------


def passing(**overrides):
    statuses = {rid: ("OBSERVED" if r.level == "OBSERVE" else "PASS") for rid, r in CATALOGUE.items()}
    return statuses | overrides


def synthetic_results():
    Result = matrix.RunResult
    return [
        Result(None, False, 0, passing()),
        # a MUST fault caught, with a side effect on another requirement
        Result("soft-delete", False, 1, passing(**{"SEG-DELETE-GONE": "FAIL", "SEG-DELETE-TWICE-404": "NOT_TESTED"})),
        # a MUST fault whose run fails, but not on the requirement the fault is built to break
        Result("long-name-500", False, 1, passing(**{"SEG-CREATE-NAME-ECHO": "FAIL"})),
        # a SHOULD-only fault: WARN by default, FAIL under --strict
        Result("invalid-body-422", False, 0, passing(**{"SEG-VALIDATION-400": "WARN"})),
        Result("invalid-body-422", True, 1, passing(**{"SEG-VALIDATION-400": "FAIL"})),
    ]


FAULT_ROWS = [FAULTS["soft-delete"], FAULTS["long-name-500"], FAULTS["invalid-body-422"]]


def test_matrix_rows_judge_detection_on_the_faults_own_requirements():
    rows = matrix.build_rows(synthetic_results(), FAULT_ROWS)
    assert [row.name for row in rows] == ["(correct mock)", "soft-delete", "long-name-500", "invalid-body-422"]
    correct, soft_delete, long_name, invalid_body = rows
    assert matrix.is_clean(correct)
    assert soft_delete.detected and soft_delete.cells == {"SEG-DELETE-GONE": "FAIL", "SEG-DELETE-TWICE-404": "NOT_TESTED"}
    assert not long_name.detected  # exit 1, but SEG-NO-5XX is not what failed
    # cells from the default run (WARN), detection from the --strict run
    assert invalid_body.detected and invalid_body.cells == {"SEG-VALIDATION-400": "WARN"}
    assert (invalid_body.exit_code, invalid_body.strict_exit_code) == (0, 1)


def test_matrix_plans_a_strict_run_only_for_should_only_faults():
    runs = matrix.planned_runs(FAULT_ROWS, CATALOGUE)
    assert runs == [(None, False), ("soft-delete", False), ("long-name-500", False),
                    ("invalid-body-422", False), ("invalid-body-422", True)]


def test_a_correct_mock_that_warns_is_not_clean():
    results = synthetic_results()
    results[0] = matrix.RunResult(None, False, 0, passing(**{"SEG-METHOD-405": "WARN"}))
    assert not matrix.is_clean(matrix.build_rows(results, FAULT_ROWS)[0])


def test_markdown_has_one_column_per_graded_requirement_and_marks_targets():
    columns = matrix.graded_requirements(CATALOGUE)
    assert all(column.level in ("MUST", "SHOULD") for column in columns)
    markdown = matrix.render_markdown(matrix.build_rows(synthetic_results(), FAULT_ROWS), columns)
    lines = markdown.splitlines()
    header = next(line for line in lines if line.startswith("| fault |"))
    soft_delete = next(line for line in lines if line.startswith("| `soft-delete`"))
    assert header.count("|") == soft_delete.count("|") == len(columns) + 5
    cells = dict(zip(header.split(" | "), soft_delete.split(" | ")))
    assert cells["DELETE-GONE"] == "**FAIL**"  # bold: the requirement the fault is built to break
    assert cells["DELETE-TWICE-404"] == "n/t"
    assert cells["GET-404"] == ""
    assert "2 of 3 faults detected and named" in markdown
    assert "| yes (--strict) | 0, --strict 1 |" in markdown
    assert "| **no** | 1 |" in markdown


def test_html_is_one_self_contained_escaped_page():
    rows = matrix.build_rows(synthetic_results(), FAULT_ROWS)
    html = matrix.render_html(rows, matrix.graded_requirements(CATALOGUE))
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html
    assert "<script" not in html and "src=" not in html and "href=" not in html
    assert 'class="FAIL target"' in html and 'class="WARN target"' in html


def test_html_escapes_descriptions():
    results = [matrix.RunResult(None, False, 0, passing()), matrix.RunResult("get-wraps-in-data", False, 1, passing())]
    html = matrix.render_html(matrix.build_rows(results, [FAULTS["get-wraps-in-data"]]), [])
    assert '{&#34;data&#34;: Segment}' in html and '{"data"' not in html


# --- the benchmark ------------------------------------------------------------------------------

ST202 = ("Stateful tests", "ST202", "Schema-valid request rejected")
ST103 = ("POST /v1/segments", "ST103", "Undocumented status code")
ST101 = ("GET /v1/segments/{segmentId}", "ST101", "Server error")


def ours(exit_code, seconds=10.0, **flagged):
    return bench.ConformanceRun(seconds, exit_code, {rid.replace("_", "-"): status for rid, status in flagged.items()})


def theirs(*signatures, seconds=20.0):
    return bench.SchemathesisRun(seconds, 1 if signatures else 0, frozenset(signatures))


def synthetic_outcomes():
    correct, soft_delete, server_error, invalid_body = bench.targets_for(
        ["soft-delete", "get-unknown-answers-500", "invalid-body-422"])
    return [
        bench.Outcome(correct, [ours(0, 9.0)] * 3, [theirs(ST202, ST103, seconds=19.0), theirs(ST103, seconds=21.0),
                                                  theirs(ST202, ST103, seconds=20.0)]),
        # only we catch it: schemathesis reports nothing beyond its false alarms
        bench.Outcome(soft_delete, [ours(1, SEG_DELETE_GONE="FAIL")] * 3, [theirs(ST202, ST103)] * 3),
        # both catch it; schemathesis in 2 of 3 runs
        bench.Outcome(server_error, [ours(1, SEG_GET_404="FAIL", SEG_NO_5XX="FAIL")] * 3,
                      [theirs(ST103, ST101), theirs(ST103), theirs(ST103, ST101)]),
        # SHOULD-only: our runs use --strict; the same ST103 signature as the false alarm is no detection
        bench.Outcome(invalid_body, [ours(1, SEG_VALIDATION_400="FAIL")] * 3, [theirs(ST103)] * 3),
    ]


def test_bench_detection_rules():
    assert bench.signatures({"failures": [{"code": "ST103", "title": "Undocumented status code",
                                           "operations": ["POST /v1/segments", "Stateful tests"]}],
                             "errors": [{"title": "Connection failed", "count": 2}]}) == {
        ("POST /v1/segments", "ST103", "Undocumented status code"),
        ("Stateful tests", "ST103", "Undocumented status code"),
        ("-", "error", "Connection failed")}
    assert bench.we_detect(ours(1, SEG_GET_404="FAIL"), ["SEG-GET-404"])
    assert not bench.we_detect(ours(1, SEG_NO_5XX="FAIL"), ["SEG-GET-404"])  # fails, names another
    assert not bench.we_detect(ours(0, SEG_VALIDATION_400="WARN"), ["SEG-VALIDATION-400"])  # a warning
    assert not bench.we_detect(ours(2), ["SEG-GET-404"])
    assert bench.they_detect(theirs(ST202, ST101), frozenset({ST202, ST103}))
    assert not bench.they_detect(theirs(ST202), frozenset({ST202, ST103}))


@pytest.mark.parametrize("flags, strict, text", [
    ([True, True, True], False, "yes"),
    ([True, False, True], False, "yes (2/3)"),
    ([False, True, False], False, "no (1/3)"),
    ([False] * 3, True, "no (--strict)"),
    ([True], True, "yes (--strict)"),
])
def test_bench_verdict_is_the_majority_of_runs(flags, strict, text):
    assert bench.verdict_text(flags, strict) == text


def test_bench_targets_use_strict_for_should_only_faults():
    targets = {target.name: target for target in bench.targets_for(["invalid-body-422", "soft-delete"])}
    assert targets["invalid-body-422"].strict and not targets["soft-delete"].strict
    assert targets["(correct mock)"].fault is None


def test_bench_totals_and_ratio():
    result = bench.totals(synthetic_outcomes())
    assert result.faults == 3
    assert result.ours_detected == ["soft-delete", "get-unknown-answers-500", "invalid-body-422"]
    assert result.theirs_detected == ["get-unknown-answers-500"]
    assert result.only_ours == ["soft-delete", "invalid-body-422"] and result.only_theirs == []
    assert result.ours_false_alarms == [] and result.theirs_false_alarms == sorted([ST202, ST103])
    assert result.ours_median_s == 10.0 and result.theirs_median_s == 20.0
    assert result.ratio == 0.5
    text = bench.format_totals(result)
    assert "conformance 3/3, schemathesis 1/3" in text
    assert "schemathesis catches, conformance misses (0): none" in text
    assert "ratio ours/theirs 0.50" in text


def test_bench_table_is_aligned_with_medians():
    table = bench.format_table(bench.table_rows(synthetic_outcomes())).splitlines()
    assert table[0].split(" | ")[0].strip() == "fault" and set(table[1]) <= {"-", "+"}
    assert len({line.index("|") for line in table if "|" in line}) == 1  # columns line up
    rows = {line.split(" | ")[0].strip(): [cell.strip() for cell in line.split(" | ")] for line in table[2:]}
    assert rows["(correct mock)"] == ["(correct mock)", "0 false alarms", "2 false alarms", "9.0", "20.0"]
    assert rows["get-unknown-answers-500"][1:3] == ["yes", "yes (2/3)"]
    assert rows["invalid-body-422"][1:3] == ["yes (--strict)", "no"]
    assert rows["soft-delete"][3:] == ["10.0", "20.0"]
