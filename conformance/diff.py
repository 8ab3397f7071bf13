"""`conformance diff OLD NEW`: what changed between two OpenAPI 3.0 documents, and whom it breaks.

Each change is judged twice:

  for existing clients   code written against OLD (a generated SDK is the strict case: closed
                         enums, one type per field, the documented statuses) calling a server that
                         follows NEW;
  for existing servers   a server built to OLD, judged against NEW and called by clients written
                         against NEW.

Most rules follow from one principle. A request that admits less (narrows) breaks clients; one that
admits more (widens) breaks servers, which never had to handle it. A response that may carry more
breaks strict clients; one that may carry less breaks servers, whose answers stop conforming.
docs/diff.md lists every rule, its classification, and where and why it departs from oasdiff.

Only what reaches the wire is compared: not descriptions, summaries, titles, examples, tags or
deprecation. Schemas are compared after following $ref (a recursive schema is followed once) and
merging allOf parts, so moving a schema into a component, or wrapping it in allOf, is no change.

Each change lists the requirements of conformance/requirements.yaml it touches: those whose
`operations` name the changed operation; the Segment and Error object requirements (SEG-SEGMENT-*,
SEG-ERROR-*) for a change inside those schemas; and the requirements that name no operation (the
methods a path answers) for an operation added or removed.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable

from conformance.catalogue import load_catalogue
from conformance.lint import load_spec, openapi_version_problem
from conformance.loader import validation_problems
from conformance.revisions import spec_path
from conformance.safetext import printable_json, printable_lines

JSON_SCHEMA_VERSION = 1  # the shape of `--format json`, documented in docs/diff.md


class DocumentError(ValueError):
    """A document diff cannot read: not OpenAPI 3.0, or a $ref that points at nothing."""


# --- the rules ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    id: str
    breaks_clients: bool
    breaks_servers: bool
    detects: str
    oasdiff: str  # oasdiff's nearest rule and its level (ERR, WARN, INFO); "-" when it has none
    differs: str = ""  # where our reading for clients departs from oasdiff's, and why


# Operations, parameters, bodies, statuses, headers and security: one row each.
# (id, breaks clients, breaks servers, what it detects, oasdiff's nearest rule, where we differ)
_FIXED_RULES = [
    ("endpoint-added", False, True, "an operation (method and path) is new: old servers do not serve it",
     "endpoint-added INFO", ""),
    ("endpoint-removed", True, False, "an operation is gone",
     "api-removed-without-deprecation ERR",
     "oasdiff lowers it to INFO when the operation was deprecated first; we do not read deprecation: "
     "a client that still calls it fails either way"),
    ("operation-id-changed", False, False,
     "the operationId changed (nothing changes on the wire; an SDK regenerated from NEW renames the method)",
     "api-operation-id-removed INFO", ""),
    ("new-required-request-parameter", True, True, "a required parameter is new",
     "new-required-request-parameter ERR", ""),
    ("path-parameter-declared", False, False,
     "a path variable the old document used but never declared (invalid OpenAPI 3.0) is declared: a correction, "
     "the value was on the wire all along", "new-required-request-parameter ERR",
     "oasdiff calls it a new required parameter; the variable was in the old path already"),
    ("new-optional-request-parameter", False, True,
     "an optional parameter is new: old servers ignore or refuse it", "new-optional-request-parameter INFO", ""),
    ("request-parameter-removed", True, False, "an optional parameter is gone",
     "request-parameter-removed WARN",
     "oasdiff warns; clients still send it and the contract no longer says what it does: breaking"),
    ("request-required-parameter-removed", True, True,
     "a required parameter is gone: old servers still demand it", "request-parameter-removed WARN",
     "oasdiff warns; clients still send it and the contract no longer says what it does: breaking"),
    ("request-parameter-became-required", True, False, "a parameter became required",
     "request-parameter-became-required ERR", ""),
    ("request-parameter-became-optional", False, True, "a parameter became optional: old servers still demand it",
     "request-parameter-became-optional INFO", ""),
    ("request-parameter-location-changed", True, True,
     "a parameter moved (query, header, path, cookie): neither side finds it where it looks",
     "request-parameter-removed WARN",
     "oasdiff sees a removal (WARN) and an addition; one change here, breaking"),
    ("request-parameter-style-changed", True, True,
     "a parameter's serialization (style, explode) changed: the same value goes on the wire differently", "-",
     "oasdiff has no rule for it; each side misreads what the other writes: breaking"),
    ("request-body-added-required", True, True, "a required request body is new",
     "request-body-added-required ERR", ""),
    ("request-body-added-optional", False, True, "an optional request body is new: old servers do not read it",
     "request-body-added-optional INFO", ""),
    ("request-body-removed", True, False,
     "the request body is gone (when it was required, request-body-became-optional comes with it)",
     "request-body-removed ERR", ""),
    ("request-body-became-required", True, False, "the request body became required",
     "request-body-became-required ERR", ""),
    ("request-body-became-optional", False, True, "the request body became optional: old servers still demand it",
     "request-body-became-optional INFO", ""),
    ("request-body-media-type-added", False, True, "a request media type is new: old servers do not parse it",
     "request-body-media-type-added INFO", ""),
    ("request-body-media-type-removed", True, False, "a request media type is gone",
     "request-body-media-type-removed ERR", ""),
    ("request-body-schema-added", True, False, "a request media type that had no schema has one",
     "request-body-media-type-schema-added ERR", ""),
    ("request-body-schema-removed", False, True, "a request media type lost its schema: anything is accepted",
     "request-body-media-type-schema-removed INFO", ""),
    ("response-success-status-added", True, False, "a 2xx status is new",
     "response-success-status-added INFO",
     "oasdiff: informational. A strict client knows the success statuses it was generated with; a new one "
     "is an answer it cannot read: breaking"),
    ("response-non-success-status-added", False, False,
     "a non-2xx status (or default) is new: every client has a path for errors it does not know",
     "response-non-success-status-added INFO", ""),
    ("response-success-status-removed", False, True,
     "a 2xx status is gone: old servers that still answer it answer an undocumented status",
     "response-success-status-removed ERR",
     "oasdiff: breaking. A client never meets the status it no longer gets; a status that replaces it is its "
     "own response-success-status-added, which breaks clients"),
    ("response-non-success-status-removed", False, True,
     "a non-2xx status is gone: old servers that still answer it answer an undocumented status",
     "response-non-success-status-removed INFO", ""),
    ("response-media-type-added", False, False,
     "a response media type is new: clients negotiate with Accept", "response-media-type-added INFO", ""),
    ("response-media-type-removed", True, True, "a response media type is gone",
     "response-media-type-removed ERR", ""),
    ("response-body-schema-added", False, True, "a response media type that had no schema has one",
     "response-body-media-type-schema-added INFO", ""),
    ("response-body-schema-removed", True, False, "a response media type lost its schema: anything may come",
     "response-body-media-type-schema-removed WARN",
     "oasdiff warns; a strict client can no longer trust the body's shape: breaking"),
    ("response-header-added", False, False, "an optional response header is new",
     "response-header-added INFO", ""),
    ("response-required-header-added", False, True, "a required response header is new: old servers omit it",
     "response-header-added INFO", ""),
    ("response-optional-header-removed", True, False, "an optional response header is gone",
     "optional-response-header-removed WARN",
     "oasdiff warns; clients that read it lose it: breaking"),
    ("response-required-header-removed", True, False, "a required response header is gone",
     "required-response-header-removed ERR", ""),
    ("response-header-became-optional", True, False, "a response header became optional",
     "response-header-became-optional ERR", ""),
    ("response-header-became-required", False, True, "a response header became required: old servers may omit it",
     "-", ""),
    ("new-required-request-property", True, True, "a required request property is new",
     "new-required-request-property ERR", ""),
    ("new-optional-request-property", False, True,
     "an optional request property is new: old servers ignore or refuse it", "new-optional-request-property INFO", ""),
    ("request-property-removed", True, False, "an optional request property is gone",
     "request-property-removed WARN",
     "oasdiff warns; clients still send it and the contract no longer says what it does: breaking"),
    ("request-required-property-removed", True, True,
     "a required request property is gone: old servers still demand it", "request-property-removed WARN",
     "oasdiff warns; clients still send it and the contract no longer says what it does: breaking"),
    ("request-property-became-required", True, False, "a request property became required",
     "request-property-became-required ERR", ""),
    ("request-property-became-optional", False, True,
     "a request property became optional: old servers still demand it", "request-property-became-optional INFO", ""),
    ("response-required-property-added", False, True, "a required response property is new: old servers omit it",
     "response-required-property-added INFO", ""),
    ("response-optional-property-added", False, False,
     "an optional response property is new (an open object always allowed more)",
     "response-optional-property-added INFO", ""),
    ("response-required-property-removed", True, False, "a required response property is gone",
     "response-required-property-removed ERR", ""),
    ("response-optional-property-removed", True, False,
     "an optional response property is gone (its name is no longer described: it may come back with any type)",
     "response-optional-property-removed WARN", "oasdiff warns; clients that read it lose it: breaking"),
    ("response-property-became-required", False, True, "a response property became required: old servers may omit it",
     "response-property-became-required INFO", ""),
    ("response-property-became-optional", True, False, "a response property became optional",
     "response-property-became-optional ERR", ""),
    ("api-security-removed", True, False,
     "a security alternative is gone and nothing left accepts what its clients send", "api-security-removed INFO",
     "oasdiff reports every security change as INFO; a client that authenticated that way is refused: breaking"),
    ("api-security-added", False, True,
     "a security alternative is new and old servers accept no client that uses it", "api-security-added INFO", ""),
    ("api-security-alternatives-merged", True, False,
     "two or more alternatives became one requirement that demands them all",
     "api-security-removed INFO",
     "oasdiff sees alternatives removed and one added, all INFO; a client holding one old alternative lacks "
     "the rest: breaking"),
    ("api-security-scope-added", True, False, "a security alternative demands a new OAuth scope",
     "api-security-scope-added INFO",
     "oasdiff: informational; a token issued with the old scopes is refused: breaking"),
    ("api-security-scope-removed", False, True,
     "a security alternative no longer demands a scope: old servers still do", "api-security-scope-removed INFO", ""),
    ("api-security-scheme-changed", True, True,
     "a security scheme the operation uses changed its type, location, name, HTTP scheme or OAuth flows",
     "api-components-security-type-updated INFO",
     "oasdiff: informational; credentials sent the old way are not found where the new way looks: breaking"),
    ("api-security-updated", False, False,
     "the security requirements changed without refusing an old client or admitting one old servers refuse",
     "api-security-removed INFO", ""),
]

NARROWS, WIDENS, BOTH, DEFAULT = "narrows", "widens", "both", "default"


@dataclass(frozen=True)
class _SchemaKind:
    """A change inside a schema, judged by what it does to the values the schema admits."""

    kind: str
    effect: str  # NARROWS, WIDENS, BOTH (neither contains the other) or DEFAULT (behaviour, not shape)
    detects: str
    oasdiff_request: str
    oasdiff_response: str
    differs_request: str = ""
    differs_response: str = ""


_FOLDED_FORMAT = "oasdiff folds format into its type rules (ERR); judged by what the format admits, "
_SCHEMA_KINDS = [
    _SchemaKind("type-changed", BOTH, "the type changed to one neither wider nor narrower",
                "request-property-type-changed ERR", "response-property-type-changed ERR"),
    _SchemaKind("type-generalized", WIDENS, "the type admits more: integer became number, or the type was dropped",
                "request-property-type-generalized INFO", "response-property-type-generalized ERR"),
    _SchemaKind("type-specialized", NARROWS, "the type admits less: number became integer, or a type was set",
                "request-property-type-changed ERR", "response-property-type-specialized INFO"),
    _SchemaKind("format-added", NARROWS, "a format is set where there was none",
                "request-property-type-changed ERR", "response-property-type-changed ERR",
                differs_response=_FOLDED_FORMAT + "a response with a format set carries less: not breaking"),
    _SchemaKind("format-removed", WIDENS, "the format is dropped",
                "request-property-type-changed ERR", "response-property-type-changed ERR",
                differs_request=_FOLDED_FORMAT + "what clients send still passes: not breaking"),
    _SchemaKind("format-changed", BOTH, "the format changed",
                "request-property-type-changed ERR", "response-property-type-changed ERR"),
    _SchemaKind("became-nullable", WIDENS, "null is now allowed",
                "request-property-became-nullable INFO", "response-property-became-nullable ERR"),
    _SchemaKind("became-not-nullable", NARROWS, "null is no longer allowed",
                "request-property-became-not-nullable ERR", "response-property-became-not-nullable INFO"),
    _SchemaKind("enum-value-added", WIDENS, "an enum value is new",
                "request-property-enum-value-added INFO", "response-property-enum-value-added WARN",
                differs_response="oasdiff warns; a strict client (a closed enum type in a generated SDK) "
                "cannot read the new value: breaking"),
    _SchemaKind("enum-value-removed", NARROWS, "an enum value is gone",
                "request-property-enum-value-removed ERR", "response-property-enum-value-removed INFO"),
    _SchemaKind("became-enum", NARROWS, "an enum now restricts what was free",
                "request-property-became-enum ERR", "-"),
    _SchemaKind("enum-removed", WIDENS, "the enum is dropped: any value of the type is allowed", "-", "-",
                differs_response="oasdiff has no rule for it; a strict client cannot read values outside its "
                "enum: breaking"),
    _SchemaKind("pattern-added", NARROWS, "a pattern is set where there was none",
                "request-property-pattern-added ERR", "response-property-pattern-added INFO"),
    _SchemaKind("pattern-removed", WIDENS, "the pattern is dropped",
                "request-property-pattern-removed INFO", "response-property-pattern-removed INFO",
                differs_response="oasdiff: informational; values the old pattern refused may come, and a "
                "client that validates refuses them: breaking"),
    _SchemaKind("pattern-changed", BOTH, "the pattern changed",
                "request-property-pattern-changed WARN", "response-property-pattern-changed INFO",
                differs_request="oasdiff warns; we cannot tell whether one pattern contains the other, so "
                "breaking",
                differs_response="oasdiff: informational; we cannot tell whether one pattern contains the "
                "other, so breaking"),
]
# Bounds: a maximum lowered (or set) admits less, raised (or dropped) admits more; a minimum the reverse.
# (keyword, stem of the kind, oasdiff for a stricter request bound, for a looser one, for a looser response bound)
_BOUNDS = [
    ("maximum", "max", "request-property-max-decreased ERR", "request-property-max-increased INFO",
     "response-property-max-increased ERR"),
    ("minimum", "min", "request-property-min-increased ERR", "request-property-min-decreased INFO",
     "response-property-min-decreased ERR"),
    ("maxLength", "max-length", "request-property-max-length-decreased ERR",
     "request-property-max-length-increased INFO", "response-property-max-length-increased ERR"),
    ("minLength", "min-length", "request-property-min-length-increased ERR",
     "request-property-min-length-decreased INFO", "response-property-min-length-decreased ERR"),
    ("maxItems", "max-items", "request-parameter-max-items-decreased ERR",
     "request-parameter-max-items-increased INFO", "-"),
    ("minItems", "min-items", "request-property-min-items-increased ERR",
     "request-parameter-min-items-decreased INFO", "response-property-min-items-decreased ERR"),
]


def _bound_kinds() -> list[_SchemaKind]:
    kinds = []
    for keyword, stem, oasdiff_stricter, oasdiff_looser, oasdiff_looser_response in _BOUNDS:
        upper = stem.startswith("max")
        stricter, looser = ("decreased", "increased") if upper else ("increased", "decreased")
        kinds += [
            _SchemaKind(f"{stem}-{stricter}", NARROWS, f"{keyword} {'lowered' if upper else 'raised'} (or set)",
                        oasdiff_stricter, "-"),
            _SchemaKind(f"{stem}-{looser}", WIDENS, f"{keyword} {'raised' if upper else 'lowered'} (or dropped)",
                        oasdiff_looser, oasdiff_looser_response,
                        differs_response="" if oasdiff_looser_response != "-" else
                        "oasdiff has no rule for it; a client that relied on the bound breaks"),
        ]
    return kinds


_SCHEMA_KINDS += _bound_kinds()
_SCHEMA_KINDS += [
    _SchemaKind("one-of-added", WIDENS, "a oneOf branch is new",
                "request-property-one-of-added INFO", "response-property-one-of-added ERR"),
    _SchemaKind("one-of-removed", NARROWS, "a oneOf branch is gone",
                "request-property-one-of-removed ERR", "response-property-one-of-removed INFO"),
    _SchemaKind("any-of-added", WIDENS, "an anyOf branch is new",
                "request-property-any-of-added INFO", "response-property-any-of-added INFO",
                differs_response="oasdiff: informational; as for oneOf, a strict client cannot read the new "
                "branch: breaking"),
    _SchemaKind("any-of-removed", NARROWS, "an anyOf branch is gone",
                "request-property-any-of-removed ERR", "response-property-any-of-removed INFO"),
    _SchemaKind("additional-properties-closed", NARROWS,
                "additionalProperties became false: undeclared properties are refused", "-", "-",
                differs_request="oasdiff has no rule for it; clients that send an undeclared property are refused"),
    _SchemaKind("additional-properties-opened", WIDENS,
                "additionalProperties is no longer false: undeclared properties are allowed", "-", "-",
                differs_response="oasdiff has no rule for it; a client that refuses undeclared properties breaks"),
    _SchemaKind("default-changed", DEFAULT,
                "the default changed, was set or dropped: in a request it changes what leaving the field out "
                "means to both sides; in a response it describes nothing a client receives",
                "request-property-default-value-changed INFO", "response-property-default-value-changed INFO",
                differs_request="oasdiff: informational for properties (ERR for parameters); a client that leaves "
                "the field out gets another behaviour: breaking"),
]
# The schema rules apply wherever there is a schema: ids name the direction and what holds the schema.
_SUBJECTS = {"request": ("property", "parameter"), "response": ("property", "header")}


def _judge(direction: str, effect: str) -> tuple[bool, bool]:
    """(breaks clients, breaks servers) for a schema change, from what it does to the admitted values."""
    if effect == BOTH:
        return True, True
    if effect == DEFAULT:
        return (True, True) if direction == "request" else (False, False)
    narrows = effect == NARROWS
    return (narrows, not narrows) if direction == "request" else (not narrows, narrows)


def _build_rules() -> dict[str, Rule]:
    rules = {row[0]: Rule(*row) for row in _FIXED_RULES}
    for kind in _SCHEMA_KINDS:
        for direction, subjects in _SUBJECTS.items():
            clients, servers = _judge(direction, kind.effect)
            oasdiff = kind.oasdiff_request if direction == "request" else kind.oasdiff_response
            differs = kind.differs_request if direction == "request" else kind.differs_response
            for subject in subjects:
                rule_id = f"{direction}-{subject}-{kind.kind}"
                rules[rule_id] = Rule(rule_id, clients, servers, kind.detects, oasdiff, differs)
    return rules


RULES: dict[str, Rule] = _build_rules()

# Property membership: the ids oasdiff uses, by direction.
_MEMBERSHIP = {
    "request": {
        "added-required": "new-required-request-property",
        "added-optional": "new-optional-request-property",
        "removed-required": "request-required-property-removed",
        "removed-optional": "request-property-removed",
        "became-required": "request-property-became-required",
        "became-optional": "request-property-became-optional",
    },
    "response": {
        "added-required": "response-required-property-added",
        "added-optional": "response-optional-property-added",
        "removed-required": "response-required-property-removed",
        "removed-optional": "response-optional-property-removed",
        "became-required": "response-property-became-required",
        "became-optional": "response-property-became-optional",
    },
}

# The vendor's object schemas and the prefix of the requirements about them.
_OBJECT_REQUIREMENTS = {"Segment": "SEG-SEGMENT-", "Error": "SEG-ERROR-"}
_SURFACE_RULES = ("endpoint-added", "endpoint-removed")  # they touch the requirements naming no operation


def rules_markdown() -> str:
    """The rule table of docs/diff.md: one row per direction and kind (the subject variants share it)."""
    lines = [
        "| rule id | breaks clients | breaks servers | detects | oasdiff | where we differ for clients |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for rule_id, clients, servers, detects, oasdiff, differs in _FIXED_RULES:
        lines.append(_rule_row(f"`{rule_id}`", clients, servers, detects, oasdiff, differs))
    for kind in _SCHEMA_KINDS:
        for direction, subjects in _SUBJECTS.items():
            rule = RULES[f"{direction}-{subjects[0]}-{kind.kind}"]
            variants = "\\|".join(subjects)  # a pipe in a table cell, escaped
            ids = f"`{direction}-{{{variants}}}-{kind.kind}`"
            lines.append(_rule_row(ids, rule.breaks_clients, rule.breaks_servers, rule.detects, rule.oasdiff,
                                   rule.differs))
    return "\n".join(lines) + "\n"


def _rule_row(ids: str, clients: bool, servers: bool, detects: str, oasdiff: str, differs: str) -> str:
    cells = [ids, "**yes**" if clients else "no", "**yes**" if servers else "no", detects,
             f"`{oasdiff}`" if oasdiff != "-" else "-", differs or "-"]
    return "| " + " | ".join(cells) + " |"


# --- the result ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    path: str
    operation_id: str | None

    def __str__(self) -> str:
        return f"{self.method} {self.path}" + (f" ({self.operation_id})" if self.operation_id else "")

    def to_json(self) -> dict[str, Any]:
        return {"method": self.method, "path": self.path, "operation_id": self.operation_id}


@dataclass(frozen=True)
class Change:
    rule: Rule
    operation: Operation
    location: str  # a JSON pointer into the document `document` names
    document: str  # "new"; "old" for what is only in the old document
    old: Any
    new: Any
    message: str
    requirements: tuple[str, ...]

    @property
    def id(self) -> str:
        return self.rule.id

    @property
    def breaks_clients(self) -> bool:
        return self.rule.breaks_clients

    @property
    def breaks_servers(self) -> bool:
        return self.rule.breaks_servers

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "breaks_clients": self.breaks_clients,
            "breaks_servers": self.breaks_servers,
            "operation": self.operation.to_json(),
            "location": self.location,
            "document": self.document,
            "old": self.old,
            "new": self.new,
            "message": self.message,
            "requirements": list(self.requirements),
        }


@dataclass(frozen=True)
class DocumentInfo:
    label: str
    openapi: str
    version: str | None  # info.version

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "openapi": self.openapi, "version": self.version}


@dataclass(frozen=True)
class DiffResult:
    old: DocumentInfo
    new: DocumentInfo
    changes: tuple[Change, ...]
    notes: tuple[str, ...] = ()  # what the reader must know first: an invalid OLD document, say

    @property
    def breaking_for_clients(self) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.breaks_clients)

    @property
    def breaking_for_servers(self) -> tuple[Change, ...]:
        return tuple(change for change in self.changes if change.breaks_servers)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": JSON_SCHEMA_VERSION,
            "old": self.old.to_json(),
            "new": self.new.to_json(),
            "summary": {
                "changes": len(self.changes),
                "breaking_for_clients": len(self.breaking_for_clients),
                "breaking_for_servers": len(self.breaking_for_servers),
            },
            "notes": list(self.notes),
            "changes": [change.to_json() for change in self.changes],
        }


# --- reading documents --------------------------------------------------------------------------

_SCHEMA_COMPONENTS = "#/components/schemas/"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def _unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


@dataclass(frozen=True)
class _Node:
    """A value of a document, where it is, and the component schemas entered to reach it."""

    value: Any
    pointer: str
    components: tuple[str, ...] = ()

    def at(self, *keys: str | int) -> _Node:
        value, pointer = self.value, self.pointer
        for key in keys:
            if isinstance(value, dict):
                value = value.get(key)
            elif isinstance(value, list) and isinstance(key, int) and key < len(value):
                value = value[key]
            else:
                value = None
            pointer += "/" + _escape(str(key))
        return _Node(value, pointer, self.components)

    def has(self, key: str) -> bool:
        return isinstance(self.value, dict) and key in self.value

    def mapping(self) -> dict[str, Any]:
        return self.value if isinstance(self.value, dict) else {}

    def listed(self) -> list[Any]:
        return self.value if isinstance(self.value, list) else []


class _Document:
    def __init__(self, root: dict[str, Any], label: str) -> None:
        self.root = _Node(root, "#")
        self.label = label

    def resolve(self, ref: Any) -> Any:
        if not isinstance(ref, str) or not ref.startswith("#/"):
            raise DocumentError(f"{self.label}: only local $refs are supported, found {ref!r}")
        node: Any = self.root.value
        for part in map(_unescape, ref[2:].split("/")):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                raise DocumentError(f"{self.label}: $ref {ref} points at nothing")
        return node

    def follow(self, node: _Node) -> _Node:
        """`node` with its $ref chain followed, remembering the component schemas it enters."""
        seen: set[str] = set()
        while node.has("$ref"):
            ref = node.value["$ref"]
            if not isinstance(ref, str):
                raise DocumentError(f"{self.label}: the $ref at {node.pointer} is not a string")
            if ref in seen:
                raise DocumentError(f"{self.label}: $ref {ref} refers to itself")
            seen.add(ref)
            components = node.components
            if ref.startswith(_SCHEMA_COMPONENTS):
                components += (_unescape(ref[len(_SCHEMA_COMPONENTS):].split("/")[0]),)
            node = _Node(self.resolve(ref), ref, components)
        return node


@dataclass(frozen=True)
class _OperationAt:
    path: str
    method: str
    path_item: _Node
    node: _Node

    def operation(self) -> Operation:
        operation_id = self.node.mapping().get("operationId")
        return Operation(self.method.upper(), self.path, operation_id if isinstance(operation_id, str) else None)


def _operations(document: _Document) -> dict[tuple[str, str], _OperationAt]:
    """Every operation by (path with its template variables blanked, method): a renamed path variable
    is the same operation on the wire."""
    found = {}
    for path in document.root.at("paths").mapping():
        path_item = document.follow(document.root.at("paths", path))
        for method in _METHODS:
            if path_item.has(method):
                blanked = re.sub(r"\{[^}]*\}", "{}", path)
                found[(blanked, method)] = _OperationAt(path, method, path_item, path_item.at(method))
    return found


# --- schemas, flattened -------------------------------------------------------------------------

_COMPARED_KEYWORDS = ("type", "format", "nullable", "enum", "default", "pattern",
                      *(bound[0] for bound in _BOUNDS))


@dataclass
class _Flat:
    """A schema with its $ref followed and its allOf parts merged in, each piece with where it is."""

    at: _Node
    keywords: dict[str, _Node] = field(default_factory=dict)
    properties: dict[str, _Node] = field(default_factory=dict)
    required: dict[str, _Node] = field(default_factory=dict)  # name -> its entry in a `required` list
    items: _Node | None = None
    additional: _Node | None = None
    one_of: list[_Node] = field(default_factory=list)
    any_of: list[_Node] = field(default_factory=list)

    def merge(self, part: _Flat) -> None:
        """An allOf part's constraints join the schema's; where both set a keyword, the first is kept."""
        for own, theirs in ((self.keywords, part.keywords), (self.properties, part.properties),
                            (self.required, part.required)):
            for key, node in theirs.items():
                own.setdefault(key, node)
        self.items = self.items or part.items
        self.additional = self.additional or part.additional
        self.one_of += part.one_of
        self.any_of += part.any_of


def _flatten(document: _Document, node: _Node, expanding: frozenset[str] = frozenset()) -> _Flat:
    node = document.follow(node)
    flat = _Flat(node)
    schema = node.mapping()
    flat.keywords = {keyword: node.at(keyword) for keyword in _COMPARED_KEYWORDS if keyword in schema}
    flat.properties = {name: node.at("properties", name) for name in node.at("properties").mapping()}
    for index, name in enumerate(node.at("required").listed()):
        if isinstance(name, str):
            flat.required.setdefault(name, node.at("required", index))
    flat.items = node.at("items") if "items" in schema else None
    flat.additional = node.at("additionalProperties") if "additionalProperties" in schema else None
    flat.one_of = [node.at("oneOf", index) for index in range(len(node.at("oneOf").listed()))]
    flat.any_of = [node.at("anyOf", index) for index in range(len(node.at("anyOf").listed()))]
    expanding = expanding | {node.pointer}
    for index in range(len(node.at("allOf").listed())):
        part = document.follow(node.at("allOf", index))
        if part.pointer not in expanding:  # a part that is its own ancestor (a cycle) adds nothing new
            flat.merge(_flatten(document, part, expanding))
    return flat


def _anything(where: _Node) -> _Node:
    """The empty schema, which admits anything: what a missing `items` or `additionalProperties` means."""
    return _Node({}, where.pointer, where.components)


@dataclass(frozen=True)
class _Where:
    """What holds a schema: the direction, the subject of the rule ids, and a label for messages."""

    direction: str  # "request" or "response"
    subject: str  # "property" (bodies), "parameter" or "header"
    label: str  # "request body", "query parameter `limit`", "response 200 body"


def _show(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shown_or_none(value: Any) -> str:
    return "none" if value is None else _show(value)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# --- the comparison -----------------------------------------------------------------------------


class _Differ:
    def __init__(self, old: _Document, new: _Document) -> None:
        self.old, self.new = old, new
        self.catalogue = load_catalogue()
        self.changes: list[Change] = []
        self.operation = Operation("", "", None)
        self.operation_ids: set[str] = set()

    def run(self) -> list[Change]:
        old_operations, new_operations = _operations(self.old), _operations(self.new)
        for key, old_operation in old_operations.items():
            if key in new_operations:
                self._compare_operation(old_operation, new_operations[key])
            else:
                self._enter(old_operation.operation())
                self._emit("endpoint-removed", old_operation.node, None, str(self.operation), None,
                           "operation removed")
        for key, new_operation in new_operations.items():
            if key not in old_operations:
                self._enter(new_operation.operation())
                self._emit("endpoint-added", None, new_operation.node, None, str(self.operation),
                           "new operation")
        return self.changes

    def _enter(self, operation: Operation, *also: Operation) -> None:
        self.operation = operation
        self.operation_ids = {each.operation_id for each in (operation, *also) if each.operation_id}

    def _emit(self, rule_id: str, old_at: _Node | None, new_at: _Node | None, old: Any, new: Any, message: str) -> None:
        where, document = (new_at, "new") if new_at is not None else (old_at, "old")
        components = {*(old_at.components if old_at else ()), *(new_at.components if new_at else ())}
        self.changes.append(Change(RULES[rule_id], self.operation, where.pointer, document, old, new, message,
                                   self._requirements(rule_id, components)))

    def _requirements(self, rule_id: str, components: set[str]) -> tuple[str, ...]:
        object_prefixes = tuple(prefix for name, prefix in _OBJECT_REQUIREMENTS.items() if name in components)
        touched = []
        for requirement in self.catalogue.values():
            by_operation = bool(self.operation_ids & set(requirement.operations))
            by_object = bool(object_prefixes) and requirement.id.startswith(object_prefixes)
            by_surface = rule_id in _SURFACE_RULES and not requirement.operations
            if by_operation or by_object or by_surface:
                touched.append(requirement.id)
        return tuple(touched)

    # --- operations ---

    def _compare_operation(self, old: _OperationAt, new: _OperationAt) -> None:
        old_operation, new_operation = old.operation(), new.operation()
        self._enter(new_operation, old_operation)
        if old_operation.operation_id != new_operation.operation_id:
            self._emit("operation-id-changed", old.node.at("operationId"), new.node.at("operationId"),
                       old_operation.operation_id, new_operation.operation_id,
                       f"operationId changed from {old_operation.operation_id} to {new_operation.operation_id}")
        self._compare_parameters(old, new)
        self._compare_request_body(old.node, new.node)
        self._compare_responses(old.node, new.node)
        self._compare_security(old.node, new.node)

    # --- parameters ---

    def _parameters(self, document: _Document, operation: _OperationAt) -> dict[tuple[str, str], _Node]:
        """Path-level parameters overridden by the operation's own, by (location, key). A path parameter's
        key is its place in the template: renaming the variable changes nothing on the wire."""
        template = _template_variables(operation.path)
        found: dict[tuple[str, str], _Node] = {}
        for owner in (operation.path_item, operation.node):
            for index in range(len(owner.at("parameters").listed())):
                parameter = document.follow(owner.at("parameters", index))
                name, location = parameter.mapping().get("name"), parameter.mapping().get("in")
                if not isinstance(name, str) or not isinstance(location, str):
                    raise DocumentError(f"{document.label}: the parameter at {parameter.pointer} has no name or in")
                key = name.lower() if location == "header" else name
                if location == "path" and name in template:
                    key = f"{{{template.index(name)}}}"
                found[(location, key)] = parameter
        return found

    def _compare_parameters(self, old: _OperationAt, new: _OperationAt) -> None:
        old_parameters, new_parameters = self._parameters(self.old, old), self._parameters(self.new, new)
        removed = [key for key in old_parameters if key not in new_parameters]
        added = [key for key in new_parameters if key not in old_parameters]
        for old_key in list(removed):
            name = old_parameters[old_key].value["name"]
            moved = next((key for key in added if new_parameters[key].value["name"] == name), None)
            if moved is not None:  # one parameter in a new place, not one removed and another added
                removed.remove(old_key)
                added.remove(moved)
                self._emit("request-parameter-location-changed", old_parameters[old_key].at("in"),
                           new_parameters[moved].at("in"), old_key[0], moved[0],
                           f"parameter `{name}` moved from {old_key[0]} to {moved[0]}")
                self._compare_parameter(old_parameters[old_key], new_parameters[moved], serialization=False)
        for key in removed:
            parameter = old_parameters[key]
            rule = "request-required-parameter-removed" if _is_required(parameter) else "request-parameter-removed"
            self._emit(rule, parameter, None, parameter.value["name"], None,
                       f"{key[0]} parameter `{parameter.value['name']}` removed")
        for key in added:
            parameter = new_parameters[key]
            if key[0] == "path" and key[1] in _template_positions(old.path):  # in the old path, undeclared
                self._emit("path-parameter-declared", None, parameter, None, parameter.value["name"],
                           f"path parameter `{parameter.value['name']}` declared: the old document used it "
                           "in the path without declaring it")
                continue
            required = _is_required(parameter)
            rule = "new-required-request-parameter" if required else "new-optional-request-parameter"
            self._emit(rule, None, parameter, None, parameter.value["name"],
                       f"{key[0]} parameter `{parameter.value['name']}` added "
                       f"({'required' if required else 'optional'})")
        for key in [key for key in old_parameters if key in new_parameters]:
            self._compare_parameter(old_parameters[key], new_parameters[key], serialization=True)

    def _compare_parameter(self, old: _Node, new: _Node, *, serialization: bool) -> None:
        label = f"{new.value['in']} parameter `{new.value['name']}`"
        was, now = _is_required(old), _is_required(new)
        if was != now:
            self._emit("request-parameter-became-required" if now else "request-parameter-became-optional",
                       old, new, was, now, f"{label} became {'required' if now else 'optional'}")
        if serialization and _serialization(old) != _serialization(new):
            self._emit("request-parameter-style-changed", old, new, _serialization(old), _serialization(new),
                       f"{label}: serialization changed from {_serialization(old)} to {_serialization(new)}")
        self._compare_held_schemas(old, new, _Where("request", "parameter", label))

    # --- request body ---

    def _compare_request_body(self, old_operation: _Node, new_operation: _Node) -> None:
        old = self.old.follow(old_operation.at("requestBody")) if old_operation.has("requestBody") else None
        new = self.new.follow(new_operation.at("requestBody")) if new_operation.has("requestBody") else None
        was = old is not None and old.mapping().get("required") is True
        now = new is not None and new.mapping().get("required") is True
        if old is None and new is None:
            return
        if old is None:
            self._emit("request-body-added-required" if now else "request-body-added-optional", None, new, None,
                       "required" if now else "optional", f"request body added ({'required' if now else 'optional'})")
        elif new is None:
            self._emit("request-body-removed", old, None, "required" if was else "optional", None,
                       "request body removed")
            if was:  # the old servers still demand what new clients no longer send
                self._emit("request-body-became-optional", old, None, True, False, "request body no longer required")
        else:
            if was != now:
                self._emit("request-body-became-required" if now else "request-body-became-optional", old, new,
                           was, now, f"request body became {'required' if now else 'optional'}")
            self._compare_content(old, new, "request", "request body")

    # --- responses ---

    def _compare_responses(self, old_operation: _Node, new_operation: _Node) -> None:
        old_responses = {str(status): self.old.follow(old_operation.at("responses", status))
                         for status in old_operation.at("responses").mapping()}
        new_responses = {str(status): self.new.follow(new_operation.at("responses", status))
                         for status in new_operation.at("responses").mapping()}
        def status_rule(status: str, change: str) -> str:
            return f"response-{'success' if status.startswith('2') else 'non-success'}-status-{change}"

        for status, response in old_responses.items():
            if status not in new_responses:
                self._emit(status_rule(status, "removed"), response, None, status, None, f"response {status} removed")
        for status, response in new_responses.items():
            if status not in old_responses:
                self._emit(status_rule(status, "added"), None, response, None, status, f"response {status} added")
            else:
                self._compare_content(old_responses[status], response, "response", f"response {status} body")
                self._compare_headers(old_responses[status], response, status)

    def _compare_headers(self, old_response: _Node, new_response: _Node, status: str) -> None:
        def headers(document: _Document, response: _Node) -> dict[str, _Node]:
            return {str(name).lower(): document.follow(response.at("headers", name))
                    for name in response.at("headers").mapping()
                    if str(name).lower() != "content-type"}  # OpenAPI ignores a Content-Type header

        old_headers, new_headers = headers(self.old, old_response), headers(self.new, new_response)
        for name, header in old_headers.items():
            if name not in new_headers:
                required = header.mapping().get("required") is True
                self._emit("response-required-header-removed" if required else "response-optional-header-removed",
                           header, None, name, None, f"response {status} header `{name}` removed")
        for name, header in new_headers.items():
            label = f"response {status} header `{name}`"
            now = header.mapping().get("required") is True
            if name not in old_headers:
                self._emit("response-required-header-added" if now else "response-header-added", None, header, None,
                           name, f"{label} added ({'required' if now else 'optional'})")
                continue
            old = old_headers[name]
            was = old.mapping().get("required") is True
            if was != now:
                self._emit("response-header-became-required" if now else "response-header-became-optional",
                           old, header, was, now, f"{label} became {'required' if now else 'optional'}")
            self._compare_held_schemas(old, header, _Where("response", "header", label))

    # --- media types ---

    def _compare_content(self, old_owner: _Node, new_owner: _Node, direction: str, label: str) -> None:
        media_rule = "request-body-media-type" if direction == "request" else "response-media-type"
        schema_rule = "request-body-schema" if direction == "request" else "response-body-schema"
        old_media = {str(name).lower(): old_owner.at("content", name) for name in old_owner.at("content").mapping()}
        new_media = {str(name).lower(): new_owner.at("content", name) for name in new_owner.at("content").mapping()}
        for name, media in old_media.items():
            if name not in new_media:
                self._emit(f"{media_rule}-removed", media, None, name, None, f"{label}: media type {name} removed")
        for name, media in new_media.items():
            if name not in old_media:
                self._emit(f"{media_rule}-added", None, media, None, name, f"{label}: media type {name} added")
                continue
            old = old_media[name]
            where = _Where(direction, "property", label if name == "application/json" else f"{label} ({name})")
            if old.has("schema") and media.has("schema"):
                self._compare_schema(old.at("schema"), media.at("schema"), where, ())
            elif media.has("schema"):
                self._emit(f"{schema_rule}-added", old, media.at("schema"), None, "schema",
                           f"{where.label}: schema added")
            elif old.has("schema"):
                self._emit(f"{schema_rule}-removed", old.at("schema"), media, "schema", None,
                           f"{where.label}: schema removed")

    # --- schemas ---

    def _compare_held_schemas(self, old_holder: _Node, new_holder: _Node, where: _Where) -> None:
        """The schemas of a parameter or a header, before and after; a missing one admits anything."""
        old, new = _held_schema(old_holder), _held_schema(new_holder)
        if old.value is not None or new.value is not None:
            self._compare_schema(old if old.value is not None else _anything(old),
                                 new if new.value is not None else _anything(new), where, ())

    def _compare_schema(self, old: _Node, new: _Node, where: _Where, path: tuple[str, ...],
                        comparing: frozenset[tuple[str, str]] = frozenset()) -> None:
        old_flat, new_flat = _flatten(self.old, old), _flatten(self.new, new)
        pair = (old_flat.at.pointer, new_flat.at.pointer)
        if pair in comparing:  # a recursive schema: this pair is already being compared further up
            return
        comparing = comparing | {pair}
        self._compare_keywords(old_flat, new_flat, where, path)
        self._compare_properties(old_flat, new_flat, where, path, comparing)
        self._compare_additional_properties(old_flat, new_flat, where, path, comparing)
        if old_flat.items is not None or new_flat.items is not None:
            self._compare_schema(old_flat.items or _anything(old_flat.at.at("items")),
                                 new_flat.items or _anything(new_flat.at.at("items")),
                                 where, (*path, "items"), comparing)
        for keyword, stem in (("one_of", "one-of"), ("any_of", "any-of")):
            self._compare_branches(getattr(old_flat, keyword), getattr(new_flat, keyword), stem, where, path, comparing)

    def _schema_change(self, where: _Where, path: tuple[str, ...], kind: str, old_at: _Node | None,
                       new_at: _Node | None, old: Any, new: Any, what: str) -> None:
        subject = where.label + (f" property `{'/'.join(path)}`" if path else "")
        self._emit(f"{where.direction}-{where.subject}-{kind}", old_at, new_at, old, new, f"{subject}: {what}")

    def _compare_keywords(self, old: _Flat, new: _Flat, where: _Where, path: tuple[str, ...]) -> None:
        def change(kind: str, keyword: str, old_value: Any, new_value: Any, what: str) -> None:
            # where the keyword is, or the schema itself when it is absent on that side
            self._schema_change(where, path, kind, old.keywords.get(keyword, old.at), new.keywords.get(keyword, new.at),
                                old_value, new_value, what)

        def value(flat: _Flat, keyword: str) -> Any:
            node = flat.keywords.get(keyword)
            return None if node is None else node.value

        old_type, new_type = value(old, "type"), value(new, "type")
        if old_type != new_type:
            if new_type is None or (old_type, new_type) == ("integer", "number"):
                kind = "type-generalized"
            elif old_type is None or (old_type, new_type) == ("number", "integer"):
                kind = "type-specialized"
            else:
                kind = "type-changed"
            change(kind, "type", old_type, new_type, f"type changed from {old_type or 'none'} to {new_type or 'none'}")

        old_format, new_format = value(old, "format"), value(new, "format")
        if old_format != new_format:
            change(_presence_kind("format", old_format, new_format), "format", old_format, new_format,
                   f"format changed from {old_format or 'none'} to {new_format or 'none'}")

        was_nullable, is_nullable = value(old, "nullable") is True, value(new, "nullable") is True
        if was_nullable != is_nullable:
            change("became-nullable" if is_nullable else "became-not-nullable", "nullable", was_nullable, is_nullable,
                   "null is now allowed" if is_nullable else "null is no longer allowed")

        self._compare_enums(value(old, "enum"), value(new, "enum"), change)

        old_pattern, new_pattern = value(old, "pattern"), value(new, "pattern")
        if old_pattern != new_pattern:
            change(_presence_kind("pattern", old_pattern, new_pattern), "pattern", old_pattern, new_pattern,
                   f"pattern changed from {_shown_or_none(old_pattern)} to {_shown_or_none(new_pattern)}")

        for keyword, stem, *_ in _BOUNDS:
            was_bound, is_bound = value(old, keyword), value(new, keyword)
            if was_bound == is_bound:
                continue
            for bound, flat in ((was_bound, old), (is_bound, new)):
                if bound is not None and not _is_number(bound):
                    document = self.old if flat is old else self.new
                    where_it_is = flat.keywords[keyword].pointer
                    raise DocumentError(f"{document.label}: {keyword} at {where_it_is} is not a number")
            upper = stem.startswith("max")
            # no bound at all is the loosest bound
            looser = is_bound is None or (was_bound is not None and (is_bound > was_bound) == upper)
            kind = f"{stem}-{'increased' if looser == upper else 'decreased'}"
            change(kind, keyword, was_bound, is_bound,
                   f"{keyword} changed from {_shown_or_none(was_bound)} to {_shown_or_none(is_bound)}")

        old_default, new_default = value(old, "default"), value(new, "default")
        if ("default" in old.keywords, _canonical(old_default)) != ("default" in new.keywords, _canonical(new_default)):
            change("default-changed", "default", old_default, new_default,
                   f"default changed from {_shown_or_none(old_default)} to {_shown_or_none(new_default)}")

    @staticmethod
    def _compare_enums(old_enum: Any, new_enum: Any, change: Callable[[str, str, Any, Any, str], None]) -> None:
        old_enum = old_enum if isinstance(old_enum, list) else None
        new_enum = new_enum if isinstance(new_enum, list) else None
        if old_enum is None and new_enum is not None:
            change("became-enum", "enum", None, new_enum, f"now restricted to the enum {_show(new_enum)}")
        elif old_enum is not None and new_enum is None:
            change("enum-removed", "enum", old_enum, None, f"the enum {_show(old_enum)} is dropped")
        elif old_enum is not None and new_enum is not None:
            old_values = {_canonical(item) for item in old_enum}
            new_values = {_canonical(item) for item in new_enum}
            for item in new_enum:
                if _canonical(item) not in old_values:
                    change("enum-value-added", "enum", None, item, f"enum value {_show(item)} added")
            for item in old_enum:
                if _canonical(item) not in new_values:
                    change("enum-value-removed", "enum", item, None, f"enum value {_show(item)} removed")

    def _compare_properties(self, old: _Flat, new: _Flat, where: _Where, path: tuple[str, ...],
                            comparing: frozenset[tuple[str, str]]) -> None:
        rules = _MEMBERSHIP[where.direction]
        # a name in `required` only (the document contradicts itself) still counts as a property
        names = dict.fromkeys([*new.properties, *new.required, *old.properties, *old.required])
        for name in names:
            subject = f"{where.label} property `{'/'.join((*path, name))}`"
            in_old = name in old.properties or name in old.required
            in_new = name in new.properties or name in new.required
            was, now = name in old.required, name in new.required
            if not in_old:
                at = new.properties.get(name) or new.required[name]
                self._emit(rules["added-required" if now else "added-optional"], None, at, None, name,
                           f"{subject} added ({'required' if now else 'optional'})")
                continue
            if not in_new:
                at = old.properties.get(name) or old.required[name]
                self._emit(rules["removed-required" if was else "removed-optional"], at, None, name, None,
                           f"{subject} removed" + (" (it was required)" if was else ""))
                continue
            if was != now:
                self._emit(rules["became-required" if now else "became-optional"], old.required.get(name, old.at),
                           new.required.get(name, new.at), was, now,
                           f"{subject} became {'required' if now else 'optional'}")
            if name in old.properties or name in new.properties:
                self._compare_schema(old.properties.get(name) or _anything(old.at.at("properties", name)),
                                     new.properties.get(name) or _anything(new.at.at("properties", name)),
                                     where, (*path, name), comparing)

    def _compare_additional_properties(self, old: _Flat, new: _Flat, where: _Where, path: tuple[str, ...],
                                       comparing: frozenset[tuple[str, str]]) -> None:
        def state(flat: _Flat) -> str:
            value = flat.additional.value if flat.additional is not None else None
            return "closed" if value is False else "schema" if isinstance(value, dict) else "open"

        was, now = state(old), state(new)
        old_at, new_at = old.additional or old.at, new.additional or new.at
        if was == "closed" and now != "closed":
            self._schema_change(where, path, "additional-properties-opened", old_at, new_at, False, new_at.value,
                                "undeclared properties are now allowed")
        elif now == "closed" and was != "closed":
            self._schema_change(where, path, "additional-properties-closed", old_at, new_at, old_at.value, False,
                                "undeclared properties are now refused")
        elif "schema" in (was, now):
            self._compare_schema(old.additional if was == "schema" else _anything(old_at),
                                 new.additional if now == "schema" else _anything(new_at),
                                 where, (*path, "additionalProperties"), comparing)

    def _compare_branches(self, old: list[_Node], new: list[_Node], stem: str, where: _Where, path: tuple[str, ...],
                          comparing: frozenset[tuple[str, str]]) -> None:
        keyword = "oneOf" if stem == "one-of" else "anyOf"
        # the same $ref is the same branch; branches left over pair by position when as many remain
        paired = [(o, n) for o in old for n in new if o.has("$ref") and o.value["$ref"] == n.mapping().get("$ref")]
        old_left = [o for o in old if all(o is not pair[0] for pair in paired)]
        new_left = [n for n in new if all(n is not pair[1] for pair in paired)]
        if len(old_left) == len(new_left):
            paired += list(zip(old_left, new_left, strict=True))
            old_left, new_left = [], []
        for branch in old_left:
            self._schema_change(where, path, f"{stem}-removed", branch, None, _branch_label(branch), None,
                                f"{keyword} branch {_branch_label(branch)} removed")
        for branch in new_left:
            self._schema_change(where, path, f"{stem}-added", None, branch, None, _branch_label(branch),
                                f"{keyword} branch {_branch_label(branch)} added")
        for old_branch, new_branch in paired:
            self._compare_schema(old_branch, new_branch, where, (*path, f"{keyword}[{_branch_label(new_branch)}]"),
                                 comparing)

    # --- security ---

    def _compare_security(self, old_operation: _Node, new_operation: _Node) -> None:
        old_at, old_alternatives = _security(self.old, old_operation)
        new_at, new_alternatives = _security(self.new, new_operation)
        self._compare_security_schemes(old_alternatives, new_alternatives)
        if sorted(map(_show_alternative, old_alternatives)) == sorted(map(_show_alternative, new_alternatives)):
            return
        reported = len(self.changes)
        old_left = [a for a in old_alternatives if a not in new_alternatives]
        new_left = [b for b in new_alternatives if b not in old_alternatives]
        # the same schemes with other scopes: say which scopes
        for old_alternative in list(old_left):
            new_alternative = next((b for b in new_left if b.keys() == old_alternative.keys()), None)
            if new_alternative is None:
                continue
            old_left.remove(old_alternative)
            new_left.remove(new_alternative)
            label = _show_alternative(old_alternative)
            for scheme in sorted(old_alternative):
                for scope in sorted(new_alternative[scheme] - old_alternative[scheme]):
                    self._emit("api-security-scope-added", old_at, new_at, None, scope,
                               f"security {label}: scope `{scope}` of {scheme} now demanded")
                for scope in sorted(old_alternative[scheme] - new_alternative[scheme]):
                    self._emit("api-security-scope-removed", old_at, new_at, scope, None,
                               f"security {label}: scope `{scope}` of {scheme} no longer demanded")
        # an old alternative is refused when no new one asks for no more than it holds
        refused = [a for a in old_left if not any(_asks_no_more(b, a) for b in new_alternatives)]
        for new_alternative in list(new_left):
            merged = [a for a in refused if a and _asks_no_more(a, new_alternative)]
            if len(merged) >= 2:
                refused = [a for a in refused if a not in merged]
                new_left.remove(new_alternative)
                shown = " and ".join(map(_show_alternative, merged))
                self._emit("api-security-alternatives-merged", old_at, new_at, [_json_alternative(a) for a in merged],
                           _json_alternative(new_alternative), f"security alternatives {shown} merged into one "
                           f"requirement: {_show_alternative(new_alternative)}")
        for old_alternative in refused:
            self._emit("api-security-removed", old_at, new_at, _json_alternative(old_alternative), None,
                       f"security alternative {_show_alternative(old_alternative)} no longer accepted")
        for new_alternative in new_left:
            if not any(_asks_no_more(a, new_alternative) for a in old_alternatives):
                self._emit("api-security-added", old_at, new_at, None, _json_alternative(new_alternative),
                           f"security alternative {_show_alternative(new_alternative)} added")
        if len(self.changes) == reported:
            self._emit("api-security-updated", old_at, new_at, [_json_alternative(a) for a in old_alternatives],
                       [_json_alternative(b) for b in new_alternatives],
                       f"security changed from {' or '.join(map(_show_alternative, old_alternatives))} to "
                       f"{' or '.join(map(_show_alternative, new_alternatives))}; every old alternative is still "
                       "accepted and old servers accept every new one")

    def _compare_security_schemes(self, old_alternatives: list[dict[str, frozenset[str]]],
                                  new_alternatives: list[dict[str, frozenset[str]]]) -> None:
        used_in_both = sorted({s for a in old_alternatives for s in a} & {s for b in new_alternatives for s in b})
        for scheme in used_in_both:
            old_at = self.old.follow(self.old.root.at("components", "securitySchemes", scheme))
            new_at = self.new.follow(self.new.root.at("components", "securitySchemes", scheme))
            old_wire, new_wire = _scheme_on_the_wire(old_at), _scheme_on_the_wire(new_at)
            if old_wire != new_wire:
                differences = ", ".join(f"{key} {_show(old_wire.get(key))} -> {_show(new_wire.get(key))}"
                                        for key in sorted(old_wire.keys() | new_wire.keys())
                                        if old_wire.get(key) != new_wire.get(key))
                self._emit("api-security-scheme-changed", old_at, new_at, old_wire, new_wire,
                           f"security scheme {scheme} changed: {differences}")


def _template_variables(path: str) -> list[str]:
    return re.findall(r"\{([^}]*)\}", path)


def _template_positions(path: str) -> set[str]:
    """The keys `_parameters` gives the variables of `path`: their places in the template."""
    return {f"{{{index}}}" for index in range(len(_template_variables(path)))}


def _presence_kind(keyword: str, old: Any, new: Any) -> str:
    return f"{keyword}-added" if old is None else f"{keyword}-removed" if new is None else f"{keyword}-changed"


def _is_required(parameter: _Node) -> bool:
    return parameter.mapping().get("in") == "path" or parameter.mapping().get("required") is True


def _serialization(parameter: _Node) -> str:
    """style and explode with OpenAPI's defaults filled in: what decides how the value is written."""
    location = parameter.mapping().get("in")
    style = parameter.mapping().get("style") or ("form" if location in ("query", "cookie") else "simple")
    explode = parameter.mapping().get("explode", style == "form")
    return f"style={style}, explode={str(explode).lower()}"


