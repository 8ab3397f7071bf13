"""compare(old, new): regressions (held -> FAIL, a MUST no longer tested), degradations, fixes,
coverage and scope, and what differs besides the results (documents, targets, clients) stated first."""

from __future__ import annotations

import re
import sys
import types

import pytest

from conformance.report.compare import compare, format_comparison


def _ids(changes):
    return [(change.id, change.old, change.new) for change in changes]


def _set(summary, requirement_id, **fields):
    requirement = next(r for r in summary["requirements"] if r["id"] == requirement_id)
    summary["counts"][requirement["status"]] -= 1
    requirement.update(fields)
    summary["counts"][requirement["status"]] += 1
    return summary


def test_the_same_run_twice_changes_nothing(summary, make_summary):
    comparison = compare(summary, make_summary())
    assert not comparison.has_regressions
    assert comparison.unchanged == len(summary["requirements"])
    assert (comparison.regressions, comparison.coverage_lost, comparison.fixes, comparison.added, comparison.removed,
            comparison.document, comparison.differences) == ((), (), (), (), (), None, ())
    text = format_comparison(comparison)
    assert text.startswith("old: NONCONFORMANT at 2026-11-22T10:00:00.000Z: the embedded mock "
                           "(--fault soft-delete, --fault long-name-500) (tool 0.1.0)")
    assert text.endswith(f"unchanged: {len(summary['requirements'])}\nRESULT: no regression")


@pytest.mark.parametrize("before", ["PASS", "WARN"])
def test_a_requirement_that_held_and_now_fails_is_a_regression(make_summary, before):
    comparison = compare(make_summary({"SEG-GET-404": before}), make_summary({"SEG-GET-404": "FAIL"}))
    assert comparison.has_regressions
    assert _ids(comparison.regressions) == [("SEG-GET-404", before, "FAIL")]


@pytest.mark.parametrize("before", ["PASS", "FAIL", "WARN"])
def test_a_must_requirement_no_longer_tested_is_a_regression(make_summary, before):
    comparison = compare(make_summary({"SEG-AUTH-401": before}), make_summary({"SEG-AUTH-401": "NOT_TESTED"}))
    assert comparison.has_regressions  # a failure stops being seen, or a pass stops being known
    assert _ids(comparison.coverage_lost) == [("SEG-AUTH-401", before, "NOT_TESTED")]
    text = format_comparison(comparison)
    assert "Regressions: MUST requirements no longer tested (tested before, NOT_TESTED now): 1\n  SEG-AUTH-401" in text
    assert text.endswith("RESULT: 1 regression (1 MUST no longer tested)")


def test_a_must_requirement_moved_out_of_scope_is_a_regression_and_says_why(make_summary):
    new = _set(make_summary(), "SEG-GET-404", status="NOT_TESTED", in_scope=False,
               reason="out of scope: not selected (-k, -m)")
    new["scope"]["out_of_scope"].append({"id": "SEG-GET-404", "reason": "out of scope: not selected (-k, -m)"})
    comparison = compare(make_summary(), new)
    assert _ids(comparison.coverage_lost) == [("SEG-GET-404", "PASS", "NOT_TESTED")]
    assert [change.id for change in comparison.scope_changes] == ["SEG-GET-404"]
    assert re.search(r"SEG-GET-404 +MUST +PASS -> NOT_TESTED  \(now out of scope\)\n      out of scope: not selected",
                     format_comparison(comparison))


def test_a_should_requirement_no_longer_tested_is_listed_not_a_regression(make_summary):
    comparison = compare(make_summary(), make_summary({"SEG-METHOD-405": "NOT_TESTED"}))
    assert not comparison.has_regressions
    assert _ids(comparison.no_longer_tested) == [("SEG-METHOD-405", "PASS", "NOT_TESTED")]
    assert "No longer tested (not MUST): 1\n  SEG-METHOD-405" in format_comparison(comparison)


def test_a_scope_change_with_the_status_unchanged_is_listed(make_summary):
    old = _set(make_summary(), "SEG-CAP-STATIC-20000", in_scope=False, reason="out of scope: heavy off loopback")
    comparison = compare(old, make_summary())
    assert comparison.unchanged == len(old["requirements"])  # NOT_TESTED both times
    assert re.search(r"Scope changed, status unchanged: 1\n  SEG-CAP-STATIC-20000 +MUST +moved into scope",
                     format_comparison(comparison))


def test_pass_to_warn_is_degraded_not_a_regression(make_summary):
    comparison = compare(make_summary(), make_summary({"SEG-METHOD-405": "WARN"}))
    assert not comparison.has_regressions
    assert _ids(comparison.degraded) == [("SEG-METHOD-405", "PASS", "WARN")]


