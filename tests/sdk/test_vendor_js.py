"""The vendor's JavaScript SDK (@voucherify/sdk 2.9.0, in Node) through the same boundary.

Skipped where Node is missing or the package cannot be installed (it installs into the user's
cache directory on first use, from the npm registry).
"""

from pathlib import Path

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
    # The production build (the package's entry point) names the class otherwise; the driver knows it.
    assert error.documented and error.status == 404 and error.cls != "js.VoucherifyError"
    assert error.body is None and error.fields == {"code": 404, "message": "Resource not found"}
    answer_server.answer(204, b"", None)
    assert js_client.delete("seg_x").value is None


def test_the_gate_finds_each_defect_of_the_js_sdk(js_client, run_gate, by_status):
    """With the July revision: its list operation is out of scope, as the JS SDK offers none."""
    completed, summary = run_gate("--client", "voucherify-js", "--spec", str(Path(__file__).parents[1] / "fixtures" / "segments-2026-07.json"))
    assert summary["client"]["name"] == "voucherify-js" and summary["client"]["version"] == "2.9.0"
    assert completed.returncode == 1, summary.get("distinct_findings", [])
    assert by_status(summary, "FAIL") == {"SDK-REDIRECT-CREDENTIALS", "SDK-TIME-BOUND", "SDK-ERROR-ANY-STATUS", "SDK-ID-PATH"}
    assert by_status(summary, "WARN") == {"SDK-UNREADABLE-ANSWER"}
    assert summary["scope"]["out_of_scope"] == [{"id": "SDK-LIST", "reason": "out of scope: voucherify-js 2.9.0 offers no list-segment operation"}]


# --- each finding reproduced with the SDK alone, in Node, against the scripted answer server ---------------

REPRODUCE = """
const {{ createRequire }} = await import("node:module");
const require = createRequire(process.env.SDK_GATE_JS_MODULES + "/package.json");
const sdk = require("@voucherify/sdk");
const client = sdk.VoucherifyServerSide({{ applicationId: "app-id", secretKey: process.env.TOKEN, apiUrl: process.env.URL }});
let out;
try {{ out = {{ value: await {call} }}; }}
catch (error) {{ out = {{ name: error.constructor.name, code: error.code ?? null, message: error.message, exported: "VoucherifyError" in sdk }}; }}
console.log(JSON.stringify(out));
"""


def _node(server, call, *, timeout=20):
    import json
    import os
    import subprocess

    from conformance.sdk.clients.vendor_js import modules_dir

    environment = {**os.environ, "SDK_GATE_JS_MODULES": str(modules_dir()), "URL": server.url, "TOKEN": server.credentials.app_token}
    completed = subprocess.run(["node", "--input-type=module", "-e", REPRODUCE.format(call=call)], capture_output=True,
                               text=True, timeout=timeout, env=environment)
    assert completed.returncode == 0, completed.stderr[-1000:]
    return json.loads(completed.stdout)


@pytest.fixture
def scripted(js_client):
    from conformance.sdk.sequence import SequenceServer

    with SequenceServer() as server:
        yield server


def test_js_credentials_follow_a_redirect_to_another_host(scripted):
    """SDK-REDIRECT-CREDENTIALS. follow-redirects strips only Authorization and Cookie."""
    from conformance.sdk.sequence import Step

    scripted.play({"GET": [Step(307, b"", {"Location": scripted.other_url + "/v1/segments/seg_x"})]})
    _node(scripted, 'client.segments.get("seg_x")')
    assert scripted.at("other")[0].headers["X-App-Token"] == scripted.credentials.app_token


def test_js_waits_forever_on_a_stalled_server(scripted):
    """SDK-TIME-BOUND. axios's default timeout is 0 (none): the call has not ended after 3 s."""
    import subprocess

    from conformance.sdk.sequence import Step

    scripted.play({"GET": [Step(stall=True)]})
    with pytest.raises(subprocess.TimeoutExpired):
        _node(scripted, 'client.segments.get("seg_x")', timeout=3)


def test_js_loses_the_status_of_an_answer_that_is_not_an_error_object(scripted):
    """SDK-ERROR-ANY-STATUS. VoucherifyError.code is the body's code: a gateway's HTML 502 leaves
    the caller no status but inside the message text; and the class is neither exported nor named
    VoucherifyError in the build the package's entry point loads."""
    from conformance.sdk.sequence import Step

    scripted.play({"GET": [Step(502, b"<html>Bad Gateway</html>", {"Content-Type": "text/html"})]})
    error = _node(scripted, 'client.segments.get("seg_x")')
    assert error["code"] is None and "502" in error["message"]
    assert error["exported"] is False and error["name"] != "VoucherifyError"


def test_js_returns_a_portal_page_as_the_created_segment(scripted):
    """SDK-UNREADABLE-ANSWER (SHOULD). A 200 that is not JSON: create resolves with the text."""
    from conformance.sdk.sequence import Step

    page = "<html>Please sign in</html>"
    scripted.play({"POST": [Step(200, page.encode(), {"Content-Type": "application/json"})]})
    assert _node(scripted, 'client.segments.create({ name: "Customers in a new Segment" })') == {"value": page}


@pytest.mark.parametrize("segment_id,reached", [('".."', "/v1/"), ('"."', "/v1/segments/"), ('""', "/v1/segments/"),
                                               ("undefined", "/v1/segments/")])
def test_js_dot_and_empty_ids_reach_another_endpoint(scripted, segment_id, reached):
    """SDK-ID-PATH. encodeURIComponent leaves "." and ".." alone, and axios resolves them; an id
    left undefined (a missing variable) encodes to nothing."""
    from conformance.sdk.sequence import Step

    scripted.play({"GET": [Step.json(200, '{"data": [], "object": "list"}')]})
    result = _node(scripted, f"client.segments.get({segment_id})")
    assert [attempt.path for attempt in scripted.at("primary")] == [reached]
    assert result == {"value": {"data": [], "object": "list"}}  # a list answer, returned as if it were the segment


def test_numbers_compare_as_doubles_where_one_side_is_a_double():
    """JS writes 5.756856703947785e+16 as 57568567039477850: the same double, not a change."""
    assert json_equal(5.756856703947785e16, 57568567039477850)
    assert json_equal({"a": [1.0]}, {"a": [1]})
    assert not json_equal(2**53 + 1, 2**53)  # two integers: exact
    assert not json_equal(True, 1) and not json_equal(None, 0) and not json_equal(0, False)
