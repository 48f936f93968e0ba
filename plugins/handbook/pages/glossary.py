"""The glossary (术语表): abbreviations A-Z with the SLA priorities among them, then Chinese terms.

The same model feeds the tooltips: `abbreviation_definitions` is what the plugin appends to every
page's Markdown so that Python-Markdown's `abbr` extension wraps each SLA, UAT, P0 ... in `<abbr>`.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from ..data import model as m
from . import routes
from .base import GeneratedPage, Route
from .rendering import render, title


class Entry(NamedTuple):
    """One section of the glossary page."""

    anchor: str
    term: str
    name: str
    expansion: str
    definition: str
    see: tuple[str, str] | None  # (title, source path) of the page that treats the term in full


def entries(model: m.Model) -> tuple[list[Entry], list[Entry]]:
    """(abbreviations sorted A-Z, Chinese terms in data order) of the glossary page."""
    sla = ("服务等级（SLA）", routes.SLA)
    abbreviations = [Entry(t.id, t.term, t.name, t.expansion, t.definition, sla if t.id == "sla" else None)
                     for t in model.glossary if t.is_abbreviation]
    abbreviations += [Entry(p.id.lower(), p.id, p.name, "故障优先级", p.description, sla) for p in model.priorities]
    abbreviations.sort(key=lambda e: e.term.casefold())
    terms = [Entry(t.id, t.term, t.name, t.expansion, t.definition, None) for t in model.glossary if not t.is_abbreviation]
    return abbreviations, terms


def owned_routes(model: m.Model) -> list[Route]:
    """The one glossary page (SLA priorities alone make one, so every handbook has it)."""
    return [Route.common(routes.GLOSSARY)]


def pages(model: m.Model, templates_dir: Path) -> list[GeneratedPage]:
    """The glossary page, boosted in search: a search for an abbreviation should land on its definition."""
    abbreviations, terms = entries(model)
    markdown = render(templates_dir, "glossary.md.j2", abbreviations=abbreviations, terms=terms, routes=routes,
                      here=routes.GLOSSARY)
    sources = tuple(dict.fromkeys(t.source.where for t in model.glossary[:1]))
    # Listed in the nav as a single page (mkdocs.yml), not as a section holding itself.
    return [GeneratedPage(Route.common(routes.GLOSSARY), title(templates_dir, "glossary"), markdown, None,
                          meta={"search": {"boost": 3}}, sources=sources)]


def abbreviation_definitions(model: m.Model) -> str:
    """Markdown `*[SLA]: 服务等级协议（Service Level Agreement）` lines for every abbreviation, to append to a page."""
    lines = [f"*[{term}]: {' '.join(tooltip.split())}" for term, tooltip in model.abbreviations]
    return "\n\n" + "\n".join(lines) + "\n" if lines else ""
