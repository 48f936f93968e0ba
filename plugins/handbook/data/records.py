"""Reading the shared data files into records: roles, phases, training modules, FAQ and SLA.

Each record is built with its `Source`, so rules and pages can point back at the line it came from;
IDs are checked for uniqueness and every reference is resolved, all problems reported at once.
"""

from __future__ import annotations

import datetime as dt
import re

from . import model as m
from .fields import FieldReader, minutes
from .sla_clock import DEFAULT_BUSINESS_HOURS
from .yaml_source import YamlDocument

# The rule under a Markdown table's header row (`| --- | :---: |`): what makes lines a table. A
# regex, not a Markdown parse: the data layer checks this on every load, and a parse cost 0.2 s.
_TABLE_RULE = re.compile(r"(?m)^[ ]{0,3}\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*$")


class MethodologyReader(FieldReader):
    """Builds the records of the shared files (everything but customers)."""

    def handbook(self, doc: YamlDocument) -> m.Handbook:
        """The handbook's own metadata (handbook.yml)."""
        hb = doc.data
        self.version(doc, ("version",), hb["version"])
        return m.Handbook(hb["title"], hb["version"], hb["language"], hb["vendor"], hb.get("description", ""),
                          hb.get("repository", ""), source=doc.source())

    def roles(self, doc: YamlDocument) -> tuple[m.Role, ...]:
        """The roles (roles.yml)."""
        raw = doc.data["roles"]
        self.unique(doc, [(("roles", i, "id"), r["id"]) for i, r in enumerate(raw)], "role")
        return tuple(m.Role(r["id"], r["name"], r["side"], r["summary"], tuple(r.get("responsibilities", ())),
                            r.get("audience", "all"), source=doc.source(("roles", i))) for i, r in enumerate(raw))

    def phases(self, doc: YamlDocument, role_ids: list[str]) -> tuple[m.Phase, ...]:
        """The phases with their steps, tasks, deliverables and gate criteria (phases.yml)."""
        raw = doc.data["phases"]
        self.unique(doc, [(("phases", i, "id"), p["id"]) for i, p in enumerate(raw)], "phase")
        task_seen: dict = {}
        deliverable_seen: dict = {}
        criterion_seen: dict = {}
        result = []
        for i, p in enumerate(raw):
            base = ("phases", i)
            self.unique(doc, [(base + ("tasks", j, "id"), t["id"]) for j, t in enumerate(p["tasks"])], "task", task_seen)
            self.unique(doc, [(base + ("deliverables", j, "id"), x["id"]) for j, x in enumerate(p.get("deliverables", []))],
                        "deliverable", deliverable_seen)
            self.unique(doc, [(base + ("gate", j, "id"), g["id"]) for j, g in enumerate(p["gate"])],
                        "gate criterion", criterion_seen)
            deliverables = tuple(self.deliverable(doc, base + ("deliverables", j), x, p["id"])
                                 for j, x in enumerate(p.get("deliverables", [])))
            tasks = []
            for j, t in enumerate(p["tasks"]):
                for k, role in enumerate(t["roles"]):
                    self.ref(doc, base + ("tasks", j, "roles", k), role, role_ids, "role")
                self.ref(doc, base + ("tasks", j, "deliverable"), t.get("deliverable"),
                         [x.id for x in deliverables], f"deliverable of phase '{p['id']}'")
                tasks.append(m.Task(t["id"], t["title"], tuple(t["roles"]), p["id"], t.get("gate", False),
                                    t.get("deliverable"), t.get("note", ""), source=doc.source(base + ("tasks", j))))
            result.append(m.Phase(
                id=p["id"], number=i + 1, name=p["name"], goal=p["goal"],
                steps=tuple(m.Step(s["title"], self.markdown(doc, base + ("steps", k), s["description"]))
                            for k, s in enumerate(p["steps"])),
                tasks=tuple(tasks), deliverables=deliverables,
                gate=tuple(m.GateCriterion(g["id"], g["criterion"], p["id"], g.get("rule"),
                                           source=doc.source(base + ("gate", j)))
                           for j, g in enumerate(p["gate"])),
                prose=self.content(doc, base + ("content",), p.get("content")), prose_path=p.get("content"),
                prose_location=self.content_location(p.get("content")),
                source=doc.source(base),
            ))
        return tuple(result)

    def deliverable(self, doc: YamlDocument, path: tuple, x: dict, phase_id: str) -> m.Deliverable:
        """One deliverable of a phase, with its template's text; a spreadsheet (`format: xlsx`)
        needs a template with at least one table, as every table becomes a sheet."""
        template, text = x.get("template"), ""
        if (template or "").startswith("fragments/"):
            self.err(doc, path + ("template",), f"template '{template}' is a fragment, not a page of the site")
        else:
            text = self.content(doc, path + ("template",), template)
        fmt = x.get("format", "docx")
        if "format" in x and not template:
            self.err(doc, path + ("format",), f"format '{fmt}' is the file a template is offered as; "
                                              "this deliverable has no template")
        elif fmt == "xlsx" and text and not _TABLE_RULE.search(text):
            self.err(doc, path + ("format",), f"format 'xlsx' makes one sheet per table, but content/{template} "
                                              "has no table")
        return m.Deliverable(x["id"], x["name"], phase_id, x.get("description", ""), template, fmt, text,
                             source=doc.source(path))

    def modules(self, doc: YamlDocument, roles: tuple[m.Role, ...]) -> tuple[m.TrainingModule, ...]:
        """The training modules, with prerequisites resolved and cycles refused (training.yml); a
        module's audience is its own or its role's, and a module others may read cannot require an
        internal one."""
        raw = doc.data["modules"]
        role_ids = [r.id for r in roles]
        role_audience = {r.id: r.audience for r in roles}
        self.unique(doc, [(("modules", i, "id"), x["id"]) for i, x in enumerate(raw)], "training module")
        ids = [x["id"] for x in raw]
        result = []
        for i, x in enumerate(raw):
            self.ref(doc, ("modules", i, "role"), x["role"], role_ids, "role")
            for k, pre in enumerate(x.get("prerequisites", [])):
                self.ref(doc, ("modules", i, "prerequisites", k), pre, ids, "training module")
                if pre == x["id"]:
                    self.err(doc, ("modules", i, "prerequisites", k), "a module cannot be its own prerequisite")
            result.append(m.TrainingModule(
                x["id"], x["title"], x["role"], x["duration_minutes"], tuple(x["objectives"]),
                tuple(x.get("prerequisites", ())), self.content(doc, ("modules", i, "body"), x["body"]), x["body"],
                tuple(m.Exercise(e["kind"], e["task"]) for e in x.get("exercises", ())), tuple(x.get("self_check", ())),
                x.get("audience") or role_audience.get(x["role"], "all"),
                body_location=self.content_location(x["body"]), source=doc.source(("modules", i)),
                recordings=tuple(recording(r) for r in x.get("recordings", ())),
            ))
        self._check_cycles(doc, raw)
        internal = {x.id for x in result if x.audience == "internal"}
        for i, x in enumerate(result):
            for k, pre in enumerate(x.prerequisites):
                if pre in internal and x.audience != "internal":
                    self.err(doc, ("modules", i, "prerequisites", k), f"prerequisite '{pre}' is internal; a module "
                                                                       f"for audience '{x.audience}' cannot require it")
        return tuple(result)

    def _check_cycles(self, doc: YamlDocument, raw: list[dict]) -> None:
        graph = {x["id"]: x.get("prerequisites", []) for x in raw}
        index = {x["id"]: i for i, x in enumerate(raw)}
        state: dict[str, int] = {}

        def visit(node: str, trail: list[str]) -> None:
            state[node] = 1
            for nxt in graph.get(node, []):
                if nxt not in graph or nxt == node:
                    continue
                if state.get(nxt) == 1:
                    cycle = " -> ".join(trail[trail.index(nxt):] + [nxt]) if nxt in trail else nxt
                    self.err(doc, ("modules", index[node], "prerequisites"), f"prerequisites form a cycle: {cycle}")
                elif state.get(nxt) is None:
                    visit(nxt, trail + [nxt])
            state[node] = 2

        for node in graph:
            if node not in state:
                visit(node, [node])

    def faq_entry(self, doc: YamlDocument, path: tuple, e: dict, role_ids, phase_ids, category_ids,
                  customer: str | None = None) -> m.FaqEntry:
        """One FAQ entry, global (faq.yml) or a customer's own."""
        self.ref(doc, path + ("category",), e["category"], category_ids, "FAQ category")
        for k, r in enumerate(e.get("roles", [])):
            self.ref(doc, path + ("roles", k), r, role_ids, "role")
        for k, p in enumerate(e.get("phases", [])):
            self.ref(doc, path + ("phases", k), p, phase_ids, "phase")
        return m.FaqEntry(e["id"], e["question"], e["category"], self.markdown(doc, path + ("answer",), e["answer"]),
                          tuple(e.get("tags", ())), tuple(e.get("roles", ())), tuple(e.get("phases", ())), customer,
                          source=doc.source(path), audience=e.get("audience", "all"))

    def faq(self, doc: YamlDocument, role_ids, phase_ids):
        """The FAQ categories and global entries (faq.yml)."""
        data = doc.data
        self.unique(doc, [(("categories", i, "id"), c["id"]) for i, c in enumerate(data["categories"])], "FAQ category")
        categories = tuple(m.FaqCategory(c["id"], c["name"], source=doc.source(("categories", i)))
                           for i, c in enumerate(data["categories"]))
        self.unique(doc, [(("entries", i, "id"), e["id"]) for i, e in enumerate(data["entries"])], "FAQ entry")
        cat_ids = [c.id for c in categories]
        entries = tuple(self.faq_entry(doc, ("entries", i), e, role_ids, phase_ids, cat_ids)
                        for i, e in enumerate(data["entries"]))
        return categories, entries

    def sla(self, doc: YamlDocument):
        """The priorities and service tiers (sla.yml)."""
        data = doc.data
        self.unique(doc, [(("priorities", i, "id"), p["id"].lower()) for i, p in enumerate(data["priorities"])],
                    "priority")
        priorities = tuple(m.Priority(p["id"], p["name"], p["description"], source=doc.source(("priorities", i)))
                           for i, p in enumerate(data["priorities"]))
        self.unique(doc, [(("tiers", i, "id"), t["id"]) for i, t in enumerate(data["tiers"])], "SLA tier")
        tiers = []
        for i, t in enumerate(data["tiers"]):
            targets = []
            for j, x in enumerate(t["targets"]):
                self.ref(doc, ("tiers", i, "targets", j, "priority"), x["priority"], [p.id for p in priorities], "priority")
                response, resolution = minutes(x["response"]), minutes(x["resolution"])
                if response > resolution:
                    self.err(doc, ("tiers", i, "targets", j, "resolution"),
                             f"resolution time {x['resolution']} is shorter than response time {x['response']}")
                targets.append(m.SlaTarget(x["priority"], x["response"], x["resolution"], response, resolution,
                                           x.get("clock", t.get("clock", "calendar"))))
            tiers.append(m.SlaTier(t["id"], t["name"], t["coverage"], tuple(targets), t.get("health_check", ""),
                                   t.get("health_check_months"), self.business_hours(doc, ("tiers", i), t),
                                   source=doc.source(("tiers", i)), clock=t.get("clock", "calendar")))
        raw = data.get("contact")
        contact = m.SupportContact(raw["hotline"], raw["email"], raw.get("portal", ""), raw.get("note", "")) if raw else None
        return priorities, tuple(tiers), contact, data.get("business_hours", "")

    def business_hours(self, doc: YamlDocument, path: tuple, tier: dict) -> tuple[dt.time, dt.time]:
        """A tier's business hours (`09:00-17:00`; default 09:00-18:00), opening before closing."""
        text = tier.get("business_hours")
        if not text:
            return DEFAULT_BUSINESS_HOURS
        opens, closes = (dt.time.fromisoformat(part) for part in text.split("-"))
        if closes <= opens:
            self.err(doc, path + ("business_hours",), f"business hours {text} close before they open")
            return DEFAULT_BUSINESS_HOURS
        return opens, closes

    def glossary(self, doc: YamlDocument, priorities: tuple[m.Priority, ...]) -> tuple[m.GlossaryTerm, ...]:
        """The glossary's terms (glossary.yml); a term may not repeat another or an SLA priority."""
        raw = doc.data["terms"]
        self.unique(doc, [(("terms", i, "id"), t["id"]) for i, t in enumerate(raw)], "glossary term")
        seen = {p.id.casefold(): p.source.where for p in priorities}
        for i, t in enumerate(raw):
            if t["id"] in {p.id.lower() for p in priorities}:
                self.err(doc, ("terms", i, "id"), f"glossary ID '{t['id']}' is taken by priority {t['id'].upper()}")
            key = t["term"].casefold()
            if key in seen:
                self.err(doc, ("terms", i, "term"), f"term '{t['term']}' is already defined (at {seen[key]})")
            seen.setdefault(key, doc.at(("terms", i, "term")))
        return tuple(m.GlossaryTerm(t["id"], t["term"], t["name"], t["definition"], t.get("expansion", ""),
                                    source=doc.source(("terms", i))) for i, t in enumerate(raw))


def recording(raw: dict) -> m.Recording:
    """A training video or recording (training.yml modules, customer training sessions)."""
    return m.Recording(raw["title"], raw["kind"], raw["location"], raw.get("minutes"), raw.get("url", ""))
