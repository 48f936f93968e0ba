"""`make bench`: what validation, builds and bundles cost as the portfolio grows, beside their floors.

Speed is shown here, never asserted in a test. Portfolios are synthetic copies of the sample's
largest customer file (`tests/portfolio.py`). Every measurement runs in a fresh process, so no
warm import or cache of an earlier row flatters a later one. Prints a Markdown table per part
and writes every figure to a JSON file (default `bench-results.json`, ignored by git).

  validate   cold (no cache) and warm (one customer edited) against libyaml's bare compose
             of the same files, with the peak memory of `handbook validate`
  build      time per page with customers left out of the nav (the floor), the per-page nav
             and the full nav
  overhead   the handbook build against plain MkDocs building the pages `handbook render` wrote
  bundle     `bundle --all` throughput on one core and on all cores
  portfolio  render time of the dashboard, customer index, risk view and people pages
             (tests/conftest.py `varied_portfolio`), at 100 and 400 customers
  serve      reload timing: measured by the serve work (`serve_reload` below is its slot)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from conftest import fixture_mkdocs_yml, portfolio  # noqa: E402
from portfolio import customer_id, sample_portfolio  # noqa: E402

PYTHON = sys.executable
CORES = os.cpu_count() or 1

# Run in a fresh interpreter: prints one JSON object with the wall time of the work and the
# process's peak resident memory (ru_maxrss, the figure a user's `time -v` shows).
_PROBE = r"""
import json, resource, sys, time
from pathlib import Path
root, what = Path(sys.argv[1]), sys.argv[2]
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
own, workers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime
print(json.dumps({"seconds": seconds, "cpu_s": cpu, "maxrss_mb": own.ru_maxrss / 1024}))
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


def bench_validate(n: int, work: Path) -> dict:
    """Floor, cold and warm validate of `n` customers, measured side by side."""
    root = sample_portfolio(work / f"validate-{n}", n)
    floor = probe(root, "floor")
    shutil.rmtree(root / ".handbook-cache", ignore_errors=True)
    cold = probe(root, "validate")
    edit_one_customer(root)
    warm = probe(root, "validate")
    yaml_mb = sum(p.stat().st_size for p in root.glob("project_data/**/*.yml")) / 1e6
    shutil.rmtree(root)
    return {"customers": n, "yaml_mb": round(yaml_mb, 1), "floor_cpu_s": floor["cpu_s"], "cold_cpu_s": cold["cpu_s"],
            "warm_cpu_s": warm["cpu_s"], "floor_s": floor["seconds"], "cold_s": cold["seconds"],
            "warm_s": warm["seconds"], "cold_vs_floor": cold["seconds"] / floor["seconds"],
            "warm_vs_cold": warm["seconds"] / cold["seconds"], "cold_peak_mb": cold["maxrss_mb"],
            "warm_peak_mb": warm["maxrss_mb"]}


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


def bench_build(n: int, work: Path) -> dict:
    """Seconds per page of a full build with the floor nav, the per-page nav and the full nav."""
    root = sample_portfolio(work / f"build-{n}", n)
    subprocess.run([PYTHON, "-m", "handbook.cli", "--project", str(root), "validate"], check=True, capture_output=True)
    row: dict = {"customers": n}
    for label, nav_customers, scoped in (("floor", False, True), ("per_page_nav", True, True), ("full_nav", True, False)):
        out = root / f"site-{label}"
        seconds = _timed_build(_mkdocs_yml(root, nav_customers=nav_customers, scoped=scoped), out)
        pages = sum(1 for _ in out.rglob("*.html"))
        row[label] = {"seconds": seconds, "pages": pages, "ms_per_page": 1000 * seconds / pages,
                      "customer_page_kb": (out / f"customers/{customer_id(0)}/index.html").stat().st_size / 1024}
    shutil.rmtree(root)
    return row


