"""Every option of a conformance run, declared once: for `conformance run`, for pytest, for the
environment (CONFORMANCE_*) and for the configuration file ([tool.conformance] in pyproject.toml
or conformance.toml). Precedence: command line > environment > file > default; the report shows
where each value came from.

Credentials come from the command line or the environment only, never from a file (a file gets
committed). Values are checked here, once, before any traffic: a bad one is a UsageError.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from conformance.exits import UsageError
from conformance.sdk.adapter import CLIENTS  # the SDK gate's adapters: one list, the gate's own

CLUSTERS = ("api", "us1.api", "as1.api")
PROFILES = {"sandbox": {"markexpr": "sandbox", "max_requests": 100}}
DEPTHS = {  # property-test effort; the report says which ran
    "quick": {"max_examples": 5, "stateful": False},  # CI gate: scenarios + focused generation (docs/speed.md: why 5)
    "deep": {"max_examples": 100, "stateful": True},  # nightly: thorough fuzzing and stateful links
}
DEFAULT_DEPTH = "quick"
DEFAULT_SDK_EXAMPLES = 60
SUITE_OF = {"run": "API suite (conformance run, pytest --pyargs conformance.suite)",
            "sdk": "SDK gate (conformance sdk, pytest --pyargs conformance.sdk.suite)"}
DEFAULT_MAX_TIME_S = 1800
CONFIG_FILES = ("conformance.toml", "pyproject.toml")


@dataclass(frozen=True)
class Option:
    name: str
    flags: tuple[str, ...]
    help: str
    kind: str = "str"  # str, int, bool, list, choice
    choices: tuple[str, ...] = ()
    default: Any = None
    metavar: str | None = None
    env: str | None = ""  # "" -> CONFORMANCE_<NAME>; None -> no environment variable
    in_file: bool = True
    pytest_own: bool = False  # pytest (or xdist) declares it already: -k, -m, --strict, -n, -q
    commands: tuple[str, ...] = ("run", "sdk")  # which commands take it

    @property
    def env_name(self) -> str | None:
        return f"CONFORMANCE_{self.name.upper()}" if self.env == "" else self.env

    @property
    def file_keys(self) -> tuple[str, str]:
        return self.name, self.name.replace("_", "-")


OPTIONS: tuple[Option, ...] = (
    Option("base_url", ("--base-url",), "the API under test, e.g. http://127.0.0.1:4010 (default: the embedded mock)"),
    Option("cluster", ("--cluster",), "the vendor's cluster: https://CLUSTER.voucherify.io", kind="choice", choices=CLUSTERS),
    Option("spec", ("--spec",), "the vendor's segments document to test against: a file, or a shipped revision's "
           "name (`conformance revisions`: bundled, 2026-07; default: bundled); our overlay is applied on top",
           metavar="FILE|NAME"),
    Option("app_id", ("--app-id",), "X-App-Id (default: $VOUCHERIFY_APP_ID)", env="VOUCHERIFY_APP_ID", in_file=False),
    Option("app_token", ("--app-token",), "X-App-Token (default: $VOUCHERIFY_APP_TOKEN); never printed",
           env="VOUCHERIFY_APP_TOKEN", in_file=False),
    Option("report_dir", ("--report-dir",), "where junit.xml, summary.json, report.html, run.har go (default: reports/)",
           default="reports", metavar="DIR"),
    Option("seed", ("--seed",), "reproduce a run: the seed its report shows", kind="int", metavar="N"),
    Option("depth", ("--depth",), "property-test effort: quick (the CI gate, default) or deep (nightly fuzzing, "
           "stateful sequences)", kind="choice", choices=tuple(DEPTHS), default=DEFAULT_DEPTH, commands=("run",)),
    Option("max_examples", ("--max-examples",), "property-test examples per operation (default: by --depth)",
           kind="int", metavar="N", commands=("run",)),
    Option("strict", ("--strict",), "SHOULD failures fail the run too", kind="bool", default=False, pytest_own=True),
    Option("include_heavy", ("--include-heavy",), "run the cap scenarios (100+ creates, 20,000-customer bodies) "
           "on a non-loopback target", kind="bool", default=False, commands=("run",)),
    Option("insecure", ("--insecure",), "do not verify TLS certificates (said in the report)", kind="bool", default=False),
    Option("max_requests", ("--max-requests",), "send at most N requests; what is left is NOT TESTED "
           "(cleanup stays within N)", kind="int", metavar="N"),
    Option("max_time", ("--max-time",), f"stop testing after SECONDS; what is left is NOT TESTED "
           f"(default: {DEFAULT_MAX_TIME_S})", kind="int", default=DEFAULT_MAX_TIME_S, metavar="SECONDS"),
    Option("profile", ("--profile",), "sandbox: every light MUST requirement within 100 requests "
           "(the vendor sandbox's hourly limit)", kind="choice", choices=tuple(PROFILES), commands=("run",)),
    Option("keyword", ("-k",), "only tests matching the pytest -k expression", metavar="EXPR", pytest_own=True),
    Option("markexpr", ("-m",), "only tests matching the pytest -m expression", metavar="MARKEXPR", pytest_own=True),
    Option("fault", ("--fault",), "embedded mock only: switch on a named fault (repeatable; "
           "`conformance mock --list-faults`)", kind="list", metavar="NAME", commands=("run",)),
    Option("variant", ("--variant",), "embedded mock only: answer in a named legal variant of the contract "
           "(repeatable; `conformance mock --list-variants`)", kind="list", metavar="NAME", commands=("run",)),
    Option("workers", ("-n",), "run on N processes (pytest-xdist); the caps still run alone", kind="int",
           metavar="N", pytest_own=True, commands=("run",)),
    Option("client", ("--client",), "the client under test: voucherify (the vendor's Python SDK, installed), "
           "voucherify-js (@voucherify/sdk in Node), reference (ours)", kind="choice", choices=CLIENTS,
           default="voucherify", commands=("sdk",)),
    Option("client_fault", ("--client-fault",), "--client reference only: switch on a named client fault (repeatable; "
           "`conformance sdk --list-client-faults`)", kind="list", metavar="NAME", commands=("sdk",)),
    Option("sdk_examples", ("--sdk-examples",), f"generated values per model-gate hunt (default: {DEFAULT_SDK_EXAMPLES})",
           kind="int", default=DEFAULT_SDK_EXAMPLES, metavar="N", commands=("sdk",)),
    Option("quiet", ("-q", "--quiet"), "less progress output", kind="bool", default=False, pytest_own=True),
)
BY_NAME = {option.name: option for option in OPTIONS}


@dataclass
class Settings:
    """The resolved options of one run, with where each came from."""

    values: dict[str, Any]
    sources: dict[str, str] = field(default_factory=dict)  # name -> "command line", "environment", file, "default"
    config_file: str | None = None

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["values"][name]
        except KeyError:
            raise AttributeError(name) from None

    # derived facts, each computed in one place

    @property
    def target_url(self) -> str | None:
        if self.values.get("cluster"):
            return f"https://{self.values['cluster']}.voucherify.io"
        return self.values.get("base_url")

    @property
    def embedded(self) -> bool:
        return self.target_url is None

    @property
    def effective_markexpr(self) -> str | None:
        return PROFILES[self.profile]["markexpr"] if self.profile else self.markexpr

    @property
    def request_budget(self) -> int | None:
        limits = [limit for limit in (self.max_requests, PROFILES.get(self.profile or "", {}).get("max_requests")) if limit]
        return min(limits) if limits else None

    @property
    def examples(self) -> int:
        return self.max_examples or DEPTHS[self.depth]["max_examples"]

    @property
    def stateful(self) -> bool:
        return DEPTHS[self.depth]["stateful"]

    def shown(self) -> list[dict[str, str]]:
        """Every option that is not at its default, for the report (credentials never)."""
        rows = []
        for option in OPTIONS:
            if option.name in ("app_id", "app_token"):
                continue
            source = self.sources.get(option.name, "default")
            if source != "default":
                rows.append({"option": option.flags[-1], "value": _display(self.values[option.name]), "source": source})
        return rows


def _display(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def resolve(given: dict[str, Any], *, environ: dict[str, str] | None = None, cwd: Path | None = None,
            command: str = "run") -> Settings:
    """Settings of `command` from the command line's values (`given`: None or absent = not given),
    then the environment, then the configuration file, then the defaults; checked."""
    environ = os.environ if environ is None else environ
    config_path, from_file = read_config_file(cwd or Path.cwd())
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for option in OPTIONS:
        if command not in option.commands:
            if not _unset(given.get(option.name)):  # pytest declares every option for every suite
                raise UsageError(f"{option.flags[0]} does not apply to the {SUITE_OF[command]}")
            values[option.name] = [] if option.kind == "list" else option.default
            continue
        # The command line cannot say "false" or "none" (a flag is there or not); the environment
        # and the file can: CONFORMANCE_STRICT=0 and `strict = false` win over what comes after them.
        value, source = given.get(option.name), "command line"
        if _unset(value) and option.env_name and environ.get(option.env_name):
            value, source = _from_text(option, environ[option.env_name], option.env_name), "environment"
        if _unset(value) and source == "command line" and option.in_file:
            for key in option.file_keys:
                if key in from_file:
                    value, source = _from_file(option, from_file[key], config_path), str(config_path)
                    break
        if _unset(value) and source == "command line":
            value, source = ([] if option.kind == "list" else option.default), "default"
        values[option.name] = value
        sources[option.name] = source
    settings = Settings(values, sources, str(config_path) if config_path else None)
    validate(settings)
    if command == "sdk":
        check_client(settings.client)
    return settings


def check_client(name: str) -> None:
    """The client under test can be had here, or a one-line UsageError saying how to get it."""
    if name == "voucherify":
        import importlib.util

        if importlib.util.find_spec("voucherify") is None:
            raise UsageError("--client voucherify needs the vendor's SDK: pip install 'segments-conformance[sdk]'")
    elif name == "voucherify-js":
        from conformance.sdk.clients.vendor_js import JsUnavailable, ensure_installed

        try:
            ensure_installed()
        except JsUnavailable as error:
            raise UsageError(f"--client voucherify-js: {error}") from None


def _unset(value: Any) -> bool:
    """Not given on the command line: argparse's None, an append option's [], pytest's False."""
    return value is None or value == [] or value is False


