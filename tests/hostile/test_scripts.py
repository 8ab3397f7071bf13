"""Generated scripts: no value a report carries can break out of the word it is written into."""

import subprocess

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.report.reproduce import curl_script, mock_command, rerun_command, shell_word
from hostile_tools import summary  # noqa: F401 (fixture)

# Text a hostile report could carry: anything, with the characters that end or bend a shell word
# (quote, backslash, $, backquote, newline, NUL, !) drawn often.
NASTY = st.text(st.one_of(st.characters(codec="utf-8"), st.sampled_from("'\"\\$`\n\r\x00!;&|(){}[]*?~# \t")))


def bash_words(script: str) -> list[str]:
    """What bash makes of `printf '%s\\0' WORDS`: the arguments it passed, as text."""
    completed = subprocess.run(["bash", "--noprofile", "--norc", "-c", script], capture_output=True, timeout=10)
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.decode("utf-8").split("\0")[:-1]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(NASTY, min_size=1, max_size=4))
def test_any_text_is_one_word_that_reads_back_as_itself(texts):
    words = bash_words("printf '%s\\0' " + " ".join(shell_word(text) for text in texts))
    assert words == [text.replace("\0", "") for text in texts]


def test_a_newline_never_leaves_a_comment_or_a_quote(tmp_path, summary):
    canary = tmp_path / "canary"
    evil = f"x\ntouch {canary}\n#"
    summary["target"]["faults"] = [evil]
    finding = next(entry for requirement in summary["requirements"] for entry in requirement["evidence"]
                   if entry["severity"] == "FAIL")
    finding["message"] = evil
    script = curl_script(summary, finding)
    header = script[: script.index("set -euo pipefail")]
    subprocess.run(["bash", "--noprofile", "--norc", "-n"], input=script.encode(), check=True, timeout=10)
    subprocess.run(["bash", "--noprofile", "--norc"], input=header.encode(), timeout=10)  # comments: nothing runs
    for command in (mock_command(summary), rerun_command(summary, finding["test"])):
        assert "\n" not in command
        subprocess.run(["bash", "--noprofile", "--norc", "-c", "true " + command], timeout=10, check=True)
    assert not canary.exists()
