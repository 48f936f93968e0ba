"""The support page: SLA priority levels and service tiers."""

from __future__ import annotations

from pathlib import Path

from ..data import model as m
from . import routes
from .base import GeneratedPage
from .rendering import render


def pages(model: m.Model, templates_dir: Path) -> list[GeneratedPage]:
    """The SLA page, boosted in search: it is where SLA, P0-P3 and 响应时间 are defined."""
    return [GeneratedPage(routes.SLA, "服务等级（SLA）", render(templates_dir, "sla.md.j2", model=model), routes.SLA,
                          meta={"search": {"boost": 2}})]
