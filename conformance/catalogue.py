"""The requirement catalogue (requirements.yaml) as typed data."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib.resources import files

import yaml

LEVELS = ("MUST", "SHOULD", "OBSERVE")


@dataclass(frozen=True)
class Requirement:
    id: str
    level: str
    text: str
    source: str
    operations: tuple[str, ...] = ()
    ambiguity: str | None = None
    heavy: bool = False


@functools.cache
def load_catalogue() -> dict[str, Requirement]:
    """Every requirement by id, in catalogue order."""
    raw = yaml.safe_load(files("conformance").joinpath("requirements.yaml").read_text("utf-8"))
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
            raise ValueError(f"requirement id {requirement.id} appears twice in requirements.yaml")
        if requirement.level not in LEVELS:
            raise ValueError(f"requirement {requirement.id} has unknown level {requirement.level}")
        catalogue[requirement.id] = requirement
    return catalogue


def requirement(requirement_id: str) -> Requirement:
    try:
        return load_catalogue()[requirement_id]
    except KeyError:
        raise KeyError(f"unknown requirement id {requirement_id}") from None
