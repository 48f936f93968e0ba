"""Acceptance records (验收记录): per customer, the record as a page and as a printable A4 document.

Both views come from one template with a `printable` flag, so the copy a customer signs on paper
cannot drift from the page: same criteria, same rounds, same fingerprint. Verdicts, counts and the
fingerprint come from the model (`Acceptance`, `UatRound`); this module only resolves references
the template cannot (scope IDs to deliverables) and wires routes.
"""

from __future__ import annotations

from pathlib import Path

from ..data import model as m
from . import routes
from .base import GeneratedPage, Route
from .rendering import label, render, title

def record_id(customer: m.Customer) -> str:
    """The short reference printed on every page of the record: whose, and which data (the
    fingerprint's first eight digits, so a reprint after any change carries a new one)."""
    return f"UAT-{customer.id}-{customer.acceptance.fingerprint[:8]}"


def print_header(model: m.Model, customer: m.Customer, templates_dir: Path) -> str:
    """The running header of the printed record's pages 2..n (print.html puts it in the page margin),
    in the words of `PRINT_HEADER` in _labels.j2. Plain text: print.html writes it as a CSS string."""
    return label(templates_dir, "PRINT_HEADER").format_map({
        "customer": customer.name, "title": title(templates_dir, "acceptance"), "record": record_id(customer),
        "fingerprint": customer.acceptance.fingerprint[:16], "date": model.as_of.isoformat()})


def print_meta(model: m.Model, customer: m.Customer, templates_dir: Path) -> dict:
    """Front matter of a print view, fresh per page (the plugin merges it into MkDocs' page meta).

    The print view is a document, not a site page: print.html drops the site chrome, search must
    not list it next to the web view, and navigation/toc sidebars would waste A4 width. The page
    is outside the nav, so its title (browser tab, a printed page's header) names the customer;
    the plugin escapes front-matter titles like any other.
    """
    return {"title": f"{customer.name}：{title(templates_dir, 'acceptance')}", "template": "print.html",
            "search": {"exclude": True}, "hide": ["navigation", "toc"],
            "print_header": print_header(model, customer, templates_dir)}


def scope_deliverables(model: m.Model, acceptance: m.Acceptance) -> tuple[m.Deliverable, ...]:
    """The deliverables the signed plan puts in scope, in the plan's order.

    The loader has already rejected unknown IDs, so every ID resolves; the lookup is over all
    phases because a plan's scope spans the whole methodology.
    """
    by_id = {d.id: d for phase in model.phases for d in phase.deliverables}
    return tuple(by_id[s] for s in acceptance.scope if s in by_id)


def render_record(model: m.Model, customer: m.Customer, templates_dir: Path, *, printable: bool) -> str:
    """The Markdown of one customer's acceptance record, as a site page or as the print document."""
    here = routes.acceptance_print(customer.id) if printable else routes.acceptance(customer.id)
    return render(
        templates_dir, "acceptance.md.j2",
        model=model, customer=customer, acceptance=customer.acceptance,
        scope=scope_deliverables(model, customer.acceptance),
        here=here, routes=routes, printable=printable, record_id=record_id(customer),
    )


def owned_routes(model: m.Model) -> list[Route]:
    """Per customer: the record, then its print view."""
    return [route for c in model.customers for route in (Route.of_customer(c, routes.acceptance(c.id)),
                                                          Route.of_customer(c, routes.acceptance_print(c.id)))]


def pages(model: m.Model, templates_dir: Path) -> list[GeneratedPage]:
    """Per customer: the acceptance record in the customer's nav section, and its print view."""
    result: list[GeneratedPage] = []
    for customer in model.customers:
        sources = (customer.acceptance.source.where,)
        result.append(GeneratedPage(
            Route.of_customer(customer, routes.acceptance(customer.id)), title(templates_dir, "acceptance"),
            render_record(model, customer, templates_dir, printable=False),
            routes.CUSTOMERS, nav_group=customer.name, sources=sources,
        ))
        result.append(GeneratedPage(
            Route.of_customer(customer, routes.acceptance_print(customer.id)), title(templates_dir, "acceptance_print"),
            render_record(model, customer, templates_dir, printable=True),
            None, meta=print_meta(model, customer, templates_dir), sources=sources,
        ))
    return result