def _held_schema(parameter: _Node) -> _Node:
    """A parameter's or header's schema: `schema`, or the schema of its one `content` media type."""
    media_type = next(iter(parameter.at("content").mapping()), None)
    if parameter.has("schema") or media_type is None:
        return parameter.at("schema")
    return parameter.at("content", media_type, "schema")


def _branch_label(branch: _Node) -> str:
    ref = branch.mapping().get("$ref")
    if isinstance(ref, str):
        return _unescape(ref.rsplit("/", 1)[-1])
    title = branch.mapping().get("title")
    return title if isinstance(title, str) else f"#{branch.pointer.rsplit('/', 1)[-1]}"


def _security(document: _Document, operation: _Node) -> tuple[_Node, list[dict[str, frozenset[str]]]]:
    """Where the operation's effective security is (its own, else the document's) and its alternatives,
    each a scheme -> scopes mapping. No requirement at all is one alternative that asks for nothing."""
    at = operation.at("security") if operation.has("security") else document.root.at("security")
    alternatives: list[dict[str, frozenset[str]]] = []
    for requirement in at.listed():
        if isinstance(requirement, dict):
            alternative = {scheme: _scopes(scopes) for scheme, scopes in requirement.items()}
            if alternative not in alternatives:
                alternatives.append(alternative)
    return at, alternatives or [{}]


