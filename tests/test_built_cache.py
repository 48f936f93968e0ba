"""The cache of built customers: a warm load answers exactly as a load without cache, after any edit."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import pytest

from handbook.data import customers as customers_module
from handbook.data.built_cache import marks_loader
from handbook.data.cache import FOLDER, entry_key
from handbook.data.loader import Project, load_project
from handbook.errors import HandbookError, Source

REPO = Path(__file__).resolve().parent.parent
HUAJIAN = "project_data/customers/huajian-group.yml"


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A writable copy of the sample project (three customers: operations, a signed record, FAQ)."""
    root = tmp_path / "sample"
    for name in ("project_data", "content"):
        shutil.copytree(REPO / name, root / name)
    return root


@pytest.fixture
def builds(monkeypatch) -> list[str]:
    """The IDs of the customers built from their files (not taken from the cache), in order."""
    built: list[str] = []
    original = customers_module.CustomerReader.customer

    def counting(self, doc, cid, *args, **kwargs):
        built.append(cid)
        return original(self, doc, cid, *args, **kwargs)

    monkeypatch.setattr(customers_module.CustomerReader, "customer", counting)
    return built


def _sources(value, found: list[str], seen: set[int]) -> list[str]:
    """Every customer record's source position (its own and its fields'), walking the model."""
    if id(value) in seen:
        return found
    seen.add(id(value))
    if isinstance(value, Source):
        if value.file.startswith("project_data/customers/"):
            found.append(f"{value.file}{value.path} {value.where} {value.at()}")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            _sources(getattr(value, f.name), found, seen)
    elif isinstance(value, (tuple, list)):
        for item in value:
            _sources(item, found, seen)
    return found


def _state(root: Path, as_of: dt.date | None = None):
    """What a load of `root` gives: every problem, or the model and every customer record's positions."""
    try:
        model = load_project(Project.at(root), as_of)
    except HandbookError as error:
        return [str(p) for p in error.problems]
    return model, _sources(model.customers, [], set())


def _cold(root: Path, tmp_path: Path, as_of: dt.date | None = None):
    """The same load of a copy of `root` that has no cache."""
    copy = tmp_path / "cold"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(FOLDER))
    return _state(copy, as_of)


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {rel}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_unchanged_customers_come_built_with_their_positions(sample: Path, tmp_path: Path, builds: list[str]) -> None:
    first = _state(sample)
    assert builds == ["huajian-group", "kangning-hospital", "ruifeng-mfg"]
    edit(sample, HUAJIAN, "industry: 建筑施工", "industry: 建筑与施工")
    builds.clear()
    warm = _state(sample)
    assert builds == ["huajian-group"], "only the edited customer is built again"
    assert warm == _cold(sample, tmp_path)
    model, positions = warm
    assert model.customers[0].industry.startswith("建筑与施工") and model.customers[1:] == first[0].customers[1:]
    assert len(positions) > 250 and any("ruifeng-mfg.yml('operations'," in p for p in positions)


def test_an_edit_that_breaks_one_customer_is_reported_as_without_cache(sample: Path, tmp_path: Path,
                                                                     builds: list[str]) -> None:
    _state(sample)
    edit(sample, HUAJIAN, "current_phase: deployment", "current_phase: go-live")
    builds.clear()
    warm = _state(sample)
    assert builds == ["huajian-group"]
    assert warm == _cold(sample, tmp_path)
    assert any("huajian-group.yml:43:16: unknown phase 'go-live'" in p for p in warm), warm
    edit(sample, HUAJIAN, "current_phase: go-live", "current_phase: deployment")
    assert _state(sample) == _cold(sample, tmp_path)
    assert isinstance(_state(sample), tuple)


def test_a_shared_file_edit_rebuilds_every_customer(sample: Path, tmp_path: Path, builds: list[str]) -> None:
    _state(sample)
    edit(sample, "project_data/phases.yml", "name: 项目启动与前期准备", "name: 项目启动")
    builds.clear()
    warm = _state(sample)
    assert sorted(builds) == ["huajian-group", "kangning-hospital", "ruifeng-mfg"]
    assert warm == _cold(sample, tmp_path)
    assert all(c.phases[0].phase.name == "项目启动" for c in warm[0].customers)
    # A change every customer's records depend on: a task ID they all report on disappears.
    text = (sample / "project_data/phases.yml").read_text(encoding="utf-8")
    task = next(line.split("id: ")[1] for line in text.splitlines() if line.startswith("      - id: "))
    edit(sample, "project_data/phases.yml", f"      - id: {task}\n", f"      - id: {task}-renamed\n")
    warm = _state(sample)
    assert warm == _cold(sample, tmp_path)
    assert isinstance(warm, list) and any(f"unknown task of phase 'initiation' '{task}'" in p for p in warm), warm


