"""report.html: what it shows, what it escapes and masks, and that it needs nothing but itself."""

from __future__ import annotations

import base64
import hashlib
import re
from html.parser import HTMLParser

import pytest

from conformance.report.render import render_html, write_html
from conformance.report.summary import SummaryError

VOID_ELEMENTS = {"meta", "link", "img", "br", "hr", "input", "source", "wbr"}


class Element:
    def __init__(self, tag: str, attrs: dict[str, str | None], parents: tuple[Element, ...]):
        self.tag, self.attrs, self.parents, self.chunks = tag, attrs, parents, []

    @property
    def text(self) -> str:
        return " ".join("".join(self.chunks).split())

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())


class Page(HTMLParser):
    """The rendered HTML as a flat list of elements, each knowing all the text inside it.

    Every tag boundary counts as a space, as it reads on screen: <dt>Seed</dt><dd>1234</dd> is "Seed 1234".
    """

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.handle_data(" ")
        element = Element(tag, dict(attrs), tuple(self._open))
        self.elements.append(element)
        if tag not in VOID_ELEMENTS:
            self._open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.elements.append(Element(tag, dict(attrs), tuple(self._open)))

    def handle_endtag(self, tag):
        while self._open and self._open.pop().tag != tag:
            pass
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


# --- the verdict --------------------------------------------------------------------------------

def test_the_verdict_opens_the_page_with_the_facts_of_the_run(summary, page):
    body_start = [element.tag for element in page.elements].index("body")
    header = page.elements[body_start + 1]
    assert header.attrs["id"] == "verdict"
    assert "verdict-NONCONFORMANT" in header.classes
    for expected in (
        "NONCONFORMANT", "exit code 1", "http://127.0.0.1:4010 (embedded mock)", "Seed 1234", "Duration 12.3 s",
        "Requests sent 345", "Run tag sc02d4o4", "Strict no", "Max examples 20", "-m not heavy", "v2018-08-01",
        summary["document"]["sha256"][:12], "segments-conformance 0.1.0", "Mock faults http-500-on-long-name",
        "2 fail", "3 not tested",
    ):
        assert expected in header.text
    assert summary["document"]["sha256"] not in header.text  # short form only


@pytest.mark.parametrize(("verdict", "exit_code"), [("CONFORMANT", 0), ("INCOMPLETE", 2)])
def test_each_verdict_gets_its_own_colour(make_summary, verdict, exit_code):
    summary = make_summary({"SEG-NO-5XX": "PASS", "SEG-CREATE-NAME-ECHO": "PASS"})
    summary.update(verdict=verdict, exit_code=exit_code)
    header = Page(render_html(summary)).by_id("verdict")
    assert f"verdict-{verdict}" in header.classes
    assert header.text.startswith(f"{verdict} exit code {exit_code}")


def test_faults_are_shown_only_for_the_embedded_mock_and_risks_are_flagged(summary):
    summary["target"].update(base_url="https://sandbox.example.test", embedded_mock=False, faults=[], insecure=True)
    summary["run"]["left_behind"] = ["seg_left1", "seg_left2"]
    header = Page(render_html(summary)).by_id("verdict")
    assert "Mock faults" not in header.text
    assert "embedded mock" not in header.text
    warnings = [element.text for element in Page(render_html(summary)).find("div", "fact-warning")]
    assert warnings == ["TLS verification OFF (--insecure)",
                        "Left behind 2 segment(s) this run created: seg_left1, seg_left2"]


def test_run_tag_and_left_behind_are_optional(summary):
    del summary["run"]["run_tag"], summary["run"]["left_behind"]
    header = Page(render_html(summary)).by_id("verdict")
    assert "Run tag" not in header.text and "Left behind" not in header.text


# --- the requirement matrix ---------------------------------------------------------------------

def test_every_requirement_has_a_row_with_its_level_status_and_text(summary, page):
    for requirement in summary["requirements"]:
        row = page.by_id(f"req-{requirement['id']}")
        assert row.attrs["data-status"] == requirement["status"]
        assert row.text.startswith(f"{requirement['id']} {requirement['level']} {requirement['status'].replace('_', ' ')}")
        assert " ".join(requirement["text"].split()) in row.text


def test_ambiguities_are_marked_visibly_on_their_own_requirements(summary, page):
    ambiguous = [requirement for requirement in summary["requirements"] if requirement["ambiguity"]]
    assert ambiguous, "the catalogue has ambiguity notes; the fixture should carry them"
    assert len(page.find("p", "ambiguity")) == len(ambiguous)
    for requirement in ambiguous:
        assert f"Ambiguity: {' '.join(requirement['ambiguity'].split())}" in page.by_id(f"req-{requirement['id']}").text


def test_not_tested_rows_say_why(summary, page):
    not_tested = [requirement for requirement in summary["requirements"] if requirement["status"] == "NOT_TESTED"]
    assert not_tested
    for requirement in not_tested:
        assert requirement["reason"] in page.by_id(f"req-{requirement['id']}").text


def test_rows_link_to_their_tests_and_evidence_and_every_link_lands(summary, page):
    ids = {element.attrs["id"] for element in page.elements if "id" in element.attrs}
    links = [element.attrs["href"] for element in page.find("a")]
    assert links and all(link.startswith("#") for link in links)
    assert {link[1:] for link in links} <= ids
    failing = next(requirement for requirement in summary["requirements"] if requirement["status"] == "FAIL")
    row_links = [a.attrs["href"] for a in page.find("a") if a.attrs["href"].startswith("#finding-")]
    assert row_links, "a failing requirement links to its evidence"
    assert page.by_id(row_links[0][1:]).text.startswith(f"FAIL {failing['id']}")