def read_config_file(cwd: Path) -> tuple[Path | None, dict[str, Any]]:
    """[tool.conformance] of pyproject.toml, or conformance.toml in `cwd`: there, top-level keys,
    a [tool.conformance] table (the README's snippet, copied as it is), or both."""
    for name in CONFIG_FILES:
        path = cwd / name
        if not path.is_file():
            continue
        from conformance.loader import load_toml

        data = load_toml(path)  # bounded like every file a user is handed; a DocumentError is a UsageError
        tool = data.get("tool", {})
        if not isinstance(tool, dict):
            raise UsageError(f"{path}: `tool` is not a table")
        table = tool.get("conformance")
        if name == "conformance.toml":
            top = {key: value for key, value in data.items() if key != "tool"}
            if set(tool) - {"conformance"}:
                raise UsageError(f"{path}: unknown setting 'tool.{sorted(set(tool) - {'conformance'})[0]}'")
            if isinstance(table, dict):
                twice = sorted(set(top) & set(table))
                if twice:
                    raise UsageError(f"{path}: {twice[0]!r} is set twice (at the top and in [tool.conformance])")
                table = {**top, **table}
            elif table is None:
                table = top
        if table is None:
            continue
        if not isinstance(table, dict):
            raise UsageError(f"{path}: the conformance settings are not a table")
        known = {key for option in OPTIONS if option.in_file for key in option.file_keys}
        unknown = sorted(set(table) - known)
        if unknown:
            secret = {key for option in OPTIONS if not option.in_file for key in option.file_keys}
            if secret & set(unknown):
                raise UsageError(f"{path}: credentials are never read from a file; use the environment "
                                 "(VOUCHERIFY_APP_ID, VOUCHERIFY_APP_TOKEN)")
            raise UsageError(f"{path}: unknown setting {unknown[0]!r}")
        return path, table
    return None, {}


