"""The report layer: summary.json (written by conformance.run_reports) -> report.html, and
run-to-run comparison.

Everything here reads summary.json only, so a report can be re-rendered or two runs compared
long after the runs, without touching any target. Import the modules by their own names
(conformance.report.render, .compare, .summary): this package re-exports nothing, so importing
one layer never imports the others (the renderer's jinja2 stays out of a run's start-up).
"""
