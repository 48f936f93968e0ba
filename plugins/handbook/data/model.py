"""The immutable, typed model of a handbook: what every page generator reads.

Frozen dataclasses rather than pydantic: validation happens earlier, against the shipped JSON
Schemas, on values whose YAML positions are known, so every error can name its file, line and
column; pydantic would re-validate without positions and coerce values (`"1" -> 1`) silently.
Derived figures (progress, gate verdicts, UAT counts) are properties here, so they are computed
once, tested here, and only rendered by templates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from ..errors import NOWHERE, Location, Source
from .operations import ChecklistItem, Operations
from .sla_clock import DEFAULT_BUSINESS_HOURS


@dataclass(frozen=True, slots=True)
class Handbook:
    """The handbook itself: title, version and language (handbook.yml)."""

    title: str
    version: str
    language: str
    vendor: str
    description: str = ""
    repository: str = ""
    source: Source = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Role:
    """A role on the vendor or the customer side (roles.yml)."""

    id: str
    name: str
    side: str
    summary: str
    responsibilities: tuple[str, ...] = ()
    audience: str = "all"  # internal | customer | all: internal roles get no page in a bundle
    source: Source = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a phase, with its Markdown description."""

    title: str
    description: str


@dataclass(frozen=True, slots=True)
class Task:
    """A checklist item of a phase; gate tasks must be done before the phase can pass its gate."""

    id: str
    title: str
    roles: tuple[str, ...]
    phase: str
    gate: bool = False
    deliverable: str | None = None
    note: str = ""
    source: Source = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Deliverable:
    """A document or artefact a phase produces, with its hand-written template page."""

    id: str
    name: str
    phase: str
    description: str = ""
    template: str | None = None
    source: Source = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class GateCriterion:
    """An exit-gate condition; with a `rule` its verdict is computed from data, not claimed."""

    id: str
    criterion: str
    phase: str
    rule: str | None = None
    source: Source = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Phase:
    """One of the methodology's phases: goal, steps, tasks, deliverables and exit gate."""

    id: str
    number: int
    name: str
    goal: str
    steps: tuple[Step, ...]
    tasks: tuple[Task, ...]
    deliverables: tuple[Deliverable, ...]
    gate: tuple[GateCriterion, ...]
    prose: str = ""
    prose_path: str | None = None
    prose_location: Location | None = None  # the content file the prose comes from
    source: Source = field(default=NOWHERE, compare=False, repr=False)

    def deliverable(self, deliverable_id: str) -> Deliverable:
        """The deliverable of this phase with `deliverable_id`."""
        return next(d for d in self.deliverables if d.id == deliverable_id)


@dataclass(frozen=True, slots=True)
class Exercise:
    """A hands-on exercise of a training module (theory or practice)."""

    kind: str
    task: str


@dataclass(frozen=True, slots=True)
class Recording:
    """A training video or recording kept for learners: what, how long, where to find it."""

    title: str
    kind: str  # screencast | lecture | video
    location: str
    minutes: int | None = None
    url: str = ""

    @property
    def link(self) -> str | None:
        return safe_url(self.url)


@dataclass(frozen=True, slots=True)
class TrainingModule:
    """A training module of one role's manual, with its body from content/."""

    id: str
    title: str
    role: str
    duration_minutes: int
    objectives: tuple[str, ...]
    prerequisites: tuple[str, ...]
    body: str
    body_path: str
    exercises: tuple[Exercise, ...] = ()
    self_check: tuple[str, ...] = ()
    audience: str = "all"  # internal | customer | all (the loader fills in the role's when not given)
    body_location: Location | None = None  # the content file the body comes from
    source: Source = field(default=NOWHERE, compare=False, repr=False)
    recordings: tuple[Recording, ...] = ()