# --- charts and operations ----------------------------------------------------------------------

def test_the_status_chart_has_a_segment_per_status_present(summary, page):
    titles = [element.text for element in page.find("title", within=page.by_id("overview"))]
    expected = [f"{label}: {count}" for label, count in (
        ("PASS", summary["counts"]["PASS"]), ("FAIL", 2), ("WARN", 1), ("NOT TESTED", 3), ("OBSERVED", 2))]
    assert titles == expected


def test_operations_show_every_status_code_seen_in_chart_and_table(summary, page):
    section = page.by_id("operations")
    titles = [element.text for element in page.find("title", within=section)]
    expected = [f"{code}: {count}" for operation in summary["operations"]
                for code, count in sorted(operation["statuses"].items())]
    assert titles == expected
    rows = [row.text for row in page.find("tr", within=section)]
    assert rows[0] == "Operation 200 204 400 401 404 422 500 Total"
    assert rows[1] == "POST /v1/segments 41 37 6 3 1 88"


# --- findings and tests -------------------------------------------------------------------------

def test_every_finding_shows_its_exchange_and_curl_line_worst_first(summary, page):
    evidence = [finding for requirement in summary["requirements"] for finding in requirement["evidence"]]
    articles = page.find("article", "finding")
    assert len(articles) == len(evidence)
    severities = [next(c for c in article.classes if c.startswith("severity-")) for article in articles]
    assert severities == sorted(severities, key=["severity-FAIL", "severity-WARN", "severity-OBSERVED"].index)
    for article in articles:
        assert "Request POST http://127.0.0.1:4010/v1/segments X-App-Id: *** X-App-Token: ***" in article.text
        assert "Reproduce curl -X POST 'http://127.0.0.1:4010/v1/segments'" in article.text
    server_error = next(article for article in articles if "SEG-NO-5XX" in article.text)
    assert "Response HTTP 500 (3.1 ms) content-type: text/html" in server_error.text


def test_every_test_is_listed_with_its_outcome(summary, page):
    rows = page.by_id("tests")
    for index, test in enumerate(summary["tests"], start=1):
        row = page.by_id(f"test-{index}")
        assert row.text.startswith(f"{' '.join(test['name'].split())} {test['nodeid']} {test['outcome']}")
        assert test["nodeid"] in rows.text


def test_non_ascii_text_survives(summary):
    html = render_html(summary)
    assert '<meta charset="utf-8">' in html
    assert "Café ☕ Zürich — 東京 segment" in html
    assert "Ungültige Nutzlast" in html


def test_an_empty_run_renders_its_empty_sections(summary):
    summary.update(tests=[], operations=[])
    for requirement in summary["requirements"]:
        requirement.update(evidence=[], tests=[])
    page = Page(render_html(summary))
    assert "The run recorded no responses." in page.by_id("operations").text
    assert "No failures, warnings or observations." in page.by_id("findings").text
    assert "No tests ran." in page.by_id("tests").text


# --- safety: escaping, masking, no network ------------------------------------------------------

def test_markup_in_a_response_body_is_shown_as_text_never_as_markup(summary):
    html = render_html(summary)
    page = Page(html)
    assert '<script>alert("pwned")</script>' not in html
    assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    assert '<script>alert("pwned")</script><img src=x onerror=alert(1)>' in page.by_id("findings").text
    assert page.find("img") == []
    assert [name for e in page.elements for name in e.attrs if name.startswith("on")] == []


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
    finding = next(requirement for requirement in summary["requirements"] if requirement["evidence"])["evidence"][0]
    finding["request"]["headers"].update({"X-App-Token": "LEAK-token", "x-app-id": "LEAK-id",
                                          "Authorization": "Bearer LEAK-bearer", "Cookie": "session=LEAK-cookie"})
    finding["response"]["headers"]["Set-Cookie"] = "session=LEAK-set-cookie; HttpOnly"
    finding["response"]["body"] = '{"echo": {"X-App-Token": "LEAK-echoed"}}'
    finding["curl"] = "curl -H 'X-App-Token: LEAK-curl' -u admin:LEAK-user http://127.0.0.1:4010/v1/segments"
    finding["message"] = "sent Authorization: Bearer LEAK-message"
    summary["tests"][0]["message"] = "request had X-App-Id: LEAK-test-message"
    summary["target"]["base_url"] = "http://admin:LEAK-password@127.0.0.1:4010"
    html = render_html(summary)
    assert "LEAK" not in html
    assert "X-App-Token: ***" in html and "Authorization: ***" in html and "http://***@127.0.0.1:4010" in html


# --- entry points -------------------------------------------------------------------------------

def test_render_refuses_a_summary_that_does_not_validate(summary):
    summary["verdict"] = "GREAT"
    with pytest.raises(SummaryError, match="at /verdict"):
        render_html(summary)


def test_write_html_renders_the_file_it_reads(summary, write_summary, tmp_path):
    written = write_html(write_summary(summary), tmp_path / "report.html")
    assert written.read_text(encoding="utf-8") == render_html(summary)
