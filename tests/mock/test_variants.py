"""Each legal variant answers what its description says, on the wire; and the registry is sound.

That no variant raises a finding is test_bench.py's proof; here, that each one really is the
variant it claims to be (a variant that changed nothing would pass the bench too).
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections.abc import Callable

import pytest

from conformance import rfc3339
from conformance.contract import Contract
from conformance.mock import VARIANTS, MockServer, UnknownVariant
from conformance.mock.variants import ActiveVariants

UNKNOWN_ID = "seg_unknownunknownunknown0"
CHECKS: dict[str, Callable] = {}


def variant(name: str, document: str = "bundled"):
    def register(function):
        assert name not in CHECKS, name
        function.document = document
        CHECKS[name] = function
        return function

    return register


# --- the registry -------------------------------------------------------------------------------


def test_every_variant_has_a_check_and_every_check_a_variant():
    assert set(CHECKS) == set(VARIANTS)


def test_variants_are_named_described_and_justified():
    for name, item in VARIANTS.items():
        assert item.name == name and name == name.lower() and " " not in name
        assert item.description and "\n" not in item.description
        assert item.legal_because and "\n" not in item.legal_because
        assert re.search(r"RFC \d+|seed|document|schema|overlay|catalogue|revision", item.legal_because), name


def test_an_unknown_variant_is_refused():
    with pytest.raises(UnknownVariant, match="no-such-variant"):
        MockServer(variants=["no-such-variant"])
    with pytest.raises(UnknownVariant, match="chunkd"):
        "chunkd" in ActiveVariants(["chunked"])  # noqa: B015 - the question itself must raise


def test_variant_names_never_clash_with_fault_names():
    from conformance.mock import FAULTS

    assert set(VARIANTS).isdisjoint(FAULTS)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_answers_what_it_says(name, start_mock, expect, july):
    check = CHECKS[name]
    contract = july if check.document == "july" else None
    if name == "updated-at-null":
        contract = _nullable_updated_at(july)
    check(start_mock(variants=[name], contract=contract), expect)


def _nullable_updated_at(july: Contract) -> Contract:
    document = json.loads(json.dumps(july.vendor))
    document["components"]["schemas"]["Segment"]["properties"]["updated_at"]["nullable"] = True
    return Contract(json.dumps(document).encode(), source="july+nullable-updated_at")


def _created_at(api, expect) -> str:
    created = expect.segment_any(api.create_static())
    assert expect.segment_any(api.get(created["id"]))["created_at"] == created["created_at"]
    assert rfc3339.is_date_time(created["created_at"])
    return created["created_at"]


# --- created_at ---------------------------------------------------------------------------------


@variant("created-at-leap-second", "july")
def _(api, expect):
    first = expect.segment_any(api.create_static(name="first"))
    assert first["created_at"] == "2016-12-31T23:59:60.000Z"
    assert expect.segment_any(api.get(first["id"]))["created_at"] == first["created_at"]
    second = expect.segment_any(api.create_static(name="second"))
    assert second["created_at"] != first["created_at"]
    oldest_first = api.list({"order": "created_at"}).json()["data"]
    assert [item["id"] for item in oldest_first] == [first["id"], second["id"]]
    listed = api.list({"filters[created_at][conditions][$before]": "2017-01-01T00:00:00Z"}).json()["data"]
    assert [item["id"] for item in listed] == [first["id"]]
    after = api.list({"filters[created_at][conditions][$after]": "2016-12-31T23:59:59.999Z"}).json()["data"]
    assert first["id"] in [item["id"] for item in after]


@variant("created-at-utc-offset")
def _(api, expect):
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", _created_at(api, expect))


@variant("created-at-negative-offset")
def _(api, expect):
    stamp = _created_at(api, expect)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}-05:30", stamp)
    from datetime import UTC, datetime

    assert abs((datetime.fromisoformat(stamp) - datetime.now(UTC)).total_seconds()) < 5


@variant("created-at-no-fraction", "july")
def _(api, expect):
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", _created_at(api, expect))
    ids = [expect.segment_any(api.create_static(name=f"tie {index}"))["id"] for index in range(4)]
    listed = api.list({"ids": ids, "order": "created_at"}).json()["data"]
    stamps = [item["created_at"] for item in listed]
    assert stamps == sorted(stamps)
    same_second = [item["id"] for item in listed if item["created_at"] == stamps[0]]
    assert same_second == sorted(same_second)  # ties by id, whatever the creation order


@variant("created-at-microseconds")
def _(api, expect):
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", _created_at(api, expect))


@variant("created-at-kept-finer", "july")
def _(api, expect):
    """A segment is after $after=its own created_at when its instant has microseconds the
    milliseconds shown leave out (all of three having none: one chance in a billion)."""
    made = [expect.segment_any(api.create_static(name=f"finer {index}")) for index in range(3)]
    kept = [segment for segment in made
            if segment["id"] in {item["id"] for item in api.list({"filters[created_at][conditions][$after]": segment["created_at"],
                                                                   "limit": 100}).json()["data"]}]
    assert kept and all(re.fullmatch(r".*\.\d{3}Z", segment["created_at"]) for segment in made)


@variant("created-at-lowercase")
def _(api, expect):
    assert re.fullmatch(r"\d{4}-\d\d-\d\dt\d\d:\d\d:\d\d\.\d{3}z", _created_at(api, expect))


# --- the Segment and the Error object -------------------------------------------------------------


@variant("segment-extra-fields", "july")
def _(api, expect):
    created = expect.segment_any(api.create_static(customers=["a", "b", "c"]))
    assert (created["metadata"], created["customers_count"]) == ({}, 3)
    assert expect.segment_any(api.get(created["id"]))["customers_count"] == 3
    assert api.list().json()["data"][0]["metadata"] == {}


@variant("segment-fields-reordered", "july")
def _(api, expect):
    created = expect.segment_any(api.create_static())
    assert list(created)[0] == "object" and list(created)[-1] == "id"
    assert list(api.get(created["id"]).json())[0] == "object"
    assert list(api.list().json()["data"][0])[-1] == "id"
    assert list(api.list().json()) == ["object", "data_ref", "data", "total"]  # the list itself as is


@variant("filter-keys-reordered")
def _(api, expect):
    created = expect.segment_any(api.create_dynamic("auto-update"))
    assert created["filter"] == api.FILTER  # the same object
    assert list(created["filter"]) == list(api.FILTER)[::-1]
    assert list(api.get(created["id"]).json()["filter"])[-1] == "junction"


@variant("updated-at")
def _(api, expect):
    created = expect.segment_any(api.create_static())
    assert created["updated_at"] == created["created_at"]
    assert api.get(created["id"]).json()["updated_at"] == created["created_at"]


@variant("updated-at-null", "july")
def _(api, expect):
    created = expect.segment_any(api.create_static())
    assert "updated_at" in created and created["updated_at"] is None
    assert api.list().json()["data"][0]["updated_at"] is None


@variant("no-sync-status")
def _(api, expect):
    assert "initial_sync_status" not in expect.segment_any(api.create_static())
    assert "initial_sync_status" not in expect.segment_any(api.create_dynamic("passive"))


@variant("dynamic-sync-done")
def _(api, expect):
    assert expect.segment_any(api.create_dynamic("auto-update"))["initial_sync_status"] == "DONE"
    assert expect.segment_any(api.create_static())["initial_sync_status"] == "DONE"


@variant("long-ids")
def _(api, expect):
    ids = [expect.segment_any(api.create_static(name=f"s{index}"))["id"] for index in range(20)]
    for segment_id in ids:
        assert re.fullmatch(r"seg_[A-Za-z0-9_-]{40}", segment_id) and "-" in segment_id and "_" in segment_id
        assert expect.segment_any(api.get(segment_id))["id"] == segment_id
    expect.empty(api.delete(ids[0]))


@variant("error-minimal")
def _(api, expect):
    for response, status in ((api.get(UNKNOWN_ID), 404), (api.create({"name": 1}), 400),
                             (api.create_static(headers={}), 401), (api.request("PUT", "/v1/segments/x"), 405)):
        assert response.status_code == status
        assert response.json() == {"code": status, "message": response.json()["message"]}


@variant("not-found-minimal")
def _(api, expect):
    error = api.get(UNKNOWN_ID).json()
    assert error["code"] == 404 and error["key"] == "not_found"
    assert "resource_id" not in error and "resource_type" not in error


@variant("error-nested-error")
def _(api, expect):
    error = api.create({"name": 1}).json()
    assert error["error"] == {"message": error["details"]}


# --- the wire -------------------------------------------------------------------------------------


@variant("json-without-charset")
def _(api, expect):
    assert api.create_static().headers["Content-Type"] == "application/json"
    assert api.get(UNKNOWN_ID).headers["Content-Type"] == "application/json"


@variant("json-charset-uppercase")
def _(api, expect):
    assert api.create_static().headers["Content-Type"] == "application/json;charset=UTF-8"


@variant("pretty-json")
def _(api, expect):
    wire = api.wire("POST", "/v1/segments", json_body={"name": "Łódź 🎉", "type": "static"})
    assert wire.status == 200
    assert wire.body.startswith(b"{\n  \"id\": ") and wire.body.endswith(b"}\n")
    assert b"\\u0141\\u00f3d\\u017a \\ud83c\\udf89" in wire.body
    assert wire.body.isascii()
    assert json.loads(wire.body)["name"] == "Łódź 🎉"


@variant("chunked")
def _(api, expect):
    created = api.wire("POST", "/v1/segments", json_body={"name": "chunked"})
    assert created.status == 200
    assert created.header("Transfer-Encoding") == "chunked" and created.header("Content-Length") is None
    assert len(re.findall(rb"\r\n[0-9a-f]+\r\n", b"\r\n" + created.after_headers)) >= 2  # two chunks and the last
    got = api.wire("GET", f"/v1/segments/{created.json['id']}")
    assert got.header("Transfer-Encoding") == "chunked" and got.json["id"] == created.json["id"]
    missing = api.wire("GET", f"/v1/segments/{UNKNOWN_ID}")
    assert missing.header("Content-Length") is not None  # only the 200s


@variant("gzip")
def _(api, expect):
    created = api.wire("POST", "/v1/segments", json_body={"name": "zipped"})
    assert created.header("Content-Encoding") == "gzip" and created.header("Vary") == "Accept-Encoding"
    assert json.loads(gzip.decompress(created.framed_body))["name"] == "zipped"
    assert created.header("Content-Length") == str(len(created.framed_body))
    plain = api.wire("POST", "/v1/segments", json_body={"name": "plain"}, accept_gzip=False)
    assert plain.header("Content-Encoding") is None and plain.json["name"] == "plain"
    refused = api.wire("POST", "/v1/segments", json_body={"name": "q0"}, accept_gzip=False,
                       headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert refused.header("Content-Encoding") is None
    assert expect.segment_any(api.create_static())["name"]  # requests asks for gzip and decodes it
    deleted = api.wire("DELETE", f"/v1/segments/{created.json['id']}")
    assert deleted.status == 204 and deleted.header("Content-Encoding") is None and deleted.after_headers == b""


@variant("account-with-history", "july")
def _(api, expect):
    listed = api.list({"order": "created_at"}).json()
    assert [item["created_at"][:4] for item in listed["data"]] == ["2022", "2024", "2025"] and listed["total"] == 3
    assert all(expect.segment_any(api.get(item["id"]))["name"].startswith("someone else's") for item in listed["data"])


@variant("connection-close")
def _(api, expect):
    for response in (api.create_static(), api.get(UNKNOWN_ID), api.create_static(headers={})):
        assert response.headers["Connection"] == "close"
    import http.client
    from urllib.parse import urlsplit

    address = urlsplit(api.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=5)
    connection.request("GET", f"/v1/segments/{UNKNOWN_ID}", headers=api.auth)
    response = connection.getresponse()
    response.read()
    assert response.will_close  # the server closes: a client must open another connection
    connection.close()


@variant("extra-headers")
def _(api, expect):
    first, second = api.create_static(), api.get(UNKNOWN_ID)
    assert first.headers["Cache-Control"] == "no-store" and first.headers["X-Request-Id"].startswith("v-")
    assert int(first.headers["X-Rate-Limit-Remaining"]) > int(second.headers["X-Rate-Limit-Remaining"]) > 0
    assert first.headers["X-Rate-Limit-Limit"] == "100000"


@variant("no-content-with-content-type")
def _(api, expect):
    segment_id = expect.segment_any(api.create_static())["id"]
    wire = api.wire("DELETE", f"/v1/segments/{segment_id}")
    assert (wire.status, wire.header("Content-Type"), wire.after_headers) == (204, "application/json", b"")
    assert wire.header("Content-Length") is None


@variant("delete-content-length-zero")
def _(api, expect):
    segment_id = expect.segment_any(api.create_static())["id"]
    wire = api.wire("DELETE", f"/v1/segments/{segment_id}")
    assert (wire.status, wire.header("Content-Length"), wire.after_headers) == (204, "0", b"")


@variant("www-authenticate")
def _(api, expect):
    for response in (api.create_static(headers={}), api.get(UNKNOWN_ID, headers={"X-App-Id": "x", "X-App-Token": "y"})):
        expect.error(response, 401)
        assert response.headers["WWW-Authenticate"] == 'ApiKey realm="segments", header="X-App-Token"'
    assert "WWW-Authenticate" not in api.get(UNKNOWN_ID).headers


@variant("allow-head-options", "july")
def _(api, expect):
    segment_id = expect.segment_any(api.create_static())["id"]
    put = api.request("PUT", f"/v1/segments/{segment_id}")
    assert put.status_code == 405 and put.headers["Allow"] == "GET, HEAD, DELETE, OPTIONS"
    assert api.request("PATCH", "/v1/segments").headers["Allow"] == "GET, HEAD, POST, OPTIONS"
    head = api.request("HEAD", f"/v1/segments/{segment_id}")
    assert head.status_code == 200 and head.content == b"" and head.headers["Content-Type"].startswith("application/json")
    assert api.request("HEAD", "/v1/segments").status_code == 200
    options = api.request("OPTIONS", f"/v1/segments/{segment_id}")
    assert (options.status_code, options.headers["Allow"], options.content) == (204, "GET, HEAD, DELETE, OPTIONS", b"")
    assert api.request("OPTIONS", f"/v1/segments/{segment_id}", headers={}).status_code == 401


@variant("rate-limited-first", "july")
def _(api, expect):
    limited = api.create_static()
    expect.error(limited, 429, key="too_many_requests")
    assert limited.headers["Retry-After"] == "1"
    assert api.stored() == 0  # nothing was processed
    created = expect.segment_any(api.create_static())  # the retry is served
    expect.error(api.get(created["id"]), 429)
    expect.segment_any(api.get(created["id"]))
    expect.error(api.delete(created["id"]), 429)
    expect.empty(api.delete(created["id"]))
    expect.error(api.list(), 429)  # the overlay documents 429 on the list too
    assert api.list().status_code == 200
    expect.error(api.create_static(headers={}), 401)  # credentials first, the limit is per app
    for _ in range(3):
        assert api.create_static().status_code == 200


def test_the_rate_limited_first_variant_is_honoured_by_a_patient_client(start_mock):
    """A client that waits Retry-After and retries gets the real answer about a second later."""
    api = start_mock(variants=["rate-limited-first"])
    started = time.monotonic()
    response = api.create_static()
    while response.status_code == 429:
        time.sleep(int(response.headers["Retry-After"]))
        response = api.create_static()
    assert response.status_code == 200 and 1 <= time.monotonic() - started < 3
