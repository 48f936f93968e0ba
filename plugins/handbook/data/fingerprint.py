"""The canonical text of an acceptance record, the input of the fingerprint printed on it.

Everything the printed record shows goes in, so a signed paper copy matches exactly one state of
the data: the customer and project, the handbook it was made under, the scope by name, and the
whole acceptance section as written.
"""

from __future__ import annotations

import json

from . import model as m


def canonical_record(customer_id: str, raw: dict, handbook: m.Handbook, phases: tuple[m.Phase, ...]) -> str:
    """Canonical JSON of a customer's acceptance record (sorted keys, no whitespace)."""
    deliverables = {x.id: x.name for p in phases for x in p.deliverables}
    return canonical_text(customer_id, raw, handbook.vendor, handbook.title, deliverables)


def canonical_text(customer_id: str, raw: dict, vendor: object, title: object, deliverables: dict) -> str:
    """`canonical_record` from plain values: also used on earlier revisions' raw data (`signing`).

    `signed_fingerprint` is left out: it is the record's seal, not its content.
    """
    acceptance = dict(raw.get("acceptance") or {})
    acceptance.pop("signed_fingerprint", None)
    return json.dumps(
        {"customer": customer_id, "name": raw["name"], "project": raw["project"],
         "handbook_version": raw["handbook_version"], "vendor": vendor, "handbook": title,
         "scope": [deliverables.get(d, d) for d in acceptance.get("scope", [])],
         "acceptance": acceptance},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )
