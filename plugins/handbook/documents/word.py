"""Blocks to a Word document (.docx) with python-docx: A4, Chinese fonts, tables a team fills in.

Chinese text needs its own font slot: Word picks the font of a CJK character from `w:eastAsia`
of `w:rFonts`, and a theme attribute (`w:eastAsiaTheme`, set on every style of python-docx's
template) wins over a named font, so both are replaced on the document defaults and on every
style used here. Table header rows repeat on each printed page (`w:tblHeader`) and no row
breaks across pages, so a printed form keeps its column names.
"""

from __future__ import annotations

import io
import unicodedata

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph as WordParagraph

from .blocks import Block, Code, Heading, Inline, ListItem, Paragraph, Table, plain
from .package import DocumentInfo, repack

BODY_FONT = ("Times New Roman", "宋体")  # (Latin, East Asian)
HEADING_FONT = ("Arial", "黑体")
CODE_FONT = "Consolas"
TEXT_WIDTH_CM = 16.0  # A4 with 2.5 cm side margins
HEADER_FILL = "D9E2F3"
QUOTE_BORDER = "A5A5A5"
FILL_IN_WEIGHT = 16  # a column to write in is sized like 16 characters of text
_HEADING_SIZES = {"Title": 18, "Heading 1": 15, "Heading 2": 13, "Heading 3": 12, "Heading 4": 11,
                  "Heading 5": 10.5, "Heading 6": 10.5}
_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}


def to_docx(blocks: list[Block], info: DocumentInfo) -> bytes:
    """The Word document of `blocks`; the same bytes for the same input."""
    document = docx.Document()
    _drop_thumbnail(document)
    _page_setup(document, info)
    _styles(document)
    for block in blocks:
        if isinstance(block, Heading):
            style = "Title" if block.level == 1 else f"Heading {block.level - 1}"
            paragraph = _paragraph(document, style)
            _add_runs(paragraph, block.runs)
        elif isinstance(block, Paragraph):
            paragraph = document.add_paragraph()
            _add_runs(paragraph, block.runs)
            if block.quoted:
                _quote(paragraph)
        elif isinstance(block, ListItem):
            _list_item(document, block)
        elif isinstance(block, Table):
            _table(document, block)
        elif isinstance(block, Code):
            _code(document, block)
    _properties(document, info)
    out = io.BytesIO()
    document.save(out)
    return repack(out.getvalue(), info.date)


def _paragraph(document, style: str | None = None):
    """A new paragraph of the style named `style`. The style ID is set directly: python-docx's
    lookup by name scans every style of the template for each paragraph (most of the time spent)."""
    paragraph = document.add_paragraph()
    if style is not None:
        paragraph._p.style = _STYLE_IDS[style]
    return paragraph


# Names and IDs of the styles of python-docx's template used here (IDs drop the spaces).
_STYLE_IDS = {name: name.replace(" ", "") for name in (*_HEADING_SIZES, "List Bullet", "List Bullet 2",
                                                        "List Bullet 3", "List Paragraph")}


def display_width(text: str) -> int:
    """Columns `text` takes in a fixed-width view: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _drop_thumbnail(document) -> None:
    """python-docx's template carries a thumbnail of an empty page; file browsers would show it."""
    rels = document.part.package.rels
    for rid in [rid for rid, rel in rels.items() if rel.reltype == RT.THUMBNAIL]:
        del rels[rid]


def _page_setup(document, info: DocumentInfo) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.2)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    words = " · ".join(part for part in (info.author, f"{info.subject} {info.version}".strip()) if part)
    run = footer.add_run(f"{words} · " if words else "")
    run.font.size = Pt(9)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    number = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    number.append(text)
    field.append(number)
    footer._p.append(field)


