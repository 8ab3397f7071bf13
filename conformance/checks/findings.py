from __future__ import annotations

from dataclasses import dataclass

from conformance.target import Exchange


@dataclass(frozen=True)
class Finding:
    requirement: str
    passed: bool
    message: str
    exchange: Exchange | None = None
