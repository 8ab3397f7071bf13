"""Report directories, ledgers, configuration files and the environment, as an attacker would
shape them: one line and exit 4 before any traffic, no connection, no output written through a
symlink a cloned repository planted, bounded time and memory."""

from __future__ import annotations

import json

import pytest

from hostile_tools import SECRET, conformance
from hostile_tools import listener  # noqa: F401 (fixtures)

REPORTS = ("summary.json", "report.html", "run.har", "junit.xml", "ledger.json")


def test_a_run_writes_no_report_through_a_planted_symlink(tmp_path, listener):
    victims = {}
    report = tmp_path / "reports"
    report.mkdir()
    for name in REPORTS:
        victims[name] = tmp_path / f"victim-{name}"
        victims[name].write_text(SECRET, encoding="utf-8")
        (report / name).symlink_to(victims[name])
        (report / f"{name}.tmp").symlink_to(victims[name])  # the old temporary names, planted too
    outcome = conformance("run", "--report-dir", str(report), "-q", "-k", "test_get_unknown")
    assert outcome.returncode in (0, 2), outcome.stderr[-2000:]
    outcome.bounded()
    for name, victim in victims.items():
        assert victim.read_text(encoding="utf-8") == SECRET, f"{name} was written through its symlink"
        assert not (report / name).is_symlink() and SECRET not in (report / name).read_text(encoding="utf-8")
    assert listener.connections == []


LEDGERS = {
    "nan": ('{"version": 2, "base_url": "BASE", "run_tag": "scX", "created": [], "x": NaN}', "not JSON"),
    "deep": ('{"version": 2, "created": ' + "[" * 10_000 + "]" * 10_000 + "}", ""),
    "huge-integer": ('{"version": ' + "9" * 5000 + ', "created": []}', ""),
    "duplicate-keys": ('{"version": 2, "base_url": "http://127.0.0.1:9", "base_url": "BASE", "run_tag": "scX", "created": []}', "not JSON"),
    "not-a-ledger": ("[]", "not a segments-conformance ledger"),
    "id-not-string": ('{"version": 2, "base_url": "BASE", "run_tag": "scX", "created": [{"id": 1}]}', "without a string id"),
    "elsewhere": ('{"version": 2, "base_url": "BASE", "run_tag": "scX", "created": [{"id": "seg_1"}]}', "--base-url"),
}


@pytest.mark.parametrize("name", sorted(LEDGERS))
def test_a_hostile_ledger_is_refused_in_one_line(tmp_path, listener, name):
    text, said = LEDGERS[name]
    ledger = tmp_path / "ledger.json"
    ledger.write_text(text.replace("BASE", listener.url()), encoding="utf-8")
    outcome = conformance("cleanup", "--ledger", str(ledger),
                          env={"VOUCHERIFY_APP_ID": "id-hostile", "VOUCHERIFY_APP_TOKEN": "token-hostile"})
    outcome.refused(said)
    assert listener.connections == []


CONFIGURATIONS = {
    "deep": ("x = " + "[" * 5000 + "]" * 5000 + "\n", ""),
    "huge-integer": ("seed = " + "9" * 5000 + "\n", ""),
    "not-toml": ("seed = = 1\n", "cannot read"),
    "credentials": ('app-token = "stolen"\n', "credentials are never read from a file"),
    "unknown": ('exec = "touch canary"\n', "unknown setting"),
    "hostile-spec": ('spec = "SPEC"\n', "only local references"),
    "not-utf8": (b"seed = 1 # \xff\n", "UTF-8"),
}


@pytest.mark.parametrize("name", sorted(CONFIGURATIONS))
def test_a_hostile_configuration_file_is_refused_in_one_line(tmp_path, listener, name):
    text, said = CONFIGURATIONS[name]
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {},
                                "components": {"schemas": {"A": {"$ref": listener.url()}}}}), encoding="utf-8")
    data = text if isinstance(text, bytes) else text.replace("SPEC", str(spec)).encode("utf-8")
    (tmp_path / "conformance.toml").write_bytes(data)
    outcome = conformance("run", "--report-dir", str(tmp_path / "r"), cwd=tmp_path)
    outcome.refused(said)
    assert listener.connections == [] and not (tmp_path / "canary").exists()


ENVIRONMENT = {
    "CONFORMANCE_SEED": ("9" * 5000, "not a whole number"),
    "CONFORMANCE_MAX_EXAMPLES": ("\x1b[31m1", "not a whole number"),
    "CONFORMANCE_SPEC": ("/dev/zero", ""),
    "CONFORMANCE_STRICT": ("maybe\x07", "not a yes/no value"),
}


@pytest.mark.parametrize("variable", sorted(ENVIRONMENT))
def test_a_hostile_environment_is_refused_in_one_line(tmp_path, listener, variable):
    value, said = ENVIRONMENT[variable]
    outcome = conformance("run", "--report-dir", str(tmp_path / "r"), cwd=tmp_path, env={variable: value})
    outcome.refused(said)
    assert listener.connections == []