def _scopes(scopes: Any) -> frozenset[str]:
    """A security requirement's scopes: a list of strings. The vendor's invalid 673ae2e7 nests them,
    `[["api", "segments"]]` and `[[]]`: read as the list it wraps, so the next revision's correction
    (`["api", "segments"]`, `[]`) is no change."""
    if not isinstance(scopes, list):
        return frozenset()
    flat = [scope for item in scopes for scope in (item if isinstance(item, list) else [item])]
    return frozenset(scope for scope in flat if isinstance(scope, str))


def _asks_no_more(requirement: dict[str, frozenset[str]], held: dict[str, frozenset[str]]) -> bool:
    """True when a client holding the credentials of `held` satisfies `requirement`."""
    return all(scheme in held and scopes <= held[scheme] for scheme, scopes in requirement.items())


def _show_alternative(alternative: dict[str, frozenset[str]]) -> str:
    if not alternative:
        return "(anonymous access)"
    return " + ".join(scheme + (f"[{', '.join(sorted(scopes))}]" if scopes else "")
                      for scheme, scopes in sorted(alternative.items()))


def _json_alternative(alternative: dict[str, frozenset[str]]) -> dict[str, list[str]]:
    return {scheme: sorted(scopes) for scheme, scopes in sorted(alternative.items())}


