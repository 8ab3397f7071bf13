"""The gate's pytest options, fixtures and hooks, beside the conformance plugin's.

Taken in by conformance/sdk/suite/conftest.py. Tests use only the plugin's `verify`, `target`,
`names` and `conformance`, and these: `client` (the client under test, configured on the relay),
`relay`, `answers` and `answers_client` (the same client, configured on the answer server),
`client_factory` (another instance, other credentials), `hunts` (hypothesis searches that record
findings) and `gate` (the options).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conformance.plugin import REQUIREMENTS_KEY, conformance_session, requirement_ids
from conformance.sdk.adapter import CLIENTS, SegmentsClient, make_client
from conformance.sdk.catalogue import gate_catalogue, load_sdk_catalogue
from conformance.sdk.hunting import Hunts

__all__ = ["gate", "relay", "client", "client_factory", "answers", "answers_client", "hunts", "_gate_catalogue",
           "pytest_generate_tests"]

SUMMARY_SCHEMA_VERSION = 1
DEFAULT_SDK_EXAMPLES = 60


@dataclass(frozen=True)
class GateOptions:
    client: str
    faults: tuple[str, ...]
    examples: int
    seed: int

    @property
    def adapter_class(self) -> type[SegmentsClient]:
        if self.client == "reference":
            from conformance.sdk.clients.reference import ReferenceAdapter

            return ReferenceAdapter
        if self.client == "voucherify-js":
            from conformance.sdk.clients.vendor_js import VoucherifyJsAdapter

            return VoucherifyJsAdapter
        from conformance.sdk.clients.vendor_python import VoucherifyAdapter

        return VoucherifyAdapter


GATE_KEY = pytest.StashKey[GateOptions]()
CLIENT_KEY = pytest.StashKey[dict]()
FINDINGS_KEY = pytest.StashKey[list]()


def gate_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sdk", "SDK release gate")
    group.addoption("--client", default="voucherify", choices=CLIENTS,
                    help="the client under test: voucherify (PyPI), voucherify-js (npm @voucherify/sdk, in Node), reference")
    group.addoption("--client-fault", action="append", default=[], help="reference client only: switch on a named client fault")
    group.addoption("--sdk-examples", type=int, default=DEFAULT_SDK_EXAMPLES,
                    help=f"generated values per hunt (default {DEFAULT_SDK_EXAMPLES}; through a server, a third of it)")
    group.addoption("--sdk-summary-json", default=None, help="write the gate's summary (sdk-summary.json) here")


def _options(config: pytest.Config) -> GateOptions:
    if GATE_KEY not in config.stash:
        client = config.getoption("--client")
        faults = tuple(config.getoption("--client-fault"))
        if faults and client != "reference":
            raise pytest.UsageError("--client-fault applies to --client reference only")
        if faults:
            from conformance.sdk.clients.reference import UnknownClientFault, check_faults

            try:
                check_faults(faults)
            except UnknownClientFault as error:
                raise pytest.UsageError(str(error)) from None
        if client == "voucherify":
            try:
                import voucherify  # noqa: F401, PLC0415
            except ImportError:
                raise pytest.UsageError("--client voucherify needs the vendor SDK: pip install 'segments-conformance[sdk]'") from None
        if client == "voucherify-js":
            from conformance.sdk.clients.vendor_js import JsUnavailable, ensure_installed

            try:
                ensure_installed()
            except JsUnavailable as error:
                raise pytest.UsageError(f"--client voucherify-js: {error}") from None
        config.stash[GATE_KEY] = GateOptions(client, faults, max(1, config.getoption("--sdk-examples")),
                                             conformance_session(config).config.seed)
    return config.stash[GATE_KEY]


def gate_configure(config: pytest.Config) -> None:
    """Check the gate's options before collection: a bad one is a usage error (exit 4)."""
    _options(config)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`way` and `serializer` are the client's own: each way it offers to build a create request,
    each serializer it offers for a Segment."""
    options = _options(metafunc.config)
    if "way" in metafunc.fixturenames:
        metafunc.parametrize("way", options.adapter_class.ways)
    if "serializer" in metafunc.fixturenames:
        metafunc.parametrize("serializer", options.adapter_class.segment_serializers)


def gate_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """The plugin's collection hook, with the gate's catalogue (SDK and server requirements)."""
    catalogue = gate_catalogue()
    for item in items:
        ids = requirement_ids(item)
        unknown = [requirement_id for requirement_id in ids if requirement_id not in catalogue]
        if unknown:
            raise pytest.UsageError(f"{item.nodeid} names unknown requirements {unknown}")
        for requirement_id in ids:
            item.user_properties.append(("requirement", requirement_id))
        item.stash[REQUIREMENTS_KEY] = ids


# --- fixtures ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def gate(request: pytest.FixtureRequest) -> GateOptions:
    return _options(request.config)


@pytest.fixture(autouse=True)
def _gate_catalogue(verify):
    """The Verifier knows the SDK requirements too (the plugin's knows the server's only)."""
    verify._catalogue = gate_catalogue()
    return verify


@pytest.fixture(scope="session")
def relay(target):
    from conformance.sdk.relay import Relay

    with Relay(target) as running:
        yield running


@pytest.fixture(scope="session")
def client_factory(gate: GateOptions, request: pytest.FixtureRequest):
    """make(base_url, app_id, app_token): a new instance of the client under test, configured."""
    made: list[SegmentsClient] = []

    def make(base_url: str, app_id: str, app_token: str) -> SegmentsClient:
        instance = make_client(gate.client, gate.faults)
        instance.configure(base_url, app_id, app_token)
        made.append(instance)
        request.config.stash[CLIENT_KEY] = instance.describe()
        return instance

    yield make
    for instance in made:
        instance.close()


@pytest.fixture(scope="session")
def client(client_factory, relay) -> SegmentsClient:
    """The client under test, talking to the target only through the relay."""
    return client_factory(relay.url, relay.credentials.app_id, relay.credentials.app_token)


@pytest.fixture(scope="session")
def answers():
    from conformance.sdk.answers import AnswerServer

    with AnswerServer() as running:
        yield running


@pytest.fixture(scope="session")
def answers_client(client_factory, answers) -> SegmentsClient:
    """The client under test, talking to the answer server (generated answers, no target)."""
    return client_factory(answers.url, answers.credentials.app_id, answers.credentials.app_token)


@pytest.fixture
def hunts(verify, gate: GateOptions, request: pytest.FixtureRequest):
    """Hypothesis searches for the test. The test ends with `hunts.finish()`, which fails it with
    every MUST violation its hunts found (each is recorded already, as it is found)."""
    findings = request.config.stash.setdefault(FINDINGS_KEY, [])
    return Hunts(verify, gate.seed, gate.examples, findings=findings, test=request.node.nodeid)


# --- the gate's summary -----------------------------------------------------------------------------


def gate_summary(session: pytest.Session) -> dict[str, Any]:
    """sdk-summary.json: the client, each SDK requirement's status with its evidence, the verdict."""
    state = conformance_session(session.config)
    recorder = state.recorder
    options = session.config.stash.get(GATE_KEY, None)
    client = session.config.stash.get(CLIENT_KEY, None) or ({"name": options.client, "faults": list(options.faults)} if options else {})
    requirements, counts = [], {"PASS": 0, "FAIL": 0, "WARN": 0, "NOT_TESTED": 0}
    for requirement in load_sdk_catalogue().values():
        status, reason = recorder.status_of(requirement)
        counts[status] = counts.get(status, 0) + 1
        requirements.append({
            "id": requirement.id, "level": requirement.level, "text": requirement.text, "source": requirement.source,
            "ambiguity": requirement.ambiguity, "status": status, "reason": reason,
            "evidence": list(recorder.problems.get(requirement.id, [])),
        })
    server = sorted(requirement_id for requirement_id in recorder.problem_counts
                    if not requirement_id.startswith("SDK-") and recorder.problem_counts[requirement_id])
    findings = _distinct_findings(session.config.stash.get(FINDINGS_KEY, []))
    tests = [{"nodeid": record.nodeid, "outcome": record.outcome, "requirements": record.requirements,
              "message": record.message, "duration_s": record.duration_s} for record in recorder.tests.values()]
    errored = any(test["outcome"] == "error" for test in tests)
    skipped = [test for test in tests if test["outcome"] == "skipped"]  # budget, unavailable target, ...
    if counts["FAIL"]:
        verdict, exit_code = "NONCONFORMANT", 1
    elif server or errored or skipped or recorder.could_not_test or counts["NOT_TESTED"]:
        verdict, exit_code = "INCOMPLETE", 2
    else:
        verdict, exit_code = "CONFORMANT", 0
    return {
        "schema_version": SUMMARY_SCHEMA_VERSION,
        "client": client,
        "target": {"base_url": state.target.mask(state.base_url) if state._target else state.config.base_url,
                   "embedded_mock": state.config.embedded},
        "seed": state.config.seed,
        "examples_per_hunt": options.examples if options else None,
        "verdict": verdict,
        "exit_code": exit_code,
        "counts": counts,
        "requirements": requirements,
        "findings": findings,
        "server_requirements_failed": server,
        "could_not_test": recorder.could_not_test,
        "tests": tests,
    }


def _distinct_findings(found) -> list[dict[str, Any]]:
    """Every distinct (requirement, problem) a hunt found, with the smallest minimal example seen
    for it and where it was seen. Masking is not needed: hunts see generated values only."""
    distinct: dict[tuple[str, str], dict[str, Any]] = {}
    for finding in found:
        key = (finding.requirement, finding.cause or finding.message)
        entry = distinct.get(key)
        if entry is None:
            distinct[key] = {"requirement": finding.requirement, "cause": key[1], "problem": finding.message,
                             "example": finding.example, "seen_in": [f"{finding.test} [{finding.label}]"]}
        else:
            entry["seen_in"].append(f"{finding.test} [{finding.label}]")
            if len(finding.example) < len(entry["example"]):
                entry["example"], entry["problem"] = finding.example, finding.message
    order = list(load_sdk_catalogue())
    return sorted(distinct.values(), key=lambda entry: (order.index(entry["requirement"]), len(entry["example"])))


def gate_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    path = session.config.getoption("--sdk-summary-json")
    if not path:
        return
    summary = gate_summary(session)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
