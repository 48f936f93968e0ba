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


def main() -> None:
    """Print the alias-bomb refusal, then one table row per (portfolio size, navigation mode)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,400", help="comma-separated customer counts")
    parser.add_argument("--bundle-sizes", default="10,100,1000", help="customer counts for the bundle rows")
    args = parser.parse_args()
    print("| customers | run setup s (load + leak index) | one bundle s | its leak scan ms | tokens indexed |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for n in (int(x) for x in args.bundle_sizes.split(",")):
        setup, bundle, scan_ms, tokens = bundle_cost(n)
        print(f"| {n + 1} | {setup:.1f} | {bundle:.1f} | {scan_ms:.0f} | {tokens} |", flush=True)
    print()
    size, ms, kb = alias_bomb()
    print(f"alias bomb of {size} bytes: refused in {ms:.2f} ms, peak memory {kb} KB\n")
    print("| customers | nav | pages | build s | ms/page | customer page KB |")
    print("| ---: | --- | ---: | ---: | ---: | ---: |")
    for n in (int(x) for x in args.sizes.split(",")):
        for scoped in (True, False):
            seconds, pages, size = measure(n, scoped)
            print(f"| {n + 1} | {'scoped' if scoped else 'full'} | {pages} | {seconds:.1f} | "
                  f"{1000 * seconds / pages:.1f} | {size / 1024:.0f} |", flush=True)


if __name__ == "__main__":
    main()