@dataclass(frozen=True, slots=True)
class FaqCategory:
    """A category of the FAQ knowledge base."""

    id: str
    name: str
    source: Source = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class FaqEntry:
    """A question and its Markdown answer; `customer` is set for a customer's own entries."""

    id: str
    question: str
    category: str
    answer: str
    tags: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()
    customer: str | None = None
    source: Source = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Priority:
    """An incident priority level (P0-P3) of the SLA."""

    id: str
    name: str
    description: str
    source: Source = field(default=NOWHERE, compare=False, repr=False)


_CALENDAR_UNITS = {"min": "分钟", "h": "小时", "d": "天"}
_BUSINESS_UNITS = {"min": "工作分钟", "h": "工作小时", "d": "个工作日"}


def duration_label(text: str, clock: str) -> str:
    """`4h` as 4 小时 on the calendar clock, 4 工作小时 on the business clock (2d: 2 个工作日)."""
    number = text.rstrip("minhd")
    units = _BUSINESS_UNITS if clock == "business" else _CALENDAR_UNITS
    return f"{number} {units[text[len(number):]]}"


@dataclass(frozen=True, slots=True)
class SlaTarget:
    """Response and resolution times of one priority in one SLA tier, and the clock they run on:
    `calendar` (7x24 continuous) or `business` (only within the SLA's business hours)."""

    priority: str
    response: str
    resolution: str
    response_minutes: int
    resolution_minutes: int
    clock: str = "calendar"

    @property
    def response_label(self) -> str:
        return duration_label(self.response, self.clock)

    @property
    def resolution_label(self) -> str:
        return duration_label(self.resolution, self.clock)


@dataclass(frozen=True, slots=True)
class SlaTier:
    """A service tier (gold, silver, ...) with its coverage, default clock and targets."""

    id: str
    name: str
    coverage: str
    targets: tuple[SlaTarget, ...]
    health_check: str = ""
    health_check_months: int | None = None
    business_hours: tuple[dt.time, dt.time] = DEFAULT_BUSINESS_HOURS
    source: Source = field(default=NOWHERE, compare=False, repr=False)
    clock: str = "calendar"

    def target(self, priority: str) -> SlaTarget | None:
        """This tier's target for `priority`, if it has one."""
        return next((t for t in self.targets if t.priority == priority), None)


@dataclass(frozen=True, slots=True)
class SupportContact:
    """How customers reach support: hotline, e-mail, ticket portal (sla.yml `contact`)."""

    hotline: str
    email: str
    portal: str = ""
    note: str = ""


_LATIN_TERM = re.compile(r"[A-Za-z][A-Za-z0-9&./+-]*")


@dataclass(frozen=True, slots=True)
class GlossaryTerm:
    """A term of the glossary (glossary.yml): an abbreviation such as SLA, or a Chinese term."""

    id: str
    term: str
    name: str
    definition: str
    expansion: str = ""
    source: Source = field(default=NOWHERE, compare=False, repr=False)

    @property
    def is_abbreviation(self) -> bool:
        """Written in Latin letters: shown as a tooltip wherever it appears (a Chinese term has no
        word boundaries to find it by)."""
        return bool(_LATIN_TERM.fullmatch(self.term))

    @property
    def tooltip(self) -> str:
        return f"{self.name}（{self.expansion}）" if self.expansion else self.name


@dataclass(frozen=True, slots=True)
class Contact:
    """A person of a customer project, by role."""

    role: str
    name: str
    title: str = ""
    email: str = ""
    phone: str = ""
    source: Source = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Span:
    """Start and end dates, either possibly unknown."""

    start: dt.date | None = None
    end: dt.date | None = None


@dataclass(frozen=True, slots=True)
class TaskState:
    """What a customer's checklist says about one task: state, date, by whom, evidence."""

    task: str
    state: str  # done | open | n/a
    date: dt.date | None = None
    by: str = ""
    evidence: str = ""
    note: str = ""
    source: Source = field(default=NOWHERE, compare=False, repr=False)

    @property
    def evidence_url(self) -> str | None:
        return safe_url(self.evidence)


