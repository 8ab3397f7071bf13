"""The render-time mask: secret header values never reach a report, whatever shape they arrive in."""

from __future__ import annotations

import pytest

from conformance.masking import mask_curl, mask_headers, mask_text


def test_secret_headers_are_masked_whatever_their_case_and_others_are_kept():
    headers = {"X-App-Token": "t0k", "x-app-id": "id1", "AUTHORIZATION": "Bearer b", "Cookie": "s=1",
               "Set-Cookie": "s=2; HttpOnly", "Proxy-Authorization": "Basic p", "Content-Type": "application/json"}
    assert mask_headers(headers) == {"X-App-Token": "***", "x-app-id": "***", "AUTHORIZATION": "***", "Cookie": "***",
                                     "Set-Cookie": "***", "Proxy-Authorization": "***",
                                     "Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Authorization: Bearer abc.def\nnext line", "Authorization: ***\nnext line"),
        ('{"X-App-Token": "s3cret", "name": "x"}', '{"X-App-Token": "***", "name": "x"}'),
        ("x-app-id=abc", "x-app-id=***"),
        ("see http://user:pa55@127.0.0.1:4010/v1/segments", "see http://***@127.0.0.1:4010/v1/segments"),
        ("X-App-Token: ***", "X-App-Token: ***"),  # already masked stays as it is
        ("authentication happens first; a cookie is not used", "authentication happens first; a cookie is not used"),
    ],
)
def test_secrets_inside_free_text_are_masked(text, expected):
    assert mask_text(text) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "curl -X POST 'http://127.0.0.1:4010/v1/segments' -H 'X-App-Id: app' -H 'X-App-Token: tok' "
            "-H 'Content-Type: application/json' -d '{\"name\": \"x\"}'",
            "curl -X POST 'http://127.0.0.1:4010/v1/segments' -H 'X-App-Id: ***' -H 'X-App-Token: ***' "
            "-H 'Content-Type: application/json' -d '{\"name\": \"x\"}'",
        ),
        ('curl -H "Authorization: Bearer a b" http://127.0.0.1/', 'curl -H "Authorization: ***" http://127.0.0.1/'),
        ("curl -u admin:pw --cookie=sess=1 -d '{}' http://127.0.0.1/",
         "curl -u '***' --cookie='***' -d '{}' http://127.0.0.1/"),
        ("curl --user 'admin:p w' http://127.0.0.1/", "curl --user '***' http://127.0.0.1/"),
    ],
)
def test_curl_lines_lose_header_values_and_credential_options(line, expected):
    assert mask_curl(line) == expected
