"""Load `project_data/` into the immutable model, reporting every problem with its location.

Three passes, each collecting all problems before giving up: every file is parsed
(`yaml_source`) and checked against its shipped JSON Schema (`schema_check`); then records are
built with their sources, IDs checked and every reference resolved (`records`, `customers`); then
the domain rules run over the model (`rules`).
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import Location, ProblemLog
from . import model as m
from .audience import check_audiences, content_audiences
from .built_cache import SharedRecords
from .customer_builds import Built, CustomerBuilder, CustomerContext, CustomerSummary
from .operations_reader import OperationsReader
from .fields import id_problem
from .records import MethodologyReader
from .schema_check import DATA_FILES, OPTIONAL_DATA_FILES, report_schema_error, schema, schema_keys, validator
from .reading import FileRead
from .yaml_source import YamlDocument, parse_bytes


@dataclass
class Project:
    """Where a handbook's sources live."""

    root: Path
    data_dir: Path
    content_dir: Path

    @classmethod
    def at(cls, root: Path, data_dir: str = "project_data", content_dir: str = "content") -> Project:
        """The project rooted at `root` with the conventional layout."""
        root = root.resolve()
        return cls(root, root / data_dir, root / content_dir)


def load_project(project: Project, as_of: dt.date | None = None, *, require_seal: bool = True,
                 summary: CustomerSummary | None = None) -> m.Model:
    """Load, validate and return the model of `project`; raise `HandbookError` with every problem.

    `as_of` is the day milestones and overdue phases are judged against (default: today).
    `require_seal=False` accepts signed records without `signed_fingerprint` (earlier revisions,
    written before the rule existed); a seal that no longer matches is an error either way.
    `summary` is stored beside every customer built without problems (see `check_project`).
    """
    with collector_paused():
        model, _ = _load_project(project, as_of, require_seal, summary, materialize=True)
    return model


def check_project(project: Project, summary: CustomerSummary, as_of: dt.date | None = None) -> tuple[m.Model, list]:
    """Validate `project` like `load_project`, without holding unchanged customers: (the model of the
    shared records with the customers built now, [(customer ID, summary) of every customer, in
    order]). An unchanged customer stored with its summary is not unpickled: the checks spanning
    customers run on the summaries (FAQ IDs here; routes by the caller). Raises `HandbookError`."""
    with collector_paused():
        model, built = _load_project(project, as_of, True, summary, materialize=False)
    return model, built.summaries


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: a load allocates millions of small objects and frees
    none of them, so the collector would walk them all again and again for nothing (unpickling a
    thousand cached customers set off collections that took 1 s of a 2.2 s warm load)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _load_project(project: Project, as_of: dt.date | None, require_seal: bool, summary: CustomerSummary | None,
                  materialize: bool) -> tuple[m.Model, Built]:
    from .reading import prune

    problems = ProblemLog()
    shared_files, customer_files = _find_files(project, problems)
    # Worker processes that build customers read the shared files too: keep their bytes.
    shared_reads = [(name, replace(read)) for name, read in shared_files]
    docs, invalid = _read_docs(project.root, shared_files, problems)
    # A broken shared file would turn every reference to it into noise; a broken customer file
    # is still built, so that its reference errors are reported together with its schema errors.
    if any(key not in docs or key in invalid for key in DATA_FILES) or invalid & set(OPTIONAL_DATA_FILES):
        _read_docs(project.root, customer_files, problems)  # their own problems are reported too
        problems.raise_if_any()
    model, built = _build(project, docs, problems, as_of or dt.date.today(), shared_reads, customer_files,
                          require_seal, summary, materialize)
    prune(project.root, [read for _, read in shared_files + customer_files])
    check_audiences(content_audiences(project.content_dir, project.root), built.ids, problems)
    problems.raise_if_any()
    # The rules ran on each customer as it was built (or before it was cached, finding nothing):
    # as before, they are reported only once every record is sound.
    problems.problems.extend(built.rule_problems)
    problems.raise_if_any()
    return model, built


