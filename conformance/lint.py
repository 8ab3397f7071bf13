"""`conformance lint [SPEC]`: the problems of the contract document itself.

Each problem has a stable code (the habit we copy from schemathesis) and the JSON pointer of where
it is, so the requirement catalogue and the overlay can point at it:

  L001  a request body satisfies more than one branch of a oneOf (so, strictly, none)
  L002  an object schema with properties marks none of them required
  L003  an example carries a field its schema does not declare
  L004  an example does not validate against its schema
  L005  a schema's `required` names a property that its `properties` does not declare
  L006  (with --effective) an action of our overlay does not apply to this document
  L100  the document is not a valid OpenAPI 3.0 document (an error: exit 1); a Swagger 2.0 or an
        OpenAPI 3.1 document is named as such: lint reads OpenAPI 3.0.x only (3.1 schemas are
        JSON Schema 2020-12, which these checks do not read)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterator

from jsonschema import Draft4Validator

from conformance import contract, loader
from conformance.loader import escape as _escape
from conformance.loader import openapi_version_problem  # noqa: F401 (diff reads it from here)
from conformance.safetext import printable, printable_json

DEFAULT_SPEC = "bundled vendor document (openapi/segments.json)"


@dataclass(frozen=True)
class Problem:
    code: str
    severity: str  # "warning" or "error"
    pointer: str
    message: str

    def line(self) -> str:
        return f"{self.severity.upper()} {self.code} {self.pointer}: {self.message}"


def lint_document(document: dict[str, Any]) -> list[Problem]:
    """The problems of a document `loader.load_document` has read (so its references are local)."""
    invalid = loader.validation_problems(document)
    if invalid:
        return [Problem("L100", "error", "#", problem) for problem in invalid]
    problems = [
        *_ambiguous_one_ofs(document),
        *_nothing_required(document),
        *_example_problems(document),
        *_undeclared_required(document),
    ]
    return sorted(problems, key=lambda problem: (problem.code, problem.pointer))


# --- L001 ---------------------------------------------------------------------------------------


def _ambiguous_one_ofs(document: dict[str, Any]) -> Iterator[Problem]:
    for pointer, node in _walk(document, "#"):
        if not isinstance(node, dict) or not isinstance(node.get("oneOf"), list):
            continue
        branches = [contract.inline_refs(branch, document) for branch in node["oneOf"]]
        for witness in _candidate_instances(branches):
            matching = [index for index, branch in enumerate(branches) if _is_valid(witness, branch)]
            if len(matching) > 1:
                names = ", ".join(_branch_name(node["oneOf"][index], index) for index in matching)
                yield Problem(
                    "L001",
                    "warning",
                    f"{pointer}/oneOf",
                    f"the body {json.dumps(witness, ensure_ascii=False)} satisfies {len(matching)} "
                    f"oneOf branches ({names}), so strictly it is valid under none; "
                    "a server and a client can read it differently",
                )
                break


def _candidate_instances(branches: list[dict[str, Any]]) -> Iterator[Any]:
    """Small bodies likely to sit in the overlap of object branches: what they all require,
    then that plus each property they share."""
    if not all(branch.get("type") == "object" for branch in branches):
        return
    required = {name for branch in branches for name in branch.get("required", [])}
    base = {name: _sample(_property(branches, name)) for name in sorted(required)}
    shared = set.intersection(*(set(branch.get("properties", {})) for branch in branches))
    for name in sorted(shared - required):
        yield {**base, name: _sample(_property(branches, name))}
    yield base


def _property(branches: list[dict[str, Any]], name: str) -> dict[str, Any]:
    for branch in branches:
        if name in branch.get("properties", {}):
            return branch["properties"][name]
    return {}


def _sample(schema: dict[str, Any]) -> Any:
    if "enum" in schema:
        return schema["enum"][0]
    return {"string": "x", "integer": 1, "number": 1, "boolean": True, "array": [], "object": {}}.get(
        schema.get("type"), "x"
    )


def _branch_name(branch: dict[str, Any], index: int) -> str:
    return branch.get("$ref", f"branch {index}").rsplit("/", 1)[-1]


# --- L002 ---------------------------------------------------------------------------------------


def _nothing_required(document: dict[str, Any]) -> Iterator[Problem]:
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        if schema.get("properties") and not schema.get("required"):
            yield Problem(
                "L002",
                "warning",
                f"#/components/schemas/{name}",
                f"declares {len(schema['properties'])} properties and requires none, so an empty "
                "object conforms to it",
            )


# --- L003 and L004 ------------------------------------------------------------------------------


def _example_problems(document: dict[str, Any]) -> Iterator[Problem]:
    for pointer, media in _walk(document, "#"):
        if not (isinstance(media, dict) and "schema" in media and ("examples" in media or "example" in media)):
            continue
        schema = contract.inline_refs(media["schema"], document)
        examples = {name: example.get("value") for name, example in media.get("examples", {}).items()}
        if "example" in media:
            examples["example"] = media["example"]
        for name, value in examples.items():
            where = f"{pointer}/examples/{_escape(name)}/value" if name != "example" else f"{pointer}/example"
            for field_pointer in _undeclared_fields(value, schema, where):
                yield Problem(
                    "L003",
                    "warning",
                    field_pointer,
                    "this example field is not declared in its schema",
                )
            for error in _validator(schema).iter_errors(value):
                location = "/".join(_escape(str(part)) for part in error.absolute_path)
                yield Problem(
                    "L004",
                    "warning",
                    f"{where}/{location}".rstrip("/"),
                    f"the example does not validate: {_short(error.message)}",
                )


def _undeclared_fields(value: Any, schema: dict[str, Any], pointer: str) -> Iterator[str]:
    if not isinstance(value, dict):
        return
    declared = _declared_properties(schema)
    if declared is None:  # free-form object: anything goes
        return
    for key, item in value.items():
        if key not in declared:
            yield f"{pointer}/{_escape(key)}"
        else:
            yield from _undeclared_fields(item, declared[key], f"{pointer}/{_escape(key)}")


def _declared_properties(schema: dict[str, Any]) -> dict[str, Any] | None:
    """The properties an object schema declares, across allOf/oneOf/anyOf; None if free-form."""
    declared: dict[str, Any] = dict(schema.get("properties", {}))
    composed = [*schema.get("allOf", []), *schema.get("oneOf", []), *schema.get("anyOf", [])]
    for part in composed:
        part_properties = _declared_properties(part)
        if part_properties is None:
            return None
        declared.update(part_properties)
    if not declared and schema.get("additionalProperties", True) is not False:
        return None
    return declared


# --- L005 ---------------------------------------------------------------------------------------


def _undeclared_required(document: dict[str, Any]) -> Iterator[Problem]:
    """A `required` entry that `properties` does not declare: one half of the schema contradicts the
    other (a client generated from `properties` never sends or reads what `required` insists on)."""
    for pointer, schema in _objects(document, "#"):
        required, properties = schema.get("required"), schema.get("properties")
        if not isinstance(required, list) or not isinstance(properties, dict):
            continue  # `required: true` of a parameter or body; or a schema that declares nothing itself
        declared = set(properties) | _all_of_properties(schema, document, set())
        for index, name in enumerate(required):
            if isinstance(name, str) and name not in declared:
                yield Problem(
                    "L005",
                    "warning",
                    f"{pointer}/required/{index}",
                    f"`required` names `{name}`, which `properties` does not declare "
                    f"(it declares {', '.join(properties) or 'nothing'})",
                )


def _objects(node: Any, pointer: str, parent_key: str | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every object in the document outside example values (which may hold anything), with its pointer."""
    if isinstance(node, dict):
        yield pointer, node
        for key, value in node.items():
            if key in ("example", "examples") and parent_key != "properties":
                continue
            yield from _objects(value, f"{pointer}/{_escape(str(key))}", str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _objects(value, f"{pointer}/{index}", None)


def _all_of_properties(schema: dict[str, Any], document: dict[str, Any], seen: set[str]) -> set[str]:
    """The property names the allOf parts of `schema` declare, following local $refs once each."""
    names: set[str] = set()
    parts = schema.get("allOf")
    for part in parts if isinstance(parts, list) else []:
        while isinstance(part, dict) and isinstance(part.get("$ref"), str) and part["$ref"] not in seen:
            seen.add(part["$ref"])
            try:
                part = loader.resolve_pointer(document, part["$ref"])
            except (ValueError, LookupError, TypeError):
                part = None  # a broken reference is the validator's finding (L100), not this one's
        if isinstance(part, dict) and "$ref" not in part:
            properties = part.get("properties")
            names |= set(properties) if isinstance(properties, dict) else set()
            names |= _all_of_properties(part, document, seen)
    return names


# --- helpers ------------------------------------------------------------------------------------


def _validator(schema: dict[str, Any]):
    return contract.schema_validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


def _is_valid(instance: Any, schema: dict[str, Any]) -> bool:
    return _validator(schema).is_valid(instance)


def _walk(node: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    yield pointer, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, f"{pointer}/{_escape(str(key))}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{pointer}/{index}")


def _short(message: str, limit: int = 200) -> str:
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 1] + "…"


