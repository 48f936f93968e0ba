"""Records of the shared handbook: the methodology (phases, tasks, gates), roles, training modules,
FAQ, SLA tiers and the glossary. Immutable, each with its `Source`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ..errors import NOWHERE, Location, Source
from .sla_clock import DEFAULT_BUSINESS_HOURS

_SAFE_URL = re.compile(r"https?://[^\s<>()\[\]\"'`]+")


def safe_url(text: str) -> str | None:
    """`text` if it is a plain http(s) URL safe to put in a link, else None (shown as text)."""
    return text if _SAFE_URL.fullmatch(text or "") else None


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
    format: str = "docx"  # the file the template is also offered as: docx (Word) or xlsx (Excel)
    text: str = field(default="", compare=False, repr=False)  # the template's Markdown
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
    audience: str = "all"  # internal | customer | all: an internal entry never reaches a bundle

    @property
    def is_internal(self) -> bool:
        return self.audience == "internal"


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
