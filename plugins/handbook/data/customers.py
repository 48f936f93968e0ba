"""Reading a customer file into a `Customer`: contacts, phase progress, training, FAQ, acceptance.

Every record keeps its `Source`. Gate criteria with a rule are computed from the acceptance record,
not taken from what the file claims; the rules module then compares claims with results.
"""

from __future__ import annotations

from . import model as m
from .fields import FieldReader
from .fingerprint import canonical_record
from .operations_reader import OperationsReader
from .records import recording
from .yaml_source import YamlDocument


class CustomerReader(FieldReader):
    """Builds one customer's records against the already-read methodology."""

    def customer(self, doc: YamlDocument, cid: str, handbook: m.Handbook, phases, roles, modules, tiers, categories,
                 faq_entry, checklist=()) -> m.Customer:
        """One customer file (customers/<id>.yml) as a `Customer`.

        Its FAQ IDs are checked against the handbook's and other customers' by the caller
        (`customer_builds.own_faq_ids`), in customer order, whether the customer is built or cached.
        """
        c = doc.data
        phase_ids = [p.id for p in phases]
        role_ids = [r.id for r in roles]
        self.ref(doc, ("sla",), c["sla"], [t.id for t in tiers], "SLA tier")
        self.ref(doc, ("current_phase",), c["current_phase"], phase_ids, "phase")
        self.version(doc, ("handbook_version",), c["handbook_version"])
        for i, contact in enumerate(c["contacts"]):
            self.ref(doc, ("contacts", i, "role"), contact["role"], role_ids, "role")
        contacts = tuple(m.Contact(x["role"], x["name"], x.get("title", ""), x.get("email", ""), x.get("phone", ""),
                                   source=doc.source(("contacts", i))) for i, x in enumerate(c["contacts"]))
        records: dict[str, tuple[int, dict]] = {}
        for i, rec in enumerate(c["phases"]):
            if rec["phase"] in records:
                self.err(doc, ("phases", i, "phase"), f"phase '{rec['phase']}' is listed twice")
            self.ref(doc, ("phases", i, "phase"), rec["phase"], phase_ids, "phase")
            records.setdefault(rec["phase"], (i, rec))
        # Everything the printed record shows, so a signed copy matches exactly one state of the data.
        canonical = canonical_record(cid, c, handbook, phases)
        acceptance = self.acceptance(doc, c.get("acceptance"), phases, modules, canonical)
        progress = tuple(self.phase_progress(doc, phase, records.get(phase.id), acceptance) for phase in phases)
        training = []
        module_ids = [x.id for x in modules]
        internal_modules = {x.id for x in modules if x.audience == "internal"}
        for i, s in enumerate(c.get("training", [])):
            self.ref(doc, ("training", i, "module"), s["module"], module_ids, "training module")
            if s["module"] in internal_modules:
                self.err(doc, ("training", i, "module"), f"training module '{s['module']}' is internal (audience: "
                                                         "internal); a customer's training plan cannot use it")
            if s.get("attended") is not None and s.get("invited") is not None and s["attended"] > s["invited"]:
                self.err(doc, ("training", i, "attended"), f"attended ({s['attended']}) exceeds invited ({s['invited']})")
            training.append(m.TrainingSession(s["module"], s["audience"], s["format"], tuple(s.get("people", ())),
                                              self.date(doc, ("training", i, "date"), s.get("date")), s.get("trainer", ""),
                                              s.get("invited"), s.get("attended"), s.get("completed"),
                                              source=doc.source(("training", i)),
                                              recording=recording(s["recording"]) if s.get("recording") else None))
        cat_ids = [x.id for x in categories]
        faq = []
        for i, e in enumerate(c.get("faq", [])):
            faq.append(faq_entry(doc, ("faq", i), e, role_ids, phase_ids, cat_ids, customer=cid))
        go_live = c.get("go_live", {})
        go_live_actual = self.date(doc, ("go_live", "actual"), go_live.get("actual"))
        self.not_future(doc, ("go_live", "actual"), go_live_actual, "go-live date")
        return m.Customer(
            id=cid, name=c["name"], project=c["project"], industry=c["industry"], deployment=c["deployment"],
            sla=c["sla"], handbook_version=c["handbook_version"], contacts=contacts,
            current_phase=c["current_phase"], phases=progress, summary=self.markdown(doc, ("summary",), c.get("summary")),
            go_live_planned=self.date(doc, ("go_live", "planned"), go_live.get("planned")),
            go_live_actual=go_live_actual,
            rollback_plan=self.markdown(doc, ("rollback_plan",), c.get("rollback_plan")),
            training=tuple(training), faq=tuple(faq),
            acceptance=acceptance,
            operations=OperationsReader(self.project, self.problems, self.as_of).operations(
                doc, c.get("operations"), go_live_actual, next((t for t in tiers if t.id == c["sla"]), None), checklist),
            source=doc.source(),
            as_of=self.as_of,
        )

    def phase_progress(self, doc: YamlDocument, phase: m.Phase, found: tuple[int, dict] | None,
                       acceptance: m.Acceptance) -> m.PhaseProgress:
        """The customer's progress in one phase: task states, gate verdicts, planned and actual dates."""
        index, rec = found if found else (None, {})
        base = ("phases", index) if index is not None else ("phases",)
        task_ids = [t.id for t in phase.tasks]
        states: dict[str, m.TaskState] = {}
        for j, s in enumerate(rec.get("tasks", [])):
            path = base + ("tasks", j, "task")
            self.ref(doc, path, s["task"], task_ids, f"task of phase '{phase.id}'")
            if s["task"] in states:
                self.err(doc, path, f"task '{s['task']}' is listed twice")
            if s["state"] == "n/a" and s["task"] in task_ids and phase.tasks[task_ids.index(s["task"])].gate:
                self.err(doc, base + ("tasks", j, "state"), f"gate task '{s['task']}' cannot be marked not applicable")
            done_on = self.date(doc, base + ("tasks", j, "date"), s.get("date"))
            self.not_future(doc, base + ("tasks", j, "date"), done_on, "task date")
            states[s["task"]] = m.TaskState(s["task"], s["state"], done_on, s.get("by", ""), s.get("evidence", ""),
                                            s.get("note", ""), source=doc.source(base + ("tasks", j)))
        criteria_ids = [g.id for g in phase.gate]
        checks: dict[str, m.GateCheck] = {}
        for j, g in enumerate(rec.get("gate", [])):
            self.ref(doc, base + ("gate", j, "criterion"), g["criterion"], criteria_ids, f"gate criterion of phase '{phase.id}'")
            checks[g["criterion"]] = m.GateCheck(g["criterion"], g["met"], self.date(doc, base + ("gate", j, "date"), g.get("date")),
                                                 g.get("note", ""), source=doc.source(base + ("gate", j)))
        tasks = tuple(m.TaskProgress(t, states.get(t.id, m.TaskState(t.id, "open"))) for t in phase.tasks)
        gate = []
        for g in phase.gate:
            check = checks.get(g.id)
            if g.rule:
                gate.append(m.GateVerdict(g, m.evaluate_gate_rule(g.rule, acceptance), "computed", check))
            elif check:
                gate.append(m.GateVerdict(g, check.met, "claimed", check))
            else:
                gate.append(m.GateVerdict(g, False, "missing"))
        actual = self.span(doc, base + ("actual",), rec.get("actual"))
        self.not_future(doc, base + ("actual", "start"), actual.start, f"actual start of phase '{phase.id}'")
        self.not_future(doc, base + ("actual", "end"), actual.end, f"actual end of phase '{phase.id}'")
        return m.PhaseProgress(phase, self.span(doc, base + ("planned",), rec.get("planned")), actual, tasks,
                               tuple(gate))

    def acceptance(self, doc: YamlDocument, raw: dict | None, phases, modules, canonical: str) -> m.Acceptance:
        """The acceptance record: plan, criteria, UAT rounds, open items, decision and sign-offs."""
        if not raw:
            return m.Acceptance(canonical=canonical, source=doc.source(("acceptance",)))
        base = ("acceptance",)
        deliverable_ids = [x.id for p in phases for x in p.deliverables]
        for k, s in enumerate(raw.get("scope", [])):
            self.ref(doc, base + ("scope", k), s, deliverable_ids, "deliverable")
        self.unique(doc, [(base + ("criteria", i, "id"), x["id"]) for i, x in enumerate(raw.get("criteria", []))],
                    "acceptance criterion")
        criteria = tuple(
            m.AcceptanceCriterion(x["id"], x["title"], x["result"], x.get("must_pass", False), x.get("evidence", ""),
                                  m.Waiver(x["waiver"]["reason"], x["waiver"].get("approver", "")) if x.get("waiver") else None,
                                  source=doc.source(base + ("criteria", i)))
            for i, x in enumerate(raw.get("criteria", []))
        )
        rounds = []
        phase_ids = [p.id for p in phases]
        module_ids = [x.id for x in modules]
        for i, r in enumerate(raw.get("rounds", [])):
            rp = base + ("rounds", i)
            if r["round"] != i + 1:
                self.err(doc, rp + ("round",), f"round {r['round']} is listed as round {i + 1}; keep every round, in order")
            self.unique(doc, [(rp + ("cases", j, "id"), x["id"]) for j, x in enumerate(r["cases"])], "UAT case")
            cases = []
            for j, x in enumerate(r["cases"]):
                cp = rp + ("cases", j)
                self.ref(doc, cp + ("phase",), x.get("phase"), phase_ids, "phase")
                self.ref(doc, cp + ("module",), x.get("module"), module_ids, "training module")
                cases.append(m.UatCase(
                    x["id"], x["scenario"], x["expected"], x["result"], x.get("phase"), x.get("module"),
                    self.markdown(doc, cp + ("steps",), x.get("steps")), x.get("actual", ""), x.get("tester", ""),
                    self.date(doc, cp + ("date",), x.get("date")),
                    tuple(m.Defect(dd["id"], dd["title"], dd["priority"], dd["status"], source=doc.source(cp + ("defects", k)))
                          for k, dd in enumerate(x.get("defects", ()))),
                    source=doc.source(cp),
                ))
            span = self.span(doc, rp, {"start": r["start"], "end": r.get("end")})
            self.not_future(doc, rp + ("end",), span.end, f"end of UAT round {r['round']}")
            rounds.append(m.UatRound(r["round"], span.start, span.end, tuple(cases), r.get("note", ""), source=doc.source(rp)))
        items = tuple(m.OpenItem(x["title"], x.get("owner", ""), self.date(doc, base + ("open_items", i, "due"), x.get("due")),
                                 x.get("status", "open"), source=doc.source(base + ("open_items", i)))
                      for i, x in enumerate(raw.get("open_items", [])))
        signoff = raw.get("signoff", {})

        def signatory(side: str) -> m.Signatory | None:
            s = signoff.get(side)
            if not s:
                return None
            signed = self.date(doc, base + ("signoff", side, "date"), s.get("date"))
            self.not_future(doc, base + ("signoff", side, "date"), signed, f"{side} sign-off date")
            return m.Signatory(s["name"], s["title"], signed, source=doc.source(base + ("signoff", side)))

        plan = raw.get("plan", {})
        return m.Acceptance(
            plan_document=plan.get("document", ""), plan_signed=self.date(doc, base + ("plan", "signed"), plan.get("signed")),
            scope=tuple(raw.get("scope", ())), criteria=criteria, rounds=tuple(rounds), open_items=items,
            decision=raw.get("decision", "pending"), vendor_signoff=signatory("vendor"),
            customer_signoff=signatory("customer"), canonical=canonical, source=doc.source(base),
            signed_fingerprint=raw.get("signed_fingerprint"),
        )
