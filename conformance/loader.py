"""THE loader of OpenAPI documents: every command (run, sdk, mock, lint, diff, compare, replay)
reads a document the user names through `load_document`, and nothing else parses one.

A document is hostile input. What this module guarantees before any library sees it:
- no network and no file access beyond the named file: only local `#/...` references are allowed
  (a http(s), file or relative `$ref`, an `externalValue` or a non-local `operationRef` is refused),
  so openapi-spec-validator, jsonschema and schemathesis, which would fetch anything else, only
  ever meet references they resolve inside the dict they are handed;
- bounded work: at most MAX_BYTES of text, MAX_DEPTH of nesting, MAX_NODES values, and what
  inlining every reference would produce (the way the contract builds its validators) at most
  MAX_EXPANDED values, so a "billion laughs" made of `$ref`s is refused as surely as one made of
  YAML aliases; a reference cycle (a recursive schema, legal OpenAPI) is refused in one line,
  because the suite, the mock and lint inline schemas;
- YAML without aliases (the classic bomb); timestamps stay strings; keys are strings (a YAML
  status code `200:` becomes "200");
- strict JSON (RFC 8259): no NaN or Infinity, no duplicate keys.
Anything else is a `DocumentError`: one line naming the file, exit 4, before any traffic.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import unquote

import yaml

from conformance.exits import UsageError

MAX_BYTES = 5 * 1024 * 1024  # the vendor's documents are 40 KB
MAX_DEPTH = 64  # the vendor's documents nest 17 deep
MAX_NODES = 200_000  # ... and hold about 700 values
MAX_EXPANDED = 500_000  # values after inlining every reference, counted without building them
MAX_INTEGER_DIGITS = 100


class DocumentError(UsageError):
    """A document this tool refuses to read; the message is one line that names the file."""


# --- reading --------------------------------------------------------------------------------------


def load_document(path: str | Path) -> dict[str, Any]:
    """The OpenAPI document at `path` (JSON or YAML), checked as this module's docstring says."""
    return parse_document(read_bounded(path, MAX_BYTES), str(path))


def read_bounded(path: str | Path, limit: int) -> bytes:
    """The bytes of the regular file at `path`, refused beyond `limit` (a FIFO or a device such as
    /dev/zero is refused before it is opened, so it cannot block or run forever)."""
    path = str(path)
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            raise DocumentError(f"{path}: not a regular file")
        if info.st_size > limit:
            raise DocumentError(f"{path}: {info.st_size} bytes, more than the {limit} this tool reads")
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        raise DocumentError(f"cannot read {path}: {error.strerror or error}") from None
    if len(data) > limit:
        raise DocumentError(f"{path}: more than the {limit} bytes this tool reads")
    return data


def load_toml(path: str | Path, limit: int = 1024 * 1024) -> dict[str, Any]:
    """A configuration file (conformance.toml, pyproject.toml): the same bounds as a document.
    A repository the user cloned can ship one, so it is as hostile as any other file."""
    import tomllib

    try:
        data = tomllib.loads(read_bounded(path, limit).decode("utf-8"))
    except UnicodeDecodeError:
        raise DocumentError(f"{path}: not UTF-8 text") from None
    except RecursionError:
        raise DocumentError(f"{path}: nested more than {MAX_DEPTH} deep") from None
    except ValueError as error:  # TOMLDecodeError, or an integer too long to read
        raise DocumentError(f"cannot read {path}: {_one_line(str(error))[:160]}") from None
    check_shape(data, str(path))
    return data


