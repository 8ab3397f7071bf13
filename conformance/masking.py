"""Masking credentials: one layer, applied where text leaves the run, never before a check.

A target may echo a credential in any encoding, so each one is matched in every form text can
carry it: raw, JSON-escaped (`ab\\"cd`), `\\u`-escaped (`t\\u00f6ken`, any character), percent-
encoded (`t%C3%B6ken`), HTML/XML character references (`&quot;`, `&#246;`), backslash-doubled as
it is once text is embedded in JSON again, and base64 of the credential or of `id:token` (HTTP
Basic). Header values of credential headers are masked whatever they hold.

Checks read exchanges unmasked: a token that is a common word ("application") must not turn a
Content-Type into "***/json" before SEG-JSON-CONTENT-TYPE reads it. Credentials shorter than
MIN_MASKED_LENGTH characters are masked in credential headers only: a one-letter token would
otherwise replace that letter everywhere in a report.

The second lock (mask_text, mask_headers, mask_curl) needs no credential: the report renderer,
the comparison and the reproduction script mask whatever stands where a credential would (a
credential header's value, a URL's password, curl's -u), so a bug upstream or a target that echoes
its request headers never puts a token in a report.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable, Mapping
from typing import Any

MASK = "***"
MIN_MASKED_LENGTH = 6
SECRET_HEADERS = frozenset({"x-app-id", "x-app-token", "authorization", "proxy-authorization", "cookie", "set-cookie"})
CHOSEN_HEADERS = frozenset({"x-app-id", "x-app-token"})  # the suite sends wrong values here on purpose
# A credential value the suite chose to be wrong starts with this: the only value of a credential
# header an output ever shows, so that a reproduction can send it again.
WRONG_ON_PURPOSE = "conformance-wrong-"
_NAMED_ENTITIES = {'"': ("quot",), "&": ("amp",), "<": ("lt",), ">": ("gt",), "'": ("apos",)}


def _hex(value: int, digits: int) -> str:
    return f"(?i:{value:0{digits}x})"


def _char_forms(char: str) -> str:
    """A regular expression for one character in every encoding text may carry it in."""
    code = ord(char)
    forms = [r"\\*" + re.escape(char)]  # raw, or after JSON escaping (\" \\ \/), once or more
    if code <= 0xFFFF:
        forms.append(r"\\+u" + _hex(code, 4))
    else:  # a JSON surrogate pair
        high, low = 0xD800 + ((code - 0x10000) >> 10), 0xDC00 + ((code - 0x10000) & 0x3FF)
        forms.append(r"\\+u" + _hex(high, 4) + r"\\+u" + _hex(low, 4))
    forms.append("".join("%" + _hex(byte, 2) for byte in char.encode("utf-8")))
    forms.append(f"&#0*{code};")
    forms.append(f"&#(?i:x)0*(?i:{code:x});")
    forms += [f"&{name};" for name in _NAMED_ENTITIES.get(char, ())]
    if char == " ":
        forms.append(r"\+")
    return "(?:" + "|".join(forms) + ")"


def secret_pattern(secret: str) -> str:
    return "".join(_char_forms(char) for char in secret)


class Masker:
    """Masks the credentials of one run in any text, header map or JSON-like value."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        given = [secret for secret in secrets if secret]
        self._header_values = frozenset(given)
        masked = [secret for secret in given if len(secret) >= MIN_MASKED_LENGTH]
        encoded = set()
        for secret in masked:
            encoded.add(base64.b64encode(secret.encode("utf-8")).decode("ascii").rstrip("="))
        if len(given) == 2:  # HTTP Basic of id:token
            encoded.add(base64.b64encode(":".join(given).encode("utf-8")).decode("ascii").rstrip("="))
        alternatives = sorted((secret_pattern(secret) for secret in masked), key=len, reverse=True)
        alternatives += [re.escape(value) + "={0,2}" for value in sorted(encoded, key=len, reverse=True)]
        self._pattern = re.compile("|".join(alternatives)) if alternatives else None
        # Without an escape character in the text, only the literal forms can occur: plain
        # replacement is exact then, and much faster than the pattern (it runs on every exchange).
        self._literals = sorted([*masked, *encoded], key=len, reverse=True)

    def text(self, text: str) -> str:
        if self._pattern is None or not text:
            return text
        if "\\" not in text and "%" not in text and "&" not in text:
            for literal in self._literals:
                if literal in text:
                    text = text.replace(literal, MASK)
            return re.sub(r"\*\*\*={1,2}", MASK, text) if MASK + "=" in text else text
        return self._pattern.sub(MASK, text)

    def headers(self, headers: Mapping[str, str] | Iterable[tuple[str, str]]) -> dict[str, str]:
        pairs = headers.items() if isinstance(headers, Mapping) else headers
        return {name: self.header_value(name, value) for name, value in pairs}

    def header_value(self, name: str, value: str) -> str:
        """Credential headers read ***, but for a value the suite chose to be wrong (WRONG_ON_PURPOSE),
        which stays readable so that a reproduction sends it again."""
        lowered = name.lower()
        if lowered in CHOSEN_HEADERS and value.startswith(WRONG_ON_PURPOSE) and value not in self._header_values:
            return value
        if lowered in SECRET_HEADERS or value in self._header_values:
            return MASK
        return self.text(value)

    def value(self, value: Any) -> Any:
        """A JSON-like value with every string in it (keys included) masked."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(key) if isinstance(key, str) else key: self.value(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.value(item) for item in value]
        return value


NO_SECRETS = Masker(())


# --- the second lock: credentials found by where they stand, not by their value -------------------

# "Name: value" or "Name=value", optionally quoted as in JSON or a curl -H argument. The value runs
# to the closing quote or the end of the line, so "Authorization: Bearer abc" loses all of it.
# Longest names first: proxy-authorization and set-cookie are matched whole.
_HEADER_IN_TEXT = re.compile(
    r"(?im)\b(" + "|".join(sorted(SECRET_HEADERS, key=len, reverse=True)) + ")"
    r"""(["']?[ \t]*[:=][ \t]*["']?)([^"'\r\n]+)"""
)
# curl's own credential options: -u user:password, --user ..., -b cookie, --cookie ...
_CURL_CREDENTIAL = re.compile(r"""(?<!\S)(-u|--user|-b|--cookie)(\s+|=)('[^']*'|"[^"]*"|\S+)""")
# http://user:password@host
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s]+@")


def mask_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Credential headers masked whatever they hold, but for a value the suite sent wrong on purpose."""
    return {name: mask_text(NO_SECRETS.header_value(name, value)) for name, value in headers.items()}


def mask_text(text: str) -> str:
    """Free text (bodies, messages) with secret header values and URL passwords masked."""
    text = _HEADER_IN_TEXT.sub(lambda match: match.group(1) + match.group(2) + MASK, text)
    return _URL_USERINFO.sub(lambda match: match.group(1) + MASK + "@", text)


def mask_curl(line: str) -> str:
    # Credential options first: their values are unquoted words that the text rule would overrun.
    line = _CURL_CREDENTIAL.sub(lambda match: match.group(1) + match.group(2) + "'" + MASK + "'", line)
    return mask_text(line)
