"""Records of a customer project: contacts, task states and gate verdicts per phase, training sessions,
milestones, and the `Customer` that holds them with the figures derived from them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from ..errors import NOWHERE, Source
from .acceptance_record import Acceptance, OpenItem
from .methodology import FaqEntry, GateCriterion, Phase, Recording, Task, safe_url
from .operations import Operations


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
