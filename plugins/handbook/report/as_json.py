"""The JSON report of `handbook diff`: a stable schema for scripts and CI.

    {"schema": "handbook-diff/1", "base": ..., "head": ..., "counts": {...},
     "changes": [{"code", "kind", "item", "key", "label", "customer", "critical",
                  "fields": [{"field", "old", "new", "diff": [[op, text], ...]}]}]}

`diff` is present for text fields only; ops are `equal`, `delete`, `insert`. Changes come in the
report's order: critical first, then methodology, then customers by ID.
"""

from __future__ import annotations

import json

from ..data.diff import ChangeSet

SCHEMA = "handbook-diff/1"


def as_data(changes: ChangeSet) -> dict:
    """The report as plain JSON-ready data."""
    return {
        "schema": SCHEMA,
        "base": changes.base,
        "head": changes.head,
        "counts": {**{k: changes.count(k) for k in ("added", "removed", "changed", "moved")},
                   "critical": len(changes.critical)},
        "changes": [
            {"code": c.code, "kind": c.kind, "item": c.item, "key": c.key, "label": c.label,
             "customer": c.customer, "critical": c.critical,
             "fields": [{"field": f.field, "old": f.old, "new": f.new,
                         **({"diff": [[s.op, s.text] for s in f.segments]} if f.segments else {})}
                        for f in c.fields]}
            for c in changes.changes
        ],
    }


def render(changes: ChangeSet) -> str:
    """The report as indented JSON text, keys in a fixed order, non-ASCII kept readable."""
    return json.dumps(as_data(changes), ensure_ascii=False, indent=2) + "\n"
