"""`conformance run`: from a base URL (or the embedded mock) to a verdict and reports.

A thin front door over pytest.main: options are declared once (options.py) and resolved here
(command line > environment > file); the engine is the plugin (plugin.ConformanceRun), which this
registers with the resolved settings. Plain `pytest --pyargs conformance.suite` runs the same.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from conformance import interrupts, options, startup
from conformance.exits import EXIT_INTERNAL

# pytest's own plugins a run has no use for: each is an import at start-up (doctest and debugging
# bring pdb, unittest the unittest package; ~40 ms of a loopback run), the cache provider would
# write .pytest_cache into the installed suite's directory, and logging and warnings wrap every
# phase of every test in process-wide state (the root logger's handlers, warnings.catch_warnings)
# that tests side by side on threads would swap under each other. A run needs none of their
# options, and a run's findings are its Verifiers', not log records or warnings.
UNUSED_PYTEST_PLUGINS = ("doctest", "debugging", "unittest", "legacypath", "cacheprovider", "pastebin", "stepwise",
                         "setuponly", "setupplan", "faulthandler", "logging", "warnings")
SUITES = {"api": Path(__file__).parent / "suite", "sdk": Path(__file__).parent / "sdk" / "suite"}


def register(subparsers, epilog: str) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run the conformance suite against a base URL (default: the embedded mock)",
        description=(
            "Run the Segments API conformance suite and write JUnit, JSON, HTML and HAR reports.\n"
            "Every option can also come from the environment (CONFORMANCE_<OPTION>, credentials from\n"
            "VOUCHERIFY_APP_ID/VOUCHERIFY_APP_TOKEN) or from [tool.conformance] in pyproject.toml or\n"
            "conformance.toml; the command line wins over the environment, which wins over the file."
        ),
        epilog=epilog,
    )
    add_options(parser, "run")
    parser.set_defaults(handler=run)


def register_sdk(subparsers, epilog: str) -> None:
    parser = subparsers.add_parser(
        "sdk",
        help="the SDK release gate: judge a client of the contract (default: the vendor's Python SDK)",
        description=(
            "Drive a client of the Segments contract (an SDK) through the scenarios, through a loopback relay\n"
            "to the embedded mock or --base-url, and feed its models every answer the contract allows.\n"
            "Same verdicts, reports and exit codes as `conformance run`; the findings name SDK-* requirements\n"
            "(conformance/sdk/requirements.yaml), each with a minimal example."
        ),
        epilog=epilog,
    )
    add_options(parser, "sdk")
    parser.add_argument("--list-client-faults", action="store_true", help="list the reference client's named faults and exit")
    parser.set_defaults(handler=run_sdk)


def add_options(parser: argparse.ArgumentParser, command: str) -> None:
    for option in options.OPTIONS:
        if command in option.commands:
            kwargs = options.argparse_kwargs(option)
            if option.name == "report_dir" and command == "sdk":
                kwargs["help"] = "where the reports go (default: reports/sdk)"
            parser.add_argument(*option.flags, **kwargs)


def run(args: argparse.Namespace) -> int:
    return run_suite(options.resolve(vars(args), command="run"), "api")


def run_sdk(args: argparse.Namespace) -> int:
    if args.list_client_faults:
        from conformance.sdk.clients.reference import CLIENT_FAULTS

        width = max(len(name) for name in CLIENT_FAULTS)
        for fault in CLIENT_FAULTS.values():
            print(f"{fault.name:<{width}}  {fault.requirement:<28}  {fault.description}")
        return 0
    given = vars(args)
    given["report_dir"] = given.get("report_dir") or None
    settings = options.resolve(given, command="sdk")
    if settings.sources["report_dir"] == "default":
        settings.values["report_dir"] = str(Path(settings.report_dir) / "sdk")
    return run_suite(settings, "sdk")


def run_suite(settings: options.Settings, suite: str = "api", *, nodeids: list[str] | None = None,
              extra_plugins: tuple = ()) -> int:
    exit_code, _ = run_in_process(settings, suite, nodeids=nodeids, extra_plugins=extra_plugins)
    return exit_code


def run_in_process(settings: options.Settings, suite: str = "api", *, nodeids: list[str] | None = None,
                   extra_plugins: tuple = ()):
    """One run in this process: (exit code, the ConformanceRun with its summary). Safe to call again:
    the suite's modules are imported anew, so no state of a module outlives its run."""
    import pytest

    from conformance.plugin import ConformanceRun
    from conformance.report.terminal import ShortNodeIds

    for name in [name for name in sys.modules if name.startswith(f"conformance.{_package(suite)}.test_")]:
        del sys.modules[name]
    conformance_run = ConformanceRun(settings, suite=suite)
    if not (conformance_run.selection_given(nodeids) or settings.workers):  # else the plugin decides when
        conformance_run.lifecycle.start_probe()
    # Only the plugins the suite needs (pytest_arguments names them): autoloading every installed
    # pytest plugin costs start-up time and lets unrelated plugins change a conformance run.
    autoload = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    handlers = interrupts.install()
    startup.freeze()
    try:
        exit_code = pytest.main(pytest_arguments(settings, conformance_run.seed, suite, nodeids),
                                plugins=[conformance_run, ShortNodeIds(), *extra_plugins])
    finally:
        startup.collector_on(freeze=False)  # if the run ended before its collection did
        interrupts.restore(handlers)
        if autoload is None:
            del os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"]
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = autoload
    return _exit_code(conformance_run, exit_code), conformance_run


