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


def test_one_error_among_thousands_stays_visible_and_keeps_its_code():
    chart = charts.operations_chart([{"operation": "POST /v1/segments", "statuses": {"200": 5000, "500": 1}}])
    (row,) = chart.rows
    error = row.segments[-1]
    assert (error.name, error.css_class, error.width) == ("500", "code-5xx", charts.MIN_SEGMENT_WIDTH)
    assert sum(segment.width for segment in row.segments) == pytest.approx(charts.BAR_WIDTH)
    assert error.label == ""  # 4px cannot hold text; the tooltip and the table carry it


def test_operation_rows_stack_down_in_order_with_codes_sorted():
    chart = charts.operations_chart([
        {"operation": "POST /v1/segments", "statuses": {"400": 30, "200": 12, "401": 5}},
        {"operation": "DELETE /v1/segments/{segmentId}", "statuses": {"204": 9}},
    ])
    assert [row.label for row in chart.rows] == ["POST /v1/segments", "DELETE /v1/segments/{segmentId}"]
    assert [row.y for row in chart.rows] == [0, charts.ROW_HEIGHT]
    assert chart.height == 2 * charts.ROW_HEIGHT
    assert [segment.name for segment in chart.rows[0].segments] == ["200", "400", "401"]
    assert [segment.css_class for segment in chart.rows[0].segments] == ["code-2xx", "code-4xx", "code-4xx"]


def test_a_segment_too_narrow_for_name_and_count_keeps_the_short_label():
    chart = charts.status_chart({"PASS": 200, "FAIL": 6}, ("PASS", "FAIL"), LABELS)
    fail = chart.rows[0].segments[1]
    assert len("FAIL: 6") * charts.CHAR_WIDTH + 8 > fail.width >= len("6") * charts.CHAR_WIDTH + 8
    assert fail.label == "6"


def test_an_operation_without_responses_draws_an_empty_bar():
    (row,) = charts.operations_chart([{"operation": "GET /v1/segments/{segmentId}", "statuses": {}}]).rows
    assert (row.total, row.segments) == (0, ())
