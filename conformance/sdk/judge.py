"""Judgements: pure functions, one per SDK requirement, from what a client did to a verdict.

Those that judge against the contract take the run's `document` (the bundled one when None). Each
returns None when the requirement held, NOT_APPLICABLE when the input says nothing about
it (a round trip of an answer the client rejected, say: that is SDK-RESPONSE-ACCEPTED's finding,
not a second one), or a Problem with a one-line message. The suite records verdicts with
verify.check; strategies feed the inputs; nothing here knows pytest or hypothesis.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from conformance import rfc3339
from conformance.contract import Contract
from conformance.sdk.adapter import Result
from conformance.sdk.values import (
    SEGMENT_DATE_TIMES,
    create_body_errors,
    declared_segment_fields,
    json_equal,
    parse_rfc3339,
    segment_errors,
)


class _NotApplicable:
    def __repr__(self) -> str:
        return "NOT_APPLICABLE"


NOT_APPLICABLE: Any = _NotApplicable()


@dataclass(frozen=True)
class Problem:
    """What went wrong: `message` for this value, `cause` the same for every value that fails for
    the same reason (the gate groups findings by it)."""

    message: str
    cause: str = ""

    @property
    def key(self) -> str:
        return self.cause or self.message


def _cause_of(error_message: str) -> str:
    """An error message without what is particular to one value (pydantic's model names and input)."""
    text = re.sub(r"input_value=.*", "", error_message)
    text = re.sub(r"validation errors? for \w+", "validation error", text)
    text = re.sub(r"\[type=[^\]]*\]", "", text)
    return " ".join(text.split())[:200]


def date_time_form(text: Any) -> str:
    """The form of an RFC 3339 date-time, not its value: "T, 3 fraction digits, Z"."""
    if not isinstance(text, str):
        return f"not a string ({type(text).__name__})"
    written = rfc3339.parts(text)
    if written is None:
        return "not RFC 3339"
    offset = written.zone if written.zone in ("Z", "z", "+00:00", "-00:00") else "a numeric offset"
    digits = len(written.fraction)
    return f"{text[10]}, {digits or 'no'} fraction digit{'s' if digits != 1 else ''}, {offset}"


def _short(value: Any, limit: int = 160) -> str:
    text = json.dumps(value, ensure_ascii=False, default=repr)
    return text if len(text) <= limit else text[:limit] + "…"


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def header(headers: dict[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


# --- requests ----------------------------------------------------------------------------------------


def sent_body(sent: dict[str, Any]) -> tuple[Any, str | None]:
    """The JSON a sent request carries, or why it carries none."""
    if media_type(header(sent.get("headers") or {}, "Content-Type")) != "application/json":
        return None, f"sent with Content-Type {header(sent.get('headers') or {}, 'Content-Type')!r}, not application/json"
    text = sent.get("body")
    if text is None:
        return None, "sent no body"
    try:
        return json.loads(text), None
    except ValueError:
        return None, f"sent a body that is not JSON: {text[:120]!r}"


def request_valid(built: dict[str, Any], outcome: Result, document: Contract | None = None) -> Problem | None:
    """SDK-REQUEST-VALID: the body sent for a contract-valid body is one the contract accepts."""
    if not outcome.ok:
        return Problem(f"could not build or send a create request for a contract-valid body: {outcome.describe()}",
                       f"could not build or send: {outcome.error.cls}")
    body, why_not = sent_body(outcome.value)
    if why_not:
        return Problem(why_not, why_not.split(":")[0])
    errors = create_body_errors(body, document)
    if errors:
        nulls = sorted(key for key, value in body.items() if value is None and built.get(key, 0) is not None) if isinstance(body, dict) else []
        cause = f"added null {', '.join(nulls)}" if nulls else "an invalid body"
        return Problem(f"sent {_short(body)}, which the contract rejects (it matches neither oneOf branch)", cause)
    return None


def request_faithful(built: dict[str, Any], outcome: Result, document: Contract | None = None) -> Problem | None:
    """SDK-REQUEST-FAITHFUL: the body sent is the body built: no member with a value added, none
    dropped or changed. Judged only where the body sent is valid (an invalid one is
    SDK-REQUEST-VALID's finding)."""
    if request_valid(built, outcome, document) is not None:
        return NOT_APPLICABLE
    body, _ = sent_body(outcome.value)
    # An added null is SDK-REQUEST-VALID's where it breaks the body and harmless where it does not:
    # one cause, one finding.
    body = {key: value for key, value in body.items() if key in built or value is not None}
    if json_equal(body, built):
        return None
    added = sorted(set(body) - set(built))
    dropped = sorted(set(built) - set(body))
    changed = sorted(key for key in set(body) & set(built) if not json_equal(body[key], built[key]))
    parts = [f"{label} {', '.join(f'{key}={_short(body.get(key), 60)}' for key in keys)}"
             for label, keys in (("added", added), ("dropped", dropped), ("changed", changed)) if keys]
    cause = "; ".join(f"{label} {', '.join(keys)}" for label, keys in (("added", added), ("dropped", dropped), ("changed", changed)) if keys)
    return Problem(f"sent {_short(body)}: " + "; ".join(parts), cause)


# --- answers -----------------------------------------------------------------------------------------


def response_accepted(outcome: Result) -> Problem | None:
    """SDK-RESPONSE-ACCEPTED: a contract-valid Segment answer is parsed, not rejected."""
    if outcome.ok:
        return None
    return Problem(f"rejected a contract-valid Segment: {outcome.describe()}",
                   f"{outcome.error.cls}: {_cause_of(outcome.error.message)}")


def roundtrip_valid(original: dict[str, Any], outcome: Result, document: Contract | None = None) -> Problem | None:
    """SDK-ROUNDTRIP-VALID: parse-then-serialize of a valid Segment is a valid Segment."""
    if not outcome.ok:
        return NOT_APPLICABLE
    errors = segment_errors(outcome.value, document)
    if errors:
        return Problem(f"serialized it as {_short(outcome.value, 300)}, which the contract rejects: {'; '.join(errors)[:240]}",
                       "; ".join(errors)[:240])
    return None


def roundtrip_lossless(original: dict[str, Any], outcome: Result, document: Contract | None = None) -> Problem | None:
    """SDK-ROUNDTRIP-LOSSLESS: every declared member comes back with the same value (date-times:
    the same instant, at the precision sent)."""
    if not outcome.ok:
        return NOT_APPLICABLE
    output = outcome.value if isinstance(outcome.value, dict) else {}
    problems, causes = [], []
    for key in sorted(declared_segment_fields(document) & set(original)):
        if key not in output:
            problems.append(f"{key} dropped")
            causes.append(f"{key} dropped")
        elif key in SEGMENT_DATE_TIMES and isinstance(original[key], str):
            before, after = parse_rfc3339(original[key]), parse_rfc3339(output[key])
            if before != after:
                problems.append(f"{key} {original[key]!r} came back as {_short(output[key], 60)}"
                                + ("" if after else " (not an RFC 3339 date-time)") + " (another instant)" * bool(after))
                causes.append(f"{key} another instant" if after else f"{key} not RFC 3339")
        elif not json_equal(original[key], output[key]):
            problems.append(f"{key} {_short(original[key], 60)} came back as {_short(output[key], 60)}")
            causes.append(f"{key} changed")
    return Problem("; ".join(problems), "; ".join(causes)) if problems else None


def date_time_edge(original: dict[str, Any], parsed: Result, roundtrip: Result) -> Problem | None:
    """SDK-DATETIME-EDGES: a leap second or more than six fraction digits is parsed, and comes back
    the same instant."""
    if not parsed.ok:
        return Problem(f"rejected a Segment with {_edge_members(original)}: {parsed.describe()}",
                       f"rejected {_edge_kinds(original)}")
    if not roundtrip.ok or not isinstance(roundtrip.value, dict):
        return NOT_APPLICABLE
    problems = []
    for key in SEGMENT_DATE_TIMES:
        before, after = parse_rfc3339(original.get(key)), parse_rfc3339(roundtrip.value.get(key))
        if before is None or before == after:
            continue
        if after is None or (after.seconds, after.leap) != (before.seconds, before.leap) \
                or after.fraction[:6].ljust(6, "0") != before.fraction[:6].ljust(6, "0"):
            return NOT_APPLICABLE  # lost within microseconds: SDK-ROUNDTRIP-LOSSLESS's finding
        problems.append(f"{key} {original[key]!r} came back as {roundtrip.value[key]!r} (digits past the microsecond lost)")
    return Problem("; ".join(problems), f"{_edge_kinds(original)}: digits past the microsecond lost") if problems else None


def _edge_members(segment: dict[str, Any]) -> str:
    return ", ".join(f"{key} {segment[key]!r}" for key in SEGMENT_DATE_TIMES if isinstance(segment.get(key), str))


def _edge_kinds(segment: dict[str, Any]) -> str:
    kinds = set()
    for key in SEGMENT_DATE_TIMES:
        written = rfc3339.parts(segment.get(key))
        if written and written.leap:
            kinds.add("a leap second")
        elif written and len(written.fraction) > 6:
            kinds.add("more than six fraction digits")
    return " and ".join(sorted(kinds)) or "an ordinary date-time"


def roundtrip_verbatim(original: dict[str, Any], outcome: Result, document: Contract | None = None) -> Problem | None:
    """SDK-ROUNDTRIP-VERBATIM: a date-time comes back as written, not as another form of the same
    instant. Judged only where the instant survived (a changed instant is LOSSLESS's finding)."""
    if not outcome.ok or not isinstance(outcome.value, dict):
        return NOT_APPLICABLE
    judged, problems, causes = False, [], []
    for key in SEGMENT_DATE_TIMES:
        before, after = original.get(key), outcome.value.get(key)
        if not isinstance(before, str) or parse_rfc3339(before) is None or parse_rfc3339(before) != parse_rfc3339(after):
            continue
        judged = True
        if before != after:
            problems.append(f"{key} {before!r} came back as {after!r} (the same instant, written differently)")
            causes.append(f"{key} {date_time_form(before)} came back {date_time_form(after)}")
    if problems:
        return Problem("; ".join(problems), "; ".join(causes))
    return None if judged else NOT_APPLICABLE


def roundtrip_unknown_fields(original: dict[str, Any], outcome: Result, document: Contract | None = None) -> Problem | None:
    """SDK-ROUNDTRIP-UNKNOWN-FIELDS: members the contract does not declare are kept."""
    unknown = sorted(set(original) - declared_segment_fields(document))
    if not outcome.ok or not unknown:
        return NOT_APPLICABLE
    output = outcome.value if isinstance(outcome.value, dict) else {}
    lost = [key for key in unknown if key not in output or not json_equal(original[key], output[key])]
    if lost:
        return Problem(f"member(s) {', '.join(repr(key) for key in lost)} not kept (the contract allows members it does not declare)",
                       "undeclared members not kept")
    return None


def serializer_no_error(serializer: str, parsed: Result, outcome: Result) -> Problem | None:
    """SDK-SERIALIZER-NO-ERROR: a serializer the client offers works on a Segment it parsed.
    Judged only where the client parsed the Segment (a rejection is RESPONSE-ACCEPTED's finding)."""
    if not parsed.ok:
        return NOT_APPLICABLE
    if outcome.ok:
        return None
    return Problem(f"{serializer} {outcome.describe()}", f"{serializer} raised {outcome.error.cls}: {_cause_of(outcome.error.message)}")


def returns_answer(via_server: Result, via_model: Result) -> Problem | None:
    """SDK-RETURNS-ANSWER: what create or get returns is what the client's own parser and
    serializer make of the answer the server sent to that request: the HTTP layer (decoding,
    charset, connection reuse) changes nothing."""
    if not via_model.ok:
        return NOT_APPLICABLE
    if not via_server.ok:
        return Problem(f"parsed the answer offline but {via_server.describe()} when a server sent it",
                       f"raised {via_server.error.cls} only through a server")
    if not json_equal(via_server.value, via_model.value):
        differ = sorted(key for key in set(via_server.value or {}) | set(via_model.value or {})
                        if not json_equal((via_server.value or {}).get(key), (via_model.value or {}).get(key))) \
            if isinstance(via_server.value, dict) and isinstance(via_model.value, dict) else ["the whole value"]
        return Problem(f"returned {_short(via_server.value, 200)}; the answer, parsed as the client parses it, is {_short(via_model.value, 200)}",
                       f"through a server, {', '.join(differ)} differ")
    return None


def _same_body(carried: str | None, sent: str) -> bool:
    """The same text, or the same JSON value (a client may hold the body parsed)."""
    if carried == sent:
        return True
    try:
        return carried is not None and json_equal(json.loads(carried), json.loads(sent))
    except ValueError:
        return False


ERROR_MEMBERS = ("code", "key", "message", "details", "request_id", "resource_id", "resource_type")


def _error_kept(error, body: str) -> bool:
    """The answer's body reaches the caller: unchanged, or (where the client exposes the Error
    object's members instead of the text) each member of the Error object the answer carried."""
    if _same_body(error.body, body) or body == "":
        return True
    if error.fields is None:
        return False
    try:
        sent = json.loads(body)
    except ValueError:  # not JSON, so no members to expose: the text must reach the caller whole
        return " ".join(body.split()) in error.message  # messages are kept on one line
    if not isinstance(sent, dict):
        return False
    return all(json_equal(error.fields.get(key), sent[key]) for key in ERROR_MEMBERS if key in sent)


def error_raised(outcome: Result, status: int, body: str) -> Problem | None:
    """SDK-ERROR-400/401/404/ANY-STATUS: the documented exception, with the status and the body
    (or the Error object's members)."""
    if outcome.ok:
        return Problem(f"answered {status}, and the client {outcome.describe()} instead of raising", "did not raise")
    error = outcome.error
    problems, causes = [], []
    if not error.documented:
        problems.append(f"raised {error.cls}, not its documented exception")
        causes.append(f"raised {error.cls}")
    if error.status != status:
        problems.append(f"the exception carries status {error.status}, not {status}")
        causes.append("status lost" if error.status is None else "wrong status")
    if not _error_kept(error, body):
        shown = error.body if error.body is not None else error.fields
        problems.append(f"the exception carries {_short(shown, 100)}, not the {len(body)}-character answer")
        causes.append("body not kept")
    return Problem("; ".join(problems), "; ".join(causes)) if problems else None


def delete_returned(outcome: Result) -> Problem | None:
    """SDK-DELETE-204: a 204 with no body ends delete normally, returning nothing."""
    if not outcome.ok:
        return Problem(f"answered 204 with no body, and delete {outcome.describe()}", f"raised {outcome.error.cls}")
    if outcome.value not in (None, {}, ""):
        return Problem(f"delete returned {_short(outcome.value)} for a 204 with no body", "returned a value")
    return None


def auth_headers(headers: dict[str, str], app_id: str, app_token: str) -> Problem | None:
    """SDK-AUTH-HEADERS: X-App-Id and X-App-Token, as configured, on every request."""
    problems = []
    for name, expected in (("X-App-Id", app_id), ("X-App-Token", app_token)):
        value = header(headers, name)
        if value is None:
            problems.append(f"no {name} header")
        elif value != expected:
            problems.append(f"{name} is not the configured value")
    return Problem("; ".join(problems), "; ".join(problems)) if problems else None


def media_type_accepted(content_type: str, outcome: Result) -> Problem | None:
    """SDK-RESPONSE-MEDIA-TYPE: application/json in any letter case, with parameters, is JSON."""
    if outcome.ok:
        return None
    return Problem(f"rejected a valid Segment sent as Content-Type {content_type!r}: {outcome.describe()}",
                   f"rejected Content-Type {content_type}")


# --- the client's HTTP behaviour (conformance/sdk/sequence.py) -------------------------------------


def redirect_kept_secrets(operation: str, status: int, arrived: list[Any], app_id: str, app_token: str,
                          body: bytes | None) -> Problem | None:
    """SDK-REDIRECT-CREDENTIALS: after a `status` redirect to another origin, nothing that arrived
    there carries X-App-Id, X-App-Token or the request's body."""
    leaked = []
    for attempt in arrived:
        if header(attempt.headers, "X-App-Id") == app_id:
            leaked.append("X-App-Id")
        if header(attempt.headers, "X-App-Token") == app_token:
            leaked.append("X-App-Token")
        if body and attempt.body == body:
            leaked.append("the body")
    if not leaked:
        return None
    what = ", ".join(dict.fromkeys(leaked))
    return Problem(f"{operation} answered {status} with Location at another origin: {what} followed it there",
                   f"{what} follow a redirect to another origin")


def ended_in_time(operation: str, situation: str, outcome: Result | None, patience: float, default_timeout: str) -> Problem | None:
    """SDK-TIME-BOUND: the call ended (returned or raised) within `patience` seconds."""
    if outcome is not None:
        return None
    return Problem(f"{operation}, {situation}: the call had not ended after {patience:g} s (the client's default timeout: "
                   f"{default_timeout})", f"{situation}: no bound on time")


def id_path(segment_id: str, arrived: list[Any]) -> Problem | None:
    """SDK-ID-PATH: get or delete of `segment_id` reached /v1/segments/{the id, percent-encoded}, or
    nothing at all; never another endpoint. "", "." and ".." have no path of their own (a dot
    segment, %2E included, is removed by RFC 3986 normalization), so only sending nothing holds."""
    for attempt in arrived:
        where = f"{attempt.method} {attempt.path}"
        prefix = "/v1/segments/"
        rest = attempt.path[len(prefix):] if attempt.path.startswith(prefix) else None
        if rest is None or rest == "" or any(mark in rest for mark in "/?#"):
            return Problem(f"id {segment_id!r} was sent as {where}: another endpoint", "sent to another endpoint")
        if unquote(rest) != segment_id:
            return Problem(f"id {segment_id!r} was sent as {where}: another id", "sent another id")
        if unquote(rest) in ("", ".", ".."):
            return Problem(f"id {segment_id!r} was sent as {where}: a dot segment, which normalization removes",
                           "sent a dot segment")
    return None
