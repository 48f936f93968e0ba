"""The Markdown report of `handbook diff`, for a pull-request description or review comment.

Data text is escaped (HTML and Markdown punctuation), so a task titled `<script>` or `*x*` shows
as typed; text diffs use `<del>`/`<ins>`, which GitHub and GitLab render.
"""

from __future__ import annotations

import re

from ..data.diff import Change, ChangeSet, FieldChange
from ..pages.rendering import md_inline
from .words import SUMMARY, counts, headline

MARK = {"added": "🟢 added", "removed": "🔴 removed", "changed": "🟡 changed", "moved": "🔵 moved"}


def code(text: str) -> str:
    """`text` as a code span, fenced with more backticks than it holds (keys can hold titles)."""
    run = max((len(r) for r in re.findall(r"`+", text)), default=0)
    fence = "`" * (run + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{' '.join(text.split())}{pad}{fence}"


def _text(text: str | None, limit: int = 200) -> str:
    if text is None:
        return "*(none)*"
    short = text if len(text) <= limit else text[:limit] + "…"
    return str(md_inline(short)) or "*(empty)*"


def inline(field: FieldChange) -> str:
    """A character-level diff: unchanged text, <del>deleted</del>, <ins>inserted</ins>."""
    parts = []
    for seg in field.condensed():
        raw = seg.text.replace("\n", " ⏎ ")
        # md_inline collapses white space; a space at the edge of a changed run is part of the change.
        text = (" " if raw[:1].isspace() else "") + str(md_inline(raw)) + (" " if raw[-1:].isspace() and raw.strip() else "")
        parts.append(text if seg.op == "equal" else f"<del>{text}</del>" if seg.op == "delete" else f"<ins>{text}</ins>")
    return "".join(parts)


def _change(change: Change) -> list[str]:
    what = headline(change).replace(change.key, code(change.key), 1) if change.key else headline(change)
    label = f" — {_text(change.label)}" if change.label and change.label != change.key else ""
    lines = [f"- {MARK[change.kind].split()[0]} {what}{label}"]
    for f in change.fields:
        if f.segments:
            lines.append(f"  - **{f.field}**: {inline(f)}")
        else:
            lines.append(f"  - **{f.field}**: {_text(f.old)} → {_text(f.new)}")
    return lines


def render(changes: ChangeSet) -> str:
    """The whole report as Markdown."""
    lines = [f"## Handbook changes: {code(changes.base)} → {code(changes.head)}", "", counts(changes)]
    if not changes.changes:
        return "\n".join(lines + ["", "No changes to the methodology or the customer records."]) + "\n"
    if changes.critical:
        lines += ["", "### ⚠️ Must not miss", ""]
        for c in changes.critical:
            who = f" — customer `{c.customer}` {_text(c.customer_name)}" if c.customer else f" — {code(c.key)}"
            lines.append(f"- **{SUMMARY.get(c.code, c.code)}**{who}")
            for f in c.fields:
                lines.append(f"  - {f.field}: {_text(f.old)} → {_text(f.new)}")
    if changes.methodology:
        lines += ["", "### Methodology", ""]
        for c in changes.methodology:
            lines += _change(c)
    for cid, items in changes.customer_changes().items():
        lines += ["", f"### Customer `{cid}` {_text(items[0].customer_name)}", ""]
        for c in items:
            lines += _change(c)
    return "\n".join(lines) + "\n"