def _scheme_on_the_wire(scheme: _Node) -> dict[str, Any]:
    """The parts of a security scheme that decide what a request carries (not its descriptions or URLs)."""
    definition = scheme.mapping()
    wire = {key: definition[key] for key in ("type", "in") if key in definition}
    if "scheme" in definition:  # HTTP auth schemes are case-insensitive (RFC 9110 section 11.1)
        wire["scheme"] = str(definition["scheme"]).lower()
    if "name" in definition:  # so are header names
        wire["name"] = str(definition["name"]).lower() if definition.get("in") == "header" else definition["name"]
    if isinstance(definition.get("flows"), dict):
        wire["flows"] = sorted(definition["flows"])
    return wire


# --- the entry point ----------------------------------------------------------------------------


def diff_documents(old: dict[str, Any], new: dict[str, Any], *, old_label: str = "old",
                   new_label: str = "new") -> DiffResult:
    """Every change from `old` to `new` (two OpenAPI 3.0 documents), judged for clients and servers.
    Raises DocumentError for a document it cannot read."""
    for label, document in ((old_label, old), (new_label, new)):
        if not isinstance(document, dict):
            raise DocumentError(f"{label}: not a JSON or YAML object")
        problem = openapi_version_problem(document)
        if problem:
            raise DocumentError(f"{label}: {problem}")
        if not isinstance(document.get("paths"), dict):
            raise DocumentError(f"{label}: no `paths` object")
    changes = _Differ(_Document(old, old_label), _Document(new, new_label)).run()
    return DiffResult(_info(old, old_label), _info(new, new_label), tuple(sorted(changes, key=_order)))