def _set_fonts(rpr, latin: str, east_asia: str) -> None:
    """Name the Latin and East Asian fonts of a run-properties element, dropping theme fonts."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attr), None)
    for attr, name in (("w:ascii", latin), ("w:hAnsi", latin), ("w:eastAsia", east_asia), ("w:cs", latin)):
        fonts.set(qn(attr), name)


def _styles(document) -> None:
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    _set_fonts(defaults, *BODY_FONT)
    lang = defaults.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        defaults.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")
    normal = document.styles["Normal"]
    _set_fonts(normal.element.get_or_add_rPr(), *BODY_FONT)
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.25
    for name, size in _HEADING_SIZES.items():
        style = document.styles[name]
        _set_fonts(style.element.get_or_add_rPr(), *HEADING_FONT)
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_before = Pt(12 if name != "Title" else 0)
        style.paragraph_format.space_after = Pt(6)
    title = document.styles["Title"]
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    border = title.element.get_or_add_pPr().find(qn("w:pBdr"))
    if border is not None:
        border.getparent().remove(border)
    for name in ("List Bullet", "List Bullet 2", "List Bullet 3", "List Paragraph"):
        _set_fonts(document.styles[name].element.get_or_add_rPr(), *BODY_FONT)
    for name, header in (("Table Text", False), ("Table Header", True)):
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = normal
        style.font.size = Pt(10)
        style.font.bold = header or None
        style.paragraph_format.space_after = Pt(0)
        style.paragraph_format.line_spacing = 1.0
        if header:
            style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _add_runs(paragraph, runs: Inline) -> None:
    for piece in runs:
        for i, line in enumerate(piece.text.split("\n")):
            run = paragraph.add_run()
            if i:
                run.add_break()
            run.add_text(line)
            run.bold = piece.bold or None
            run.italic = piece.italic or None
            if piece.code:
                run.font.name = CODE_FONT


def _quote(paragraph) -> None:
    paragraph.paragraph_format.left_indent = Cm(0.6)
    borders = OxmlElement("w:pBdr")
    left = OxmlElement("w:left")
    for attr, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "8"), ("w:color", QUOTE_BORDER)):
        left.set(qn(attr), value)
    borders.append(left)
    paragraph._p.get_or_add_pPr().append(borders)


def _list_item(document, item: ListItem) -> None:
    if item.number is None and item.checked is None:
        paragraph = _paragraph(document, "List Bullet" + (f" {min(item.level + 1, 3)}" if item.level else ""))
        _add_runs(paragraph, item.runs)
    else:
        paragraph = _paragraph(document, "List Paragraph")
        mark = f"{item.number}." if item.checked is None else ("☑" if item.checked else "☐")
        paragraph.add_run(mark + "\u2002")
        _add_runs(paragraph, item.runs)
        paragraph.paragraph_format.left_indent = Cm(0.75 * (item.level + 1))
        paragraph.paragraph_format.first_line_indent = Cm(-0.75)
    paragraph.paragraph_format.space_after = Pt(2)
    if item.quoted:
        _quote(paragraph)


def _table(document, table: Table) -> None:
    """A table in the "Table Grid" style. Rows and cells are written through their XML elements:
    python-docx's row and cell objects recompute the grid on every access (most of the time)."""
    columns = table.width
    grid = document.add_table(rows=1 + len(table.rows), cols=columns)
    grid._tbl.tblStyle_val = "TableGrid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    widths = [Cm(w) for w in _column_widths(table)]
    for col, gridcol in enumerate(grid._tbl.tblGrid.gridCol_lst):
        gridcol.w = widths[col]
    for row_index, (tr, cells) in enumerate(zip(grid._tbl.tr_lst, (table.header, *table.rows))):
        props = tr.get_or_add_trPr()
        props.append(OxmlElement("w:cantSplit"))
        if row_index == 0:
            props.append(OxmlElement("w:tblHeader"))  # repeated at the top of every printed page
        else:
            height = OxmlElement("w:trHeight")
            height.set(qn("w:val"), str(Cm(0.75).twips))
            height.set(qn("w:hRule"), "atLeast")
            props.append(height)
        for col, tc in enumerate(tr.tc_lst):
            tc.width = widths[col]
            paragraph = WordParagraph(tc.p_lst[0], grid)
            paragraph._p.style = "TableHeader" if row_index == 0 else "TableText"
            if row_index == 0:
                _shade(tc, HEADER_FILL)
            elif col < len(table.align) and table.align[col] in _ALIGN:
                paragraph.alignment = _ALIGN[table.align[col]]
            _add_runs(paragraph, cells[col] if col < len(cells) else ())
    document.add_paragraph().paragraph_format.space_after = Pt(0)


def _column_widths(table: Table) -> list[float]:
    """Column widths in cm sharing the text width by how much each column holds (header counts
    double); a column left mostly empty is where a form is filled in, so it gets room to write."""
    weights = []
    for col in range(table.width):
        header = display_width(plain(table.header[col])) if col < len(table.header) else 0
        cells = [display_width(plain(row[col])) for row in table.rows if col < len(row)]
        weight = max([header * 2, *cells, 6])
        if sum(1 for c in cells if not c) * 2 >= len(cells) > 0:
            weight = max(weight, FILL_IN_WEIGHT)
        weights.append(min(weight, 40))
    total = sum(weights)
    return [round(TEXT_WIDTH_CM * w / total, 2) for w in weights]


def _shade(tc, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    tc.get_or_add_tcPr().append(shading)


def _code(document, block: Code) -> None:
    paragraph = document.add_paragraph()
    for i, line in enumerate(block.text.split("\n")):
        run = paragraph.add_run()
        if i:
            run.add_break()
        run.add_text(line)
        run.font.name = CODE_FONT
        run.font.size = Pt(9)
    _quote(paragraph)


def _properties(document, info: DocumentInfo) -> None:
    props = document.core_properties
    props.title = info.title
    props.subject = info.subject
    props.author = info.author
    props.last_modified_by = info.author
    props.version = info.version
    props.comments = info.description
    props.language = info.language
    props.keywords = ""
    props.category = ""
    props.revision = 1
    props.created = props.modified = info.timestamp
