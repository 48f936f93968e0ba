"""Every customer of a load, in ID order: taken from the cache of built customers, or read and built.

A customer is built against the shared records (`CustomerContext`) and checked by the domain rules
on its own; one that shows no problem is stored (`built_cache`), and its position tree is dropped
from memory (read back from the file cache if a line is asked for). The check that spans customers,
a customer FAQ ID used twice, runs over every customer in ID order, cached or not, so its messages
are those of a load without cache.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import Location, ProblemLog
from . import model as m
from .built_cache import BuiltCache, SharedRecords, built_key, marks_loader
from .customers import CustomerReader
from .positions import Positions
from .reading import FileRead
from .rules import check_customer

if TYPE_CHECKING:
    from .loader import Project


@dataclass(frozen=True)
class CustomerContext:
    """The shared records a customer is built against."""

    handbook: m.Handbook
    phases: tuple
    roles: tuple
    modules: tuple
    tiers: tuple
    categories: tuple
    faq_entry: Any
    checklist: tuple


class CustomerBuilder:
    """Builds (or takes from the cache) the customers of one load."""

    def __init__(self, project: Project, as_of: dt.date, require_seal: bool, context: CustomerContext,
                 records: SharedRecords, shared_files: list[FileRead]):
        self.project, self.as_of, self.require_seal, self.context = project, as_of, require_seal, context
        self.cache = BuiltCache(project.root, records)
        self.layout = f"{_rel(project.data_dir, project)}\0{_rel(project.content_dir, project)}"
        self.shared_keys = sorted(read.key for read in shared_files)
        self.records = records

    def key(self, read: FileRead) -> str:
        """The built-cache key of the customer file `read`."""
        return built_key(read.key, self.shared_keys, self.layout, self.as_of, self.require_seal, self.records)

    def build_all(self, files: list[tuple[str, FileRead]], faq_ids: dict[str, Location],
                  problems: ProblemLog) -> tuple[list[m.Customer], list]:
        """The customers of `files` (in ID order) and the problems the rules found in them; every
        other problem goes to `problems`. `faq_ids` holds the global FAQ IDs and their locations."""
        from .loader import iter_docs

        found: dict[str, tuple[m.Customer, tuple[tuple[str, Location], ...]]] = {}
        missing: list[tuple[str, FileRead]] = []
        for name, read in files:
            if read.refused is None:
                positions = Positions.later(marks_loader(self.project.root, read.rel, read.kind, read.key))
                hit = self.cache.get(self.key(read), positions)
                if hit is not None:
                    found[name] = hit
                    continue
            missing.append((name, read))
        docs = iter_docs(self.project.root, missing, problems)  # read as they are built, not all first
        reader = CustomerReader(self.project, problems, self.as_of)
        customers: list[m.Customer] = []
        rule_problems: list = []
        for name, read in files:
            if name in found:
                customer, own_faq = found.pop(name)
                for faq_id, where in own_faq:  # what `CustomerReader.customer` checks, replayed in order
                    if faq_id in faq_ids:
                        problems.add(where, f"duplicate FAQ entry ID '{faq_id}' (first defined at {faq_ids[faq_id]})")
                    faq_ids[faq_id] = where
                customers.append(customer)
                continue
            key, doc, invalid, flawed = next(docs)
            assert key == name
            if doc is not None:
                # A file with a problem of its own is never stored built: its problem would be lost.
                customer = self._build_one(reader, doc, name, read, invalid, flawed, faq_ids, problems, rule_problems)
                if customer is not None:
                    customers.append(customer)
        docs.close()
        self.cache.prune()
        return customers, rule_problems

    def _build_one(self, reader: CustomerReader, doc, name: str, read: FileRead, invalid: bool, flawed: bool,
                   faq_ids: dict[str, Location], problems: ProblemLog, rule_problems: list) -> m.Customer | None:
        c = self.context
        own = reader.problems = ProblemLog()
        try:
            customer = reader.customer(doc, name.split("/", 1)[1], c.handbook, c.phases, c.roles, c.modules, c.tiers,
                                       c.categories, faq_ids, c.faq_entry, c.checklist)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            # Only a file that failed its schema gets here; its schema errors are already
            # recorded, and the checks that could run before the bad value have reported too.
            if not invalid:
                raise
            customer = None
        finally:
            problems.problems.extend(own.problems)
        if customer is None:
            return None
        rules = ProblemLog()
        check_customer(customer, rules, self.project, self.require_seal)
        rule_problems.extend(rules.problems)
        if not own.problems and not rules.problems and not flawed:
            positions = doc._positions
            own_faq = tuple((e.id, doc.at(("faq", i, "id"))) for i, e in enumerate(customer.faq))
            self.cache.put(self.key(read), customer, own_faq, positions)
            positions.unload(marks_loader(self.project.root, read.rel, read.kind, read.key))
        return customer


def _rel(path, project: Project) -> str:
    try:
        return path.relative_to(project.root).as_posix()
    except ValueError:
        return path.as_posix()
