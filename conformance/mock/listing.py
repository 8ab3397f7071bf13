"""GET /v1/segments (list-segment), as a document that has it describes it.

The query is read against the operation's own parameters: `limit` (its minimum and maximum; 10
when absent, as its description says), `order` (its enum; newest first when absent, as its
description says), `filters` as a deepObject whose fields and operators are the ones the
document's filter schema declares, and `ids` (repeatable). What the schema does not declare is
refused with 400, the vendor's answer to an invalid request; unknown parameters are ignored.

deepObject arrays are not defined by OpenAPI 3.0, so the three spellings clients use are read:
`filters[name][conditions][$in]=a&...[$in]=b`, `...[$in][]=a` and `...[$in][0]=a`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from conformance import rfc3339
from conformance.contract import CREATE_PATH, Contract, inline_refs, schema_validator
from conformance.mock import timestamps
from conformance.mock.store import Segment

DEFAULT_LIMIT = 10  # the limit parameter's description: "If no limit is set, it returns 10 items."
NEWEST_FIRST = "-created_at"  # the order parameter's description: "By default, ... newest to the oldest"
_KEY = re.compile(r"^(\w+)((?:\[[^\[\]]*\])+)$")


class InvalidQuery(ValueError):
    """A list query the document does not allow; str() is the short reason for the 400 (the first
    problem found), `problems` how many the filters' schema found (0 when reading stopped before
    the schema: a limit, an order, a key or a shape); `shape` whether a filter field was not
    [conditions][$operator]."""

    def __init__(self, reason: str, problems: int = 0, *, shape: bool = False) -> None:
        super().__init__(reason)
        self.problems = problems
        self.shape = shape


@dataclass(frozen=True)
class ListQuery:
    limit: int
    order: str
    junction: str
    conditions: tuple[tuple[str, str, Any], ...]  # (field, operator, value)
    ids: tuple[str, ...] | None


class ListRules:
    """How one document's list-segment reads a query and picks segments."""

    def __init__(self, contract: Contract) -> None:
        operation = contract.effective["paths"][CREATE_PATH]["get"]
        parameters = inline_refs(operation.get("parameters") or [], contract.effective)
        self.parameters = {p["name"]: p for p in parameters if isinstance(p, dict) and p.get("in") == "query"}
        limit = self._schema("limit")
        self.limit_min = int(limit.get("minimum", 1))
        self.limit_max = int(limit.get("maximum", 100))
        self.default_limit = int(limit.get("default", DEFAULT_LIMIT))
        self.orders = tuple(self._schema("order").get("enum", ("created_at", NEWEST_FIRST)))
        self.default_order = self._schema("order").get("default", NEWEST_FIRST)
        filters = self._schema("filters")
        self._filters_validator = schema_validator(filters)
        # field -> operator -> the operator's schema
        self.operators: dict[str, dict[str, dict[str, Any]]] = {}
        for field, schema in (filters.get("properties") or {}).items():
            conditions = (schema.get("properties") or {}).get("conditions")
            if isinstance(conditions, dict):
                self.operators[field] = dict(conditions.get("properties") or {})
        self.junctions = tuple((filters.get("properties") or {}).get("junction", {}).get("enum", ("and", "or")))

    def _schema(self, name: str) -> dict[str, Any]:
        return dict((self.parameters.get(name) or {}).get("schema") or {})

    # --- reading the query ------------------------------------------------------------------------

    def parse(self, items: Iterable[tuple[str, str]], *, clamp: bool = False, check_values: bool = True) -> ListQuery:
        """The query, or InvalidQuery. clamp=True is the list-bad-params-accepted fault;
        check_values=False the list-filter-values-unchecked fault (filter values the schema refuses
        are used as given)."""
        limit, order, ids, raw_filters = None, None, None, []
        for key, value in items:
            if key == "limit":
                limit = value
            elif key == "order":
                order = value
            elif key in ("ids", "ids[]") or re.fullmatch(r"ids\[\d+\]", key):
                ids = [*(ids or []), value]
            elif key.startswith("filters["):
                raw_filters.append((key, value))
        return ListQuery(
            limit=self._limit(limit, clamp),
            order=self._order(order, clamp),
            ids=None if ids is None else tuple(ids),
            **self._filters(raw_filters, check_values),
        )

    def _limit(self, text: str | None, clamp: bool) -> int:
        if text is None:
            return self.default_limit
        try:
            limit = int(text.strip())
        except ValueError:
            if clamp:
                return self.default_limit
            raise InvalidQuery(f"Query parameter limit should be an integer, got {text[:40]!r}") from None
        if not self.limit_min <= limit <= self.limit_max:
            if clamp:
                return min(max(limit, self.limit_min), self.limit_max)
            raise InvalidQuery(f"Query parameter limit should be between {self.limit_min} and {self.limit_max}")
        return limit

    def _order(self, text: str | None, clamp: bool) -> str:
        if text is None:
            return self.default_order
        if text not in self.orders:
            if clamp:
                return self.default_order
            raise InvalidQuery(f"Query parameter order should be one of: {', '.join(self.orders)}")
        return text

    def _filters(self, items: list[tuple[str, str]], check_values: bool = True) -> dict[str, Any]:
        tree: dict[str, Any] = {}
        for key, value in items:
            match = _KEY.match(key)
            if match is None:
                raise InvalidQuery(f"Query parameter {key[:60]} is not a deepObject key")
            parts = re.findall(r"\[([^\[\]]*)\]", match.group(2))
            _insert(tree, parts, value, key)
        junction = tree.pop("junction", "and")
        if isinstance(junction, list) or junction not in self.junctions:
            raise InvalidQuery(f"filters[junction] should be one of: {', '.join(self.junctions)}")
        conditions = []
        for field, node in tree.items():
            if field not in self.operators:
                raise InvalidQuery(f"filters[{field}] is not a filter of this list")
            if not isinstance(node, dict) or set(node) != {"conditions"} or not isinstance(node["conditions"], dict):
                raise InvalidQuery(f"filters[{field}] takes [conditions][$operator]", shape=True)
            for operator, value in node["conditions"].items():
                schema = self.operators[field].get(operator)
                if schema is None:
                    raise InvalidQuery(f"filters[{field}][conditions][{operator}] is not an operator of this filter")
                conditions.append((field, operator, _coerce(value, schema, f"filters[{field}][conditions][{operator}]")))
        typed: dict[str, Any] = {"junction": junction}
        for field, operator, value in conditions:
            typed.setdefault(field, {"conditions": {}})["conditions"][operator] = value
        errors = sorted(self._filters_validator.iter_errors(typed), key=lambda error: list(error.absolute_path))
        if errors and check_values:
            where = "".join(f"[{part}]" for part in errors[0].absolute_path)
            raise InvalidQuery(f"filters{where} is invalid: {errors[0].message[:80]}", problems=len(errors))
        return {"junction": junction, "conditions": tuple(conditions)}

    # --- picking segments -------------------------------------------------------------------------

    def select(
        self,
        query: ListQuery,
        candidates: Iterable[Segment],
        *,
        tie_break: Callable[[Segment], Any],
        use_filters: bool = True,
        ignored_operators: Iterable[str] = (),
        misread_operators: Mapping[str, str] | None = None,
        sort_key: Callable[[timestamps.InstantKey | None], Any] | None = None,
        read_bound: Callable[[str], timestamps.InstantKey] = timestamps.parse_key,
    ) -> list[Segment]:
        """Every candidate the query matches, in its order (before the limit). use_filters=False,
        ignored_operators, misread_operators (operator -> the one it is read as), sort_key (what
        the order reads of an instant: FAULTY_SORT_KEYS) and read_bound (how a created_at bound is
        read: FAULTY_BOUND_READERS) are the list faults of the same names."""
        chosen = [segment for segment in candidates if query.ids is None or segment.id in query.ids]
        ignored = frozenset(ignored_operators)
        misread = misread_operators or {}
        conditions = tuple((field, misread.get(operator, operator), value) for field, operator, value in query.conditions
                           if operator not in ignored)
        if use_filters and conditions:
            chosen = [segment for segment in chosen if self._matches(segment, query.junction, conditions, read_bound)]
        chosen.sort(key=lambda segment: (sort_key(segment.key) if sort_key else segment.key, tie_break(segment)),
                    reverse=query.order.startswith("-"))
        return chosen

    def _matches(self, segment: Segment, junction: str, conditions: tuple[tuple[str, str, Any], ...],
                 read_bound: Callable[[str], timestamps.InstantKey]) -> bool:
        results = (_holds(segment, field, operator, value, read_bound) for field, operator, value in conditions)
        return all(results) if junction == "and" else any(results)


