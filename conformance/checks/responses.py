"""What every answer of the Segments API must satisfy, whatever the request was.

These run on every exchange a test makes (ours and schemathesis's), so every test implicitly
verifies GENERIC_REQUIREMENTS: a violation is never let through because no test named it.
"""

from __future__ import annotations

from conformance import rfc3339
from conformance.checks.findings import Finding
from conformance.contract import ERROR_SCHEMA, LIST_SCHEMA, SEGMENT_SCHEMA, Contract
from conformance.exchange import Exchange

GENERIC_REQUIREMENTS = frozenset({
    "SEG-NO-5XX",
    "SEG-JSON-CONTENT-TYPE",
    "SEG-STATUS-DOCUMENTED",
    "SEG-ERROR-OBJECT",
    "SEG-ERROR-CODE-STATUS",
    "SEG-SEGMENT-SCHEMA",
    "SEG-SEGMENT-OBJECT",
    "SEG-SEGMENT-CREATED-AT",
    "SEG-DELETE-204-EMPTY",
    "SEG-LIST-SCHEMA",
    "SEG-405-ALLOW",
    "SEG-CONTENT-CODING",
})
SEGMENT_OPERATIONS = frozenset({"create-segment", "get-segment"})


def check_response(exchange: Exchange, contract: Contract) -> list[Finding]:
    """The requirements every answer is held to: no 5xx, JSON bodies, documented statuses, the
    Error object on 4xx, a valid Segment on a 200 from create or get, a 204 with no body."""
    findings = [Finding("SEG-NO-5XX", exchange.status < 500, f"expected no 5xx, answered {exchange.status}", exchange)]
    if exchange.body:
        findings.append(Finding(
            "SEG-JSON-CONTENT-TYPE",
            exchange.media_type == "application/json" and exchange.body_is_json,
            f"expected a JSON body declared application/json, got Content-Type {exchange.content_type or '(none)'!r}"
            + ("" if exchange.body_is_json else f" and a body that is not JSON ({exchange.not_json_reason})"),
            exchange,
        ))
    if exchange.operation_id is not None and exchange.status < 500:  # a 5xx is SEG-NO-5XX's finding alone
        documented = contract.documented_statuses(exchange.method, exchange.path_template)
        findings.append(Finding(
            "SEG-STATUS-DOCUMENTED",
            str(exchange.status) in documented,
            f"expected one of the statuses documented for {exchange.operation_id} ({', '.join(sorted(documented))}), "
            f"answered {exchange.status}",
            exchange,
        ))
    if 400 <= exchange.status < 500 and exchange.method != "HEAD":  # a HEAD answer has no content (RFC 9110 9.3.2)
        findings += check_error_object(exchange, contract)
    if exchange.status == 200 and exchange.operation_id in SEGMENT_OPERATIONS:
        findings += check_segment(exchange, contract)
    if exchange.status == 204 and exchange.operation_id == "delete-segment":
        findings += check_no_content(exchange)
    if exchange.status == 200 and exchange.operation_id == "list-segment":
        findings += check_list(exchange, contract)
    if exchange.status == 405:
        findings += check_allow(exchange)
    if exchange.operation_id is not None:
        findings += check_content_coding(exchange)
    return findings


def check_content_coding(exchange: Exchange) -> list[Finding]:
    """A request that accepts only identity gets no content coding (RFC 9110 section 12.5.3); a
    request that accepts others (gzip) may get them. Judged on documented operations, where the
    catalogue's requirements apply."""
    accepted = next((value for key, value in exchange.request_headers.items() if key.lower() == "accept-encoding"), None)
    if accepted is None or accepted.strip().lower() != "identity":
        return []
    coding = (exchange.header("Content-Encoding") or "identity").strip().lower()
    return [Finding("SEG-CONTENT-CODING", coding == "identity",
                    f"expected no content coding for a request that accepts only identity, got Content-Encoding: {coding}",
                    exchange)]


