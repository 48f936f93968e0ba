"""The portfolio dashboard: every customer in one table. Internal site only."""

from __future__ import annotations

from pathlib import Path

from ..data import model as m
from . import routes
from .base import GeneratedPage
from .rendering import render
from .svg import phase_distribution


def pages(model: m.Model, templates_dir: Path) -> list[GeneratedPage]:
    """The dashboard, or nothing when the model is a customer's (a bundle never carries it)."""
    if not model.is_internal:
        return []
    return [GeneratedPage(
        routes.DASHBOARD, "项目组合看板",
        render(templates_dir, "dashboard.md.j2", model=model, here=routes.DASHBOARD, routes=routes,
               chart=phase_distribution(model)),
        # The widest table of the site: the whole width, no sidebars.
        routes.CUSTOMERS, meta={"hide": ["navigation", "toc"]},
    )]
