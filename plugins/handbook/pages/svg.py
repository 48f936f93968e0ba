"""Inline SVG drawings: a customer's phase timeline and the portfolio's phase distribution.

Plain SVG without scripts or external references, so it prints and works offline; every text
node is XML-escaped.
"""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape

from markupsafe import Markup

from ..data import model as m

_WIDTH = 720
_LABEL = 170
_ROW = 34
_TODAY_HALF = 60  # half the width of the label "今天 2026-11-28" at 14 px


def _x(day: dt.date, first: dt.date, last: dt.date) -> float:
    span = max((last - first).days, 1)
    return _LABEL + (_WIDTH - _LABEL - 10) * (day - first).days / span


def timeline(customer: m.Customer, today: dt.date | None = None) -> Markup:
    """Planned (light bar) vs. actual (dark bar) dates of every phase of `customer`."""
    dates = [d for p in customer.phases for d in (p.planned.start, p.planned.end, p.actual.start, p.actual.end) if d]
    height = _ROW * len(customer.phases) + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="hb-timeline" viewBox="0 0 {_WIDTH} {height}" '
        f'width="100%" role="img" aria-label="{escape(customer.name, {chr(34): "&quot;"})} 阶段时间线">',
        f"<title>{escape(customer.name)} 阶段时间线（浅色：计划，深色：实际）</title>",
    ]
    if not dates:
        parts.append('<text x="10" y="24">尚无计划日期</text></svg>')
        return Markup("".join(parts))
    if today is not None:
        dates.append(today)
    first, last = min(dates), max(dates)
    for i, progress in enumerate(customer.phases):
        y = 10 + i * _ROW
        parts.append(f'<text x="0" y="{y + 16}" class="hb-tl-label">{escape(progress.phase.name)}</text>')
        for span, css, offset in ((progress.planned, "hb-tl-planned", 0), (progress.actual, "hb-tl-actual", 12)):
            if not span.start:
                continue
            end = span.end or (today if css == "hb-tl-actual" and today and today > span.start else span.start)
            x1, x2 = _x(span.start, first, last), _x(max(end, span.start), first, last)
            label = "计划" if offset == 0 else "实际"
            parts.append(
                f'<rect x="{x1:.1f}" y="{y + offset}" width="{max(x2 - x1, 3):.1f}" height="10" class="{css}">'
                f"<title>{escape(progress.phase.name)} {label}：{span.start.isoformat()} – "
                f"{span.end.isoformat() if span.end else '进行中'}</title></rect>"
            )
    axis_y = height - 12
    ends = [(_LABEL, "start", first), (_WIDTH - 10, "end", last)]
    if today is not None:
        x = _x(today, first, last)
        parts.append(f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{axis_y - 14}" class="hb-tl-today"/>')
        # The dated label stays inside the drawing, and an end date it would cover is left out.
        anchor = "end" if x > _WIDTH - _TODAY_HALF else "start" if x < _LABEL + _TODAY_HALF else "middle"
        parts.append(f'<text x="{x:.1f}" y="{axis_y}" text-anchor="{anchor}" class="hb-tl-axis hb-tl-today-label">'
                     f"今天 {today.isoformat()}</text>")
        ends = [(ex, a, d) for ex, a, d in ends if abs(ex - x) > 2 * _TODAY_HALF]
    for ex, a, d in ends:
        parts.append(f'<text x="{ex}" y="{axis_y}" text-anchor="{a}" class="hb-tl-axis">{d.isoformat()}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def phase_distribution(model: m.Model) -> Markup:
    """A bar per phase: how many customers are currently in it."""
    counts = [(p, sum(1 for c in model.customers if c.current_phase == p.id)) for p in model.phases]
    top = max((n for _, n in counts), default=0) or 1
    height = _ROW * len(counts) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="hb-chart" viewBox="0 0 {_WIDTH} {height}" '
        f'width="100%" role="img" aria-label="各阶段客户数">',
        "<title>各阶段客户数</title>",
    ]
    for i, (phase, n) in enumerate(counts):
        y = 5 + i * _ROW
        width = (_WIDTH - _LABEL - 60) * n / top
        parts.append(f'<text x="0" y="{y + 17}" class="hb-tl-label">{escape(phase.name)}</text>')
        parts.append(f'<rect x="{_LABEL}" y="{y + 4}" width="{width:.1f}" height="18" class="hb-chart-bar"/>')
        parts.append(f'<text x="{_LABEL + width + 6:.1f}" y="{y + 18}" class="hb-chart-count">{n}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