def _info(document: dict[str, Any], label: str) -> DocumentInfo:
    info = document.get("info")
    version = info.get("version") if isinstance(info, dict) else None
    return DocumentInfo(label, document["openapi"], str(version) if version is not None else None)


def _order(change: Change) -> tuple:
    """Breaking for clients first, then by operation, servers-breaking first within it."""
    method = change.operation.method.lower()
    return (not change.breaks_clients, change.operation.path, _METHODS.index(method) if method in _METHODS else 0,
            not change.breaks_servers, change.id, change.location, change.message)


# --- output -------------------------------------------------------------------------------------


def _counts(result: DiffResult) -> str:
    total, clients, servers = len(result.changes), len(result.breaking_for_clients), len(result.breaking_for_servers)
    return (f"{total} change{'s' if total != 1 else ''}, {clients} break{'s' if clients == 1 else ''} existing "
            f"clients, {servers} break{'s' if servers == 1 else ''} existing servers")


def _versions(result: DiffResult) -> str:
    if result.old.version == result.new.version:
        return f"info.version {result.old.version} in both"
    return f"info.version {result.old.version} -> {result.new.version}"


def format_diff_summary(result: DiffResult, limit: int = 5) -> str:
    """A few lines on two documents, for a report that must say its runs used different contracts."""
    if not result.changes:
        return ("No change to the API between the contract documents (they may differ in descriptions, "
                f"examples and other annotations); {_versions(result)}.")
    lines = [f"The contract changed ({_versions(result)}): {_counts(result)}."]
    breaking = [change for change in result.changes if change.breaks_clients or change.breaks_servers]
    for change in breaking[:limit]:
        whom = "clients and servers" if change.breaks_clients and change.breaks_servers else (
            "clients" if change.breaks_clients else "servers")
        lines.append(f"  breaks {whom}: {change.operation}: {change.message} ({change.id})")
    if len(breaking) > limit:
        lines.append(f"  ... and {len(breaking) - limit} more breaking; `conformance diff OLD NEW` lists them all")
    return "\n".join(lines)


