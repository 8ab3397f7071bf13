"""The request log: one line per request (method, path, status, ms), credentials never."""

from __future__ import annotations

import io
import re
from urllib.parse import quote

import requests

from conformance.mock import MockServer
from conformance.mock.requestlog import MASK, Masker

LINE = re.compile(r"^(?P<method>[A-Z]+) (?P<target>\S+) (?P<status>\d{3}|-) (?P<ms>\d+\.\d)ms$")


def test_mock_server_logs_nothing_unless_asked(capfd):
    with MockServer() as server:
        requests.get(f"{server.url}/v1/segments/x", headers=server.auth_headers, timeout=5)
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def test_one_line_per_request_with_method_path_status_and_time():
    lines: list[str] = []
    with MockServer(log=lines.append) as server:
        session = requests.Session()
        created = session.post(f"{server.url}/v1/segments", json={"name": "logged"}, headers=server.auth_headers,
                               timeout=5).json()
        session.get(f"{server.url}/v1/segments/{created['id']}?x=1", headers=server.auth_headers, timeout=5)
        session.delete(f"{server.url}/v1/segments/{created['id']}", timeout=5)
        session.request("PATCH", f"{server.url}/v1/segments", headers=server.auth_headers, timeout=5)
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), lines
    assert [(m["method"], m["target"], m["status"]) for m in parsed] == [
        ("POST", "/v1/segments", "200"),
        ("GET", f"/v1/segments/{created['id']}?x=1", "200"),
        ("DELETE", f"/v1/segments/{created['id']}", "401"),
        ("PATCH", "/v1/segments", "405"),
    ]
    assert all(float(m["ms"]) < 5000 for m in parsed)


def test_a_stream_gets_whole_lines():
    stream = io.StringIO()
    with MockServer(log=stream) as server:
        requests.get(f"{server.url}/v2/nothing", headers=server.auth_headers, timeout=5)
    assert stream.getvalue().endswith("\n") and stream.getvalue().count("\n") == 1
    assert LINE.match(stream.getvalue().strip())["status"] == "404"


def test_credentials_never_reach_the_log():
    app_id, token = "my-app-id-42", "s3cret/token+x"
    lines: list[str] = []
    with MockServer(app_id=app_id, app_token=token, log=lines.append) as server:
        auth = server.auth_headers
        base = server.url
        requests.get(f"{base}/v1/segments/{app_id}", headers=auth, timeout=5)  # the id in the path
        requests.get(f"{base}/v1/segments/seg_x", params={"X-App-Token": "anything", "x_app_id": "other"},
                     headers=auth, timeout=5)
        requests.get(f"{base}/v1/segments/seg_x", params={"q": token}, headers=auth, timeout=5)  # percent-encoded
        requests.get(f"{base}/v1/segments/a{quote(token, safe='')}b", headers=auth, timeout=5)  # in a path
    text = "\n".join(lines)
    assert app_id not in text and token not in text
    assert "s3cret%2Ftoken%2Bx" not in text and "s3cret" not in text.replace(MASK, "")
    assert "anything" not in text and "other" not in text
    assert lines[0].startswith(f"GET /v1/segments/{MASK} 404")
    assert f"X-App-Token={MASK}" in lines[1] and f"x_app_id={MASK}" in lines[1]
    assert all(LINE.match(line) for line in lines), lines


def test_the_masker_masks_raw_and_encoded_forms_longest_first():
    mask = Masker(["abc", "abcdef", "a b/c", ""])
    assert mask("x-abcdef-abc-") == f"x-{MASK}-{MASK}-"
    assert mask("q=a%20b%2Fc&r=a+b%2Fc") == f"q={MASK}&r={MASK}"
    assert mask("/v1/segments?X-APP-ID=zz&y=1") == f"/v1/segments?X-APP-ID={MASK}&y=1"
    assert mask("nothing here") == "nothing here"


def test_unprintable_bytes_are_escaped_one_line_each():
    lines: list[str] = []
    with MockServer(log=lines.append) as server:
        requests.get(f"{server.url}/v1/segments/a%0Ab", headers=server.auth_headers, timeout=5)
    assert len(lines) == 1 and "\n" not in lines[0]
    assert LINE.match(lines[0])["target"] == "/v1/segments/a%0Ab"
