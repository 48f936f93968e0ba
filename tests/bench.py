"""`make bench`: build time and page size against portfolio size, with and without scoped navigation.

Speed is shown here, never asserted in a test. Each run builds the minimal fixture project with N
synthetic customers (three pages each) and reports the wall time, the time per page and the HTML
size of one customer page.
"""

from __future__ import annotations

import argparse
import re
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


def bench_serve_reload(n: int = 100, edits: int = 3) -> None:
    """Print how long a saved customer file takes to reach the served page, with the whole handbook
    served and with `--customer` (that customer's bundle only), for a portfolio of `n` customers."""
    from live_server import fetch, serving, wait_for

    print(f"\n| serve, {n + 1} customers | first build s | reload after a save s (median of {edits}) |")
    print("| --- | ---: | ---: |")
    for args in ((), ("--customer", "acme")):
        with tempfile.TemporaryDirectory() as tmp:
            root = portfolio(Path(tmp) / "proj", n)
            fixture_mkdocs_yml(root)
            acme = root / "project_data/customers/acme.yml"
            started = time.perf_counter()
            with serving(root, *args) as server:
                ready = time.perf_counter() - started
                page = server.url + "customers/acme/"
                fetch(page)
                times = []
                for i in range(edits):
                    name = f"艾克米集团第{i}版"
                    text = acme.read_text(encoding="utf-8")
                    acme.write_text(re.sub(r"(?m)^name: .*$", f"name: {name}", text, count=1), encoding="utf-8")
                    saved = time.perf_counter()
                    if wait_for(page, lambda body, name=name: name in body, 300, every=0.02) is None:
                        raise RuntimeError(f"the edit never reached the page:\n{server.log()}")
                    times.append(time.perf_counter() - saved)
                    time.sleep(1)  # let the watcher settle before the next save
            label = "--customer acme" if args else "whole handbook"
            print(f"| {label} | {ready:.1f} | {sorted(times)[len(times) // 2]:.2f} |", flush=True)


def main() -> None:
    """Print the alias-bomb refusal, then one table row per (portfolio size, navigation mode)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,400", help="comma-separated customer counts")
    parser.add_argument("--serve-only", action="store_true", help="only the serve reload measurement")
    args = parser.parse_args()
    if args.serve_only:
        bench_serve_reload()
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
    bench_serve_reload()


if __name__ == "__main__":
    main()