def _from_text(option: Option, text: str, where: str) -> Any:
    if option.kind == "bool":
        if text.lower() in ("1", "true", "yes", "on"):
            return True
        if text.lower() in ("0", "false", "no", "off"):
            return False
        raise UsageError(f"{where}: {text!r} is not a yes/no value")
    if option.kind == "int":
        try:
            return int(text)
        except ValueError:
            raise UsageError(f"{where}: {text!r} is not a whole number") from None
    if option.kind == "list":
        return [item.strip() for item in text.split(",") if item.strip()]
    return text


def _from_file(option: Option, value: Any, path: Path) -> Any:
    where = f"{path}: {option.name.replace('_', '-')}"
    expected = {"bool": bool, "int": int, "list": list}.get(option.kind, str)
    if option.kind == "list" and isinstance(value, str):
        value = [value]
    if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
        raise UsageError(f"{where} should be {'a list' if expected is list else 'a ' + expected.__name__}")
    return value  # false, 0 and "" are values: validate() judges them, naming the file


# --- checks ---------------------------------------------------------------------------------------

def validate(settings: Settings) -> None:
    values = settings.values
    if values.get("cluster") and values.get("base_url"):
        raise UsageError("--base-url and --cluster name two targets; give one")
    if values.get("base_url"):
        values["base_url"] = check_base_url(values["base_url"])
        source = settings.sources.get("base_url", "command line")
        if source not in ("command line", "environment") and not is_loopback(values["base_url"]):
            # A repository the user cloned can ship the file: it must not choose where the
            # credentials of the user's environment go. This machine's own servers it may name.
            raise UsageError(f"{source} names the target {values['base_url']}: a file never chooses where credentials "
                             f"go; pass --base-url {values['base_url']} (or CONFORMANCE_BASE_URL) to test it")
    for name, minimum in (("max_examples", 1), ("max_requests", 1), ("max_time", 1), ("workers", 1), ("sdk_examples", 1)):
        if values.get(name) is not None and values[name] < minimum:
            source = settings.sources.get(name, "command line")
            where = "" if source == "command line" else f" ({values[name]} from {source})"
            raise UsageError(f"{BY_NAME[name].flags[0]} must be at least {minimum}{where}")
    for option in OPTIONS:
        if option.kind == "choice" and values.get(option.name) is not None and values[option.name] not in option.choices:
            raise UsageError(f"{option.flags[0]} {values[option.name]!r} is not one of: {', '.join(option.choices)}")
    if values.get("profile") and values.get("markexpr"):
        raise UsageError("--profile chooses the tests itself; drop -m")
    embedded = settings.embedded
    for name, listing in (("fault", "--list-faults"), ("variant", "--list-variants")):
        chosen = values.get(name) or []
        if chosen and not embedded:
            raise UsageError(f"--{name} applies to the embedded mock only (drop --base-url / --cluster)")
        known = _known(name) if chosen else set()  # the mock's switches are imported only when named
        unknown = [item for item in chosen if item not in known]
        if unknown:
            raise UsageError(f"unknown {name} {unknown[0]!r}; see `conformance mock {listing}`")
    if settings.request_budget is not None and (values.get("workers") or 1) > 1:
        raise UsageError("--max-requests and --profile need a single process (drop -n)")
    if not embedded and (not values.get("app_id") or not values.get("app_token")):
        raise UsageError("credentials missing: pass --app-id and --app-token or set VOUCHERIFY_APP_ID and VOUCHERIFY_APP_TOKEN")
    if values.get("spec"):
        from conformance.revisions import valid_spec_path

        values["spec"] = valid_spec_path(values["spec"])
    if values.get("client_fault"):
        if values.get("client") != "reference":
            raise UsageError("--client-fault applies to --client reference only")
        from conformance.sdk.clients.reference import CLIENT_FAULTS

        unknown = [name for name in values["client_fault"] if name not in CLIENT_FAULTS]
        if unknown:
            raise UsageError(f"unknown client fault {unknown[0]!r}; see `conformance sdk --list-client-faults`")


