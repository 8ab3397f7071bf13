"""How to reproduce a finding: a bash script of curl commands, and the `conformance run` command
that reruns only the finding's test.

Both are computed from summary.json alone. Credential header values are masked in the evidence
(`***`), so the script sends `$VOUCHERIFY_APP_ID` and `$VOUCHERIFY_APP_TOKEN` in their place; an id
that a create answered earlier in the sequence is read from that answer and used where the run used
it, so the script works against a fresh server; the base URL is `$BASE_URL`, defaulting to the
run's target, or, for a run against the embedded mock (whose port is gone), to a mock the reader
starts the same way (`conformance mock --port 4010 --fault ...`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from conformance.masking import SECRET_HEADERS, WRONG_ON_PURPOSE, mask_text
from conformance.safetext import printable

MOCK_PORT = 4010
MOCK_URL = f"http://127.0.0.1:{MOCK_PORT}"
MOCK_CREDENTIALS = ("test-app-id", "test-app-token")  # `conformance mock`'s defaults, shown by its --help
CREDENTIAL_VARIABLES = {"x-app-id": "VOUCHERIFY_APP_ID", "x-app-token": "VOUCHERIFY_APP_TOKEN"}
OTHER_SECRET_HEADERS = SECRET_HEADERS - CREDENTIAL_VARIABLES.keys()  # masked in the evidence; not this API's
# Sent by the HTTP client on its own; curl sends its own equivalents (Content-Length from the body).
CLIENT_HEADERS = frozenset({"user-agent", "accept-encoding", "connection", "content-length", "host"})
TRUNCATED = re.compile(r"… \[\d+ more characters\]$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # what a terminal or an argument would lose
DEFAULT_DEPTH = "quick"

# Options of `conformance run` that do not belong in a command rerunning one test: where the reports
# go, the selection and the budget (the command selects one test itself), progress output, workers.
NOT_RERUN = frozenset({"--report-dir", "-k", "-m", "--quiet", "-q", "-n", "--max-requests", "--max-time", "--seed",
                       "--profile", "--fault", "--variant", "--base-url", "--spec", "--strict", "--depth"})
FLAG_ORDER = ("--cluster", "--include-heavy", "--insecure", "--max-examples")
RERUN_REPORT_DIR = "reports/rerun"

# The script's helpers: each request goes through `send`, each created segment's id through `capture`.
HELPERS = r"""CREATED=()
# send LABEL STATUS-THE-RUN-GOT CURL-ARGUMENTS...: one request; prints the answer, keeps it in STATUS and BODY
send() { local out; out=$(curl -sS -w '\n%{http_code}' "${@:3}"); STATUS=${out##*$'\n'}; BODY=${out%$'\n'*}
  printf '%s -> HTTP %s (the run got %s)\n%s\n\n' "$1" "$STATUS" "$2" "$BODY"; }
# capture NAME: the segment id in the last answer, into $NAME; the segment is deleted when the script ends
capture() { local id; id=$(printf '%s' "$BODY" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])') \
  || { echo 'no segment id in the answer above; stopping' >&2; exit 1; }; printf -v "$1" '%s' "$id"; CREATED+=("$id"); }
cleanup() { local id; for id in "${CREATED[@]+"${CREATED[@]}"}"; do curl -sS -o /dev/null -X DELETE \
  "$BASE_URL/v1/segments/$id" -H "X-App-Id: $VOUCHERIFY_APP_ID" -H "X-App-Token: $VOUCHERIFY_APP_TOKEN" || true; done; }
trap cleanup EXIT"""


# --- the curl script ------------------------------------------------------------------------------

def curl_script(summary: Mapping[str, Any], finding: Mapping[str, Any]) -> str | None:
    """A bash script that replays the finding's sequence of exchanges with curl, or None when the
    summary holds none of them (or the run was not against an HTTP API: the SDK gate)."""
    if summary.get("command", "api") != "api":
        return None
    exchanges = [summary["exchanges"][str(n)] for n in finding["sequence_of_exchanges"]
                 if str(n) in summary["exchanges"]]
    if not exchanges:
        return None
    target = summary["target"]
    embedded = target["embedded_mock"]
    base_url = mask_text(target["base_url"])
    default_url = MOCK_URL if embedded else base_url
    total = len(exchanges)
    first, last = exchanges[0]["sequence"], exchanges[-1]["sequence"]
    span = f"#{first}" if first == last else f"#{first}-#{last}"
    lines = [
        "#!/usr/bin/env bash",
        _comment(f"Reproduces {finding['requirement']}: {mask_text(finding['message'])}"),
        _comment(f"Test {mask_text(finding['test'])}: the run's exchanges {span}, replayed in order "
                 f"({total} request{'s' if total != 1 else ''})."),
    ]
    if embedded:
        lines += [
            "# The run's target was the embedded mock; its port is gone. Start the same mock first:",
            "#   " + printable(mock_command(summary)),  # one line: mock_command quotes each word
            f"# (it accepts X-App-Id {MOCK_CREDENTIALS[0]} and X-App-Token {MOCK_CREDENTIALS[1]} "
            "unless started with --app-id/--app-token)",
        ]
    lines += [
        "# The run's credentials, masked in the evidence, are sent as $VOUCHERIFY_APP_ID and $VOUCHERIFY_APP_TOKEN;"
        " a wrong value the suite sent on purpose is sent again as it was.",
        "set -euo pipefail",
        f"BASE_URL=${{BASE_URL:-{shell_word(default_url)}}}",
    ]
    if embedded:
        lines += [f': "${{VOUCHERIFY_APP_ID:={MOCK_CREDENTIALS[0]}}}" "${{VOUCHERIFY_APP_TOKEN:={MOCK_CREDENTIALS[1]}}}"']
    else:
        lines += [': "${VOUCHERIFY_APP_ID:?export VOUCHERIFY_APP_ID (the X-App-Id to send)}"',
                  ': "${VOUCHERIFY_APP_TOKEN:?export VOUCHERIFY_APP_TOKEN (the X-App-Token to send)}"']
    lines += [
        *HELPERS.splitlines(),
    ]
    captured: dict[str, str] = {}  # segment id -> shell variable holding the id the server answers now
    for index, exchange in enumerate(exchanges, start=1):
        request, response = _masked_request(exchange["request"]), exchange["response"]
        label_path = _substitute_plain(_path_of(request["url"], base_url), captured)
        label = f"#{exchange['sequence']} {request['method']} {label_path}"
        raw_label = f"#{exchange['sequence']} {request['method']} {_path_of(request['url'], base_url)}"
        note = ""
        if exchange["sequence"] == finding["sequence"]:
            note = f": {finding['severity']} {finding['requirement']} here"
        lines += ["", _comment(f"{index}/{total} {label}: the run got {response['status']}{note}")]
        lines += _request_notes(request)
        arguments = ["-X", shell_word(request["method"]), _word(_url_template(request["url"], base_url), captured)]
        for name, value in request["headers"].items():
            lowered = name.lower()
            if lowered in CLIENT_HEADERS:
                continue
            if lowered in CREDENTIAL_VARIABLES and value.startswith(WRONG_ON_PURPOSE):  # wrong on purpose: again
                arguments += ["-H", _word(f"{name}: {value}", captured)]
            elif lowered in CREDENTIAL_VARIABLES:  # the run's credential (masked in the evidence); the
                # name is one of two known names in some letter case, so it needs no quoting of its own
                arguments += ["-H", f'"{name}: ${CREDENTIAL_VARIABLES[lowered]}"']
            elif lowered in OTHER_SECRET_HEADERS:
                continue  # said in _request_notes
            else:
                arguments += ["-H", _word(f"{name}: {value}", captured)]
        names = {name.lower() for name in request["headers"]}
        if "accept" not in names:
            arguments += ["-H", "'Accept:'"]  # curl would add Accept: */* of its own
        if request["body"] is not None:
            if "content-type" not in names:
                arguments += ["-H", "'Content-Type:'"]  # curl would declare a form
            body = TRUNCATED.sub("", request["body"])
            if CONTROL.search(body):  # a NUL cannot travel in an argument: printf writes the bytes
                arguments += ["--data-binary", "@<(printf '%b' " + _word(_printf_escaped(body), captured) + ")"]
            else:
                arguments += ["--data-raw", _word(body, captured)]
        lines.append(f"send {_word(raw_label, captured)} {response['status']} " + " ".join(arguments))
        new_id = _created_id(request, response)
        if new_id is not None and new_id not in captured:
            variable = f"SEGMENT_{len(captured) + 1}"
            captured[new_id] = variable
            lines.append(f"capture {variable}")
    lines += ["", _comment(f"The run's finding ({finding['severity']} {finding['requirement']}): {mask_text(finding['message'])}"),
              'echo "The last answer now: HTTP $STATUS (the run got ' + str(exchanges[-1]["response"]["status"]) + ')"']
    return "\n".join(lines) + "\n"


def _masked_request(request: Mapping[str, Any]) -> dict[str, Any]:
    """The request with every literal the script will carry masked again (the summary's writer
    masked them already; this is the second lock). Credential headers become variables anyway."""
    return {
        "method": request["method"],
        "url": mask_text(request["url"]),
        "headers": {name: value if name.lower() in CREDENTIAL_VARIABLES else mask_text(value)
                    for name, value in request["headers"].items()},
        "body": None if request["body"] is None else mask_text(request["body"]),
    }


def mock_command(summary: Mapping[str, Any]) -> str:
    """How to start the mock the run used, on a port that stays."""
    target = summary["target"]
    parts = ["conformance", "mock", "--port", str(MOCK_PORT)]
    for fault in target.get("faults", []):
        parts += ["--fault", fault]
    for variant in target.get("variants", []):
        parts += ["--variant", variant]
    return " ".join(shell_word(part) for part in parts)


def _request_notes(request: Mapping[str, Any]) -> list[str]:
    notes = []
    left_out = [name for name in request["headers"] if name.lower() in OTHER_SECRET_HEADERS]
    if left_out:
        notes.append(_comment(f"The run also sent {', '.join(left_out)} (masked in the evidence; left out here)."))
    if request["body"] is not None and TRUNCATED.search(request["body"]):
        notes.append("# The body was cut in the summary; this sends its start only (run.har next to the summary "
                     "holds all of it).")
    if "***" in request["url"] or "***" in (request["body"] or ""):
        notes.append("# *** marks a credential masked in the evidence: put the real value back.")
    return notes


def _created_id(request: Mapping[str, Any], response: Mapping[str, Any]) -> str | None:
    """The id of the segment a successful create answered, if this exchange is one."""
    if request["method"] != "POST" or not 200 <= response["status"] < 300 or not response["body"]:
        return None
    try:
        answer = json.loads(response["body"])
    except ValueError:
        return None
    segment_id = answer.get("id") if isinstance(answer, dict) else None
    return segment_id if isinstance(segment_id, str) and len(segment_id) >= 4 else None


def _path_of(url: str, base_url: str) -> str:
    if url.startswith(base_url):
        return url[len(base_url):] or "/"
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _url_template(url: str, base_url: str) -> str:
    """The URL with the target's base replaced by a marker that becomes "$BASE_URL"."""
    return "\0BASE_URL\0" + url[len(base_url):] if url.startswith(base_url) else url


def _word(text: str, captured: Mapping[str, str]) -> str:
    """`text` as one shell word: literal parts single-quoted, captured ids and the base URL as
    double-quoted variables."""
    variables = {"\0BASE_URL\0": "BASE_URL", **captured}
    pattern = re.compile("|".join(re.escape(key) for key in sorted(variables, key=len, reverse=True)))
    out, position = [], 0
    for match in pattern.finditer(text):
        if match.start() > position:
            out.append(shell_word(text[position:match.start()]))
        out.append(f'"${{{variables[match.group(0)]}}}"')
        position = match.end()
    if position < len(text) or not out:
        out.append(shell_word(text[position:]))
    return "".join(out)


def _printf_escaped(text: str) -> str:
    """`text` for printf's %b: backslashes doubled, control characters as \\xHH."""
    text = text.replace("\\", "\\\\")
    return CONTROL.sub(lambda match: f"\\x{ord(match.group(0)):02x}", text)


def _substitute_plain(text: str, captured: Mapping[str, str]) -> str:
    for segment_id, variable in captured.items():
        text = text.replace(segment_id, "$" + variable)
    return text


def _comment(text: str) -> str:
    """One comment line, whatever `text` holds: a newline in a fault name or a message would end
    the comment, and the next line would run when the script is pasted."""
    return "# " + printable(" ".join(text.split()))


# --- THE shell quoting --------------------------------------------------------------------------

_PLAIN_WORD = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")  # shlex's safe set: needs no quotes
_ANY_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ANSI_C = {"\\": "\\\\", "'": "\\'", "!": "\\x21",
           **{chr(code): f"\\x{code:02x}" for code in [*range(0x20), 0x7F]}}


def shell_word(text: str) -> str:
    """`text` as one bash word that reads back as exactly `text`, whatever it holds: every value a
    generated script carries goes through here (tests/hostile/test_scripts.py runs bash on
    arbitrary text). Plain words stay bare; others are single-quoted; text with a control character
    (a newline included, so a pasted script never continues a quote onto the next line) becomes
    ANSI-C quoting, $'...', with each control character as \\xHH. A NUL cannot be in a bash word
    (bash would end the word there): it is dropped, and the body of a request, which can hold one,
    travels through printf instead (_printf_escaped)."""
    text = text.replace("\0", "")
    if _PLAIN_WORD.fullmatch(text):
        return text
    if not _ANY_CONTROL.search(text):
        return "'" + text.replace("'", "'\\''") + "'"
    return "$'" + "".join(_ANSI_C.get(character, character) for character in text) + "'"


# --- the conformance run command ---------------------------------------------------------------

_IDENT = re.compile(r"(?:\w|:|\+|-|\.|\[|\]|\\|/)+")
_RESERVED = frozenset({"and", "or", "not"})


def rerun_command(summary: Mapping[str, Any], nodeid: str | None = None) -> str:
    """The `conformance run` (or `conformance sdk`) command that runs again what the summary ran,
    with the same seed, target and contract; with `nodeid`, only that test."""
    target, run, document = summary["target"], summary["run"], summary["document"]
    command = "sdk" if summary.get("command") == "sdk" else "run"
    given = _options(summary.get("options", []))
    parts = ["conformance", command]
    if not target["embedded_mock"] and "--cluster" not in given:
        parts += ["--base-url", target["base_url"]]
    if document["source"] != "bundled":
        parts += ["--spec", document["source"]]
    for fault in target.get("faults", []):
        parts += ["--fault", fault]
    for variant in target.get("variants", []):
        parts += ["--variant", variant]
    if run.get("depth") and run["depth"] != DEFAULT_DEPTH:
        parts += ["--depth", run["depth"]]
    if run["strict"]:
        parts.append("--strict")
    if target.get("insecure") and "--insecure" not in given:
        parts.append("--insecure")
    for flag in FLAG_ORDER:
        for value in given.pop(flag, []):
            parts += [flag] if value is None else [flag, value]
    for flag, values in given.items():  # anything else the run was given (a newer option, say)
        if flag not in NOT_RERUN:
            for value in values:
                parts += [flag] if value is None else [flag, value]
    parts += ["--seed", str(run["seed"])]
    if nodeid is None:
        for flag, value in (("-k", run["selection"]["k"]), ("-m", run["selection"]["m"])):
            if value and not (flag == "-m" and run.get("profile")):
                parts += [flag, value]
        if run.get("profile"):
            parts += ["--profile", run["profile"]]
        if run.get("max_requests") and not run.get("profile"):
            parts += ["--max-requests", str(run["max_requests"])]
    else:
        parts += ["-k", k_expression(nodeid, [test["nodeid"] for test in summary["tests"]])]
        parts += ["--report-dir", RERUN_REPORT_DIR]
    return " ".join(shell_word(part) for part in parts)


def _options(rows: Iterable[Mapping[str, str]]) -> dict[str, list[str | None]]:
    """The summary's options as flag -> values (None for a switch); lists come joined by ", "."""
    given: dict[str, list[str | None]] = {}
    for row in rows:
        value = row["value"]
        if value == "True":
            given[row["option"]] = [None]
        elif value not in ("False", "None", ""):
            given[row["option"]] = [item.strip() for item in value.split(", ")] if row["option"] in (
                "--fault", "--variant") else [value]
    return given


def k_expression(nodeid: str, nodeids: Iterable[str]) -> str:
    """A pytest -k expression that selects `nodeid` and none of `nodeids` besides it.

    -k matches each word as a case-insensitive substring of a test's name or its module's, and a
    word may hold letters, digits and `:+-.[]\\/` only: a test name with spaces or braces in its
    parameter ("test_operation[POST /v1/segments]") becomes the words between them, joined by
    `and`; a test whose words also select another gets `and not` a word of that other test.
    """
    words = _words(nodeid)
    expression = " and ".join(words)
    others = [other for other in dict.fromkeys(nodeids) if other != nodeid and _selects(words, other)]
    ours = _keywords(nodeid)
    for other in others:
        distinct = next((word for word in _words(other) if not _selects([word], nodeid, ours)), None)
        if distinct is not None:
            expression += f" and not {distinct}"
    return expression


def _words(nodeid: str) -> list[str]:
    name = nodeid.rsplit("::", 1)[-1]
    return [word for word in _IDENT.findall(name) if word not in _RESERVED] or [name]


def _keywords(nodeid: str) -> list[str]:
    parts = nodeid.split("::")
    return [parts[-1], parts[0].rsplit("/", 1)[-1], *parts[1:-1]]


def _selects(words: Iterable[str], nodeid: str, keywords: list[str] | None = None) -> bool:
    keywords = [keyword.lower() for keyword in (keywords or _keywords(nodeid))]
    return all(any(word.lower() in keyword for keyword in keywords) for word in words)
