"""Two summaries of the same target, before and after: what got worse, what got better.

A regression is a requirement that held (PASS, or held with a warning: WARN) and now FAILs; it is
what `conformance compare` exits 1 on. PASS -> WARN is "degraded": worth a look, not a regression.
Requirements that stopped being tested are listed apart, because a run that tests less can hide a
failure without any status getting worse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance.report.redact import mask_text

HELD = frozenset({"PASS", "WARN"})
TESTED = frozenset({"PASS", "FAIL", "WARN", "OBSERVED"})
FIXES = frozenset({("FAIL", "PASS"), ("FAIL", "WARN"), ("WARN", "PASS")})

# Each kind of status change, worst first, with the heading the terminal shows for it.
CHANGE_KINDS = {
    "regressions": "Regressions (held before, FAIL now)",
    "degraded": "Degraded (PASS -> WARN)",
    "fixes": "Fixed",
    "no_longer_tested": "No longer tested",
    "newly_tested": "Newly tested",
    "other_changes": "Other status changes",
}


@dataclass(frozen=True)
class Change:
    id: str
    old: str
    new: str
    old_level: str
    new_level: str
    reason: str | None = None  # the new summary's reason, if it gives one

    @property
    def level_changed(self) -> bool:
        return self.old_level != self.new_level


@dataclass(frozen=True)
class Presence:
    """A requirement in only one of the two summaries, with its status there."""

    id: str
    status: str
    level: str


@dataclass(frozen=True)
class DocumentChange:
    old_sha256: str
    new_sha256: str
    old_info_version: str
    new_info_version: str


@dataclass(frozen=True)
class RunLabel:
    verdict: str
    started_at: str
    base_url: str
    tool_version: str

    @classmethod
    def of(cls, summary: dict[str, Any]) -> RunLabel:
        return cls(
            summary["verdict"], summary["run"]["started_at"], summary["target"]["base_url"], summary["tool"]["version"]
        )


@dataclass(frozen=True)
class Comparison:
    old: RunLabel
    new: RunLabel
    regressions: tuple[Change, ...] = ()
    degraded: tuple[Change, ...] = ()
    fixes: tuple[Change, ...] = ()
    no_longer_tested: tuple[Change, ...] = ()
    newly_tested: tuple[Change, ...] = ()
    other_changes: tuple[Change, ...] = ()  # e.g. FAIL -> OBSERVED after a level change
    added: tuple[Presence, ...] = ()
    removed: tuple[Presence, ...] = ()
    unchanged: int = 0
    document: DocumentChange | None = None
    level_changes: tuple[Change, ...] = ()

    @property
    def has_regressions(self) -> bool:
        return bool(self.regressions)


def compare(old: dict[str, Any], new: dict[str, Any]) -> Comparison:
    """Compare two validated summaries, requirement by requirement (matched by id)."""
    old_requirements = {requirement["id"]: requirement for requirement in old["requirements"]}
    new_requirements = {requirement["id"]: requirement for requirement in new["requirements"]}
    lists: dict[str, list[Change]] = {kind: [] for kind in CHANGE_KINDS}
    unchanged = 0
    level_changes = []
    for requirement_id, after in new_requirements.items():
        before = old_requirements.get(requirement_id)
        if before is None:
            continue
        change = Change(
            requirement_id, before["status"], after["status"], before["level"], after["level"], after["reason"]
        )
        if change.level_changed:
            level_changes.append(change)
        kind = _kind(change.old, change.new)
        if kind is None:
            unchanged += 1
        else:
            lists[kind].append(change)
    return Comparison(
        old=RunLabel.of(old),
        new=RunLabel.of(new),
        **{kind: tuple(changes) for kind, changes in lists.items()},
        added=tuple(_presence(r) for r in new["requirements"] if r["id"] not in old_requirements),
        removed=tuple(_presence(r) for r in old["requirements"] if r["id"] not in new_requirements),
        unchanged=unchanged,
        document=_document_change(old["document"], new["document"]),
        level_changes=tuple(level_changes),
    )


def _kind(old: str, new: str) -> str | None:
    if old == new:
        return None
    if old in HELD and new == "FAIL":
        return "regressions"
    if (old, new) == ("PASS", "WARN"):
        return "degraded"
    if (old, new) in FIXES:
        return "fixes"
    if old in TESTED and new == "NOT_TESTED":
        return "no_longer_tested"
    if old == "NOT_TESTED":
        return "newly_tested"
    return "other_changes"


def _presence(requirement: dict[str, Any]) -> Presence:
    return Presence(requirement["id"], requirement["status"], requirement["level"])


def _document_change(old: dict[str, Any], new: dict[str, Any]) -> DocumentChange | None:
    if old["sha256"] == new["sha256"] and old["info_version"] == new["info_version"]:
        return None
    return DocumentChange(old["sha256"], new["sha256"], old["info_version"], new["info_version"])


# --- terminal rendering -------------------------------------------------------------------------

def format_comparison(comparison: Comparison) -> str:
    """The comparison as plain text for a terminal: the worst news first, one requirement a line."""
    lines = [
        f"old: {_label(comparison.old)}",
        f"new: {_label(comparison.new)}",
    ]
    document = comparison.document
    if document is not None:
        lines.append(
            f"document changed: info.version {document.old_info_version} -> {document.new_info_version}, "
            f"sha256 {document.old_sha256[:12]} -> {document.new_sha256[:12]}"
        )
    for kind, title in CHANGE_KINDS.items():
        changes: tuple[Change, ...] = getattr(comparison, kind)
        if changes:
            lines += ["", f"{title}: {len(changes)}"]
            lines += [_change_line(change) for change in changes]
    level_only = [change for change in comparison.level_changes if change.old == change.new]
    if level_only:
        lines += ["", f"Level changed, status unchanged: {len(level_only)}"]
        lines += [_change_line(change) for change in level_only]
    for attribute, title in (("added", "Requirements added"), ("removed", "Requirements removed")):
        presences: tuple[Presence, ...] = getattr(comparison, attribute)
        if presences:
            lines += ["", f"{title}: {len(presences)}"]
            lines += [f"  {presence.id:<34} {presence.level:<7} {presence.status}" for presence in presences]
    lines += ["", f"unchanged: {comparison.unchanged}", _bottom_line(comparison)]
    return "\n".join(lines)


def _label(run: RunLabel) -> str:
    return f"{run.verdict} at {run.started_at} against {mask_text(run.base_url)} (tool {run.tool_version})"


def _change_line(change: Change) -> str:
    status = change.new if change.old == change.new else f"{change.old} -> {change.new}"
    line = f"  {change.id:<34} {change.new_level:<7} {status}"
    if change.level_changed:
        line += f"  (level {change.old_level} -> {change.new_level})"
    if change.reason and change.new in ("FAIL", "WARN", "NOT_TESTED"):
        line += f"\n      {mask_text(' '.join(change.reason.split()))}"
    return line


def _bottom_line(comparison: Comparison) -> str:
    if comparison.has_regressions:
        count = len(comparison.regressions)
        return f"RESULT: {count} regression{'s' if count != 1 else ''}"
    return "RESULT: no regression"
