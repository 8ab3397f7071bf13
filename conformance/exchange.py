"""One request and its answer, as the transport saw them on the wire: what every check reads.

Unmasked on purpose (checks judge what the target really said; masking happens at the outputs,
see masking.py) and framed: the answer's headers as a list, in order and with repeats, and the
bytes received, including any a 204 carried after its headers, which an HTTP client discards.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from typing import Any

from conformance.masking import NO_SECRETS, Masker

EVIDENCE_BODY_LIMIT = 4096  # characters of a body kept as evidence; a 20,000-customer body is not evidence
_UNPARSED = object()


@dataclass
class Exchange:
    method: str
    url: str
    path_template: str | None  # the documented path it falls under (the method may be undocumented)
    operation_id: str | None  # the documented operation, None for an undocumented method or path
    request_headers: dict[str, str]
    request_body: bytes | None
    status: int
    reason: str = ""
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    body_over_limit: bool = False  # the answer was longer than the transport reads; `body` is its start
    bytes_after_headers: int = 0  # bytes a 204/304 carried after its headers (a client drops them)
    late_by_ms: float | None = None  # how long after the headers those bytes came, when they were waited for
    elapsed_ms: float = 0.0
    started_at: float = 0.0  # time.time() when sent
    sequence: int = 0  # 1, 2, ... in the order the run sent them
    test: str | None = None  # nodeid of the test that sent it, if a test did
    _parsed: Any = field(default=_UNPARSED, repr=False, compare=False)
    _is_json: bool = field(default=False, repr=False, compare=False)
    _not_json: str = field(default="", repr=False, compare=False)  # why the body is not JSON
    _parses: bool = field(default=False, repr=False, compare=False)  # json.loads reads it (body_parses)

    # --- reading the answer -------------------------------------------------------------------------

    def header(self, name: str) -> str | None:
        """The first value of a response header (case-insensitive), or None."""
        name = name.lower()
        return next((value for key, value in self.response_headers if key.lower() == name), None)

    @property
    def content_type(self) -> str:
        return self.header("content-type") or ""

    @property
    def media_type(self) -> str:
        return self.content_type.split(";")[0].strip().lower()

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    @property
    def json(self) -> Any:
        """The body parsed as JSON (leniently when it is not RFC 8259 JSON: see body_parses), or
        None when it is empty or does not parse."""
        self._parse()
        return self._parsed

    @property
    def body_is_json(self) -> bool:
        """The body is JSON as RFC 8259 defines it (strict_json)."""
        self._parse()
        return self._is_json

    @property
    def body_parses(self) -> bool:
        """The body parses as JSON at least as leniently as Python's json.loads does (BOM, NaN,
        repeated names): enough to judge its shape, whatever SEG-JSON-CONTENT-TYPE says of it."""
        self._parse()
        return self._parses

    def _parse(self) -> None:
        if self._parsed is not _UNPARSED:
            return
        self._parsed, self._is_json, self._parses = None, False, False
        if self.body and not self.body_over_limit:
            try:
                self._parsed, self._is_json = strict_json(self.body), True
                self._parses = True
            except ValueError as error:
                self._not_json = str(error)[:120]
                # What a lenient client (json.loads) reads, so that the shape is judged apart from
                # the strictness: that the text is not RFC 8259 JSON is SEG-JSON-CONTENT-TYPE's alone.
                try:
                    self._parsed, self._parses = json.loads(self.body), True
                except ValueError:
                    self._parsed = None

    @property
    def not_json_reason(self) -> str:
        """Why a body is not JSON ("" when it is, or when there is none)."""
        self._parse()
        return self._not_json

    @property
    def request_text(self) -> str | None:
        return None if self.request_body is None else self.request_body.decode("utf-8", errors="replace")

    # --- evidence (masked: these leave the run) ----------------------------------------------------

    def curl(self, masker: Masker = NO_SECRETS) -> str:
        parts = ["curl", "-X", self.method, shlex.quote(masker.text(self.url))]
        for name, value in masker.headers(self.request_headers).items():
            parts += ["-H", shlex.quote(f"{name}: {value}")]
        if self.request_body is not None:
            parts += ["--data-raw", shlex.quote(masker.text(_truncate(self.request_text or "")))]
        return " ".join(parts)

    def evidence(self, masker: Masker) -> dict[str, Any]:
        return {
            "sequence": self.sequence,
            "request": {
                "method": self.method,
                "url": masker.text(self.url),
                "headers": masker.headers(self.request_headers),
                "body": None if self.request_body is None else masker.text(_truncate(self.request_text or "")),
            },
            "response": {
                "status": self.status,
                "headers": masker.headers(self.response_headers),
                "body": masker.text(_truncate(self.text)),
                "elapsed_ms": round(self.elapsed_ms, 1),
            },
            "curl": self.curl(masker),
        }

    def describe(self, masker: Masker = NO_SECRETS) -> str:
        """A short text for failure messages: the curl line and the answer."""
        return f"{self.curl(masker)}\n-> {self.status} {self.content_type}\n{masker.text(_truncate(self.text, 600))}"


def strict_json(data: bytes) -> Any:
    """JSON as RFC 8259 defines it, for a networked text: UTF-8 with no byte order mark (section
    8.1), no NaN or Infinity (section 6 has no such numbers), no member name twice in one object
    (section 4: receivers then disagree on the value). `json.loads` accepts all of these, and
    UTF-16 and UTF-32 besides. ValueError when the body is not such a text."""
    if data.startswith(b"\xef\xbb\xbf"):
        raise ValueError("a byte order mark before the JSON text (RFC 8259 section 8.1)")
    return json.loads(data.decode("utf-8"), parse_constant=_no_constant, object_pairs_hook=_unique_members)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number (RFC 8259 section 6)")


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    members = dict(pairs)
    if len(members) != len(pairs):
        repeated = next(name for index, (name, _) in enumerate(pairs) if name in dict(pairs[:index]))
        raise ValueError(f"member {repeated!r} twice in one object (RFC 8259 section 4)")
    return members


def _truncate(text: str, limit: int = EVIDENCE_BODY_LIMIT) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit} more characters]"
