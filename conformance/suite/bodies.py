"""Request bodies the scenarios send: the vendor's own examples first, then edge cases."""

from __future__ import annotations

import copy

STATIC_CUSTOMERS = ["cust_iajsExT2QB4sGWzABY85WRqV", "cust_sehkNIi8Uq2qQuRqSr7xn4Zi"]

# seed 000: "Dynamic - customers created after a specific date"
CREATED_AFTER_FILTER = {"junction": "and", "created_at": {"conditions": {"$after": ["2021-12-01T00:00:00.000Z"]}}}

# seed 000: "Dynamic - customers with birthday next month" (dotted keys)
BIRTHDAY_FILTER = {
    "junction": "and",
    "birthdate": {"conditions": {"$next_month": [True]}},
    "address.country": {"conditions": {"$is": "Poland"}},
    "metadata.club_level": {"conditions": {"$in": ["Gold", "Silver"]}},
}


def static(name: str, customers: list[str] | None = None) -> dict:
    return {"name": name, "type": "static", "customers": list(STATIC_CUSTOMERS if customers is None else customers)}


def dynamic(name: str, kind: str = "auto-update", filter_: dict | None = None) -> dict:
    return {"name": name, "type": kind, "filter": copy.deepcopy(CREATED_AFTER_FILTER if filter_ is None else filter_)}


def customer_ids(count: int) -> list[str]:
    return [f"cust_conformance{index:08d}" for index in range(count)]
