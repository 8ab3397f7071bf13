"""Masking: every encoding a credential can take in text, and nothing else."""

import base64
import json

import pytest

from conformance.masking import MASK, Masker

TOKEN = 'tök"en/\\secret 🎁'
APP_ID = "app-id-0123456789"


@pytest.mark.parametrize(
    "form",
    [
        TOKEN,
        json.dumps(TOKEN)[1:-1],  # JSON-escaped
        json.dumps(TOKEN, ensure_ascii=True)[1:-1],  # \\u-escaped, surrogate pair included
        json.dumps(json.dumps(TOKEN)[1:-1])[1:-1],  # escaped twice (a body quoted in JSON again)
        "".join(f"\\u{ord(char):04X}" if ord(char) < 0x10000 else char for char in TOKEN),  # every character \\u-escaped
        "t%C3%B6k%22en%2F%5Csecret+%F0%9F%8E%81",  # percent-encoded, + for space
        "t&#246;k&quot;en/\\secret&#32;&#x1F381;",  # HTML/XML references
        base64.b64encode(TOKEN.encode()).decode(),
        base64.b64encode(f"{APP_ID}:{TOKEN}".encode()).decode(),  # HTTP Basic of id:token
    ],
)
def test_every_encoding_of_a_credential_is_masked(form):
    masked = Masker([APP_ID, TOKEN]).text(f"before {form} after")
    assert masked == f"before {MASK} after", masked


def test_credential_headers_are_masked_and_short_secrets_only_there():
    masker = Masker(["ab", "cd"])
    assert masker.headers({"X-App-Token": "cd", "X-Other": "ab cd", "X-Echo": "cd", "Authorization": "Bearer x"}) == {
        "X-App-Token": MASK, "X-Other": "ab cd", "X-Echo": MASK, "Authorization": MASK}
    # a wrong value the suite chose stays readable (a reproduction sends it again); a real one never
    assert masker.headers({"X-App-Token": "conformance-wrong-app-token"}) == {"X-App-Token": "conformance-wrong-app-token"}
    assert masker.text("a cab and a dcd") == "a cab and a dcd"  # one-letter-ish tokens would mangle every report


def test_json_like_values_are_masked_keys_included():
    masker = Masker([APP_ID, "secret-token"])
    assert masker.value({"a": [f"x {APP_ID}"], APP_ID: 1, "n": 3}) == {"a": [f"x {MASK}"], MASK: 1, "n": 3}


def test_text_without_a_credential_is_left_alone():
    masker = Masker([APP_ID, "secret-token"])
    text = 'curl -X GET "http://127.0.0.1/v1/segments" {"name": "t\\u00f6ken"}'
    assert masker.text(text) == text