# --- command ------------------------------------------------------------------------------------


def load_spec(path: str | None) -> dict[str, Any]:
    """The document at `path` (JSON or YAML, read by THE loader), or the bundled vendor document."""
    return contract.vendor_document() if path is None else loader.load_document(path)


def run(args) -> int:
    from conformance.exits import EXIT_NONCONFORMANT, EXIT_OK, UsageError

    spec = args.spec_option or args.spec
    if args.spec_option and args.spec and args.spec_option != args.spec:
        raise UsageError("give the document once: SPEC or --spec")
    label = spec or DEFAULT_SPEC
    if args.effective:
        try:
            revision = contract.Contract.load(spec)
        except contract.ContractError as error:  # what lint would call L100, but there is no overlay to apply
            raise UsageError(f"cannot apply the overlay: {error}") from None
        document = revision.effective
        label = f"{label} with the overlay applied"
        problems = [Problem("L006", "warning", "#", warning) for warning in revision.overlay_warnings]
    else:
        document = load_spec(spec)
        problems = []
    problems = sorted([*problems, *lint_document(document)], key=lambda problem: (problem.code, problem.pointer))
    errors = sum(problem.severity == "error" for problem in problems)
    if args.format == "json":
        print(printable_json(json.dumps([problem.__dict__ for problem in problems], indent=2, ensure_ascii=False)))
    else:
        for problem in problems:
            print(printable(problem.line()))
        print(printable(f"{len(problems) - errors} warning(s), {errors} error(s) in {label}"))
    return EXIT_NONCONFORMANT if errors else EXIT_OK


def register(subparsers, epilog: str) -> None:
    parser = subparsers.add_parser(
        "lint",
        help="report the contract document's own problems",
        description=__doc__,
        epilog=epilog
        + "\nlint exits 0 with warnings, 1 when the document is invalid or not OpenAPI 3.0 (Swagger 2.0 and"
        "\nOpenAPI 3.1 included: L100 names them), 4 when unreadable.\n",
    )
    parser.add_argument("spec", nargs="?", metavar="SPEC", help="an OpenAPI document (default: the bundled vendor document)")
    parser.add_argument("--spec", dest="spec_option", metavar="FILE", help="the same as SPEC (the option name run and mock use)")
    parser.add_argument(
        "--effective",
        action="store_true",
        help="lint SPEC with our overlay applied (the document the suite tests against); "
        "overlay actions that do not apply are L006",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(handler=run)