def _package(suite: str) -> str:
    return SUITES[suite].relative_to(Path(__file__).parent).as_posix().replace("/", ".")


def _exit_code(conformance_run, exit_code) -> int:
    if conformance_run.probe_problem:
        print(f"error: could not test: {conformance_run.masker.text(conformance_run.probe_problem)}", file=sys.stderr)
    decision = conformance_run.decision
    if int(exit_code) == 3:  # pytest's INTERNALERROR: a bug of ours, whatever the summary could say
        return EXIT_INTERNAL
    if decision is None:  # pytest stopped before the run ended: usage error (exit 4) or our bug
        return int(exit_code) if int(exit_code) in (2, 4) else EXIT_INTERNAL
    if interrupts.requested() and "interrupted" not in " ".join(decision.causes):
        conformance_run.write_reports()  # a signal after the verdict: the reports say so too
        decision = conformance_run.decision
    return decision.exit_code


def pytest_arguments(settings: options.Settings, seed: int, suite: str, nodeids: list[str] | None = None) -> list[str]:
    suite_dir = SUITES[suite]
    report_dir = Path(settings.report_dir)
    arguments = [
        *([str(suite_dir / nodeid) for nodeid in nodeids] if nodeids else [str(suite_dir)]),
        "--rootdir", str(suite_dir),
        "-c", str(suite_dir / "pytest.ini"),
        "--junitxml", str(report_dir / "junit.xml"),
        "-o", "junit_family=xunit2",
        "-o", f"junit_suite_name=segments-conformance-{suite}",
        "-p", "schemathesis.pytest.plugin",
        *[argument for plugin in UNUSED_PYTEST_PLUGINS for argument in ("-p", f"no:{plugin}")],
        "-p", "_hypothesis_pytestplugin",
        f"--hypothesis-seed={seed}",
        "-q" if settings.quiet else "-v",
        "--tb=short",  # a failure is our one-paragraph message either way; --tb=line cut it at 50 characters, mid-word
    ]
    for flag, value in (("-k", settings.keyword), ("-m", settings.effective_markexpr)):
        if value:
            arguments += [flag, value]
    if settings.strict:
        arguments.append("--strict")
    if settings.workers:
        arguments += ["-p", "xdist.plugin", "-n", str(settings.workers)]
    return arguments