def _find_files(project: Project, problems: ProblemLog) -> tuple[list[tuple[str, FileRead]], list[tuple[str, FileRead]]]:
    """The shared and the customer data files, read (bytes and cache key), each with its key in the docs."""
    from .reading import read_files

    data_dir = project.data_dir
    for directory, what in ((data_dir, "project data"), (project.content_dir, "content")):
        # A linked directory would be read here and resolved elsewhere by the build: refuse it.
        if directory.is_symlink():
            problems.add(Location(_rel(directory, project.root)),
                         f"is a symbolic link; {what} must be a real directory inside the project")
    if problems.problems:
        return [], []
    if not data_dir.is_dir():
        problems.add(Location(_rel(data_dir, project.root)), "project data directory is missing")
        return [], []
    for path in sorted(data_dir.rglob("*")):
        if path.is_symlink():
            problems.add(Location(_rel(path, project.root)), "symbolic links are not allowed in project data")
    for path in sorted(project.content_dir.rglob("*")) if project.content_dir.is_dir() else []:
        if path.is_symlink():
            problems.add(Location(_rel(path, project.root)), "symbolic links are not allowed in content/")
    jobs: list[tuple[Path, str, str]] = []  # (file, kind, key in docs)
    for name, kind in DATA_FILES.items():
        path = data_dir / name
        if not path.exists():
            problems.add(Location(_rel(path, project.root)), f"required data file {name} is missing")
            continue
        jobs.append((path, kind, name))
    for name, kind in OPTIONAL_DATA_FILES.items():
        if (data_dir / name).exists():
            jobs.append((data_dir / name, kind, name))
    customers_dir = data_dir / "customers"
    seen_lower: dict[str, Path] = {}
    for path in sorted(customers_dir.glob("*")) if customers_dir.is_dir() else []:
        rel = _rel(path, project.root)
        if path.suffix != ".yml" or path.is_symlink():
            if not path.is_symlink() and not path.name.startswith("."):
                problems.add(Location(rel), "only <customer-id>.yml files belong in project_data/customers/")
            continue
        customer_id = path.stem
        clash = seen_lower.get(customer_id.lower())
        if clash is not None:
            problems.add(Location(rel), f"customer file name collides with {clash.name} (names differ only in case)")
            continue
        seen_lower[customer_id.lower()] = path
        problem = id_problem(customer_id)
        if problem:
            problems.add(Location(rel), f"file name '{path.name}' is not a valid customer ID: {problem}")
            continue
        jobs.append((path, "customer", f"customers/{customer_id}"))
    jobs.sort(key=lambda job: job[2])  # customers in ID order: the order their records are built and checked in
    reads = read_files(project.root, [(path, kind) for path, kind, _ in jobs])
    named = [(key, read) for (_, _, key), read in zip(jobs, reads)]
    return [x for x in named if not x[0].startswith("customers/")], [x for x in named if x[0].startswith("customers/")]


def _read_docs(root: Path, files: list[tuple[str, FileRead]], problems: ProblemLog) -> tuple[dict[str, YamlDocument], set[str]]:
    """The documents of `files` and the keys of those that failed their schema."""
    docs: dict[str, YamlDocument] = {}
    invalid: set[str] = set()
    for key, doc, schema_failed, _ in iter_docs(root, files, problems):
        if doc is not None:
            docs[key] = doc
        if schema_failed:
            invalid.add(key)
    return docs, invalid


def iter_docs(root: Path, files: list[tuple[str, FileRead]], problems: ProblemLog):
    """(key, document or None, failed its schema, has a problem of its own) of each of `files`, in
    order, one at a time; each file's problems go to `problems`. The one hook of the file cache:
    unchanged files come from .handbook-cache/, the rest are read on all cores by `check_file`."""
    from .reading import read_checked

    for (key, _), (doc, found) in zip(files, read_checked(root, [read for _, read in files])):
        problems.problems.extend(found)
        yield key, (YamlDocument(*doc[:3]) if doc is not None else None), bool(doc is not None and doc[3]), bool(found)


