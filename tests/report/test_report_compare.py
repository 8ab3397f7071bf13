"""compare(old, new): regressions, degradations, fixes, coverage, added and removed, the document."""

from __future__ import annotations

import re

import pytest

from conformance.report.compare import compare, format_comparison


def _ids(changes):
    return [(change.id, change.old, change.new) for change in changes]


def test_the_same_run_twice_changes_nothing(summary, make_summary):
    comparison = compare(summary, make_summary())
    assert not comparison.has_regressions
    assert comparison.unchanged == len(summary["requirements"])
    assert (comparison.regressions, comparison.fixes, comparison.added, comparison.removed, comparison.document) == (
        (), (), (), (), None)
    assert format_comparison(comparison).endswith("unchanged: 36\nRESULT: no regression")


@pytest.mark.parametrize("before", ["PASS", "WARN"])
def test_a_requirement_that_held_and_now_fails_is_a_regression(make_summary, before):
    old = make_summary({"SEG-GET-404": before})
    new = make_summary({"SEG-GET-404": "FAIL"})
    comparison = compare(old, new)
    assert comparison.has_regressions
    assert _ids(comparison.regressions) == [("SEG-GET-404", before, "FAIL")]
    assert comparison.unchanged == len(new["requirements"]) - 1


def test_pass_to_warn_is_degraded_not_a_regression(make_summary):
    comparison = compare(make_summary(), make_summary({"SEG-METHOD-405": "WARN"}))
    assert not comparison.has_regressions
    assert _ids(comparison.degraded) == [("SEG-METHOD-405", "PASS", "WARN")]


def test_failures_that_now_hold_are_fixes(make_summary):
    old = make_summary()
    new = make_summary({"SEG-NO-5XX": "PASS", "SEG-CREATE-NAME-ECHO": "WARN", "SEG-VALIDATION-400": "PASS"})
    comparison = compare(old, new)
    assert not comparison.has_regressions
    assert _ids(comparison.fixes) == [
        ("SEG-CREATE-NAME-ECHO", "FAIL", "WARN"), ("SEG-VALIDATION-400", "WARN", "PASS"), ("SEG-NO-5XX", "FAIL", "PASS")]


def test_coverage_lost_and_gained_is_listed_apart_from_regressions(make_summary):
    old = make_summary()
    new = make_summary({"SEG-AUTH-401": "NOT_TESTED", "SEG-CAP-STATIC-20000": "FAIL"})
    comparison = compare(old, new)
    assert not comparison.has_regressions  # never tested before: a new failure, not a regression
    assert _ids(comparison.no_longer_tested) == [("SEG-AUTH-401", "PASS", "NOT_TESTED")]
    assert _ids(comparison.newly_tested) == [("SEG-CAP-STATIC-20000", "NOT_TESTED", "FAIL")]


def test_added_and_removed_requirements_are_named_with_their_status(make_summary):
    old, new = make_summary(), make_summary()
    retired = new["requirements"].pop(next(i for i, r in enumerate(new["requirements"]) if r["id"] == "SEG-METHOD-405"))
    new["requirements"].append(dict(retired, id="SEG-GET-ETAG", status="FAIL"))
    new["counts"].update(PASS=new["counts"]["PASS"] - 1, FAIL=new["counts"]["FAIL"] + 1)
    comparison = compare(old, new)
    assert [(p.id, p.level, p.status) for p in comparison.added] == [("SEG-GET-ETAG", "SHOULD", "FAIL")]
    assert [(p.id, p.level, p.status) for p in comparison.removed] == [("SEG-METHOD-405", "SHOULD", "PASS")]
    assert not comparison.has_regressions  # a new requirement that fails has no history to regress from
    text = format_comparison(comparison)
    assert "Requirements added: 1\n  SEG-GET-ETAG" in text and "Requirements removed: 1\n  SEG-METHOD-405" in text


def test_a_changed_contract_document_is_reported(make_summary):
    new = make_summary()
    new["document"].update(sha256="0" * 64, info_version="v2018-08-02")
    comparison = compare(make_summary(), new)
    assert comparison.document is not None
    assert (comparison.document.old_info_version, comparison.document.new_info_version) == ("v2018-08-01", "v2018-08-02")
    assert "document changed: info.version v2018-08-01 -> v2018-08-02, sha256 3f2a9c0e5b7d -> 000000000000" in (
        format_comparison(comparison))
    assert not comparison.has_regressions


def test_a_level_change_is_shown_next_to_the_status_change(make_summary):
    old = make_summary({"SEG-JSON-CONTENT-TYPE": "FAIL"})
    new = make_summary({"SEG-JSON-CONTENT-TYPE": "WARN"})
    next(r for r in new["requirements"] if r["id"] == "SEG-JSON-CONTENT-TYPE")["level"] = "SHOULD"
    comparison = compare(old, new)
    assert [change.id for change in comparison.level_changes] == ["SEG-JSON-CONTENT-TYPE"]
    assert re.search(r"SEG-JSON-CONTENT-TYPE +SHOULD +FAIL -> WARN  \(level MUST -> SHOULD\)", format_comparison(comparison))


def test_a_level_change_alone_is_listed_though_the_status_held(make_summary):
    new = make_summary()
    next(r for r in new["requirements"] if r["id"] == "SEG-METHOD-405")["level"] = "MUST"
    comparison = compare(make_summary(), new)
    assert comparison.unchanged == len(new["requirements"])
    assert re.search(r"Level changed, status unchanged: 1\n  SEG-METHOD-405 +MUST +PASS  \(level SHOULD -> MUST\)",
                     format_comparison(comparison))


def test_the_text_puts_regressions_first_and_ends_with_the_result(make_summary):
    old = make_summary({"SEG-METHOD-405": "PASS"})
    new = make_summary({"SEG-GET-404": "FAIL", "SEG-DELETE-404": "FAIL", "SEG-METHOD-405": "WARN", "SEG-NO-5XX": "PASS"})
    text = format_comparison(compare(old, new))
    lines = text.splitlines()
    assert lines[0].startswith("old: NONCONFORMANT at 2026-11-22T10:00:00.000Z against http://127.0.0.1:4010")
    assert lines[1].startswith("new: NONCONFORMANT")
    assert text.index("Regressions (held before, FAIL now): 2") < text.index("Degraded (PASS -> WARN): 1") < text.index(
        "Fixed: 1")
    assert re.search(r"\n  SEG-GET-404 +MUST +PASS -> FAIL\n      SEG-GET-404: the target's answer", text)
    assert lines[-1] == "RESULT: 2 regressions"
