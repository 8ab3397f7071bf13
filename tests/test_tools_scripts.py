"""The two tool scripts on synthetic results: no suite run, no mock, no schemathesis run.

scripts/fault_matrix.py: rows, detection and both renderings. bench/speed.py: what counts as
detected by each tool, and the printed figures.
"""

import importlib.util
import sys
from pathlib import Path


from conformance.catalogue import load_catalogue
from conformance.mock.faults import FAULTS, VARIANTS

ROOT = Path(__file__).resolve().parent.parent


def load_script(relative_path):
    spec = importlib.util.spec_from_file_location(Path(relative_path).stem, ROOT / relative_path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


matrix = load_script("scripts/fault_matrix.py")
bench = load_script("bench/speed.py")
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
    assert runs[:5] == [(None, False, None), ("soft-delete", False, None), ("long-name-500", False, None),
                        ("invalid-body-422", False, None), ("invalid-body-422", True, None)]
    assert runs[5:] == [(None, True, variant) for variant in VARIANTS]  # every legal variant, under --strict


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
    assert header.count("|") == soft_delete.count("|") == len(columns) + 6
    cells = dict(zip(header.split(" | "), soft_delete.split(" | ")))
    assert cells["DELETE-GONE"] == "**FAIL**"  # bold: the requirement the fault is built to break
    assert cells["DELETE-TWICE-404"] == "n/t"
    assert cells["GET-404"] == ""
    assert "2 of 3 faults detected and named" in markdown
    assert "| yes (--strict) | - | 0, --strict 1 |" in markdown
    assert "| **no** | - | 1 |" in markdown


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


# --- the speed bench -----------------------------------------------------------------------------


def run(tool, seconds, exit_code=0, requests=100, flagged=None, signatures=()):
    return bench.Run(tool, seconds, exit_code, requests, flagged or {}, frozenset(signatures))


def test_bench_detection_counts_only_a_target_failure_and_only_new_signatures():
    baseline = {("POST /v1/segments", "ST103", "Undocumented HTTP status code")}
    rows = [
        (None, run("conformance", 2), run("schemathesis", 4, 1, signatures=baseline)),
        ("soft-delete", run("conformance", 2, 1, flagged={"SEG-DELETE-GONE": "FAIL"}),
         run("schemathesis", 4, 1, signatures=baseline | {("GET /v1/segments/{segmentId}", "ST301", "Use after free")})),
        ("dynamic-cap-101", run("conformance", 2, 1, flagged={"SEG-STATUS-DOCUMENTED": "FAIL"}),
         run("schemathesis", 4, 1, signatures=baseline)),
    ]
    text = bench.detection_text(rows)
    assert "soft-delete" in text and "conformance yes  schemathesis yes" in text
    assert "dynamic-cap-101" in text and "conformance NO   schemathesis no" in text  # a side effect is not detection
    assert "detected: conformance 1/2, schemathesis 1/2" in text
    assert "schemathesis 1 ST103 Undocumented HTTP status code on POST /v1/segments" in text


def test_bench_timing_is_medians_of_pairs_and_their_ratio():
    pairs = [(run("conformance", 1.0, requests=300), run("schemathesis", 4.0, requests=400)),
             (run("conformance", 2.0, requests=310), run("schemathesis", 4.0, requests=380)),
             (run("conformance", 1.5, requests=305), run("schemathesis", 5.0, requests=390))]
    text = bench.timing_text(pairs, "mock")
    assert "conformance run       1.50 s     305 requests" in text
    assert "schemathesis run      4.00 s     390 requests" in text
    assert "ratio ours/theirs     0.38" in text and "per pair: 0.25, 0.50, 0.30" in text
