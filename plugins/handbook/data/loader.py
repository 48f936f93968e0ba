"""Load `project_data/` into the immutable model, reporting every problem with its location.

Three passes, each collecting all problems before giving up: every file is parsed
(`yaml_source`) and checked against its shipped JSON Schema; then records are built, IDs checked
for uniqueness and safety, and every reference resolved; then the domain rules run (`rules`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from . import model as m
from ..pages import routes
from ..errors import DataError, Location, ProblemLog
from .yaml_source import YamlDocument, load_yaml

DATA_FILES = {
    "handbook.yml": "handbook",
    "roles.yml": "roles",
    "phases.yml": "phases",
    "training.yml": "training",
    "faq.yml": "faq",
    "sla.yml": "sla",
}
_SAFE_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
_DURATION = re.compile(r"([0-9]+)(min|h|d)")
_VERSION = re.compile(r"[0-9]+(\.[0-9]+)*")
_MINUTES = {"min": 1, "h": 60, "d": 1440}
MAX_MARKDOWN_NESTING = 40
_LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]*)|\bhref\s*=\s*[\"']?([^\"'\s>]*)|<((?:[a-z][a-z0-9+.-]*):[^>\s]*)>"
                          r"|^[ ]{0,3}\[[^\]]+\]:\s*<?([^\s>]*)", re.I | re.M)
_ALLOWED_LINK = re.compile(r"(https?://|mailto:|#)", re.I)
_BLOCK_MARKER = re.compile(r"(?:[-*+>]|[0-9]+[.)])(?:\s+|$)")
_BLOCK_MARKERS = re.compile(r"\s*(?:(?:[-*+>]|[0-9]+[.)])(?:\s+|$))+")


@cache
def schema(kind: str) -> dict:
    """The JSON Schema shipped in the package for a data file kind (`customer`, `phases`, ...)."""
    text = resources.files("handbook.data").joinpath("schemas", f"{kind}.schema.json").read_text("utf-8")
    return json.loads(text)


@cache
def _schema_keys(kind: str) -> frozenset[str]:
    """Every property name the schema of `kind` (and the schemas it refers to) knows."""
    keys: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            keys.update(node.get("properties", {}) if isinstance(node.get("properties"), dict) else ())
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(schema(kind))
    if kind == "customer":
        walk(schema("faq"))
    return frozenset(keys)


@cache
def _validator(kind: str) -> Draft202012Validator:
    registry = Registry().with_resources(
        (schema(k)["$id"], Resource.from_contents(schema(k))) for k in [*DATA_FILES.values(), "customer"]
    )
    return Draft202012Validator(schema(kind), registry=registry)


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
    model = _Builder(project, docs, problems, invalid, as_of or dt.date.today()).build()
    problems.raise_if_any()
    from .rules import check_rules

    check_rules(model, docs, problems)
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
    doc = load_yaml(path, project.root, problems, _schema_keys(kind))
    if doc is None:
        return
    before = len(problems.problems)
    if not isinstance(doc.data, dict):
        problems.add(doc.at(()), "the file must hold a mapping of keys to values")
        return
    for error in _validator(kind).iter_errors(doc.data):
        _report_schema_error(doc, error, problems)
    docs[key] = doc
    if len(problems.problems) > before:
        invalid.add(key)


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def id_problem(value: str) -> str | None:
    """Why `value` is unsafe as an ID (file name and URL), or None if it is safe."""
    if not _SAFE_ID.fullmatch(value):
        return "use only lower-case letters a-z, digits 0-9 and '-' (no spaces, '/', '..' or upper case)"
    if value in _WINDOWS_RESERVED:
        return f"'{value}' is a reserved file name on Windows"
    if len(value) > 64:
        return "longer than 64 characters"
    return None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A ' (did you mean 'x'?)' suffix, or a list of the known values."""
    choices = list(choices)
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if close:
        return f" (did you mean '{close[0]}'?)"
    shown = ", ".join(choices[:12]) + (", ..." if len(choices) > 12 else "")
    return f" (known: {shown})"


_TYPE_WORDS = {"string": "text", "integer": "a whole number", "boolean": "true or false", "object": "a mapping",
               "array": "a list", "number": "a number"}


