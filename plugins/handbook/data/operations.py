"""Operations after go-live: support tickets against the SLA tier, health checks, the optimisation backlog.

Frozen records like the rest of the model. What pages show as numbers (compliance by priority,
breaches, the monthly series, overdue actions, the next health check) are properties here, judged
on the build date `as_of`, so they are computed once and tested here, and templates only print them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from ..errors import NOWHERE, Source
from .sla_clock import add_months, start_of_day

if TYPE_CHECKING:
    from .methodology import SlaTarget, SlaTier

RECENT_DAYS = 90  # "recent" SLA breaches on the dashboard
BACKLOG_STATUSES = ("pending", "planned", "delivered", "rejected")
RESULT_RANK = {"ok": 0, "n-a": 0, "warning": 1, "critical": 2}


# -- records --------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One item of the health-check template (sla.yml `health_checklist`)."""

    id: str
    name: str
    description: str = ""
    source: Source = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Ticket:
    """A support ticket with its SLA deadlines, computed from the tier when it was read."""

    id: str
    priority: str
    category: str
    summary: str
    opened: dt.datetime
    status: str  # open | resolved | closed
    response_due: dt.datetime
    resolution_due: dt.datetime
    first_response: dt.datetime | None = None
    resolved: dt.datetime | None = None
    root_cause: str = ""
    as_of: dt.date = field(default_factory=dt.date.today)
    source: Source = field(default=NOWHERE, compare=False, repr=False)

    @property
    def response_met(self) -> bool | None:
        """In time, late, or None while unanswered and not yet due on the build date."""
        if self.first_response is not None:
            return self.first_response <= self.response_due
        return False if self.response_due < start_of_day(self.as_of, self.opened.tzinfo) else None

    @property
    def resolution_met(self) -> bool | None:
        """In time, late, or None while unresolved and not yet due on the build date."""
        if self.resolved is not None:
            return self.resolved <= self.resolution_due
        return False if self.resolution_due < start_of_day(self.as_of, self.opened.tzinfo) else None

    @property
    def breaches(self) -> tuple[str, ...]:
        """Which targets were missed: "response", "resolution" or both."""
        return tuple(k for k, met in (("response", self.response_met), ("resolution", self.resolution_met))
                     if met is False)

    @property
    def is_breached(self) -> bool:
        return bool(self.breaches)

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def month(self) -> str:
        """The month the ticket was opened in, in its own time zone (`2026-05`)."""
        return self.opened.strftime("%Y-%m")


@dataclass(frozen=True, slots=True)
class PriorityCompliance:
    """SLA compliance of one priority: how many tickets met their response and resolution targets."""

    priority: str
    target: SlaTarget
    clock: str
    tickets: tuple[Ticket, ...]

    @property
    def count(self) -> int:
        return len(self.tickets)

    @property
    def responded_in_time(self) -> int:
        return sum(1 for t in self.tickets if t.response_met is True)

    @property
    def resolved_in_time(self) -> int:
        return sum(1 for t in self.tickets if t.resolution_met is True)

    @property
    def response_judged(self) -> int:
        """Tickets whose response is known to be in time or late (not still running)."""
        return sum(1 for t in self.tickets if t.response_met is not None)

    @property
    def resolution_judged(self) -> int:
        return sum(1 for t in self.tickets if t.resolution_met is not None)

    @property
    def response_percent(self) -> int | None:
        """Share of judged tickets answered in time, rounded down (100 means none late)."""
        return (100 * self.responded_in_time) // self.response_judged if self.response_judged else None

    @property
    def resolution_percent(self) -> int | None:
        return (100 * self.resolved_in_time) // self.resolution_judged if self.resolution_judged else None

    @property
    def breached(self) -> tuple[Ticket, ...]:
        return tuple(t for t in self.tickets if t.is_breached)


