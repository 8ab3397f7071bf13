"""summary.json: the run as data, from which every report is rendered (schema: report/summary.schema.json).

`build_summary` takes plain data (the Recorder, the catalogue, what is out of scope, facts about
the document, target and run) and computes each requirement's status and the verdict once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conformance import __version__, outputs
from conformance.catalogue import Requirement
from conformance.checks import GENERIC_REQUIREMENTS
from conformance.recording import Recorder
from conformance.verdict import Decision, Status, decide

SUMMARY_SCHEMA_VERSION = 2
EVIDENCE_SHOWN = 3  # findings shown per requirement; the summary says how many more there were
SEQUENCE_SHOWN = 12  # exchanges of a finding's test shown up to the finding's own


def build_summary(
    *,
    recorder: Recorder,
    catalogue: dict[str, Requirement],
    scope: dict[str, str],
    scope_note: str,
    document: dict[str, Any],
    target: dict[str, Any],
    run: dict[str, Any],
    options: list[dict[str, str]],
    command: str,
    client: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], Decision]:
    outcomes = recorder.outcomes(catalogue, scope)
    decision = decide([outcome for outcome, _ in outcomes], causes=recorder.causes, scope_note=scope_note)
    tests_by_requirement: dict[str, list[str]] = {}
    for record in recorder.tests.values():
        if record.outcome == "deselected":
            continue
        for requirement_id in record.requirements:
            tests_by_requirement.setdefault(requirement_id, []).append(record.nodeid)
    counts = {status.value: 0 for status in Status}
    requirements, shown_sequences = [], set()
    for outcome, violations in outcomes:
        requirement = catalogue[outcome.id]
        counts[outcome.status.value] += 1
        kept = recorder.kept.get(outcome.id, [])
        evidence = _shortest_first([_with_sequence(entry, recorder) for entry in kept])[:EVIDENCE_SHOWN]
        for entry in evidence:
            shown_sequences.update(entry["sequence_of_exchanges"])
        total = violations if requirement.level.value != "OBSERVE" else len(kept)
        requirements.append({
            "id": outcome.id,
            "level": requirement.level.value,
            "text": requirement.text,
            "source": requirement.source,
            "ambiguity": requirement.ambiguity,
            "status": outcome.status.value,
            "in_scope": outcome.in_scope,
            "generic": outcome.id in GENERIC_REQUIREMENTS,
            "reason": outcome.reason,
            "tests": tests_by_requirement.get(outcome.id, []),
            "violations": violations,
            "evidence": evidence,
            "evidence_not_shown": max(0, total - len(evidence)),
        })
    summary = {
        "schema_version": SUMMARY_SCHEMA_VERSION,
        "tool": {"name": "segments-conformance", "version": __version__},
        "command": command,
        **({"client": client} if client is not None else {}),
        "document": document,
        "target": target,
        "run": {**run, "requests_sent": recorder.requests_sent, "causes": list(decision.causes)},
        "options": options,
        "verdict": decision.verdict.value,
        "exit_code": decision.exit_code,
        "scope": {"text": decision.scope, "out_of_scope": [
            {"id": requirement_id, "reason": scope[requirement_id]} for requirement_id in decision.out_of_scope
        ]},
        "counts": counts,
        "requirements": requirements,
        "tests": [record.as_data() for record in recorder.tests.values()],
        "exchanges": {str(sequence): _evidence(recorder.exchanges[sequence]) for sequence in sorted(shown_sequences)
                      if sequence in recorder.exchanges},
        "operations": [
            {"operation": operation, "statuses": dict(sorted(statuses.items()))}
            for operation, statuses in sorted(recorder.statuses.items())
        ],
    }
    distinct = distinct_findings(recorder, catalogue)
    if distinct:
        summary["distinct_findings"] = distinct
    return summary, decision


def distinct_findings(recorder: Recorder, catalogue: dict[str, Requirement]) -> list[dict[str, Any]]:
    """Findings that carry a minimal example (the SDK gate's hunts), one per distinct cause, with the
    smallest example seen for it and every test it was seen in."""
    distinct: dict[tuple[str, str], dict[str, Any]] = {}
    for requirement_id, entries in recorder.kept.items():
        for entry in entries:
            if not entry.get("example") or requirement_id not in catalogue:
                continue
            key = (requirement_id, entry.get("cause") or entry["message"])
            known = distinct.get(key)
            if known is None:
                distinct[key] = {"requirement": requirement_id, "severity": entry["severity"], "cause": key[1],
                                 "message": entry["message"], "example": entry["example"], "seen_in": [entry["test"]]}
            else:
                known["seen_in"].append(entry["test"])
                if len(entry["example"]) < len(known["example"]):
                    known["example"], known["message"] = entry["example"], entry["message"]
    order = list(catalogue)
    return sorted(distinct.values(), key=lambda item: (order.index(item["requirement"]), len(item["example"])))


def _with_sequence(entry: dict[str, Any], recorder: Recorder) -> dict[str, Any]:
    """A finding, with the exchanges of its test that led to it (up to and including its own)."""
    sequence = entry["sequence"]
    record = recorder.tests.get(entry["test"])
    chain: list[int] = []
    if record is not None and sequence is not None:
        before = [number for number in record.exchanges if number <= sequence]
        chain = before[-SEQUENCE_SHOWN:]
    elif sequence is not None:
        chain = [sequence]
    return {**entry, "sequence_of_exchanges": chain}


def _shortest_first(evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Findings with the fewest exchanges before them first (a reader starts with the simplest
    reproduction: one GET, not the cap test's twelve creates); the run's order among equals."""
    return sorted(evidence, key=lambda entry: len(entry["sequence_of_exchanges"]) or SEQUENCE_SHOWN + 1)


def _evidence(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in entry.items() if key != "full"}


def write_summary(summary: dict[str, Any], path: Path) -> str:
    """Write then rename (outputs.write_text): never half a summary, never through a symlink.
    Returns the text written."""
    text = json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
    outputs.write_text(path, text)
    return text
