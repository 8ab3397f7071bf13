"""Options: declared once; command line > environment > file > default; checked before any traffic."""

import pytest

from conformance import options
from conformance.exits import UsageError


def resolve(given=None, environ=None, cwd=None, tmp_path=None):
    return options.resolve(given or {}, environ=environ or {}, cwd=cwd or tmp_path)


def test_command_line_beats_environment_beats_file_beats_default(tmp_path):
    (tmp_path / "conformance.toml").write_text('seed = 1\nmax-examples = 7\ndepth = "deep"\nfault = ["soft-delete"]\n')
    settings = resolve({"seed": 3}, {"CONFORMANCE_SEED": "2", "CONFORMANCE_MAX_EXAMPLES": "5"}, tmp_path)
    assert (settings.seed, settings.max_examples, settings.depth, settings.fault) == (3, 5, "deep", ["soft-delete"])
    assert settings.sources["seed"] == "command line" and settings.sources["max_examples"] == "environment"
    assert settings.sources["depth"] == str(tmp_path / "conformance.toml") and settings.sources["strict"] == "default"
    shown = {row["option"]: row for row in settings.shown()}
    assert shown["--seed"]["source"] == "command line" and "--strict" not in shown


def test_pyproject_tool_conformance_is_read(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.conformance]\nstrict = true\nreport_dir = "out"\n')
    settings = resolve(cwd=tmp_path)
    assert settings.strict is True and settings.report_dir == "out" and settings.config_file.endswith("pyproject.toml")


@pytest.mark.parametrize(
    "content, message",
    [
        ('app-token = "x"', "never read from a file"),
        ("colour = true", "unknown setting 'colour'"),
        ("seed = 'seven'", "should be a int"),
        ("seed = [", "cannot read"),
    ],
)
def test_a_bad_configuration_file_is_a_usage_error(tmp_path, content, message):
    (tmp_path / "conformance.toml").write_text(content)
    with pytest.raises(UsageError, match=message):
        resolve(cwd=tmp_path)


@pytest.mark.parametrize(
    "given, message",
    [
        ({"base_url": "http://[::1", "app_id": "a", "app_token": "b"}, "not a valid URL"),
        ({"base_url": "ftp://example", "app_id": "a", "app_token": "b"}, "not an http"),
        ({"base_url": "http://user:pw@127.0.0.1:9", "app_id": "a", "app_token": "b"}, "carries credentials"),
        ({"base_url": "http://127.0.0.1:9?x=1", "app_id": "a", "app_token": "b"}, "query or fragment"),
        ({"base_url": "http://127.0.0.1:9"}, "credentials missing"),
        ({"base_url": "http://127.0.0.1:9", "cluster": "api", "app_id": "a", "app_token": "b"}, "two targets"),
        ({"max_examples": 0}, "--max-examples must be at least 1"),
        ({"fault": ["no-such-fault"]}, "unknown fault"),
        ({"fault": ["soft-delete"], "base_url": "http://127.0.0.1:9", "app_id": "a", "app_token": "b"}, "embedded mock only"),
        ({"profile": "sandbox", "markexpr": "x"}, "drop -m"),
        ({"max_requests": 10, "workers": 2}, "single process"),
        ({"spec": "/no/such/file.json"}, "no such file"),
    ],
)
def test_bad_values_are_one_line_usage_errors(tmp_path, given, message):
    with pytest.raises(UsageError, match=message) as refused:
        resolve(given, tmp_path=tmp_path)
    assert "\n" not in str(refused.value)


def test_derived_facts_have_one_owner(tmp_path):
    sandbox = resolve({"profile": "sandbox", "max_requests": 300}, tmp_path=tmp_path)
    assert sandbox.request_budget == 100 and sandbox.effective_markexpr == "sandbox"
    cluster = resolve({"cluster": "us1.api", "app_id": "a", "app_token": "b"}, tmp_path=tmp_path)
    assert cluster.target_url == "https://us1.api.voucherify.io" and not cluster.embedded
    quick, deep = resolve(tmp_path=tmp_path), resolve({"depth": "deep"}, tmp_path=tmp_path)
    assert (quick.examples, quick.stateful) == (5, False) and (deep.examples, deep.stateful) == (100, True)


def test_credentials_come_from_the_environment(tmp_path):
    settings = resolve({"base_url": "http://127.0.0.1:9/"}, {"VOUCHERIFY_APP_ID": "a", "VOUCHERIFY_APP_TOKEN": "b"}, tmp_path)
    assert (settings.app_id, settings.app_token, settings.base_url) == ("a", "b", "http://127.0.0.1:9")
    assert all(row["option"] not in ("--app-id", "--app-token") for row in settings.shown())


def test_conformance_toml_takes_the_readme_snippet_as_it_is_and_top_level_keys(tmp_path):
    (tmp_path / "conformance.toml").write_text('seed = 5\n\n[tool.conformance]\nprofile = "sandbox"\nstrict = true\n')
    settings = resolve(cwd=tmp_path)
    assert (settings.seed, settings.profile, settings.strict) == (5, "sandbox", True)
    (tmp_path / "conformance.toml").write_text('seed = 5\n[tool.conformance]\nseed = 6\n')
    with pytest.raises(UsageError, match="'seed' is set twice"):
        resolve(cwd=tmp_path)


@pytest.mark.parametrize("text", ["0", "false", "No", "off"])
def test_the_environment_can_turn_off_a_switch_the_file_turns_on(tmp_path, text):
    (tmp_path / "conformance.toml").write_text("strict = true\ninsecure = true\n")
    settings = resolve(environ={"CONFORMANCE_STRICT": text}, cwd=tmp_path)
    assert settings.strict is False and settings.sources["strict"] == "environment"
    assert settings.insecure is True  # the file still speaks for what the environment does not name


def test_zero_in_the_file_is_a_value_and_is_judged_naming_the_file(tmp_path):
    (tmp_path / "conformance.toml").write_text("max-examples = 0\n")
    with pytest.raises(UsageError, match=r"--max-examples must be at least 1 \(0 from .*conformance.toml\)"):
        resolve(cwd=tmp_path)
    (tmp_path / "conformance.toml").write_text("strict = false\n")
    settings = resolve(cwd=tmp_path)
    assert settings.strict is False and settings.sources["strict"].endswith("conformance.toml")


@pytest.mark.parametrize("name", ["conformance.toml", "pyproject.toml"])
def test_a_file_never_sends_the_credentials_to_another_host(tmp_path, name):
    """A cloned repository's configuration may name this machine's servers, never another host:
    the user's credentials go only where the command line or the environment points them."""
    table = "[tool.conformance]\n" if name == "pyproject.toml" else ""
    (tmp_path / name).write_text(f'{table}base-url = "https://collector.example"\n')
    environ = {"VOUCHERIFY_APP_ID": "id", "VOUCHERIFY_APP_TOKEN": "token"}
    with pytest.raises(UsageError, match=r"names the target https://collector.example: a file never chooses where credentials go"):
        resolve(environ=environ, cwd=tmp_path)
    chosen = resolve({"base_url": "https://collector.example"}, environ, tmp_path)
    assert chosen.base_url == "https://collector.example" and chosen.sources["base_url"] == "command line"
    from_environment = resolve(environ={**environ, "CONFORMANCE_BASE_URL": "https://collector.example"}, cwd=tmp_path)
    assert from_environment.sources["base_url"] == "environment"
    (tmp_path / name).write_text(f'{table}base-url = "http://127.0.0.1:4010"\n')
    assert resolve(environ=environ, cwd=tmp_path).base_url == "http://127.0.0.1:4010"
