"""Deliverable templates as the files teams fill in: Markdown to Word (.docx) or Excel (.xlsx).

One source, the template page of the site: `blocks` parses it with Python-Markdown (the site's
extensions) into headings, paragraphs, list items, tables and code; `word` and `excel` write
those with python-docx and openpyxl; `package` makes the bytes the same on every build.
`deliverables` attaches the files of a handbook's deliverables to its model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .blocks import DEFAULT_EXTENSIONS, parse
from .package import DocumentInfo

FORMATS = ("docx", "xlsx")


def convert(markdown_text: str, fmt: str, info: DocumentInfo, extensions: Sequence[object] = DEFAULT_EXTENSIONS,
            configs: Mapping[str, Mapping] | None = None) -> bytes:
    """The bytes of the `fmt` ("docx" or "xlsx") file of a Markdown document."""
    # The writers are imported here: the data loader needs `blocks` only, not python-docx or openpyxl.
    blocks = parse(markdown_text, extensions, configs)
    if fmt == "docx":
        from .word import to_docx

        return to_docx(blocks, info)
    if fmt == "xlsx":
        from .excel import to_xlsx

        return to_xlsx(blocks, info)
    raise ValueError(f"unknown document format {fmt!r} (known: {', '.join(FORMATS)})")