_SAFE_URL = re.compile(r"https?://[^\s<>()\[\]\"'`]+")


def safe_url(text: str) -> str | None:
    """`text` if it is a plain http(s) URL safe to put in a link, else None (shown as text)."""
    return text if _SAFE_URL.fullmatch(text or "") else None


@dataclass(frozen=True, slots=True)
class GateCheck:
    """A customer's claim about one gate criterion."""

    criterion: str
    met: bool
    date: dt.date | None = None
    note: str = ""
    source: Source = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class TaskProgress:
    """A methodology task seen through one customer's checklist."""

    task: Task
    state: TaskState

    @property
    def is_done(self) -> bool:
        return self.state.state == "done"


@dataclass(frozen=True, slots=True)
class GateVerdict:
    """The verdict on one gate criterion for one customer, and where it came from."""

    criterion: GateCriterion
    met: bool
    source: str  # "claimed", "computed" or "missing"
    check: GateCheck | None = None


@dataclass(frozen=True, slots=True)
class PhaseProgress:
    """One phase of one customer's project: checklist, counts and the computed gate status."""

    phase: Phase
    planned: Span
    actual: Span
    tasks: tuple[TaskProgress, ...]
    gate: tuple[GateVerdict, ...]

    @property
    def applicable(self) -> int:
        return sum(1 for t in self.tasks if t.state.state != "n/a")

    @property
    def done(self) -> int:
        return sum(1 for t in self.tasks if t.is_done)

    @property
    def open(self) -> int:
        return sum(1 for t in self.tasks if t.state.state == "open")

    @property
    def not_applicable(self) -> int:
        return sum(1 for t in self.tasks if t.state.state == "n/a")

    @property
    def percent(self) -> int:
        """Percentage of applicable tasks done, rounded down so that 100 means really done."""
        return 100 if not self.applicable else (100 * self.done) // self.applicable

    @property
    def open_gate_tasks(self) -> tuple[TaskProgress, ...]:
        return tuple(t for t in self.tasks if t.task.gate and not t.is_done)

    @property
    def unmet_criteria(self) -> tuple[GateVerdict, ...]:
        return tuple(g for g in self.gate if not g.met)

    @property
    def complete(self) -> bool:
        """A phase is complete only when all its gate tasks are done and all criteria are met."""
        return not self.open_gate_tasks and not self.unmet_criteria


@dataclass(frozen=True, slots=True)
class TrainingSession:
    """A training session of a customer's training plan."""

    module: str
    audience: str
    format: str
    people: tuple[str, ...] = ()
    date: dt.date | None = None
    trainer: str = ""
    invited: int | None = None
    attended: int | None = None
    completed: bool | None = None
    source: Source = field(default=NOWHERE, compare=False, repr=False)
    recording: Recording | None = None

    @property
    def attendance_percent(self) -> int | None:
        """Attended as a share of invited, rounded down (so 100 means everyone came); None if unknown."""
        if self.attended is None or not self.invited:
            return None
        return (100 * self.attended) // self.invited


@dataclass(frozen=True, slots=True)
class Defect:
    """A defect found in a UAT case, with its priority (P0-P3) and status."""

    id: str
    title: str
    priority: str
    status: str
    source: Source = field(default=NOWHERE, compare=False, repr=False)

    @property
    def is_open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True, slots=True)
