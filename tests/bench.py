"""`make bench`: what validation, builds and bundles cost as the portfolio grows, beside their floors.

Speed is shown here, never asserted in a test. Portfolios are synthetic copies of the sample's
largest customer file (`tests/portfolio.py`). Every measurement runs in a fresh process, so no
warm import or cache of an earlier row flatters a later one. Prints a Markdown table per part
and writes every figure to a JSON file (default `bench-results.json`, ignored by git).

  validate   cold (no cache) and warm (one customer edited) against libyaml's bare compose
             of the same files, with the peak memory of `handbook validate`: 100 and 1,000 customers
  build      time per page with customers left out of the nav (the floor), the per-page nav
             and the full nav: all three at 10 and 100 customers, the per-page nav (what
             `handbook build` does) at 400; `--large` adds the floor and full nav at 400
  overhead   the full-nav and per-page nav builds of 100 customers against plain MkDocs building the pages
             `handbook render` wrote for them
  bundle     `bundle --all` throughput on one core and on all cores: a stable shard (2 of 100
             customers), extrapolated to all 100; `--large` bundles all 100
  serve      from saving a customer file to the served page showing the edit, 100 customers:
             the whole handbook (one save; each is a full rebuild, reusing the renderings of
             unchanged pages) and `--customer` (three saves)
  leaks, diff, portfolio   single features (`tests/bench_features.py`)

Default sizes take about ten minutes on 2 cores; `--large` adds the larger ones.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_features import alias_bomb, bundle_cost, diff_timing, portfolio_pages  # noqa: E402
from portfolio import customer_id, sample_portfolio  # noqa: E402

PYTHON = sys.executable
CORES = os.cpu_count() or 1

# Run in a fresh interpreter: prints one JSON object with the wall time of the work, the process's
# peak resident memory (ru_maxrss, the figure a user's `time -v` shows) and the peak proportional
# memory (PSS) of the process and its worker processes together, sampled every 20 ms (shared pages
# counted once: what the run costs the machine).
_PROBE = r"""
import json, resource, sys, threading, time
from pathlib import Path
root, what = Path(sys.argv[1]), sys.argv[2]
peak, done = [0], threading.Event()

