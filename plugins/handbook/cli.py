"""The `handbook` command: validate, build, preview, render, bundle, print, publish and diff the handbook.

Exit codes: 0 success, 1 data or build errors, 2 usage errors. Expected failures print located
messages, never tracebacks.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .data.loader import Project
from .data.model import Model
from .errors import HandbookError

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


def _project(args: argparse.Namespace) -> Project:
    return Project.at(Path(args.project))


def _load(args: argparse.Namespace) -> Model:
    """The validated model, loaded once for the whole command (the plugin reuses it)."""
    from .load import load

    return load(_project(args))


def _plural(word: str) -> str:
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate all of project_data/; print every problem, located."""
    from .load import check

    model, customers = check(_project(args))
    counts = ((len(model.phases), "phase"), (len(model.roles), "role"), (len(model.modules), "training module"),
              (len(model.faq), "FAQ entry"), (customers, "customer"))
    print("ok: " + ", ".join(f"{n} {word if n == 1 else _plural(word)}" for n, word in counts))
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    """Validate, then build the site atomically into --out."""
    from .site.build import build_site

    root = Path(args.project).resolve()
    _load(args)
    target = Path(args.out) if args.out else root / "site"
    build_site(root / args.config, target, offline=True)
    # The build works from disk (see site/offline.py), so opening the file is honest advice.
    print(f"built {target.resolve()}; open {(target.resolve() / 'index.html').as_uri()} "
          "(or preview it live with `make serve`)")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Live preview on 127.0.0.1 only; data problems are shown in the browser, not fatal."""
    import logging

    from .site.live import serve
    from .site.variant import CUSTOMER, OFFLINE

    root = Path(args.project).resolve()
    if args.customer:
        _check_ids([args.customer])
    try:
        model = _load(args)
    except HandbookError:
        model = None  # the preview lists the problems (the plugin prints them) until they are fixed
    if model is not None and args.customer:
        _customer(model, args.customer)
    # The customer's bundle as it would be delivered, but served: online, with live reload.
    os.environ[CUSTOMER] = args.customer or ""
    os.environ[OFFLINE] = ""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    # Like `mkdocs serve`, but without the per-build INFO lists of pages not in the nav and links to
    # excluded files (one line per generated page): the URL, rebuilds and problems stay readable.
    handler.addFilter(lambda record: record.levelno >= logging.WARNING
                      or not record.name.startswith("mkdocs.structure"))
    for name in ("mkdocs", "handbook"):
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    url = f"http://127.0.0.1:{args.port}/"
    what = f"customer '{args.customer}' as its bundle holds it" if args.customer else "the internal handbook"
    print(f"handbook serve: previewing {what} on {url} (Ctrl+C stops)", file=sys.stderr, flush=True)
    os.chdir(root)
    serve(root / args.config, "127.0.0.1", args.port, poll=args.poll)
    return 0


def cmd_render(args: argparse.Namespace) -> int:
    """Write the generated Markdown and a nav file without MkDocs."""
    import yaml

    from .pages.registry import generate
    from .site.build import MARKER, clean_stale, is_replaceable, refuse_symlink, staging_dir, swap_into
    from .site.navigation import expand_nav

    root = Path(args.project).resolve()
    model = _load(args)
    if args.customer:
        model = _for_customer(model, args.customer)
    refuse_symlink(Path(args.out))
    from dataclasses import replace

    from .data.revisions import change_log
    from .documents.deliverables import with_documents
    from .documents.stored import DocumentStore

    model = replace(model, change_log=change_log(_project(args), model, base_ref=args.changes_base,
                                                 customer=args.customer))
    # The phase pages link the templates' Word/Excel files: written too (default Markdown extensions).
    model = with_documents(model, store=DocumentStore(root))
    out = Path(args.out).resolve()
    clean_stale(out.parent)
    if not is_replaceable(out):
        raise HandbookError([f"{out}: exists and was not written by handbook (no {MARKER}); refusing to replace it"])
    pages = generate(model, root / args.templates)
    # Like a build: written aside and swapped in, so no page of an earlier render (another
    # customer's, say) survives next to the new ones.
    with staging_dir(out) as tmp:
        staged = tmp / "out"
        for page in pages:
            path = staged / page.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(page.markdown, encoding="utf-8")
        for document in model.documents:
            path = staged / document.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(document.content)
        nav = expand_nav([], pages)
        (staged / "nav.yml").write_text(yaml.safe_dump({"nav": nav}, allow_unicode=True, sort_keys=False),
                                        encoding="utf-8")
        (staged / MARKER).write_text("{}\n", encoding="utf-8")
        swap_into(staged, out)
    files = f", {len(model.documents)} template files" if model.documents else ""
    print(f"wrote {len(pages)} pages{files} and nav.yml to {out}")
    return 0


def _check_ids(customer_ids: list[str]) -> None:
    """Refuse IDs that are not safe as file names, before anything touches the disk (a usage error)."""
    from .data.fields import id_problem

    problems = [f"'{cid}' is not a valid customer ID: {problem}" for cid in customer_ids
                if (problem := id_problem(cid))]
    if problems:
        raise HandbookError(problems, exit_code=2)


def cmd_new_customer(args: argparse.Namespace) -> int:
    """Write a starter file for a new customer, built from the current phases, roles and SLA tiers."""
    from .load import load
    from .scaffold import new_customer

    _check_ids([args.id])
    project = _project(args)
    model = load(project)
    target = new_customer(model, project.data_dir, args.id, args.name, args.deployment)
    try:
        load(project)
    except HandbookError as error:
        rel = target.relative_to(project.root).as_posix()
        own = [p for p in error.problems if p.location.path == rel]
        if own:  # the ID itself is the trouble (reserved for a generated page, say): take the file back
            target.unlink()
            raise HandbookError(own, summary=f"customer '{args.id}' was not created", exit_code=2) from None
        raise
    print(f"wrote {target}; fill in the values marked 待补充/待定, then run `handbook validate`")
    return 0


def _added_or_taken_back(project, written: dict[Path, str | None], what: str) -> None:
    """Validate after `handbook new faq|module`; if the new entry is what fails, restore the files
    (`written`: path -> text before, None for a file that did not exist) and report its problems."""
    from .load import load

    try:
        load(project)
    except HandbookError as error:
        rels = {p.relative_to(project.root).as_posix() for p in written}
        own = [p for p in error.problems if p.location.path in rels]
        if own:
            for path, before in written.items():
                if before is None:
                    path.unlink(missing_ok=True)
                else:
                    path.write_text(before, encoding="utf-8")
            raise HandbookError(own, summary=f"{what} was not added", exit_code=2) from None
        raise


def cmd_new_faq(args: argparse.Namespace) -> int:
    """Add a FAQ entry to faq.yml with a placeholder answer, checked against the categories, roles and phases."""
    from .load import load
    from .scaffold.entries import new_faq_entry

    _check_ids([args.id])
    project = _project(args)
    faq = project.data_dir / "faq.yml"
    before = {faq: faq.read_text(encoding="utf-8")}
    target = new_faq_entry(load(project), project.data_dir, args.id, args.question, args.category,
                           args.role or [], args.phase or [])
    _added_or_taken_back(project, before, f"FAQ entry '{args.id}'")
    print(f"added '{args.id}' to {target}; write its answer (and tags), then run `handbook validate`")
    return 0


def cmd_new_module(args: argparse.Namespace) -> int:
    """Add a training module to training.yml and write a starter body under content/fragments/training/."""
    from .load import load
    from .scaffold.entries import new_module

    _check_ids([args.id])
    project = _project(args)
    training = project.data_dir / "training.yml"
    before = training.read_text(encoding="utf-8")
    data, body = new_module(load(project), project.data_dir, project.content_dir, args.id, args.title, args.role)
    _added_or_taken_back(project, {data: before, body: None}, f"training module '{args.id}'")
    print(f"added '{args.id}' to {data} and wrote {body}; fill in the parts marked 待补充/待定, "
          "then run `handbook validate`")
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    """Compare the data model at two git revisions (HEAD: the working tree) item by item."""
    from .data.revisions import diff_revisions
    from .report import as_json, markdown, terminal

    changes = diff_revisions(_project(args), args.base, args.head)
    renderer = {"text": terminal, "markdown": markdown, "json": as_json}[args.format]
    sys.stdout.write(renderer.render(changes))
    return 0


def cmd_fingerprint(args: argparse.Namespace) -> int:
    """Print the SHA-256 fingerprint of a customer's acceptance record."""
    _check_ids([args.customer])
    model = _load(args)
    print(_customer(model, args.customer).acceptance.fingerprint)
    return 0


