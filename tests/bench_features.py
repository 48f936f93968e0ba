"""`make bench`'s smaller parts: what single features cost (alias bomb, leak scan, diff, portfolio
pages); `tests/bench.py` runs them after the issue-14 rows."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from conftest import fixture_mkdocs_yml, portfolio


def alias_bomb() -> dict:
    """Size, refusal time and peak traced memory of loading a billion-laughs style alias bomb."""
    import tracemalloc

    from handbook.data.yaml_source import load_yaml
    from handbook.errors import ProblemLog

    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 4)}]\n" for i in range(9))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bomb.yml"
        path.write_text(bomb, encoding="utf-8")
        tracemalloc.start()
        started = time.perf_counter()
        problems = ProblemLog()
        assert load_yaml(path, Path(tmp), problems) is None and problems.problems
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return {"bytes": len(bomb.encode()), "ms": 1000 * seconds, "peak_kb": peak // 1024}


def portfolio_pages(sizes: tuple[int, ...] = (100, 400)) -> list[dict]:
    """Render time of the portfolio pages (dashboard, customer index, risk view, people) against
    portfolio size: the model is loaded once per size, then only these families are timed."""
    import datetime as dt

    from conftest import REPO, varied_portfolio
    from handbook.data.loader import Project, load_project
    from handbook.pages import dashboard, people, projects, risks

    results = []
    print("| customers | people | portfolio pages | render s | ms/customer |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    today = dt.date(2026, 11, 28)
    for n in (10, *sizes):  # the first size only warms up the template cache
        with tempfile.TemporaryDirectory() as tmp:
            root = varied_portfolio(Path(tmp) / "proj", n, today)
            model = load_project(Project(root, root / "project_data", root / "content"), as_of=today)
            started = time.perf_counter()
            made = dashboard.pages(model, REPO / "site_templates") + risks.pages(model, REPO / "site_templates") \
                + people.pages(model, REPO / "site_templates") + [projects.index_page(model, REPO / "site_templates")]
            seconds = time.perf_counter() - started
            if n not in sizes:
                continue
            results.append({"customers": n + 1, "people": len(made) - 3, "pages": len(made), "seconds": seconds})
            print(f"| {n + 1} | {len(made) - 3} | {len(made)} | {seconds:.2f} | {1000 * seconds / (n + 1):.1f} |",
                  flush=True)
    return results


def bundle_cost(n: int) -> tuple[float, float, float, int]:
    """One customer's offline bundle in a portfolio of `n` (at least 3) more customers: seconds to load the
    data and index every customer's text (once per run), seconds for the bundle itself (build,
    checks, zip), milliseconds of its leak scan alone, and the number of tokens indexed."""
    import shutil
    import zipfile

    from handbook.deliver.bundle import BundleRun, build_bundle, leak_scan_for

    with tempfile.TemporaryDirectory() as tmp:
        root = portfolio(Path(tmp) / "proj", n)
        fixture_mkdocs_yml(root)
        started = time.perf_counter()
        run = BundleRun.load(root)
        setup = time.perf_counter() - started
        build_bundle(root, "acme", root / "dist", run=run)  # warm: imports, theme, jieba
        bundle = scan_ms = float("inf")  # the best of three: the machine is shared
        for customer in ("c0000", "c0001", "c0002"):
            started = time.perf_counter()
            archive = build_bundle(root, customer, root / "dist", run=run)
            bundle = min(bundle, time.perf_counter() - started)
            with zipfile.ZipFile(archive) as z:
                z.extractall(root / "unzipped")
            site = next((root / "unzipped").iterdir())
            scan = leak_scan_for(run.project, customer, run)
            started = time.perf_counter()
            assert scan.scan(site) == []
            scan_ms = min(scan_ms, 1000 * (time.perf_counter() - started))
            shutil.rmtree(root / "unzipped")
        return setup, bundle, scan_ms, len(run.index.owners)


def diff_timing(n: int) -> tuple[float, float, int]:
    """Seconds to load one side, milliseconds to compare, and changes found, for `n` customers whose
    every record changed (one defect title each) plus one reworded task."""
    from conftest import portfolio
    from handbook.data.diff import compare
    from handbook.data.loader import Project, load_project

    with tempfile.TemporaryDirectory() as tmp:
        base_root = portfolio(Path(tmp) / "base", n)
        started = time.perf_counter()
        base = load_project(Project.at(base_root))
        load_seconds = time.perf_counter() - started
        head_root = portfolio(Path(tmp) / "head", 0)
        acme = (head_root / "project_data/customers/acme.yml").read_text(encoding="utf-8")
        for path in (base_root / "project_data/customers").glob("c*.yml"):
            (head_root / path.relative_to(base_root)).write_text(
                path.read_text(encoding="utf-8").replace("title: 无法登录", "title: 无法登录系统"), encoding="utf-8")
        (head_root / "project_data/customers/acme.yml").write_text(acme, encoding="utf-8")
        phases = head_root / "project_data/phases.yml"
        phases.write_text(phases.read_text(encoding="utf-8").replace("title: 启动会", "title: 项目启动会"), encoding="utf-8")
        head = load_project(Project.at(head_root))
        started = time.perf_counter()
        changes = compare(base, head)
        return load_seconds, 1000 * (time.perf_counter() - started), len(changes.changes)
