"""The report layer: summary.json (written by the plugin) -> report.html, and run-to-run comparison.

Everything here reads summary.json only, so a report can be re-rendered or two runs compared
long after the runs, without touching any target.
"""

from conformance.report.compare import Comparison, compare, format_comparison
from conformance.report.render import render_html, write_html
from conformance.report.summary import SummaryError, load_summary, validate_summary

__all__ = [
    "Comparison",
    "SummaryError",
    "compare",
    "format_comparison",
    "load_summary",
    "render_html",
    "validate_summary",
    "write_html",
]