def cmd_bundle(args: argparse.Namespace) -> int:
    """Build the offline bundle of one, several or all customers (or one stable share of all)."""
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from .deliver.shard import in_shard, parse_shard

    _check_ids(args.customers)
    shard = None
    if args.shard is not None:
        try:
            shard = parse_shard(args.shard)
        except ValueError as error:
            raise HandbookError([f"--shard {args.shard}: {error}"], exit_code=2) from None
        if not args.all:
            raise HandbookError(["--shard splits --all; give --all with it"], exit_code=2)
    if args.all and args.customers:
        raise HandbookError(["give customer IDs or --all, not both"], exit_code=2)
    if not args.all and not args.customers:
        raise HandbookError(["name a customer ID or give --all"], exit_code=2)
    root = Path(args.project).resolve()
    model = _load(args)
    wanted = [c.id for c in model.customers] if args.all else args.customers
    if shard is not None:
        wanted = [cid for cid in wanted if in_shard(cid, *shard)]
        print(f"shard {shard[0]}/{shard[1]}: {len(wanted)} of {len(model.customers)} customers", file=sys.stderr)
        if not wanted:
            return 0
    if not wanted:
        print("no customers yet: nothing to bundle (add project_data/customers/<id>.yml)")
        return 0
    for customer_id in wanted:
        _customer(model, customer_id)
    out = Path(args.out) if args.out else root / "dist"
    workers = min(len(wanted), args.jobs or os.cpu_count() or 1)
    global _RUN
    from .deliver.bundle import BundleRun

    # Every customer's text is indexed once for the run, from the model loaded above.
    _RUN = BundleRun.load(root, model=model)
    if workers == 1:
        results = ((cid, _bundle_one(root, cid, out, args.verify)) for cid in wanted)
        return _report_bundles(results, len(wanted))
    # Workers are forked: each inherits the model and the leak index instead of making them again.
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_bundle_one, root, cid, out, args.verify): cid for cid in wanted}
        return _report_bundles(((futures[f], f.result()) for f in as_completed(futures)), len(wanted))


