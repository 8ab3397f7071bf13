"""The ledger: every created id on disk at once, bound to its run; a tampered file is refused whole."""

import json

import pytest

from conformance.ledger import Ledger, LedgerError


def test_an_id_is_on_disk_the_moment_it_is_created_with_its_type(tmp_path):
    path = tmp_path / "ledger.json"
    ledger = Ledger(path, base_url="http://127.0.0.1:4010", run_tag="scABC123")
    ledger.add("seg_1", kind="passive")
    data = json.loads(path.read_text())
    assert data["base_url"] == "http://127.0.0.1:4010" and data["run_tag"] == "scABC123"
    assert data["created"][0]["id"] == "seg_1" and data["created"][0]["type"] == "passive"
    ledger.remove("seg_1")
    assert "seg_1" in ledger and ledger.open_ids() == []  # known as ours for good; no longer open
    ledger.save()
    assert json.loads(path.read_text())["created"] == []


def test_open_ids_by_type_count_the_dynamic_cap():
    ledger = Ledger(None)
    for segment_id, kind in (("a", "static"), ("b", "passive"), ("c", "auto-update")):
        ledger.add(segment_id, kind=kind)
    assert sorted(ledger.open_of_types({"passive", "auto-update"})) == ["b", "c"]


@pytest.mark.parametrize("content, message", [
    ("not json", "not JSON"),
    ('{"version": 9, "created": []}', "not a segments-conformance ledger"),
    ('{"version": 2, "created": [{"no_id": 1}]}', "without a string id"),
])
def test_a_file_that_is_not_a_ledger_is_refused_whole(tmp_path, content, message):
    path = tmp_path / "ledger.json"
    path.write_text(content)
    with pytest.raises(LedgerError, match=message):
        Ledger.load(path)


def test_a_ledger_is_loaded_as_it_was_written(tmp_path):
    path = tmp_path / "ledger.json"
    written = Ledger(path, base_url="http://127.0.0.1:4010", run_tag="scABC123")
    written.add("seg_1")
    loaded = Ledger.load(path)
    assert (loaded.base_url, loaded.run_tag, loaded.open_ids()) == ("http://127.0.0.1:4010", "scABC123", ["seg_1"])


def test_creates_at_once_share_writes_and_each_returns_with_its_id_on_disk(tmp_path, monkeypatch):
    """A group commit: the cap's creates answered together cost a few writes, not one each, and
    no add returns before the file holds its id."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from conformance import outputs

    writes: list[str] = []
    write_text = outputs.write_text

    def slow_write(path, text):
        time.sleep(0.01)  # a write long enough for the other creates to arrive meanwhile
        written = write_text(path, text)
        writes.append(text)
        return written

    monkeypatch.setattr(outputs, "write_text", slow_write)
    path = tmp_path / "ledger.json"
    ledger = Ledger(path)
    missing: list[str] = []
    lock = threading.Lock()

    def create(index: int) -> None:
        segment_id = f"seg_{index}"
        ledger.add(segment_id, kind="passive")
        on_disk = {entry["id"] for entry in json.loads(path.read_text())["created"]}
        if segment_id not in on_disk:
            with lock:
                missing.append(segment_id)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(create, range(40)))
    assert missing == []
    assert len(writes) < 40
    assert len(json.loads(path.read_text())["created"]) == 40
