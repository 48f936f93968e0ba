"""Generated pages: the common record every page family produces, and the registry of families.

A page family is a module with `pages(model, templates_dir) -> list[GeneratedPage]`, a pure
function of the model. Nothing here knows MkDocs: `handbook render` writes the same pages to disk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from ..data import model as m


@dataclass(frozen=True)
class GeneratedPage:
    """One page made from data.

    `nav_parent` is the source path of the index page whose nav section lists this page (None:
    not listed, e.g. print views); `nav_group` nests it one level further (a customer's section).
    `customer` names the customer the page belongs to, so per-page navigation and the leak checks
    know whose it is. `replaces_content` lets the page take the place of a hand-written page at the
    same path (a customer's bundle opens on the customer's own home page, not the generic one).
    """

    path: str
    title: str
    markdown: str
    nav_parent: str | None = None
    nav_group: str | None = None
    customer: str | None = None
    meta: dict = field(default_factory=dict)
    replaces_content: bool = False


FAMILIES = ("home", "methodology", "roles", "training", "faq", "support", "dashboard", "projects", "acceptance")


def generate(model: m.Model, templates_dir: Path) -> list[GeneratedPage]:
    """Every generated page of the site for `model`, in navigation order."""
    result: list[GeneratedPage] = []
    for family in FAMILIES:
        module = import_module(f"handbook.pages.{family}")
        producer: Callable[[m.Model, Path], list[GeneratedPage]] = module.pages
        result.extend(producer(model, templates_dir))
    # Inside a group the nav says "项目概况"; the browser tab and bookmarks need whose it is.
    for page in result:
        if page.nav_group and "title" not in page.meta:
            page.meta["title"] = f"{page.nav_group}：{page.title}"
    return result