def parse_document(data: bytes, source: str) -> dict[str, Any]:
    """`data` parsed as JSON, else YAML, then checked: the object at its top, within the bounds,
    references local and acyclic."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise DocumentError(f"{source}: not UTF-8 text") from None
    if "\x00" in text:
        raise DocumentError(f"{source}: holds a NUL character, so it is not a JSON or YAML document")
    document = _parse_text(text, source)
    if not isinstance(document, dict):
        raise DocumentError(f"{source}: not a JSON or YAML object (the top level is not an object)")
    check_shape(document, source)
    check_references(document, source)
    return document


def _parse_text(text: str, source: str) -> Any:
    if text.lstrip()[:1] in ("{", "["):  # JSON: parsed as JSON, so its errors are JSON's
        try:
            return strict_json(text)
        except RecursionError:
            raise DocumentError(f"{source}: nested more than {MAX_DEPTH} deep") from None
        except ValueError as error:
            raise DocumentError(f"{source}: not valid JSON ({_one_line(str(error))})") from None
    try:
        return yaml.load(text, Loader=_AliasFreeLoader)  # noqa: S506 (our SafeLoader subclass)
    except DocumentError as error:
        raise DocumentError(f"{source}: {error}") from None
    except RecursionError:
        raise DocumentError(f"{source}: nested more than {MAX_DEPTH} deep") from None
    except (yaml.YAMLError, ValueError) as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        # The problem alone: the error's own text quotes the document's lines.
        problem = getattr(error, "problem", None) or type(error).__name__
        raise DocumentError(f"{source}: cannot parse{where}: neither JSON nor YAML ({_one_line(str(problem))[:120]})") from None


def strict_json(text: str) -> Any:
    """JSON as RFC 8259 defines it: `json.loads` without NaN/Infinity (not JSON) and without
    duplicate keys (whose meaning the RFC leaves open); a ValueError names what was wrong."""
    return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant, parse_float=_finite_float)


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {json.dumps(key)[:60]}")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:20]} is out of range")
    return value


class _AliasFreeLoader(yaml.SafeLoader):
    """YAML's safe loader without aliases (the expansion bomb), with bounded nesting, timestamps
    kept as the strings they are written as, and no NaN or Infinity (which JSON cannot carry)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise DocumentError(f"YAML alias at line {event.start_mark.line + 1}: aliases are not read (they can expand without bound)")
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_DEPTH:
                raise DocumentError(f"nested more than {MAX_DEPTH} deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):
        # PyYAML keeps the last of two equal keys without a word; like JSON here, that is refused.
        seen = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, (str, int, float, bool)):
                continue  # an unhashable key: the base class says so
            if key in seen:
                raise DocumentError(f"duplicate key {_quote(str(key))[:60]} at line {key_node.start_mark.line + 1}")
            seen.add(key)
        return super().construct_mapping(node, deep)

    def construct_yaml_float(self, node):
        value = super().construct_yaml_float(node)
        if not math.isfinite(value):
            raise DocumentError(f"{node.value!r} at line {node.start_mark.line + 1} is not a finite number")
        return value


_AliasFreeLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)
_AliasFreeLoader.add_constructor("tag:yaml.org,2002:float", _AliasFreeLoader.construct_yaml_float)


