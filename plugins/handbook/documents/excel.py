"""Blocks to a workbook (.xlsx) with openpyxl: one sheet per table, ready to fill in and filter.

Each sheet is named after the heading its table stands under (Excel allows 31 characters, no
`[]:*?/\\`, unique without regard to case) and starts with the document's title and that heading,
then the text written before the table; the header row is bold, shaded, frozen, filtered and
printed on every page. Text outside any section with a table (instructions, lists) goes on a
first sheet named after the document.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from .blocks import Block, Code, Heading, ListItem, Paragraph, Table, plain
from .package import DocumentInfo, repack
from .word import display_width

FONT = "宋体"
HEADER_FILL = "D9E2F3"
MAX_SHEET_NAME = 31
MIN_WIDTH, MAX_WIDTH = 8, 48  # column widths, in Excel's character units
NOTES_WIDTH = 100
FILL_IN_WIDTH = 14  # a column left empty in the template is where people write
_BAD_NAME = re.compile(r"[\[\]:*?/\\]")
_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


@dataclass
class _Sheet:
    heading: str
    parents: tuple[str, ...] = ()  # the headings above `heading` (a "5." above "5.1")
    before: list[Block] = field(default_factory=list)
    table: Table | None = None
    after: list[Block] = field(default_factory=list)


def to_xlsx(blocks: list[Block], info: DocumentInfo) -> bytes:
    """The workbook of `blocks`; the same bytes for the same input."""
    title = next((b.text for b in blocks if isinstance(b, Heading) and b.level == 1), info.title)
    notes, sheets = _plan(blocks)
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    if notes or not sheets:
        _notes_sheet(book.create_sheet(sheet_name(title, taken)), title, notes)
    for sheet in sheets:
        _table_sheet(book.create_sheet(sheet_name(sheet.heading or title, taken)), title, sheet)
    _properties(book, info)
    out = io.BytesIO()
    # ExcelWriter rather than Workbook.save, which stamps `modified` with the time of saving.
    ExcelWriter(book, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED)).save()
    return repack(out.getvalue(), info.date)


def sheet_name(text: str, taken: set[str]) -> str:
    """A valid sheet name for `text`, unlike any in `taken` (compared without case); added to it."""
    base = " ".join(_BAD_NAME.sub(" ", text).split()).strip("'") or "Sheet"
    if base.casefold() == "history":  # reserved by Excel
        base += " 1"
    name, n = base[:MAX_SHEET_NAME], 1
    while name.casefold() in taken:
        n += 1
        suffix = f" ({n})"
        name = base[:MAX_SHEET_NAME - len(suffix)] + suffix
    taken.add(name.casefold())
    return name


def _plan(blocks: list[Block]) -> tuple[list[Block], list[_Sheet]]:
    """Split the document at headings (below the title) and tables: (text of the sections without
    a table, one sheet per table)."""
    notes: list[Block] = []
    sheets: list[_Sheet] = []
    sections: list[tuple[Heading | None, tuple[str, ...], list[Block]]] = [(None, (), [])]
    trail: list[Heading] = []
    for block in blocks:
        if isinstance(block, Heading):
            if block.level > 1:
                trail = [h for h in trail if h.level < block.level]
                sections.append((block, tuple(h.text for h in trail), []))
                trail.append(block)
        else:
            sections[-1][2].append(block)
    has_table = [any(isinstance(b, Table) for b in body) for _, _, body in sections]
    for i, (heading, parents, body) in enumerate(sections):
        if not has_table[i]:
            # A heading with nothing but subsections that all have tables shows on their sheets,
            # above their own headings; otherwise in the notes, with its subsections' text.
            if body or heading is None or not _all_tables_below(sections, has_table, i):
                notes += ([heading] if heading else []) + body
            continue
        current = _Sheet(heading.text if heading else "", parents)
        for block in body:
            if isinstance(block, Table):
                if current.table is not None:
                    sheets.append(current)
                    current = _Sheet(current.heading, parents)
                current.table = block
            elif current.table is None:
                current.before.append(block)
            else:
                current.after.append(block)
        sheets.append(current)
    return notes, sheets


def _all_tables_below(sections: list, has_table: list[bool], i: int) -> bool:
    """Whether section `i` has subsections and every one of them has a table."""
    level = sections[i][0].level
    below = []
    for j in range(i + 1, len(sections)):
        if sections[j][0].level <= level:
            break
        below.append(has_table[j] or bool(not sections[j][2] and _all_tables_below(sections, has_table, j)))
    return bool(below) and all(below)


def _line(block: Block) -> str:
    if isinstance(block, ListItem):
        mark = "•" if block.number is None else f"{block.number}."
        if block.checked is not None:
            mark = "☑" if block.checked else "☐"
        return "    " * block.level + f"{mark} {plain(block.runs)}"
    if isinstance(block, Code):
        return block.text
    if isinstance(block, Table):
        return " | ".join(plain(c) for c in block.header)
    return plain(block.runs) if isinstance(block, (Heading, Paragraph)) else ""


def _write_text(ws, row: int, text: str, columns: int, width: float, *, bold=False, size=11) -> int:
    """Write one line of text across `columns` merged cells; return the next row."""
    cell = ws.cell(row=row, column=1, value=text)
    cell.font = Font(name=FONT, bold=bold, size=size)
    cell.alignment = Alignment(wrap_text=True, vertical="top")
    if columns > 1:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
    # Excel does not fit the height of merged cells: estimate the wrapped lines.
    lines = sum(max(1, math.ceil(display_width(part) / max(width, 1))) for part in text.split("\n"))
    ws.row_dimensions[row].height = round(max(lines, 1) * size * 1.45, 1)
    return row + 1


def _notes_sheet(ws, title: str, notes: list[Block]) -> None:
    ws.column_dimensions["A"].width = NOTES_WIDTH
    row = _write_text(ws, 1, title, 1, NOTES_WIDTH, bold=True, size=14)
    for block in notes:
        if isinstance(block, Heading):
            row += 1
        row = _write_text(ws, row, _line(block), 1, NOTES_WIDTH, bold=isinstance(block, Heading),
                          size=12 if isinstance(block, Heading) else 11)


def _cell_value(text: str) -> str | int:
    """Whole numbers as numbers (a sequence column sorts and fills like one), the rest as text."""
    return int(text) if text.isdigit() and str(int(text)) == text and len(text) < 12 else text


def _table_sheet(ws, title: str, sheet: _Sheet) -> None:
    table = sheet.table
    columns = table.width
    widths = column_widths(table)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    total = sum(widths)
    row = _write_text(ws, 1, title, columns, total, bold=True, size=14)
    for parent in sheet.parents:
        row = _write_text(ws, row, parent, columns, total, bold=True, size=12)
    if sheet.heading:
        row = _write_text(ws, row, sheet.heading, columns, total, bold=True, size=12 if not sheet.parents else 11)
    for block in sheet.before:
        row = _write_text(ws, row, _line(block), columns, total)
    row += 1
    header_row = row
    for col in range(columns):
        cell = ws.cell(row=row, column=col + 1, value=plain(table.header[col]) if col < len(table.header) else "")
        cell.font = Font(name=FONT, bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.border = _BOX
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for cells in table.rows:
        row += 1
        for col in range(columns):
            text = plain(cells[col]) if col < len(cells) else ""
            cell = ws.cell(row=row, column=col + 1, value=_cell_value(text) if text else None)
            bold = col < len(cells) and bool(cells[col]) and all(r.bold for r in cells[col])
            cell.font = Font(name=FONT, bold=bold)
            cell.border = _BOX
            align = table.align[col] if col < len(table.align) and table.align[col] else None
            cell.alignment = Alignment(horizontal=align, vertical="top", wrap_text=True)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    last = get_column_letter(columns)
    ws.auto_filter.ref = f"A{header_row}:{last}{max(row, header_row + 1)}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if total > 100 else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    row += 1
    for block in sheet.after:
        row = _write_text(ws, row + 1 if block is sheet.after[0] else row, _line(block), columns, total)


def column_widths(table: Table) -> list[float]:
    """Each column as wide as its longest line (CJK characters count two), within bounds."""
    widths = []
    for col in range(table.width):
        texts = [plain(table.header[col])] if col < len(table.header) else []
        texts += [plain(r[col]) for r in table.rows if col < len(r)]
        longest = max((display_width(line) for text in texts for line in text.split("\n")), default=0)
        cells = texts[1:] if col < len(table.header) else texts
        fill_in = sum(1 for c in cells if not c) * 2 >= len(cells) > 0  # mostly empty: written in
        widths.append(float(min(max(longest + 4, FILL_IN_WIDTH if fill_in else MIN_WIDTH), MAX_WIDTH)))
    return widths


def _properties(book: Workbook, info: DocumentInfo) -> None:
    props = book.properties
    props.title = info.title
    props.subject = info.subject
    props.creator = info.author
    props.lastModifiedBy = info.author
    props.version = info.version
    props.description = info.description
    props.language = info.language
    props.created = props.modified = info.timestamp