def _time_of_day(key: timestamps.InstantKey | None) -> Any:
    """list-sorted-by-time-of-day: the key without its date (a key built from the time columns)."""
    return None if key is None else (key[0].time(), key[1], key[2])


def _without_seconds(key: timestamps.InstantKey | None) -> Any:
    """list-order-ignores-seconds: the key's hour and fraction, its minutes and seconds left out (the
    minutes too, so that only a straddle across an hour, not one in sixty across a minute, hides it)."""
    return None if key is None else (key[0].replace(minute=0, second=0), key[2])


def _bound_offset_ignored(text: str) -> timestamps.InstantKey:
    """list-bound-offset-ignored: a bound's wall-clock time read as UTC, whatever its offset."""
    second, leap, microseconds = timestamps.parse_key(text)
    written = rfc3339.parts(text, zone_required=False)
    return (second + timedelta(minutes=written.offset_minutes or 0), leap, microseconds)


def _bound_without_fraction_fails(text: str) -> timestamps.InstantKey:
    """list-bound-without-fraction-500: a bound with no fraction digits breaks the reader."""
    if not rfc3339.parts(text, zone_required=False).fraction:
        raise ValueError(f"invalid literal for int() with base 10: {text!r}")
    return timestamps.parse_key(text)


FAULTY_SORT_KEYS = {"list-sorted-by-time-of-day": _time_of_day, "list-order-ignores-seconds": _without_seconds}
FAULTY_BOUND_READERS = {"list-bound-offset-ignored": _bound_offset_ignored,
                        "list-bound-without-fraction-500": _bound_without_fraction_fails}