def test_failures_that_now_hold_are_fixes_and_new_coverage_is_listed(make_summary):
    old = make_summary()
    new = make_summary({"SEG-NO-5XX": "PASS", "SEG-DELETE-GONE": "WARN", "SEG-VALIDATION-400": "PASS",
                        "SEG-CAP-STATIC-20000": "FAIL"})
    comparison = compare(old, new)
    assert not comparison.has_regressions  # never tested before: a new failure, not a regression
    assert _ids(comparison.fixes) == [("SEG-DELETE-GONE", "FAIL", "WARN"), ("SEG-VALIDATION-400", "WARN", "PASS"),
                                      ("SEG-NO-5XX", "FAIL", "PASS")]
    assert _ids(comparison.newly_tested) == [("SEG-CAP-STATIC-20000", "NOT_TESTED", "FAIL")]


def test_added_and_removed_requirements_are_named_with_their_status(make_summary):
    old, new = make_summary(), make_summary()
    retired = new["requirements"].pop(next(i for i, r in enumerate(new["requirements"]) if r["id"] == "SEG-METHOD-405"))
    new["requirements"].append(dict(retired, id="SEG-GET-ETAG", status="FAIL"))
    new["counts"].update(PASS=new["counts"]["PASS"] - 1, FAIL=new["counts"]["FAIL"] + 1)
    comparison = compare(old, new)
    assert [(p.id, p.level, p.status) for p in comparison.added] == [("SEG-GET-ETAG", "SHOULD", "FAIL")]
    assert [(p.id, p.level, p.status) for p in comparison.removed] == [("SEG-METHOD-405", "SHOULD", "PASS")]
    assert not comparison.has_regressions
    text = format_comparison(comparison)
    assert "Requirements added: 1\n  SEG-GET-ETAG" in text and "Requirements removed: 1\n  SEG-METHOD-405" in text


def test_a_level_change_is_shown_next_to_the_status_change(make_summary):
    old = make_summary({"SEG-JSON-CONTENT-TYPE": "FAIL"})
    new = make_summary({"SEG-JSON-CONTENT-TYPE": "WARN"})
    next(r for r in new["requirements"] if r["id"] == "SEG-JSON-CONTENT-TYPE")["level"] = "SHOULD"
    comparison = compare(old, new)
    assert [change.id for change in comparison.level_changes] == ["SEG-JSON-CONTENT-TYPE"]
    assert re.search(r"SEG-JSON-CONTENT-TYPE +SHOULD +FAIL -> WARN  \(level MUST -> SHOULD\)", format_comparison(comparison))


# --- what differs besides the results, stated first ------------------------------------------------

def test_different_targets_are_stated_first(make_summary):
    new = make_summary()
    new["target"].update(base_url="https://staging.example.test", embedded_mock=False, faults=[], variants=[])
    text = format_comparison(compare(make_summary(), new))
    assert text.splitlines()[0] == ("targets differ: the embedded mock (--fault soft-delete, --fault long-name-500) "
                                    "-> https://staging.example.test")


def test_two_runs_of_the_same_embedded_mock_are_the_same_target_whatever_its_port(make_summary):
    new = make_summary()
    new["target"]["base_url"] = "http://127.0.0.1:45123"
    assert compare(make_summary(), new).differences == ()


def _changed_document(summary, content=None):
    summary["document"].update(sha256="0" * 64, info_version="v2018-08-02", source="specs/segments-2026.json")
    if content is not None:
        summary["document"]["content"] = content
    return summary


def test_a_changed_document_is_stated_first_with_its_identity(make_summary):
    comparison = compare(make_summary(), _changed_document(make_summary()))
    assert comparison.document is not None
    assert (comparison.document.old_info_version, comparison.document.new_info_version) == ("v2018-08-01", "v2018-08-02")
    assert format_comparison(comparison).splitlines()[0] == (
        "documents differ: sha256 3f2a9c0e5b7d -> 000000000000 "
        "(source bundled -> specs/segments-2026.json; info.version v2018-08-01 -> v2018-08-02)")
    assert not comparison.has_regressions


@pytest.fixture
def stub_diff(monkeypatch):
    """A stand-in for conformance.diff (written on another branch), recording what it was given."""
    calls = []
    module = types.ModuleType("conformance.diff")

    def diff_documents(old, new):
        calls.append((old, new))
        return {"changes": 2}

    def format_diff_summary(result):
        return (f"The contract changed (v2018-08-01 -> v2018-08-02): {result['changes']} changes.\n"
                "  breaks clients: DELETE /v1/segments/{segmentId}: operation removed (endpoint-removed)")

    module.diff_documents, module.format_diff_summary = diff_documents, format_diff_summary
    monkeypatch.setitem(sys.modules, "conformance.diff", module)
    return calls


