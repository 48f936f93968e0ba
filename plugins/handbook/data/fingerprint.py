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
    acceptance = raw.get("acceptance") or {}
    return json.dumps(
        {"customer": customer_id, "name": raw["name"], "project": raw["project"],
         "handbook_version": raw["handbook_version"], "vendor": handbook.vendor, "handbook": handbook.title,
         "scope": [deliverables.get(d, d) for d in acceptance.get("scope", [])],
         "acceptance": raw.get("acceptance", {})},
        sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )
