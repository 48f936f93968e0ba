"""What changed in the customer records between two models (see `diff` for the records).

Per customer: profile, current phase, phase dates, task states, gate verdicts, acceptance
criteria, UAT rounds, cases and defects, open items, the decision, the sign-offs, the record's
fingerprint, the contacts, the training sessions, the operations record (go-live, tier, tickets,
health checks and their actions, the improvement backlog) and the customer's own FAQ entries. Critical: a changed decision or sign-off, a
changed fingerprint of a record that is signed on either side, a gate that went from met to open.
"""

from __future__ import annotations

from . import model as m
from .diff import ADDED, CHANGED, REMOVED, Change, attrs, compare_items, faq_changes, field_changes


def compare_customers(base: m.Model, head: m.Model) -> list[Change]:
    """Every customer's changes, customers in ID order; a customer only on one side is one change."""
    old = {c.id: c for c in base.customers}
    new = {c.id: c for c in head.customers}
    out: list[Change] = []
    for cid in sorted(set(old) | set(new)):
        a, b = old.get(cid), new.get(cid)
        if a is None:
            out.append(Change("customer.added", ADDED, "customer", cid, b.name, customer=cid, customer_name=b.name))
        elif b is None:
            out.append(Change("customer.removed", REMOVED, "customer", cid, a.name, customer=cid,
                              customer_name=a.name))
        else:
            out += _customer(a, b)
    return out


def _one(code: str, item: str, key: str, label: str, old, new, fields, customer: m.Customer,
         critical: bool = False) -> list[Change]:
    changes = field_changes(old, new, fields)
    if not changes:
        return []
    return [Change(code, CHANGED, item, key, label, changes, customer.id, customer.name, critical)]


def _customer(a: m.Customer, b: m.Customer) -> list[Change]:
    cid = b.id
    out = _one("customer.changed", "customer", cid, b.name, a, b,
               attrs("name", "project", "industry", "deployment", "sla", "handbook_version", "summary",
                     "go_live_planned", "go_live_actual", "rollback_plan"), b)
    out += _one("customer.phase", "current-phase", cid, b.name, a, b, attrs("current_phase"), b)
    old_phases = {p.phase.id: p for p in a.phases}
    for progress in b.phases:
        before = old_phases.get(progress.phase.id)
        if before is None:
            continue  # a phase new to the methodology: reported there
        pid = progress.phase.id
        out += _one("customer.phase-dates", "phase-record", f"{cid}/{pid}", progress.phase.name, before, progress,
                    {"planned.start": lambda p: p.planned.start, "planned.end": lambda p: p.planned.end,
                     "actual.start": lambda p: p.actual.start, "actual.end": lambda p: p.actual.end}, b)
        old_tasks = {t.task.id: t.state for t in before.tasks}
        for t in progress.tasks:
            if t.task.id in old_tasks:
                out += _one("customer.task", "task-state", f"{cid}/{t.task.id}", t.task.title, old_tasks[t.task.id],
                            t.state, attrs("state", "date", "by", "evidence", "note"), b)
        old_gate = {g.criterion.id: g for g in before.gate}
        for g in progress.gate:
            was = old_gate.get(g.criterion.id)
            if was is None or (was.met == g.met and was.source == g.source):
                continue
            reopened = was.met and not g.met
            code = "gate.reopened" if reopened else ("gate.passed" if g.met and not was.met else "gate.changed")
            fields = field_changes(was, g, {"met": lambda v: v.met, "source": lambda v: v.source})
            out.append(Change(code, CHANGED, "gate-verdict", f"{cid}/{g.criterion.id}", g.criterion.criterion, fields,
                              cid, b.name, critical=reopened))
    out += _acceptance(a, b)
    out += _people_and_training(a, b)
    out += _operations(a, b)
    out += faq_changes(a.faq, b.faq, customer=b)
    return out


def _numbered(items, key):
    """(key#n, item) pairs: records without an ID of their own, told apart by their order among
    records with the same key (two sessions of one module, two contacts of one role)."""
    seen: dict[str, int] = {}
    out = []
    for x in items:
        k = key(x)
        seen[k] = seen.get(k, 0) + 1
        out.append((k if seen[k] == 1 else f"{k}#{seen[k]}", x))
    return out


def _people_and_training(a: m.Customer, b: m.Customer) -> list[Change]:
    cid = b.id
    contact = lambda c: f"{c.role}/{c.name}"  # noqa: E731
    out = compare_items("contact", a.contacts, b.contacts, lambda c: f"{cid}/{contact(c)}", lambda c: c.name,
                        attrs("title", "email", "phone"), customer=b)
    # A session is the module taught to an audience; its date may change, so it is not the key.
    session = lambda s: f"{s.module}/{s.audience}"  # noqa: E731
    getter = lambda n: (lambda p: getattr(p[1], n))  # noqa: E731
    out += compare_items("training-session", _numbered(a.training, session), _numbered(b.training, session),
                         lambda p: f"{cid}/{p[0]}", lambda p: f"{p[1].module}（{p[1].audience}）",
                         {**{n: getter(n) for n in ("date", "format", "trainer", "invited", "attended", "completed")},
                          "people": lambda p: "、".join(p[1].people)}, customer=b)
    return out


