"""Geometry of the report's bar chart, computed here so the template only draws rectangles.

One horizontal stacked bar: the requirements by status, coloured by status. It is scaled to the full
bar width, because the question a reader asks is "what share"; the exact numbers sit in the banner
and the matrix. (The answers by operation are a plain table: colouring status codes by their class
painted the 401, 404 and 405 that tests ask for as warnings.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

LABEL_WIDTH = 120  # room for "Requirements" at the chart's font size
BAR_X = LABEL_WIDTH + 10
BAR_WIDTH = 560
TOTAL_WIDTH = 70
CHART_WIDTH = BAR_X + BAR_WIDTH + TOTAL_WIDTH
ROW_HEIGHT = 30
BAR_HEIGHT = 22
MIN_SEGMENT_WIDTH = 4  # a single FAIL among hundreds of PASS must stay visible
CHAR_WIDTH = 7.5  # approximate advance of the 12px monospace font, to decide whether a label fits


@dataclass(frozen=True)
class Segment:
    name: str  # the status or status code this segment counts, as the reader knows it
    count: int
    x: float
    width: float
    css_class: str
    label: str  # drawn inside the segment; empty when it does not fit

    @property
    def label_x(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Row:
    label: str
    total: int
    y: float
    segments: tuple[Segment, ...]

    @property
    def bar_y(self) -> float:
        return self.y + (ROW_HEIGHT - BAR_HEIGHT) / 2

    @property
    def text_y(self) -> float:
        return self.y + ROW_HEIGHT / 2


@dataclass(frozen=True)
class Chart:
    title: str
    rows: tuple[Row, ...]
    width: int = CHART_WIDTH
    label_right: float = LABEL_WIDTH
    total_x: float = BAR_X + BAR_WIDTH + 8
    bar_height: int = BAR_HEIGHT

    @property
    def height(self) -> int:
        return max(1, len(self.rows)) * ROW_HEIGHT


def status_chart(counts: Mapping[str, int], statuses: Iterable[str], labels: Mapping[str, str]) -> Chart:
    """One row: how many requirements ended in each status, in the order given."""
    parts = [(labels[status], counts.get(status, 0), f"status-{status}") for status in statuses]
    # Colour and legend already say which status a narrow segment is; its count is what is missing.
    return Chart(title="Requirements by status", rows=(_row("Requirements", parts, y=0, short="count"),))


def _row(label: str, parts: list[tuple[str, int, str]], y: float, short: str) -> Row:
    """`parts` are (name, count, css class); zero counts get no segment. `short` is the label kept
    when "name: count" does not fit: "name" or "count"."""
    shown = [part for part in parts if part[1] > 0]
    widths = _split(BAR_WIDTH, [count for _, count, _ in shown])
    segments, x = [], float(BAR_X)
    for (name, count, css_class), width in zip(shown, widths):
        text = _fitting_label(width, f"{name}: {count}", name if short == "name" else str(count))
        segments.append(Segment(name, count, x, width, css_class, text))
        x += width
    return Row(label=label, total=sum(count for _, count, _ in shown), y=y, segments=tuple(segments))


def _split(width: float, counts: list[int]) -> list[float]:
    """Widths proportional to counts, with every non-zero count at least MIN_SEGMENT_WIDTH wide."""
    total = sum(counts)
    if total == 0:
        return []
    small = [count for count in counts if count * width / total < MIN_SEGMENT_WIDTH]
    rest_width = width - MIN_SEGMENT_WIDTH * len(small)
    rest_total = total - sum(small)
    if rest_total == 0 or rest_width <= 0:  # more segments than the bar has room for: share it out
        return [width / len(counts)] * len(counts)
    return [
        MIN_SEGMENT_WIDTH if count * width / total < MIN_SEGMENT_WIDTH else count * rest_width / rest_total
        for count in counts
    ]


def _fitting_label(width: float, *candidates: str) -> str:
    for candidate in candidates:
        if len(candidate) * CHAR_WIDTH + 8 <= width:
            return candidate
    return ""
