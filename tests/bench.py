"""`make bench`: build time and page size against portfolio size, with and without scoped navigation.

Speed is shown here, never asserted in a test. Each run builds the minimal fixture project with N
synthetic customers (three pages each) and reports the wall time, the time per page and the HTML
size of one customer page.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import fixture_mkdocs_yml, portfolio  # noqa: E402
from handbook.site.build import build_site  # noqa: E402


def measure(n: int, scoped: bool) -> tuple[float, int, int]:
    """Seconds, pages and bytes of one customer page for a portfolio of `n` customers."""
    with tempfile.TemporaryDirectory() as tmp:
        root = portfolio(Path(tmp) / "proj", n)
        config = fixture_mkdocs_yml(root, scoped_nav=scoped)
        started = time.perf_counter()
        build_site(config, root / "site")
        seconds = time.perf_counter() - started
        pages = sum(1 for _ in (root / "site").rglob("*.html"))
        size = (root / "site/customers/acme/index.html").stat().st_size
        return seconds, pages, size


def alias_bomb() -> tuple[int, float, int]:
    """Size, refusal time (ms) and peak memory (KB) of loading a billion-laughs style alias bomb."""
    import tracemalloc

    from handbook.errors import ProblemLog
    from handbook.data.yaml_source import load_yaml

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
    return len(bomb.encode()), 1000 * seconds, peak // 1024


def diff_timing(n: int) -> tuple[float, float, int]:
    """Seconds to load one side, milliseconds to compare, and changes found, for `n` customers whose
    every record changed (one defect title each) plus one reworded task."""
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


def main() -> None:
    """Print the alias-bomb refusal, then one table row per (portfolio size, navigation mode)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,400", help="comma-separated customer counts")
    args = parser.parse_args()
    size, ms, kb = alias_bomb()
    print(f"alias bomb of {size} bytes: refused in {ms:.2f} ms, peak memory {kb} KB\n")
    print("| customers | load one side s | compare ms | changes |  (handbook diff: it loads two sides)")
    print("| ---: | ---: | ---: | ---: |")
    for n in (int(x) for x in args.sizes.split(",")):
        load_seconds, compare_ms, found = diff_timing(n)
        print(f"| {n + 1} | {load_seconds:.2f} | {compare_ms:.1f} | {found} |", flush=True)
    print()
    print("| customers | nav | pages | build s | ms/page | customer page KB |")
    print("| ---: | --- | ---: | ---: | ---: | ---: |")
    for n in (int(x) for x in args.sizes.split(",")):
        for scoped in (True, False):
            seconds, pages, size = measure(n, scoped)
            print(f"| {n + 1} | {'scoped' if scoped else 'full'} | {pages} | {seconds:.1f} | "
                  f"{1000 * seconds / pages:.1f} | {size / 1024:.0f} |", flush=True)


if __name__ == "__main__":
    main()
