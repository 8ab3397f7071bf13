"""Checks: pure functions from an exchange to findings tagged with requirement ids.

A finding says whether one requirement held for one exchange. The Verifier decides what a finding
means for the test (a MUST failure fails it, a SHOULD failure warns) and the Recorder adds up.
"""

from conformance.checks.findings import Finding
from conformance.checks.responses import GENERIC_REQUIREMENTS, check_error_object, check_no_content, check_response, check_segment

__all__ = ["Finding", "GENERIC_REQUIREMENTS", "check_error_object", "check_no_content", "check_response", "check_segment"]
