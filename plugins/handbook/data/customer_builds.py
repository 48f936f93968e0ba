"""Every customer of a load, in ID order: taken from the cache of built customers, or read and built.

A customer is built against the shared records (`CustomerContext`) and checked by the domain rules
on its own; one that shows no problem is stored (`built_cache`), and its position tree is dropped
from memory (read back from the file cache if a line is asked for). When many customers need
building and there are several cores, worker processes read and build them (`customer_workers`),
each storing what it built; the main process takes the stored bytes back only when it needs the
customers themselves.

The check that spans customers, a FAQ ID used twice, runs over every customer in ID order,
built now or cached, in one place (`_check_faq_ids`), so its messages are those of a load without
cache or workers. A caller may ask for a summary of each customer (`CustomerSummary`): it is stored
beside the customer, and `handbook validate` reads only the summaries of unchanged customers.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import Location, Problem, ProblemLog
from . import model as m
from . import reading
from .built_cache import BuiltCache, FactsCache, built_key, facts_key, marks_loader
from .customers import CustomerReader
from .positions import Positions
from .reading import FileRead
from .rules import check_customer

if TYPE_CHECKING:
    from .loader import Project, Shared

FaqIds = tuple[tuple[str, Location], ...]


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


@dataclass(frozen=True)
class CustomerSummary:
    """What a caller keeps of every customer for a check that spans customers (the routes its pages
    take), so the check can run without the customers themselves.

    `summarize(model, customer)` gets the model of the shared records alone (no customers) and
    returns plain values (`marshal`-able); worker processes call it too, so it is a module-level
    function. `fingerprint` names the code it depends on: another version never reads a summary.
    """

    fingerprint: str
    summarize: Callable[[m.Model, m.Customer], Any]


@dataclass
class Built:
    """The customers of a load (when asked for), their IDs and summaries, in ID order, and the
    problems the domain rules found in them (reported only once every record is sound)."""

    customers: list[m.Customer] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    summaries: list[tuple[str, Any]] = field(default_factory=list)
    rule_problems: list[Problem] = field(default_factory=list)


@dataclass
class Outcome:
    """Building one customer file: the customer (None if it could not be built, or was built by a
    worker process), its FAQ IDs, its summary and stored entry (when it showed no problem), and
    every problem of the file and of the rules."""

    faq_ids: FaqIds = ()
    built: bool = False
    customer: m.Customer | None = None
    summary: Any = None
    blob: bytes | None = None
    problems: list[Problem] = field(default_factory=list)
    rule_problems: list[Problem] = field(default_factory=list)


class CustomerBuilder:
    """Builds (or takes from the cache) the customers of one load."""

    def __init__(self, project: Project, as_of: dt.date, require_seal: bool, shared: Shared,
                 shared_files: list[tuple[str, FileRead]], summary: CustomerSummary | None = None,
                 materialize: bool = True):
        self.project, self.as_of, self.require_seal, self.summary = project, as_of, require_seal, summary
        # Without `materialize` (`validate`), unchanged customers are answered by their facts, and
        # customers built now are not stored built either (a third of building one): the next
        # `build` stores them.
        self.materialize = materialize
        self.shared, self.context = shared, shared.context
        self.cache = BuiltCache(project.root, shared.records)
        self.facts = FactsCache(project.root)
        self.layout = f"{_rel(project.data_dir, project)}\0{_rel(project.content_dir, project)}"
        self.shared_files = shared_files
        self.shared_keys = sorted(read.key for _, read in shared_files)

    def key(self, read: FileRead) -> str:
        """The built-cache key of the customer file `read`."""
        return built_key(read.key, self.shared_keys, self.layout, self.as_of, self.require_seal, self.shared.records)

    def build_all(self, files: list[tuple[str, FileRead]], faq_ids: dict[str, Location], problems: ProblemLog) -> Built:
        """The customers of `files` (in ID order; none without `materialize`) and what the rules found
        in them; every other problem goes to `problems`. `faq_ids` holds the global FAQ IDs and their
        locations."""
        taken: dict[str, tuple[m.Customer | None, FaqIds, Any]] = {}
        missing: list[tuple[str, FileRead]] = []
        for name, read in files:
            hit = self._stored(read) if read.refused is None else None
            if hit is not None:
                taken[name] = hit
                read.raw = b""  # its bytes were needed for the key only
            else:
                missing.append((name, read))
        made = self._build_missing(missing)
        result = Built()
        for name, _read in files:
            if name in taken:
                customer, own_faq, summary = taken.pop(name)
                _check_faq_ids(own_faq, faq_ids, problems)
            else:
                outcome = made.pop(name)
                problems.problems.extend(outcome.problems)
                result.rule_problems.extend(outcome.rule_problems)
                _check_faq_ids(outcome.faq_ids, faq_ids, problems)
                if not outcome.built:
                    continue
                customer, summary = outcome.customer, outcome.summary
            result.ids.append(name.split("/", 1)[1])
            result.summaries.append((name.split("/", 1)[1], summary))
            if customer is not None:
                result.customers.append(customer)
        self.cache.prune()
        if self.summary is not None:
            self.facts.prune()
        return result

    def _stored(self, read: FileRead) -> tuple[m.Customer | None, FaqIds, Any] | None:
        """(customer or None, FAQ IDs, summary or None) of an unchanged customer, or None."""
        key = self.key(read)
        if self.materialize:
            if self.summary is not None:
                self.facts.used.add(facts_key(key, self.summary.fingerprint))  # kept for the next validate
            hit = self.cache.get(key, Positions.later(marks_loader(self.project.root, read.rel, read.kind, read.key)))
            return None if hit is None else (hit[0], hit[1], None)
        self.cache.used.add(key)
        facts = self.facts.get(facts_key(key, self.summary.fingerprint))
        return None if facts is None else (None, facts[0], facts[1])

    def _build_missing(self, missing: list[tuple[str, FileRead]]) -> dict[str, Outcome]:
        """The outcome of building each of `missing`: in worker processes when they are many."""
        workers = os.cpu_count() or 1
        if workers > 1 and len(missing) >= reading.PARALLEL_FROM:
            from .customer_workers import build_in_workers

            made: dict[str, Outcome] = {}
            reads = dict(missing)
            for name, outcome in build_in_workers(self, missing, workers):
                if self.materialize and outcome.built and not outcome.problems and not outcome.rule_problems:
                    # The customer comes back as the bytes the worker stored (None: it could not be).
                    read = reads[name]
                    positions = Positions.later(marks_loader(self.project.root, read.rel, read.kind, read.key))
                    hit = self.cache.decode(self.key(read), outcome.blob, positions) if outcome.blob else None
                    if hit is None:
                        continue
                    outcome.customer = hit[0]
                outcome.blob = None
                made[name] = outcome
                reads[name].raw = b""  # read by the worker: ten thousand files' bytes need not wait for the end
            made.update(self.build_here([(name, read) for name, read in missing if name not in made]))
            return made
        return self.build_here(missing)

    def build_here(self, files: list[tuple[str, FileRead]]) -> dict[str, Outcome]:
        """Read (from the file cache when unchanged) and build each of `files` in this process."""
        from .loader import iter_docs

        log = ProblemLog()
        made: dict[str, Outcome] = {}
        before = 0
        docs = iter_docs(self.project.root, files, log)  # read as they are built, not all first
        try:
            for (name, read), (_, doc, invalid, flawed) in zip(files, docs):
                found, before = log.problems[before:], len(log.problems)
                made[name] = (self._build_one(name, read, doc, invalid, flawed, found) if doc is not None
                              else Outcome(problems=found))
        finally:
            docs.close()
        return made

    def _build_one(self, name: str, read: FileRead, doc, invalid: bool, flawed: bool, found: list[Problem]) -> Outcome:
        c = self.context
        own = ProblemLog()
        outcome = Outcome(faq_ids=_faq_ids_written(doc), problems=found)
        reader = CustomerReader(self.project, own, self.as_of)
        try:
            customer = reader.customer(doc, name.split("/", 1)[1], c.handbook, c.phases, c.roles, c.modules, c.tiers,
                                       c.categories, c.faq_entry, c.checklist)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            # Only a file that failed its schema gets here; its schema errors are already
            # recorded, and the checks that could run before the bad value have reported too.
            if not invalid:
                raise
            customer = None
        finally:
            outcome.problems = [*found, *own.problems]
        if customer is None:
            return outcome
        rules = ProblemLog()
        check_customer(customer, rules, self.project, self.require_seal)
        outcome.built, outcome.customer, outcome.rule_problems = True, customer, rules.problems
        if not own.problems and not rules.problems and not flawed:
            # A file with a problem of its own is never stored built: its problem would be lost.
            key, positions = self.key(read), doc._positions
            if self.materialize:
                outcome.blob = self.cache.put(key, customer, outcome.faq_ids, positions)
            if self.summary is not None and self.shared.sound:  # else the load fails: nothing to summarize
                outcome.summary = self.summary.summarize(self.shared.model, customer)
                self.facts.put(facts_key(key, self.summary.fingerprint), outcome.faq_ids, outcome.summary)
            positions.unload(marks_loader(self.project.root, read.rel, read.kind, read.key))
        return outcome


def _faq_ids_written(doc) -> FaqIds:
    """(ID, location) of every FAQ entry written in a customer file, in order (entries without a
    usable ID are the schema's to report)."""
    entries = doc.data.get("faq") if isinstance(doc.data, dict) else None
    if not isinstance(entries, list):
        return ()
    return tuple((e["id"], doc.at(("faq", i, "id"))) for i, e in enumerate(entries)
                 if isinstance(e, dict) and isinstance(e.get("id"), str))


def _check_faq_ids(own: FaqIds, faq_ids: dict[str, Location], problems: ProblemLog) -> None:
    """A customer's FAQ IDs against the handbook's and earlier customers' (and its own earlier ones)."""
    for faq_id, where in own:
        if faq_id in faq_ids:
            problems.add(where, f"duplicate FAQ entry ID '{faq_id}' (first defined at {faq_ids[faq_id]})")
        faq_ids[faq_id] = where


def _rel(path, project: Project) -> str:
    try:
        return path.relative_to(project.root).as_posix()
    except ValueError:
        return path.as_posix()