def _sections(result: DiffResult) -> list[tuple[str, list[Change]]]:
    return [
        ("Breaking for existing clients", [change for change in result.changes if change.breaks_clients]),
        ("Not breaking for existing clients", [change for change in result.changes if not change.breaks_clients]),
    ]


def format_text(result: DiffResult) -> str:
    lines = [
        f"OLD {result.old.label} (OpenAPI {result.old.openapi}, info.version {result.old.version})",
        f"NEW {result.new.label} (OpenAPI {result.new.openapi}, info.version {result.new.version})",
    ]
    lines += [f"NOTE {note}" for note in result.notes]
    if not result.changes:
        return "\n".join([*lines, "No change to the API."])
    lines.append(f"{_counts(result)}.")
    for heading, changes in _sections(result):
        lines += ["", f"{heading.upper()} ({len(changes)})"]
        if not changes:
            lines.append("  none")
        operation = None
        for change in changes:
            if change.operation != operation:
                operation = change.operation
                lines.append(f"  {operation}")
            servers = "breaks servers" if change.breaks_servers else "servers unaffected"
            lines.append(f"    {change.id} [{servers}]: {change.message}")
            lines.append(f"        at {change.location} ({change.document} document)")
            lines.append(f"        requirements: {', '.join(change.requirements) or 'none in the catalogue'}")
    return "\n".join(lines)


