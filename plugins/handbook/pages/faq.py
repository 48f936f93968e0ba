"""FAQ pages: the overview of categories and questions, one page per category, and the tags index.

Only the global FAQ (faq.yml) is listed here. A customer's own entries live on that customer's
project page, so they never reach other customers' bundles or the shared FAQ.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..data import model as m
from . import routes
from .base import GeneratedPage, Route, data_file
from .rendering import render, title


@dataclass(frozen=True)
class EntryView:
    """A FAQ entry as its category page shows it: its anchor and its phases resolved."""

    entry: m.FaqEntry
    anchor: str
    phases: tuple[m.Phase, ...]


@dataclass(frozen=True)
class CategoryView:
    """A category with its global entries, in data order."""

    category: m.FaqCategory
    entries: tuple[EntryView, ...]

    @property
    def path(self) -> str:
        """The category's page."""
        return routes.faq_category(self.category.id)


def global_entries(model: m.Model) -> tuple[m.FaqEntry, ...]:
    """The FAQ entries every reader shares; customer entries are excluded even if one slipped in."""
    return tuple(e for e in model.faq if e.customer is None)


def category_views(model: m.Model) -> tuple[CategoryView, ...]:
    """The categories that have global entries, in category order (an empty category gets no page)."""
    phases = {p.id: p for p in model.phases}
    entries = global_entries(model)
    result = []
    for category in model.faq_categories:
        views = tuple(EntryView(e, routes.faq_entry(e)[1], tuple(phases[p] for p in e.phases))
                      for e in entries if e.category == category.id)
        if views:
            result.append(CategoryView(category, views))
    return tuple(result)


def page_tags(entries: tuple[m.FaqEntry, ...]) -> list[str]:
    """The union of the entries' tags in first-seen order.

    Material writes tag names into pages and the tags listing without escaping them; the plugin
    escapes every page's tags (hand-written front matter included), so they are plain text here.
    """
    return list(dict.fromkeys(t for e in entries for t in e.tags))


def owned_routes(model: m.Model) -> list[Route]:
    """The overview, one page per category with entries, then the tags index."""
    return [Route.common(routes.FAQ),
            *(Route.of_record("FAQ category", v.category, v.path) for v in category_views(model)),
            Route.common(routes.FAQ_TAGS)]


def pages(model: m.Model, templates_dir: Path) -> list[GeneratedPage]:
    """The FAQ overview, one page per category with entries, and the tags index."""
    categories = category_views(model)
    result = [GeneratedPage(Route.common(routes.FAQ), title(templates_dir, "faq"),
                            render(templates_dir, "faq_index.md.j2", model=model, categories=categories,
                                   total=sum(len(c.entries) for c in categories), here=routes.FAQ,
                                   routes=routes), routes.FAQ, sources=data_file(model.faq_categories))]
    for view in categories:
        here = view.path
        result.append(GeneratedPage(
            Route.of_record("FAQ category", view.category, here), view.category.name,
            render(templates_dir, "faq_category.md.j2", model=model, view=view, here=here, routes=routes),
            routes.FAQ, meta={"tags": page_tags(tuple(v.entry for v in view.entries))},
            sources=(view.category.source.where, *(v.entry.source.where for v in view.entries)),
        ))
    result.append(GeneratedPage(Route.common(routes.FAQ_TAGS), title(templates_dir, "faq_tags"),
                                render(templates_dir, "faq_tags.md.j2"), routes.FAQ,
                                sources=data_file(model.faq_categories)))
    return result
