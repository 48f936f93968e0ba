"""Domain rules over the built model: contradictions between what the data claims and what it shows.

These are errors, never warnings: a customer claiming a later phase while an earlier gate is open,
or an acceptance decision that the UAT results do not support, must stop the build.
"""

from __future__ import annotations

from ..errors import ProblemLog
from . import model as m

_DECISION_WORDS = {"accepted": "通过 (accepted)", "conditional": "有条件通过 (conditional)", "rejected": "不通过 (rejected)"}


def check_rules(model: m.Model, problems: ProblemLog) -> None:
    """Check every customer against the methodology's rules, recording problems where the records say."""
    for customer in model.customers:
        _check_phase_claim(customer, problems)
        _check_gate_claims(customer, problems)
        _check_acceptance(customer, problems)


def _check_phase_claim(customer: m.Customer, problems: ProblemLog) -> None:
    blocked = customer.blocked_phase
    if blocked is not None:
        reasons = [f"gate task '{t.task.id}' is {t.state.state}" for t in blocked.open_gate_tasks]
        reasons += [f"criterion '{g.criterion.id}' is not met" for g in blocked.unmet_criteria]
        problems.add(
            customer.source.at("current_phase"),
            f"current phase is '{customer.current_phase}' but the gate of earlier phase "
            f"'{blocked.phase.id}' is still open: {'; '.join(reasons)}",
        )
    if customer.is_live and not customer.acceptance.is_accepted:
        problems.add(
            customer.source.at("current_phase"),
            f"customer is live (phase '{customer.current_phase}') without an accepted acceptance record "
            f"(decision is '{customer.acceptance.decision}')",
        )
    elif customer.go_live_actual and not customer.acceptance.is_accepted:
        problems.add(
            customer.source.at("go_live", "actual"),
            f"customer went live on {customer.go_live_actual} without an accepted acceptance record "
            f"(decision is '{customer.acceptance.decision}')",
        )


def _check_gate_claims(customer: m.Customer, problems: ProblemLog) -> None:
    for progress in customer.phases:
        for verdict in progress.gate:
            if verdict.source != "computed" or verdict.check is None or verdict.check.met == verdict.met:
                continue
            problems.add(
                verdict.check.source.at("met"),
                f"criterion '{verdict.criterion.id}' is claimed {'met' if verdict.check.met else 'not met'}, "
                f"but the acceptance record says otherwise (decision '{customer.acceptance.decision}')",
            )


def _check_acceptance(customer: m.Customer, problems: ProblemLog) -> None:
    acc = customer.acceptance
    for criterion in acc.criteria:
        if criterion.result == "waived" and not (criterion.waiver and criterion.waiver.approver):
            problems.add(criterion.source.at("result"),
                         f"criterion '{criterion.id}' is waived without a waiver naming its approver")
    latest = acc.latest_round
    for earlier, later in zip(acc.rounds, acc.rounds[1:]):
        if earlier.end is None:
            problems.add(earlier.source.at("start"),
                         f"UAT round {earlier.number} has no end date but round {later.number} follows it")
        elif later.start < earlier.end:
            problems.add(later.source.at("start"),
                         f"UAT round {later.number} starts before round {earlier.number} ended ({earlier.end})")
    decision_at = acc.source.at("decision")
    word = _DECISION_WORDS.get(acc.decision, acc.decision)
    unmet = [c.id for c in acc.criteria if c.must_pass and not c.satisfied]
    if acc.decision in ("accepted", "conditional"):
        # 有条件通过 accepts the system with open items, not with failed standards or blocking
        # defects: both decisions need the results of 通过, and 有条件通过 needs owned open items.
        if latest is None:
            problems.add(decision_at, f"decision {word} but no UAT round is recorded")
        elif latest.end is None:
            problems.add(decision_at, f"decision {word} but UAT round {latest.number} has not ended")
        if unmet:
            problems.add(decision_at, f"decision {word} but must-pass criteria are not passed: {', '.join(unmet)}")
        if latest is not None and latest.blocking_defects:
            ids = ", ".join(f"{d.id} ({d.priority})" for d in latest.blocking_defects)
            problems.add(decision_at, f"decision {word} but round {latest.number} has open P0/P1 defects: {ids}")
        if acc.decision == "conditional":
            for item in acc.open_items:
                if item.status == "open" and not (item.owner and item.due):
                    problems.add(item.source.at(),
                                 f"decision {word} requires an owner and a due date for open item '{item.title}'")
    elif acc.decision == "rejected" and latest is not None and latest.status == "passed" and not unmet \
            and not latest.open_defects and acc.criteria:
        problems.add(decision_at, f"decision {word} but round {latest.number} passed every case and every "
                                  "must-pass criterion is met")
    last_end = max((r.end for r in acc.rounds if r.end), default=None)
    for side in ("vendor", "customer"):
        person = acc.vendor_signoff if side == "vendor" else acc.customer_signoff
        if person is None or person.date is None:
            continue
        where = person.source.at("date")
        if acc.decision == "pending":
            problems.add(where, f"{side} signed on {person.date} but the decision is still pending")
        if last_end and person.date < last_end:
            problems.add(where, f"{side} sign-off date {person.date} is before the last UAT round ended ({last_end})")
        if latest is not None and latest.end is None:
            problems.add(where, f"{side} signed while UAT round {latest.number} has not ended")
