"""report.html: what a QA lead reads first, what it escapes and masks, and that it needs nothing but itself."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest

from conformance.report.render import TESTS_LISTED, build_view, inline_markdown, render_html, write_html
from conformance.report.summary import SummaryError

VOID_ELEMENTS = {"meta", "link", "img", "br", "hr", "input", "source", "wbr", "col"}
INLINE_ELEMENTS = {"a", "code", "span", "strong", "em", "b", "i", "small", "kbd"}  # no space at their edges


class Element:
    def __init__(self, tag: str, attrs: dict[str, str | None], parents: tuple[Element, ...], index: int):
        self.tag, self.attrs, self.parents, self.chunks, self.index = tag, attrs, parents, [], index

    @property
    def text(self) -> str:
        return " ".join("".join(self.chunks).split())

    @property
    def raw_text(self) -> str:
        return "".join(self.chunks)

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())


class Page(HTMLParser):
    """The rendered HTML as a flat list of elements in document order, each knowing all the text inside it.

    Every tag boundary but an inline element's counts as a space, as it reads on screen:
    <dt>Seed</dt><dd>1234</dd> is "Seed 1234", (<code>x</code>) is "(x)".
    """

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag not in INLINE_ELEMENTS:
            self.handle_data(" ")
        element = Element(tag, dict(attrs), tuple(self._open), len(self.elements))
        self.elements.append(element)
        if tag not in VOID_ELEMENTS:
            self._open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.elements.append(Element(tag, dict(attrs), tuple(self._open), len(self.elements)))

    def handle_endtag(self, tag):
        while self._open and self._open.pop().tag != tag:
            pass
        if tag not in INLINE_ELEMENTS:
            self.handle_data(" ")

    def handle_data(self, data):
        for element in self._open:
            element.chunks.append(data)

    def by_id(self, element_id: str) -> Element:
        (element,) = [element for element in self.elements if element.attrs.get("id") == element_id]
        return element

    def find(self, tag: str, css_class: str | None = None, within: Element | None = None) -> list[Element]:
        return [
            e for e in self.elements
            if e.tag == tag and (css_class is None or css_class in e.classes) and (within is None or within in e.parents)
        ]


@pytest.fixture
def page(summary) -> Page:
    return Page(render_html(summary))


def _requirement(summary, requirement_id):
    return next(r for r in summary["requirements"] if r["id"] == requirement_id)


# --- the verdict banner -------------------------------------------------------------------------

def test_the_verdict_banner_opens_the_page_and_links_each_failed_requirement(summary, page):
    body_start = [element.tag for element in page.elements].index("body")
    header = page.elements[body_start + 1]
    assert header.attrs["id"] == "verdict" and "verdict-NONCONFORMANT" in header.classes
    assert header.text.startswith("NONCONFORMANT exit code 1 Scope: " + summary["scope"]["text"])
    assert "2 requirements failed (MUST):" in header.text
    failed = page.find("li", within=page.by_id("failed-requirements"))
    assert [item.text.split(" ")[0] for item in failed] == ["SEG-DELETE-GONE", "SEG-NO-5XX"]
    for item in failed:
        (link,) = page.find("a", within=item)
        target = page.by_id(link.attrs["href"][1:])  # the failure itself, with its evidence
        assert target.tag == "article" and link.text in target.text
    assert "SEG-DELETE-GONE (MUST): expected 404 for a deleted segment, get answered 200" in header.text
    warned = page.by_id("warned-requirements")
    assert warned.text.startswith("SEG-VALIDATION-400 (SHOULD): expected 400")
    assert "1 SHOULD requirement not met: a warning, not a failure (--strict would make it fail)" in header.text
    # A failing run that also left something untested says so, with the requirement linked.
    assert "Besides the failures: 1 requirement(s) in scope not tested: SEG-CAP-STATIC-20000" in header.text
    assert [a.attrs["href"] for a in page.find("a", within=page.by_id("causes"))] == ["#req-SEG-CAP-STATIC-20000"]


def test_the_banner_carries_the_facts_of_the_run(summary, page):
    header = page.by_id("verdict")
    for expected in (
        "Target http://127.0.0.1:4010 (embedded mock)", "Mock faults soft-delete, long-name-500",
        "Document bundled · v2018-08-01 · sha256 " + summary["document"]["sha256"][:12], "Seed 1234",
        "Duration 12.3 s", f"Requests sent {summary['run']['requests_sent']}", "Run tag sc02d4o4",
        "Depth quick, 20 examples per operation", "Strict no", "Tool segments-conformance 0.1.0",
        "Requirements: {PASS} pass · {FAIL} fail · {WARN} warn · {NOT_TESTED} not tested · {OBSERVED} observed.".format(
            **summary["counts"]),
    ):
        assert expected in header.text
    assert summary["document"]["sha256"] not in header.text  # the short form; the full one is in the details


def test_an_incomplete_run_names_each_cause_and_every_untested_requirement(make_summary):
    statuses = {"SEG-DELETE-GONE": "PASS", "SEG-NO-5XX": "PASS", "SEG-VALIDATION-400": "PASS",
                **{rid: "NOT_TESTED" for rid in ("SEG-GET-200", "SEG-GET-404", "SEG-DELETE-404", "SEG-AUTH-401",
                                                 "SEG-AUTH-FIRST", "SEG-METHOD-405")}}
    summary = make_summary(statuses)
    summary["run"].update(max_requests=177)  # spent exactly: said as a cause of its own
    assert summary["verdict"] == "INCOMPLETE"
    page = Page(render_html(summary))
    header = page.by_id("verdict")
    assert "verdict-INCOMPLETE" in header.classes
    causes = [item.text for item in page.find("li", within=page.by_id("causes"))]
    assert causes[0] == "the request budget was spent: 177 of 177 requests (--max-requests)"
    assert causes[1].startswith("7 requirement(s) in scope not tested: SEG-GET-200")
    assert causes[2].startswith("The 7 requirements in scope left untested")
    assert {a.attrs["href"] for a in page.find("a", within=page.by_id("causes"))} >= {
        f"#req-{rid}" for rid in statuses if statuses[rid] == "NOT_TESTED"}


def test_an_interrupted_run_is_never_green(make_summary):
    summary = make_summary({"SEG-DELETE-GONE": "PASS", "SEG-NO-5XX": "PASS", "SEG-VALIDATION-400": "PASS",
                            "SEG-CAP-STATIC-20000": "PASS"})
    assert summary["verdict"] == "CONFORMANT"
    summary["run"]["interrupted"] = "SIGTERM"
    header = Page(render_html(summary)).by_id("verdict")
    assert "verdict-INCOMPLETE" in header.classes and "verdict-CONFORMANT" not in header.classes
    assert header.text.startswith("INCOMPLETE")
    assert "The summary says CONFORMANT, but the run was interrupted (SIGTERM)" in header.text
    assert "interrupted by SIGTERM: the run did not finish" in header.text


@pytest.mark.parametrize(("verdict", "exit_code"), [("CONFORMANT", 0), ("INCOMPLETE", 2), ("NONCONFORMANT", 1)])
def test_each_verdict_gets_its_own_colour(make_summary, verdict, exit_code):
    summary = make_summary()
    summary.update(verdict=verdict, exit_code=exit_code)
    header = Page(render_html(summary)).by_id("verdict")
    assert f"verdict-{verdict}" in header.classes
    assert header.text.startswith(f"{verdict} exit code {exit_code}")


def test_risks_are_flagged_and_faults_shown_only_for_the_embedded_mock(summary):
    summary["target"].update(base_url="https://sandbox.example.test", embedded_mock=False, faults=[], insecure=True)
    summary["run"]["left_behind"] = ["seg_left1", "seg_left2"]
    page = Page(render_html(summary))
    header = page.by_id("verdict")
    assert "Mock faults" not in header.text and "embedded mock" not in header.text
    assert [element.text for element in page.find("div", "fact-warning")] == [
        "TLS verification OFF (--insecure)", "Left behind 2 segment(s) this run created: seg_left1, seg_left2"]


# --- reading order ------------------------------------------------------------------------------

def test_failures_come_first_then_the_matrix_operations_tests_and_the_run(page):
    order = [page.by_id(section).index for section in
             ("verdict", "failures", "requirements", "operations", "tests", "observations", "run")]
    assert order == sorted(order)
    problems = page.find("article", "problem", within=page.by_id("failures"))
    assert [p.attrs["id"] for p in problems] == ["problem-SEG-DELETE-GONE", "problem-SEG-NO-5XX",
                                                 "problem-SEG-VALIDATION-400"]  # FAIL, then WARN


# --- a failure: what led to it, and how to reproduce it -----------------------------------------

def test_a_failure_shows_the_sequence_of_exchanges_that_led_to_it(summary, page):
    problem = page.by_id("problem-SEG-DELETE-GONE")
    assert problem.text.startswith("FAIL SEG-DELETE-GONE MUST 3 violations row in the matrix")
    steps = page.find("li", "step", within=problem)[:3]  # the first finding's
    assert [re.sub(r" \d+\.\d ms$", "", step.text.split(" Request ")[0]) for step in steps] == [
        "#101 POST /v1/segments → 200",
        "#102 DELETE /v1/segments/seg_1a2B3c4D5e6F7g8H9i0J → 204",
        "#103 GET /v1/segments/seg_1a2B3c4D5e6F7g8H9i0J → 200 FAIL here",
    ]
    assert "culprit" in steps[2].classes and "culprit" not in steps[0].classes
    (opened,) = [d for d in page.find("details", within=steps[2]) if "open" in d.attrs]
    assert "Response HTTP 200 (2.4 ms) content-type: application/json" in opened.text
    assert "Request POST http://127.0.0.1:4010/v1/segments User-Agent" in steps[0].text
    assert "X-App-Id: *** X-App-Token: ***" in steps[0].text
    assert "2 more findings of this requirement are not kept in the summary; run.har" in problem.text


def test_the_reproduction_script_is_runnable_never_stars(summary, page):
    problem = page.by_id("problem-SEG-DELETE-GONE")
    (script,) = [pre for pre in page.find("pre", "script", within=problem)]
    text = script.raw_text
    assert "***" not in text
    assert '"X-App-Id: $VOUCHERIFY_APP_ID"' in text and '"X-App-Token: $VOUCHERIFY_APP_TOKEN"' in text
    assert 'BASE_URL=${BASE_URL:-http://127.0.0.1:4010}' in text
    assert "#   conformance mock --port 4010 --fault soft-delete --fault long-name-500" in text
    # The id the create answered is captured and used where the run used it: a fresh server works.
    assert "capture SEGMENT_1" in text
    assert '-X DELETE "${BASE_URL}"/v1/segments/"${SEGMENT_1}"' in text
    assert "seg_1a2B3c4D5e6F7g8H9i0J" not in text
    copy = next(b for b in page.find("button", within=problem) if b.attrs.get("data-copy") == script.attrs["id"])
    assert "hidden" in copy.attrs  # shown by the script only


def test_each_finding_has_the_command_that_reruns_only_its_test(summary, page):
    problem = page.by_id("problem-SEG-DELETE-GONE")
    (command, *_) = page.find("pre", "command", within=problem)
    nodeid = _requirement(summary, "SEG-DELETE-GONE")["evidence"][0]["test"]
    assert command.text == ("conformance run --fault soft-delete --fault long-name-500 --max-examples 20 --seed 1234 "
                            "-k 'test_delete_gone[Café and Zürich and 東京 and segment]' "
                            "--report-dir reports/rerun")
    assert nodeid.startswith("test_scenarios.py::test_delete_gone[")


def test_generic_requirements_and_many_tests_stay_compact(summary, page):
    many = page.by_id("req-SEG-CREATE-STATIC-200")
    (details,) = page.find("details", "tests-list", within=many)
    assert details.text.startswith("36 tests")
    assert len(page.find("a", within=details)) == 36
    assert [a for a in page.find("a", within=many) if details not in a.parents] == []
    generic = page.by_id("req-SEG-NO-5XX")
    assert "Every answer (a generic check), and 1 test aimed at it" in generic.text
    few = page.by_id("req-SEG-GET-404")
    assert len(page.find("a", within=few)) <= TESTS_LISTED and page.find("details", "tests-list", within=few) == []


# --- the matrix ---------------------------------------------------------------------------------

def test_every_requirement_has_a_row_and_out_of_scope_rows_stand_apart(summary, page):
    (in_scope, out_of_scope) = page.find("tbody", within=page.by_id("matrix"))
    assert "out-of-scope" in out_of_scope.classes and "out-of-scope" not in in_scope.classes
    left_out = sum(not requirement["in_scope"] for requirement in summary["requirements"])
    assert out_of_scope.text.startswith(f"Out of scope ({left_out}): left out on purpose, outside the verdict")
    for requirement in summary["requirements"]:
        row = page.by_id(f"req-{requirement['id']}")
        assert row.attrs["data-status"] == requirement["status"]
        assert (out_of_scope if not requirement["in_scope"] else in_scope) in row.parents
        assert row.text.startswith(f"{requirement['id']} {requirement['level']} {requirement['status'].replace('_', ' ')}")
        assert " ".join(requirement["text"].replace("`", "").split()) in row.text
        if not requirement["in_scope"]:
            assert "out of scope" in row.text and requirement["reason"] in row.text
            assert row.text.endswith("nothing: out of scope")  # not "every answer", even for a generic one


def test_not_tested_rows_say_why(summary, page):
    row = page.by_id("req-SEG-CAP-STATIC-20000")
    assert "heavy scenario left out: it sends 20,000-customer bodies (run it with --include-heavy)" in row.text


def test_failing_rows_link_to_their_failure_and_every_link_lands(summary, page):
    ids = {element.attrs["id"] for element in page.elements if "id" in element.attrs}
    links = [element.attrs["href"] for element in page.find("a")]
    assert links and all(link.startswith("#") for link in links)
    assert {link[1:] for link in links} <= ids
    row = page.by_id("req-SEG-DELETE-GONE")
    assert "#problem-SEG-DELETE-GONE" in [a.attrs["href"] for a in page.find("a", within=row)]


def test_ambiguities_are_marked_on_their_own_requirements(summary, page):
    ambiguous = [requirement for requirement in summary["requirements"] if requirement["ambiguity"]]
    assert ambiguous, "the catalogue has ambiguity notes; the fixture should carry them"
    assert len(page.find("details", "ambiguity")) == len(ambiguous)
    for requirement in ambiguous:
        (details,) = page.find("details", "ambiguity", within=page.by_id(f"req-{requirement['id']}"))
        assert details.text.startswith("⚠ Ambiguous in the vendor's document")


# --- text: Markdown code spans, whole titles ----------------------------------------------------

def test_backticks_become_code_escaped_first():
    assert inline_markdown("use `--strict` or `<b>x</b>`") == (
        "use <code>--strict</code> or <code>&lt;b&gt;x&lt;/b&gt;</code>")
    assert inline_markdown("a lone ` stays & is escaped <i>") == "a lone ` stays &amp; is escaped &lt;i&gt;"


def test_markdown_in_the_summary_is_rendered_as_code_not_raw(summary):
    html = render_html(summary)
    assert "<code>--include-heavy</code>" in html and "`--include-heavy`" not in html.split("<pre")[0]
    assert "<code>name</code> and <code>type</code>" in html


def test_test_titles_are_whole(summary, page):
    anchors = {test["nodeid"]: test["anchor"] for test in build_view(summary)["tests"]}
    for test in summary["tests"]:
        if test["outcome"] != "deselected":
            row = page.by_id(anchors[test["nodeid"]])
            assert " ".join(test["name"].replace("`", "").split()) in row.text


def test_failed_tests_come_first_and_passed_ones_fold_away(summary, page):
    rows = page.find("tr", within=page.by_id("tests-table"))[1:]
    outcomes = [next(td for td in page.find("td", within=row) if any(c.startswith("outcome-") for c in td.classes)).text
                for row in rows]
    assert outcomes == ["failed", "failed", "skipped"]
    (folded,) = page.find("details", "passed-tests")
    passed = [t for t in summary["tests"] if t["outcome"] == "passed"]
    assert folded.text.startswith(f"{len(passed)} tests passed")
    assert len(page.find("tr", within=page.by_id("passed-tests-table"))) == len(passed) + 1
    deselected = sum(test["outcome"] == "deselected" for test in summary["tests"])
    assert page.by_id("tests").text.startswith(f"Tests {len(passed) + 3} tests: 2 failed, 1 skipped, {len(passed)} passed; "
                                               f"{deselected} not selected (listed at the end).")


# --- operations: counts that agree with the header, colours that do not judge ---------------------

def test_the_operations_table_agrees_with_the_header_and_says_what_is_outside_tests(summary, page):
    section = page.by_id("operations")
    answered = sum(sum(operation["statuses"].values()) for operation in summary["operations"])
    in_tests = sum(len(test["exchanges"]) for test in summary["tests"])
    assert (f"The table counts the {answered} answers the run received, by operation and status code. "
            f"{in_tests} of them came to tests' own requests; the other {answered - in_tests} are outside any test "
            f"(cleanup after each test and at the end). That is every request sent: the header's "
            f"{summary['run']['requests_sent']}.") in section.text
    rows = [row.text for row in page.find("tr", within=section)]
    assert rows[0] == "Operation 200 204 400 401 404 405 415 422 500 Total"
    assert rows[1] == "POST /v1/segments 41 37 6 4 3 1 92"
    assert rows[-1] == f"All operations {answered}"
    (undocumented,) = [row for row in page.find("tr", within=section) if "undocumented" in row.classes]
    assert undocumented.text.startswith("PUT /v1/segments")


def test_unanswered_requests_are_explained(summary):
    summary["run"]["requests_sent"] += 3
    text = Page(render_html(summary)).by_id("operations").text
    assert f"The header's {summary['run']['requests_sent']} requests sent include 3 that got no answer" in text


def test_expected_client_errors_are_not_drawn_as_warnings(summary, page):
    section = page.by_id("operations")
    coloured = [e for e in page.elements if section in e.parents and any(
        c.startswith(("status-", "code-", "severity-")) for c in e.classes)]
    assert coloured == []
    assert ".code-4xx" not in render_html(summary)


# --- the run's details --------------------------------------------------------------------------

def test_the_document_identity_and_the_options_with_their_source_are_shown(summary, page):
    run = page.by_id("run")
    for expected in ("Source bundled", f"sha256 {summary['document']['sha256']}", "info.version v2018-08-01",
                     "POST /v1/segments (create-segment)", "DELETE /v1/segments/{segmentId} (delete-segment)",
                     "⚠ action 3 ($.paths['/v1/segments'].get) matched nothing"):
        assert expected in run.text
    rows = [row.text for row in page.find("tr", within=page.by_id("options"))]
    assert rows == ["Option Value From", "--fault soft-delete, long-name-500 command line",
                    "--max-examples 20 environment", "--report-dir reports/nightly pyproject.toml"]
    assert page.by_id("rerun-all").text == (
        "conformance run --fault soft-delete --fault long-name-500 --max-examples 20 --seed 1234")
    assert page.by_id("mock-command").text == "conformance mock --port 4010 --fault soft-delete --fault long-name-500"


def test_an_sdk_gate_summary_names_its_client(make_sdk_summary):
    page = Page(render_html(make_sdk_summary()))
    assert "Client voucherify-python-sdk 6.1.1" in page.by_id("verdict").text
    assert "Client under test voucherify-python-sdk 6.1.1" in page.by_id("run").text
    problem = page.by_id("problem-SEG-DELETE-GONE")
    assert "Minimal example" in problem.text and page.find("pre", "script", within=problem) == []  # no curl for a client
    assert page.find("pre", "command", within=problem)[0].text.startswith("conformance sdk ")


def test_an_empty_run_renders_its_empty_sections(summary):
    summary.update(tests=[], operations=[], exchanges={})
    for requirement in summary["requirements"]:
        requirement.update(evidence=[], tests=[])
    page = Page(render_html(summary))
    assert "The run recorded no responses." in page.by_id("operations").text
    assert "No tests ran." in page.by_id("tests").text
    assert page.by_id("problem-SEG-DELETE-GONE").text.endswith("not kept in the summary; run.har next to it has every exchange.")


def test_non_ascii_text_survives(summary):
    html = render_html(summary)
    assert '<meta charset="utf-8">' in html
    assert "Café ☕ Zürich — 東京 segment" in html
    assert "Ungültige Nutzlast" in html


# --- safety: escaping, masking, no network ------------------------------------------------------

def test_markup_in_a_response_body_is_shown_as_text_never_as_markup(summary):
    html = render_html(summary)
    page = Page(html)
    assert '<script>alert("pwned")</script>' not in html
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert '<script>alert("pwned")</script><img src=x onerror=alert(1)>' in page.by_id("failures").text
    assert page.find("img") == []
    assert [name for e in page.elements for name in e.attrs if name.startswith("on")] == []


def test_markup_inside_backticks_stays_text(summary):
    _requirement(summary, "SEG-GET-404")["text"] = "answers `<img src=x onerror=alert(1)>` never"
    page = Page(render_html(summary))
    assert page.find("img") == []
    assert "answers <img src=x onerror=alert(1)> never" in page.by_id("req-SEG-GET-404").text


def test_the_only_script_is_ours_and_the_page_policy_pins_it_by_hash(page):
    (script,) = page.find("script")
    (policy,) = [m.attrs["content"] for m in page.find("meta") if m.attrs.get("http-equiv") == "Content-Security-Policy"]
    digest = base64.b64encode(hashlib.sha256("".join(script.chunks).encode("utf-8")).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy
    assert "default-src 'none'" in policy
    assert "hidden" in page.by_id("filters").attrs  # shown by the script; useless without it


def test_the_page_references_nothing_outside_itself(summary):
    html = render_html(summary)
    page = Page(html)
    urls = re.findall(r"https?://[^\s'\"<&]*", html)
    assert urls, "the target URL is shown"
    assert all(url.startswith(summary["target"]["base_url"]) for url in urls), urls
    assert [e.tag for e in page.elements if "src" in e.attrs] == []
    assert [e.attrs["href"] for e in page.find("link")] == ["data:,"]
    assert "url(" not in html and "@import" not in html


def test_secrets_that_slipped_through_are_masked_again(summary):
    exchange = summary["exchanges"]["101"]
    exchange["request"]["headers"].update({"X-App-Token": "LEAK-token", "x-app-id": "LEAK-id",
                                           "Authorization": "Bearer LEAK-bearer", "Cookie": "session=LEAK-cookie"})
    exchange["response"]["headers"]["Set-Cookie"] = "session=LEAK-set-cookie; HttpOnly"
    exchange["response"]["body"] = '{"echo": {"X-App-Token": "LEAK-echoed"}}'
    exchange["request"]["body"] = '{"name": "x", "note": "Authorization: Bearer LEAK-in-body"}'
    exchange["curl"] = "curl -H 'X-App-Token: LEAK-curl' -u admin:LEAK-user http://127.0.0.1:4010/v1/segments"
    _requirement(summary, "SEG-DELETE-GONE")["evidence"][0]["message"] = "sent Authorization: Bearer LEAK-message"
    summary["tests"][0]["message"] = "request had X-App-Id: LEAK-test-message"
    summary["options"].append({"option": "--base-url", "value": "http://u:LEAK-option@h", "source": "command line"})
    html = render_html(summary)
    assert "LEAK" not in html
    assert "X-App-Token: ***" in html and "Authorization: ***" in html
    assert "The run also sent Authorization, Cookie (masked in the evidence; left out here)." in html


# --- entry points -------------------------------------------------------------------------------

def test_render_refuses_a_summary_that_does_not_validate(summary):
    summary["verdict"] = "GREAT"
    with pytest.raises(SummaryError, match="at /verdict"):
        render_html(summary)


def test_write_html_renders_the_file_it_reads(summary, write_summary, tmp_path):
    written = write_html(write_summary(summary), tmp_path / "report.html")
    assert written.read_text(encoding="utf-8") == render_html(summary)


def test_the_renderer_is_prepared_on_a_thread_while_the_run_waits():
    """run_reports.prepare_while_waiting compiles the template ahead of the reports, off the main thread."""
    import threading

    from conformance.report import render
    from conformance.run_reports import prepare_while_waiting

    render._environment.cache_clear()
    prepare_while_waiting()
    for thread in threading.enumerate():
        if thread.name == "conformance-prepare-reports":
            thread.join(timeout=60)
    assert len(render._environment().cache) == 1  # report.html.j2, compiled: render_html finds it there
