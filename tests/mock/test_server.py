"""MockServer: a real HTTP/1.1 server on loopback, with keep-alive, one state per server."""

from __future__ import annotations

import http.client
import json
import socket
from urllib.parse import urlsplit

import pytest
import requests

from conformance.mock import ListenError, MockServer


def test_serves_on_a_free_loopback_port_until_stopped():
    server = MockServer().start()
    address = urlsplit(server.url)
    assert (address.scheme, address.hostname) == ("http", "127.0.0.1")
    assert address.port > 0
    assert (
        requests.get(
            server.url + "/v1/segments/x", headers=server.auth_headers, timeout=5
        ).status_code
        == 404
    )
    server.stop()
    with pytest.raises(OSError):
        socket.create_connection((address.hostname, address.port), timeout=1).close()


def test_keeps_the_connection_alive_across_requests(mock_server):
    address = urlsplit(mock_server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=5)
    try:
        headers = {**mock_server.auth_headers, "Content-Type": "application/json"}
        connection.request("POST", "/v1/segments", body=b'{"name": "kept alive"}', headers=headers)
        first = connection.getresponse()
        segment_id = json.loads(first.read())["id"]
        sock = connection.sock
        for method in ("GET", "DELETE", "GET"):
            connection.request(
                method, f"/v1/segments/{segment_id}", headers=mock_server.auth_headers
            )
            response = connection.getresponse()
            response.read()
            assert response.version == 11
            assert not response.will_close
        assert connection.sock is sock  # the same TCP connection served all four
        assert response.status == 404
    finally:
        connection.close()


def test_each_server_has_its_own_state(mock_server):
    with MockServer() as other:
        created = requests.post(
            other.url + "/v1/segments",
            json={"name": "only here"},
            headers=other.auth_headers,
            timeout=5,
        ).json()
        assert requests.get(
            f"{other.url}/v1/segments/{created['id']}", headers=other.auth_headers, timeout=5
        ).ok
        elsewhere = requests.get(
            f"{mock_server.url}/v1/segments/{created['id']}",
            headers=mock_server.auth_headers,
            timeout=5,
        )
        assert elsewhere.status_code == 404


def test_accepts_only_its_own_credentials():
    with MockServer(app_id="my-app", app_token="s3cret") as server:
        assert server.auth_headers == {"X-App-Id": "my-app", "X-App-Token": "s3cret"}
        url = server.url + "/v1/segments"
        assert (
            requests.post(
                url, json={"name": "x"}, headers=server.auth_headers, timeout=5
            ).status_code
            == 200
        )
        default = {"X-App-Id": "test-app-id", "X-App-Token": "test-app-token"}
        assert requests.post(url, json={"name": "x"}, headers=default, timeout=5).status_code == 401


def test_a_busy_port_is_a_one_line_listen_error():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(ListenError) as raised:
            MockServer(port=port).start()
    message = str(raised.value)
    assert message.startswith(f"cannot listen on 127.0.0.1:{port}: ")
    assert "\n" not in message