def test_the_day_is_part_of_the_key(sample: Path, tmp_path: Path, builds: list[str]) -> None:
    edit(sample, HUAJIAN, "        date: 2026-10-16\n", "        date: 2026-11-28\n")
    day = dt.date(2026, 11, 28)
    assert isinstance(_state(sample, day), tuple)
    builds.clear()
    before = _state(sample, day - dt.timedelta(days=1))
    assert "huajian-group" in builds
    assert before == _cold(sample, tmp_path, day - dt.timedelta(days=1))
    assert any("2026-11-28 is in the future (today is 2026-11-27)" in p for p in before), before
    after = _state(sample, day + dt.timedelta(days=1))
    assert after == _cold(sample, tmp_path, day + dt.timedelta(days=1))
    assert after[0].as_of == day + dt.timedelta(days=1)


def test_a_new_customer_repeating_a_cached_customers_faq_id_is_reported(sample: Path, tmp_path: Path) -> None:
    _state(sample)
    text = (sample / HUAJIAN).read_text(encoding="utf-8")
    (sample / "project_data/customers/aaa-copy.yml").write_text(text.replace("name: ", "name: 副本", 1), encoding="utf-8")
    warm = _state(sample)
    assert warm == _cold(sample, tmp_path)
    assert any("huajian-group.yml:336:" in p and "duplicate FAQ entry ID 'huajian-subcontractor-settlement' "
               "(first defined at project_data/customers/aaa-copy.yml:336:" in p for p in warm), warm


def test_a_file_problem_is_never_hidden_by_the_cache(sample: Path, tmp_path: Path) -> None:
    edit(sample, HUAJIAN, "industry: 建筑施工", "industry: 建筑施工 #总承包")
    cold = _state(sample)
    assert any("huajian-group.yml:4:16: value '建筑施工' is cut short by '#总承包" in p for p in cold), cold
    assert _state(sample) == cold == _cold(sample, tmp_path)


@pytest.mark.parametrize("damage", [
    lambda b: b[: len(b) // 2],                  # half-written
    lambda b: b[:8] + bytes(reversed(b[8:])),    # corrupt payload
    lambda b: b"",                               # empty
    lambda b: b[:8] + b[8:72] + b"\x80\x05garbage",  # right key, CRC and pickle both wrong
])
def test_damaged_built_entries_are_rebuilt_not_trusted(sample: Path, tmp_path: Path, builds: list[str], damage) -> None:
    _state(sample)
    entries = sorted(p for p in (sample / FOLDER / "built").rglob("*") if p.is_file())
    assert len(entries) == 3
    for entry in entries:
        entry.write_bytes(damage(entry.read_bytes()))
    builds.clear()
    warm = _state(sample)
    assert sorted(builds) == ["huajian-group", "kangning-hospital", "ruifeng-mfg"]
    assert warm == _cold(sample, tmp_path)


def test_positions_of_a_built_customer_survive_a_lost_file_entry(sample: Path, tmp_path: Path) -> None:
    _state(sample)
    shutil.rmtree(sample / FOLDER / "files")  # positions are then read from the file itself
    assert _state(sample) == _cold(sample, tmp_path)


def test_positions_of_a_file_changed_since_are_not_guessed(sample: Path) -> None:
    raw = (sample / HUAJIAN).read_bytes()
    load = marks_loader(sample, HUAJIAN, "customer", entry_key(HUAJIAN, "customer", raw))
    (sample / HUAJIAN).write_bytes(raw.replace("建筑施工".encode(), "建筑".encode(), 1))
    assert load() is None  # no entry, and the file holds other bytes: every position is then 1:1
    (sample / HUAJIAN).write_bytes(raw)
    assert load()[1]["industry"] is not None


def test_pages_from_built_customers_are_the_pages_of_a_load_without_cache(sample: Path, tmp_path: Path,
                                                                        builds: list[str]) -> None:
    """What `build`, `serve` and `bundle` make from a warm load: the same text and the same edit-link lines."""
    from handbook.pages.registry import generate

    def pages(model):
        return [(p.path, p.title, p.markdown, [str(s) for s in p.sources]) for p in generate(model, REPO / "site_templates")]

    _state(sample)
    builds.clear()
    warm, _ = _state(sample)
    assert builds == []
    cold, _ = _cold(sample, tmp_path)
    made = pages(warm)
    assert made == pages(cold)
    assert any(s.startswith("project_data/customers/ruifeng-mfg.yml:") and not s.endswith(":1:1")
               for *_, sources in made for s in sources)
