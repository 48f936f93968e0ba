"""Role pages: who does what in the methodology, and where their training manual is."""

from __future__ import annotations

from pathlib import Path

from ..data import model as m
from . import routes
from .base import GeneratedPage, Route, data_file
from .rendering import render, title


def owned_routes(model: m.Model) -> list[Route]:
    """The overview, then one page per role that has one (a bundle leaves out internal roles)."""
    return [Route.common(routes.ROLES), *(Route.of_record("role", r, routes.role(r.id)) for r in model.role_pages)]


def pages(model: m.Model, templates_dir: Path) -> list[GeneratedPage]:
    """The role overview and one page per role that has one (`Model.role_pages`)."""
    result = [GeneratedPage(Route.common(routes.ROLES), title(templates_dir, "roles"),
                            render(templates_dir, "roles_index.md.j2", model=model, here=routes.ROLES, routes=routes),
                            routes.ROLES, sources=data_file(model.roles))]
    for role in model.role_pages:
        here = routes.role(role.id)
        tasks = [(phase, [t for t in phase.tasks if role.id in t.roles]) for phase in model.phases]
        result.append(GeneratedPage(
            Route.of_record("role", role, here), role.name,
            render(templates_dir, "role.md.j2", model=model, role=role, here=here, routes=routes,
                   tasks=[(p, ts) for p, ts in tasks if ts], modules=model.modules_for(role.id),
                   faq=model.faq_for_role(role.id)),
            routes.ROLES, sources=(role.source.where,),
        ))
    return result
