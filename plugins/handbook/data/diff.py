"""What changed between two models: typed change records, item by item, by stable ID.

`compare(base, head)` is a pure function of two validated models. Every methodology item (phase,
step, task, gate criterion, deliverable, role, training module, FAQ category and entry, priority,
SLA tier) and every customer record (`diff_customers`) is matched by its ID and reported as
added, removed, changed (field by field) or moved (a task to another phase, a module to another
role, ...). Text fields carry a character-level diff (difflib on characters, which suits Chinese
text where words are not separated by spaces). Renderers (terminal, Markdown, JSON, the 变更记录
page) only present these records; what is critical is decided here.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from . import model as m

ADDED, REMOVED, CHANGED, MOVED = "added", "removed", "changed", "moved"


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of characters of a text diff: kept (`equal`), deleted or inserted."""

    op: str  # equal | delete | insert
    text: str


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of an item, before and after, as text; `segments` for text worth diffing."""

    field: str
    old: str | None
    new: str | None
    segments: tuple[Segment, ...] = ()

    def condensed(self, context: int = 20) -> tuple[Segment, ...]:
        """The text diff with long unchanged runs cut to `context` characters around each change."""
        out = []
        for i, seg in enumerate(self.segments):
            if seg.op != "equal" or len(seg.text) <= 2 * context + 1:
                out.append(seg)
                continue
            head = seg.text[:context] if i > 0 else ""
            tail = seg.text[-context:] if i < len(self.segments) - 1 else ""
            out.append(Segment("equal", head + "…" + tail))
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Change:
    """One item that was added, removed, changed or moved.

    `code` is stable and machine-readable (`task.moved`, `acceptance.decision`, ...); `key` is the
    item's ID path (`phase/task`, `customer/round/case`); `label` its human name; `critical`
    marks what a reviewer must not miss (sign-offs, decisions, signed fingerprints, reopened
    gates, removed gate criteria).
    """

    code: str
    kind: str
    item: str
    key: str
    label: str
    fields: tuple[FieldChange, ...] = ()
    customer: str | None = None
    customer_name: str = ""
    critical: bool = False


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """Every change between two revisions, critical ones first, then in model order."""

    base: str
    head: str
    changes: tuple[Change, ...]

    @property
    def critical(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.critical)

    @property
    def methodology(self) -> tuple[Change, ...]:
        """Changes to the common handbook (no customer)."""
        return tuple(c for c in self.changes if c.customer is None)

    def customer_changes(self) -> dict[str, tuple[Change, ...]]:
        """Changes of each customer's record, by customer ID, in ID order."""
        out: dict[str, list[Change]] = {}
        for c in self.changes:
            if c.customer is not None:
                out.setdefault(c.customer, []).append(c)
        return {k: tuple(v) for k, v in sorted(out.items())}

    def count(self, kind: str) -> int:
        """Number of changes of one kind (added, removed, changed, moved)."""
        return sum(1 for c in self.changes if c.kind == kind)