def test_with_both_documents_the_contract_diff_summary_comes_first(make_summary, stub_diff):
    old = make_summary()
    old["document"]["content"] = {"openapi": "3.0.1", "paths": {"/v1/segments": {}}}
    new = _changed_document(make_summary(), {"openapi": "3.0.1", "paths": {}})
    lines = format_comparison(compare(old, new)).splitlines()
    assert stub_diff == [(old["document"]["content"], new["document"]["content"])]
    assert lines[:3] == [
        "The contract changed (v2018-08-01 -> v2018-08-02): 2 changes.",
        "  breaks clients: DELETE /v1/segments/{segmentId}: operation removed (endpoint-removed)",
        "documents differ: sha256 3f2a9c0e5b7d -> 000000000000 "
        "(source bundled -> specs/segments-2026.json; info.version v2018-08-01 -> v2018-08-02)",
    ]


def test_without_conformance_diff_a_fallback_line_says_the_documents_differ(make_summary, monkeypatch):
    monkeypatch.setitem(sys.modules, "conformance.diff", None)  # `import` raises ImportError
    old = make_summary()
    old["document"]["content"] = {"openapi": "3.0.1", "paths": {}}
    lines = format_comparison(compare(old, _changed_document(make_summary(), {"openapi": "3.0.1", "paths": {}}))).splitlines()
    assert lines[0].startswith("(no contract diff: conformance.diff is not installed")
    assert lines[1].startswith("documents differ: sha256 3f2a9c0e5b7d -> 000000000000")


def test_a_diff_that_cannot_read_the_documents_does_not_stop_the_comparison(make_summary, stub_diff, monkeypatch):
    def broken(old, new):
        raise ValueError("old: not OpenAPI 3.0")

    monkeypatch.setattr(sys.modules["conformance.diff"], "diff_documents", broken)
    old = make_summary()
    old["document"]["content"] = {}
    lines = format_comparison(compare(old, _changed_document(make_summary(), {}))).splitlines()
    assert lines[0] == "(no contract diff: ValueError: old: not OpenAPI 3.0)"
    assert lines[1].startswith("documents differ: sha256")


def test_two_sdk_gate_runs_compare_and_state_the_client_versions(make_sdk_summary):
    old, new = make_sdk_summary("6.1.1"), make_sdk_summary("6.2.0")
    new = _set(new, "SEG-GET-404", status="FAIL")
    comparison = compare(old, new)
    text = format_comparison(comparison)
    assert text.splitlines()[0] == "clients differ: voucherify-python-sdk 6.1.1 -> voucherify-python-sdk 6.2.0"
    assert "new: NONCONFORMANT at 2026-11-22T10:00:00.000Z: client voucherify-python-sdk 6.2.0," in text
    assert _ids(comparison.regressions) == [("SEG-GET-404", "PASS", "FAIL")]
    same = format_comparison(compare(make_sdk_summary(), make_sdk_summary()))
    assert same.splitlines()[0] == "client: voucherify-python-sdk 6.1.1 (both runs)"


def test_the_text_puts_what_differs_then_regressions_first_and_ends_with_the_result(make_summary):
    old = make_summary({"SEG-METHOD-405": "PASS"})
    new = make_summary({"SEG-GET-404": "FAIL", "SEG-DELETE-404": "FAIL", "SEG-METHOD-405": "WARN", "SEG-NO-5XX": "PASS",
                        "SEG-AUTH-401": "NOT_TESTED"})
    text = format_comparison(compare(old, new))
    lines = text.splitlines()
    assert lines[0].startswith("old: NONCONFORMANT at 2026-11-22T10:00:00.000Z: the embedded mock")
    assert text.index("Regressions (held before, FAIL now): 2") < text.index(
        "Regressions: MUST requirements no longer tested") < text.index("Degraded (PASS -> WARN): 1") < text.index("Fixed: 1")
    assert re.search(r"\n  SEG-GET-404 +MUST +PASS -> FAIL\n      1 violation\(s\); first: SEG-GET-404", text)
    assert lines[-1] == "RESULT: 3 regressions (2 held before and fail now; 1 MUST no longer tested)"


def test_real_runs_compare_the_correct_mock_with_soft_delete(real_runs):
    from conformance.report.summary import load_summary

    passing, failing = (load_summary(real_runs[name] / "summary.json") for name in ("pass", "fail"))
    comparison = compare(passing, failing)
    assert ("SEG-DELETE-GONE", "PASS", "FAIL") in _ids(comparison.regressions)
    assert comparison.differences[0] == "targets differ: the embedded mock (no fault) -> the embedded mock (--fault soft-delete)"
    backwards = compare(failing, passing)
    assert not backwards.has_regressions and ("SEG-DELETE-GONE", "FAIL", "PASS") in _ids(backwards.fixes)
