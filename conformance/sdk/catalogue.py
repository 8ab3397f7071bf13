"""The SDK requirements (requirements.yaml beside this file) as typed data, in the main
catalogue's format and Requirement type (conformance/catalogue.py, left as it is)."""

from __future__ import annotations

import functools
from importlib.resources import files
from typing import Any

import yaml

from conformance.catalogue import LEVELS, Requirement, load_catalogue


def parse_catalogue(raw: dict[str, Any], origin: str) -> dict[str, Requirement]:
    catalogue: dict[str, Requirement] = {}
    for entry in raw["requirements"]:
        requirement = Requirement(
            id=entry["id"],
            level=entry["level"],
            text=" ".join(entry["text"].split()),
            source=" ".join(entry["source"].split()),
            operations=tuple(entry.get("operations", ())),
            ambiguity=" ".join(entry["ambiguity"].split()) if entry.get("ambiguity") else None,
            heavy=bool(entry.get("heavy", False)),
        )
        if requirement.id in catalogue:
            raise ValueError(f"requirement id {requirement.id} appears twice in {origin}")
        if requirement.level not in LEVELS:
            raise ValueError(f"requirement {requirement.id} has unknown level {requirement.level}")
        catalogue[requirement.id] = requirement
    return catalogue


@functools.cache
def load_sdk_catalogue() -> dict[str, Requirement]:
    """Every SDK requirement by id, in catalogue order."""
    text = files("conformance.sdk").joinpath("requirements.yaml").read_text("utf-8")
    catalogue = parse_catalogue(yaml.safe_load(text), "conformance/sdk/requirements.yaml")
    clash = set(catalogue) & set(load_catalogue())
    if clash:
        raise ValueError(f"SDK requirement ids {sorted(clash)} are also in conformance/requirements.yaml")
    return catalogue


def gate_catalogue() -> dict[str, Requirement]:
    """What the gate's Verifier knows: the SDK requirements, and the server's (the generic checks
    still judge every answer the relay brings back)."""
    return {**load_catalogue(), **load_sdk_catalogue()}