def check_file(rel: str, raw: bytes, kind: str) -> tuple[tuple | None, list]:
    """Read one data file and check it against its schema: ((path, data, marks, schema_failed)
    or None when it is unusable, [every problem found in it])."""
    from .schema_fast import certainly_valid

    problems = ProblemLog()
    doc = parse_bytes(raw, rel, problems, schema_keys(kind))
    if doc is None:
        return None, problems.problems
    if not isinstance(doc.data, dict):
        problems.add(doc.at(()), "the file must hold a mapping of keys to values")
        return None, problems.problems
    before = len(problems.problems)
    if not certainly_valid(kind, doc.data):  # jsonschema only words the errors
        for error in validator(kind).iter_errors(doc.data):
            report_schema_error(doc, error, problems)
    return (doc.path, doc.data, doc.marks, len(problems.problems) > before), problems.problems



def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


@dataclass(frozen=True)
class Shared:
    """The shared (methodology) records of a load: what customers are built against."""

    context: CustomerContext
    records: SharedRecords
    model: m.Model  # the model without customers
    sound: bool  # no problem found in the shared records: pages can be planned on them


def shared_records(project: Project, docs: dict[str, YamlDocument], problems: ProblemLog, as_of: dt.date) -> Shared:
    """The records of every shared file, references resolved (also run by worker processes that build
    customers, on the same files: the records come out the same, in the same order)."""
    before = len(problems.problems)
    shared = MethodologyReader(project, problems, as_of)
    handbook = shared.handbook(docs["handbook.yml"])
    roles = shared.roles(docs["roles.yml"])
    role_ids = [r.id for r in roles]
    phases = shared.phases(docs["phases.yml"], role_ids)
    modules = shared.modules(docs["training.yml"], roles)
    categories, faq = shared.faq(docs["faq.yml"], role_ids, [p.id for p in phases])
    priorities, tiers, support_contact, business_hours = shared.sla(docs["sla.yml"])
    glossary = shared.glossary(docs["glossary.yml"], priorities) if "glossary.yml" in docs else ()
    checklist = OperationsReader(project, problems, as_of).checklist(docs["sla.yml"])
    context = CustomerContext(handbook, phases, roles, modules, tiers, categories, shared.faq_entry, checklist)
    records = SharedRecords((handbook, roles, phases, modules, categories, faq, priorities, tiers, support_contact,
                             glossary, checklist))
    model = m.Model(handbook, roles, phases, modules, categories, faq, priorities, tiers, (),
                    health_checklist=checklist, support_contact=support_contact,
                    business_hours=business_hours, glossary=glossary, as_of=as_of)
    return Shared(context, records, model, len(problems.problems) == before)


def _build(project: Project, docs: dict[str, YamlDocument], problems: ProblemLog, as_of: dt.date,
           shared_files: list[tuple[str, FileRead]], customer_files: list[tuple[str, FileRead]], require_seal: bool,
           summary: CustomerSummary | None, materialize: bool) -> tuple[m.Model, Built]:
    """Second pass: the records of every file, references resolved, into one model; and the
    problems the domain rules found (reported only if the model holds no other problem)."""
    shared = shared_records(project, docs, problems, as_of)
    builder = CustomerBuilder(project, as_of, require_seal, shared, shared_files, summary, materialize)
    built = builder.build_all(customer_files, {e.id: e.source.where for e in shared.model.faq}, problems)
    return replace(shared.model, customers=tuple(built.customers)), built


__all__ = ["DATA_FILES", "OPTIONAL_DATA_FILES", "Project", "check_project", "load_project", "schema", "id_problem"]