def _operations(a: m.Customer, b: m.Customer) -> list[Change]:
    cid, x, y = b.id, a.operations, b.operations
    out = _one("operations.changed", "operations", cid, b.name, x, y,
               {"live": lambda o: o.live, "go_live": lambda o: o.go_live,
                "tier": lambda o: o.tier.id if o.tier else None}, b)
    out += compare_items("ticket", x.tickets, y.tickets, lambda t: f"{cid}/{t.id}", lambda t: t.summary,
                         attrs("priority", "category", "summary", "status", "opened", "first_response", "resolved",
                               "root_cause"), customer=b)
    out += compare_items("health-check", x.health_checks, y.health_checks, lambda h: f"{cid}/{h.date}",
                         lambda h: f"{h.date} 健康检查",
                         {"kind": lambda h: h.kind, "by": lambda h: "、".join(h.by), "summary": lambda h: h.summary,
                          "results": lambda h: "；".join(f"{r.item.id}: {r.result} {r.measurement}".strip()
                                                        for r in h.results),
                          "findings": lambda h: "；".join(f"[{f.severity}] {f.finding}" for f in h.findings)},
                         customer=b)
    actions = lambda o: [(h.date, t) for h in o.health_checks for t in h.actions]  # noqa: E731
    out += compare_items("action", actions(x), actions(y), lambda p: f"{cid}/{p[0]}/{p[1].title}",
                         lambda p: p[1].title, {n: (lambda p, n=n: getattr(p[1], n)) for n in ("owner", "due", "status",
                                                                                                "done")}, customer=b)
    out += compare_items("backlog-item", x.backlog, y.backlog, lambda i: f"{cid}/{i.id}", lambda i: i.title,
                         attrs("title", "origin", "raised", "decision", "raised_by", "reason", "release"), customer=b)
    return out


def _signatory(side: str):
    def get(acc: m.Acceptance):
        person = acc.vendor_signoff if side == "vendor" else acc.customer_signoff
        return person

    return {f"{side}.name": lambda acc: (get(acc).name if get(acc) else None),
            f"{side}.title": lambda acc: (get(acc).title if get(acc) else None),
            f"{side}.date": lambda acc: (get(acc).date if get(acc) else None)}


def _acceptance(a: m.Customer, b: m.Customer) -> list[Change]:
    cid, x, y = b.id, a.acceptance, b.acceptance
    out = _one("acceptance.decision", "decision", cid, b.name, x, y, attrs("decision"), b, critical=True)
    out += _one("acceptance.signoff", "signoff", cid, b.name, x, y, {**_signatory("vendor"), **_signatory("customer")},
                b, critical=True)
    out += _one("acceptance.fingerprint", "fingerprint", cid, b.name, x, y,
                attrs("fingerprint", "signed_fingerprint"), b, critical=x.is_signed or y.is_signed)
    out += _one("acceptance.plan", "acceptance-plan", cid, b.name, x, y,
                attrs("plan_document", "plan_signed", "scope"), b)
    out += compare_items("acceptance-criterion", x.criteria, y.criteria, lambda c: f"{cid}/{c.id}", lambda c: c.title,
                         {**attrs("title", "result", "must_pass", "evidence"),
                          "waiver": lambda c: f"{c.waiver.reason} ({c.waiver.approver})" if c.waiver else None},
                         customer=b)
    out += compare_items("uat-round", x.rounds, y.rounds, lambda r: f"{cid}/{r.number}", lambda r: f"UAT 第 {r.number} 轮",
                         attrs("start", "end", "note"), customer=b)
    cases = lambda acc: [(r.number, c) for r in acc.rounds for c in r.cases]  # noqa: E731
    out += compare_items("uat-case", cases(x), cases(y), lambda rc: f"{cid}/{rc[0]}/{rc[1].id}",
                         lambda rc: rc[1].scenario,
                         {n: (lambda rc, n=n: getattr(rc[1], n))
                          for n in ("scenario", "expected", "result", "phase", "module", "steps", "actual", "tester",
                                    "date")}, customer=b)
    defects = lambda acc: [(r.number, c.id, d) for r in acc.rounds for c in r.cases for d in c.defects]  # noqa: E731
    out += compare_items("defect", defects(x), defects(y), lambda t: f"{cid}/{t[0]}/{t[1]}/{t[2].id}",
                         lambda t: t[2].title,
                         {n: (lambda t, n=n: getattr(t[2], n)) for n in ("title", "priority", "status")}, customer=b)
    out += compare_items("open-item", x.open_items, y.open_items, lambda i: f"{cid}/{i.title}", lambda i: i.title,
                         attrs("owner", "due", "status"), customer=b)
    return out


__all__ = ["compare_customers", "CHANGED"]
