"""The findings a report shows first for a requirement: the shortest sequence of exchanges."""

from conformance.recording import Recorder, TestRecord
from conformance.summary import _shortest_first, _with_sequence


def test_the_shortest_sequence_is_shown_first_and_equals_keep_the_run_s_order():
    recorder = Recorder()
    recorder.tests["test_caps.py::test_cap"] = TestRecord("test_caps.py::test_cap", "cap", [], exchanges=list(range(1, 13)))
    recorder.tests["test_read_delete.py::test_get"] = TestRecord("test_read_delete.py::test_get", "get", [], exchanges=[20])
    recorder.tests["test_create.py::test_create"] = TestRecord("test_create.py::test_create", "create", [], exchanges=[21])
    found = [{"test": "test_caps.py::test_cap", "sequence": 12}, {"test": "test_read_delete.py::test_get", "sequence": 20},
             {"test": "test_create.py::test_create", "sequence": 21}, {"test": "test_create.py::test_create", "sequence": None}]
    shown = _shortest_first([_with_sequence(entry, recorder) for entry in found])
    assert [(entry["test"], len(entry["sequence_of_exchanges"])) for entry in shown] == [
        ("test_read_delete.py::test_get", 1), ("test_create.py::test_create", 1), ("test_caps.py::test_cap", 12),
        ("test_create.py::test_create", 0)]
