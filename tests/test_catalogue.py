"""The requirement catalogue: unique ids, a source for each, levels we know."""

import re

import yaml
from importlib.resources import files

from conformance.catalogue import LEVELS, load_catalogue


def test_ids_are_unique_and_stable_looking():
    raw = yaml.safe_load(files("conformance").joinpath("requirements.yaml").read_text("utf-8"))
    ids = [entry["id"] for entry in raw["requirements"]]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"SEG-[A-Z0-9]+(-[A-Z0-9]+)+", requirement_id) for requirement_id in ids)


def test_every_requirement_has_a_sentence_a_source_and_a_level():
    for requirement in load_catalogue().values():
        assert requirement.level in LEVELS
        assert len(requirement.text) > 20, requirement.id
        assert re.search(r"seed 00[03]|vendor|RFC|openapi/", requirement.source), requirement.id
        for operation in requirement.operations:
            assert operation in {"create-segment", "get-segment", "delete-segment"}


def test_ambiguous_requirements_say_so():
    catalogue = load_catalogue()
    observed = [r for r in catalogue.values() if r.level == "OBSERVE"]
    assert observed, "the oneOf ambiguities must be catalogued"
    # an OBSERVE requirement exists because the document is ambiguous: it must explain the readings
    assert all(r.ambiguity for r in observed)


def test_catalogue_covers_what_the_seeds_state():
    catalogue = load_catalogue()
    for requirement_id in (
        "SEG-CREATE-STATIC-200", "SEG-CREATE-AUTOUPDATE-200", "SEG-CREATE-PASSIVE-200",
        "SEG-SEGMENT-CREATED-AT", "SEG-SEGMENT-OBJECT", "SEG-ID-UNIQUE", "SEG-GET-READBACK",
        "SEG-DELETE-204-EMPTY", "SEG-DELETE-GONE", "SEG-DELETE-TWICE-404",
        "SEG-CAP-STATIC-20000", "SEG-CAP-STATIC-20001", "SEG-CAP-DYNAMIC-100",
        "SEG-CAP-STATIC-NOT-COUNTED", "SEG-CAP-DELETE-FREES", "SEG-AUTH-401", "SEG-AUTH-NO-EFFECT",
        "SEG-VALIDATION-4XX", "SEG-VALIDATION-400", "SEG-ERROR-OBJECT", "SEG-NO-5XX", "SEG-JSON-CONTENT-TYPE",
    ):
        assert requirement_id in catalogue
    assert catalogue["SEG-VALIDATION-400"].level == "SHOULD"
    assert all(catalogue[i].heavy for i in catalogue if i.startswith("SEG-CAP-"))
