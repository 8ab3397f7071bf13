"""Which requirement each schemathesis failure code breaks.

schemathesis gives every failure kind a stable code (ST101 ...); we map each to the catalogue so a
property-test failure names the requirement, like every other failure in the suite.
"""

from __future__ import annotations

# Checks we run, and why some are left out (recorded in the README as well).
CHECKS_USED = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "use_after_free",
    "ensure_resource_availability",
    "ignored_auth",
    "unsupported_method",
)
CHECKS_LEFT_OUT = {
    "positive_data_acceptance": "a body the vendor schema allows can still be one the contract leaves open "
    "(SEG-AMBIG-*); rejecting it is conforming, so this check would raise false alarms",
    "missing_required_header": "the only required headers are the credentials, which ignored_auth and the auth "
    "scenarios cover",
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
    "ST204": "SEG-METHOD-405",
    "ST205": "SEG-METHOD-405",
    "ST301": "SEG-DELETE-GONE",
    "ST302": "SEG-GET-200",
    "ST401": "SEG-AUTH-401",
}


def requirement_for(code: str, status: int) -> str | None:
    """The requirement a failure with schemathesis code `code`, on an answer with `status`, breaks."""
    if code == "ST108":  # a response schema violation: the Segment on success, the Error object otherwise
        return "SEG-SEGMENT-SCHEMA" if 200 <= status < 300 else "SEG-ERROR-OBJECT"
    return BY_CODE.get(code)
