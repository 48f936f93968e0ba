"""The portfolio dashboard: every customer in one table. Internal site only."""

from __future__ import annotations

from pathlib import Path

from ..data import model as m
from ..errors import Location
from . import operations, people, portfolio, risks, routes
from .base import GeneratedPage, Route, template_source
from .rendering import render, title
from .svg import phase_distribution


def owned_routes(model: m.Model) -> list[Route]:
    """The dashboard, on the internal site only (a bundle never carries it)."""
    return [Route.common(routes.DASHBOARD)] if model.is_internal else []


def pages(model: m.Model, templates_dir: Path) -> list[GeneratedPage]:
    """The dashboard, or nothing when the model is a customer's."""
    if not model.is_internal:
        return []
    return [GeneratedPage(
        Route.common(routes.DASHBOARD), title(templates_dir, "dashboard"),
        render(templates_dir, "dashboard.md.j2", model=model, here=routes.DASHBOARD, routes=routes,
               chart=phase_distribution(model), operations_page=operations.page_path,
               facets=portfolio.facets(model), row_marker=portfolio.row_marker, risks_page=risks.PATH,
               people_page=people.INDEX),
        # The widest table of the site: the whole width, no sidebars.
        routes.CUSTOMERS, meta={"hide": ["navigation", "toc"]},
        sources=(template_source(templates_dir, "dashboard.md.j2"), *(Location(c.source.file) for c in model.customers)),
    )]
