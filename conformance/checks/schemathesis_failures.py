"""Which schemathesis checks the property tests run, and which requirement each failure code breaks.

schemathesis gives every failure kind a stable code (ST101 ...); we map each to the catalogue so a
property-test failure names the requirement, like every other failure in the suite. Checks whose
ground the suite's own generic checks cover on every answer are not run twice.
"""

from __future__ import annotations

CHECKS_USED = (
    "negative_data_rejection",
    "use_after_free",
    "ensure_resource_availability",
)
CHECKS_LEFT_OUT = {
    "not_a_server_error": "the generic check SEG-NO-5XX reads every answer",
    "status_code_conformance": "the generic check SEG-STATUS-DOCUMENTED reads every answer",
    "content_type_conformance": "the generic check SEG-JSON-CONTENT-TYPE reads every answer",
    "response_schema_conformance": "the generic checks validate every Segment, Error object and list answer "
    "against the effective document, with RFC 3339 date-times read as the RFC allows (leap seconds)",
    "response_headers_conformance": "the only documented headers are Allow on 405 (the 405 probes read it) and "
    "Retry-After on 429, which RFC 9110 allows as an HTTP date too: checking it as an integer is a false alarm",
    "ignored_auth": "the auth scenarios send every credential fault to every operation; its re-sent creates "
    "would duplicate them",
    "unsupported_method": "the 405 probes are derived from the document (test_methods)",
    "positive_data_acceptance": "a body the vendor schema allows can still be one the contract leaves open "
    "(SEG-AMBIG-*); rejecting it is conforming, so this check would raise false alarms",
    "missing_required_header": "the only required headers are the credentials, which the auth scenarios cover",
    "max_response_time": "the contract sets no response time",
    "object_level_authorization": "needs two identities; the suite has one",
}

BY_CODE = {
    "ST101": "SEG-NO-5XX",
    "ST102": "SEG-NO-5XX",
    "ST103": "SEG-STATUS-DOCUMENTED",
    "ST104": "SEG-JSON-CONTENT-TYPE",
    "ST105": "SEG-JSON-CONTENT-TYPE",
    "ST106": "SEG-JSON-CONTENT-TYPE",
    "ST107": "SEG-STATUS-DOCUMENTED",
    "ST109": "SEG-JSON-CONTENT-TYPE",
    "ST110": "SEG-JSON-CONTENT-TYPE",
    "ST201": "SEG-VALIDATION-4XX",
    "ST301": "SEG-DELETE-GONE",
    "ST302": "SEG-GET-200",
}


def requirement_for(code: str, status: int) -> str | None:
    """The requirement a failure with schemathesis code `code`, on an answer with `status`, breaks."""
    if code == "ST108":  # a response schema violation: the Segment on success, the Error object otherwise
        return "SEG-SEGMENT-SCHEMA" if 200 <= status < 300 else "SEG-ERROR-OBJECT"
    return BY_CODE.get(code)
