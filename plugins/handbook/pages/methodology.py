"""Methodology pages: an overview of the five phases and one page per phase with its checklist."""

from __future__ import annotations

from pathlib import Path

from ..data import model as m
from . import routes
from .base import GeneratedPage, Route, data_file
from .rendering import render, title


def owned_routes(model: m.Model) -> list[Route]:
    """The overview, then one page per phase."""
    return [Route.common(routes.METHODOLOGY), *(phase_route(p) for p in model.phases)]


def phase_route(phase: m.Phase) -> Route:
    """The page of one phase."""
    return Route.of_record("phase", phase, routes.phase(phase.id))


def pages(model: m.Model, templates_dir: Path) -> list[GeneratedPage]:
    """The methodology overview and one page per phase."""
    result = [GeneratedPage(Route.common(routes.METHODOLOGY), title(templates_dir, "methodology"),
                            render(templates_dir, "methodology_index.md.j2", model=model, routes=routes,
                                   here=routes.METHODOLOGY), routes.METHODOLOGY,
                            sources=data_file(model.phases))]
    for phase in model.phases:
        here = routes.phase(phase.id)
        result.append(GeneratedPage(
            phase_route(phase), f"{phase.number}. {phase.name}",
            render(templates_dir, "phase.md.j2", model=model, phase=phase, here=here, routes=routes,
                   faq=model.faq_for_phase(phase.id)),
            routes.METHODOLOGY, sources=(phase.source.where, *filter(None, [phase.prose_location])),
        ))
    return result
