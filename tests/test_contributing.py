"""CONTRIBUTING.md's recipes stay true: every file they name exists, and what they call generic
(read from the document) is: an operation added to a document is probed, protected and ledgered
with no other change."""

import copy
import inspect
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from conformance import contract as contract_module
from conformance.contract import Contract, is_item_path, vendor_bytes
from conformance.keys import RUN_KEY
from conformance.sdk import adapter
from conformance.suite import test_methods, test_operations
from conformance.target import fill_path

ROOT = Path(__file__).resolve().parents[1]
RECIPES = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
# Named by a recipe before it lands on this branch (issue #18's mutation run): allowed to be missing.
PENDING = {"scripts/mutation.py", "docs/mutation.md"}


def _named_paths():
    for name in re.findall(r"`([^`\s]+)`", RECIPES):
        if "/" in name and not name.startswith(("-", "@", "#", "--")) and re.search(r"\.\w+$|<[^>]+>", name):
            yield name


def test_the_recipes_name_files():
    assert len(list(_named_paths())) > 30


@pytest.mark.parametrize("name", sorted(set(_named_paths())))
def test_every_file_a_recipe_names_exists(name):
    if "<" in name:  # a new file: its folder exists
        assert (ROOT / name.split("<", 1)[0]).is_dir(), name
    elif name not in PENDING:
        assert (ROOT / name).is_file(), name


def test_every_registered_client_has_an_adapter():
    dispatch = inspect.getsource(adapter.make_client)
    assert all(f'"{name}"' in dispatch for name in adapter.CLIENTS)
    with pytest.raises(ValueError, match="unknown client"):
        adapter.make_client("no-such-client")


# --- a new operation: the generic parts read the document --------------------------------------------


@pytest.fixture(scope="module")
def with_new_operations():
    """The bundled document plus two operations of a made-up revision: a replace of one segment
    and a creating POST under it."""
    document = json.loads(vendor_bytes())
    item = document["paths"]["/v1/segments/{segmentId}"]
    item["put"] = {**copy.deepcopy(item["get"]), "operationId": "replace-segment"}
    document["paths"]["/v1/segments/{segmentId}/copies"] = {
        "parameters": copy.deepcopy(item.get("parameters", [])),
        "post": {**copy.deepcopy(document["paths"]["/v1/segments"]["post"]), "operationId": "copy-segment"},
    }
    return Contract(json.dumps(document).encode(), source="made-up revision")


class _Metafunc:
    def __init__(self, contract):
        run = SimpleNamespace(contract=contract)
        self.config = SimpleNamespace(stash={RUN_KEY: run})
        self.calls = []

    def parametrize(self, names, values):
        self.calls.append((names, values))


def test_a_new_operation_is_probed_as_served(with_new_operations):
    metafunc = _Metafunc(with_new_operations)
    test_operations.pytest_generate_tests(metafunc)
    ids = {param.id for param in metafunc.calls[0][1]}
    assert {"replace-segment", "copy-segment"} <= ids


def test_a_new_method_is_no_longer_probed_for_405_and_a_new_path_is(with_new_operations):
    metafunc = _Metafunc(with_new_operations)
    test_methods.pytest_generate_tests(metafunc)
    probes = {param.id for param in metafunc.calls[0][1]}
    assert "PUT /v1/segments/{segmentId}" not in probes
    assert "GET /v1/segments/{segmentId}/copies" in probes


def test_a_new_operation_is_read_for_creating_and_for_ids(with_new_operations):
    operations = {operation.operation_id: operation for operation in with_new_operations.operations}
    assert operations["copy-segment"].creates and not operations["replace-segment"].creates
    assert operations["copy-segment"].parameters == ("segmentId",)
    assert is_item_path(operations["replace-segment"].path) and not is_item_path(operations["copy-segment"].path)
    assert fill_path(operations["copy-segment"].path, {"segmentId": "a/b"}) == "/v1/segments/a%2Fb/copies"
    assert with_new_operations.path_template("/v1/segments/seg_1/copies") == "/v1/segments/{segmentId}/copies"


def test_the_properties_protect_every_path_parameter():
    from conformance.suite.test_properties import _only_our_segments

    case = SimpleNamespace(operation=SimpleNamespace(path="/v1/segments/{segmentId}/copies/{copyId}"),
                           path_parameters={"segmentId": "seg_ours", "copyId": "seg_theirs"})
    _only_our_segments(case, SimpleNamespace(ledger={"seg_ours"}))
    assert case.path_parameters == {"segmentId": "seg_ours", "copyId": "seg_theirs~not-ours"}
    collection = SimpleNamespace(operation=SimpleNamespace(path="/v1/segments"), path_parameters={})
    _only_our_segments(collection, SimpleNamespace(ledger=set()))
    assert collection.path_parameters == {}


def test_the_operations_ship_with_the_contract_module():
    assert contract_module.Operation.creates and contract_module.path_parameters("/a/{b}/c/{d}") == ("b", "d")
