"""A customer bundle's home page: whose copy it is, where the project stands, what the copy holds.

The internal site keeps the hand-written `content/index.md`; a bundle (a model filtered to one
customer) opens on this page instead, so the first thing a customer reads names them.
"""

from __future__ import annotations

from pathlib import Path

from ..data import model as m
from . import routes
from .base import GeneratedPage, Route
from .rendering import render


def owned_routes(model: m.Model) -> list[Route]:
    """The home page, in a customer's bundle only (it takes the place of content/index.md there)."""
    return [Route.common(routes.HOME)] if not model.is_internal and len(model.customers) == 1 else []


def pages(model: m.Model, templates_dir: Path) -> list[GeneratedPage]:
    """The customer's home page, or nothing for the internal site."""
    if not owned_routes(model):
        return []
    customer = model.customers[0]
    manuals = [r for r in model.roles if model.modules_for(r.id)]
    return [GeneratedPage(
        Route.common(routes.HOME), customer.name,
        render(templates_dir, "home_customer.md.j2", model=model, customer=customer, here=routes.HOME,
               routes=routes, manuals=manuals),
        None, meta={"title": f"{customer.name}：{model.handbook.title}", "hide": ["toc"]},
        sources=(customer.source.where,), replaces_content=True,
    )]
