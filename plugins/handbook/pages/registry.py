"""The page families of a handbook, listed explicitly, and what follows from the routes they own.

Route checks (IDs that would collide with a fixed page or a content file), the owner of every page
and the check that each family renders exactly the routes it declared all derive from this list.
To add a family: write its module (meeting `base.PageFamily`), its template, and add it here.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from ..data import model as m
from ..errors import Location, Problem
from . import (
    acceptance,
    changes,
    dashboard,
    faq,
    glossary,
    home,
    methodology,
    operations,
    people,
    projects,
    risks,
    roles,
    support,
    training,
)
from .base import GeneratedPage, PageFamily, Route

# Navigation order of the generated pages.
FAMILIES: tuple[PageFamily, ...] = (home, methodology, roles, training, faq, support, glossary, dashboard, risks, people,
                                   projects, acceptance, operations, changes)


def all_routes(model: m.Model) -> list[Route]:
    """Every route of every family, in family order."""
    return [route for family in FAMILIES for route in family.owned_routes(model)]


def generate(model: m.Model, templates_dir: Path) -> list[GeneratedPage]:
    """Every generated page of the site for `model`, in navigation order.

    Each family must render exactly the routes it declared, so the route checks made at
    validation time hold for what is built.
    """
    result: list[GeneratedPage] = []
    for family in FAMILIES:
        declared = family.owned_routes(model)
        made = family.pages(model, templates_dir)
        if len(made) != len(declared) or {p.route for p in made} != set(declared):
            raise RuntimeError(f"{family.__name__} rendered pages other than the routes it declared")
        result.extend(made)
    # Inside a group the nav says "项目概况"; the browser tab and bookmarks need whose it is.
    for page in result:
        if page.nav_group and "title" not in page.meta:
            page.meta["title"] = f"{page.nav_group}：{page.title}"
    return result


def output_key(path: str) -> str:
    """Where MkDocs writes a source page: `x.md` and `x/index.md` both become `x/`."""
    stem = path[: -len(".md")] if path.endswith(".md") else path
    if stem == "index" or stem.endswith("/index"):
        stem = stem[: -len("index")]
    return stem.rstrip("/") + "/"


def check_routes(model: m.Model, content_files: Iterable[str]) -> list[Problem]:
    """Problems of routes that collide with each other or with a hand-written page, at the record."""
    problems: list[Problem] = []
    content = {output_key(f): f for f in content_files if f.endswith(".md")}
    taken: dict[str, Route] = {}
    # Fixed pages first: an ID that lands on one is reported as reserved, wherever its family sits.
    for route in sorted(all_routes(model), key=lambda r: r.owner is not None):
        key = output_key(route.path)
        first = taken.setdefault(key, route)
        owner = route.owner
        if first is not route:
            if owner is None:
                raise RuntimeError(f"two fixed pages share {route.path}")
            if first.owner is None:
                problems.append(Problem(owner.where, f"{owner.kind} ID '{owner.id}' is reserved for a generated page; "
                                                     "choose another ID"))
            else:
                problems.append(Problem(owner.where, f"{owner.kind} '{owner.id}' would generate {route.path}, which "
                                                     f"collides with {first.path} of {first.owner.kind} "
                                                     f"'{first.owner.id}' ({first.owner.where})"))
            continue
        if key in content:
            where = owner.where if owner else Location("mkdocs.yml")
            what = f"{owner.kind} '{owner.id}'" if owner else "the handbook"
            problems.append(Problem(where, f"{what} would generate {route.path}, which collides with "
                                           f"content/{content[key]}"))
    return problems


def customer_of_output(pages: Iterable[GeneratedPage]) -> dict[str, str]:
    """Output directory (`customers/acme/`) of every customer page -> its customer."""
    return {output_key(p.path): p.customer for p in pages if p.customer}


def url_key(url: str) -> str:
    """The output key of a site URL or a resolved link target (`customers/acme/training/`)."""
    url = posixpath.normpath("/" + url.split("#", 1)[0]).lstrip("/")
    if url.endswith(".html"):
        url = url[: -len(".html")]
        if url == "index" or url.endswith("/index"):
            url = url[: -len("index")]
    return url.rstrip("/") + "/" if url not in ("", ".") else "/"


# -- routes without the customers: `handbook validate` of unchanged customers ---------------------
#
# Every family's routes for the internal model are those it has with no customer plus, for each
# customer, those that customer adds (`test_registry` checks this of every family). So each
# customer's routes can be kept beside it when it is stored, and the route check of a portfolio
# whose customers did not change runs on those instead of on a thousand unpickled customers.

RouteKey = tuple  # (path, owner kind, owner ID, customer): plain values, stored with each customer

_BASE: dict[int, tuple[m.Model, frozenset]] = {}


def _keys(model: m.Model) -> frozenset:
    return frozenset((r.path, r.owner.kind if r.owner else None, r.owner.id if r.owner else None, r.customer)
                     for r in all_routes(model))


def customer_routes(shared: m.Model, customer: m.Customer) -> tuple[RouteKey, ...]:
    """The routes `customer` adds to the model of the shared records `shared` (which has no customers)."""
    base = _BASE.get(id(shared))
    if base is None or base[0] is not shared:
        _BASE.clear()
        base = _BASE[id(shared)] = (shared, _keys(shared))
    return tuple(sorted(_keys(replace(shared, customers=(customer,))) - base[1], key=str))


def routes_clean(shared: m.Model, added: Iterable[tuple[RouteKey, ...]], content_files: Iterable[str]) -> bool:
    """Whether `check_routes` would find nothing for the model of `shared` with customers whose routes
    are `added`: no two distinct routes write the same page, none lands on a content file. (When it
    says no, `check_routes` on the whole model words the problems.)"""
    content = {output_key(f) for f in content_files if f.endswith(".md")}
    taken: dict[str, RouteKey] = {}
    for route in _keys(shared).union(*added):
        key = output_key(route[0])
        if key in content or taken.setdefault(key, route) != route:
            return False
    return True
