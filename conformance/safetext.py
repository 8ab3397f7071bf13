"""Text taken from a file the user was handed (a document's title, a path, a report's message),
made safe for a terminal: every control character is shown escaped, never sent raw.

An ANSI escape sequence in a document's `info.title` would otherwise recolour, retitle or rewrite
the user's terminal (CSI, OSC 8 links, OSC 52 clipboard writes). C0 and C1 controls, DEL and the
Unicode bidirectional overrides (which reorder what the reader sees, CVE-2021-42574) are escaped
as \\xNN / \\uNNNN; tab and newline are escaped too, since the text is meant to be one field of one
line. The function is idempotent on its own output's meaning: a backslash is left as it is.
"""

from __future__ import annotations

import re

# C0, DEL, C1, and the bidi controls: embeddings/overrides, isolates, marks.
_BEYOND_C0 = "\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
_UNSAFE = re.compile(f"[\x00-\x1f{_BEYOND_C0}]")
_UNSAFE_IN_JSON = re.compile(f"[{_BEYOND_C0}]")  # json.dumps escapes C0 in strings; outside, it is layout


def printable(text: str) -> str:
    """`text` with every control character escaped, for one line of a terminal."""
    return _UNSAFE.sub(_escaped, text)


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable_lines(text: str) -> str:
    """`text` with every control character escaped except the newlines that separate its lines."""
    return "\n".join(printable(line) for line in text.split("\n"))


def printable_json(text: str) -> str:
    """JSON text (from json.dumps) safe for a terminal and still JSON: json.dumps escapes C0 controls
    itself, but with ensure_ascii=False leaves C1 controls and bidi overrides raw; inside a JSON
    string each becomes its \\uXXXX escape (outside strings JSON has none of them)."""
    return _UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