def check_allow(exchange: Exchange) -> list[Finding]:
    """A 405 names the methods the path does support (RFC 9110 section 15.5.6), so not the one it
    refused. An empty Allow is legal: the section allows it for a resource disabled by configuration."""
    allow = exchange.header("Allow")
    methods = {item.strip().upper() for item in (allow or "").split(",") if item.strip()}
    return [Finding(
        "SEG-405-ALLOW",
        allow is not None and exchange.method.upper() not in methods,
        f"expected a 405 to carry Allow with the supported methods, not {exchange.method}, got "
        + ("no Allow header" if allow is None else repr(allow)),
        exchange,
    )]


def check_list(exchange: Exchange, contract: Contract) -> list[Finding]:
    """The list answer as the vendor's example shows it (its schema names the array `segments` but
    requires `data`; the overlay declares `data`): every listed item a valid Segment."""
    body = exchange.json
    errors = contract.schema_errors(body, LIST_SCHEMA) if exchange.body_parses else ["not JSON"]
    return [Finding("SEG-LIST-SCHEMA", not errors, f"expected the list object, got: {'; '.join(errors[:3])}", exchange)]


def check_error_object(exchange: Exchange, contract: Contract) -> list[Finding]:
    body = exchange.json
    errors = contract.schema_errors(body, ERROR_SCHEMA) if exchange.body_parses else ["not JSON"]
    findings = [Finding(
        "SEG-ERROR-OBJECT",
        not errors,
        f"expected the Error object on a {exchange.status}, got: {'; '.join(errors[:3])}",
        exchange,
    )]
    if isinstance(body, dict) and isinstance(body.get("code"), int):
        findings.append(Finding(
            "SEG-ERROR-CODE-STATUS",
            body["code"] == exchange.status,
            f"expected Error code {exchange.status} (the status), got code {body['code']}",
            exchange,
        ))
    return findings


def check_segment(exchange: Exchange, contract: Contract) -> list[Finding]:
    body = exchange.json
    errors = contract.schema_errors(body, SEGMENT_SCHEMA) if exchange.body_parses else ["not JSON"]
    findings = [Finding("SEG-SEGMENT-SCHEMA", not errors, f"expected a valid Segment, got: {'; '.join(errors[:3])}", exchange)]
    if isinstance(body, dict):
        findings.append(Finding(
            "SEG-SEGMENT-OBJECT", body.get("object") == "segment", f"expected object \"segment\", got {body.get('object')!r}", exchange,
        ))
        created_at = body.get("created_at")
        findings.append(Finding(
            "SEG-SEGMENT-CREATED-AT",
            rfc3339.is_date_time(created_at),
            f"expected created_at as an RFC 3339 date-time with a time zone, got {created_at!r}",
            exchange,
        ))
    return findings


def check_no_content(exchange: Exchange) -> list[Finding]:
    """A 204 has no body: read from its framing, because an HTTP client discards whatever a 204
    sends. No bytes after its headers, no Transfer-Encoding (RFC 9112 section 6.1), no Content-
    Length announcing a body (RFC 9110 section 8.6). `Content-Length: 0` is tolerated: RFC 9110
    forbids the header, but it announces the empty body the contract asks for (see the catalogue).
    Bytes that come after the headers, at once or later, are no part of the 204 (RFC 9112 section
    6.3 item 1): on a kept-alive connection a client reads them as the start of its next answer."""
    problems = []
    length = exchange.header("Content-Length")
    if length is not None and length.strip() != "0":
        problems.append(f"Content-Length: {length}")
    encoding = exchange.header("Transfer-Encoding")
    if encoding is not None:
        problems.append(f"Transfer-Encoding: {encoding}")
    if exchange.bytes_after_headers:
        late = f", {exchange.late_by_ms:.0f} ms after the client had read them" if exchange.late_by_ms is not None else ""
        problems.append(f"{exchange.bytes_after_headers} byte(s) after the headers{late}"
                        " (a client reads them as the start of its next answer on the connection)")
    return [Finding(
        "SEG-DELETE-204-EMPTY",
        not problems,
        "expected a 204 with no body and no body framing, got " + ", ".join(problems),
        exchange,
    )]