class UatCase:
    """One user-acceptance test case of a round."""

    id: str
    scenario: str
    expected: str
    result: str
    phase: str | None = None
    module: str | None = None
    steps: str = ""
    actual: str = ""
    tester: str = ""
    date: dt.date | None = None
    defects: tuple[Defect, ...] = ()
    source: Source = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class UatRound:
    """One UAT round; rounds are kept in order, none is overwritten."""

    number: int
    start: dt.date
    end: dt.date | None
    cases: tuple[UatCase, ...]
    note: str = ""
    source: Source = field(default=NOWHERE, compare=False, repr=False)

    def count(self, result: str) -> int:
        """Number of cases of this round with `result`."""
        return sum(1 for c in self.cases if c.result == result)

    @property
    def passed(self) -> int:
        return self.count("passed")

    @property
    def failed(self) -> int:
        return self.count("failed")

    @property
    def blocked(self) -> int:
        return self.count("blocked")

    @property
    def not_run(self) -> int:
        return self.count("not-run")

    @property
    def open_defects(self) -> tuple[Defect, ...]:
        return tuple(d for c in self.cases for d in c.defects if d.is_open)

    @property
    def blocking_defects(self) -> tuple[Defect, ...]:
        """Open P0/P1 defects: they forbid acceptance."""
        return tuple(d for d in self.open_defects if d.priority in ("P0", "P1"))

    @property
    def status(self) -> str:
        """running, failed, passed or incomplete (ended with cases not run, or with no cases).

        A round passes only when it ended and every case passed.
        """
        if self.failed or self.blocked:
            return "failed" if self.end else "running"
        if not self.end:
            return "running"
        return "passed" if self.cases and self.passed == len(self.cases) else "incomplete"

    @property
    def total(self) -> int:
        """Number of cases in this round, whatever their result."""
        return len(self.cases)

    @property
    def open_defect_count(self) -> int:
        """Number of defects of this round still open, any priority."""
        return len(self.open_defects)


@dataclass(frozen=True, slots=True)
class Waiver:
    """Why an acceptance criterion was waived, and who approved it."""

    reason: str
    approver: str = ""


@dataclass(frozen=True, slots=True)
class AcceptanceCriterion:
    """An acceptance standard from the signed plan, with its result."""

    id: str
    title: str
    result: str  # passed | failed | waived | pending
    must_pass: bool = False
    evidence: str = ""
    waiver: Waiver | None = None
    source: Source = field(default=NOWHERE, compare=False, repr=False)

    @property
    def satisfied(self) -> bool:
        """Passed, or waived with a named approver."""
        return self.result == "passed" or (self.result == "waived" and bool(self.waiver and self.waiver.approver))


@dataclass(frozen=True, slots=True)
class OpenItem:
    """An item left open at acceptance, with its owner and due date."""

    title: str
    owner: str = ""
    due: dt.date | None = None
    status: str = "open"
    source: Source = field(default=NOWHERE, compare=False, repr=False)

    def is_overdue(self, as_of: dt.date) -> bool:
        """Still open after its due date."""
        return self.status == "open" and self.due is not None and self.due < as_of