def _report_schema_error(doc: YamlDocument, error, problems: ProblemLog) -> None:
    path = tuple(error.absolute_path)
    value = error.instance
    where = doc.at(path)
    keyword = error.validator
    if keyword == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        for key in sorted(set(value) - set(known)):
            problems.add(doc.at(path + (key,), key=True), f"unknown key '{key}'{did_you_mean(key, known)}")
        return
    if keyword == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        problems.add(where, f"missing required field '{missing[0] if missing else error.message}'")
        return
    if keyword == "type":
        wanted = error.validator_value
        wanted_text = _TYPE_WORDS.get(wanted, wanted)
        written = doc.source_text(path)
        if wanted == "string" and written is not None:
            message = f"expected text, got {written!r} read as {type(value).__name__}; quote it: \"{written}\""
        elif written is not None:
            message = f"expected {wanted_text}, got {written!r}"
        else:
            message = f"expected {wanted_text}, got {_type_name(value)}"
        problems.add(where, message)
        return
    if keyword == "enum":
        allowed = [str(v) for v in error.validator_value]
        problems.add(where, f"'{value}' is not allowed here{did_you_mean(str(value), allowed)}")
        return
    if keyword == "pattern":
        hint = error.schema.get("description") or f"must match {error.validator_value}"
        problems.add(where, f"'{value}' is not valid: {hint}")
        return
    if keyword == "uniqueItems":
        problems.add(where, "the list contains the same entry twice")
        return
    if keyword == "maxLength":
        problems.add(where, f"text is {len(value)} characters long; the limit is {error.validator_value}")
        return
    if keyword == "minLength":
        problems.add(where, "text must not be empty")
        return
    problems.add(where, error.message)


def _type_name(value: Any) -> str:
    return {dict: "a mapping", list: "a list", type(None): "nothing (null)"}.get(type(value), repr(value))


