"""Training pages: the manuals overview, one manual per role with its print view, and per customer
the training plan (sessions, attendance, which manuals apply).

A manual is the role's modules in manual order (`Model.modules_for`). Module bodies are trusted,
hand-written Markdown from `content/`; they are inserted as they are, only with their headings
moved below the module's own `##` heading so the page outline stays one module per section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..data import model as m
from . import routes
from .base import GeneratedPage, Route, data_file
from .rendering import render, title

# Module headings are `##`, so a body's top heading level must be at least this.
_BODY_TOP_LEVEL = 3
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
# Lines that cannot be the text of a Setext heading: list items, tables, HTML, quotes, admonitions,
# and indented lines (code or a container's content), so a `---` under them stays a rule.
_NOT_PARAGRAPH = re.compile(r"^(\s*([-*+]|\d+[.)])\s|\s*[|<>]|!!!|\?\?\?| {4}|\t)")
_CLOSING_HASHES = re.compile(r"(^|[ \t]+)#+[ \t]*$")


@dataclass(frozen=True)
class ManualSummary:
    """One row of the manuals overview: a role with modules, how many, and how long in total."""

    role: m.Role
    modules: tuple[m.TrainingModule, ...]

    @property
    def total_minutes(self) -> int:
        """The manual's length: the sum of its modules' durations."""
        return sum(mod.duration_minutes for mod in self.modules)


@dataclass(frozen=True)
class ModuleView:
    """A module as one manual shows it: its body with headings demoted, prerequisite link targets."""

    module: m.TrainingModule
    body: str
    prerequisites: tuple[tuple[m.TrainingModule, str], ...]


@dataclass(frozen=True)
class SessionRow:
    """One session of a customer's training plan, with its module and attendance resolved."""

    session: m.TrainingSession
    module: m.TrainingModule
    role: m.Role
    link: str

    @property
    def attendance_percent(self) -> int | None:
        """Attendance of the session, as the model computes it."""
        return self.session.attendance_percent


@dataclass(frozen=True)
class ManualUse:
    """A role's manual as it applies to one customer: the modules scheduled out of the manual's."""

    role: m.Role
    modules: tuple[m.TrainingModule, ...]
    scheduled: tuple[m.TrainingModule, ...]

    @property
    def unscheduled(self) -> tuple[m.TrainingModule, ...]:
        """The manual's modules no session of the customer covers yet, in manual order."""
        return tuple(mod for mod in self.modules if mod not in self.scheduled)


@dataclass(frozen=True)
class TrainingPlan:
    """A customer's training plan: its sessions and the manuals they draw on."""

    rows: tuple[SessionRow, ...]
    manuals: tuple[ManualUse, ...]

    @property
    def completed(self) -> int:
        """Number of sessions marked completed."""
        return sum(1 for r in self.rows if r.session.completed)

    @property
    def session_recordings(self) -> tuple[SessionRow, ...]:
        """Sessions with a recording, for people who missed them."""
        return tuple(r for r in self.rows if r.session.recording)

    @property
    def module_recordings(self) -> tuple[m.TrainingModule, ...]:
        """The scheduled modules that have training videos, each once, in plan order."""
        seen = dict.fromkeys(r.module for r in self.rows if r.module.recordings)
        return tuple(seen)


def demote_headings(body: str, top: int = _BODY_TOP_LEVEL) -> str:
    """`body` with every heading shifted down so that its highest heading is at level `top` (at most 6).

    Fenced code is left alone (a `#` there is a comment, not a heading). Setext headings (a text
    line underlined with `===` or `---`) are rewritten as ATX headings so they shift like the rest.
    """
    lines = body.splitlines()
    headings: dict[int, tuple[int, str]] = {}  # line index -> (level, heading text)
    underlines: set[int] = set()
    fence = ""
    for i, line in enumerate(lines):
        opened = _FENCE.match(line)
        if fence:
            # A fence closes with the same character, at least as long, and nothing after it.
            if opened and opened.group(1).startswith(fence) and not line.strip().strip(fence[0]):
                fence = ""
            continue
        if opened:
            fence = opened.group(1)
            continue
        atx = _ATX.match(line)
        if atx:
            headings[i] = (len(atx.group(2)), _CLOSING_HASHES.sub("", line[atx.end():]).strip())
            continue
        underline = _SETEXT.match(line)
        above = lines[i - 1] if i else ""
        if underline and above.strip() and (i - 1) not in headings and (i - 1) not in underlines \
                and not _NOT_PARAGRAPH.match(above):
            headings[i - 1] = (1 if underline.group(1)[0] == "=" else 2, above.strip())
            underlines.add(i)
    if not headings:
        return body
    shift = max(0, top - min(level for level, _ in headings.values()))
    if not shift and not underlines:
        return body
    out = []
    for i, line in enumerate(lines):
        if i in underlines:
            continue
        if i in headings:
            level, text = headings[i]
            line = "#" * min(6, level + shift) + (" " + text if text else "")
        out.append(line)
    return "\n".join(out) + ("\n" if body.endswith("\n") else "")