def _known(name: str) -> set[str]:
    from conformance.mock.faults import FAULTS
    from conformance.mock.variants import VARIANTS

    return set(FAULTS) if name == "fault" else set(VARIANTS)


def check_base_url(url: str) -> str:
    """The base URL as the run uses it, or a UsageError saying what is wrong with it."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UsageError(f"--base-url {url!r} is not a valid URL ({error})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"--base-url {url!r} is not an http(s) URL")
    if parts.username is not None or parts.password is not None:
        raise UsageError("--base-url carries credentials (user:password@); this API takes X-App-Id and "
                         "X-App-Token: pass them with --app-id/--app-token or the environment")
    if parts.query or parts.fragment:
        raise UsageError(f"--base-url {url!r} has a query or fragment; give the API's root only")
    if port == 0:
        raise UsageError(f"--base-url {url!r}: port 0 is not a port")
    return url.rstrip("/")


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def argparse_kwargs(option: Option) -> dict[str, Any]:
    """How argparse (and pytest's addoption, which mirrors it) declares `option`: every default is
    None, so that "not given" is visible and the environment, file and defaults can apply."""
    kwargs: dict[str, Any] = {"dest": option.name, "help": option.help, "default": None}
    if option.kind == "bool":
        kwargs["action"] = "store_true"
    elif option.kind == "list":
        kwargs.update(action="append", metavar=option.metavar)
    else:
        kwargs["metavar"] = option.metavar or option.name.upper()
        if option.kind == "int":
            kwargs["type"] = _int_type(option)
        if option.kind == "choice":
            kwargs["choices"] = option.choices
            kwargs.pop("metavar")
    return kwargs


def _int_type(option: Option) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            return int(text)
        except ValueError:
            import argparse

            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None

    parse.__name__ = "int"
    return parse
