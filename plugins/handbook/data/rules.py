"""Domain rules over the built model: contradictions between what the data claims and what it shows.

These are errors, never warnings: a customer claiming a later phase while an earlier gate is open,
or an acceptance decision that the UAT results do not support, must stop the build.
"""

from __future__ import annotations

from ..errors import ProblemLog
from . import model as m
from .signing import find_signed_state, mismatch_message

_DECISION_WORDS = {"accepted": "通过 (accepted)", "conditional": "有条件通过 (conditional)", "rejected": "不通过 (rejected)"}


def check_rules(model: m.Model, problems: ProblemLog, project=None, require_seal: bool = True) -> None:
    """Check every customer against the methodology's rules, recording problems where the records say.

    `project` (a loader `Project`) lets a signed record that changed name its changed fields from
    git history; without it the mismatch is still reported.
    """
    for customer in model.customers:
        check_customer(customer, problems, project, require_seal)


def check_customer(customer: m.Customer, problems: ProblemLog, project=None, require_seal: bool = True) -> None:
    """The rules of one customer: they read nothing but its records (and, for a changed seal, git history)."""
    _check_phase_claim(customer, problems)
    _check_gate_claims(customer, problems)
    before = len(problems.problems)
    _check_acceptance(customer, problems)
    # A record the rules reject is not ready to be sealed: asking for its fingerprint as well would
    # only invite sealing a wrong record.
    _check_signature(customer, problems, project, demand_seal=require_seal and len(problems.problems) == before)


def _check_signature(customer: m.Customer, problems: ProblemLog, project, demand_seal: bool = True) -> None:
    """A signed record keeps its fingerprint at signing; any later change to it is an error."""
    acc = customer.acceptance
    if acc.signed_fingerprint is None:
        if acc.is_signed and demand_seal:
            problems.add(acc.source.at("signoff"),
                         "the acceptance record is signed by both sides but does not keep its fingerprint; add "
                         f"`signed_fingerprint: {acc.fingerprint}` under acceptance (after checking that this is "
                         "the record that was signed)")
        return
    at = acc.source.at("signed_fingerprint")
    if not acc.is_signed:
        problems.add(at, "signed_fingerprint is set but the record is not signed by both sides with dates")
        return
    if acc.signed_fingerprint == acc.fingerprint:
        return
    state = None
    if project is not None:
        try:
            data_rel = project.data_dir.relative_to(project.root).as_posix()
        except ValueError:
            data_rel = None
        if data_rel is not None:
            state = find_signed_state(project.root, data_rel, customer.id, acc.signed_fingerprint, acc.canonical)
    problems.add(at, mismatch_message(acc.fingerprint, acc.signed_fingerprint, state))


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
        if acc.blocking_defects:
            ids = ", ".join(f"{d.id} ({d.priority}, found in round {n})" for n, d in acc.blocking_defects)
            problems.add(decision_at, f"decision {word} but P0/P1 defects are still open: {ids}")
        if acc.decision == "conditional":
            for item in acc.open_items:
                if item.status == "open" and not (item.owner and item.due):
                    problems.add(item.source.at(),
                                 f"decision {word} requires an owner and a due date for open item '{item.title}'")
    elif acc.decision == "rejected" and latest is not None and latest.status == "passed" and not unmet \
            and not acc.open_defects and acc.criteria:
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