def format_duration(minutes: int) -> str:
    """Minutes as a reader counts them: 45 分钟, 2 小时, 1 小时 30 分钟."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} 分钟"
    return f"{hours} 小时" + (f" {rest} 分钟" if rest else "")


def print_meta() -> dict:
    """Page meta of a print view: the chrome-free template, out of search (the manual is indexed
    already, twice would duplicate every hit), no sidebars. A fresh dict: MkDocs may mutate meta."""
    return {"template": "print.html", "search": {"exclude": True}, "hide": ["navigation", "toc"]}


def manual_summaries(model: m.Model) -> tuple[ManualSummary, ...]:
    """The roles that have a manual (at least one module), in role order."""
    result = []
    for role in model.roles:
        modules = model.modules_for(role.id)
        if modules:
            result.append(ManualSummary(role, modules))
    return tuple(result)


def module_views(model: m.Model, role_id: str, here: str, same_page: bool) -> tuple[ModuleView, ...]:
    """The modules of a role's manual as page `here` shows them.

    With `same_page`, a prerequisite in this very manual links to its section on `here` (the print
    view is one self-contained document); otherwise prerequisites link to their manual's section.
    """
    views = []
    for module in model.modules_for(role_id):
        prerequisites = []
        for pre_id in module.prerequisites:
            pre = model.module(pre_id)
            anchor = f"module-{pre.id}"
            target = f"#{anchor}" if same_page and pre.role == role_id else \
                routes.link(here, routes.manual(pre.role), anchor)
            prerequisites.append((pre, target))
        views.append(ModuleView(module, demote_headings(module.body), tuple(prerequisites)))
    return tuple(views)


def training_plan(model: m.Model, customer: m.Customer, here: str) -> TrainingPlan:
    """The training plan of `customer` as the page `here` shows it."""
    return TrainingPlan(session_rows(model, customer, here), manuals_for_customer(model, customer))


def session_rows(model: m.Model, customer: m.Customer, here: str) -> tuple[SessionRow, ...]:
    """A customer's training sessions, in plan order, with module, role and manual link resolved."""
    rows = []
    for session in customer.training:
        module = model.module(session.module)
        rows.append(SessionRow(session, module, model.role(module.role),
                               routes.link(here, routes.manual(module.role), f"module-{module.id}")))
    return tuple(rows)


def manuals_for_customer(model: m.Model, customer: m.Customer) -> tuple[ManualUse, ...]:
    """The manuals that apply to a customer: those of the roles its sessions train, in role order."""
    scheduled_ids = {s.module for s in customer.training}
    result = []
    for summary in manual_summaries(model):
        scheduled = tuple(mod for mod in summary.modules if mod.id in scheduled_ids)
        if scheduled:
            result.append(ManualUse(summary.role, summary.modules, scheduled))
    return tuple(result)


def owned_routes(model: m.Model) -> list[Route]:
    """The overview, each manual and its print view, then each customer's training plan."""
    result = [Route.common(routes.TRAINING)]
    for summary in manual_summaries(model):
        role = summary.role
        result += [Route.of_record("role", role, routes.manual(role.id)),
                   Route.of_record("role", role, routes.manual_print(role.id))]
    return result + [Route.of_customer(c, routes.customer_training(c.id)) for c in model.customers]


def pages(model: m.Model, templates_dir: Path) -> list[GeneratedPage]:
    """The manuals overview, each role's manual and its print view, and each customer's training plan."""
    summaries = manual_summaries(model)
    result = [GeneratedPage(Route.common(routes.TRAINING), title(templates_dir, "training"),
                            render(templates_dir, "training_index.md.j2", model=model, manuals=summaries,
                                   duration=format_duration, here=routes.TRAINING, routes=routes), routes.TRAINING,
                            sources=data_file(model.modules))]
    for summary in summaries:
        role = summary.role
        for here, printable in ((routes.manual(role.id), False), (routes.manual_print(role.id), True)):
            markdown = render(templates_dir, "manual.md.j2", model=model, role=role, manual=summary,
                              modules=module_views(model, role.id, here, same_page=printable),
                              faq=model.faq_for_role(role.id), printable=printable, duration=format_duration,
                              here=here, routes=routes)
            route = Route.of_record("role", role, here)
            # The manual's text comes from its modules: each module's record, then its body file.
            sources = tuple(loc for mod in summary.modules for loc in (mod.source.where, mod.body_location) if loc)
            if printable:
                result.append(GeneratedPage(route, role.name + title(templates_dir, "manual_print"), markdown, None,
                                            meta=print_meta(), sources=sources))
            else:
                result.append(GeneratedPage(route, role.name + title(templates_dir, "manual"), markdown, routes.TRAINING, sources=sources))
    for customer in model.customers:
        here = routes.customer_training(customer.id)
        result.append(GeneratedPage(
            Route.of_customer(customer, here), title(templates_dir, "training_plan"),
            render(templates_dir, "training_plan.md.j2", model=model, customer=customer,
                   plan=training_plan(model, customer, here), duration=format_duration, here=here, routes=routes),
            routes.CUSTOMERS, nav_group=customer.name,
            sources=tuple(s.source.where for s in customer.training[:1]) or (customer.source.where,),
        ))
    return result
