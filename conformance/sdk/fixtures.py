"""The gate's fixtures and parametrization, beside the conformance plugin's.

Taken in by conformance/sdk/suite/conftest.py. Tests use the plugin's `verify`, `target`, `names`
and `conformance`, and these: `client` (the client under test, configured on the relay), `relay`,
`answers` and `answers_client` (the same client, configured on the answer server), `sequence` and
`sequence_client` (the scripted answer server, and a fresh instance of the client on it),
`client_factory` (another instance, other credentials), `hunts` (hypothesis searches that record
findings with their minimal examples) and `gate` (the options). The options themselves (--client,
--client-fault, --sdk-examples) are declared with every other in conformance/options.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from conformance.contract import Contract
from conformance.keys import run_of
from conformance.sdk.adapter import SegmentsClient, client_class, make_client
from conformance.sdk.values import declared_segment_fields
from conformance.sdk.hunting import Hunts

__all__ = ["gate", "relay", "client", "client_factory", "answers", "answers_client", "sequence", "sequence_client", "hunts",
           "pytest_generate_tests"]


@dataclass(frozen=True)
class GateOptions:
    client: str
    faults: tuple[str, ...]
    examples: int
    seed: int
    document: Contract  # the run's effective document (`--spec` included): what clients are judged by

    @property
    def adapter_class(self) -> type[SegmentsClient]:
        return client_class(self.client)

    @property
    def declared(self) -> frozenset[str]:
        """The Segment members the run's document declares."""
        return declared_segment_fields(self.document)


_OPTIONS = pytest.StashKey[GateOptions]()


def _options(config: pytest.Config) -> GateOptions:
    """The gate's options, kept in the session's stash beside the conformance run they come from
    (conformance.keys): no module global, so two runs in one process never see each other's."""
    if _OPTIONS not in config.stash:
        run = run_of(config)
        config.stash[_OPTIONS] = GateOptions(run.settings.client, tuple(run.settings.client_fault), run.settings.sdk_examples,
                                             run.seed, run.contract)
    return config.stash[_OPTIONS]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`way` and `serializer` are the client's own: each way it offers to build a create request,
    each serializer it offers for a Segment."""
    adapter = client_class(_options(metafunc.config).client)
    if "way" in metafunc.fixturenames:
        metafunc.parametrize("way", adapter.ways)
    if "serializer" in metafunc.fixturenames:
        metafunc.parametrize("serializer", adapter.segment_serializers)


# --- fixtures ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def gate(pytestconfig: pytest.Config) -> GateOptions:
    return _options(pytestconfig)


@pytest.fixture(scope="session")
def relay(target):
    from conformance.sdk.relay import Relay

    with Relay(target) as running:
        yield running


@pytest.fixture(scope="session")
def client_factory(gate: GateOptions, conformance):
    """make(base_url, app_id, app_token): a new instance of the client under test, configured."""
    made: list[SegmentsClient] = []

    def make(base_url: str, app_id: str, app_token: str) -> SegmentsClient:
        instance = make_client(gate.client, gate.faults)
        instance.configure(base_url, app_id, app_token)
        made.append(instance)
        conformance.client = {**instance.describe(), "faults": list(gate.faults)}
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


@pytest.fixture(scope="session")
def sequence():
    from conformance.sdk.sequence import SequenceServer

    with SequenceServer() as running:
        yield running


@pytest.fixture
def sequence_client(gate: GateOptions, sequence, conformance):
    """A new instance of the client under test, with its default options, on the scripted server
    (one per test: a call abandoned by one test must not hold the next one's client)."""
    instance = make_client(gate.client, gate.faults)
    instance.configure(sequence.url, sequence.credentials.app_id, sequence.credentials.app_token)
    conformance.client = {**instance.describe(), "faults": list(gate.faults)}
    yield instance
    instance.close()


@pytest.fixture
def hunts(verify, gate: GateOptions, request: pytest.FixtureRequest):
    """Hypothesis searches for the test. The test ends with `hunts.finish()`, which fails it with
    every MUST violation its hunts found (each is recorded already, as it is found)."""
    return Hunts(verify, gate.seed, gate.examples, test=request.node.nodeid)
