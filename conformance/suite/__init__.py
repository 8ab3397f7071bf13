"""The conformance suite: pytest tests that drive a target through conformance.plugin."""