def text_of(value: object) -> str | None:
    """A field value as text: lists joined with ', ', dates in ISO form, booleans as true/false."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (tuple, list)):
        return ", ".join(text_of(v) or "" for v in value)
    return str(value)


def segments(old: str, new: str) -> tuple[Segment, ...]:
    """Character-level diff of two texts (no junk heuristics, so repeated Chinese characters count)."""
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    out: list[Segment] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(Segment("equal", old[i1:i2]))
            continue
        if op in ("delete", "replace"):
            out.append(Segment("delete", old[i1:i2]))
        if op in ("insert", "replace"):
            out.append(Segment("insert", new[j1:j2]))
    return tuple(out)


def _related(diff: tuple[Segment, ...], a: str, b: str) -> bool:
    """True when the new text is an edit of the old: some unchanged run is a real part of it
    (for a reworded sentence, a run of words; for two hashes, only stray shared characters)."""
    if _WORD.fullmatch(a) and _WORD.fullmatch(b):
        return False  # one word for another (closed -> resolved): the two words say it best
    longest = max((len(s.text) for s in diff if s.op == "equal"), default=0)
    return longest >= max(2, 0.3 * min(len(a), len(b)))


_WORD = re.compile(r"[A-Za-z][A-Za-z_-]{0,23}")


Fields = Mapping[str, Callable[[object], object]]


def field_changes(old: object, new: object, fields: Fields) -> tuple[FieldChange, ...]:
    """The fields of two versions of one item that differ, with a text diff where both are text."""
    out = []
    for name, get in fields.items():
        a, b = text_of(get(old)), text_of(get(new))
        if a == b:
            continue
        diff = segments(a, b) if a and b and isinstance(get(new), str) else ()
        if diff and not _related(diff, a, b):
            diff = ()  # an ID or a hash replaced by another: a character diff would only be noise
        out.append(FieldChange(name, a, b, diff))
    return tuple(out)


def compare_items(item: str, base: Iterable, head: Iterable, key: Callable[[object], str],
                  label: Callable[[object], str], fields: Fields, *, place: str | None = None,
                  critical_removed: bool = False, customer: m.Customer | None = None) -> list[Change]:
    """Match two lists of records by `key` and report each difference.

    `place` names a field (e.g. `phase`) whose change makes the item *moved* rather than changed.
    """
    old = {key(x): x for x in base}
    new = {key(x): x for x in head}
    who = {"customer": customer.id, "customer_name": customer.name} if customer else {}
    out: list[Change] = []
    for k, x in new.items():
        if k not in old:
            out.append(Change(f"{item}.{ADDED}", ADDED, item, k, label(x), **who))
            continue
        changes = field_changes(old[k], x, fields)
        if not changes:
            continue
        kind = MOVED if place and any(f.field == place for f in changes) else CHANGED
        out.append(Change(f"{item}.{kind}", kind, item, k, label(x), changes, **who))
    for k, x in old.items():
        if k not in new:
            out.append(Change(f"{item}.{REMOVED}", REMOVED, item, k, label(x), critical=critical_removed, **who))
    return out


def attrs(*names: str) -> dict[str, Callable[[object], object]]:
    """Field getters for plain attributes."""
    return {n: (lambda x, n=n: getattr(x, n)) for n in names}


def _steps(base: m.Phase, head: m.Phase) -> list[Change]:
    """Steps have no ID: matched by title, then the rest by position (a reworded title)."""
    old_titles = {s.title for s in base.steps}
    new_titles = {s.title for s in head.steps}
    pairs: list[tuple[m.Step | None, m.Step | None, int]] = []
    for i, s in enumerate(head.steps):
        if s.title in old_titles:
            pairs.append((next(o for o in base.steps if o.title == s.title), s, i))
    left = [(i, s) for i, s in enumerate(base.steps) if s.title not in new_titles]
    right = [(i, s) for i, s in enumerate(head.steps) if s.title not in old_titles]
    by_pos = {i: s for i, s in left}
    for i, s in right:
        pairs.append((by_pos.pop(i, None), s, i))
    pairs += [(s, None, i) for i, s in by_pos.items()]
    out = []
    fields = attrs("title", "description")
    for old, new, i in pairs:
        key = f"{head.id}/{i + 1}"
        if old is None:
            out.append(Change("step.added", ADDED, "step", key, new.title))
        elif new is None:
            out.append(Change("step.removed", REMOVED, "step", f"{base.id}/{i + 1}", old.title))
        else:
            changes = field_changes(old, new, fields)
            if changes:
                out.append(Change("step.changed", CHANGED, "step", key, new.title, changes))
    return out


def compare_methodology(base: m.Model, head: m.Model) -> list[Change]:
    """Every difference in the common handbook, in the handbook's order."""
    out = compare_items("handbook", [base.handbook], [head.handbook], lambda x: "handbook", lambda x: x.title,
                        attrs("title", "version", "vendor", "description"))
    out += compare_items("phase", base.phases, head.phases, lambda p: p.id, lambda p: p.name,
                         {**attrs("name", "goal", "number"), "prose": lambda p: p.prose})
    old_phases = {p.id: p for p in base.phases}
    for phase in head.phases:
        if phase.id in old_phases:
            out += _steps(old_phases[phase.id], phase)
    tasks = lambda model: [t for p in model.phases for t in p.tasks]  # noqa: E731
    out += compare_items("task", tasks(base), tasks(head), lambda t: t.id, lambda t: t.title,
                         attrs("phase", "title", "roles", "gate", "deliverable", "note"), place="phase")
    criteria = lambda model: [g for p in model.phases for g in p.gate]  # noqa: E731
    out += compare_items("gate-criterion", criteria(base), criteria(head), lambda g: g.id, lambda g: g.criterion,
                         attrs("phase", "criterion", "rule"), place="phase", critical_removed=True)
    deliverables = lambda model: [d for p in model.phases for d in p.deliverables]  # noqa: E731
    out += compare_items("deliverable", deliverables(base), deliverables(head), lambda d: d.id, lambda d: d.name,
                         attrs("phase", "name", "description", "template"), place="phase")
    out += compare_items("role", base.roles, head.roles, lambda r: r.id, lambda r: r.name,
                         attrs("name", "side", "summary", "responsibilities"))
    out += compare_items("module", base.modules, head.modules, lambda x: x.id, lambda x: x.title,
                         {**attrs("role", "title", "duration_minutes", "objectives", "prerequisites", "body"),
                          "exercises": lambda x: [f"{e.kind}: {e.task}" for e in x.exercises],
                          "self_check": lambda x: x.self_check}, place="role")
    out += compare_items("faq-category", base.faq_categories, head.faq_categories, lambda c: c.id,
                         lambda c: c.name, attrs("name"))
    out += faq_changes(base.faq, head.faq)
    out += compare_items("priority", base.priorities, head.priorities, lambda p: p.id, lambda p: p.name,
                         attrs("name", "description"))
    out += compare_items("sla-tier", base.sla_tiers, head.sla_tiers, lambda t: t.id, lambda t: t.name,
                         {**attrs("name", "coverage", "health_check"), **_target_fields(base, head)})
    return out


