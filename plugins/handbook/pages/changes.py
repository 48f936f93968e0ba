"""The 变更记录 page: what changed since the previous published version, from a precomputed log.

A pure function of the model and a `ChangeLog` (`data.revisions.change_log`), which the caller
computes once: on the internal site it holds the methodology and every customer's record, in a
customer's bundle it was computed on models filtered to that customer, so it holds nothing else.
This module only groups the changes for the template; the template only renders them.
"""

from __future__ import annotations

from pathlib import Path

from ..data import model as m
from ..data.diff import Change
from ..data.revisions import ChangeLog
from . import routes
from .base import GeneratedPage
from .rendering import render

# Methodology changes are shown by kind of item, in the handbook's reading order.
ITEM_ORDER = ("handbook", "phase", "step", "task", "gate-criterion", "deliverable", "role", "module",
              "faq-category", "faq", "priority", "sla-tier")


def groups(changes: tuple[Change, ...]) -> list[tuple[str, list[Change]]]:
    """Methodology changes grouped by item kind, kinds in `ITEM_ORDER`, changes in model order."""
    out = [(item, [c for c in changes if c.item == item]) for item in ITEM_ORDER]
    return [(item, members) for item, members in out if members]


def pages(model: m.Model, templates_dir: Path, changes: ChangeLog | None = None) -> list[GeneratedPage]:
    """The 变更记录 page, or nothing without a change log (e.g. `handbook render` of a bare model)."""
    if changes is None:
        return []
    log = changes.changes
    return [GeneratedPage(
        routes.CHANGES, "变更记录",
        render(templates_dir, "changes.md.j2", model=model, log=changes,
               critical=log.critical if log else (),
               methodology=groups(log.methodology) if log else [],
               customers=log.customer_changes() if log else {},
               here=routes.CHANGES, routes=routes),
        routes.CHANGES, meta={"description": f"手册 {model.handbook.version} 相对上一发布版本的变化"},
    )]
