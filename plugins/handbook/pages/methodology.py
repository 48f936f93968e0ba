"""Methodology pages: an overview of the five phases and one page per phase with its checklist."""

from __future__ import annotations

from pathlib import Path

from ..data import model as m
from . import routes
from .base import GeneratedPage
from .rendering import render


def pages(model: m.Model, templates_dir: Path) -> list[GeneratedPage]:
    """The methodology overview and one page per phase."""
    result = [GeneratedPage(routes.METHODOLOGY, "方法论",
                            render(templates_dir, "methodology_index.md.j2", model=model, routes=routes,
                                   here=routes.METHODOLOGY), routes.METHODOLOGY)]
    for phase in model.phases:
        here = routes.phase(phase.id)
        result.append(GeneratedPage(
            here, f"{phase.number}. {phase.name}",
            render(templates_dir, "phase.md.j2", model=model, phase=phase, here=here, routes=routes,
                   faq=model.faq_for_phase(phase.id)),
            routes.METHODOLOGY,
        ))
    return result
