"""Fixtures for the mock's own tests: real MockServers on loopback, a small client, and the
assertions every test shares (what a Segment, an Error object, an empty answer look like).

Helpers live here and reach tests as fixtures (`api`, `expect`, `start_mock`, `bundled`, `july`,
`bench`), so the tests import nothing from each other whatever pytest's import mode; the two
helper modules (rawhttp.py, the wire; probe_bench.py, the requirement probes) are imported here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import probe_bench
import pytest
import rawhttp
import requests

from conformance import contract
from conformance.contract import Contract
from conformance.mock import MockServer
from conformance.mock.store import SEGMENT_TYPES

JULY_DOCUMENT = Path(__file__).parent.parent / "fixtures" / "segments-2026-07.json"

# seed 000, "Dynamic - customers with birthday next month": dotted keys are part of the contract.
VENDOR_FILTER = {
    "junction": "and",
    "birthdate": {"conditions": {"$next_month": [True]}},
    "address.country": {"conditions": {"$is": "Poland"}},
    "metadata.club_level": {"conditions": {"$in": ["Gold", "Silver"]}},
}
VENDOR_CUSTOMERS = ["cust_iajsExT2QB4sGWzABY85WRqV", "cust_sehkNIi8Uq2qQuRqSr7xn4Zi"]  # seed 000
VENDOR_CREATED_AT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


class SegmentsClient:
    """requests against one mock, with its credentials unless told otherwise."""

    FILTER = VENDOR_FILTER

    def __init__(self, server: MockServer) -> None:
        self.server = server
        self.url = server.url
        self.auth = server.auth_headers
        self.session = requests.Session()

    def wire(self, method: str, target: str, **kwargs) -> rawhttp.WireAnswer:
        """The same request through rawhttp: every header and every byte of the answer."""
        kwargs.setdefault("headers", {})
        kwargs["headers"] = {**self.auth, **kwargs["headers"]}
        return rawhttp.exchange(self.url, method, target, **kwargs)

    def list(self, params=None, **kwargs) -> requests.Response:
        return self.request("GET", "/v1/segments", params=params, **kwargs)

    def request(self, method: str, path: str, *, headers: dict[str, str] | None = None, **kwargs):
        headers = self.auth if headers is None else headers
        return self.session.request(method, self.url + path, headers=headers, timeout=30, **kwargs)

    def create(self, body: Any, **kwargs) -> requests.Response:
        return self.request("POST", "/v1/segments", json=body, **kwargs)

    def create_raw(self, data: bytes, *, headers: dict[str, str] | None = None):
        headers = {**self.auth, "Content-Type": "application/json"} if headers is None else headers
        return self.request("POST", "/v1/segments", data=data, headers=headers)

    def get(self, segment_id: str, **kwargs) -> requests.Response:
        return self.request("GET", f"/v1/segments/{segment_id}", **kwargs)

    def delete(self, segment_id: str, **kwargs) -> requests.Response:
        return self.request("DELETE", f"/v1/segments/{segment_id}", **kwargs)

    def create_static(self, name: str = "Customers in a new Segment", customers=None, **kwargs):
        customers = VENDOR_CUSTOMERS if customers is None else customers
        return self.create({"name": name, "type": "static", "customers": customers}, **kwargs)

    def create_dynamic(
        self, kind: str = "auto-update", name: str = "Dynamic", filter_=None, **kwargs
    ):
        body = {"name": name, "type": kind, "filter": VENDOR_FILTER if filter_ is None else filter_}
        return self.create(body, **kwargs)

    def stored(self) -> int:
        """How many segments the mock holds now (read from its memory: HTTP cannot list them)."""
        return self.server.app.state.mock.store.count(SEGMENT_TYPES)

    def fill_dynamic(self, count: int) -> list[str]:
        """Create `count` auto-update segments, all expected to be accepted; their ids."""
        ids = []
        for index in range(count):
            response = self.create_dynamic(name=f"fill {index}")
            assert response.status_code == 200, (index, response.status_code, response.text)
            ids.append(response.json()["id"])
        return ids


class Expect:
    """Assertions on answers; each returns the decoded body for further checks."""

    @staticmethod
    def json_body(response: requests.Response) -> Any:
        content_type = response.headers.get("Content-Type", "")
        assert content_type.split(";")[0].strip() == "application/json", content_type
        return response.json()

    @classmethod
    def segment(cls, response: requests.Response, status: int = 200) -> dict[str, Any]:
        assert response.status_code == status, (response.status_code, response.text)
        segment = cls.json_body(response)
        assert Contract.bundled().schema_errors(segment, contract.SEGMENT_SCHEMA) == []
        assert segment["object"] == "segment"
        assert VENDOR_CREATED_AT.match(segment["created_at"]), segment["created_at"]
        return segment

    @classmethod
    def segment_any(cls, response: requests.Response, status: int = 200) -> dict[str, Any]:
        """A Segment in any legal form (the variants'): the fields the overlay requires, object
        "segment", an RFC 3339 created_at. Schema validity on every document is the bench's."""
        from conformance import rfc3339

        assert response.status_code == status, (response.status_code, response.text)
        segment = cls.json_body(response)
        assert {"id", "name", "created_at", "type", "filter", "object"} <= set(segment), segment
        assert segment["object"] == "segment"
        assert rfc3339.is_date_time(segment["created_at"]), segment["created_at"]
        return segment

    @classmethod
    def error(
        cls, response: requests.Response, status: int, key: str | None = None
    ) -> dict[str, Any]:
        assert response.status_code == status, (response.status_code, response.text)
        error = cls.json_body(response)
        assert Contract.bundled().schema_errors(error, contract.ERROR_SCHEMA) == []
        assert error["code"] == status
        assert error.get("request_id", "v-").startswith("v-")
        if key is not None:
            assert error["key"] == key, error
        return error

    @staticmethod
    def empty(response: requests.Response, status: int = 204) -> None:
        assert response.status_code == status, (response.status_code, response.text)
        assert response.content == b""


@pytest.fixture(scope="session")
def expect() -> type[Expect]:
    return Expect


@pytest.fixture(scope="session")
def mock_server() -> Iterator[MockServer]:
    """One correct mock for the tests that leave the caps alone."""
    with MockServer() as server:
        yield server


@pytest.fixture
def api(mock_server: MockServer) -> Iterator[SegmentsClient]:
    client = SegmentsClient(mock_server)
    yield client
    client.session.close()


@pytest.fixture(scope="session")
def _started_mocks() -> Iterator[list[MockServer]]:
    # Stopping waits ~0.2 s for uvicorn's tick, so each test only asks its mocks to stop and the
    # waiting happens once, here, for all of them together.
    servers: list[MockServer] = []
    yield servers
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def bundled() -> Contract:
    return Contract.bundled()


@pytest.fixture(scope="session")
def july() -> Contract:
    """The vendor's July 2026 revision (GET /v1/segments), with our overlay."""
    return Contract.load(JULY_DOCUMENT)


@pytest.fixture
def start_mock(_started_mocks: list[MockServer]):
    """start_mock(faults=..., variants=..., contract=...) -> a client to a fresh mock of its own,
    stopped after the test."""
    clients: list[SegmentsClient] = []

    def start(faults=(), variants=(), contract=None, **kwargs) -> SegmentsClient:
        server = MockServer(faults=faults, variants=variants, contract=contract, **kwargs).start()
        _started_mocks.append(server)
        clients.append(SegmentsClient(server))
        return clients[-1]

    yield start
    for client in clients:
        client.session.close()
        client.server.stop(wait=False)


@pytest.fixture
def bench(start_mock):
    """bench(faults=..., variants=..., contract=...) -> the requirements a fresh mock broke, each
    with its evidence (probe_bench.py)."""

    def run(**kwargs) -> dict[str, list[str]]:
        api = start_mock(**kwargs)
        return probe_bench.Bench(api.server).run()

    return run


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "mock_verifies(*ids): catalogue requirement ids a tests/mock test shows the mock meets",
    )
