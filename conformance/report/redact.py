"""Mask secrets again at render time.

The plugin masks credentials before it writes summary.json; this is the second lock on the door,
so a bug upstream (or a target that echoes its request headers) never puts a token in a report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from conformance.masking import MASK, SECRET_HEADERS, WRONG_ON_PURPOSE

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
    return {name: MASK if name.lower() in SECRET_HEADERS and not value.startswith(WRONG_ON_PURPOSE) else mask_text(value)
            for name, value in headers.items()}


def mask_text(text: str) -> str:
    """Free text (bodies, messages) with secret header values and URL passwords masked."""
    text = _HEADER_IN_TEXT.sub(lambda match: match.group(1) + match.group(2) + MASK, text)
    return _URL_USERINFO.sub(lambda match: match.group(1) + MASK + "@", text)


def mask_curl(line: str) -> str:
    # Credential options first: their values are unquoted words that the text rule would overrun.
    line = _CURL_CREDENTIAL.sub(lambda match: match.group(1) + match.group(2) + "'" + MASK + "'", line)
    return mask_text(line)
