"""Reading a customer's `operations:` section and the shared health-check checklist into records.

Timestamps stay text in the YAML reader; here they are parsed, must carry their time zone, and
every contradiction (a response before the ticket was opened, a P0 resolved without a root cause,
an action nobody owns, a check dated in the future) is reported at its line, all at once.
"""

from __future__ import annotations

import datetime as dt

from . import operations as o
from .fields import FieldReader
from .sla_clock import deadline
from .yaml_source import YamlDocument

ROOT_CAUSE_PRIORITIES = ("P0", "P1")


class OperationsReader(FieldReader):
    """Builds the operations records of one customer against its SLA tier and the checklist."""

    def checklist(self, doc: YamlDocument) -> tuple[o.ChecklistItem, ...]:
        """The health-check template of sla.yml (`health_checklist`), IDs unique."""
        raw = doc.data.get("health_checklist", [])
        self.unique(doc, [(("health_checklist", i, "id"), x["id"]) for i, x in enumerate(raw)], "checklist item")
        return tuple(o.ChecklistItem(x["id"], x["name"], x.get("description", ""),
                                     source=doc.source(("health_checklist", i))) for i, x in enumerate(raw))

    def operations(self, doc: YamlDocument, raw: dict | None, go_live: dt.date | None, tier,
                   checklist: tuple[o.ChecklistItem, ...]) -> o.Operations:
        """The customer's tickets, health checks and backlog; live from the actual go-live date."""
        raw = raw or {}
        if go_live is None and any(raw.get(k) for k in ("tickets", "health_checks", "backlog")):
            self.err(doc, ("operations",), "operations records need the actual go-live date (go_live: actual)")
        tickets = tuple(t for i, x in enumerate(raw.get("tickets", []))
                        if (t := self.ticket(doc, ("operations", "tickets", i), x, tier)) is not None)
        self.unique(doc, [(("operations", "tickets", i, "id"), x["id"]) for i, x in enumerate(raw.get("tickets", []))],
                    "ticket")
        checks = [self.health_check(doc, ("operations", "health_checks", i), x, checklist)
                  for i, x in enumerate(raw.get("health_checks", []))]
        seen: dict[dt.date, int] = {}
        for i, check in enumerate(checks):
            if check is not None and check.date in seen:
                self.err(doc, ("operations", "health_checks", i, "date"),
                         f"a health check on {check.date} is already recorded (each check has its own report page)")
            elif check is not None:
                seen[check.date] = i
        backlog = tuple(self.backlog_item(doc, ("operations", "backlog", i), x)
                        for i, x in enumerate(raw.get("backlog", [])))
        self.unique(doc, [(("operations", "backlog", i, "id"), x["id"]) for i, x in enumerate(raw.get("backlog", []))],
                    "backlog item")
        return o.Operations(
            live=go_live is not None, go_live=go_live, tier=tier, checklist=checklist, tickets=tickets,
            health_checks=tuple(sorted((c for c in checks if c is not None), key=lambda c: c.date)),
            backlog=tuple(b for b in backlog if b is not None), as_of=self.as_of, source=doc.source(("operations",)),
        )

    def timestamp(self, doc: YamlDocument, path: tuple, value: str | None) -> dt.datetime | None:
        """An ISO 8601 date and time with its time zone (`2026-05-03T09:15+08:00`)."""
        if value is None:
            return None
        try:
            stamp = dt.datetime.fromisoformat(value)
        except ValueError:
            self.err(doc, path, f"'{value}' is not a real date and time")
            return None
        if stamp.tzinfo is None:
            self.err(doc, path, f"'{value}' has no time zone; write it like 2026-05-03T09:15+08:00")
            return None
        if stamp.date() > self.as_of:
            self.err(doc, path, f"{value} is in the future (today is {self.as_of})")
        return stamp

    def ticket(self, doc: YamlDocument, path: tuple, x: dict, tier) -> o.Ticket | None:
        """One ticket with its deadlines from the tier's target for its priority."""
        opened = self.timestamp(doc, path + ("opened",), x["opened"])
        response = self.timestamp(doc, path + ("first_response",), x.get("first_response"))
        resolved = self.timestamp(doc, path + ("resolved",), x.get("resolved"))
        # An unknown tier was reported where the customer names it; its tickets cannot be measured.
        target = next((t for t in tier.targets if t.priority == x["priority"]), None) if tier else None
        if tier is not None and target is None:
            known = ", ".join(t.priority for t in tier.targets)
            self.err(doc, path + ("priority",), f"priority '{x['priority']}' has no target in SLA tier "
                                                f"'{tier.id}' (known: {known})")
        if opened and response and response < opened:
            self.err(doc, path + ("first_response",),
                     f"first response {x['first_response']} is before the ticket was opened ({x['opened']})")
        if resolved and response and resolved < response:
            self.err(doc, path + ("resolved",),
                     f"resolved {x['resolved']} is before the first response ({x['first_response']})")
        if x.get("resolved") and not x.get("first_response"):
            self.err(doc, path + ("resolved",), "a resolved ticket needs its first_response time")
        if x["status"] == "open" and x.get("resolved"):
            self.err(doc, path + ("status",), "status is open but the ticket has a resolved time")
        if x["status"] != "open" and not x.get("resolved"):
            self.err(doc, path + ("status",), f"status is {x['status']} but the ticket has no resolved time")
        if x["priority"] in ROOT_CAUSE_PRIORITIES and x["status"] != "open" and not x.get("root_cause"):
            self.err(doc, path + ("status",), f"{x['priority']} ticket {x['id']} is {x['status']} without a root_cause")
        if opened is None or target is None:
            return None
        return o.Ticket(
            x["id"], x["priority"], x["category"], x["summary"], opened, x["status"],
            deadline(opened, target.response, target.response_minutes, target.clock, tier.business_hours),
            deadline(opened, target.resolution, target.resolution_minutes, target.clock, tier.business_hours),
            response, resolved, self.markdown(doc, path + ("root_cause",), x.get("root_cause")), self.as_of,
            source=doc.source(path),
        )

    def health_check(self, doc: YamlDocument, path: tuple, x: dict,
                     checklist: tuple[o.ChecklistItem, ...]) -> o.HealthCheck | None:
        """One health check: results against the checklist, findings, actions with owners."""
        day = self.date(doc, path + ("date",), x["date"])
        self.not_future(doc, path + ("date",), day, "health check date")
        items = {i.id: i for i in checklist}
        results, seen = [], set()
        for j, r in enumerate(x["results"]):
            self.ref(doc, path + ("results", j, "item"), r["item"], items, "checklist item")
            if r["item"] in seen:
                self.err(doc, path + ("results", j, "item"), f"checklist item '{r['item']}' is listed twice")
            seen.add(r["item"])
            if r["item"] in items:
                results.append(o.CheckResult(items[r["item"]], r["result"], r.get("measurement", ""),
                                             source=doc.source(path + ("results", j))))
        findings = []
        for j, f in enumerate(x.get("findings", [])):
            self.ref(doc, path + ("findings", j, "item"), f.get("item"), items, "checklist item")
            findings.append(o.Finding(f["severity"], f["finding"], items.get(f.get("item")),
                                      source=doc.source(path + ("findings", j))))
        actions = []
        for j, a in enumerate(x.get("actions", [])):
            ap = path + ("actions", j)
            if not a.get("owner"):
                self.err(doc, ap, f"action '{a['title']}' has no owner")
            due = self.date(doc, ap + ("due",), a["due"])
            done = self.date(doc, ap + ("done",), a.get("done"))
            self.not_future(doc, ap + ("done",), done, "action completion date")
            if a["status"] == "open" and done:
                self.err(doc, ap + ("status",), "status is open but the action has a done date")
            if due and day:
                actions.append(o.Action(a["title"], a.get("owner", ""), due, a["status"], day, done, self.as_of,
                                        source=doc.source(ap)))
        if day is None:
            return None
        return o.HealthCheck(day, x["kind"], tuple(x["by"]), tuple(results), tuple(findings), tuple(actions),
                             self.markdown(doc, path + ("summary",), x.get("summary")), source=doc.source(path))

    def backlog_item(self, doc: YamlDocument, path: tuple, x: dict) -> o.BacklogItem | None:
        """An improvement request: rejected ones give their reason, only accepted ones name a release."""
        raised = self.date(doc, path + ("raised",), x["raised"])
        self.not_future(doc, path + ("raised",), raised, "request date")
        if x["decision"] == "rejected" and not x.get("reason"):
            self.err(doc, path + ("decision",), f"request '{x['id']}' is rejected without a reason")
        if x.get("release") and x["decision"] in ("pending", "rejected"):
            self.err(doc, path + ("release",), f"request '{x['id']}' names a release but its decision is {x['decision']}")
        if raised is None:
            return None
        return o.BacklogItem(x["id"], x["title"], x["origin"], raised, x["decision"], x.get("raised_by", ""),
                             x.get("reason", ""), x.get("release", ""), source=doc.source(path))
