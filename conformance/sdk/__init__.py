"""The SDK release gate: clients of the Segments contract judged against it.

A client plugs in through conformance.sdk.adapter.SegmentsClient; conformance/sdk/suite is the
gate's pytest suite; requirements.yaml its SDK-* requirements. See README.md beside this file.
"""
