"""Navigation: place generated pages in the configured nav, and give each page a nav that does not
grow with the number of customers.

Material renders the whole navigation into every page, so a global nav listing every customer's
pages makes the build quadratic in the portfolio size. Every page instead gets a view of the nav
in which the customers section holds only its shared pages and, on a customer's page, that one
customer's section. The full nav stays intact for MkDocs (sitemap, previous/next links).
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from ..pages.base import GeneratedPage

NavEntry = str | dict


def _children(pages: Iterable[GeneratedPage], parent: str) -> list[NavEntry]:
    entries: list[NavEntry] = []
    groups: dict[str, list[NavEntry]] = {}
    for page in pages:
        if page.nav_parent != parent or page.path == parent:
            continue
        entry = {html.escape(page.title): page.path}
        if page.nav_group is None:
            entries.append(entry)
            continue
        key = page.customer or page.nav_group
        if key not in groups:
            groups[key] = []
            entries.append({html.escape(page.nav_group): groups[key]})
        groups[key].append(entry)
    # Shared pages first, then one section per group, each opening with its index page, whatever
    # order the page families produced them in.
    for members in groups.values():
        members.sort(key=lambda e: not next(iter(e.values())).endswith("/index.md"))
    return sorted(entries, key=lambda e: isinstance(next(iter(e.values())), list))


def expand_nav(nav: list[NavEntry] | None, pages: list[GeneratedPage]) -> list[NavEntry] | None:
    """The configured nav with generated pages added under their family's index page.

    A family whose index page is listed in the nav gets its pages appended to that entry's
    section (a bare page entry becomes a section); hand-written entries keep their place. A
    family whose index is not listed is appended as a new section at the end.
    """
    if nav is None:
        return None
    parents = list(dict.fromkeys(p.nav_parent for p in pages if p.nav_parent))
    placed: set[str] = set()

    def walk(items: list[NavEntry]) -> list[NavEntry]:
        out: list[NavEntry] = []
        for item in items:
            if isinstance(item, dict) and len(item) == 1:
                (title, value), = item.items()
                if isinstance(value, str) and value in parents:
                    placed.add(value)
                    out.append({title: [value, *_children(pages, value)]})
                    continue
                if isinstance(value, list):
                    inner = walk(value)
                    first = value[0] if value else None
                    first_path = first if isinstance(first, str) else (
                        next(iter(first.values())) if isinstance(first, dict) and len(first) == 1 else None)
                    if isinstance(first_path, str) and first_path in parents and first_path not in placed:
                        placed.add(first_path)
                        inner.extend(_children(pages, first_path))
                    out.append({title: inner})
                    continue
            out.append(item)
        return out

    result = walk(list(nav))
    for parent in parents:
        if parent not in placed:
            title = next(p.title for p in pages if p.path == parent)
            result.append({html.escape(title): [parent, *_children(pages, parent)]})
    return result


def _holds(item: NavEntry, path: str) -> bool:
    if isinstance(item, str):
        return item == path
    if isinstance(item, dict):
        return any(_holds(v, path) if not isinstance(v, list) else any(_holds(x, path) for x in v)
                   for v in item.values())
    return False


def move_after_home(nav: list[NavEntry] | None, path: str) -> list[NavEntry] | None:
    """The nav with the top-level entry that holds `path` moved right after the first entry (home).

    A customer's bundle is read for that customer's pages: they come first, not last.
    """
    if not nav:
        return nav
    items = list(nav)
    index = next((i for i, item in enumerate(items) if _holds(item, path)), None)
    if index is None or index <= 1:
        return items
    entry = items.pop(index)
    items.insert(1, entry)
    return items


class ScopedNavigation:
    """Per-page views of one site navigation, each listing at most one customer's section."""

    def __init__(self, nav: Navigation, customer_of_page: dict[str, str]):
        self.full = nav
        self.base = nav
        self.by_customer: dict[str, Navigation] = {}
        section = self._customers_section(nav, customer_of_page)
        if section is None:
            return
        own: dict[str, Section] = {}
        shared = []
        for child in section.children:
            owner = self._owner(child, customer_of_page)
            if owner:
                own[owner] = child
            else:
                shared.append(child)
        base_section = Section(section.title, list(shared))
        for child in shared:
            child.parent = base_section
        self.base = self._replace(nav, section, base_section)
        for customer, child in own.items():
            scoped = Section(section.title, [*shared, child])
            child.parent = scoped
            self.by_customer[customer] = self._replace(nav, section, scoped)

    def for_page(self, page: Page | None, customer_of_page: dict[str, str]) -> Navigation:
        """The navigation to render on `page` (the base view for pages outside any customer)."""
        customer = customer_of_page.get(page.file.src_uri) if page is not None else None
        return self.by_customer.get(customer, self.base) if customer else self.base

    @staticmethod
    def _owner(item, customer_of_page: dict[str, str]) -> str | None:
        owners = {customer_of_page.get(p.file.src_uri) for p in _pages_of(item)}
        return owners.pop() if len(owners) == 1 and None not in owners else None

    @classmethod
    def _customers_section(cls, nav: Navigation, customer_of_page: dict[str, str]) -> Section | None:
        for item in nav.items:
            if isinstance(item, Section) and any(cls._owner(c, customer_of_page) for c in item.children):
                return item
        return None

    @staticmethod
    def _replace(nav: Navigation, old: Section, new: Section) -> Navigation:
        view = Navigation([new if item is old else item for item in nav.items], nav.pages)
        view.homepage = nav.homepage
        return view


def _pages_of(item) -> list[Page]:
    if isinstance(item, Page):
        return [item]
    if isinstance(item, Section):
        return [p for child in item.children for p in _pages_of(child)]
    return []


def without_pages(nav: list[NavEntry] | None, dropped: set[str]) -> list[NavEntry] | None:
    """The configured nav without entries for the pages in `dropped` (and sections left empty)."""
    if nav is None or not dropped:
        return nav
    out: list[NavEntry] = []
    for item in nav:
        if isinstance(item, str):
            if item not in dropped:
                out.append(item)
        elif isinstance(item, dict) and len(item) == 1:
            (title, value), = item.items()
            if isinstance(value, list):
                inner = without_pages(value, dropped)
                if inner:
                    out.append({title: inner})
            elif value not in dropped:
                out.append(item)
        else:
            out.append(item)
    return out
