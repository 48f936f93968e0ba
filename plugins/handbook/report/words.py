"""English names of change kinds and items, shared by the terminal and Markdown reports."""

from __future__ import annotations

from ..data.diff import Change

ITEM = {
    "handbook": "handbook", "phase": "phase", "step": "step", "task": "task", "gate-criterion": "gate criterion",
    "deliverable": "deliverable", "role": "role", "module": "training module", "faq-category": "FAQ category",
    "faq": "FAQ entry", "priority": "priority", "sla-tier": "SLA tier", "customer": "customer",
    "current-phase": "current phase", "phase-record": "phase dates", "task-state": "task state",
    "gate-verdict": "gate", "decision": "acceptance decision", "signoff": "sign-off",
    "fingerprint": "record fingerprint", "acceptance-plan": "acceptance plan",
    "acceptance-criterion": "acceptance criterion", "uat-round": "UAT round", "uat-case": "UAT case",
    "defect": "defect", "open-item": "open item", "contact": "contact", "training-session": "training session",
    "operations": "operations record", "ticket": "support ticket", "health-check": "health check",
    "action": "health-check action", "backlog-item": "backlog item",
}
SUMMARY = {
    "gate.reopened": "gate went from met to open",
    "gate-criterion.removed": "gate criterion removed",
    "acceptance.decision": "acceptance decision changed",
    "acceptance.signoff": "sign-off changed",
    "acceptance.fingerprint": "fingerprint of a signed record changed",
}


def headline(change: Change) -> str:
    """`task init-kickoff changed`, `customer ruifeng-mfg: acceptance decision changed`."""
    what = ITEM.get(change.item, change.item)
    if change.customer and change.item in ("decision", "signoff", "fingerprint", "current-phase", "customer",
                                                          "operations"):
        return f"{what} of {change.customer} {change.kind}"
    return f"{what} {change.key} {change.kind}"


def counts(changes) -> str:
    """`2 changed, 1 added, 0 removed, 1 moved (1 critical)`."""
    text = ", ".join(f"{changes.count(k)} {k}" for k in ("changed", "added", "removed", "moved"))
    return text + (f" ({len(changes.critical)} critical)" if changes.critical else "")
