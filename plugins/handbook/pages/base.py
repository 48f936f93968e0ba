"""What every page family shares: the routes it owns, the pages it makes, and the contract it meets.

A page family is a module that satisfies `PageFamily`: `owned_routes(model)` lists every page path it
owns with the record each page is made from, cheaply, without rendering; `pages(model, templates)`
renders those pages. Nothing here knows MkDocs: `handbook render` writes the same pages to disk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from ..data import model as m
from ..errors import Location, Source
from ..templates import template_file


@dataclass(frozen=True, slots=True)
class Owner:
    """The record a page is made from: what it is, its ID and where it was written."""

    kind: str  # "phase", "role", "FAQ category", "customer", ...
    id: str
    source: Source

    @property
    def where(self) -> Location:
        """The record's position (its `id` value when it has one)."""
        return self.source.where


@dataclass(frozen=True, slots=True)
class Route:
    """A page path a family owns, and whose it is.

    `customer` is set exactly for the pages of one customer: only `Route.of_customer` sets it, and
    it needs the `Customer`, so a per-customer page cannot be made without its owner.
    """

    path: str
    owner: Owner | None = None
    customer: str | None = None

    @classmethod
    def common(cls, path: str) -> Route:
        """A page every reader shares that no single record owns (an index, the dashboard)."""
        return cls(path)

    @classmethod
    def of_record(cls, kind: str, record, path: str) -> Route:
        """A shared page made from one record with an ID and a source (a phase, a role, ...)."""
        return cls(path, Owner(kind, record.id, record.source))

    @classmethod
    def of_customer(cls, customer: m.Customer, path: str) -> Route:
        """A page of one customer: in that customer's nav section and bundle only."""
        return cls(path, Owner("customer", customer.id, customer.source), customer.id)


@dataclass(frozen=True)
class GeneratedPage:
    """One page made from data.

    `nav_parent` is the source path of the index page whose nav section lists this page (None:
    not listed, e.g. print views); `nav_group` nests it one level further (a customer's section).
    `sources` are the files the page's text comes from, the owner's record first (edit links).
    `replaces_content` lets the page take the place of a hand-written page at the same path (a
    customer's bundle opens on the customer's own home page, not the generic one).
    """

    route: Route
    title: str
    markdown: str
    nav_parent: str | None = None
    nav_group: str | None = None
    meta: dict = field(default_factory=dict)
    sources: tuple[Location, ...] = ()
    replaces_content: bool = False

    @property
    def path(self) -> str:
        """The page's source path (`customers/acme/index.md`)."""
        return self.route.path

    @property
    def customer(self) -> str | None:
        """The customer the page belongs to, or None for a shared page."""
        return self.route.customer


def data_file(records) -> tuple[Location, ...]:
    """The file a list of records was written in, for a page that lists them all (an overview)."""
    return (Location(records[0].source.file),) if records else ()


def template_source(templates_dir: Path, name: str) -> Location:
    """A page template, for a page whose fixed text is its template's (the customers overview): the
    project's copy, else the package's default (which the site does not link to for editing)."""
    return Location(template_file(templates_dir, f"pages/{name}").as_posix())


@runtime_checkable
class PageFamily(Protocol):
    """The contract of a page family module (see `pages.registry.FAMILIES`)."""

    def owned_routes(self, model: m.Model) -> list[Route]:
        """Every page path the family owns for `model`, with its owner; no rendering."""
        ...

    def pages(self, model: m.Model, templates_dir: Path) -> list[GeneratedPage]:
        """The family's pages for `model`, one per route."""
        ...
