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
        assert re.search(r"seed 00[03]|vendor|RFC|openapi/|segments-2026-07|document", requirement.source), requirement.id
        for operation in requirement.operations:
            assert operation in {"create-segment", "get-segment", "delete-segment", "list-segment"}


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


def test_every_requirement_is_declared_by_a_test_of_the_suite():
    """A requirement no test declares could only ever be NOT TESTED: the suite must cover the catalogue."""
    import ast
    from pathlib import Path

    import conformance.suite
    from conformance.checks import GENERIC_REQUIREMENTS

    declared = set(GENERIC_REQUIREMENTS)
    for module in Path(conformance.suite.__file__).parent.glob("test_*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("SEG-"):
                declared.add(node.value)
    assert set(load_catalogue()) <= declared