@dataclass(frozen=True, slots=True)
class Signatory:
    """A person signing the acceptance record."""

    name: str
    title: str
    date: dt.date | None = None
    source: Source = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Acceptance:
    """A customer's acceptance record: criteria, UAT rounds, open items, decision, sign-off."""

    plan_document: str = ""
    plan_signed: dt.date | None = None
    scope: tuple[str, ...] = ()
    criteria: tuple[AcceptanceCriterion, ...] = ()
    rounds: tuple[UatRound, ...] = ()
    open_items: tuple[OpenItem, ...] = ()
    decision: str = "pending"  # pending | accepted | conditional | rejected
    vendor_signoff: Signatory | None = None
    customer_signoff: Signatory | None = None
    canonical: str = "{}"  # canonical JSON of the record's data, the input of its fingerprint
    signed_fingerprint: str | None = None  # the fingerprint kept in the data when both sides signed
    source: Source = field(default=NOWHERE, compare=False, repr=False)

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the canonical record: matches a printed, signed copy to the data in the repository."""
        return hashlib.sha256(self.canonical.encode("utf-8")).hexdigest()

    @property
    def is_signed(self) -> bool:
        """Both sides signed, with dates: from then on the record may not change silently."""
        return all(s is not None and s.date is not None for s in (self.vendor_signoff, self.customer_signoff))

    @property
    def latest_round(self) -> UatRound | None:
        return self.rounds[-1] if self.rounds else None

    @property
    def defects(self) -> tuple[tuple[int, Defect], ...]:
        """Every defect ID once, over all rounds, with the round it was first found in.

        A defect is keyed by its ID across rounds and its latest recorded status wins: a P1 found
        in round 1 stays open until a later round records it fixed or closed.
        """
        first: dict[str, int] = {}
        latest: dict[str, Defect] = {}
        for uat_round in self.rounds:
            for case in uat_round.cases:
                for defect in case.defects:
                    first.setdefault(defect.id, uat_round.number)
                    latest[defect.id] = defect
        return tuple((first[key], defect) for key, defect in latest.items())

    @property
    def open_defects(self) -> tuple[tuple[int, Defect], ...]:
        """Defects still open after the latest round that mentions them, with the round they were found in."""
        return tuple((n, d) for n, d in self.defects if d.is_open)

    @property
    def blocking_defects(self) -> tuple[tuple[int, Defect], ...]:
        """Open P0/P1 defects of any round: they forbid acceptance."""
        return tuple((n, d) for n, d in self.open_defects if d.priority in ("P0", "P1"))

    @property
    def is_accepted(self) -> bool:
        return self.decision in ("accepted", "conditional")

    @property
    def uat_status(self) -> str:
        """not-started, running, failed, passed or accepted: one word for dashboards."""
        if self.is_accepted:
            return "accepted"
        latest = self.latest_round
        return latest.status if latest else "not-started"

    @property
    def started(self) -> bool:
        """True once a UAT round is recorded: before that the record is only a plan."""
        return bool(self.rounds)


class Milestone(NamedTuple):
    """A planned date of a project; `overdue` when it passed without being reached.

    `kind` is `phase-end` (the end of `phase`) or `go-live`; the words are the templates' (_labels.j2).
    """

    kind: str
    phase: Phase | None
    date: dt.date
    overdue: bool


class GateBlocker(NamedTuple):
    """Why a project's gate is blocked now, as a code with its facts; the words are the templates'.

    `code`: `uat-failed` / `uat-blocked` (UAT round `round`), `rejected` (the acceptance decision),
    `phase-overdue` (`phase` ran past its planned end `date` with its gate open).
    """

    code: str
    round: int | None = None
    phase: Phase | None = None
    date: dt.date | None = None


def evaluate_gate_rule(rule: str, acceptance: Acceptance) -> bool:
    """The verdict of a rule-backed gate criterion, computed from the acceptance record."""
    if rule == "acceptance-passed":
        return acceptance.is_accepted
    if rule == "uat-latest-round-passed":
        latest = acceptance.latest_round
        return latest is not None and latest.status == "passed"
    raise ValueError(f"unknown gate rule {rule!r}")


@dataclass(frozen=True, slots=True)
class Customer:
    """One customer project: profile, progress through the phases, training, FAQ, acceptance."""

    id: str
    name: str
    project: str
    industry: str
    deployment: str
    sla: str
    handbook_version: str
    contacts: tuple[Contact, ...]
    current_phase: str
    phases: tuple[PhaseProgress, ...]
    summary: str = ""
    go_live_planned: dt.date | None = None
    go_live_actual: dt.date | None = None
    rollback_plan: str = ""
    training: tuple[TrainingSession, ...] = ()
    faq: tuple[FaqEntry, ...] = ()
    acceptance: Acceptance = field(default_factory=Acceptance)
    operations: Operations = field(default_factory=Operations)
    as_of: dt.date = field(default_factory=dt.date.today)  # "today" for milestones and overdue phases
    source: Source = field(default=NOWHERE, compare=False, repr=False)

    def phase(self, phase_id: str) -> PhaseProgress:
        """This customer's progress in the phase `phase_id`."""
        return next(p for p in self.phases if p.phase.id == phase_id)

    @property
    def current(self) -> PhaseProgress:
        return self.phase(self.current_phase)

    def gate_state(self, phase_id: str) -> str:
        """passed, open or not-started: a phase not reached yet has no gate verdict to show."""
        if self.status_of(phase_id) == "upcoming":
            return "not-started"
        return "passed" if self.phase(phase_id).complete else "open"

    @property
    def go_live_slip_days(self) -> int | None:
        """Days the go-live came (or, still pending, is already) later than planned; None when on
        time, early, or without a planned date."""
        if self.go_live_planned is None:
            return None
        reached = self.go_live_actual or (self.as_of if self.as_of > self.go_live_planned else None)
        if reached is None or reached <= self.go_live_planned:
            return None
        return (reached - self.go_live_planned).days

    @property
    def overdue_items(self) -> tuple[OpenItem, ...]:
        """Acceptance items still open after their due date, as of the build date."""
        return tuple(i for i in self.acceptance.open_items if i.is_overdue(self.as_of))

    def status_of(self, phase_id: str) -> str:
        """complete, current or upcoming: where a phase stands in this project."""
        ids = [p.phase.id for p in self.phases]
        here, now = ids.index(phase_id), ids.index(self.current_phase)
        if here < now:
            return "complete"
        return "current" if here == now else "upcoming"

    @property
    def gate_blocker(self) -> GateBlocker | None:
        """Why the current phase's gate is blocked now: a failed or blocked UAT round, a rejected
        acceptance, or the phase running past its planned end with its gate still open."""
        latest = self.acceptance.latest_round
        if latest is not None and not self.acceptance.is_accepted:
            if latest.status == "failed":
                return GateBlocker("uat-failed", round=latest.number)
            if latest.blocked or latest.blocking_defects:
                return GateBlocker("uat-blocked", round=latest.number)
        if self.acceptance.decision == "rejected":
            return GateBlocker("rejected")
        current = self.current
        if current.planned.end and current.planned.end < self.as_of and not current.actual.end and not current.complete:
            return GateBlocker("phase-overdue", phase=current.phase, date=current.planned.end)
        return None

    @property
    def applicable(self) -> int:
        return sum(p.applicable for p in self.phases)

    @property
    def done(self) -> int:
        return sum(p.done for p in self.phases)

    @property
    def percent(self) -> int:
        return 100 if not self.applicable else (100 * self.done) // self.applicable

    @property
    def is_live(self) -> bool:
        """In operations: the last phase of the methodology."""
        return self.current_phase == self.phases[-1].phase.id

    @property
    def blocked_phase(self) -> PhaseProgress | None:
        """The first incomplete phase before the current one (the data then contradicts itself)."""
        for progress in self.phases:
            if progress.phase.id == self.current_phase:
                return None
            if not progress.complete:
                return progress
        return None

    @property
    def next_milestone(self) -> Milestone | None:
        """The next planned date of the project: the end of the current or a later phase, or the
        go-live. The earliest one not yet past `as_of`; if all are past, the earliest missed one."""
        ids = [p.phase.id for p in self.phases]
        candidates: list[Milestone] = []
        for progress in self.phases[ids.index(self.current_phase):]:
            if progress.planned.end and not progress.actual.end:
                candidates.append(Milestone("phase-end", progress.phase, progress.planned.end, False))
        if self.go_live_planned and not self.go_live_actual:
            candidates.append(Milestone("go-live", None, self.go_live_planned, False))
        ahead = [c for c in candidates if c.date >= self.as_of]
        if ahead:
            return min(ahead, key=lambda c: c.date)
        if candidates:
            missed = min(candidates, key=lambda c: c.date)
            return missed._replace(overdue=True)
        return None