def _insert(tree: dict[str, Any], parts: list[str], value: str, key: str) -> None:
    node = tree
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        array_next = not last and (parts[index + 1] == "" or parts[index + 1].isdigit())
        if part == "" or part.isdigit():  # an array element: the parent holds the list
            return
        if last or array_next:
            if part in node:
                existing = node[part]
                if isinstance(existing, dict):
                    raise InvalidQuery(f"Query parameter {key[:60]} mixes a value and an object")
                node[part] = [*(existing if isinstance(existing, list) else [existing]), value]
            else:
                node[part] = [value] if array_next else value
            return
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise InvalidQuery(f"Query parameter {key[:60]} mixes a value and an object")
        node = child


def _coerce(value: Any, schema: dict[str, Any], where: str) -> Any:
    kind = schema.get("type")
    if kind == "array":
        return value if isinstance(value, list) else [value]
    if isinstance(value, list):
        if len(value) != 1:
            raise InvalidQuery(f"{where} takes one value")
        value = value[0]
    if kind == "integer":
        try:
            return int(value)
        except ValueError:
            raise InvalidQuery(f"{where} should be an integer") from None
    return value


def _holds(segment: Segment, field: str, operator: str, value: Any, read_bound=timestamps.parse_key) -> bool:
    if field == "created_at":
        return _holds_instant(segment, operator, value, read_bound)
    actual = {"id": segment.id, "name": segment.name, "type": segment.type}.get(field)
    if operator == "$has_value":
        return actual is not None
    if operator == "$is_unknown":
        return actual is None
    if not isinstance(actual, str):
        return False
    return {
        "$is": lambda: actual == value,
        "$is_not": lambda: actual != value,
        "$in": lambda: actual in value,
        "$not_in": lambda: actual not in value,
        "$starts_with": lambda: actual.startswith(value),
        "$ends_with": lambda: actual.endswith(value),
        "$contains": lambda: value in actual,
        "$not_contain": lambda: value not in actual,
    }.get(operator, lambda: False)()


def _holds_instant(segment: Segment, operator: str, value: Any, read_bound=timestamps.parse_key) -> bool:
    key = segment.key
    if operator == "$has_value":
        return key is not None
    if operator == "$is_unknown":
        return key is None
    if key is None:
        return False
    if operator in ("$after", "$before"):
        bound = read_bound(value)
        return key > bound if operator == "$after" else key < bound
    if operator in ("$more_than", "$less_than"):  # days before now
        bound = timestamps.key_of(timestamps.now() - timedelta(days=value))
        return key < bound if operator == "$more_than" else key > bound
    return False
