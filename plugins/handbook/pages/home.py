"""A customer bundle's home page: whose copy it is, where the project stands, what the copy holds.

The internal site keeps the hand-written `content/index.md`; a bundle (a model filtered to one
customer) opens on this page instead, so the first thing a customer reads names them.
"""

from __future__ import annotations

from pathlib import Path

from ..data import model as m
from . import routes
from .base import GeneratedPage
from .rendering import render


def pages(model: m.Model, templates_dir: Path) -> list[GeneratedPage]:
    """The customer's home page, or nothing for the internal site."""
    if model.is_internal or len(model.customers) != 1:
        return []
    customer = model.customers[0]
    manuals = [r for r in model.roles if model.modules_for(r.id)]
    return [GeneratedPage(
        routes.HOME, customer.name,
        render(templates_dir, "home_customer.md.j2", model=model, customer=customer, here=routes.HOME,
               routes=routes, manuals=manuals),
        None, meta={"title": f"{customer.name}：{model.handbook.title}", "hide": ["toc"]}, replaces_content=True,
    )]
