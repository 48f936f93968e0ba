"""The support page: SLA priority levels and service tiers."""

from __future__ import annotations

from pathlib import Path

from ..data import model as m
from . import routes
from .base import GeneratedPage, Route
from .rendering import render, title


def owned_routes(model: m.Model) -> list[Route]:
    """The one SLA page."""
    return [Route.common(routes.SLA)]


def pages(model: m.Model, templates_dir: Path) -> list[GeneratedPage]:
    """The SLA page, boosted in search: it is where SLA, P0-P3 and 响应时间 are defined."""
    sources = tuple(t.source.where for t in model.sla_tiers[:1])
    return [GeneratedPage(Route.common(routes.SLA), title(templates_dir, "sla"), render(templates_dir, "sla.md.j2", model=model),
                          routes.SLA, meta={"search": {"boost": 2}}, sources=sources)]
