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


def portfolio_pages(sizes: tuple[int, ...] = (100, 400)) -> None:
    """Render time of the portfolio pages (dashboard, customer index, risk view, people) against
    portfolio size: the model is loaded once per size, then only these families are timed."""
    import datetime as dt

    from conftest import REPO, varied_portfolio
    from handbook.data.loader import Project, load_project
    from handbook.pages import dashboard, people, projects, risks

    print("\n| customers | people | portfolio pages | render s | ms/customer |")
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
            print(f"| {n + 1} | {len(made) - 3} | {len(made)} | {seconds:.2f} | {1000 * seconds / (n + 1):.1f} |",
                  flush=True)


def main() -> None:
    """Print the alias-bomb refusal, then one table row per (portfolio size, navigation mode)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,400", help="comma-separated customer counts")
    parser.add_argument("--portfolio-only", action="store_true", help="only time the portfolio pages")
    args = parser.parse_args()
    if args.portfolio_only:
        portfolio_pages()
        return
    size, ms, kb = alias_bomb()
    print(f"alias bomb of {size} bytes: refused in {ms:.2f} ms, peak memory {kb} KB\n")
    print("| customers | nav | pages | build s | ms/page | customer page KB |")
    print("| ---: | --- | ---: | ---: | ---: | ---: |")
    for n in (int(x) for x in args.sizes.split(",")):
        for scoped in (True, False):
            seconds, pages, size = measure(n, scoped)
            print(f"| {n + 1} | {'scoped' if scoped else 'full'} | {pages} | {seconds:.1f} | "
                  f"{1000 * seconds / pages:.1f} | {size / 1024:.0f} |", flush=True)
    portfolio_pages()


if __name__ == "__main__":
    main()
