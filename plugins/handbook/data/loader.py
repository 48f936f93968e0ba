"""Load `project_data/` into the immutable model, reporting every problem with its location.

Three passes, each collecting all problems before giving up: every file is parsed
(`yaml_source`) and checked against its shipped JSON Schema (`schema_check`); then records are
built with their sources, IDs checked and every reference resolved (`records`, `customers`); then
the domain rules run over the model (`rules`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..errors import Location, ProblemLog
from . import model as m
from .customers import CustomerReader
from .operations_reader import OperationsReader
from .fields import id_problem
from .records import MethodologyReader
from .rules import check_rules
from .schema_check import DATA_FILES, report_schema_error, schema, schema_keys, validator
from .yaml_source import YamlDocument, load_yaml


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


def load_project(project: Project, as_of: dt.date | None = None) -> m.Model:
    """Load, validate and return the model of `project`; raise `DataError` with every problem.

    `as_of` is the day milestones and overdue phases are judged against (default: today).
    """
    problems = ProblemLog()
    docs, invalid = _parse_all(project, problems)
    # A broken shared file would turn every reference to it into noise; a broken customer file
    # is still built, so that its reference errors are reported together with its schema errors.
    if any(key not in docs or key in invalid for key in DATA_FILES):
        problems.raise_if_any()
    model = _build(project, docs, problems, invalid, as_of or dt.date.today())
    problems.raise_if_any()
    check_rules(model, problems)
    problems.raise_if_any()
    return model


def _parse_all(project: Project, problems: ProblemLog) -> tuple[dict[str, YamlDocument], set[str]]:
    data_dir = project.data_dir
    if not data_dir.is_dir():
        problems.add(Location(_rel(data_dir, project.root)), "project data directory is missing")
        return {}, set()
    for path in sorted(data_dir.rglob("*")):
        if path.is_symlink():
            problems.add(Location(_rel(path, project.root)), "symbolic links are not allowed in project data")
    for path in sorted(project.content_dir.rglob("*")) if project.content_dir.is_dir() else []:
        if path.is_symlink():
            problems.add(Location(_rel(path, project.root)), "symbolic links are not allowed in content/")
    docs: dict[str, YamlDocument] = {}
    invalid: set[str] = set()
    for name, kind in DATA_FILES.items():
        path = data_dir / name
        if not path.exists():
            problems.add(Location(_rel(path, project.root)), f"required data file {name} is missing")
            continue
        _parse_one(path, kind, name, project, problems, docs, invalid)
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
        _parse_one(path, "customer", f"customers/{customer_id}", project, problems, docs, invalid)
    return docs, invalid


def _parse_one(path: Path, kind: str, key: str, project: Project, problems: ProblemLog, docs: dict,
               invalid: set[str]) -> None:
    doc = load_yaml(path, project.root, problems, schema_keys(kind))
    if doc is None:
        return
    before = len(problems.problems)
    if not isinstance(doc.data, dict):
        problems.add(doc.at(()), "the file must hold a mapping of keys to values")
        return
    for error in validator(kind).iter_errors(doc.data):
        report_schema_error(doc, error, problems)
    docs[key] = doc
    if len(problems.problems) > before:
        invalid.add(key)



def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _build(project: Project, docs: dict[str, YamlDocument], problems: ProblemLog, invalid: set[str],
           as_of: dt.date) -> m.Model:
    """Second pass: the records of every file, references resolved, into one model."""
    shared = MethodologyReader(project, problems, as_of)
    handbook = shared.handbook(docs["handbook.yml"])
    roles = shared.roles(docs["roles.yml"])
    role_ids = [r.id for r in roles]
    phases = shared.phases(docs["phases.yml"], role_ids)
    modules = shared.modules(docs["training.yml"], roles)
    categories, faq = shared.faq(docs["faq.yml"], role_ids, [p.id for p in phases])
    priorities, tiers = shared.sla(docs["sla.yml"])
    faq_ids = {e.id: e.source.where for e in faq}
    checklist = OperationsReader(project, problems, as_of).checklist(docs["sla.yml"])
    reader = CustomerReader(project, problems, as_of)
    customers = []
    for key, doc in sorted(docs.items()):
        if not key.startswith("customers/"):
            continue
        try:
            customers.append(reader.customer(doc, key.split("/", 1)[1], handbook, phases, roles, modules, tiers,
                                             categories, faq_ids, shared.faq_entry, checklist))
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            # Only a file that failed its schema gets here; its schema errors are already
            # recorded, and the checks that could run before the bad value have reported too.
            if key not in invalid:
                raise
    return m.Model(handbook, roles, phases, modules, categories, faq, priorities, tiers, tuple(customers),
                   health_checklist=checklist, as_of=as_of)


__all__ = ["DATA_FILES", "Project", "load_project", "schema", "id_problem"]
