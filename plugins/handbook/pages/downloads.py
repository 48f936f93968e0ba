"""The download offer on a deliverable's template page: a button to the Word/Excel file of the
page (`documents.deliverables`), under the page's title. Words and markup in `_labels.j2`."""

from __future__ import annotations

import re
from pathlib import Path

from .rendering import label

_TITLE = re.compile(r"(?m)^# .*$")


def template_download(templates_dir: Path, file: object) -> str:
    """The Markdown of the download offer for `file` (a `DeliverableFile`), linked from its page."""
    return str(label(templates_dir, "template_download")(file))


def with_download(markdown: str, offer: str) -> str:
    """`markdown` with `offer` as a paragraph after its first level-1 heading (at the top without one)."""
    title = _TITLE.search(markdown)
    at = title.end() if title else 0
    return markdown[:at] + "\n\n" + offer + "\n\n" + markdown[at:].lstrip("\n")
