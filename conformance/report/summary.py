"""summary.json, version 2: read it, and refuse anything that is not one.

The schema (summary.schema.json, next to this module) is the contract between the pytest plugin
that writes the file and everything here that reads it. A few facts JSON Schema cannot express
(unique requirement ids, counts that agree with the statuses) are checked after it.
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema

from conformance.loader import DocumentError, check_shape, read_bounded, strict_json
from conformance.safetext import printable

SCHEMA_VERSION = 2
SUMMARY_NAME = "summary.json"
STATUSES = ("PASS", "FAIL", "WARN", "NOT_TESTED", "OBSERVED")


class SummaryError(ValueError):
    """The file is not a readable version-2 summary. The message is one line, naming the file."""


@functools.cache
def schema() -> dict[str, Any]:
    return json.loads(files("conformance.report").joinpath("summary.schema.json").read_text("utf-8"))


# A summary is hostile input (a report directory can come from anywhere): bounded before it is
# parsed, strict JSON, bounded in shape, then the schema. A 1,000-test run writes about 2 MB.
MAX_BYTES = 64 * 1024 * 1024
MAX_VALUES = 2_000_000
MAX_DEPTH = 32  # the schema nests 8 deep; free-form parts (a client's self-description) get some room
MAX_MAGNITUDE = 1e15  # counts, seeds (2**31), milliseconds: far below; enough to keep arithmetic finite


def load_summary(path: str | Path) -> dict[str, Any]:
    """The summary at `path` (or in the report directory `path`), validated."""
    path = Path(path)
    if path.is_dir():
        if not (path / SUMMARY_NAME).exists():
            raise SummaryError(f"{path} is a directory without a {SUMMARY_NAME}")
        path = path / SUMMARY_NAME
    try:
        text = read_bounded(path, MAX_BYTES).decode("utf-8")
    except UnicodeDecodeError:
        raise SummaryError(f"{path}: not UTF-8 text") from None
    except DocumentError as error:
        raise SummaryError(str(error)) from None
    try:
        summary = strict_json(text)
    except json.JSONDecodeError as error:
        raise SummaryError(f"{path}: not JSON: {error.msg} at line {error.lineno} column {error.colno}") from None
    except RecursionError:
        raise SummaryError(f"{path}: nested more than {MAX_DEPTH} deep") from None
    except ValueError as error:  # NaN, Infinity, a duplicate key, an integer too long to read
        raise SummaryError(f"{path}: not strict JSON: {_one_line(str(error))}") from None
    try:
        check_shape(summary, str(path), max_depth=MAX_DEPTH, max_nodes=MAX_VALUES, max_magnitude=MAX_MAGNITUDE)
    except DocumentError as error:
        raise SummaryError(str(error)) from None
    validate_summary(summary, origin=str(path))
    return summary


def validate_summary(summary: Any, origin: str = "summary") -> None:
    """Raise SummaryError, naming `origin` and the first problem, unless `summary` is a valid v2 summary."""
    if isinstance(summary, dict) and summary.get("schema_version") not in (None, SCHEMA_VERSION):
        # Say what is wrong in words a user can act on, rather than "1 was expected".
        raise SummaryError(
            f"{origin}: schema_version {_one_line(repr(summary['schema_version']), 40)} is not supported "
            f"(this tool reads version {SCHEMA_VERSION})"
        )
    validator = jsonschema.Draft202012Validator(schema(), format_checker=jsonschema.FormatChecker())
    error = jsonschema.exceptions.best_match(validator.iter_errors(summary))
    if error is not None:
        raise SummaryError(
            f"{origin}: not a version-{SCHEMA_VERSION} summary: at {_pointer(error)}: {_one_line(error.message)}"
        )
    _check_consistency(summary, origin)


def _check_consistency(summary: dict[str, Any], origin: str) -> None:
    ids = Counter(requirement["id"] for requirement in summary["requirements"])
    repeated = sorted(requirement_id for requirement_id, seen in ids.items() if seen > 1)
    if repeated:
        raise SummaryError(f"{origin}: requirement {repeated[0]} appears {ids[repeated[0]]} times")
    tally = Counter(requirement["status"] for requirement in summary["requirements"])
    for status in STATUSES:
        if summary["counts"][status] != tally[status]:
            raise SummaryError(
                f"{origin}: counts.{status} is {summary['counts'][status]} "
                f"but {tally[status]} requirements have status {status}"
            )


def _pointer(error: jsonschema.ValidationError) -> str:
    return "/" + "/".join(str(part) for part in error.absolute_path) if error.absolute_path else "the top level"


def _one_line(text: str, limit: int = 200) -> str:
    text = printable(" ".join(text.split()))
    return text if len(text) <= limit else text[: limit - 1] + "…"
