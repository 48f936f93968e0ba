"""The risk view: what needs attention today across every customer. Internal site only."""

from __future__ import annotations

from pathlib import Path

from ..data import attention
from ..data import model as m
from . import operations, routes
from ..errors import Location
from .base import GeneratedPage, Route, template_source
from .rendering import render, title

PATH = "customers/risks.md"


def target_path(target: str, customer_id: str) -> str:
    """The page of a customer that holds a record: `project`, `acceptance` or `operations`."""
    if target == "acceptance":
        return routes.acceptance(customer_id)
    if target == "operations":
        return operations.page_path(customer_id)
    return routes.customer(customer_id)


def owned_routes(model: m.Model) -> list[Route]:
    """The risk page, on the internal site only (it spans every customer)."""
    return [Route.common(PATH)] if model.is_internal else []


def pages(model: m.Model, templates_dir: Path) -> list[GeneratedPage]:
    """The risk page, or nothing when the model is a customer's."""
    if not model.is_internal:
        return []
    groups = attention.portfolio_risks(model)
    return [GeneratedPage(
        Route.common(PATH), title(templates_dir, "risks"),
        render(templates_dir, "risks.md.j2", model=model, here=PATH, routes=routes, groups=groups,
               target_path=target_path, customers_at_risk=len({r.customer.id for _, rs in groups for r in rs})),
        routes.CUSTOMERS, meta={"hide": ["toc"]} if not groups else {},
        sources=(template_source(templates_dir, "risks.md.j2"), *(Location(c.source.file) for c in model.customers)),
    )]