def pss(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
    except (OSError, StopIteration):
        return 0

def tree(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            kids = [int(x) for x in f.read().split()]
    except OSError:
        kids = []
    return [pid] + [p for kid in kids for p in tree(kid)]

def sample():
    import os
    while not done.wait(0.02):
        peak[0] = max(peak[0], sum(pss(p) for p in tree(os.getpid())))

threading.Thread(target=sample, daemon=True).start()
if what == "floor":
    import yaml
    started = time.perf_counter()
    for path in sorted(root.glob("project_data/**/*.yml")):
        yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
elif what == "validate":
    from handbook.cli import main
    started = time.perf_counter()
    code = main(["--project", str(root), "validate"])
    assert code == 0, code
else:
    raise SystemExit(what)
seconds = time.perf_counter() - started
done.set()
own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime
print(json.dumps({"seconds": seconds, "cpu_s": cpu, "maxrss_mb": own.ru_maxrss / 1024,
                  "workers_maxrss_mb": workers.ru_maxrss / 1024, "pss_mb": peak[0] / 1024}))
"""


def probe(root: Path, what: str) -> dict:
    """Run one measurement of `what` on the project at `root` in a fresh interpreter."""
    out = subprocess.run([PYTHON, "-c", _PROBE, str(root), what], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def edit_one_customer(root: Path) -> None:
    """Change one value of one customer file, as an author saving an edit would."""
    path = root / f"project_data/customers/{customer_id(0)}.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("industry: ", "industry: 已编辑 ", 1), encoding="utf-8")


def bench_validate(n: int, work: Path, rounds: int = 3) -> dict:
    """Floor, cold and warm validate of `n` customers, measured side by side, `rounds` times in
    turn (the machine's speed drifts from minute to minute): the median of each, and the median
    and range of each round's ratios."""
    root = sample_portfolio(work / f"validate-{n}", n)
    runs = []
    for _ in range(rounds):
        shutil.rmtree(root / ".handbook-cache", ignore_errors=True)
        floor = probe(root, "floor")
        cold = probe(root, "validate")
        edit_one_customer(root)
        warm = probe(root, "validate")
        runs.append((floor, cold, warm))
    yaml_mb = sum(p.stat().st_size for p in root.glob("project_data/**/*.yml")) / 1e6
    shutil.rmtree(root)

    def median(values: list[float]) -> float:
        return statistics.median(values)

    floor, cold, warm = ({key: median([run[i][key] for run in runs]) for key in runs[0][i]} for i in range(3))
    cold_ratios = [c["seconds"] / f["seconds"] for f, c, _ in runs]
    warm_ratios = [w["seconds"] / c["seconds"] for _, c, w in runs]
    return {"customers": n, "rounds": rounds, "yaml_mb": round(yaml_mb, 1), "floor_cpu_s": floor["cpu_s"],
            "cold_cpu_s": cold["cpu_s"], "warm_cpu_s": warm["cpu_s"], "floor_s": floor["seconds"],
            "cold_s": cold["seconds"], "warm_s": warm["seconds"], "cold_vs_floor": median(cold_ratios),
            "cold_vs_floor_range": [min(cold_ratios), max(cold_ratios)], "warm_vs_cold": median(warm_ratios),
            "warm_vs_cold_range": [min(warm_ratios), max(warm_ratios)], "cold_peak_mb": cold["maxrss_mb"],
            "warm_peak_mb": warm["maxrss_mb"], "cold_workers_peak_mb": cold["workers_maxrss_mb"],
            "cold_all_pss_mb": cold["pss_mb"], "warm_all_pss_mb": warm["pss_mb"]}


def _mkdocs_yml(root: Path, *, nav_customers: bool, scoped: bool, plugin: bool = True) -> Path:
    """The sample's mkdocs.yml, with the customers left out of the nav or the per-page nav off."""
    text = (root / "mkdocs.yml").read_text(encoding="utf-8")
    if not nav_customers:
        text = text.replace("  - 客户项目: customers/index.md\n", "")
    if not scoped:
        text = text.replace("  - handbook\n", "  - handbook:\n      scoped_nav: false\n")
    if not plugin:
        text = text.replace("  - handbook\n", "")
    path = root / f"mkdocs-{int(nav_customers)}{int(scoped)}{int(plugin)}.yml"
    path.write_text(text, encoding="utf-8")
    return path


def _timed_build(config: Path, out: Path) -> float:
    script = ("import sys, time\nfrom pathlib import Path\nfrom handbook.site.build import build_site\n"
              "t = time.perf_counter(); build_site(Path(sys.argv[1]), Path(sys.argv[2])); "
              "print(time.perf_counter() - t)")
    out_text = subprocess.run([PYTHON, "-c", script, str(config), str(out)], check=True, capture_output=True,
                              text=True).stdout
    return float(out_text.strip().splitlines()[-1])


VARIANTS = (("floor", False, True), ("per_page_nav", True, True), ("full_nav", True, False))


def bench_build(n: int, work: Path, variants: tuple[str, ...], plain: bool = False) -> dict:
    """Seconds per page of a full build with the floor nav, the per-page nav and/or the full nav
    (`variants`); with `plain`, also the plugin overhead: plain MkDocs building the same pages
    from `handbook render` output, against the full-nav and per-page nav builds of the same portfolio."""
    root = sample_portfolio(work / f"build-{n}", n)
    subprocess.run([PYTHON, "-m", "handbook.cli", "--project", str(root), "validate"], check=True, capture_output=True)
    row: dict = {"customers": n}
    for label, nav_customers, scoped in VARIANTS:
        if label not in variants:
            continue
        out = root / f"site-{label}"
        seconds = _timed_build(_mkdocs_yml(root, nav_customers=nav_customers, scoped=scoped), out)
        pages = sum(1 for _ in out.rglob("*.html"))
        row[label] = {"seconds": seconds, "pages": pages, "ms_per_page": 1000 * seconds / pages,
                      "customer_page_kb": (out / f"customers/{customer_id(0)}/index.html").stat().st_size / 1024}
        shutil.rmtree(out)
    if plain:
        # Plain MkDocs renders the whole nav on every page: the like-for-like handbook build is the
        # full-nav one; the per-page nav build is what `handbook build` does.
        seconds = plain_mkdocs(root)
        row["overhead"] = {"customers": n, "pages": row["per_page_nav"]["pages"], "plain_mkdocs_s": seconds,
                           **{f"{label}_s": row[label]["seconds"] for label in ("full_nav", "per_page_nav") if label in row},
                           **{f"{label}_vs_plain": row[label]["seconds"] / seconds for label in ("full_nav", "per_page_nav")
                              if label in row}}
    shutil.rmtree(root)
    return row


def plain_mkdocs(root: Path) -> float:
    """Seconds of plain MkDocs (no handbook plugin) building the pages `handbook render` wrote for
    the project at `root`, with the same theme, extensions and nav."""
    rendered = root / "rendered"
    subprocess.run([PYTHON, "-m", "handbook.cli", "--project", str(root), "render", "--out", str(rendered)],
                   check=True, capture_output=True)
    # Plain MkDocs: the hand-written pages plus the rendered ones, the same theme and extensions,
    # the rendered nav, no handbook plugin.
    plain_docs = root / "plain-docs"
    shutil.copytree(root / "content", plain_docs)
    shutil.copytree(rendered, plain_docs, dirs_exist_ok=True)
    import yaml

    config = _mkdocs_yml(root, nav_customers=True, scoped=True, plugin=False)
    text = config.read_text(encoding="utf-8").replace("docs_dir: content", f"docs_dir: {plain_docs}")
    head, _, _ = text.partition("\nnav:")
    nav = yaml.safe_load((rendered / "nav.yml").read_text(encoding="utf-8"))
    config.write_text(head + "\n" + yaml.safe_dump(nav, allow_unicode=True, sort_keys=False), encoding="utf-8")
    script = ("import sys, time, logging\nfrom mkdocs.commands.build import build\nfrom mkdocs.config import load_config\n"
              "t = time.perf_counter(); c = load_config(sys.argv[1], site_dir=sys.argv[2], strict=False); build(c); "
              "print(time.perf_counter() - t)")
    return float(subprocess.run([PYTHON, "-c", script, str(config), str(root / "site-plain")], check=True,
                                capture_output=True, text=True).stdout.strip().splitlines()[-1])


def bench_bundle(n: int, shard: str | None, work: Path) -> dict:
    """`bundle --all` (or one shard of it) on one core and on all cores: bundles per minute."""
    root = sample_portfolio(work / f"bundle-{n}", n)
    subprocess.run([PYTHON, "-m", "handbook.cli", "--project", str(root), "validate"], check=True, capture_output=True)
    row: dict = {"customers": n, "shard": shard}
    for label, jobs in (("one_core", 1), ("all_cores", CORES)):
        out = root / f"dist-{label}"
        args = [PYTHON, "-m", "handbook.cli", "--project", str(root), "bundle", "--all", "--jobs", str(jobs),
                "--out", str(out)] + (["--shard", shard] if shard else [])
        started = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        seconds = time.perf_counter() - started
        count = len(list(out.glob("*.zip")))
        # A shard's throughput, extrapolated: the minutes `bundle --all` of all n would take at that rate.
        row[label] = {"jobs": jobs, "bundles": count, "seconds": seconds, "per_minute": 60 * count / seconds,
                      "all_minutes_extrapolated": n * seconds / count / 60}
    shutil.rmtree(root)
    return row


def profile_validate(n: int, work: Path, top: int = 15) -> None:
    """cProfile of a cold validate in one process (no workers), top entries by own time."""
    import cProfile
    import pstats

    from handbook.data import reading
    from handbook.data.loader import Project, load_project

    root = sample_portfolio(work / f"profile-{n}", n)
    reading.PARALLEL_FROM = 10**9
    profiler = cProfile.Profile()
    profiler.runcall(load_project, Project.at(root))
    pstats.Stats(profiler).sort_stats("tottime").print_stats(top)
    shutil.rmtree(root)


def bench_serve_reload(n: int, work: Path, edits: dict[str, int]) -> dict:
    """How long a saved customer file takes to reach the served page, with the whole handbook served
    and with `--customer` (that customer's bundle only), for a portfolio of `n` customers: the time
    from the save until the page fetched from the server shows the edited name. `edits` is the
    number of saves timed per mode (the median is reported)."""
    from live_server import fetch, serving, wait_for

    print(f"| serve, {n} customers | first build s | reload after a save s: median (each) | saves timed |")
    print("| --- | ---: | ---: | ---: |")
    result = {"customers": n}
    first = customer_id(0)
    for args in ((), ("--customer", first)):
        key = "customer" if args else "whole"
        root = sample_portfolio(work / f"serve-{n}-{len(args)}" / "proj", n)
        acme = root / f"project_data/customers/{first}.yml"
        started = time.perf_counter()
        with serving(root, *args, ready_timeout=900) as server:
            ready = time.perf_counter() - started
            page = server.url + f"customers/{first}/"
            fetch(page)
            times = []
            for i in range(edits[key]):
                # The industry is on the customer's page and outside its signed acceptance record
                # (editing the name would break the record's seal: the page would show that problem).
                industry = f"精密零部件制造第{i}版"
                text = acme.read_text(encoding="utf-8")
                acme.write_text(re.sub(r"(?m)^industry: .*$", f"industry: {industry}", text, count=1), encoding="utf-8")
                saved = time.perf_counter()
                if wait_for(page, lambda body, industry=industry: industry in body, 900, every=0.02) is None:
                    raise RuntimeError(f"the edit never reached the page:\n{server.log()}")
                times.append(time.perf_counter() - saved)
                time.sleep(1)  # let the watcher settle before the next save
        shutil.rmtree(root.parent, ignore_errors=True)
        result[key] = {"first_build_s": ready, "reload_s": sorted(times)[len(times) // 2], "saves": len(times),
                       "reload_times_s": times}
        label = f"--customer {first}" if args else "whole handbook"
        print(f"| {label} | {ready:.1f} | {result[key]['reload_s']:.2f} ({', '.join(f'{t:.2f}' for t in times)}) "
              f"| {len(times)} |", flush=True)
    print()
    return result

def _ms(row: dict, label: str) -> str:
    return f"{row[label]['ms_per_page']:.1f}" if label in row else "— (--large)"


def main() -> None:
    """Run every part at the default (or `--large`) sizes, print the tables, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true",
                        help="10,000-customer validate, floor and full nav at every build size, 1,000 customers in leaks "
                             "and 400 in diff and portfolio, "
                             "customers, every bundle of 100 customers, three saves in the whole-handbook serve")
    parser.add_argument("--parts", default="validate,build,overhead,bundle,serve,leaks,diff,portfolio",
                        help="comma-separated parts to run")
    parser.add_argument("--leak-sizes", default=None, help="customer counts for one bundle's cost (10,100; "
                        "--large adds 1000)")
    parser.add_argument("--validate-sizes", default=None, help="customer counts for validate (default 100,1000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of floor, cold and warm validate (median)")
    parser.add_argument("--build-sizes", default="10,100,400", help="customer counts for build")
    parser.add_argument("--all-navs-up-to", type=int, default=100,
                        help="larger builds measure the per-page nav only, unless --large (default 100)")
    parser.add_argument("--overhead-size", type=int, default=100, help="customer count for the plugin overhead")
    parser.add_argument("--bundle-size", type=int, default=100, help="customer count for bundle --all")
    parser.add_argument("--bundle-shard", default="1/25",
                        help="the stable shard of --bundle-size customers bundled (2 of 100), unless --large")
    parser.add_argument("--serve-size", type=int, default=100, help="customer count for serve reload")
    parser.add_argument("--profile", type=int, metavar="N", help="only print a cProfile of a cold validate of N customers")
    parser.add_argument("--json", type=Path, default=Path("bench-results.json"), help="where to write the figures")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    work = Path(tempfile.mkdtemp(prefix="handbook-bench-"))
    began = time.perf_counter()
    try:
        if args.profile:
            profile_validate(args.profile, work)
            return
        results: dict = {"machine": {"cores": CORES, "python": sys.version.split()[0],
                                     "load_average_at_start": os.getloadavg()}, "alias_bomb": alias_bomb()}
        bomb = results["alias_bomb"]
        print(f"{CORES} cores, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at the start\n")
        print(f"alias bomb of {bomb['bytes']} bytes: refused in {bomb['ms']:.2f} ms, peak memory {bomb['peak_kb']} KB\n")
        if "validate" in parts:
            sizes = args.validate_sizes or ("100,1000,10000" if args.large else "100,1000")
            print("| customers | YAML MB | libyaml compose s | cold validate s | cold/floor (range) | warm validate s "
                  "| warm/cold (range) | peak MB cold: main / each worker / all (PSS) | peak MB warm | "
                  "CPU s floor / cold / warm |")
            print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
            results["validate"] = []
            for n in (int(x) for x in sizes.split(",")):
                r = bench_validate(n, work, args.rounds)
                results["validate"].append(r)
                low, high = r["cold_vs_floor_range"]
                wlow, whigh = r["warm_vs_cold_range"]
                print(f"| {n} | {r['yaml_mb']} | {r['floor_s']:.2f} | {r['cold_s']:.2f} | {r['cold_vs_floor']:.2f}x "
                      f"({low:.2f}-{high:.2f}) | {r['warm_s']:.2f} | {r['warm_vs_cold']:.3f}x ({wlow:.3f}-{whigh:.3f}) | "
                      f"{r['cold_peak_mb']:.0f} / {r['cold_workers_peak_mb']:.0f} / {r['cold_all_pss_mb']:.0f} | "
                      f"{r['warm_peak_mb']:.0f} | {r['floor_cpu_s']:.2f} / {r['cold_cpu_s']:.2f} / "
                      f"{r['warm_cpu_s']:.2f} |", flush=True)
            print(f"(median of {args.rounds} rounds of floor, cold, warm in turn)")
            print()
        build_sizes = [int(x) for x in args.build_sizes.split(",")] if "build" in parts else []
        if "overhead" in parts and args.overhead_size not in build_sizes:
            build_sizes.append(args.overhead_size)
        if build_sizes:
            if "build" in parts:
                print("| customers | pages | floor ms/page (customers out of the nav) | per-page nav ms/page | "
                      "full nav ms/page | customer page KB (per-page / full) |")
                print("| ---: | ---: | ---: | ---: | ---: | ---: |")
            results["build"] = []
            for n in build_sizes:
                every = args.large or n <= args.all_navs_up_to
                variants = tuple(v[0] for v in VARIANTS) if every else ("per_page_nav",)
                r = bench_build(n, work, variants, plain="overhead" in parts and n == args.overhead_size)
                if "overhead" in r:
                    results["overhead"] = r.pop("overhead")
                if "build" not in parts:
                    continue
                results["build"].append(r)
                full_kb = f"{r['full_nav']['customer_page_kb']:.0f}" if "full_nav" in r else "—"
                print(f"| {n} | {r['per_page_nav']['pages']} | {_ms(r, 'floor')} | {_ms(r, 'per_page_nav')} | "
                      f"{_ms(r, 'full_nav')} | {r['per_page_nav']['customer_page_kb']:.0f} / {full_kb} |", flush=True)
            if "build" in parts:
                print()
        if "overhead" in results:
            r = results["overhead"]
            print(f"plugin overhead at {r['customers']} customers ({r['pages']} pages): plain MkDocs on `handbook "
                  f"render`'s pages (whole nav on every page) {r['plain_mkdocs_s']:.1f} s; the handbook build "
                  + (f"with the whole nav {r['full_nav_s']:.1f} s ({r['full_nav_vs_plain']:.2f}x), " if "full_nav_s" in r else "")
                  + f"with the per-page nav {r['per_page_nav_s']:.1f} s ({r['per_page_nav_vs_plain']:.2f}x)\n", flush=True)
        if "bundle" in parts:
            r = results["bundle"] = bench_bundle(args.bundle_size, None if args.large else args.bundle_shard, work)
            what = (f"shard {r['shard']} of {r['customers']} customers, extrapolated to all {r['customers']}"
                    if r["shard"] else f"all {r['customers']} customers")
            print(f"bundle --all ({what}): " + ", ".join(
                f"{v['jobs']} job(s): {v['bundles']} bundles in {v['seconds']:.1f} s = {v['per_minute']:.1f}/min, "
                f"{v['all_minutes_extrapolated']:.1f} min for all" for v in (r["one_core"], r["all_cores"])) + "\n",
                  flush=True)
        if "serve" in parts:
            results["serve"] = bench_serve_reload(args.serve_size, work,
                                                  {"whole": 3 if args.large else 1, "customer": 3})
        if "leaks" in parts:
            print("| customers | run setup s (load + leak index) | one bundle s | its leak scan ms | tokens indexed |")
            print("| ---: | ---: | ---: | ---: | ---: |")
            results["leaks"] = []
            for n in (int(x) for x in (args.leak_sizes or ("10,100,1000" if args.large else "10,100")).split(",")):
                setup, bundle, scan_ms, tokens = bundle_cost(n)
                results["leaks"].append({"customers": n + 1, "setup_s": setup, "bundle_s": bundle,
                                         "scan_ms": scan_ms, "tokens": tokens})
                print(f"| {n + 1} | {setup:.1f} | {bundle:.1f} | {scan_ms:.0f} | {tokens} |", flush=True)
            print()
        if "diff" in parts:
            print("| customers | load one side s | compare ms | changes |  (handbook diff loads two sides)")
            print("| ---: | ---: | ---: | ---: |")
            results["diff"] = []
            for n in (10, 100, 400) if args.large else (10, 100):
                load_seconds, compare_ms, found = diff_timing(n)
                results["diff"].append({"customers": n + 1, "load_s": load_seconds, "compare_ms": compare_ms,
                                        "changes": found})
                print(f"| {n + 1} | {load_seconds:.2f} | {compare_ms:.1f} | {found} |", flush=True)
            print()
        if "portfolio" in parts:
            results["portfolio"] = portfolio_pages((100, 400) if args.large else (100,))
            print()
        results["bench_seconds"] = time.perf_counter() - began
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"bench took {results['bench_seconds'] / 60:.1f} min; figures written to {args.json}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