class _Builder:
    """Second pass: build records, check ID uniqueness and resolve every reference."""

    def __init__(self, project: Project, docs: dict[str, YamlDocument], problems: ProblemLog, invalid: set[str],
                 as_of: dt.date):
        self.as_of = as_of
        self.project = project
        self.docs = docs
        self.problems = problems
        self.invalid = invalid

    # -- helpers -----------------------------------------------------------------------------

    def err(self, doc: YamlDocument, path: tuple, message: str) -> None:
        self.problems.add(doc.at(path), message)

    def date(self, doc: YamlDocument, path: tuple, value: str | None) -> dt.date | None:
        if value is None:
            return None
        if not _ISO_DATE.fullmatch(value):
            return None  # the schema's pattern has reported it at this position already: one message
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.err(doc, path, f"'{value}' is not a real date")
            return None

    def unique(self, doc: YamlDocument, items: list[tuple[tuple, str]], what: str, seen: dict | None = None) -> dict:
        seen = {} if seen is None else seen
        for path, ident in items:
            problem = id_problem(ident) if what not in ("UAT case", "priority") else None
            # The schema's pattern already reported most bad IDs; what it lets through is a
            # trailing newline (JSON Schema's `$`) and names reserved on Windows.
            if problem and _SAFE_ID.fullmatch(ident.rstrip("\n")):
                self.err(doc, path, f"{what} ID {ident!r} is not valid: {problem}")
            if ident in seen:
                other = seen[ident]
                self.err(doc, path, f"duplicate {what} ID '{ident}' (first defined at {other})")
            else:
                seen[ident] = doc.at(path)
        return seen

    def ref(self, doc: YamlDocument, path: tuple, value: str | None, known: Iterable[str], what: str) -> None:
        known = list(known)
        if value is not None and value not in known:
            self.err(doc, path, f"unknown {what} '{value}'{did_you_mean(value, known)}")

    def content(self, doc: YamlDocument, path: tuple, rel: str | None) -> str:
        """Read a Markdown file referenced from data, refusing anything outside content/."""
        if rel is None:
            return ""
        base = self.project.content_dir
        target = base / rel
        parts = Path(rel).parts
        if ".." in parts or Path(rel).is_absolute():
            self.err(doc, path, f"'{rel}' points outside content/")
            return ""
        probe = target
        while probe != base and probe != probe.parent:
            if probe.is_symlink():
                self.err(doc, path, f"'{rel}' is a symbolic link; symbolic links are not allowed in content/")
                return ""
            probe = probe.parent
        if not target.is_file():
            self.err(doc, path, f"file content/{rel} does not exist")
            return ""
        try:
            text = target.read_text("utf-8")
        except UnicodeDecodeError:
            self.err(doc, path, f"content/{rel} is not UTF-8; save it as UTF-8")
            return ""
        return text

    def version(self, doc: YamlDocument, path: tuple, value: str) -> None:
        """A version becomes part of file names (bundles) and of published paths (mike)."""
        if isinstance(value, str) and not _VERSION.fullmatch(value):  # other types: a schema error already
            self.err(doc, path, f"version {value!r} is not valid: digits separated by dots, on one line")

    def not_future(self, doc: YamlDocument, path: tuple, value: dt.date | None, what: str) -> None:
        """Something that happened cannot be dated after the day the data is judged on."""
        if value is not None and value > self.as_of:
            self.err(doc, path, f"{what} {value} is in the future (today is {self.as_of})")

    def markdown(self, doc: YamlDocument, path: tuple, text: str | None) -> str:
        """Markdown from data: nesting capped (Python-Markdown's parse is quadratic and recursive),
        links limited to web and mail addresses (a data field is rendered on several pages, so a
        relative link cannot be right everywhere, and `javascript:` must never become a link)."""
        if not text:
            return ""
        depth = _markdown_nesting(text)
        if depth > MAX_MARKDOWN_NESTING:
            self.err(doc, path, f"Markdown nested {depth} levels deep; the limit is {MAX_MARKDOWN_NESTING}")
            return ""
        for groups in _LINK_TARGET.findall(text):
            target = next(g for g in groups if g) if any(groups) else ""
            if not _ALLOWED_LINK.match(target):
                self.err(doc, path, f"link target '{target}' is not allowed in a data field; "
                                    "use an http(s):// or mailto: address")
                return ""
        return text

    # -- the pass ------------------------------------------------------------------------------

    def build(self) -> m.Model:
        d = self.docs
        hb = d["handbook.yml"].data
        self.version(d["handbook.yml"], ("version",), hb["version"])
        handbook = m.Handbook(hb["title"], hb["version"], hb["language"], hb["vendor"],
                              hb.get("description", ""), hb.get("repository", ""))
        roles = self.roles(d["roles.yml"])
        role_ids = [r.id for r in roles]
        phases = self.phases(d["phases.yml"], role_ids)
        modules = self.modules(d["training.yml"], roles)
        categories, faq = self.faq(d["faq.yml"], role_ids, [p.id for p in phases])
        priorities, tiers = self.sla(d["sla.yml"])
        faq_ids = {e.id: d["faq.yml"].at(("entries", i, "id")) for i, e in enumerate(faq)}
        customers = []
        for key, doc in sorted(d.items()):
            if not key.startswith("customers/"):
                continue
            try:
                customers.append(self.customer(doc, key.split("/", 1)[1], phases, roles, modules, tiers, categories,
                                               faq_ids))
            except (KeyError, TypeError, ValueError, AttributeError, IndexError):
                # Only a file that failed its schema gets here; its schema errors are already
                # recorded, and the checks that could run before the bad value have reported too.
                if key not in self.invalid:
                    raise
        if not any((self.project.data_dir / "customers").glob("*.yml")):
            self.problems.add(Location(_rel(self.project.data_dir / "customers", self.project.root)),
                              "no customer files found (project_data/customers/<id>.yml)")
        self.check_routes(phases, roles, categories, [key.split("/", 1)[1] for key in d if key.startswith("customers/")])
        return m.Model(handbook, roles, phases, modules, categories, faq, priorities, tiers, tuple(customers),
                       as_of=self.as_of)

    def check_routes(self, phases, roles, categories, customer_ids) -> None:
        """IDs become page paths: refuse those taken by a fixed generated page or a content file."""
        d = self.docs
        checks = [(d["phases.yml"], ("phases", i, "id"), "phase", p.id, [routes.phase(p.id)])
                  for i, p in enumerate(phases)]
        checks += [(d["roles.yml"], ("roles", i, "id"), "role", r.id,
                    [routes.role(r.id), routes.manual(r.id), routes.manual_print(r.id)]) for i, r in enumerate(roles)]
        checks += [(d["faq.yml"], ("categories", i, "id"), "FAQ category", c.id, [routes.faq_category(c.id)])
                   for i, c in enumerate(categories)]
        checks += [(d[f"customers/{cid}"], (), "customer", cid,
                    [routes.customer(cid), routes.customer_training(cid), routes.acceptance(cid),
                     routes.acceptance_print(cid)]) for cid in customer_ids]
        for doc, path, what, ident, pages in checks:
            if ident in _RESERVED_IDS.get(what, ()):
                self.err(doc, path, f"{what} ID '{ident}' is reserved for a generated page; choose another ID")
                continue
            for page in pages:
                for clash in _same_output(page):
                    if (self.project.content_dir / clash).exists():
                        self.err(doc, path, f"{what} '{ident}' would generate {page}, which collides with "
                                            f"content/{clash}")

    def roles(self, doc: YamlDocument) -> tuple[m.Role, ...]:
        raw = doc.data["roles"]
        self.unique(doc, [(("roles", i, "id"), r["id"]) for i, r in enumerate(raw)], "role")
        return tuple(m.Role(r["id"], r["name"], r["side"], r["summary"], tuple(r.get("responsibilities", ())),
                            r.get("audience", "all")) for r in raw)

    def phases(self, doc: YamlDocument, role_ids: list[str]) -> tuple[m.Phase, ...]:
        raw = doc.data["phases"]
        self.unique(doc, [(("phases", i, "id"), p["id"]) for i, p in enumerate(raw)], "phase")
        task_seen: dict = {}
        deliverable_seen: dict = {}
        criterion_seen: dict = {}
        result = []
        for i, p in enumerate(raw):
            base = ("phases", i)
            self.unique(doc, [(base + ("tasks", j, "id"), t["id"]) for j, t in enumerate(p["tasks"])], "task", task_seen)
            self.unique(doc, [(base + ("deliverables", j, "id"), x["id"]) for j, x in enumerate(p.get("deliverables", []))],
                        "deliverable", deliverable_seen)
            self.unique(doc, [(base + ("gate", j, "id"), g["id"]) for j, g in enumerate(p["gate"])],
                        "gate criterion", criterion_seen)
            deliverables = tuple(
                m.Deliverable(x["id"], x["name"], p["id"], x.get("description", ""), x.get("template"))
                for x in p.get("deliverables", [])
            )
            for j, x in enumerate(p.get("deliverables", [])):
                if (x.get("template") or "").startswith("fragments/"):
                    self.err(doc, base + ("deliverables", j, "template"),
                             f"template '{x['template']}' is a fragment, not a page of the site")
                    continue
                self.content(doc, base + ("deliverables", j, "template"), x.get("template"))
            tasks = []
            for j, t in enumerate(p["tasks"]):
                for k, role in enumerate(t["roles"]):
                    self.ref(doc, base + ("tasks", j, "roles", k), role, role_ids, "role")
                self.ref(doc, base + ("tasks", j, "deliverable"), t.get("deliverable"),
                         [x.id for x in deliverables], f"deliverable of phase '{p['id']}'")
                tasks.append(m.Task(t["id"], t["title"], tuple(t["roles"]), p["id"], t.get("gate", False),
                                    t.get("deliverable"), t.get("note", ""), doc.at(base + ("tasks", j))))
            result.append(m.Phase(
                id=p["id"], number=i + 1, name=p["name"], goal=p["goal"],
                steps=tuple(m.Step(s["title"], self.markdown(doc, base + ("steps", k), s["description"]))
                            for k, s in enumerate(p["steps"])),
                tasks=tuple(tasks), deliverables=deliverables,
                gate=tuple(m.GateCriterion(g["id"], g["criterion"], p["id"], g.get("rule")) for g in p["gate"]),
                prose=self.content(doc, base + ("content",), p.get("content")), prose_path=p.get("content"),
            ))
        return tuple(result)

    def modules(self, doc: YamlDocument, roles: tuple[m.Role, ...]) -> tuple[m.TrainingModule, ...]:
        raw = doc.data["modules"]
        role_ids = [r.id for r in roles]
        role_audience = {r.id: r.audience for r in roles}
        self.unique(doc, [(("modules", i, "id"), x["id"]) for i, x in enumerate(raw)], "training module")
        ids = [x["id"] for x in raw]
        result = []
        for i, x in enumerate(raw):
            self.ref(doc, ("modules", i, "role"), x["role"], role_ids, "role")
            for k, pre in enumerate(x.get("prerequisites", [])):
                self.ref(doc, ("modules", i, "prerequisites", k), pre, ids, "training module")
                if pre == x["id"]:
                    self.err(doc, ("modules", i, "prerequisites", k), "a module cannot be its own prerequisite")
            result.append(m.TrainingModule(
                x["id"], x["title"], x["role"], x["duration_minutes"], tuple(x["objectives"]),
                tuple(x.get("prerequisites", ())), self.content(doc, ("modules", i, "body"), x["body"]), x["body"],
                tuple(m.Exercise(e["kind"], e["task"]) for e in x.get("exercises", ())), tuple(x.get("self_check", ())),
                x.get("audience") or role_audience.get(x["role"], "all"),
            ))
        self._check_cycles(doc, raw)
        internal = {x.id for x in result if x.audience == "internal"}
        for i, x in enumerate(result):
            for k, pre in enumerate(x.prerequisites):
                if pre in internal and x.audience != "internal":
                    self.err(doc, ("modules", i, "prerequisites", k), f"prerequisite '{pre}' is internal; a module "
                                                                       f"for audience '{x.audience}' cannot require it")
        return tuple(result)

    def _check_cycles(self, doc: YamlDocument, raw: list[dict]) -> None:
        graph = {x["id"]: x.get("prerequisites", []) for x in raw}
        index = {x["id"]: i for i, x in enumerate(raw)}
        state: dict[str, int] = {}

        def visit(node: str, trail: list[str]) -> None:
            state[node] = 1
            for nxt in graph.get(node, []):
                if nxt not in graph or nxt == node:
                    continue
                if state.get(nxt) == 1:
                    cycle = " -> ".join(trail[trail.index(nxt):] + [nxt]) if nxt in trail else nxt
                    self.err(doc, ("modules", index[node], "prerequisites"), f"prerequisites form a cycle: {cycle}")
                elif state.get(nxt) is None:
                    visit(nxt, trail + [nxt])
            state[node] = 2

        for node in graph:
            if node not in state:
                visit(node, [node])

    def faq_entry(self, doc: YamlDocument, path: tuple, e: dict, role_ids, phase_ids, category_ids,
                  customer: str | None = None) -> m.FaqEntry:
        self.ref(doc, path + ("category",), e["category"], category_ids, "FAQ category")
        for k, r in enumerate(e.get("roles", [])):
            self.ref(doc, path + ("roles", k), r, role_ids, "role")
        for k, p in enumerate(e.get("phases", [])):
            self.ref(doc, path + ("phases", k), p, phase_ids, "phase")
        return m.FaqEntry(e["id"], e["question"], e["category"], self.markdown(doc, path + ("answer",), e["answer"]),
                          tuple(e.get("tags", ())), tuple(e.get("roles", ())), tuple(e.get("phases", ())), customer)

    def faq(self, doc: YamlDocument, role_ids, phase_ids):
        data = doc.data
        self.unique(doc, [(("categories", i, "id"), c["id"]) for i, c in enumerate(data["categories"])], "FAQ category")
        categories = tuple(m.FaqCategory(c["id"], c["name"]) for c in data["categories"])
        self.unique(doc, [(("entries", i, "id"), e["id"]) for i, e in enumerate(data["entries"])], "FAQ entry")
        cat_ids = [c.id for c in categories]
        entries = tuple(self.faq_entry(doc, ("entries", i), e, role_ids, phase_ids, cat_ids)
                        for i, e in enumerate(data["entries"]))
        return categories, entries

    def sla(self, doc: YamlDocument):
        data = doc.data
        self.unique(doc, [(("priorities", i, "id"), p["id"].lower()) for i, p in enumerate(data["priorities"])],
                    "priority")
        priorities = tuple(m.Priority(p["id"], p["name"], p["description"]) for p in data["priorities"])
        self.unique(doc, [(("tiers", i, "id"), t["id"]) for i, t in enumerate(data["tiers"])], "SLA tier")
        tiers = []
        for i, t in enumerate(data["tiers"]):
            targets = []
            for j, x in enumerate(t["targets"]):
                self.ref(doc, ("tiers", i, "targets", j, "priority"), x["priority"], [p.id for p in priorities], "priority")
                response, resolution = _minutes(x["response"]), _minutes(x["resolution"])
                if response > resolution:
                    self.err(doc, ("tiers", i, "targets", j, "resolution"),
                             f"resolution time {x['resolution']} is shorter than response time {x['response']}")
                targets.append(m.SlaTarget(x["priority"], x["response"], x["resolution"], response, resolution))
            tiers.append(m.SlaTier(t["id"], t["name"], t["coverage"], tuple(targets), t.get("health_check", "")))
        return priorities, tuple(tiers)

    def customer(self, doc: YamlDocument, cid: str, phases, roles, modules, tiers, categories, faq_ids) -> m.Customer:
        c = doc.data
        phase_ids = [p.id for p in phases]
        role_ids = [r.id for r in roles]
        self.ref(doc, ("sla",), c["sla"], [t.id for t in tiers], "SLA tier")
        self.ref(doc, ("current_phase",), c["current_phase"], phase_ids, "phase")
        self.version(doc, ("handbook_version",), c["handbook_version"])
        for i, contact in enumerate(c["contacts"]):
            self.ref(doc, ("contacts", i, "role"), contact["role"], role_ids, "role")
        contacts = tuple(m.Contact(x["role"], x["name"], x.get("title", ""), x.get("email", ""), x.get("phone", ""))
                         for x in c["contacts"])
        records: dict[str, tuple[int, dict]] = {}
        for i, rec in enumerate(c["phases"]):
            if rec["phase"] in records:
                self.err(doc, ("phases", i, "phase"), f"phase '{rec['phase']}' is listed twice")
            self.ref(doc, ("phases", i, "phase"), rec["phase"], phase_ids, "phase")
            records.setdefault(rec["phase"], (i, rec))
        # Everything the printed record shows, so a signed copy matches exactly one state of the data.
        deliverables = {x.id: x.name for p in phases for x in p.deliverables}
        handbook = self.docs["handbook.yml"].data
        canonical = json.dumps(
            {"customer": cid, "name": c["name"], "project": c["project"], "handbook_version": c["handbook_version"],
             "vendor": handbook.get("vendor"), "handbook": handbook.get("title"),
             "scope": [deliverables.get(d, d) for d in (c.get("acceptance") or {}).get("scope", [])],
             "acceptance": c.get("acceptance", {})},
            sort_keys=True, ensure_ascii=False, separators=(",", ":"),
        )
        acceptance = self.acceptance(doc, c.get("acceptance"), phases, modules, canonical)
        progress = tuple(self.phase_progress(doc, phase, records.get(phase.id), acceptance) for phase in phases)
        training = []
        module_ids = [x.id for x in modules]
        internal_modules = {x.id: x.audience == "internal" for x in modules}
        for i, s in enumerate(c.get("training", [])):
            self.ref(doc, ("training", i, "module"), s["module"], module_ids, "training module")
            if internal_modules.get(s["module"]):
                self.err(doc, ("training", i, "module"), f"training module '{s['module']}' is internal (audience: "
                                                         "internal); a customer's training plan cannot use it")
            if s.get("attended") is not None and s.get("invited") is not None and s["attended"] > s["invited"]:
                self.err(doc, ("training", i, "attended"), f"attended ({s['attended']}) exceeds invited ({s['invited']})")
            training.append(m.TrainingSession(s["module"], s["audience"], s["format"], tuple(s.get("people", ())),
                                              self.date(doc, ("training", i, "date"), s.get("date")), s.get("trainer", ""),
                                              s.get("invited"), s.get("attended"), s.get("completed")))
        cat_ids = [x.id for x in categories]
        faq = []
        for i, e in enumerate(c.get("faq", [])):
            path = ("faq", i)
            if e["id"] in faq_ids:
                self.err(doc, path + ("id",), f"duplicate FAQ entry ID '{e['id']}' (first defined at {faq_ids[e['id']]})")
            faq_ids[e["id"]] = doc.at(path + ("id",))
            faq.append(self.faq_entry(doc, path, e, role_ids, phase_ids, cat_ids, customer=cid))
        go_live = c.get("go_live", {})
        go_live_actual = self.date(doc, ("go_live", "actual"), go_live.get("actual"))
        self.not_future(doc, ("go_live", "actual"), go_live_actual, "go-live date")
        return m.Customer(
            id=cid, name=c["name"], project=c["project"], industry=c["industry"], deployment=c["deployment"],
            sla=c["sla"], handbook_version=c["handbook_version"], contacts=contacts,
            current_phase=c["current_phase"], phases=progress, summary=self.markdown(doc, ("summary",), c.get("summary")),
            go_live_planned=self.date(doc, ("go_live", "planned"), go_live.get("planned")),
            go_live_actual=go_live_actual,
            rollback_plan=self.markdown(doc, ("rollback_plan",), c.get("rollback_plan")),
            training=tuple(training), faq=tuple(faq),
            acceptance=acceptance,
            where=doc.at(()),
            as_of=self.as_of,
        )

    def span(self, doc: YamlDocument, path: tuple, raw: dict | None) -> m.Span:
        raw = raw or {}
        span = m.Span(self.date(doc, path + ("start",), raw.get("start")), self.date(doc, path + ("end",), raw.get("end")))
        if span.start and span.end and span.end < span.start:
            self.err(doc, path + ("end",), f"end {span.end} is before start {span.start}")
        return span

    def phase_progress(self, doc: YamlDocument, phase: m.Phase, found: tuple[int, dict] | None,
                       acceptance: m.Acceptance) -> m.PhaseProgress:
        index, rec = found if found else (None, {})
        base = ("phases", index) if index is not None else ("phases",)
        task_ids = [t.id for t in phase.tasks]
        states: dict[str, m.TaskState] = {}
        for j, s in enumerate(rec.get("tasks", [])):
            path = base + ("tasks", j, "task")
            self.ref(doc, path, s["task"], task_ids, f"task of phase '{phase.id}'")
            if s["task"] in states:
                self.err(doc, path, f"task '{s['task']}' is listed twice")
            if s["state"] == "n/a" and s["task"] in task_ids and phase.tasks[task_ids.index(s["task"])].gate:
                self.err(doc, base + ("tasks", j, "state"), f"gate task '{s['task']}' cannot be marked not applicable")
            done_on = self.date(doc, base + ("tasks", j, "date"), s.get("date"))
            self.not_future(doc, base + ("tasks", j, "date"), done_on, "task date")
            states[s["task"]] = m.TaskState(s["task"], s["state"], done_on, s.get("by", ""), s.get("evidence", ""),
                                            s.get("note", ""))
        criteria_ids = [g.id for g in phase.gate]
        checks: dict[str, m.GateCheck] = {}
        for j, g in enumerate(rec.get("gate", [])):
            self.ref(doc, base + ("gate", j, "criterion"), g["criterion"], criteria_ids, f"gate criterion of phase '{phase.id}'")
            checks[g["criterion"]] = m.GateCheck(g["criterion"], g["met"], self.date(doc, base + ("gate", j, "date"), g.get("date")),
                                                 g.get("note", ""))
        tasks = tuple(m.TaskProgress(t, states.get(t.id, m.TaskState(t.id, "open"))) for t in phase.tasks)
        gate = []
        for g in phase.gate:
            check = checks.get(g.id)
            if g.rule:
                gate.append(m.GateVerdict(g, m.evaluate_gate_rule(g.rule, acceptance), "computed", check))
            elif check:
                gate.append(m.GateVerdict(g, check.met, "claimed", check))
            else:
                gate.append(m.GateVerdict(g, False, "missing"))
        actual = self.span(doc, base + ("actual",), rec.get("actual"))
        self.not_future(doc, base + ("actual", "start"), actual.start, f"actual start of phase '{phase.id}'")
        self.not_future(doc, base + ("actual", "end"), actual.end, f"actual end of phase '{phase.id}'")
        return m.PhaseProgress(phase, self.span(doc, base + ("planned",), rec.get("planned")), actual, tasks,
                               tuple(gate))

    def acceptance(self, doc: YamlDocument, raw: dict | None, phases, modules, canonical: str) -> m.Acceptance:
        if not raw:
            return m.Acceptance(canonical=canonical)
        base = ("acceptance",)
        deliverable_ids = [x.id for p in phases for x in p.deliverables]
        for k, s in enumerate(raw.get("scope", [])):
            self.ref(doc, base + ("scope", k), s, deliverable_ids, "deliverable")
        self.unique(doc, [(base + ("criteria", i, "id"), x["id"]) for i, x in enumerate(raw.get("criteria", []))],
                    "acceptance criterion")
        criteria = tuple(
            m.AcceptanceCriterion(x["id"], x["title"], x["result"], x.get("must_pass", False), x.get("evidence", ""),
                                  m.Waiver(x["waiver"]["reason"], x["waiver"].get("approver", "")) if x.get("waiver") else None)
            for x in raw.get("criteria", [])
        )
        rounds = []
        phase_ids = [p.id for p in phases]
        module_ids = [x.id for x in modules]
        for i, r in enumerate(raw.get("rounds", [])):
            rp = base + ("rounds", i)
            if r["round"] != i + 1:
                self.err(doc, rp + ("round",), f"round {r['round']} is listed as round {i + 1}; keep every round, in order")
            self.unique(doc, [(rp + ("cases", j, "id"), x["id"]) for j, x in enumerate(r["cases"])], "UAT case")
            cases = []
            for j, x in enumerate(r["cases"]):
                cp = rp + ("cases", j)
                self.ref(doc, cp + ("phase",), x.get("phase"), phase_ids, "phase")
                self.ref(doc, cp + ("module",), x.get("module"), module_ids, "training module")
                cases.append(m.UatCase(
                    x["id"], x["scenario"], x["expected"], x["result"], x.get("phase"), x.get("module"),
                    self.markdown(doc, cp + ("steps",), x.get("steps")), x.get("actual", ""), x.get("tester", ""),
                    self.date(doc, cp + ("date",), x.get("date")),
                    tuple(m.Defect(dd["id"], dd["title"], dd["priority"], dd["status"]) for dd in x.get("defects", ())),
                ))
            span = self.span(doc, rp, {"start": r["start"], "end": r.get("end")})
            self.not_future(doc, rp + ("end",), span.end, f"end of UAT round {r['round']}")
            rounds.append(m.UatRound(r["round"], span.start, span.end, tuple(cases), r.get("note", "")))
        items = tuple(m.OpenItem(x["title"], x.get("owner", ""), self.date(doc, base + ("open_items", i, "due"), x.get("due")),
                                 x.get("status", "open")) for i, x in enumerate(raw.get("open_items", [])))
        signoff = raw.get("signoff", {})

        def signatory(side: str) -> m.Signatory | None:
            s = signoff.get(side)
            if not s:
                return None
            signed = self.date(doc, base + ("signoff", side, "date"), s.get("date"))
            self.not_future(doc, base + ("signoff", side, "date"), signed, f"{side} sign-off date")
            return m.Signatory(s["name"], s["title"], signed)

        plan = raw.get("plan", {})
        return m.Acceptance(
            plan_document=plan.get("document", ""), plan_signed=self.date(doc, base + ("plan", "signed"), plan.get("signed")),
            scope=tuple(raw.get("scope", ())), criteria=criteria, rounds=tuple(rounds), open_items=items,
            decision=raw.get("decision", "pending"), vendor_signoff=signatory("vendor"),
            customer_signoff=signatory("customer"), canonical=canonical,
        )


_RESERVED_IDS = {"phase": {"index"}, "role": {"index"}, "FAQ category": {"index", "tags"},
                 "customer": {"index", "dashboard"}}


def _same_output(page: str) -> tuple[str, str]:
    """The two source paths MkDocs writes to the same place: `x.md` and `x/index.md`."""
    if page.endswith("/index.md"):
        return page, page[: -len("/index.md")] + ".md"
    return page, page[: -len(".md")] + "/index.md"


def _minutes(text: str) -> int:
    number, unit = _DURATION.fullmatch(text).groups()
    return int(number) * _MINUTES[unit]


def _markdown_nesting(text: str) -> int:
    """Deepest bracket or list/quote nesting in `text`: a cheap bound before Python-Markdown parses it."""
    depth = deepest = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}" and depth:
            depth -= 1
    for line in text.splitlines():
        markers = _BLOCK_MARKERS.match(line)
        if markers:
            deepest = max(deepest, len(_BLOCK_MARKER.findall(markers.group(0))), (len(line) - len(line.lstrip())) // 4)
    return deepest


__all__ = ["DataError", "Project", "load_project", "schema", "id_problem", "did_you_mean"]
