"""Records of a customer's acceptance: UAT rounds, cases and defects, criteria, open items, sign-offs,
and the verdicts and fingerprint computed from them."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from ..errors import NOWHERE, Source


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


def evaluate_gate_rule(rule: str, acceptance: Acceptance) -> bool:
    """The verdict of a rule-backed gate criterion, computed from the acceptance record."""
    if rule == "acceptance-passed":
        return acceptance.is_accepted
    if rule == "uat-latest-round-passed":
        latest = acceptance.latest_round
        return latest is not None and latest.status == "passed"
    raise ValueError(f"unknown gate rule {rule!r}")
