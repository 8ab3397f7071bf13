"""summary.json: the run as data, from which every report is rendered (schema: report/summary.schema.json)."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

from conformance import __version__, contract
from conformance.catalogue import load_catalogue

if TYPE_CHECKING:
    from conformance.plugin import ConformanceSession

SUMMARY_SCHEMA_VERSION = 1


def build_summary(state: ConformanceSession) -> dict[str, Any]:
    recorder = state.recorder
    requirements = []
    counts = Counter({"PASS": 0, "FAIL": 0, "WARN": 0, "NOT_TESTED": 0, "OBSERVED": 0})
    tests_by_requirement: dict[str, list[str]] = defaultdict(list)
    for record in recorder.tests.values():
        for requirement_id in record.requirements:
            tests_by_requirement[requirement_id].append(record.nodeid)
    for requirement in load_catalogue().values():
        status, reason = recorder.status_of(requirement)
        counts[status] += 1
        evidence = recorder.problems.get(requirement.id, []) or recorder.observations.get(requirement.id, [])
        requirements.append(
            {
                "id": requirement.id,
                "level": requirement.level,
                "text": requirement.text,
                "source": requirement.source,
                "ambiguity": requirement.ambiguity,
                "status": status,
                "reason": reason,
                "tests": tests_by_requirement.get(requirement.id, []),
                "evidence": list(evidence),
            }
        )
    test_failed = any(record.outcome in ("failed", "error") for record in recorder.tests.values())
    if counts["FAIL"]:
        verdict, exit_code = "NONCONFORMANT", 1
    elif recorder.could_not_test or test_failed:
        verdict, exit_code = "INCOMPLETE", 2
    else:
        verdict, exit_code = "CONFORMANT", 0
    document = contract.effective_document()
    return {
        "schema_version": SUMMARY_SCHEMA_VERSION,
        "tool": {"name": "segments-conformance", "version": __version__},
        "document": {
            "sha256": contract.document_sha256(),
            "info_version": document["info"]["version"],
            "title": document["info"]["title"],
        },
        "target": {
            "base_url": state.target.mask(state.base_url) if state._target else (state.config.base_url or "one per worker"),
            "embedded_mock": state.config.embedded,
            "faults": list(state.config.faults),
            "insecure": state.config.insecure,
        },
        "run": {
            "seed": state.config.seed,
            "started_at": state.started_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "duration_s": round(time.perf_counter() - state.started, 3),
            "strict": state.config.strict,
            "max_examples": state.config.max_examples,
            "selection": state.selection,
            "requests_sent": state._target.requests_sent if state._target else state.worker_requests,
            "run_tag": state.run_tag,
            "left_behind": state.left_behind,
            "max_requests": state.config.max_requests,
            "profile": state.profile,
            "could_not_test": recorder.could_not_test,
        },
        "verdict": verdict,
        "exit_code": exit_code,
        "counts": dict(counts),
        "requirements": requirements,
        "tests": [record.__dict__ for record in recorder.tests.values()],
        "operations": [
            {"operation": operation, "statuses": dict(sorted(statuses.items()))}
            for operation, statuses in sorted(recorder.statuses.items())
        ],
    }
