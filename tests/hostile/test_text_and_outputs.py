"""The two small guards every command shares: terminal text escaped, outputs never through a symlink."""

import json
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conformance import outputs
from conformance.safetext import printable, printable_json, printable_lines

UNSAFE = ["\x1b", "\x07", "\x00", "\r", "\n", "\x7f", "\x9b", "\u202e", "\u2066", "\u2028"]


@given(st.text())
def test_no_control_character_survives_and_plain_text_is_unchanged(text):
    shown = printable(text)
    assert not any(character in shown for character in UNSAFE)
    if not any(character in text for character in UNSAFE) and text.isprintable():
        assert shown == text


@given(st.recursive(st.text() | st.integers() | st.none(), lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner)))
def test_escaped_json_is_still_the_same_json(value):
    text = printable_json(json.dumps(value, ensure_ascii=False, indent=2))
    assert json.loads(text) == value and not any(character in text for character in UNSAFE if character != "\n")


def test_lines_keep_their_newlines_only():
    assert printable_lines("a\x1b[2J\nb\rc") == "a\\x1b[2J\nb\\x0dc"


def test_an_output_replaces_a_symlink_and_leaves_its_target_alone(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("precious")
    link = tmp_path / "summary.json"
    link.symlink_to(victim)
    outputs.write_text(link, "report ☕")
    assert victim.read_text() == "precious"
    assert not link.is_symlink() and link.read_text(encoding="utf-8") == "report ☕"
    assert oct(os.stat(link).st_mode & 0o777) == oct(0o644)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["summary.json", "victim"]  # no temporary left


def test_a_failed_write_leaves_no_temporary_behind(tmp_path):
    with pytest.raises(TypeError):
        outputs.write_text(tmp_path / "x.json", None)
    assert list(tmp_path.iterdir()) == []
