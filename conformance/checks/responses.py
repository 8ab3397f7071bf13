"""What every response of the Segments API must satisfy, whatever the request was."""

from __future__ import annotations

import functools

from rfc3339_validator import validate_rfc3339

from conformance import contract
from conformance.checks.findings import Finding
from conformance.target import Exchange


def check_response(exchange: Exchange) -> list[Finding]:
    """The requirements every answer is held to: no 5xx, JSON bodies, documented statuses,
    the Error object on 4xx, a valid Segment on a 200 from create or get."""
    findings = [
        Finding("SEG-NO-5XX", exchange.status < 500, f"answered {exchange.status}, a server error", exchange),
    ]
    if exchange.response_text:
        media_type = exchange.content_type.split(";")[0].strip().lower()
        findings.append(
            Finding(
                "SEG-JSON-CONTENT-TYPE",
                media_type == "application/json" and exchange.body_is_json,
                f"a body with Content-Type {exchange.content_type or '(none)'!r}"
                + ("" if exchange.body_is_json else " that does not parse as JSON"),
                exchange,
            )
        )
    operation = exchange.operation
    if operation is not None:
        documented = documented_statuses(exchange.method, exchange.path_template)
        findings.append(
            Finding(
                "SEG-STATUS-DOCUMENTED",
                str(exchange.status) in documented,
                f"status {exchange.status} is not documented for {operation} (documented: {', '.join(sorted(documented))})",
                exchange,
            )
        )
    if 400 <= exchange.status < 500:
        findings += check_error_object(exchange)
    if exchange.status == 200 and operation in ("create-segment", "get-segment"):
        findings += check_segment(exchange)
    return findings


def check_error_object(exchange: Exchange) -> list[Finding]:
    body = exchange.json
    errors = contract.schema_errors(body, contract.ERROR_SCHEMA) if exchange.body_is_json else ["not JSON"]
    findings = [
        Finding(
            "SEG-ERROR-OBJECT",
            not errors,
            f"a {exchange.status} answer without the Error object: {'; '.join(errors[:3])}",
            exchange,
        )
    ]
    if isinstance(body, dict) and isinstance(body.get("code"), int):
        findings.append(
            Finding(
                "SEG-ERROR-CODE-STATUS",
                body["code"] == exchange.status,
                f"Error code {body['code']} on a {exchange.status} answer",
                exchange,
            )
        )
    return findings


def check_segment(exchange: Exchange) -> list[Finding]:
    body = exchange.json
    errors = contract.schema_errors(body, contract.SEGMENT_SCHEMA) if exchange.body_is_json else ["not JSON"]
    findings = [
        Finding("SEG-SEGMENT-SCHEMA", not errors, f"not a valid Segment: {'; '.join(errors[:3])}", exchange),
    ]
    if isinstance(body, dict):
        findings.append(
            Finding("SEG-SEGMENT-OBJECT", body.get("object") == "segment", f"object is {body.get('object')!r}", exchange)
        )
        created_at = body.get("created_at")
        findings.append(
            Finding(
                "SEG-SEGMENT-CREATED-AT",
                isinstance(created_at, str) and validate_rfc3339(created_at),
                f"created_at {created_at!r} is not an RFC 3339 date-time with a time zone",
                exchange,
            )
        )
    return findings


@functools.cache
def documented_statuses(method: str, path_template: str) -> frozenset[str]:
    operation = contract.effective_document()["paths"][path_template][method.lower()]
    return frozenset(operation["responses"])
