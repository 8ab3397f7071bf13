"""Two summaries, before and after (a version bump of the target, the contract or the client):
what got worse, what got better, and what is no longer known.

A **regression** (exit 1) is either
- a requirement that held (PASS, or held with a warning: WARN) and now FAILs, or
- a MUST requirement whose coverage is lost: it was tested (PASS, FAIL or WARN) and now is
  NOT_TESTED, in scope or out of it. A run that stops testing a MUST can hide a failure without
  any status getting worse, so losing one is as bad as failing it.
PASS -> WARN is "degraded"; a SHOULD (or OBSERVE) requirement that stopped being tested is listed
as "no longer tested"; neither is a regression. A requirement moving in or out of scope is listed
with the reason. Different documents, targets, clients and tool versions are stated before any
of it, since they change what a status change means; when both summaries carry their documents,
a summary of the contract's changes comes first (`conformance.diff`, when it is installed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from conformance.masking import mask_text

HELD = frozenset({"PASS", "WARN"})
JUDGED = frozenset({"PASS", "FAIL", "WARN"})  # tested, with a verdict on it
TESTED = frozenset({"PASS", "FAIL", "WARN", "OBSERVED"})
FIXES = frozenset({("FAIL", "PASS"), ("FAIL", "WARN"), ("WARN", "PASS")})

# Each kind of status change, worst first, with the heading the terminal shows for it.
CHANGE_KINDS = {
    "regressions": "Regressions (held before, FAIL now)",
    "coverage_lost": "Regressions: MUST requirements no longer tested (tested before, NOT_TESTED now)",
    "degraded": "Degraded (PASS -> WARN)",
    "no_longer_tested": "No longer tested (not MUST)",
    "fixes": "Fixed",
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
    old_in_scope: bool = True
    new_in_scope: bool = True

    @property
    def level_changed(self) -> bool:
        return self.old_level != self.new_level

    @property
    def scope_changed(self) -> bool:
        return self.old_in_scope != self.new_in_scope

    @property
    def must(self) -> bool:
        return "MUST" in (self.old_level, self.new_level)


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
    old_source: str = ""
    new_source: str = ""


@dataclass(frozen=True)
class RunLabel:
    verdict: str
    started_at: str
    base_url: str
    tool_version: str
    command: str = "api"
    client: str | None = None  # "name version" of the SDK under test (command "sdk")
    target: str = ""  # what was tested, as compare tells targets apart

    @classmethod
    def of(cls, summary: dict[str, Any]) -> RunLabel:
        client = summary.get("client") if summary.get("command") == "sdk" else None
        return cls(
            summary["verdict"], summary["run"]["started_at"], summary["target"]["base_url"],
            summary["tool"]["version"], summary.get("command", "api"),
            f"{client['name']} {client['version']}" if client else None, target_identity(summary),
        )


@dataclass(frozen=True)
class Comparison:
    old: RunLabel
    new: RunLabel
    regressions: tuple[Change, ...] = ()
    coverage_lost: tuple[Change, ...] = ()
    degraded: tuple[Change, ...] = ()
    no_longer_tested: tuple[Change, ...] = ()
    fixes: tuple[Change, ...] = ()
    newly_tested: tuple[Change, ...] = ()
    other_changes: tuple[Change, ...] = ()  # e.g. FAIL -> OBSERVED after a level change
    added: tuple[Presence, ...] = ()
    removed: tuple[Presence, ...] = ()
    unchanged: int = 0
    document: DocumentChange | None = None
    level_changes: tuple[Change, ...] = ()
    scope_changes: tuple[Change, ...] = ()
    differences: tuple[str, ...] = ()  # what differs besides the results, stated first

    @property
    def regression_count(self) -> int:
        return len(self.regressions) + len(self.coverage_lost)

    @property
    def has_regressions(self) -> bool:
        return self.regression_count > 0


SUMMARY_NAME = "summary.json"


def compare(old: dict[str, Any], new: dict[str, Any]) -> Comparison:
    """Compare two validated summaries, requirement by requirement (matched by id)."""
    old_requirements = {requirement["id"]: requirement for requirement in old["requirements"]}
    new_requirements = {requirement["id"]: requirement for requirement in new["requirements"]}
    lists: dict[str, list[Change]] = {kind: [] for kind in CHANGE_KINDS}
    unchanged = 0
    level_changes, scope_changes = [], []
    for requirement_id, after in new_requirements.items():
        before = old_requirements.get(requirement_id)
        if before is None:
            continue
        change = Change(
            requirement_id, before["status"], after["status"], before["level"], after["level"], after["reason"],
            before.get("in_scope", True), after.get("in_scope", True),
        )
        if change.level_changed:
            level_changes.append(change)
        if change.scope_changed:
            scope_changes.append(change)
        kind = _kind(change)
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
        scope_changes=tuple(scope_changes),
        differences=tuple(_differences(old, new)),
    )


def _kind(change: Change) -> str | None:
    old, new = change.old, change.new
    if old == new:
        return None
    if old in HELD and new == "FAIL":
        return "regressions"
    if old in JUDGED and new == "NOT_TESTED" and change.must:
        return "coverage_lost"
    if (old, new) == ("PASS", "WARN"):
        return "degraded"
    if old in TESTED and new == "NOT_TESTED":
        return "no_longer_tested"
    if (old, new) in FIXES:
        return "fixes"
    if old == "NOT_TESTED":
        return "newly_tested"
    return "other_changes"


def _presence(requirement: dict[str, Any]) -> Presence:
    return Presence(requirement["id"], requirement["status"], requirement["level"])


def _document_change(old: dict[str, Any], new: dict[str, Any]) -> DocumentChange | None:
    if (old["sha256"], old["info_version"], old.get("source")) == (new["sha256"], new["info_version"], new.get("source")):
        return None
    return DocumentChange(old["sha256"], new["sha256"], old["info_version"], new["info_version"],
                          old.get("source", ""), new.get("source", ""))


# --- what differs besides the results -------------------------------------------------------------

def target_identity(summary: dict[str, Any]) -> str:
    """What was tested, as two runs of it should compare equal: an embedded mock is known by its
    faults and variants (its port changes every run), any other target by its base URL."""
    target = summary["target"]
    if target["embedded_mock"]:
        switches = [f"--fault {fault}" for fault in target.get("faults", [])]
        switches += [f"--variant {variant}" for variant in target.get("variants", [])]
        return "the embedded mock" + (f" ({', '.join(switches)})" if switches else " (no fault)")
    return mask_text(target["base_url"])


def _differences(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    lines = _document_lines(old["document"], new["document"])
    if old["scope"]["text"] != new["scope"]["text"]:
        lines += ["scopes differ:", f"  old: {old['scope']['text'] or 'everything'}", f"  new: {new['scope']['text'] or 'everything'}"]
    if target_identity(old) != target_identity(new):
        lines.append(f"targets differ: {target_identity(old)} -> {target_identity(new)}")
    if old.get("command", "api") != new.get("command", "api"):
        lines.append(f"suites differ: {old.get('command', 'api')} -> {new.get('command', 'api')} "
                     "(an API run and an SDK gate run test different requirements)")
    old_client, new_client = RunLabel.of(old).client, RunLabel.of(new).client
    if old_client or new_client:
        if old_client == new_client:
            lines.append(f"client: {new_client} (both runs)")
        else:
            lines.append(f"clients differ: {old_client or 'none'} -> {new_client or 'none'}")
    if old["tool"]["version"] != new["tool"]["version"]:
        lines.append(f"tool versions differ: {old['tool']['version']} -> {new['tool']['version']} "
                     "(requirements may have been added, removed or reworded)")
    return lines


def _document_lines(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The contract documents: a summary of what changed in the API first (when both summaries
    carry their documents and conformance.diff is there), then their identities."""
    same_content = old["sha256"] == new["sha256"]
    if same_content and old.get("source") == new.get("source"):
        return []
    if same_content:
        return [f"documents: the same content (sha256 {old['sha256'][:12]}), from {old.get('source')} -> {new.get('source')}"]
    lines: list[str] = []
    if "content" in old and "content" in new:
        lines += _diff_summary(old["content"], new["content"])
    identity = f"documents differ: sha256 {old['sha256'][:12]} -> {new['sha256'][:12]}"
    details = []
    if old.get("source") != new.get("source"):
        details.append(f"source {old.get('source')} -> {new.get('source')}")
    if old["info_version"] != new["info_version"]:
        details.append(f"info.version {old['info_version']} -> {new['info_version']}")
    else:
        details.append(f"info.version {new['info_version']} in both")
    lines.append(identity + f" ({'; '.join(details)})")
    return lines