def _report_bundles(results, total: int) -> int:
    """Print a progress line per finished bundle with its problems; 1 if any failed."""
    failed = 0
    for done, (cid, messages) in enumerate(results, start=1):
        bar = "#" * (20 * done // total)
        print(f"[{bar:<20}] {done}/{total} {cid}: {'ok' if not messages else 'FAILED'}", file=sys.stderr)
        for message in messages:
            print(f"  {cid}: {message}", file=sys.stderr)
        failed += bool(messages)
    return 1 if failed else 0


_RUN = None  # the BundleRun of this process's `bundle` command (inherited by forked workers)


def _bundle_one(root: Path, customer_id: str, out: Path, verify: bool) -> list[str]:
    from .deliver.bundle import build_bundle, verify_zip

    try:
        archive = build_bundle(root, customer_id, out, run=_RUN)
    except HandbookError as error:
        return error.messages
    except OSError as error:
        return [f"{error.filename or out}: {error.strerror or error}"]
    print(f"wrote {archive}")
    if verify:
        return verify_zip(Project.at(root), customer_id, archive, _RUN)
    return []


def cmd_pdf(args: argparse.Namespace) -> int:
    """Export a customer's acceptance record as PDF (printed by headless Chromium)."""
    from .deliver.pdf import export_acceptance_pdf

    _check_ids([args.customer])
    root = Path(args.project).resolve()
    model = _load(args)
    _customer(model, args.customer)
    target = export_acceptance_pdf(root, args.customer, Path(args.out) if args.out else root / "dist", model)
    print(f"wrote {target}")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    """Validate, build and deploy the handbook with mike under its version, aliased `latest`."""
    from .deliver.publish import branch_problem, publish

    problem = branch_problem(args.branch)
    if problem:
        raise HandbookError([f"--branch '{args.branch}' is {problem}"], exit_code=2)
    try:
        model = _load(args)
    except HandbookError as error:
        raise HandbookError(error.problems, summary=f"{error.summary}; nothing was committed to '{args.branch}'")
    version = publish(Path(args.project), branch=args.branch, push=args.push, model=model)
    pushed = f", pushed to origin/{args.branch}" if args.push else " (not pushed; add --push)"
    print(f"published handbook {version} to branch '{args.branch}' as {version}/ and latest/{pushed}")
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    """Write a new handbook project that validates and builds at once."""
    from .starter import init_project

    target = Path(args.directory)
    written = init_project(target, example=args.example, force=args.force, title=args.title, vendor=args.vendor)
    print(f"wrote {len(written)} files to {target.resolve()}")
    print(f"next: cd {target} && handbook validate && handbook serve")
    return 0


def _for_customer(model: Model, customer_id: str) -> Model:
    _customer(model, customer_id)
    return model.for_customer(customer_id)


def _customer(model: Model, customer_id: str):
    """The customer `customer_id`, or a `HandbookError` listing the known ones."""
    found = next((c for c in model.customers if c.id == customer_id), None)
    if found is None:
        known = ", ".join(c.id for c in model.customers)
        raise HandbookError([f"unknown customer '{customer_id}' (known: {known})"])
    return found


def _port(text: str) -> int:
    port = int(text)
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a TCP port (1-65535)")
    return port


def _interval(text: str) -> float:
    seconds = float(text)
    if not 0.05 <= seconds <= 60:
        raise argparse.ArgumentTypeError(f"{text} is not an interval between 0.05 and 60 seconds")
    return seconds


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
    p.add_argument("--customer", help="preview only what this customer's bundle holds (reloads faster)")
    p.add_argument("--poll", type=_interval, metavar="SECONDS", help="look for changes every SECONDS instead of "
                   "being notified by the system (for network or container mounts where saves go unnoticed)")
    p = add("render", cmd_render, "write the generated Markdown pages and nav.yml without MkDocs")
    p.add_argument("--out", required=True, help="directory to write into")
    p.add_argument("--customer", help="render only the pages a customer's bundle holds")
    p.add_argument("--templates", default="site_templates", help="page templates folder (default: site_templates)")
    p.add_argument("--changes-base", metavar="REV", help="git revision the 变更记录 page compares with "
                   "(default: the newest published version older than this one)")
    p = add("bundle", cmd_bundle, "build offline HTML bundles: dist/<id>-handbook-<version>.zip")
    p.add_argument("customers", nargs="*", metavar="CUSTOMER", help="customer IDs")
    p.add_argument("--all", action="store_true", help="every customer, on all cores")
    p.add_argument("--out", help="output directory (default: dist/)")
    p.add_argument("--verify", action="store_true", help="unpack each produced zip and re-run every check on it")
    p.add_argument("--shard", metavar="K/N", help="with --all: build only the K-th of N stable shares of the customers "
                                                 "(for a CI matrix; a customer's share depends only on its ID)")
    p.add_argument("--jobs", type=int, metavar="J", help="worker processes (default: all cores)")
    p = add("pdf", cmd_pdf, "export a customer's acceptance record as an A4 PDF (needs chromium)")
    p.add_argument("customer", help="customer ID")
    p.add_argument("--out", help="output directory (default: dist/)")
    p = add("publish", cmd_publish, "validate, build and deploy the handbook with mike under its version (latest alias)")
    p.add_argument("--branch", default="gh-pages", help="branch the versions are committed to (default: gh-pages)")
    p.add_argument("--push", action="store_true", help="push the branch to origin afterwards")
    p = add("init", cmd_init, "write a new handbook project (the five phases as a skeleton, no customers yet)")
    p.add_argument("directory", help="where to write it (new or empty, unless --force)")
    p.add_argument("--example", action="store_true", help="copy the full sample handbook instead")
    p.add_argument("--force", action="store_true", help="write into a non-empty directory")
    p.add_argument("--title", default="实施手册", help="the handbook's title (default: 实施手册)")
    p.add_argument("--vendor", default="我们公司", help="the vendor's name shown in the handbook")
    new = sub.add_parser("new", help="start a new data file that validates at once",
                         description="start a new data file that validates at once")
    new_sub = new.add_subparsers(dest="kind", required=True, metavar="KIND")
    p = new_sub.add_parser("customer", help="project_data/customers/<id>.yml from the current methodology",
                           description="write project_data/customers/<id>.yml from the current phases, roles and SLA tiers")
    p.add_argument("--project", default=argparse.SUPPRESS, help="project root (default: .)")
    p.add_argument("id", help="customer ID: a-z, 0-9 and '-'; becomes the file name and the URL")
    p.add_argument("--name", required=True, help="the customer's name as pages show it")
    p.add_argument("--deployment", required=True, choices=("saas", "private", "hybrid"))
    p.set_defaults(func=cmd_new_customer)
    p = new_sub.add_parser("faq", help="one more entry in project_data/faq.yml",
                           description="add an entry to project_data/faq.yml with a placeholder answer")
    p.add_argument("--project", default=argparse.SUPPRESS, help="project root (default: .)")
    p.add_argument("id", help="entry ID: a-z, 0-9 and '-'; becomes the entry's anchor (#faq-<id>)")
    p.add_argument("--question", required=True, help="the question, one line")
    p.add_argument("--category", required=True, help="a category ID of faq.yml")
    p.add_argument("--role", action="append", help="a role the entry concerns (repeatable)")
    p.add_argument("--phase", action="append", help="a phase the entry concerns (repeatable)")
    p.set_defaults(func=cmd_new_faq)
    p = new_sub.add_parser("module", help="one more training module, with its body Markdown",
                           description="add a module to project_data/training.yml and write its body "
                                       "content/fragments/training/<id>.md")
    p.add_argument("--project", default=argparse.SUPPRESS, help="project root (default: .)")
    p.add_argument("id", help="module ID: a-z, 0-9 and '-'")
    p.add_argument("--title", required=True, help="the module's title, one line")
    p.add_argument("--role", required=True, help="the role whose manual holds it")
    p.set_defaults(func=cmd_new_module)

    p = add("diff", cmd_diff, "what changed in the methodology and the customer records between two git revisions")
    p.add_argument("base", metavar="BASE", help="git revision to compare from (e.g. HEAD~1, main, a tag)")
    p.add_argument("head", metavar="HEAD", nargs="?", help="git revision to compare to (default: the working tree)")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text",
                   help="text for the terminal (default), markdown for a pull request, json for scripts")
    p = add("fingerprint", cmd_fingerprint, "print the SHA-256 fingerprint of a customer's acceptance record")
    p.add_argument("customer", help="customer ID")
    return top


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except HandbookError as error:
        for message in error.messages:
            print(message, file=sys.stderr)
        if error.summary:
            print(error.summary, file=sys.stderr)
        return error.exit_code
    except OSError as error:
        # A mistyped --out or a full disk is the user's to fix, not a bug: say what, no traceback.
        print(f"{error.filename or ''}: {error.strerror or error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
