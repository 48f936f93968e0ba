"""`handbook validate` of unchanged customers from their stored summaries, and customers built in
worker processes: both must answer exactly as a load of every customer in one process does."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from handbook import load as load_module
from handbook.cli import main
from handbook.data import built_cache, customer_workers, reading
from handbook.data.cache import FOLDER
from handbook.data.loader import Project, load_project
from handbook.errors import HandbookError
from handbook.pages import registry
from test_built_cache import HUAJIAN, _cold, _state, edit, sample  # noqa: F401,F811 (fixture)

REPO = Path(__file__).resolve().parent.parent


def _keys(routes) -> set:
    return {(r.path, r.owner.kind if r.owner else None, r.owner.id if r.owner else None, r.customer) for r in routes}


@pytest.mark.parametrize("family", registry.FAMILIES, ids=lambda f: f.__name__.rsplit(".", 1)[-1])
def test_every_familys_routes_are_its_routes_without_customers_plus_each_customers(family, sample: Path) -> None:
    """The contract `registry.customer_routes` rests on: a family's routes for the internal model
    are its routes with no customer plus, per customer, those of a model holding that one alone."""
    model = load_project(Project.at(sample))
    shared = replace(model, customers=())
    whole = family.owned_routes(model)
    assert len(whole) == len(_keys(whole)), "a family lists a route twice"
    parts = _keys(family.owned_routes(shared)).union(
        *(_keys(family.owned_routes(replace(shared, customers=(c,)))) for c in model.customers))
    assert _keys(whole) == parts
    assert _keys(registry.all_routes(model)) == _keys(registry.all_routes(shared)).union(
        *(set(registry.customer_routes(shared, c)) for c in model.customers))


def _validate(root: Path, capsys) -> tuple[int, str]:
    load_module._memo.clear()
    try:
        code = main(["--project", str(root), "validate"])
    except SystemExit as stop:  # pragma: no cover - main returns its code
        code = stop.code
    out = capsys.readouterr()
    return code, out.out + out.err


def _no_unpickling(monkeypatch) -> list[str]:
    """Record (instead of performing) every unpickling of a stored customer."""
    unpickled: list[str] = []
    real = built_cache.BuiltCache.decode

    def counting(self, key, blob, positions):
        unpickled.append(key)
        return real(self, key, blob, positions)

    monkeypatch.setattr(built_cache.BuiltCache, "decode", counting)
    return unpickled


def test_validate_reads_summaries_not_customers(sample: Path, capsys, monkeypatch) -> None:
    assert _validate(sample, capsys) == (0, "ok: 5 phases, 7 roles, 12 training modules, 25 FAQ entries, 3 customers\n")
    assert len(_entries(sample, "facts")) == 3 and _entries(sample, "built") == []  # validate stores no customer
    load_module.load(Project.at(sample))  # a build stores them built, and keeps their facts
    assert len(_entries(sample, "facts")) == 3 and len(_entries(sample, "built")) == 3
    unpickled = _no_unpickling(monkeypatch)
    edit(sample, HUAJIAN, "industry: 建筑施工", "industry: 建筑与施工")
    assert _validate(sample, capsys)[0] == 0
    assert unpickled == [], "an unchanged customer was unpickled by validate"
    load_module._memo.clear()
    model = load_module.load(Project.at(sample))  # the edited customer built again, the others unpickled
    assert len(unpickled) == 2 and model.customers[0].industry.startswith("建筑与施工")
    assert len(_entries(sample, "facts")) == 3 and len(_entries(sample, "built")) == 3


def _entries(root: Path, part: str) -> list[Path]:
    return sorted(p for p in (root / FOLDER / part).rglob("*/*") if p.is_file())


def test_a_content_page_landing_on_a_cached_customers_page_is_reported(sample: Path, tmp_path: Path, capsys) -> None:
    assert _validate(sample, capsys)[0] == 0
    page = sample / "content/customers/ruifeng-mfg/acceptance.md"
    page.parent.mkdir(parents=True)
    page.write_text("# 手写的验收页\n", encoding="utf-8")
    code, out = _validate(sample, capsys)
    expected = ("project_data/customers/ruifeng-mfg.yml:2:1: customer 'ruifeng-mfg' would generate "
                "customers/ruifeng-mfg/acceptance.md, which collides with content/customers/ruifeng-mfg/acceptance.md")
    assert code == 1 and expected in out, out
    with pytest.raises(HandbookError) as cold:  # what a load of every customer, without any cache, says
        load_module._memo.clear()
        shutil.rmtree(sample / FOLDER)
        load_module.load(Project.at(sample))
    assert expected in [str(p) for p in cold.value.problems]


def test_a_new_customer_repeating_a_summarized_customers_faq_id_is_reported(sample: Path, capsys) -> None:
    assert _validate(sample, capsys)[0] == 0
    text = (sample / HUAJIAN).read_text(encoding="utf-8")
    (sample / "project_data/customers/zz-copy.yml").write_text(text.replace("name: ", "name: 副本", 1), encoding="utf-8")
    code, out = _validate(sample, capsys)
    assert code == 1
    assert ("project_data/customers/zz-copy.yml:336:9: duplicate FAQ entry ID 'huajian-subcontractor-settlement' "
            "(first defined at project_data/customers/huajian-group.yml:336:9)") in out, out


@pytest.mark.parametrize("damage", [lambda b: b[: len(b) // 2], lambda b: b[:8] + bytes(reversed(b[8:])), lambda b: b""])
def test_damaged_summaries_are_rebuilt_not_trusted(sample: Path, capsys, damage) -> None:
    assert _validate(sample, capsys)[0] == 0
    for entry in (sample / FOLDER / "facts").rglob("*/*"):
        entry.write_bytes(damage(entry.read_bytes()))
    assert _validate(sample, capsys) == (0, "ok: 5 phases, 7 roles, 12 training modules, 25 FAQ entries, 3 customers\n")


def _many(root: Path, n: int) -> None:
    """`n` more customers cut from huajian-group, one of them broken in its own way."""
    text = (root / HUAJIAN).read_text(encoding="utf-8")
    for i in range(n):
        variant = text.replace("name: ", f"name: 副本{i}", 1).replace("huajian-", f"c{i}-")
        if i == 3:
            variant = variant.replace("industry: ", "industry: 施工 #3 ", 1)
        (root / f"project_data/customers/c{i:02d}.yml").write_text(variant, encoding="utf-8")


def _in_workers(monkeypatch) -> list[int]:
    """Build in worker processes from the first customer on; how many each pool built is recorded."""
    monkeypatch.setattr(reading, "PARALLEL_FROM", 1)
    monkeypatch.setattr(reading.os, "cpu_count", lambda: 2)
    made: list[int] = []
    real = customer_workers.build_in_workers

    def counting(*args):
        result = list(real(*args))
        made.append(len(result))
        return iter(result)

    monkeypatch.setattr(customer_workers, "build_in_workers", counting)
    return made


def test_customers_built_in_worker_processes_are_those_built_in_one(sample: Path, tmp_path: Path, monkeypatch,
                                                                     capsys) -> None:
    _many(sample, 5)
    one = _cold(sample, tmp_path)
    assert any("c03.yml:4:14: value '施工' is cut short by '#3 " in p for p in one), one
    made = _in_workers(monkeypatch)
    assert _state(sample) == one  # every problem, at the same place
    edit(sample, "project_data/customers/c03.yml", "industry: 施工 #3 ", "industry: ")
    workers = _state(sample)  # seven customers from the cache, the fixed one from a worker
    assert made == [8, 1], made
    monkeypatch.undo()
    assert workers == _cold(sample, tmp_path)  # the same model and every record's positions
    assert len(workers[0].customers) == 8
    shutil.rmtree(sample / FOLDER)
    made = _in_workers(monkeypatch)
    assert _validate(sample, capsys) == (0, "ok: 5 phases, 7 roles, 12 training modules, 25 FAQ entries, 8 customers\n")
    assert made == [8] and len(_entries(sample, "facts")) == 8  # stored by the workers


def test_a_worker_that_dies_leaves_its_customers_to_the_main_process(sample: Path, tmp_path: Path, monkeypatch) -> None:
    _many(sample, 5)
    one = _cold(sample, tmp_path)
    made = _in_workers(monkeypatch)
    monkeypatch.setattr(customer_workers, "_build", _die)  # the pool breaks on its first customer
    assert _state(sample) == one
    assert made == [0]


def _die(job):
    import os

    os._exit(3)
