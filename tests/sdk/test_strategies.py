"""Every value the gate generates is one the contract allows: Segments of every aspect, Error
objects, create bodies of both branches, and the explicit edge cases."""

import json

import pytest
from hypothesis import HealthCheck, given, settings

from conformance import contract
from conformance.sdk import strategies
from conformance.sdk.values import create_body_errors, error_errors, parse_rfc3339, segment_errors

MANY = settings(max_examples=200, deadline=None, database=None, suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize("aspect", strategies.ASPECTS)
def test_every_generated_segment_is_contract_valid(aspect):
    @MANY
    @given(strategies.segments(aspect))
    def check(segment):
        assert segment_errors(segment) == [], json.dumps(segment, ensure_ascii=False)
        json.loads(json.dumps(segment))  # plain JSON

    check()


@pytest.mark.parametrize("status", [400, 401, 404])
def test_every_generated_error_is_contract_valid(status):
    @MANY
    @given(strategies.errors(status))
    def check(error):
        assert error_errors(error) == [] and error["code"] == status

    check()


@pytest.mark.parametrize("branch", strategies.BRANCHES)
def test_every_generated_create_body_is_contract_valid(branch):
    schema = contract.STATIC_BODY_SCHEMA if branch == "static" else contract.DYNAMIC_BODY_SCHEMA

    @MANY
    @given(strategies.create_bodies(branch))
    def check(body):
        assert create_body_errors(body) == [] and contract.schema_errors(body, schema) == []

    check()


def test_edge_examples_are_contract_valid():
    for segment in strategies.edge_segments():
        assert segment_errors(segment) == [], segment
    for body in strategies.edge_bodies():
        assert create_body_errors(body) == [], body


def test_what_only_the_contract_allows_is_contract_valid_too():
    @MANY
    @given(strategies.open_value_segments() | strategies.date_time_edge_segments())
    def check(segment):
        assert segment_errors(segment) == [], json.dumps(segment, ensure_ascii=False)

    check()
    for value in strategies.DATE_TIME_EDGES:
        assert segment_errors({**strategies.vendor_segment(), "created_at": value}) == []


@pytest.mark.parametrize("edges", [False, True], ids=["as-servers-write-them", "edges"])
def test_the_date_times_cover_every_rfc3339_form(edges):
    """Servers' forms (the MUST hunts) have no leap second and at most six fraction digits; the
    edges (SDK-DATETIME-EDGES) are only those."""
    seen = set()

    @settings(max_examples=1500, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(strategies.rfc3339_date_times(edges=edges))
    def collect(text):
        assert parse_rfc3339(text) is not None, text
        seen.add("leap" if text[17:19] == "60" else "no-leap")
        seen.add("lower-t" if text[10] == "t" else "upper-T")
        seen.add({"Z": "Z", "z": "z"}.get(text[-1], text[-6:] if text[-6:] in ("+00:00", "-00:00") else "numeric"))
        fraction = text[20:].split("Z")[0].split("z")[0].split("+")[0].split("-")[0] if text[19] == "." else ""
        seen.add(f"fraction-{len(fraction)}")
        if edges and text[17:19] != "60":
            assert 7 <= len(fraction) <= 9, text  # an edge that is not a leap second is a long fraction

    collect()
    if edges:
        assert {"leap", "lower-t", "upper-T", "Z", "z", "+00:00", "fraction-7", "fraction-9"} <= seen
    else:
        assert {"no-leap", "lower-t", "upper-T", "Z", "z", "+00:00", "-00:00", "numeric", "fraction-0", "fraction-1", "fraction-6"} <= seen
        assert "leap" not in seen and not {"fraction-7", "fraction-8", "fraction-9"} & seen


def test_leap_seconds_are_valid_by_rfc3339():
    """RFC 3339 section 5.7 allows second 60: the contract's date-time format (conformance.rfc3339) does too."""
    segment = {**strategies.vendor_segment(), "created_at": "2016-12-31T23:59:60Z"}
    assert contract.schema_errors(segment, contract.SEGMENT_SCHEMA) == []
    assert segment_errors(segment) == []
    assert segment_errors({**segment, "created_at": "2016-12-31T23:59:61Z"})  # 61 is never a second
    assert segment_errors({**segment, "created_at": "2016-12-31 23:59:59Z"})  # a space is not RFC 3339's "T"


def test_instants_compare_by_value_at_full_precision():
    assert parse_rfc3339("2022-09-13T08:57:15.801Z") == parse_rfc3339("2022-09-13t10:57:15.80100+02:00")
    assert parse_rfc3339("2022-09-13T08:57:15Z") == parse_rfc3339("2022-09-13T08:57:15.000-00:00")
    assert parse_rfc3339("2022-09-13T08:57:15.1234567Z") != parse_rfc3339("2022-09-13T08:57:15.123456Z")
    assert parse_rfc3339("2016-12-31T23:59:60Z") != parse_rfc3339("2016-12-31T23:59:59Z")
    assert parse_rfc3339("2022-02-30T00:00:00Z") is None and parse_rfc3339(None) is None
