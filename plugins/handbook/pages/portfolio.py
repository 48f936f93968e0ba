"""Sort and filter keys of the portfolio tables (dashboard, customer index), computed here.

Each customer row carries a marker `<span class="hb-row" data-...>` whose attributes are the
values the browser sorts and filters by (handbook-portfolio.js): codes, ISO dates and numbers,
never text parsed from what the cells show. Phases, tiers and statuses are codes, so the words
stay in the templates.
"""

from __future__ import annotations

import string

from markupsafe import Markup

from ..data import attention
from ..data import model as m

# UAT statuses ranked so that an ascending sort shows the ones needing attention first.
UAT_RANK = {"failed": 0, "incomplete": 1, "running": 2, "not-started": 3, "passed": 4, "accepted": 5}


def _attribute(value: object) -> str:
    # Every ASCII punctuation mark as a numeric entity, not only HTML's five: the marker sits in a
    # Markdown table row, where `|` would split the cell and `[x](javascript:...)` would become a
    # link before the inline HTML is set aside.
    return "".join(f"&#{ord(ch)};" if ch in _PUNCTUATION else ch for ch in " ".join(str(value).split()))


_PUNCTUATION = set(string.punctuation)


def row_keys(customer: m.Customer, as_of) -> dict[str, str]:
    """The sort and filter keys of one customer's row (empty string: unknown, sorted last)."""
    milestone = customer.next_milestone
    go_live = customer.go_live_planned
    overdue = attention.overdue_milestones(customer, as_of)
    return {
        "name": customer.name,
        "phase": customer.current_phase,
        "deployment": customer.deployment,
        "industry": customer.industry,
        "sla": customer.sla,
        "status": " ".join(attention.statuses(customer, as_of)),
        "progress": str(customer.percent),
        "milestone": milestone.date.isoformat() if milestone else "",
        "overdue": str(max((r.days_late for r in overdue), default=0)),
        "golive": go_live.isoformat() if go_live else "",
        "uat": str(UAT_RANK[customer.acceptance.uat_status]),
        "text": " ".join((customer.name, customer.id, customer.project, customer.industry)),
    }


def row_marker(customer: m.Customer, as_of) -> Markup:
    """The invisible marker of a customer's row, carrying its keys as data-* attributes."""
    attributes = " ".join(f'data-{k}="{_attribute(v)}"' for k, v in row_keys(customer, as_of).items())
    return Markup(f'<span class="hb-row" {attributes}></span>')


def facets(model: m.Model) -> dict[str, list[str]]:
    """The values each filter offers, as codes, in a stable order (industries are free text: sorted)."""
    return {
        "phase": [p.id for p in model.phases],
        "deployment": sorted({c.deployment for c in model.customers}),
        "industry": sorted({c.industry for c in model.customers}),
        "sla": [t.id for t in model.sla_tiers],
        "status": list(attention.STATUSES),
    }


def by_phase(model: m.Model) -> list[tuple[m.Phase, list[m.Customer]]]:
    """Customers grouped by their current phase, in the methodology's order; empty phases left out."""
    groups = {p.id: (p, []) for p in model.phases}
    for customer in model.customers:
        groups[customer.current_phase][1].append(customer)
    return [group for group in groups.values() if group[1]]
