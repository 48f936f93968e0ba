"""The `handbook` command: validate, build, preview, render, bundle, print and publish the handbook.

Exit codes: 0 success, 1 data or build errors, 2 usage errors. Expected failures print located
messages, never tracebacks.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .data.loader import DataError, Project, load_project
from .data.model import Model

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


def _project(args: argparse.Namespace) -> Project:
    return Project.at(Path(args.project))


def _load(args: argparse.Namespace) -> Model | None:
    """The validated model, or None after printing every located problem."""
    try:
        return load_project(_project(args))
    except DataError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"{len(error.problems)} error(s) in project data", file=sys.stderr)
        return None


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate all of project_data/; print every problem, located."""
    model = _load(args)
    if model is None:
        return 1
    print(f"ok: {len(model.phases)} phases, {len(model.roles)} roles, {len(model.modules)} training modules, "
          f"{len(model.faq)} FAQ entries, {len(model.customers)} customers")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    """Validate, then build the site atomically into --out."""
    from .site.build import BuildError, build_site

    root = Path(args.project).resolve()
    model = _load(args)
    if model is None:
        return 1
    target = Path(args.out) if args.out else root / "site"
    try:
        build_site(root / args.config, target, offline=True)
    except BuildError as error:
        for message in error.messages:
            print(message, file=sys.stderr)
        print("build failed; the previous site was left untouched", file=sys.stderr)
        return 1
    # The build works from disk (see site/offline.py), so opening the file is honest advice.
    print(f"built {target.resolve()}; open {(target.resolve() / 'index.html').as_uri()} "
          "(or preview it live with `make serve`)")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Live preview on 127.0.0.1 only."""
    from mkdocs.commands.serve import serve

    root = Path(args.project).resolve()
    model = _load(args)
    if model is None:
        return 1
    os.chdir(root)
    serve(config_file=str(root / args.config), open_in_browser=False, livereload=True,
          dev_addr=f"127.0.0.1:{args.port}")
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    """Write the generated Markdown and a nav file without MkDocs."""
    import yaml

    from .site.navigation import expand_nav
    from .pages.base import generate

    root = Path(args.project).resolve()
    model = _load(args)
    if model is None:
        return 1
    if args.customer:
        try:
            model = model.for_customer(args.customer)
        except KeyError:
            return _unknown_customer(args.customer, model)
    from .site.build import MARKER, is_replaceable, staging_dir, swap_into

    out = Path(args.out).resolve()
    if not is_replaceable(out):
        print(f"{out}: exists and was not written by handbook (no {MARKER}); refusing to replace it", file=sys.stderr)
        return 1
    pages = generate(model, root / args.templates)
    # Like a build: written aside and swapped in, so no page of an earlier render (another
    # customer's, say) survives next to the new ones.
    with staging_dir(out) as tmp:
        staged = tmp / "out"
        for page in pages:
            path = staged / page.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(page.markdown, encoding="utf-8")
        nav = expand_nav([], pages)
        (staged / "nav.yml").write_text(yaml.safe_dump({"nav": nav}, allow_unicode=True, sort_keys=False),
                                        encoding="utf-8")
        (staged / MARKER).write_text("{}\n", encoding="utf-8")
        swap_into(staged, out)
    print(f"wrote {len(pages)} pages and nav.yml to {out}")
    return 0


def _unsafe_ids(customer_ids: list[str]) -> bool:
    """Report IDs that are not safe as file names; checked before anything touches the disk."""
    from .data.loader import id_problem

    problems = [(cid, id_problem(cid)) for cid in customer_ids]
    for cid, problem in problems:
        if problem:
            print(f"'{cid}' is not a valid customer ID: {problem}", file=sys.stderr)
    return any(problem for _, problem in problems)


def cmd_fingerprint(args: argparse.Namespace) -> int:
    """Print the SHA-256 fingerprint of a customer's acceptance record."""
    if _unsafe_ids([args.customer]):
        return 2
    model = _load(args)
    if model is None:
        return 1
    customer = next((c for c in model.customers if c.id == args.customer), None)
    if customer is None:
        return _unknown_customer(args.customer, model)
    print(customer.acceptance.fingerprint)
    return 0


def cmd_bundle(args: argparse.Namespace) -> int:
    """Build the offline bundle of one, several or all customers."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    if _unsafe_ids(args.customers):
        return 2
    root = Path(args.project).resolve()
    model = _load(args)
    if model is None:
        return 1
    if args.all and args.customers:
        print("give customer IDs or --all, not both", file=sys.stderr)
        return 2
    wanted = [c.id for c in model.customers] if args.all else args.customers
    if not wanted:
        print("name a customer ID or give --all", file=sys.stderr)
        return 2
    for customer_id in wanted:
        if customer_id not in {c.id for c in model.customers}:
            return _unknown_customer(customer_id, model)
    out = Path(args.out) if args.out else root / "dist"
    failed = 0
    workers = min(len(wanted), os.cpu_count() or 1)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_bundle_one, root, cid, out, args.verify): cid for cid in wanted}
        for done, future in enumerate(as_completed(futures), start=1):
            cid = futures[future]
            messages = future.result()
            bar = "#" * (20 * done // len(wanted))
            status = "ok" if not messages else "FAILED"
            print(f"[{bar:<20}] {done}/{len(wanted)} {cid}: {status}", file=sys.stderr)
            for message in messages:
                print(f"  {cid}: {message}", file=sys.stderr)
            failed += bool(messages)
    return 1 if failed else 0


def _bundle_one(root: Path, customer_id: str, out: Path, verify: bool) -> list[str]:
    from .deliver.bundle import BundleError, build_bundle, verify_zip

    try:
        archive = build_bundle(root, customer_id, out)
    except BundleError as error:
        return error.messages
    except OSError as error:
        return [f"{error.filename or out}: {error.strerror or error}"]
    except DataError as error:
        return [str(p) for p in error.problems]  # the data changed after the first validation
    print(f"wrote {archive}")
    if verify:
        return verify_zip(Project.at(root), customer_id, archive)
    return []


def cmd_pdf(args: argparse.Namespace) -> int:
    """Export a customer's acceptance record as PDF (printed by headless Chromium)."""
    from .deliver.bundle import BundleError
    from .deliver.pdf import export_acceptance_pdf

    root = Path(args.project).resolve()
    try:
        target = export_acceptance_pdf(root, args.customer, Path(args.out) if args.out else root / "dist")
    except BundleError as error:
        for message in error.messages:
            print(message, file=sys.stderr)
        return 2 if "not a valid customer ID" in error.messages[0] else 1
    except DataError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 1
    print(f"wrote {target}")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    """Validate, build and deploy the handbook with mike under its version, aliased `latest`."""
    from .site.build import BuildError
    from .deliver.publish import PublishError, branch_problem, publish

    problem = branch_problem(args.branch)
    if problem:
        print(f"--branch '{args.branch}' is {problem}", file=sys.stderr)
        return 2
    try:
        version = publish(Path(args.project), branch=args.branch, push=args.push)
    except DataError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"{len(error.problems)} error(s) in project data; nothing was committed to '{args.branch}'",
              file=sys.stderr)
        return 1
    except (BuildError, PublishError) as error:
        for message in error.messages:
            print(message, file=sys.stderr)
        if not getattr(error, "committed", False):
            print(f"publish failed; nothing was committed to '{args.branch}'", file=sys.stderr)
        return 1
    pushed = f", pushed to origin/{args.branch}" if args.push else " (not pushed; add --push)"
    print(f"published handbook {version} to branch '{args.branch}' as {version}/ and latest/{pushed}")
    return 0


def _unknown_customer(customer_id: str, model) -> int:
    known = ", ".join(c.id for c in model.customers)
    print(f"unknown customer '{customer_id}' (known: {known})", file=sys.stderr)
    return 1


def _port(text: str) -> int:
    port = int(text)
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a TCP port (1-65535)")
    return port


def parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    top = argparse.ArgumentParser(prog="handbook", description=__doc__.splitlines()[0])
    top.add_argument("--project", default=".", help="project root holding mkdocs.yml and project_data/ (default: .)")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--project", default=argparse.SUPPRESS, help="project root (default: .)")
        p.set_defaults(func=func)
        return p

    add("validate", cmd_validate, "check all of project_data/ and report every problem with file:line:column")
    p = add("build", cmd_build, "validate and build the site atomically (the previous site survives a failure)")
    p.add_argument("--config", default="mkdocs.yml", help="MkDocs configuration file (default: mkdocs.yml)")
    p.add_argument("--out", help="output directory (default: site/)")
    p = add("serve", cmd_serve, "live preview on http://127.0.0.1")
    p.add_argument("--config", default="mkdocs.yml")
    p.add_argument("--port", type=_port, default=8000, help="port on 127.0.0.1 (default: 8000)")
    p = add("render", cmd_render, "write the generated Markdown pages and nav.yml without MkDocs")
    p.add_argument("--out", required=True, help="directory to write into")
    p.add_argument("--customer", help="render only the pages a customer's bundle holds")
    p.add_argument("--templates", default="site_templates", help="page templates folder (default: site_templates)")
    p = add("bundle", cmd_bundle, "build offline HTML bundles: dist/<id>-handbook-<version>.zip")
    p.add_argument("customers", nargs="*", metavar="CUSTOMER", help="customer IDs")
    p.add_argument("--all", action="store_true", help="every customer, on all cores")
    p.add_argument("--out", help="output directory (default: dist/)")
    p.add_argument("--verify", action="store_true", help="unpack each produced zip and re-run every check on it")
    p = add("pdf", cmd_pdf, "export a customer's acceptance record as an A4 PDF (needs chromium)")
    p.add_argument("customer", help="customer ID")
    p.add_argument("--out", help="output directory (default: dist/)")
    p = add("publish", cmd_publish, "validate, build and deploy the handbook with mike under its version (latest alias)")
    p.add_argument("--branch", default="gh-pages", help="branch the versions are committed to (default: gh-pages)")
    p.add_argument("--push", action="store_true", help="push the branch to origin afterwards")
    p = add("fingerprint", cmd_fingerprint, "print the SHA-256 fingerprint of a customer's acceptance record")
    p.add_argument("customer", help="customer ID")
    return top


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except OSError as error:
        # A mistyped --out or a full disk is the user's to fix, not a bug: say what, no traceback.
        print(f"{error.filename or ''}: {error.strerror or error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
