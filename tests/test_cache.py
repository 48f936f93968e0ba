"""The cache of read and checked data files: same answers warm as cold, never a stale or corrupt entry."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from handbook.data import reading
from handbook.data.cache import FOLDER, FileCache, decode
from handbook.data.loader import Project, load_project
from handbook.errors import HandbookError
from test_loader import ACME, edit


def _outcome(root: Path) -> list[str]:
    try:
        model = load_project(Project.at(root))
    except HandbookError as error:
        return [str(p) for p in error.problems]
    return [f"ok {[c.name for c in model.customers]} {model.customers[0].phase('start').tasks[0].state}"]


def _entries(root: Path) -> list[Path]:
    return sorted(p for p in (root / FOLDER / "files").rglob("*") if p.is_file())


def test_warm_load_answers_like_cold_and_follows_edits(minimal: Path) -> None:
    edit(minimal, ACME, "industry: 建筑", "industry: 建筑\nindustry: 土木\nsla_tier: x")
    cold = _outcome(minimal)
    assert any("duplicate key 'industry'" in p for p in cold) and any("unknown key 'sla_tier'" in p for p in cold)
    assert len(_entries(minimal)) == 7  # six shared files and one customer
    assert _outcome(minimal) == cold
    edit(minimal, ACME, "industry: 建筑\nindustry: 土木\nsla_tier: x", "industry: 土木")
    assert _outcome(minimal)[0].startswith("ok ['艾克米集团']")
    assert len(_entries(minimal)) == 7, "the entry of the old text is pruned"


@pytest.mark.parametrize("damage", [
    lambda b: b[: len(b) // 2],                 # half-written
    lambda b: b[:8] + bytes(reversed(b[8:])),   # corrupt payload
    lambda b: b"",                              # empty
    lambda b: b"HBC1\0\0\0\0garbage",           # wrong checksum
])
def test_damaged_entries_are_rebuilt_not_trusted(minimal: Path, damage) -> None:
    edit(minimal, ACME, "industry: 建筑", "industry: 0123")
    cold = _outcome(minimal)
    for entry in _entries(minimal):
        entry.write_bytes(damage(entry.read_bytes()))
    shutil.rmtree(minimal / FOLDER / "built")  # else the customer comes built, its file entry unread
    assert _outcome(minimal) == cold
    cache = FileCache(minimal)
    assert all(decode(e.parent.name + e.name, e.read_bytes()) is not None for e in _entries(minimal))
    assert cache.folder.is_dir()


def test_an_entry_for_another_file_is_not_served(minimal: Path) -> None:
    before = _outcome(minimal)
    entries = _entries(minimal)
    blobs = [e.read_bytes() for e in entries]
    for entry, blob in zip(entries, blobs[1:] + blobs[:1]):  # every entry now holds its neighbour's payload
        entry.write_bytes(blob)
    assert _outcome(minimal) == before


def test_worker_processes_read_what_one_process_reads(minimal: Path, monkeypatch) -> None:
    text = (minimal / ACME).read_text(encoding="utf-8")
    for i in range(6):
        variant = text.replace("name: 艾克米集团", f"name: 客户{i}")
        if i == 3:
            variant = variant.replace("industry: 建筑", "industry: 建筑 #2")
        (minimal / f"project_data/customers/c{i}.yml").write_text(variant, encoding="utf-8")
    serial = _outcome(minimal)
    for entry in _entries(minimal):
        entry.unlink()
    monkeypatch.setattr(reading, "PARALLEL_FROM", 1)
    monkeypatch.setattr(reading.os, "cpu_count", lambda: 2)
    assert _outcome(minimal) == serial
    assert any("c3.yml:3:14: value '建筑' is cut short by '#2'" in p for p in serial), serial


def test_a_customer_file_saved_during_a_load_is_checked_and_keyed_as_read_then(minimal: Path) -> None:
    from handbook.data.cache import entry_key

    path = minimal / ACME
    [read] = reading.read_files(minimal, [(path, "customer")])
    assert read.raw == b"" and read.key  # a customer's bytes are hashed, not held: read again when needed
    before = read.key
    path.write_text(path.read_text(encoding="utf-8").replace("name: 艾克米集团", "name: 艾克米控股"), encoding="utf-8")
    [(doc, problems)] = list(reading.read_checked(minimal, [read]))
    assert doc[1]["name"] == "艾克米控股" and problems == []
    assert read.key != before and read.key == entry_key(ACME, "customer", path.read_bytes())
    path.unlink()
    read.key = before
    with pytest.raises(HandbookError, match="moved or deleted during the load"):
        list(reading.read_checked(minimal, [read]))
