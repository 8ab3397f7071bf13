"""segments-conformance: contract tests and a conformance checker for the Voucherify Segments API."""

__version__ = "0.1.0"
