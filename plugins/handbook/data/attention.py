"""What needs attention across the portfolio on the build date, and who owns what.

Pure functions over the model: the risk page, the people pages and the dashboard's filters read
their facts from here (kinds as codes, dates, days late), and templates only put words on them.
`as_of` is the model's build date, so every page of one build agrees on what is late.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import NamedTuple

from . import model as m

# Order of the risk page's sections, most urgent first.
RISK_KINDS = ("gate-blocked", "milestone-overdue", "uat-failed", "defect-open", "item-overdue",
              "check-overdue", "sla-breach", "action-overdue")
# Statuses the portfolio filters offer, as codes (words in _labels.j2).
STATUSES = ("blocked", "overdue", "uat-failed", "live")


class Risk(NamedTuple):
    """One thing to look at today: its kind, whose project, what record and how late.

    `target` is `project`, `acceptance` or `operations` (the customer's page it is on) and `anchor`
    the record's anchor there; `record` is the model record itself (milestone, round, defect, ...).
    """

    kind: str
    customer: m.Customer
    record: object
    target: str
    anchor: str
    due: dt.date | None = None
    days_late: int = 0


class Assignment(NamedTuple):
    """An open task or item one person owns: its kind (`task`, `open-item`, `action`), record and due date."""

    kind: str
    customer: m.Customer
    record: object
    target: str
    anchor: str
    due: dt.date | None
    late: bool
    days_late: int = 0


class Person(NamedTuple):
    """Someone named in customer data, with the page slug, the customers they appear on and their open work."""

    name: str
    slug: str
    customers: tuple[m.Customer, ...]
    contact_of: tuple[m.Contact, ...]
    assignments: tuple[Assignment, ...]

    @property
    def contact_roles(self) -> tuple[str, ...]:
        """The vendor roles this person is a contact for, each once, in the order first named."""
        return tuple(dict.fromkeys(c.role for c in self.contact_of))

    @property
    def late(self) -> int:
        return sum(1 for a in self.assignments if a.late)


def _late(due: dt.date | None, as_of: dt.date) -> int:
    return (as_of - due).days if due is not None and due < as_of else 0


def overdue_milestones(customer: m.Customer, as_of: dt.date) -> list[Risk]:
    """Planned phase ends and the go-live of `customer` that passed without being reached."""
    found = []
    ids = [p.phase.id for p in customer.phases]
    for progress in customer.phases[ids.index(customer.current_phase):]:
        end = progress.planned.end
        if end and not progress.actual.end and end < as_of:
            found.append(Risk("milestone-overdue", customer, m.Milestone("phase-end", progress.phase, end, True),
                              "project", f"phase-{progress.phase.id}", end, _late(end, as_of)))
    if customer.go_live_planned and not customer.go_live_actual and customer.go_live_planned < as_of:
        found.append(Risk("milestone-overdue", customer, m.Milestone("go-live", None, customer.go_live_planned, True),
                          "project", "", customer.go_live_planned, _late(customer.go_live_planned, as_of)))
    return found


def customer_risks(customer: m.Customer, as_of: dt.date) -> list[Risk]:
    """Everything about one customer that needs attention on `as_of`, in RISK_KINDS order."""
    risks: list[Risk] = []
    if customer.gate_blocker:
        blocker = customer.gate_blocker
        risks.append(Risk("gate-blocked", customer, blocker, "project", f"phase-{customer.current_phase}",
                          blocker.date, _late(blocker.date, as_of)))
    risks += overdue_milestones(customer, as_of)
    acceptance = customer.acceptance
    latest = acceptance.latest_round
    if latest is not None and not acceptance.is_accepted and latest.status in ("failed", "incomplete"):
        risks.append(Risk("uat-failed", customer, latest, "acceptance", f"round-{latest.number}", latest.end))
    seen: set[str] = set()
    for uat_round in acceptance.rounds:
        for defect in uat_round.blocking_defects:
            if defect.id not in seen:
                seen.add(defect.id)
                risks.append(Risk("defect-open", customer, defect, "acceptance", f"round-{uat_round.number}"))
    for item in acceptance.open_items:
        if item.status == "open" and item.due and item.due < as_of:
            risks.append(Risk("item-overdue", customer, item, "acceptance", "open-items", item.due,
                              _late(item.due, as_of)))
    ops = customer.operations
    if ops.check_overdue:
        risks.append(Risk("check-overdue", customer, ops, "operations", "health-checks", ops.next_check_due,
                          _late(ops.next_check_due, as_of)))
    for ticket in ops.recent_breaches:
        risks.append(Risk("sla-breach", customer, ticket, "operations", "breaches"))
    for action in ops.overdue_actions:
        risks.append(Risk("action-overdue", customer, action, "operations", "actions", action.due,
                          action.days_overdue))
    return risks


def portfolio_risks(model: m.Model) -> list[tuple[str, list[Risk]]]:
    """Every customer's risks grouped by kind (RISK_KINDS order), the latest first within a kind."""
    by_kind: dict[str, list[Risk]] = {kind: [] for kind in RISK_KINDS}
    for customer in model.customers:
        for risk in customer_risks(customer, model.as_of):
            by_kind[risk.kind].append(risk)
    for risks in by_kind.values():
        risks.sort(key=lambda r: (-r.days_late, r.customer.name))
    return [(kind, risks) for kind, risks in by_kind.items() if risks]


def statuses(customer: m.Customer, as_of: dt.date) -> tuple[str, ...]:
    """The portfolio filter statuses (STATUSES) that hold for `customer`."""
    found = []
    if customer.gate_blocker:
        found.append("blocked")
    if overdue_milestones(customer, as_of):
        found.append("overdue")
    if customer.acceptance.uat_status == "failed":
        found.append("uat-failed")
    if customer.is_live:
        found.append("live")
    return tuple(found)


def person_slug(name: str) -> str:
    """A file-safe, stable page name for a person: `p-` and 8 hex digits of the SHA-256 of the name.

    Names are free text in any script (张三, O'Brien, two people writing the same name are one
    person): a hash keeps paths ASCII, stable across builds and independent of the name's letters.
    """
    return "p-" + hashlib.sha256(normal_name(name).encode("utf-8")).hexdigest()[:8]


_SEPARATORS = re.compile(r"[、，,;；/]")
_AFFILIATION = re.compile(r"\s*[（(][^（）()]*[)）]$")
_LISTED = re.compile(r"[、，,;；/（(]")


def owner_names(text: str) -> list[str]:
    """The people an owner field names: `周蕾（华建）、刘畅（筑云）` is 周蕾 and 刘畅.

    Owners are free text; several people are listed with 、 or commas, an affiliation in brackets
    after a name. Anything else (`筑云运维 王磊`) is kept as written.
    """
    if not _LISTED.search(text):  # one name as written, the common case: no split, no affiliation
        name = normal_name(text)
        return [name] if name else []
    names = (_AFFILIATION.sub("", part).strip() for part in _SEPARATORS.split(text))
    return [normal_name(n) for n in names if n.strip()]


def normal_name(name: str) -> str:
    """A name with its whitespace collapsed: `张 三 ` and `张 三` are the same person."""
    return " ".join(name.split())


def _assignments(customer: m.Customer, as_of: dt.date) -> list[tuple[str, Assignment]]:
    """(owner name, assignment) for every open task, open item and open action of `customer`."""
    found = []
    for progress in customer.phases:
        for task in progress.tasks:
            if task.state.state == "open" and task.state.by:
                due = progress.planned.end
                found += ((name, Assignment("task", customer, task, "project", f"phase-{progress.phase.id}", due,
                                            _late(due, as_of) > 0, _late(due, as_of)))
                          for name in owner_names(task.state.by))
    for item in customer.acceptance.open_items:
        if item.status == "open" and item.owner:
            found += ((name, Assignment("open-item", customer, item, "acceptance", "open-items", item.due,
                                        _late(item.due, as_of) > 0, _late(item.due, as_of)))
                      for name in owner_names(item.owner))
    for action in customer.operations.open_actions:
        if action.owner:
            found += ((name, Assignment("action", customer, action, "operations", "actions", action.due,
                                        action.overdue, action.days_overdue)) for name in owner_names(action.owner))
    return found


def _named(customer: m.Customer, vendor_roles: set[str]) -> list[str]:
    """Every name written in `customer`'s data as someone who did or owns something."""
    fields = [t.state.by for p in customer.phases for t in p.tasks if t.state.by]
    fields += [i.owner for i in customer.acceptance.open_items if i.owner]
    fields += [a.owner for a in customer.operations.actions if a.owner]
    fields += [n for c in customer.operations.health_checks for n in c.by]
    fields += [c.name for c in customer.contacts if c.role in vendor_roles]
    return [name for text in fields for name in owner_names(text)]


def people_names(model: m.Model) -> list[str]:
    """The names of `people(model)`, in its order, without gathering their work (for routes)."""
    vendor_roles = {r.id for r in model.roles if r.side == "vendor"}
    return sorted({normal_name(name) for customer in model.customers for name in _named(customer, vendor_roles)})


def people(model: m.Model) -> list[Person]:
    """Everyone named as owner or assignee in customer data, by name, with their open work by due date."""
    vendor_roles = {r.id for r in model.roles if r.side == "vendor"}
    customers: dict[str, dict[str, m.Customer]] = {}
    contacts: dict[str, list[m.Contact]] = {}
    work: dict[str, list[Assignment]] = {}
    for customer in model.customers:
        for name in _named(customer, vendor_roles):
            customers.setdefault(normal_name(name), {})[customer.id] = customer
        for contact in customer.contacts:
            if contact.role in vendor_roles:
                contacts.setdefault(normal_name(contact.name), []).append(contact)
        for name, assignment in _assignments(customer, model.as_of):
            work.setdefault(normal_name(name), []).append(assignment)
    far = dt.date.max
    result = []
    for name in sorted(customers):
        mine = sorted(work.get(name, ()), key=lambda a: (a.due or far, a.customer.name))
        result.append(Person(name, person_slug(name), tuple(customers[name].values()),
                             tuple(contacts.get(name, ())), tuple(mine)))
    return result
