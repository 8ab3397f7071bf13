"""Chart geometry: bars fill their width, small counts stay visible, labels only where they fit."""

from __future__ import annotations

import pytest

from conformance.report import charts

STATUSES = ("PASS", "FAIL", "WARN", "NOT_TESTED", "OBSERVED")
LABELS = {"PASS": "PASS", "FAIL": "FAIL", "WARN": "WARN", "NOT_TESTED": "NOT TESTED", "OBSERVED": "OBSERVED"}


def test_the_status_bar_has_one_segment_per_non_zero_status_filling_the_bar():
    chart = charts.status_chart({"PASS": 28, "FAIL": 2, "WARN": 0, "NOT_TESTED": 3, "OBSERVED": 2}, STATUSES, LABELS)
    (row,) = chart.rows
    assert [(segment.name, segment.count) for segment in row.segments] == [
        ("PASS", 28), ("FAIL", 2), ("NOT TESTED", 3), ("OBSERVED", 2)]
    assert row.total == 35
    assert row.segments[0].x == charts.BAR_X
    for left, right in zip(row.segments, row.segments[1:]):
        assert right.x == pytest.approx(left.x + left.width)
    assert sum(segment.width for segment in row.segments) == pytest.approx(charts.BAR_WIDTH)
    assert row.segments[0].label == "PASS: 28"


def test_one_failure_among_hundreds_stays_visible():
    chart = charts.status_chart({"PASS": 5000, "FAIL": 1}, ("PASS", "FAIL"), LABELS)
    (row,) = chart.rows
    failure = row.segments[-1]
    assert (failure.name, failure.css_class, failure.width) == ("FAIL", "status-FAIL", charts.MIN_SEGMENT_WIDTH)
    assert sum(segment.width for segment in row.segments) == pytest.approx(charts.BAR_WIDTH)
    assert failure.label == ""  # 4px cannot hold text; the tooltip and the banner carry it


def test_a_segment_too_narrow_for_name_and_count_keeps_the_short_label():
    chart = charts.status_chart({"PASS": 200, "FAIL": 6}, ("PASS", "FAIL"), LABELS)
    fail = chart.rows[0].segments[1]
    assert len("FAIL: 6") * charts.CHAR_WIDTH + 8 > fail.width >= len("6") * charts.CHAR_WIDTH + 8
    assert fail.label == "6"


def test_no_requirement_draws_an_empty_bar():
    (row,) = charts.status_chart({}, STATUSES, LABELS).rows
    assert (row.total, row.segments) == (0, ())


def test_status_codes_get_no_chart_coloured_by_their_class():
    assert not hasattr(charts, "operations_chart")
