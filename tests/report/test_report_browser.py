"""report.html in a real browser: headless Chromium opens real runs' reports offline at 1280 px,
shows the verdict first and the first failure above the matrix, fits the width, and logs nothing.

Chromium prints every console message (errors, uncaught exceptions, Content-Security-Policy
violations, refused loads) to stderr as an ":INFO:CONSOLE" line under --enable-logging=stderr. Our
page logs nothing on purpose, so any such line is a defect. The first test proves the harness does
see console errors, so "no console line" means something. Measurements come from a second script
the test adds to a copy of the page and allows by hash; it writes them into the title, which
--dump-dom shows.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import struct
import subprocess

import pytest

from conformance.report.render import render_html

CHROMIUM = next((path for name in ("chromium", "chromium-browser") if (path := shutil.which(name))), None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (Debian: apt-get install chromium); it runs the browser tests"
)
CONSOLE_LINE = re.compile(r"^\[[^\]]*:CONSOLE[(:].*$", re.MULTILINE)
WINDOW = (1280, 2000)
MEASURE = """
(function () {
var page = document.documentElement, matrix = document.getElementById("matrix");
var clipped = Array.prototype.filter.call(
  document.querySelectorAll("#matrix td, #tests-table td, #operations-table td, .facts dd, .verdict li, .finding p"),
  function (cell) { return cell.scrollWidth > cell.clientWidth + 1; }).length;
var topOf = function (element) { return element ? Math.round(element.getBoundingClientRect().top + window.scrollY) : -1; };
document.title = JSON.stringify({
  pageWidth: page.scrollWidth, viewport: window.innerWidth, matrixWidth: matrix.scrollWidth,
  matrixBox: matrix.parentElement.clientWidth, clipped: clipped, height: page.scrollHeight,
  firstProblem: topOf(document.querySelector("#failures .problem")), matrixTop: topOf(matrix),
  copyButtonsShown: document.querySelectorAll("button[data-copy]:not([hidden])").length,
  copyButtons: document.querySelectorAll("button[data-copy]").length
});
})();
""".strip()


def run_chromium(tmp_path, page, *action: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            # Belt and braces: the page loads nothing, and the browser could not resolve a host if it tried.
            "--host-resolver-rules=MAP * ~NOTFOUND", "--no-proxy-server",
            f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
            f"--window-size={WINDOW[0]},{WINDOW[1]}", "--hide-scrollbars",
            *action, page.as_uri(),
        ],
        capture_output=True, text=True, timeout=120, check=False,
    )


def console_lines(result: subprocess.CompletedProcess) -> list[str]:
    return CONSOLE_LINE.findall(result.stderr)


def with_script(html: str, script: str) -> str:
    """The page with one more script, allowed by its hash next to ours."""
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    html = html.replace("script-src 'sha256-", f"script-src 'sha256-{digest}' 'sha256-", 1)
    return html.replace("</body>", f"<script>{script}</script></body>")


def test_the_harness_sees_console_errors_and_policy_violations(tmp_path):
    broken = tmp_path / "broken.html"
    broken.write_text(
        "<!DOCTYPE html><meta charset='utf-8'><p>broken on purpose</p>"
        "<script>console.error('deliberate console error'); notDefinedAnywhere();</script>",
        encoding="utf-8",
    )
    logged = "\n".join(console_lines(run_chromium(tmp_path, broken, "--dump-dom")))
    assert "deliberate console error" in logged
    assert "Uncaught ReferenceError: notDefinedAnywhere is not defined" in logged

    # A script whose hash the page's policy does not list is blocked, and says so: the report's
    # own script would be reported the same way if its pinned hash were wrong.
    blocked = tmp_path / "blocked.html"
    blocked.write_text(
        "<!DOCTYPE html><meta http-equiv='Content-Security-Policy' content=\"script-src 'sha256-AAAA'\">"
        "<script>document.title = 'ran';</script>",
        encoding="utf-8",
    )
    logged = "\n".join(console_lines(run_chromium(tmp_path, blocked, "--dump-dom")))
    assert "violates the following Content Security Policy directive" in logged


def _png_size(path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


@pytest.mark.parametrize("run", ["fail", "pass"])
def test_a_real_runs_report_screenshots_at_1280_and_logs_nothing(tmp_path, real_runs, run):
    shot = tmp_path / f"report-{run}.png"
    result = run_chromium(tmp_path, real_runs[run] / "report.html", f"--screenshot={shot}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert console_lines(result) == []
    assert shot.is_file() and _png_size(shot) == WINDOW


def test_the_failing_report_opens_with_the_verdict_and_the_first_failure_above_the_matrix(tmp_path, real_runs):
    summary = json.loads((real_runs["fail"] / "summary.json").read_text(encoding="utf-8"))
    first_failed = next(r["id"] for r in summary["requirements"] if r["status"] == "FAIL")
    result = run_chromium(tmp_path, real_runs["fail"] / "report.html", "--dump-dom")
    assert result.returncode == 0 and console_lines(result) == []
    dom = result.stdout
    assert re.search(r'<body>\s*<header class="verdict verdict-NONCONFORMANT" id="verdict">', dom)
    matrix = dom.index('id="matrix"')
    assert dom.index(f'href="#problem-{first_failed}">{first_failed}</a>') < dom.index('id="failures"') < matrix
    assert dom.index(f'id="problem-{first_failed}"') < matrix
    # Our script ran (the policy let it): the filter and the copy buttons are shown, hidden without it.
    assert '<div class="filters" id="filters" role="group" aria-label="Show requirements with status">' in dom
    assert re.search(r'<button type="button" class="copy" data-copy="script-finding-\d+">Copy script</button>', dom)


def test_the_passing_report_opens_green_with_no_failure(tmp_path, real_runs):
    summary = json.loads((real_runs["pass"] / "summary.json").read_text(encoding="utf-8"))
    assert summary["verdict"] == "CONFORMANT"
    dom = run_chromium(tmp_path, real_runs["pass"] / "report.html", "--dump-dom").stdout
    assert re.search(r'<body>\s*<header class="verdict verdict-CONFORMANT" id="verdict">', dom)
    assert 'id="failed-requirements"' not in dom


@pytest.mark.parametrize("run", ["fail", "pass"])
def test_the_report_fits_1280_px_without_clipping_and_puts_the_failures_in_the_first_screen(tmp_path, real_runs, run):
    page = tmp_path / "measured.html"
    page.write_text(with_script((real_runs[run] / "report.html").read_text(encoding="utf-8"), MEASURE), encoding="utf-8")
    result = run_chromium(tmp_path, page, "--dump-dom")
    assert console_lines(result) == []
    measured = json.loads(re.search(r"<title>(.*?)</title>", result.stdout).group(1).replace("&quot;", '"'))
    assert measured["pageWidth"] <= measured["viewport"] == WINDOW[0]  # no horizontal scroll
    assert measured["matrixWidth"] <= measured["matrixBox"]
    assert measured["clipped"] == 0
    assert measured["copyButtons"] > 0 and measured["copyButtonsShown"] == measured["copyButtons"]
    if measured["firstProblem"] != -1:
        assert measured["firstProblem"] < WINDOW[1] // 2 < measured["matrixTop"]


def test_markup_in_a_response_stays_text_in_the_browser(tmp_path, summary):
    page = tmp_path / "report.html"
    page.write_text(render_html(summary), encoding="utf-8")
    result = run_chromium(tmp_path, page, "--dump-dom")
    assert result.returncode == 0 and console_lines(result) == []
    assert "&lt;script&gt;alert(\"pwned\")&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in result.stdout
    assert "<img" not in result.stdout


def test_the_status_filter_shows_only_the_rows_asked_for(tmp_path, summary):
    click = "document.querySelector('button[data-filter=\"FAIL\"]').click();"
    page = tmp_path / "clicked.html"
    page.write_text(with_script(render_html(summary), click), encoding="utf-8")
    result = run_chromium(tmp_path, page, "--dump-dom")
    assert console_lines(result) == []
    rows = re.findall(r'<tr id="req-([A-Z0-9-]+)" class="[^"]*" data-status="([A-Z_]+)"( hidden="")?>', result.stdout)
    assert len(rows) == len(summary["requirements"])
    shown = [requirement_id for requirement_id, status, hidden in rows if not hidden]
    assert shown == [r["id"] for r in summary["requirements"] if r["status"] == "FAIL"]
    assert '<button type="button" data-filter="FAIL" aria-pressed="true">' in result.stdout
