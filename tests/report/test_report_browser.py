"""report.html in a real browser: headless Chromium opens it offline, shows the verdict, logs nothing.

Chromium prints every console message (errors, uncaught exceptions, Content-Security-Policy
violations, refused loads) to stderr as an ":INFO:CONSOLE" line under --enable-logging=stderr. Our
page logs nothing on purpose, so any such line is a defect. The first test proves the harness does
see console errors, so "no console line" means something.
"""

from __future__ import annotations

import base64
import hashlib
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
    # filter script would be reported the same way if its pinned hash were wrong.
    blocked = tmp_path / "blocked.html"
    blocked.write_text(
        "<!DOCTYPE html><meta http-equiv='Content-Security-Policy' content=\"script-src 'sha256-AAAA'\">"
        "<script>document.title = 'ran';</script>",
        encoding="utf-8",
    )
    logged = "\n".join(console_lines(run_chromium(tmp_path, blocked, "--dump-dom")))
    assert "violates the following Content Security Policy directive" in logged


@pytest.fixture
def report(tmp_path, summary):
    page = tmp_path / "report.html"
    page.write_text(render_html(summary), encoding="utf-8")
    return page


def test_the_report_opens_offline_shows_the_verdict_and_logs_nothing(tmp_path, report, summary):
    result = run_chromium(tmp_path, report, "--dump-dom")
    assert result.returncode == 0, result.stderr[-2000:]
    assert console_lines(result) == []
    dom = result.stdout
    assert re.search(r'<header class="verdict verdict-NONCONFORMANT" id="verdict">\s*<div>\s*<div class="verdict-line">\s*'
                     r'<span class="verdict-word">NONCONFORMANT</span>', dom)
    for requirement in summary["requirements"]:
        assert f'id="req-{requirement["id"]}"' in dom
    # Our script ran (the policy let it): it shows the filter buttons, which are hidden without it.
    assert '<div class="filters" id="filters" role="group" aria-label="Show requirements with status">' in dom
    # The injected markup stayed text: the browser built no element from it.
    assert "&lt;script&gt;alert(\"pwned\")&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in dom
    assert "<img" not in dom


def test_the_status_filter_shows_only_the_rows_asked_for(tmp_path, summary):
    # Click "FAIL" the way a reader would, from a second script the test adds and allows by hash.
    click = "document.querySelector('button[data-filter=\"FAIL\"]').click();"
    digest = base64.b64encode(hashlib.sha256(click.encode()).digest()).decode()
    html = render_html(summary).replace("script-src 'sha256-", f"script-src 'sha256-{digest}' 'sha256-", 1)
    page = tmp_path / "clicked.html"
    page.write_text(html.replace("</body>", f"<script>{click}</script></body>"), encoding="utf-8")
    result = run_chromium(tmp_path, page, "--dump-dom")
    assert console_lines(result) == []
    rows = re.findall(r'<tr id="req-([A-Z0-9-]+)" class="[^"]*" data-status="([A-Z_]+)"( hidden="")?>', result.stdout)
    assert len(rows) == len(summary["requirements"])
    shown = [requirement_id for requirement_id, status, hidden in rows if not hidden]
    assert shown == [r["id"] for r in summary["requirements"] if r["status"] == "FAIL"]
    assert '<button type="button" data-filter="FAIL" aria-pressed="true">' in result.stdout


def test_the_report_screenshot_is_a_full_window_png(tmp_path, report):
    shot = tmp_path / "report.png"
    result = run_chromium(tmp_path, report, f"--screenshot={shot}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert console_lines(result) == []
    header = shot.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", header[16:24]) == WINDOW
