"""Where every generated page lives: stable source paths derived from IDs only.

IDs are validated to `a-z 0-9 -`, so these paths are safe as file names and URLs on every system.
"""

from __future__ import annotations

import posixpath

from ..data import model as m

HOME = "index.md"
METHODOLOGY = "methodology/index.md"
ROLES = "roles/index.md"
TRAINING = "training/index.md"
FAQ = "faq/index.md"
FAQ_TAGS = "faq/tags.md"
SLA = "support/sla.md"
GLOSSARY = "glossary.md"
CUSTOMERS = "customers/index.md"
DASHBOARD = "customers/dashboard.md"
CHANGES = "changes/index.md"


def phase(phase_id: str) -> str:
    """A methodology phase page."""
    return f"methodology/{phase_id}.md"


def role(role_id: str) -> str:
    """A role page."""
    return f"roles/{role_id}.md"


def manual(role_id: str) -> str:
    """A role's training manual."""
    return f"training/{role_id}.md"


def manual_print(role_id: str) -> str:
    """The print view of a role's training manual."""
    return f"print/training-{role_id}.md"


def faq_category(category_id: str) -> str:
    """A FAQ category page."""
    return f"faq/{category_id}.md"


def faq_entry(entry: m.FaqEntry) -> tuple[str, str]:
    """Page and anchor of a FAQ entry: global entries on their category page, customer entries on
    the customer's project page."""
    if entry.customer:
        return customer(entry.customer), f"faq-{entry.id}"
    return faq_category(entry.category), f"faq-{entry.id}"


def customer(customer_id: str) -> str:
    """A customer's project page."""
    return f"customers/{customer_id}/index.md"


def customer_training(customer_id: str) -> str:
    """A customer's training plan."""
    return f"customers/{customer_id}/training.md"


def acceptance(customer_id: str) -> str:
    """A customer's acceptance record."""
    return f"customers/{customer_id}/acceptance.md"


def acceptance_print(customer_id: str) -> str:
    """The print view of a customer's acceptance record."""
    return f"customers/{customer_id}/acceptance-print.md"


def deliverable_template(deliverable: m.Deliverable) -> str | None:
    """The hand-written template page of a deliverable, if it has one."""
    return deliverable.template


def link(from_path: str, to_path: str, anchor: str = "") -> str:
    """A relative Markdown link target from one source page to another (MkDocs rewrites it)."""
    target = posixpath.relpath(to_path, posixpath.dirname(from_path) or ".")
    return target + (f"#{anchor}" if anchor else "")