def _diff_summary(old_document: Any, new_document: Any) -> list[str]:
    """conformance.diff's few lines on what changed in the contract, or nothing when that module is
    not installed or cannot read the documents (the sha256 line then says that they differ)."""
    try:
        from conformance.diff import diff_documents, format_diff_summary
    except ImportError:
        return ["(no contract diff: conformance.diff is not installed; `conformance diff OLD NEW` on the "
                "two documents shows what changed)"]
    try:
        summary = format_diff_summary(diff_documents(old_document, new_document))
    except Exception as error:  # a document the diff cannot read must not stop the comparison
        return [f"(no contract diff: {type(error).__name__}: {' '.join(str(error).split())[:200]})"]
    return [line for line in summary.splitlines() if line.strip()]


# --- terminal rendering -------------------------------------------------------------------------

def format_comparison(comparison: Comparison) -> str:
    """The comparison as plain text for a terminal: what differs besides the results first, then
    the worst news, one requirement a line, and the result last."""
    lines = list(comparison.differences)
    if lines:
        lines.append("")
    lines += [
        f"old: {_label(comparison.old)}",
        f"new: {_label(comparison.new)}",
    ]
    for kind, title in CHANGE_KINDS.items():
        changes: tuple[Change, ...] = getattr(comparison, kind)
        if changes:
            lines += ["", f"{title}: {len(changes)}"]
            lines += [_change_line(change) for change in changes]
    scope_only = [change for change in comparison.scope_changes if change.old == change.new]
    if scope_only:  # the others are listed above with their status change, marked "now out of scope"
        lines += ["", f"Scope changed, status unchanged: {len(scope_only)}"]
        for change in scope_only:
            where = "moved out of scope" if change.old_in_scope else "moved into scope"
            line = f"  {change.id:<34} {change.new_level:<7} {where} ({change.old} -> {change.new})"
            if change.reason and not change.new_in_scope:
                line += f"\n      {mask_text(' '.join(change.reason.split()))}"
            lines.append(line)
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
    what = f"client {run.client}, " if run.client else ""
    return f"{run.verdict} at {run.started_at}: {what}{run.target} (tool {run.tool_version})"


def _change_line(change: Change) -> str:
    status = change.new if change.old == change.new else f"{change.old} -> {change.new}"
    line = f"  {change.id:<34} {change.new_level:<7} {status}"
    if change.level_changed:
        line += f"  (level {change.old_level} -> {change.new_level})"
    if change.scope_changed:
        line += "  (now out of scope)" if not change.new_in_scope else "  (now in scope)"
    if change.reason and change.new in ("FAIL", "WARN", "NOT_TESTED"):
        line += f"\n      {mask_text(' '.join(change.reason.split()))}"
    return line


def _bottom_line(comparison: Comparison) -> str:
    if not comparison.has_regressions:
        return "RESULT: no regression"
    count = comparison.regression_count
    parts = []
    if comparison.regressions:
        parts.append(f"{len(comparison.regressions)} held before and fail now")
    if comparison.coverage_lost:
        parts.append(f"{len(comparison.coverage_lost)} MUST no longer tested")
    return f"RESULT: {count} regression{'s' if count != 1 else ''} ({'; '.join(parts)})"