def format_markdown(result: DiffResult) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [
        "# Contract diff",
        "",
        "| | document | OpenAPI | info.version |",
        "| --- | --- | --- | --- |",
        f"| old | `{cell(result.old.label)}` | {result.old.openapi} | {cell(str(result.old.version))} |",
        f"| new | `{cell(result.new.label)}` | {result.new.openapi} | {cell(str(result.new.version))} |",
        "",
        *[f"> **Note:** {cell(note)}\n" for note in result.notes],
    ]
    if not result.changes:
        return "\n".join([*lines, "No change to the API.", ""])
    lines.append(f"**{_counts(result)}.**")
    for heading, changes in _sections(result):
        lines += ["", f"## {heading} ({len(changes)})", ""]
        if not changes:
            lines.append("None.")
            continue
        lines += ["| change | operation | what | breaks servers | location | requirements |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for change in changes:
            lines.append(
                f"| `{change.id}` | `{cell(str(change.operation))}` | {cell(change.message)} | "
                f"{'**yes**' if change.breaks_servers else 'no'} | `{cell(change.location)}` ({change.document}) | "
                f"{', '.join(change.requirements) or 'none in the catalogue'} |"
            )
    return "\n".join(lines) + "\n"


def format_json(result: DiffResult) -> str:
    return json.dumps(result.to_json(), indent=2, ensure_ascii=False, default=str)


_FORMATS = {"text": format_text, "markdown": format_markdown, "json": format_json}


# --- command ------------------------------------------------------------------------------------


def run(args) -> int:
    from conformance.cli import EXIT_NONCONFORMANT, EXIT_OK, UsageError

    old, new = (load_spec(spec_path(spec, option=name)) for spec, name in ((args.old, "OLD"), (args.new, "NEW")))
    old_problem, new_problem = (next(iter(validation_problems(document)), None) for document in (old, new))
    if new_problem:  # the revision a user moves to must be one: lint's words, one line
        raise UsageError(f"cannot diff: NEW {args.new} is invalid (lint L100): {new_problem}")
    try:
        result = diff_documents(old, new, old_label=args.old, new_label=args.new)
    except DocumentError as error:
        raise UsageError(f"cannot diff: {error}") from None
    if old_problem:
        result = dataclasses.replace(result, notes=(
            f"OLD {args.old} is invalid (lint L100): {old_problem}; NEW is valid, and a change that only "
            "corrects OLD is not called breaking",))
    text = _FORMATS[args.format](result)  # titles and paths come from the documents: escaped
    print(printable_json(text) if args.format == "json" else printable_lines(text))
    return EXIT_NONCONFORMANT if result.breaking_for_clients else EXIT_OK


def register(subparsers, epilog: str) -> None:
    parser = subparsers.add_parser(
        "diff",
        help="what changed between two contract documents, and whom it breaks",
        description=__doc__,
        epilog=epilog
        + "\ndiff exits 0 when no change breaks existing clients, 1 when one does, 4 when OLD or NEW is"
        "\nunreadable, not JSON or YAML, or not an OpenAPI 3.0 document. Rules: docs/diff.md.\n",
    )
    parser.add_argument("old", metavar="OLD", help="the earlier OpenAPI 3.0 document (JSON or YAML), or a shipped "
                        "revision's name (`conformance revisions`)")
    parser.add_argument("new", metavar="NEW", help="the later OpenAPI 3.0 document, or a shipped revision's name")
    parser.add_argument("--format", choices=tuple(_FORMATS), default="text",
                        help="text (default; breaking for clients first), markdown or json (docs/diff.md)")
    parser.set_defaults(handler=run)


if __name__ == "__main__":  # rewrite the rule table of docs/diff.md from RULES
    from pathlib import Path

    target = Path(__file__).resolve().parent.parent / "docs" / "diff.md"
    text = target.read_text(encoding="utf-8")
    begin, end = "<!-- rules:begin -->\n", "<!-- rules:end -->"
    head, rest = text.split(begin)
    target.write_text(head + begin + rules_markdown() + end + rest.split(end, 1)[1], encoding="utf-8")
    print(f"wrote {target}")
