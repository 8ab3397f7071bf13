"""The terminal banner: whole words, an ellipsis where a message is cut."""

from pathlib import Path

from conformance.report.terminal import ELLIPSIS, banner, clip


def test_clip_keeps_whole_words_and_says_it_cut():
    text = "the target answered 500 to a create that the contract says must succeed"
    assert clip(text, 200) == text
    clipped = clip(text, 30)
    assert clipped == "the target answered 500 to a" + ELLIPSIS and len(clipped) <= 30
    long_word = "x" * 300
    assert clip(long_word, 50) == "x" * 49 + ELLIPSIS


def test_the_banner_cuts_no_word_in_half(make_summary):
    summary = make_summary({"SEG-DELETE-204-EMPTY": "FAIL"})
    reason = "DELETE answered 200 with a body where the contract says 204 and no body; " * 4
    for requirement in summary["requirements"]:
        if requirement["id"] == "SEG-DELETE-204-EMPTY":
            requirement["reason"] = reason
    summary["run"]["causes"] = ["the target became unavailable: " + "connection refused by the target answere " * 5]
    lines = [line for line, _ in banner(summary, Path("reports"))]
    failed = next(line for line in lines if "SEG-DELETE-204-EMPTY" in line)
    cause = next(line for line in lines if line.startswith("   incomplete: "))
    for line, source in ((failed, reason), (cause, summary["run"]["causes"][0])):
        assert line.endswith(ELLIPSIS)
        shown = line.split(": ", 1)[1].removesuffix(ELLIPSIS)
        assert source.startswith(shown) and source[len(shown)] in " ;,"