def check_shape(document: Any, source: str, *, max_depth: int = MAX_DEPTH, max_nodes: int = MAX_NODES,
                max_magnitude: float | None = None) -> None:
    """Depth, number of values, integer sizes and key types, walked without recursion (a deep
    document is exactly what would overflow a recursive walk). YAML integer keys (status codes)
    become strings. Other files read back (summaries, ledgers) are held to their own bounds, numbers
    included: a duration of 1e308 would overflow the arithmetic that draws it."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > max_nodes:
            raise DocumentError(f"{source}: more than {max_nodes} values")
        if depth > max_depth:
            raise DocumentError(f"{source}: nested more than {max_depth} deep")
        if isinstance(node, dict):
            for key in node:
                if isinstance(key, str) and _SURROGATE.search(key):
                    raise DocumentError(f"{source}: a key with a lone surrogate, which is not Unicode text")
                if not isinstance(key, str) and (isinstance(key, bool) or not isinstance(key, int)):
                    raise DocumentError(f"{source}: a key that is not a string ({_one_line(repr(key))[:40]})")
            if not all(isinstance(key, str) for key in node):  # in place and in order: 200 stays before 404
                items = [(str(key), value) for key, value in node.items()]
                if len({key for key, _ in items}) < len(items):
                    raise DocumentError(f"{source}: a key given twice, once as a number and once as a string")
                node.clear()
                node.update(items)
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)
        elif isinstance(node, str) and _SURROGATE.search(node):
            raise DocumentError(f"{source}: a string with a lone surrogate (\\u{ord(_SURROGATE.search(node).group()):04x}), "
                                "which is not Unicode text")
        elif isinstance(node, int) and not isinstance(node, bool) and _digits(node) > MAX_INTEGER_DIGITS:
            raise DocumentError(f"{source}: an integer of more than {MAX_INTEGER_DIGITS} digits")
        elif (max_magnitude is not None and isinstance(node, (int, float)) and not isinstance(node, bool)
              and abs(node) > max_magnitude):
            raise DocumentError(f"{source}: the number {_one_line(repr(node))[:30]} is beyond {max_magnitude:g}")


# JSON's \ud800 escapes can carry half a surrogate pair: not text, and a crash when printed or written.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _digits(number: int) -> int:
    return len(str(abs(number))) if abs(number) < 10**MAX_INTEGER_DIGITS else MAX_INTEGER_DIGITS + 1


# --- references -----------------------------------------------------------------------------------


def check_references(document: dict[str, Any], source: str) -> None:
    """Refuse every reference that would leave the document or points at nothing in it (the suite,
    the mock and schemathesis would each fail on it their own way), and a cycle or an expansion
    beyond MAX_EXPANDED among the local ones."""
    for pointer, node in walk(document):
        if not isinstance(node, dict):
            continue
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#/"):
            raise DocumentError(f"{source}: $ref {_quote(ref)} at {pointer}: only local references (#/...) are read, nothing is fetched")
        if isinstance(ref, str) and not _resolves(document, ref):
            raise DocumentError(f"{source}: $ref {_quote(ref)} at {pointer} points at nothing in the document")
        if "externalValue" in node and isinstance(node.get("externalValue"), str):
            raise DocumentError(f"{source}: externalValue at {pointer}: examples outside the document are not fetched")
        operation_ref = node.get("operationRef")
        if isinstance(operation_ref, str) and not operation_ref.startswith("#/"):
            raise DocumentError(f"{source}: operationRef {_quote(operation_ref)} at {pointer}: only local references (#/...) are read")
    _ExpansionCounter(document, source).check()


class _ExpansionCounter:
    """How many values inlining every reference of the document would produce, per referenced
    node memoised, with the cycle found on the way named."""

    def __init__(self, document: dict[str, Any], source: str) -> None:
        self.document, self.source = document, source
        self.sizes: dict[str, int] = {}
        self.open: list[str] = []

    def check(self) -> None:
        total = self.size(self.document)
        if total > MAX_EXPANDED:
            raise DocumentError(f"{self.source}: its references expand to more than {MAX_EXPANDED} values")

    def size(self, node: Any) -> int:
        # Recursion is bounded: MAX_DEPTH per document level, times the references open at once,
        # each distinct (a repeated one is a cycle and stops here).
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                return self.ref_size(ref)
            return 1 + sum(self.size(value) for value in node.values())
        if isinstance(node, list):
            return 1 + sum(self.size(value) for value in node)
        return 1

    def ref_size(self, ref: str) -> int:
        if ref in self.sizes:
            return self.sizes[ref]
        if ref in self.open:
            cycle = " -> ".join([*self.open[self.open.index(ref):], ref])
            raise DocumentError(
                f"{self.source}: recursive reference {_quote(cycle)[:200]}: recursive schemas are not supported "
                "(the suite and the mock inline every schema)"
            )
        target = resolve_pointer(self.document, ref)  # check_references saw it resolve
        self.open.append(ref)
        size = self.size(target)
        self.open.pop()
        self.sizes[ref] = min(size, MAX_EXPANDED + 1)
        if size > MAX_EXPANDED:
            raise DocumentError(f"{self.source}: the reference {_quote(ref)} expands to more than {MAX_EXPANDED} values")
        return size


def resolve_pointer(root: Any, ref: str) -> Any:
    """The node a local reference (`#/a/b~1c/0`, RFC 6901 in a URI fragment) points at; a
    LookupError (KeyError or IndexError) if none, a ValueError for a reference that is not local."""
    if not ref.startswith("#/"):
        raise ValueError(f"only local references are supported, got {ref!r}")
    node = root
    for part in unquote(ref[2:]).split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict):
            node = node[part]
        elif isinstance(node, list) and re.fullmatch(r"0|[1-9][0-9]*", part):
            node = node[int(part)]
        else:
            raise KeyError(part)
    return node


def _resolves(document: dict[str, Any], ref: str) -> bool:
    try:
        resolve_pointer(document, ref)
    except LookupError:
        return False
    return True


def walk(document: Any) -> Iterator[tuple[str, Any]]:
    """Every value of the document with its JSON pointer, without recursion."""
    stack: list[tuple[str, Any]] = [("#", document)]
    while stack:
        pointer, node = stack.pop()
        yield pointer, node
        if isinstance(node, dict):
            stack.extend((f"{pointer}/{escape(str(key))}", value) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((f"{pointer}/{index}", value) for index, value in enumerate(node))


def escape(part: str) -> str:
    """One JSON pointer token (RFC 6901)."""
    return part.replace("~", "~0").replace("/", "~1")


# --- validation -----------------------------------------------------------------------------------

_OPENAPI_3_0 = re.compile(r"3\.0\.\d+")


def openapi_version_problem(document: dict[str, Any]) -> str | None:
    """Why `document` is not an OpenAPI 3.0.x document, judged on its version field alone; None if it
    claims to be one. The validator would take a Swagger 2.0 or an OpenAPI 3.1 document on its own
    terms, and says nothing useful about `{}`: the checks here read OpenAPI 3.0 only."""
    if "swagger" in document:
        return f"a Swagger {_one_line(str(document['swagger']))[:20]} document, not OpenAPI 3.0 (convert it to OpenAPI 3.0 first)"
    if "openapi" not in document:
        missing = [f"`{name}`" for name in ("openapi", "info", "paths") if name not in document]
        listed = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} or {missing[-1]}"
        return f"no {listed} field: not an OpenAPI 3.0 document (it starts with openapi: 3.0.x, info and paths)"
    version = document["openapi"]
    if not isinstance(version, str):  # `openapi: 3.0` in YAML is the number 3.0
        return f"`openapi` is {json.dumps(version, default=str)[:40]}, not a version string such as \"3.0.3\""
    if version.startswith("3.1"):
        return (
            f"OpenAPI {_one_line(version)[:20]} is not supported: conformance reads OpenAPI 3.0.x documents "
            "(3.1 schemas are JSON Schema 2020-12)"
        )
    if not _OPENAPI_3_0.fullmatch(version):
        return f"`openapi` is {_quote(version)[:40]}: not an OpenAPI 3.0.x version"
    return None


def validation_problems(document: dict[str, Any]) -> list[str]:
    """What makes a loaded document invalid OpenAPI 3.0 (lint's L100): empty when it is valid.
    The validator is handed a document `load_document` checked, so it resolves nothing outside it."""
    from openapi_spec_validator import OpenAPIV30SpecValidator  # slow to import

    version_problem = openapi_version_problem(document)
    if version_problem:
        return [version_problem]
    problems = []
    try:
        for error in OpenAPIV30SpecValidator(document).iter_errors():
            message = _one_line(str(getattr(error, "message", error)))[:300] or type(error).__name__
            problems.append(f"not a valid OpenAPI 3.0 document: {message}")
            break  # the validator's first error; later ones are often its consequences
    except RecursionError:
        problems.append(f"not a valid OpenAPI 3.0 document: nested too deep to validate")
    except Exception as error:  # the validator raises its own family (an unresolvable reference, ...)
        message = _one_line(str(getattr(error, "message", error)))[:300] or type(error).__name__
        problems.append(f"not a valid OpenAPI 3.0 document: {message}")
    return problems


def load_valid_document(path: str | Path, *, named: str | None = None) -> dict[str, Any]:
    """`load_document`, and a DocumentError naming the first problem of an invalid document (as
    lint's L100 does); `named` is how the user gave it (`--spec 2026-07`), the path by default."""
    document = load_document(path)
    problems = validation_problems(document)
    if problems:
        raise DocumentError(f"{named or path} is invalid (lint L100): {problems[0]}")
    return document


# --- helpers --------------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    from conformance.safetext import printable

    return printable(" ".join(text.split()))


def _quote(text: str) -> str:
    return _one_line(json.dumps(text, ensure_ascii=False)[:120])
