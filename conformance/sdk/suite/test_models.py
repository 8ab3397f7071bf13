"""The model gate, no socket: every Segment the contract allows, fed to the client's parser and
back out through its serializers. One test per aspect of the Segment (see strategies.ASPECTS) and
operation; in each, one hypothesis hunt per requirement, each shrinking to its minimal example."""

import json

import pytest

from conformance.sdk import judge, strategies

MODEL_REQUIREMENTS = ("SDK-RESPONSE-ACCEPTED", "SDK-ROUNDTRIP-VALID", "SDK-ROUNDTRIP-LOSSLESS",
                      "SDK-ROUNDTRIP-VERBATIM", "SDK-ROUNDTRIP-UNKNOWN-FIELDS")


@pytest.mark.parametrize("operation", ["create", "get"])
@pytest.mark.parametrize("aspect", strategies.ASPECTS)
@pytest.mark.requirement(*MODEL_REQUIREMENTS)
def test_segment_parse_and_roundtrip(hunts, answers_client, gate, aspect, operation):
    """Every contract-valid Segment is parsed, and serializes back valid, lossless and verbatim."""
    client = answers_client
    segments = strategies.segments(aspect, gate.declared)
    explicit = strategies.edge_segments() if aspect == "any" else ()
    label = f"{aspect}, {operation}"
    hunts.run("SDK-RESPONSE-ACCEPTED", segments, lambda segment: judge.response_accepted(
        client.parse_segment(json.dumps(segment, ensure_ascii=False), operation)), label=label, explicit=explicit)
    for requirement_id, judgement in (
        ("SDK-ROUNDTRIP-VALID", judge.roundtrip_valid),
        ("SDK-ROUNDTRIP-LOSSLESS", judge.roundtrip_lossless),
        ("SDK-ROUNDTRIP-VERBATIM", judge.roundtrip_verbatim),
        ("SDK-ROUNDTRIP-UNKNOWN-FIELDS", judge.roundtrip_unknown_fields),
    ):
        hunts.run(requirement_id, segments, lambda segment, judgement=judgement: judgement(
            segment, client.roundtrip_segment(json.dumps(segment, ensure_ascii=False), operation), gate.document),
            label=label, explicit=explicit)
    hunts.finish()


@pytest.mark.parametrize("operation", ["create", "get"])
@pytest.mark.requirement("SDK-RESPONSE-OPEN-VALUES", "SDK-DATETIME-EDGES")
def test_what_only_the_contract_allows(hunts, answers_client, operation):
    """Robustness (SHOULD): values the contract allows and no server of this API sends today, each
    in its own hunt so a finding here never shows as a MUST failure."""
    client = answers_client

    def text(segment):
        return json.dumps(segment, ensure_ascii=False)

    hunts.run("SDK-RESPONSE-OPEN-VALUES", strategies.open_value_segments(), lambda segment: judge.response_accepted(
        client.parse_segment(text(segment), operation)), label=operation,
        explicit=[{**strategies.vendor_segment(), "initial_sync_status": value} for value in strategies.OPEN_VALUES])
    hunts.run("SDK-DATETIME-EDGES", strategies.date_time_edge_segments(), lambda segment: judge.date_time_edge(
        segment, client.parse_segment(text(segment), operation), client.roundtrip_segment(text(segment), operation)),
        label=operation, explicit=[{**strategies.vendor_segment(), "created_at": value} for value in strategies.DATE_TIME_EDGES])
    hunts.finish()


@pytest.mark.requirement("SDK-SERIALIZER-NO-ERROR")
def test_segment_serializers(hunts, answers_client, gate, serializer):
    """Each serializer the client offers works on every Segment it parsed."""
    client = answers_client

    def check(segment):
        text = json.dumps(segment, ensure_ascii=False)
        return judge.serializer_no_error(serializer, client.parse_segment(text), client.serialize_segment(text, serializer))

    hunts.run("SDK-SERIALIZER-NO-ERROR", strategies.segments("any", gate.declared), check, label=serializer,
              explicit=strategies.edge_segments())
    hunts.finish()
