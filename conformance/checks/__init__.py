"""Checks: pure functions from an exchange to findings tagged with requirement ids.

A finding says whether one requirement held for one exchange. The plugin decides what a finding
means for the test (a MUST failure fails it, a SHOULD failure warns) and for the report.
"""

from conformance.checks.findings import Finding
from conformance.checks.responses import check_error_object, check_response, check_segment

__all__ = ["Finding", "check_error_object", "check_response", "check_segment"]
