"""Customer project pages: the project index and, per customer, profile, timeline and checklists."""

from __future__ import annotations

from pathlib import Path

from ..data import model as m
from ..errors import Location
from . import people, portfolio, risks, routes
from .base import GeneratedPage, Route, template_source
from .rendering import render, title
from .svg import timeline


def owned_routes(model: m.Model) -> list[Route]:
    """The project index, then one project page per customer."""
    return [Route.common(routes.CUSTOMERS), *(Route.of_customer(c, routes.customer(c.id)) for c in model.customers)]


def index_page(model: m.Model, templates_dir: Path) -> GeneratedPage:
    """The project index: every customer, grouped by current phase (internal site: filterable)."""
    return GeneratedPage(Route.common(routes.CUSTOMERS), title(templates_dir, "customers"),
                         render(templates_dir, "customers_index.md.j2", model=model, here=routes.CUSTOMERS,
                                routes=routes, groups=portfolio.by_phase(model), facets=portfolio.facets(model),
                                row_marker=portfolio.row_marker, risks_page=risks.PATH, people_page=people.INDEX),
                         routes.CUSTOMERS, sources=(template_source(templates_dir, "customers_index.md.j2"),
                                                    *(Location(c.source.file) for c in model.customers)))


def pages(model: m.Model, templates_dir: Path) -> list[GeneratedPage]:
    """The project index and one project page per customer."""
    result = [index_page(model, templates_dir)]
    for customer in model.customers:
        here = routes.customer(customer.id)
        result.append(GeneratedPage(
            Route.of_customer(customer, here), title(templates_dir, "project"),
            render(templates_dir, "customer.md.j2", model=model, customer=customer, here=here, routes=routes,
                   tier=model.sla_tier(customer.sla), timeline=timeline(customer, today=model.as_of)),
            routes.CUSTOMERS, nav_group=customer.name, sources=(customer.source.where,),
        ))
    return result
