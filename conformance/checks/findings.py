from __future__ import annotations

from dataclasses import dataclass

from conformance.exchange import Exchange


@dataclass(frozen=True)
class Finding:
    """Whether one requirement held for one exchange; the message says expected and observed."""

    requirement: str
    passed: bool
    message: str
    exchange: Exchange | None = None
