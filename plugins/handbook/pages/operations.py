"""Operations (运维与持续优化): per customer, SLA compliance, health checks, actions and the backlog,
plus a printable A4 report of each health check to send to the customer.

Every figure comes from the model (`data.operations`); this module owns the family's paths, draws
the monthly ticket chart and wires routes. A customer not live yet gets the page with a clear
"尚未上线" message and no reports.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from xml.sax.saxutils import escape

from markupsafe import Markup

from ..data import model as m
from ..data import operations as o
from . import routes
from .base import GeneratedPage, Route
from .rendering import render, title

def page_path(customer_id: str) -> str:
    """A customer's operations page."""
    return f"customers/{customer_id}/operations.md"


def report_path(customer_id: str, day: dt.date) -> str:
    """The print view of one health check (one check per day, enforced by the reader)."""
    return f"customers/{customer_id}/health-check-{day.isoformat()}.md"


def stamp(value: dt.datetime | None) -> str:
    """A ticket timestamp as written: date, time and the ticket's own UTC offset."""
    if value is None:
        return "—"
    offset = value.strftime("%z")
    return f"{value:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}" if offset else f"{value:%Y-%m-%d %H:%M}"


_SLOT, _H, _TOP, _BASE, _LEFT = 72, 236, 28, 180, 16


def monthly_chart(months: tuple[o.MonthStat, ...]) -> Markup:
    """Tickets opened per month as bars, the part that missed an SLA target in red.

    Colours are attributes, not classes, so the chart reads the same on the page, in print and in
    an offline bundle; every text is escaped and at least 12px.
    """
    label = "每月工单数与 SLA 违约数"
    width = _LEFT + _SLOT * max(len(months), 4)
    # Drawn at its own size (min-width) and scrolled sideways on a narrow screen rather than shrunk
    # until the labels are unreadable.
    parts = [f'<div style="overflow-x: auto"><svg xmlns="http://www.w3.org/2000/svg" class="hb-chart" '
             f'viewBox="0 0 {width} {_H}" width="100%" style="min-width: {width}px; max-width: {width * 1.4:.0f}px" '
             f'role="img" aria-label="{label}" font-size="13">', f"<title>{label}（红色：未达 SLA）</title>"]
    if not months:
        parts.append('<text x="10" y="24">尚无工单</text></svg></div>')
        return Markup("".join(parts))
    top = max(s.tickets for s in months) or 1
    slot = _SLOT
    bar = 40.0
    scale = (_BASE - _TOP) / top
    parts.append(f'<line x1="{_LEFT - 6}" y1="{_BASE}" x2="{width}" y2="{_BASE}" stroke="#9e9e9e" stroke-width="1"/>')
    for i, s in enumerate(months):
        x = _LEFT + i * slot + (slot - bar) / 2
        total_h, breach_h = s.tickets * scale, s.breached * scale
        tip = f"{escape(s.month)}：{s.tickets} 张工单，{s.breached} 张未达 SLA"
        parts.append(f'<g><title>{tip}</title>')
        if s.tickets:
            parts.append(f'<rect x="{x:.1f}" y="{_BASE - total_h:.1f}" width="{bar:.1f}" height="{total_h:.1f}" '
                         f'fill="#1e88e5"/>')
        if s.breached:
            parts.append(f'<rect x="{x:.1f}" y="{_BASE - breach_h:.1f}" width="{bar:.1f}" height="{breach_h:.1f}" '
                         f'fill="#e53935"/>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{_BASE - total_h - 6:.1f}" text-anchor="middle" '
                     f'fill="currentColor">{s.tickets}</text>')
        if s.breached:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{_BASE - min(breach_h, 40) / 2 + 5:.1f}" '
                         f'text-anchor="middle" fill="#ffffff">{s.breached}</text>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{_BASE + 20}" text-anchor="middle" fill="currentColor">'
                     f'{escape(s.month)}</text></g>')
    legend_y = _H - 8
    parts.append(f'<rect x="{_LEFT}" y="{legend_y - 11}" width="12" height="12" fill="#1e88e5"/>'
                 f'<text x="{_LEFT + 18}" y="{legend_y}" fill="currentColor">工单</text>'
                 f'<rect x="{_LEFT + 70}" y="{legend_y - 11}" width="12" height="12" fill="#e53935"/>'
                 f'<text x="{_LEFT + 88}" y="{legend_y}" fill="currentColor">其中未达 SLA</text>')
    parts.append("</svg></div>")
    return Markup("".join(parts))


def print_meta(customer: m.Customer, check: o.HealthCheck, report_title: str) -> dict:
    """Front matter of a report's print view, like the acceptance record's: no site chrome, not in
    search, no sidebars; the title names the customer and the check's date."""
    return {"title": f"{customer.name}：{report_title}（{check.date.isoformat()}）", "template": "print.html",
            "search": {"exclude": True}, "hide": ["navigation", "toc"]}


def _context(model: m.Model, customer: m.Customer) -> dict:
    return {"model": model, "customer": customer, "ops": customer.operations, "tier": model.sla_tier(customer.sla),
            "priorities": {p.id: p for p in model.priorities}, "routes": routes, "stamp": stamp,
            "page_path": page_path, "report_path": report_path}


def render_page(model: m.Model, customer: m.Customer, templates_dir: Path) -> str:
    """The Markdown of one customer's operations page."""
    here = page_path(customer.id)
    return render(templates_dir, "operations.md.j2", here=here, chart=monthly_chart(customer.operations.months),
                  **_context(model, customer))


def render_report(model: m.Model, customer: m.Customer, check: o.HealthCheck, templates_dir: Path) -> str:
    """The Markdown of one health check's printable report."""
    return render(templates_dir, "health_check.md.j2", here=report_path(customer.id, check.date), check=check,
                  **_context(model, customer))


def owned_routes(model: m.Model) -> list[Route]:
    """Per customer: the operations page, then one report per health check of a live customer."""
    result = []
    for c in model.customers:
        result.append(Route.of_customer(c, page_path(c.id)))
        if c.operations.live:
            result.extend(Route.of_customer(c, report_path(c.id, h.date)) for h in c.operations.health_checks)
    return result


def pages(model: m.Model, templates_dir: Path) -> list[GeneratedPage]:
    """Per customer: the operations page in the customer's nav section, and its check reports."""
    result: list[GeneratedPage] = []
    report_title = title(templates_dir, "health_check_print")
    for customer in model.customers:
        ops = customer.operations
        result.append(GeneratedPage(
            Route.of_customer(customer, page_path(customer.id)), title(templates_dir, "operations"),
            render_page(model, customer, templates_dir),
            routes.CUSTOMERS, nav_group=customer.name,
            sources=(ops.source.where, model.sla_tier(customer.sla).source.where),
        ))
        if not ops.live:
            continue
        for check in ops.health_checks:
            result.append(GeneratedPage(
                Route.of_customer(customer, report_path(customer.id, check.date)), report_title,
                render_report(model, customer, check, templates_dir), None,
                meta=print_meta(customer, check, report_title),
                sources=(check.source.where,),
            ))
    return result
