"""People: everyone named as owner or assignee in customer data, with their open work. Internal only.

Person pages are named by a hash of the name (`attention.person_slug`), never by the name itself:
names are free text in any script, and a path must be ASCII-safe and stable across builds.
"""

from __future__ import annotations

from pathlib import Path

from ..data import attention
from ..data import model as m
from . import routes
from ..errors import Location
from .base import GeneratedPage, Route, template_source
from .rendering import render, title
from .risks import target_path

INDEX = "customers/people/index.md"


def person_path(slug: str) -> str:
    """A person's page (`customers/people/p-1a2b3c4d.md`)."""
    return f"customers/people/{slug}.md"


def owned_routes(model: m.Model) -> list[Route]:
    """The people index and one page per person, on the internal site only."""
    if not model.is_internal:
        return []
    return [Route.common(INDEX), *(Route.common(person_path(attention.person_slug(name)))
                                   for name in attention.people_names(model))]


def pages(model: m.Model, templates_dir: Path) -> list[GeneratedPage]:
    """The people index (in the customers' nav section) and the person pages (not in the nav:
    a few hundred names would be rendered into every page)."""
    if not model.is_internal:
        return []
    everyone = attention.people(model)
    result = [GeneratedPage(Route.common(INDEX), title(templates_dir, "people"),
                            render(templates_dir, "people_index.md.j2", model=model, here=INDEX, routes=routes,
                                   people=everyone, person_path=person_path),
                            routes.CUSTOMERS, meta={"hide": ["toc"]},
                            sources=(template_source(templates_dir, "people_index.md.j2"),))]
    for person in everyone:
        here = person_path(person.slug)
        result.append(GeneratedPage(
            Route.common(here), person.name,
            render(templates_dir, "person.md.j2", model=model, here=here, routes=routes, person=person,
                   target_path=target_path, index=INDEX),
            None, meta={"hide": ["toc"], "title": person.name},
            # What this page lists is written in the customer files that name the person.
            sources=(*(Location(c.source.file) for c in person.customers), template_source(templates_dir, "person.md.j2")),
        ))
    return result
