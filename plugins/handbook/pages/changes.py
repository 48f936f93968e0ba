"""The 变更记录 page: what changed since the previous published version, from a precomputed log.

A pure function of the model and the `ChangeLog` the caller attached to it (`Model.change_log`,
from `data.revisions.change_log`, computed once): on the internal site it holds the methodology
and every customer's record; in a customer's bundle it was computed on models filtered to that
customer, so it holds nothing else. A model without a log (nothing to compare with was found or
configured) gets the page saying so. This module only groups the changes for the template; the
template only renders them.
"""

from __future__ import annotations

from pathlib import Path

from ..data import model as m
from ..data.diff import Change
from ..data.revisions import ChangeLog
from . import operations, routes
from ..errors import Location
from .base import GeneratedPage, Route, template_source
from .rendering import render, title

# Methodology changes are shown by kind of item, in the handbook's reading order.
ITEM_ORDER = ("handbook", "phase", "step", "task", "gate-criterion", "deliverable", "role", "module",
              "faq-category", "faq", "priority", "sla-tier")

OPERATIONS_ITEMS = ("operations", "ticket", "health-check", "action", "backlog-item")


def groups(changes: tuple[Change, ...]) -> list[tuple[str, list[Change]]]:
    """Methodology changes grouped by item kind, kinds in `ITEM_ORDER`, changes in model order."""
    out = [(item, [c for c in changes if c.item == item]) for item in ITEM_ORDER]
    return [(item, members) for item, members in out if members]


def targets(model: m.Model, changes: tuple[Change, ...]) -> dict[Change, str]:
    """The page each change can be read on now (relative to the 变更记录 page); removed items and
    items of customers not in `model` have none, so no link can point at a missing page."""
    phases = {p.id for p in model.phases}
    tasks = {t.id: t.phase for p in model.phases for t in p.tasks}
    criteria = {g.id: g.phase for p in model.phases for g in p.gate}
    deliverables = {d.id: d.phase for p in model.phases for d in p.deliverables}
    modules = {x.id: x.role for x in model.modules}
    customers = {c.id for c in model.customers}
    out: dict[Change, str] = {}
    for c in changes:
        if c.kind == "removed":
            continue
        target = None
        if c.customer is not None:
            if c.customer in customers:
                on_record = c.item in ("decision", "signoff", "fingerprint", "acceptance-plan", "acceptance-criterion",
                                       "uat-round", "uat-case", "defect", "open-item")
                if on_record:
                    target = routes.acceptance(c.customer)
                elif c.item == "training-session":
                    target = routes.customer_training(c.customer)
                elif c.item in OPERATIONS_ITEMS:
                    target = operations.page_path(c.customer)
                else:
                    target = routes.customer(c.customer)
        elif c.item == "phase" and c.key in phases:
            target = routes.phase(c.key)
        elif c.item == "step" and c.key.split("/")[0] in phases:
            target = routes.phase(c.key.split("/")[0])
        elif c.item in ("task", "gate-criterion", "deliverable"):
            phase = {"task": tasks, "gate-criterion": criteria, "deliverable": deliverables}[c.item].get(c.key)
            target = routes.phase(phase) if phase else None
        elif c.item == "module" and c.key in modules:
            target = routes.link(routes.CHANGES, routes.manual(modules[c.key]), f"module-{c.key}")
            out[c] = target
            continue
        elif c.item == "role" and any(r.id == c.key for r in model.roles):
            target = routes.role(c.key)
        elif c.item == "sla-tier":
            target = routes.link(routes.CHANGES, routes.SLA, f"tier-{c.key}")
            out[c] = target
            continue
        if target:
            out[c] = routes.link(routes.CHANGES, target)
    return out


def owned_routes(model: m.Model) -> list[Route]:
    """The 变更记录 page, on every site and in every bundle."""
    return [Route.common(routes.CHANGES)]


def pages(model: m.Model, templates_dir: Path) -> list[GeneratedPage]:
    """The 变更记录 page of the model's change log (or, without one, saying there is no earlier version)."""
    changes = model.change_log
    if not isinstance(changes, ChangeLog):
        changes = ChangeLog(model.handbook.version, note="no-published-version")
    log = changes.changes
    return [GeneratedPage(
        Route.common(routes.CHANGES), title(templates_dir, "changes"),
        render(templates_dir, "changes.md.j2", model=model, log=changes,
               critical=log.critical if log else (),
               methodology=groups(log.methodology) if log else [],
               customers=log.customer_changes() if log else {},
               links=targets(model, log.changes) if log else {},
               here=routes.CHANGES, routes=routes),
        routes.CHANGES, meta={"description": f"手册 {model.handbook.version} 相对上一发布版本的变化"},
        # Computed from git, so no record holds it: its words are the template's, its version handbook.yml's.
        sources=(template_source(templates_dir, "changes.md.j2"), Location(model.handbook.source.file)),
    )]
