"""The vendor's JavaScript SDK (@voucherify/sdk 2.9.0, in Node) through the same boundary.

Skipped where Node is missing or the package cannot be installed (it installs into the user's
cache directory on first use, from the npm registry).
"""

import pytest

from conformance.sdk.values import json_equal


@pytest.fixture(scope="module")
def js_client():
    from conformance.sdk.clients.vendor_js import JsUnavailable, VoucherifyJsAdapter

    try:
        client = VoucherifyJsAdapter()
    except JsUnavailable as error:
        pytest.skip(str(error))
    yield client
    client.close()


def test_the_js_driver_speaks_the_boundary(js_client, answer_server):
    assert js_client.version == "2.9.0" and js_client.ways == ("plain_object",)
    sent = js_client.serialize_create({"name": "Zażółć", "type": "passive"}, "plain_object")
    assert sent.ok and sent.value["path"] == "/v1/segments" and sent.value["body"] == '{"name":"Zażółć","type":"passive"}'
    js_client.configure(answer_server.url, answer_server.credentials.app_id, answer_server.credentials.app_token)
    answer_server.answer(404, '{"code": 404, "message": "Resource not found", "extra": 1}')
    error = js_client.get("seg_x").error
    assert (error.cls, error.documented, error.status) == ("js.VoucherifyError", True, 404)
    assert json_equal(__import__("json").loads(error.body), {"code": 404, "message": "Resource not found", "extra": 1})
    answer_server.answer(204, b"", None)
    assert js_client.delete("seg_x").value is None


def test_the_js_sdk_passes_the_gate(js_client, run_gate, by_status):
    completed, summary = run_gate("--client", "voucherify-js")
    assert summary["client"]["name"] == "voucherify-js" and summary["client"]["version"] == "2.9.0"
    assert completed.returncode == 0, summary.get("distinct_findings", [])
    assert by_status(summary, "PASS") == {requirement["id"] for requirement in summary["requirements"]}


def test_numbers_compare_as_doubles_where_one_side_is_a_double():
    """JS writes 5.756856703947785e+16 as 57568567039477850: the same double, not a change."""
    assert json_equal(5.756856703947785e16, 57568567039477850)
    assert json_equal({"a": [1.0]}, {"a": [1]})
    assert not json_equal(2**53 + 1, 2**53)  # two integers: exact
    assert not json_equal(True, 1) and not json_equal(None, 0) and not json_equal(0, False)