@dataclass(frozen=True, slots=True)
class Model:
    """Everything the generators need; built once per build by the loader."""

    handbook: Handbook
    roles: tuple[Role, ...]
    phases: tuple[Phase, ...]
    modules: tuple[TrainingModule, ...]
    faq_categories: tuple[FaqCategory, ...]
    faq: tuple[FaqEntry, ...]
    priorities: tuple[Priority, ...]
    sla_tiers: tuple[SlaTier, ...]
    customers: tuple[Customer, ...]
    health_checklist: tuple[ChecklistItem, ...] = ()
    support_contact: SupportContact | None = None
    business_hours: str = ""
    glossary: tuple[GlossaryTerm, ...] = ()
    audience: str = "internal"  # "internal" or "customer:<id>"
    as_of: dt.date = field(default_factory=dt.date.today)  # the day the figures are computed for
    # What changed since the previous published version (a `data.revisions.ChangeLog`), attached by
    # the caller before pages are generated; it feeds the 变更记录 page, which exists only with it.
    change_log: object | None = field(default=None, compare=False, repr=False)

    def role(self, role_id: str) -> Role:
        """The role with `role_id`."""
        return next(r for r in self.roles if r.id == role_id)

    def module(self, module_id: str) -> TrainingModule:
        """The training module with `module_id`."""
        return next(m for m in self.modules if m.id == module_id)

    def sla_tier(self, tier_id: str) -> SlaTier:
        """The SLA tier with `tier_id`."""
        return next(t for t in self.sla_tiers if t.id == tier_id)

    @property
    def sla_clocks(self) -> frozenset[str]:
        """The clocks the SLA targets run on, so pages explain only those in use."""
        return frozenset(t.clock for tier in self.sla_tiers for t in tier.targets)

    @property
    def abbreviations(self) -> tuple[tuple[str, str], ...]:
        """(abbreviation, tooltip) of every glossary abbreviation and SLA priority (P0-P3)."""
        terms = [(t.term, t.tooltip) for t in self.glossary if t.is_abbreviation]
        terms += [(p.id, f"{p.name}：{p.description}") for p in self.priorities]
        return tuple(terms)

    def modules_for(self, role_id: str) -> tuple[TrainingModule, ...]:
        """The modules of one role's manual, in the manual's order."""
        return tuple(m for m in self.modules if m.role == role_id)

    @property
    def role_pages(self) -> tuple[Role, ...]:
        """Roles that get a page: every role internally, a customer's copy leaves out internal ones
        (their names remain, for the task lists that mention them)."""
        return tuple(r for r in self.roles if self.is_internal or r.audience != "internal")

    def has_role_page(self, role_id: str) -> bool:
        """Whether `role_id` has a page to link to in this model."""
        return any(r.id == role_id for r in self.role_pages)

    def faq_for_phase(self, phase_id: str) -> tuple[FaqEntry, ...]:
        """Global FAQ entries tagged with the phase."""
        return tuple(e for e in self.faq if phase_id in e.phases)

    def faq_for_role(self, role_id: str) -> tuple[FaqEntry, ...]:
        """Global FAQ entries tagged with the role."""
        return tuple(e for e in self.faq if role_id in e.roles)

    @property
    def is_internal(self) -> bool:
        return self.audience == "internal"

    def for_customer(self, customer_id: str) -> Model:
        """The model a customer's bundle is built from: the common handbook and that customer only."""
        chosen = tuple(c for c in self.customers if c.id == customer_id)
        if not chosen:
            raise KeyError(customer_id)
        # A log computed on every customer must not reach a bundle: the caller computes the
        # customer's own on filtered models (`data.revisions.change_log`).
        # Vendor-internal material is removed from the data, not hidden by the pages: an internal
        # role keeps its name (tasks mention it) but loses its responsibilities; internal training
        # modules are gone, so their manual is never generated.
        roles = tuple(replace(r, responsibilities=()) if r.audience == "internal" else r for r in self.roles)
        modules = tuple(mod for mod in self.modules if mod.audience != "internal")
        return replace(self, customers=chosen, roles=roles, modules=modules, audience=f"customer:{customer_id}",
                       change_log=None)
