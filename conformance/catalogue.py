"""The requirement catalogues as typed data: requirements.yaml for the API, and any other
catalogue in the same format (the SDK gate's), loaded by package resource name."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib.resources import files

import yaml

from conformance.verdict import Level

LEVELS = tuple(level.value for level in Level)
API_CATALOGUE = ("conformance", "requirements.yaml")


@dataclass(frozen=True)
class Requirement:
    id: str
    level: Level
    text: str
    source: str
    operations: tuple[str, ...] = ()  # the operations it is tested through: all must be documented
    ambiguity: str | None = None
    heavy: bool = False
    alone: bool = False  # judged on what the whole account holds: nothing else may run on the target meanwhile

    def applies_to(self, operation_ids: set[str]) -> bool:
        return all(operation in operation_ids for operation in self.operations)


@functools.cache
def load_catalogue(package: str = API_CATALOGUE[0], name: str = API_CATALOGUE[1]) -> dict[str, Requirement]:
    """Every requirement by id, in catalogue order."""
    raw = yaml.safe_load(files(package).joinpath(name).read_text("utf-8"))
    catalogue: dict[str, Requirement] = {}
    for entry in raw["requirements"]:
        if entry.get("level") not in LEVELS:
            raise ValueError(f"requirement {entry.get('id')} has unknown level {entry.get('level')}")
        requirement = Requirement(
            id=entry["id"],
            level=Level(entry["level"]),
            text=" ".join(entry["text"].split()),
            source=" ".join(entry["source"].split()),
            operations=tuple(entry.get("operations", ())),
            ambiguity=" ".join(entry["ambiguity"].split()) if entry.get("ambiguity") else None,
            heavy=bool(entry.get("heavy", False)),
            alone=bool(entry.get("alone", False)),
        )
        if requirement.id in catalogue:
            raise ValueError(f"requirement id {requirement.id} appears twice in {name}")
        catalogue[requirement.id] = requirement
    return catalogue


def requirement(requirement_id: str) -> Requirement:
    try:
        return load_catalogue()[requirement_id]
    except KeyError:
        raise KeyError(f"unknown requirement id {requirement_id}") from None