def faq_changes(base: Iterable[m.FaqEntry], head: Iterable[m.FaqEntry], customer: m.Customer | None = None
                ) -> list[Change]:
    """FAQ entries, global or one customer's; a new category makes an entry *moved*."""
    return compare_items("faq", base, head, lambda e: e.id, lambda e: e.question,
                         attrs("category", "question", "answer", "tags", "roles", "phases"), place="category",
                         customer=customer)


def _target_fields(base: m.Model, head: m.Model) -> dict[str, Callable[[object], object]]:
    priorities = dict.fromkeys(t.priority for model in (base, head) for tier in model.sla_tiers for t in tier.targets)

    def getter(priority: str, what: str) -> Callable[[object], object]:
        return lambda tier: next((getattr(t, what) for t in tier.targets if t.priority == priority), None)

    return {f"{p} {what}": getter(p, what) for p in priorities for what in ("response", "resolution")}


def compare(base: m.Model, head: m.Model, base_label: str = "base", head_label: str = "head") -> ChangeSet:
    """Every change from `base` to `head`: critical first, then methodology, then customers by ID."""
    from .diff_customers import compare_customers

    changes = compare_methodology(base, head) + compare_customers(base, head)
    ordered = sorted(enumerate(changes), key=lambda ic: (not ic[1].critical, ic[1].customer is not None,
                                                         ic[1].customer or "", ic[0]))
    return ChangeSet(base_label, head_label, tuple(c for _, c in ordered))