class MonthStat(NamedTuple):
    """Tickets opened in one month and how many of them missed a target."""

    month: str
    tickets: int
    breached: int


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One checklist item's result in a health check, with what was measured."""

    item: ChecklistItem
    result: str  # ok | warning | critical | n-a
    measurement: str = ""
    source: Source = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Finding:
    """Something a health check found, with its severity and the checklist item it concerns."""

    severity: str  # high | medium | low
    finding: str
    item: ChecklistItem | None = None
    source: Source = field(default=NOWHERE, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Action:
    """A follow-up action of a health check; overdue when still open after its due date."""

    title: str
    owner: str
    due: dt.date
    status: str  # open | done
    check_date: dt.date
    done: dt.date | None = None
    as_of: dt.date = field(default_factory=dt.date.today)
    source: Source = field(default=NOWHERE, compare=False, repr=False)

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def overdue(self) -> bool:
        return self.is_open and self.due < self.as_of

    @property
    def days_overdue(self) -> int:
        return (self.as_of - self.due).days if self.overdue else 0


@dataclass(frozen=True, slots=True)
class HealthCheck:
    """A health check (巡检): who ran it, each checklist item's result, findings and actions."""

    date: dt.date
    kind: str  # quarterly | pre-peak | ad-hoc
    by: tuple[str, ...]
    results: tuple[CheckResult, ...]
    findings: tuple[Finding, ...] = ()
    actions: tuple[Action, ...] = ()
    summary: str = ""
    source: Source = field(default=NOWHERE, compare=False, repr=False)

    def count(self, result: str) -> int:
        """Number of checklist items with `result`."""
        return sum(1 for r in self.results if r.result == result)

    def result_of(self, item_id: str) -> CheckResult | None:
        """This check's result for one checklist item, if it recorded one."""
        return next((r for r in self.results if r.item.id == item_id), None)

    @property
    def verdict(self) -> str:
        """The worst result of the check: critical, warning or ok."""
        worst = max((RESULT_RANK[r.result] for r in self.results), default=0)
        return ("ok", "warning", "critical")[worst]


class ItemTrend(NamedTuple):
    """One checklist item across the health checks, oldest first, and where it is heading."""

    item: ChecklistItem
    results: tuple[CheckResult | None, ...]
    direction: str  # better | worse | same | new


@dataclass(frozen=True, slots=True)
class BacklogItem:
    """An improvement request and what was decided about it."""

    id: str
    title: str
    origin: str  # user | visit | health-check | ticket
    raised: dt.date
    decision: str  # pending | next-version | configuration | rejected
    raised_by: str = ""
    reason: str = ""
    release: str = ""
    source: Source = field(default=NOWHERE, compare=False, repr=False)

    @property
    def status(self) -> str:
        """pending (no decision yet), planned, delivered (in a release) or rejected."""
        if self.decision == "rejected":
            return "rejected"
        if self.decision == "pending":
            return "pending"
        return "delivered" if self.release else "planned"


@dataclass(frozen=True, slots=True)
class Operations:
    """One customer's operations record; `live` once the system went live."""

    live: bool = False
    go_live: dt.date | None = None
    tier: SlaTier | None = None
    checklist: tuple[ChecklistItem, ...] = ()
    tickets: tuple[Ticket, ...] = ()
    health_checks: tuple[HealthCheck, ...] = ()  # oldest first
    backlog: tuple[BacklogItem, ...] = ()
    as_of: dt.date = field(default_factory=dt.date.today)
    source: Source = field(default=NOWHERE, compare=False, repr=False)

    @property
    def compliance(self) -> tuple[PriorityCompliance, ...]:
        """Compliance per priority of the tier, in the tier's order."""
        if self.tier is None:
            return ()
        return tuple(PriorityCompliance(t.priority, t, t.clock, tuple(x for x in self.tickets if x.priority == t.priority))
                     for t in self.tier.targets)

    @property
    def breached_tickets(self) -> tuple[Ticket, ...]:
        return tuple(t for t in self.tickets if t.is_breached)

    @property
    def recent_breaches(self) -> tuple[Ticket, ...]:
        """Breached tickets opened in the last 90 days before the build date."""
        since = self.as_of - dt.timedelta(days=RECENT_DAYS)
        return tuple(t for t in self.breached_tickets if t.opened.date() >= since)

    @property
    def open_tickets(self) -> tuple[Ticket, ...]:
        return tuple(t for t in self.tickets if t.is_open)

    @property
    def months(self) -> tuple[MonthStat, ...]:
        """Every month from go-live (or the first ticket) to the build date, empty months included."""
        if not self.tickets and not self.go_live:
            return ()
        starts = [t.opened.date() for t in self.tickets] + ([self.go_live] if self.go_live else [])
        first, last = min(starts), max([self.as_of, *(t.opened.date() for t in self.tickets)])
        result, month = [], dt.date(first.year, first.month, 1)
        while month <= last:
            key = month.strftime("%Y-%m")
            mine = [t for t in self.tickets if t.month == key]
            result.append(MonthStat(key, len(mine), sum(1 for t in mine if t.is_breached)))
            month = add_months(month, 1)
        return tuple(result)

    @property
    def last_check(self) -> HealthCheck | None:
        return self.health_checks[-1] if self.health_checks else None

    @property
    def next_check_due(self) -> dt.date | None:
        """The last check (or go-live) plus the tier's cadence; None when not live or no cadence."""
        if not self.live or self.tier is None or not self.tier.health_check_months:
            return None
        base = self.last_check.date if self.last_check else self.go_live
        return add_months(base, self.tier.health_check_months) if base else None

    @property
    def check_overdue(self) -> bool:
        """Past the tier's health-check cadence on the build date (a warning, shown, not failing)."""
        due = self.next_check_due
        return due is not None and due < self.as_of

    @property
    def actions(self) -> tuple[Action, ...]:
        return tuple(a for c in self.health_checks for a in c.actions)

    @property
    def open_actions(self) -> tuple[Action, ...]:
        """Open actions of every check, the earliest due first."""
        return tuple(sorted((a for a in self.actions if a.is_open), key=lambda a: (a.due, a.title)))

    @property
    def overdue_actions(self) -> tuple[Action, ...]:
        return tuple(a for a in self.open_actions if a.overdue)

    @property
    def item_trends(self) -> tuple[ItemTrend, ...]:
        """Each checklist item's results across the checks, with the change since the previous check."""
        trends = []
        for item in self.checklist:
            results = tuple(c.result_of(item.id) for c in self.health_checks)
            known = [RESULT_RANK[r.result] for r in results if r is not None]
            if len(known) < 2:
                direction = "new"
            else:
                direction = "worse" if known[-1] > known[-2] else "better" if known[-1] < known[-2] else "same"
            trends.append(ItemTrend(item, results, direction))
        return tuple(trends)

    @property
    def backlog_by_status(self) -> tuple[tuple[str, tuple[BacklogItem, ...]], ...]:
        """The backlog grouped by status (pending, planned, delivered, rejected), empty groups left out."""
        groups = ((s, tuple(b for b in self.backlog if b.status == s)) for s in BACKLOG_STATUSES)
        return tuple((s, items) for s, items in groups if items)

    @property
    def has_records(self) -> bool:
        return bool(self.tickets or self.health_checks or self.backlog)