def bench_overhead(n: int, work: Path) -> dict:
    """The handbook build against plain MkDocs building the same Markdown (`handbook render` output)."""
    root = sample_portfolio(work / f"overhead-{n}", n)
    handbook = _timed_build(_mkdocs_yml(root, nav_customers=True, scoped=True), root / "site-handbook")
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
    plain = float(subprocess.run([PYTHON, "-c", script, str(config), str(root / "site-plain")], check=True,
                                 capture_output=True, text=True).stdout.strip().splitlines()[-1])
    pages = sum(1 for _ in (root / "site-handbook").rglob("*.html"))
    shutil.rmtree(root)
    return {"customers": n, "pages": pages, "handbook_s": handbook, "plain_mkdocs_s": plain,
            "overhead": handbook / plain}


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
        row[label] = {"jobs": jobs, "bundles": count, "seconds": seconds, "per_minute": 60 * count / seconds}
    shutil.rmtree(root)
    return row


def serve_reload(n: int, work: Path) -> dict | None:
    """The serve reload timing (full and `--customer`), see `bench_serve_reload`."""
    return bench_serve_reload(n, work)


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


def bench_serve_reload(n: int, work: Path, edits: int = 3) -> dict:
    """How long a saved customer file takes to reach the served page, with the whole handbook served
    and with `--customer` (that customer's bundle only), for a portfolio of `n` customers."""
    from live_server import fetch, serving, wait_for

    print(f"| serve, {n} customers | first build s | reload after a save s (median of {edits}) |")
    print("| --- | ---: | ---: |")
    result = {"customers": n}
    first = customer_id(0)
    for args in ((), ("--customer", first)):
        root = sample_portfolio(work / f"serve-{n}-{len(args)}" / "proj", n)
        acme = root / f"project_data/customers/{first}.yml"
        started = time.perf_counter()
        with serving(root, *args) as server:
            ready = time.perf_counter() - started
            page = server.url + f"customers/{first}/"
            fetch(page)
            times = []
            for i in range(edits):
                name = f"改名客户第{i}版"
                text = acme.read_text(encoding="utf-8")
                acme.write_text(re.sub(r"(?m)^name: .*$", f"name: {name}", text, count=1), encoding="utf-8")
                saved = time.perf_counter()
                if wait_for(page, lambda body, name=name: name in body, 300, every=0.02) is None:
                    raise RuntimeError(f"the edit never reached the page:\n{server.log()}")
                times.append(time.perf_counter() - saved)
                time.sleep(1)  # let the watcher settle before the next save
        shutil.rmtree(root.parent, ignore_errors=True)
        key = "customer" if args else "whole"
        result[key] = {"first_build_s": ready, "reload_s": sorted(times)[len(times) // 2]}
        label = f"--customer {first}" if args else "whole handbook"
        print(f"| {label} | {ready:.1f} | {result[key]['reload_s']:.2f} |", flush=True)
    print()
    return result

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


def main() -> None:
    """Run every part at the default (or `--large`) sizes, print the tables, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", action="store_true", help="10,000-customer validate, every bundle of 100 customers")
    parser.add_argument("--parts", default="validate,build,overhead,bundle,leaks,serve,diff,portfolio",
                        help="comma-separated parts to run")
    parser.add_argument("--leak-sizes", default="10,100,1000", help="customer counts for one bundle's cost")
    parser.add_argument("--validate-sizes", default=None, help="customer counts for validate (default 100,1000)")
    parser.add_argument("--build-sizes", default="10,100,400", help="customer counts for build")
    parser.add_argument("--overhead-size", type=int, default=100, help="customer count for the plugin overhead")
    parser.add_argument("--bundle-size", type=int, default=100, help="customer count for bundle --all")
    parser.add_argument("--profile", type=int, metavar="N", help="only print a cProfile of a cold validate of N customers")
    parser.add_argument("--json", type=Path, default=Path("bench-results.json"), help="where to write the figures")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    work = Path(tempfile.mkdtemp(prefix="handbook-bench-"))
    try:
        if args.profile:
            profile_validate(args.profile, work)
            return
        results: dict = {"machine": {"cores": CORES, "python": sys.version.split()[0]}, "alias_bomb": alias_bomb()}
        bomb = results["alias_bomb"]
        print(f"alias bomb of {bomb['bytes']} bytes: refused in {bomb['ms']:.2f} ms, peak memory {bomb['peak_kb']} KB\n")
        if "validate" in parts:
            sizes = args.validate_sizes or ("100,1000,10000" if args.large else "100,1000")
            print("| customers | YAML MB | libyaml compose s | cold validate s | cold/floor | warm validate s "
                  "| warm/cold | peak MB cold | peak MB warm | CPU s floor / cold / warm |")
            print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
            results["validate"] = []
            for n in (int(x) for x in sizes.split(",")):
                r = bench_validate(n, work)
                results["validate"].append(r)
                print(f"| {n} | {r['yaml_mb']} | {r['floor_s']:.2f} | {r['cold_s']:.2f} | {r['cold_vs_floor']:.2f}x | "
                      f"{r['warm_s']:.2f} | {r['warm_vs_cold']:.2f}x | {r['cold_peak_mb']:.0f} | "
                      f"{r['warm_peak_mb']:.0f} | {r['floor_cpu_s']:.2f} / {r['cold_cpu_s']:.2f} / "
                      f"{r['warm_cpu_s']:.2f} |", flush=True)
            print()
        if "build" in parts:
            print("| customers | pages | floor ms/page | per-page nav ms/page | full nav ms/page | "
                  "customer page KB (per-page / full) |")
            print("| ---: | ---: | ---: | ---: | ---: | ---: |")
            results["build"] = []
            for n in (int(x) for x in args.build_sizes.split(",")):
                r = bench_build(n, work)
                results["build"].append(r)
                print(f"| {n} | {r['per_page_nav']['pages']} | {r['floor']['ms_per_page']:.1f} | "
                      f"{r['per_page_nav']['ms_per_page']:.1f} | {r['full_nav']['ms_per_page']:.1f} | "
                      f"{r['per_page_nav']['customer_page_kb']:.0f} / {r['full_nav']['customer_page_kb']:.0f} |",
                      flush=True)
            print()
        if "overhead" in parts:
            r = results["overhead"] = bench_overhead(args.overhead_size, work)
            print(f"plugin overhead at {r['customers']} customers ({r['pages']} pages): handbook build "
                  f"{r['handbook_s']:.1f} s, plain MkDocs on the rendered pages {r['plain_mkdocs_s']:.1f} s "
                  f"({r['overhead']:.2f}x)\n", flush=True)
        if "bundle" in parts:
            r = results["bundle"] = bench_bundle(args.bundle_size, None if args.large else "1/10", work)
            print(f"bundle --all at {r['customers']} customers{' (shard ' + r['shard'] + ')' if r['shard'] else ''}: "
                  + ", ".join(f"{v['jobs']} job(s) {v['bundles']} bundles in {v['seconds']:.1f} s "
                              f"= {v['per_minute']:.1f}/min" for v in (r["one_core"], r["all_cores"])) + "\n",
                  flush=True)
        if "portfolio" in parts:
            results["portfolio"] = portfolio_pages()


        if "leaks" in parts:
            print("| customers | run setup s (load + leak index) | one bundle s | its leak scan ms | tokens indexed |")
            print("| ---: | ---: | ---: | ---: | ---: |")
            results["leaks"] = []
            for n in (int(x) for x in args.leak_sizes.split(",")):
                setup, bundle, scan_ms, tokens = bundle_cost(n)
                results["leaks"].append({"customers": n + 1, "setup_s": setup, "bundle_s": bundle,
                                         "scan_ms": scan_ms, "tokens": tokens})
                print(f"| {n + 1} | {setup:.1f} | {bundle:.1f} | {scan_ms:.0f} | {tokens} |", flush=True)
            print()
        if "serve" in parts:
            results["serve"] = serve_reload(100, work)


            if results["serve"] is None:
                print("serve reload: not measured here yet (the `serve --customer` work fills `serve_reload`)\n")
        if "diff" in parts:
            print("| customers | load one side s | compare ms | changes |  (handbook diff loads two sides)")
            print("| ---: | ---: | ---: | ---: |")
            results["diff"] = []
            for n in (int(x) for x in args.build_sizes.split(",")):
                load_seconds, compare_ms, found = diff_timing(n)
                results["diff"].append({"customers": n + 1, "load_s": load_seconds, "compare_ms": compare_ms,
                                        "changes": found})
                print(f"| {n + 1} | {load_seconds:.2f} | {compare_ms:.1f} | {found} |", flush=True)
            print()
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"figures written to {args.json}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
