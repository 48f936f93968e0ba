"""The terminal report of `handbook diff`: critical changes first, then methodology, then customers."""

from __future__ import annotations

from ..data.diff import Change, ChangeSet, FieldChange
from .words import SUMMARY, counts, headline

MARK = {"added": "+", "removed": "-", "changed": "~", "moved": ">"}


def inline(field: FieldChange) -> str:
    """A character-level diff in wdiff style: kept text, [-deleted-] and {+inserted+}."""
    parts = []
    for seg in field.condensed():
        text = seg.text.replace("\n", "⏎")
        parts.append(text if seg.op == "equal" else f"[-{text}-]" if seg.op == "delete" else f"{{+{text}+}}")
    return "".join(parts)


def _value(text: str | None, limit: int = 120) -> str:
    if text is None:
        return "(none)"
    if not text:
        return "(empty)"
    text = text.replace("\n", "⏎")
    return text if len(text) <= limit else text[:limit] + "…"


def _change(change: Change) -> list[str]:
    label = f"「{change.label}」" if change.label and change.label != change.key else ""
    lines = [f"  {MARK[change.kind]} {headline(change)} {label}".rstrip()]
    for f in change.fields:
        lines.append(f"      {f.field}: {_value(f.old)} -> {_value(f.new)}")
        if f.segments:
            lines.append(f"      {' ' * len(f.field)}  {inline(f)}")
    return lines


def render(changes: ChangeSet) -> str:
    """The whole report as text (ends with a newline)."""
    lines = [f"handbook changes {changes.base} -> {changes.head}: {counts(changes)}"]
    if not changes.changes:
        return lines[0] + "\nno changes\n"
    if changes.critical:
        lines += ["", "MUST NOT MISS"]
        for c in changes.critical:
            who = f" ({c.customer} {c.customer_name})" if c.customer else ""
            lines.append(f"  ! {SUMMARY.get(c.code, c.code)}{who}")
    rest = [c for c in changes.methodology]
    if rest:
        lines += ["", "Methodology"]
        for c in rest:
            lines += _change(c)
    for cid, items in changes.customer_changes().items():
        lines += ["", f"Customer {cid} ({items[0].customer_name})"]
        for c in items:
            lines += _change(c)
    return "\n".join(lines) + "\n"
