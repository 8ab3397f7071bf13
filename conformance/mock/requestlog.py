"""The mock's request log: one line per request, credentials never.

    POST /v1/segments 200 1.3ms
    GET /v1/segments?limit=5&filters[name][conditions][$is]=x 200 0.9ms
    GET /v1/segments/seg_*** 401 0.2ms        (an id that happened to carry a credential)

The line has the method, the path and query as sent (percent-encoding kept), the status (`-` when
the app answered nothing) and the time to the last byte handed to the server. Headers are never
logged. Any occurrence of the configured X-App-Id or X-App-Token, raw or percent-encoded, is
replaced by ***, and so is the value of a query parameter named like either header, whatever it is.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterable
from typing import TextIO
from urllib.parse import quote, quote_plus

from conformance.masking import MASK
_CREDENTIAL_PARAMETER = re.compile(r"(?i)((?:^|[?&])x[-_]app[-_](?:id|token)=)[^&]*")

Writer = Callable[[str], None]


def writer_for(log: TextIO | Writer | None) -> Writer | None:
    """A function that writes one line: from a stream (flushed per line), a function, or None."""
    if log is None or callable(log):
        return log

    def write(line: str) -> None:
        log.write(line + "\n")
        log.flush()

    return write


def stderr_writer(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


class Masker:
    def __init__(self, secrets: Iterable[str]) -> None:
        forms = set()
        for secret in secrets:
            if secret:
                forms |= {secret, quote(secret, safe=""), quote_plus(secret, safe="")}
        self._forms = sorted(forms, key=len, reverse=True)  # the longest first: no partial masks

    def __call__(self, text: str) -> str:
        text = _CREDENTIAL_PARAMETER.sub(lambda match: match.group(1) + MASK, text)
        for form in self._forms:
            text = text.replace(form, MASK)
        return text


class RequestLog:
    """ASGI middleware: after each HTTP request, one masked line to `write`."""

    def __init__(self, app, write: Writer, secrets: Iterable[str]) -> None:
        self.app = app
        self.write = write
        self.mask = Masker(secrets)

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: list[int] = []

        async def send_and_note(message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            elapsed = (time.perf_counter() - started) * 1000
            self.write(self.line(scope, status[0] if status else None, elapsed))

    def line(self, scope, status: int | None, elapsed_ms: float) -> str:
        target = (scope.get("raw_path") or scope["path"].encode("utf-8")).decode("latin-1")
        if scope.get("query_string"):
            target += "?" + scope["query_string"].decode("latin-1")
        target = "".join(char if char.isprintable() else f"%{ord(char):02X}" for char in target)
        return f"{scope['method']} {self.mask(target)} {status if status is not None else '-'} {elapsed_ms:.1f}ms"
