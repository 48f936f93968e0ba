"""Deliverable templates as Word and Excel files: every template converts, and the file read back
with python-docx / openpyxl holds every heading, table header and cell of its Markdown; the bytes
are the same on every conversion; the data says which format, and a wrong one is located."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from functools import cache
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn

from conftest import REPO
from handbook.data.loader import Project, load_project
from handbook.documents import DocumentInfo, convert
from handbook.documents.blocks import ListItem, Paragraph, Table, parse
from handbook.documents.excel import sheet_name
from test_loader import edit, problems

INFO = DocumentInfo("字段映射表", "筑云软件", "工程管理系统实施手册", "2.4", "说明", dt.date(2026, 3, 1))
DELIVERABLES = sorted((REPO / "content/deliverables").glob("*.md"))


@cache
def site_markdown() -> tuple[list, dict]:
    """The sample site's Markdown extensions and their options, as MkDocs reads them."""
    from mkdocs.config import load_config

    config = load_config(str(REPO / "mkdocs.yml"))
    return config.markdown_extensions, config.mdx_configs


@cache
def formats() -> dict[str, str]:
    """Template path -> format, from the sample's phases.yml."""
    model = load_project(Project.at(REPO))
    return {d.template: d.format for p in model.phases for d in p.deliverables if d.template}


def expected(markdown: str) -> tuple[list[str], list[list[list[str]]]]:
    """The headings and the tables (rows of cells, header first) of a template, read from the
    Markdown lines themselves: an oracle independent of the converter's parser."""
    headings = [re.sub(r"[*`]", "", m) for m in re.findall(r"(?m)^#{1,6} (.+?)\s*$", markdown)]
    tables: list[list[list[str]]] = []
    previous = ""
    for line in markdown.splitlines():
        if line.startswith("|"):
            cells = [re.sub(r"[*`]", "", c).strip() for c in line.strip().strip("|").split("|")]
            if all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                pass
            elif previous.startswith("|"):
                tables[-1].append(cells)
            else:
                tables.append([cells])
        previous = line
    return headings, tables


def convert_template(path: Path, fmt: str) -> bytes:
    extensions, configs = site_markdown()
    return convert(path.read_text(encoding="utf-8"), fmt, INFO, extensions, configs)


def test_the_sample_says_which_templates_are_spreadsheets() -> None:
    chosen = {path for path, fmt in formats().items() if fmt == "xlsx"}
    assert chosen == {"deliverables/field-mapping.md", "deliverables/permission-matrix.md",
                      "deliverables/optimization-backlog.md"}
    assert set(formats()) == {f"deliverables/{p.name}" for p in DELIVERABLES}


@pytest.mark.parametrize("path", DELIVERABLES, ids=lambda p: p.stem)
def test_each_template_reads_back_from_word(path: Path) -> None:
    headings, tables = expected(path.read_text(encoding="utf-8"))
    document = docx.Document(io.BytesIO(convert_template(path, "docx")))
    paragraphs = [(p.style.name, p.text) for p in document.paragraphs]
    assert paragraphs[0] == ("Title", headings[0])
    assert [text for style, text in paragraphs if style.startswith("Heading")] == headings[1:]
    assert len(document.tables) == len(tables)
    for table, rows in zip(document.tables, tables):
        assert [[cell.text for cell in row.cells] for row in table.rows] == rows
        header = table.rows[0]
        assert header._tr.trPr.find(qn("w:tblHeader")) is not None, "header row repeats on each page"
        # Bold and centred through the header style; body cells are in the plain table style.
        assert {p.style.name for cell in header.cells for p in cell.paragraphs} == {"Table Header"}
        assert {p.style.name for row in table.rows[1:] for cell in row.cells for p in cell.paragraphs} == {"Table Text"}
        assert all(row._tr.trPr.find(qn("w:tblHeader")) is None for row in table.rows[1:])
    props = document.core_properties
    assert (props.title, props.author, props.version, props.subject) == ("字段映射表", "筑云软件", "2.4", "工程管理系统实施手册")
    assert props.created == props.modified == dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("path", DELIVERABLES, ids=lambda p: p.stem)
def test_each_template_reads_back_from_excel(path: Path) -> None:
    headings, tables = expected(path.read_text(encoding="utf-8"))
    book = openpyxl.load_workbook(io.BytesIO(convert_template(path, "xlsx")))
    sheets = [ws for ws in book.worksheets if ws.freeze_panes]
    assert len(sheets) == len(tables), [ws.title for ws in book.worksheets]
    names = [ws.title for ws in book.worksheets]
    assert len({n.casefold() for n in names}) == len(names) and all(len(n) <= 31 for n in names)
    shown = set()
    for ws, rows in zip(sheets, tables):
        assert ws["A1"].value == headings[0] and ws["A1"].font.b
        header_row = ws[ws.freeze_panes].row - 1
        values = [["" if c is None else str(c) for c in row]
                  for row in ws.iter_rows(min_row=header_row, max_row=header_row + len(rows) - 1, values_only=True)]
        assert values == rows
        assert all(cell.font.b for cell in ws[header_row])
        assert ws.print_title_rows == f"${header_row}:${header_row}"
        # Named after the heading its table stands under (a second table there gets " (2)").
        assert re.sub(r" \(\d\)$", "", ws.title) in headings, ws.title
        shown.update(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    for ws in book.worksheets:
        shown.update(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    assert set(headings) <= shown, set(headings) - shown
    assert book.properties.title == "字段映射表" and book.properties.creator == "筑云软件"
    assert book.properties.modified == dt.datetime(2026, 3, 1)


def test_permission_matrix_sheets_and_columns() -> None:
    book = openpyxl.load_workbook(io.BytesIO(convert_template(REPO / "content/deliverables/permission-matrix.md", "xlsx")))
    assert book.sheetnames == ["角色权限矩阵", "2. 岗位与角色对照", "3. 功能权限", "4. 敏感操作授权", "5. 复核记录"]
    notes = [c.value for c in book["角色权限矩阵"]["A"] if c.value]
    assert notes[:3] == ["角色权限矩阵", "1. 说明", "• 授权原则：最小权限；敏感操作（删除、导出、结算审批）单独授权"]
    functions = book["3. 功能权限"]
    # The instruction written above the table stays with it, above the frozen header row.
    assert functions["A3"].value.startswith("填写：查看 / 新增")
    assert functions.freeze_panes == "A6" and functions.auto_filter.ref == "A5:F11"
    widths = [functions.column_dimensions[c].width for c in "ABCDEF"]
    # 功能 is as wide as its longest name; the empty role columns are where people write.
    assert widths == [12.0, 14.0, 14.0, 14.0, 14.0, 14.0]


def test_word_names_chinese_fonts_everywhere_it_writes() -> None:
    data = convert_template(REPO / "content/deliverables/uat-report.md", "docx")
    styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()
    defaults = re.search(r"<w:rPrDefault>.*?</w:rPrDefault>", styles, re.S).group(0)
    assert 'w:eastAsia="宋体"' in defaults and 'w:eastAsia="zh-CN"' in defaults
    document = docx.Document(io.BytesIO(data))
    header = document.styles["Table Header"]
    assert header.font.bold and header.base_style.name == "Normal" and header.paragraph_format.alignment == 1
    for name, east_asia in (("Normal", "宋体"), ("Title", "黑体"), ("Heading 1", "黑体"), ("Heading 2", "黑体"),
                            ("List Paragraph", "宋体")):
        fonts = document.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == east_asia, name
        assert fonts.get(qn("w:eastAsiaTheme")) is None, f"{name}: a theme font would win over {east_asia}"
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert "docProps/thumbnail.jpeg" not in zipfile.ZipFile(io.BytesIO(data)).namelist()
    task_items = [p.text for p in document.paragraphs if p.text.startswith("☐")]
    assert task_items == ["☐\u2002通过", "☐\u2002有条件通过（附遗留问题清单）", "☐\u2002不通过"]


def test_word_tables_leave_room_where_people_write() -> None:
    document = docx.Document(io.BytesIO(convert_template(REPO / "content/deliverables/implementation-plan.md", "docx")))
    basics, signatures = document.tables[0], document.tables[-1]
    assert [c.text for c in signatures.rows[0].cells] == ["", "客户方", "筑云软件"]
    widths = [c.width.cm for c in signatures.rows[0].cells]
    assert widths[1] == widths[2] > 2 * widths[0], widths  # 签字/职务/日期 labels vs. space to sign
    assert basics.rows[0].cells[1].width > basics.rows[0].cells[0].width  # 内容 is filled in
    assert round(sum(c.width.cm for c in basics.rows[0].cells), 1) == 16.0  # the A4 text width


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_conversion_is_deterministic(fmt: str) -> None:
    path = REPO / "content/deliverables/implementation-plan.md"
    first, second = convert_template(path, fmt), convert_template(path, fmt)
    assert first == second
    assert {i.date_time for i in zipfile.ZipFile(io.BytesIO(first)).infolist()} == {(2026, 3, 1, 0, 0, 0)}
    later = convert(path.read_text(encoding="utf-8"), fmt, DocumentInfo("x", "y", date=dt.date(2026, 3, 2)))
    assert later != first


def test_inline_formatting_lists_and_web_only_parts() -> None:
    extensions, configs = site_markdown()
    text = ("# 标题 :material-flag:\n\n有 **加粗** 和 `代码`。\n\n> 引用\n\n1. 第一\n    - 子项\n2. 第二\n\n任务：\n\n"
            "- [x] 已完成\n- [ ] 未完成\n")
    blocks = parse(text, extensions, configs)
    assert blocks[0].text == "标题", "permalink and icon are left out"
    assert [(r.text, r.bold, r.code) for r in blocks[1].runs] == [("有 ", False, False), ("加粗", True, False),
                                                                  (" 和 ", False, False), ("代码", False, True),
                                                                  ("。", False, False)]
    assert isinstance(blocks[2], Paragraph) and blocks[2].quoted
    items = [(b.level, b.number, b.checked, "".join(r.text for r in b.runs)) for b in blocks if isinstance(b, ListItem)]
    assert items == [(0, 1, None, "第一"), (1, None, None, "子项"), (0, 2, None, "第二"), (0, None, True, "已完成"),
                     (0, None, False, "未完成")]
    document = docx.Document(io.BytesIO(convert(text, "docx", INFO, extensions, configs)))
    runs = [(r.text, r.bold, r.font.name) for p in document.paragraphs for r in p.runs if r.text in ("加粗", "代码")]
    assert runs == [("加粗", True, None), ("代码", None, "Consolas")]
    assert not any(isinstance(b, Table) for b in blocks)


def test_sheet_names_fit_excel() -> None:
    taken: set[str] = set()
    long = "3. 字段映射：源系统字段与目标系统字段的对照[含清洗规则]"
    first = sheet_name(long, taken)
    assert len(first) <= 31 and not set("[]:*?/\\") & set(first)
    second = sheet_name(long, taken)
    assert second != first and len(second) <= 31 and second.endswith(" (2)")
    assert sheet_name("Notes", taken) == "Notes" and sheet_name("NOTES", taken) == "NOTES (2)"
    assert sheet_name("History", taken) != "History"
    assert sheet_name("[]", taken) == "Sheet"


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown document format 'pdf'"):
        convert("# x\n", "pdf", INFO)


# -- the data ---------------------------------------------------------------------------------

def _with_template(root: Path, text: str, fmt: str | None) -> None:
    (root / "content/deliverables").mkdir(parents=True, exist_ok=True)
    (root / "content/deliverables/plan.md").write_text(text, encoding="utf-8")
    extra = f"\n        format: {fmt}" if fmt else ""
    edit(root, "project_data/phases.yml", "name: 《项目实施方案》",
         f"name: 《项目实施方案》\n        template: deliverables/plan.md{extra}")


def test_format_defaults_to_word(minimal: Path) -> None:
    _with_template(minimal, "# 方案\n\n正文\n", None)
    model = load_project(Project.at(minimal))
    assert model.phases[0].deliverable("plan").format == "docx"


def test_spreadsheet_without_a_table_is_located(minimal: Path) -> None:
    _with_template(minimal, "# 方案\n\n只有文字，没有表格。\n", "xlsx")
    assert problems(minimal) == ["project_data/phases.yml:21:17: format 'xlsx' makes one sheet per table, "
                                 "but content/deliverables/plan.md has no table"]


def test_format_without_template_and_unknown_format_are_located(minimal: Path) -> None:
    edit(minimal, "project_data/phases.yml", "name: 《项目实施方案》", "name: 《项目实施方案》\n        format: xlsx")
    assert problems(minimal) == ["project_data/phases.yml:20:17: format 'xlsx' is the file a template is offered "
                                 "as; this deliverable has no template"]
    edit(minimal, "project_data/phases.yml", "format: xlsx", "format: pdf")
    found = problems(minimal)
    assert len(found) == 1 and found[0].startswith("project_data/phases.yml:20:17: ") and "'pdf'" in found[0], found


# -- the built site and a bundle ---------------------------------------------------------------

def _links(html: str) -> dict[str, str]:
    """href -> link text of every <a> of a page (text without tags)."""
    return {href: " ".join(re.sub(r"<[^>]+>", "", text).replace("\xa0", " ").split())
            for href, text in re.findall(r'<a [^>]*?href="([^"]+)"[^>]*>(.*?)</a>', html, re.S)}


@pytest.mark.e2e
def test_phase_pages_and_template_pages_link_to_the_files(sample_site: Path) -> None:
    import posixpath

    model = load_project(Project.at(REPO))
    words = {"docx": "下载 Word", "xlsx": "下载 Excel"}
    for phase in model.phases:
        page = f"methodology/{phase.id}/index.html"
        links = _links((sample_site / page).read_text(encoding="utf-8"))
        for d in phase.deliverables:
            target = f"deliverables/{Path(d.template).stem}.{d.format}"
            data = (sample_site / target).read_bytes()
            href = posixpath.relpath(target, posixpath.dirname(page))
            assert links.get(href) == f"{words[d.format]}（{-(-len(data) // 1024)} KB）", (page, href, links)
            own = _links((sample_site / f"deliverables/{Path(d.template).stem}/index.html").read_text(encoding="utf-8"))
            assert own.get(f"../{Path(target).name}") == f"{words[d.format]}（{-(-len(data) // 1024)} KB）"
    book = openpyxl.load_workbook(sample_site / "deliverables/field-mapping.xlsx")
    assert "3. 字段映射" in book.sheetnames and book.properties.creator == model.handbook.vendor
    assert book.properties.version == model.handbook.version


@pytest.mark.e2e
def test_two_builds_write_the_same_files(sample_site: Path, reader_site: Path) -> None:
    built = sorted(p.relative_to(sample_site) for p in (sample_site / "deliverables").glob("*.*x"))
    assert len(built) == 12
    assert all((sample_site / rel).read_bytes() == (reader_site / rel).read_bytes() for rel in built)


@pytest.mark.e2e
def test_a_bundle_ships_the_files_and_its_leak_scan_reads_them(reader_bundle: Path, tmp_path: Path) -> None:
    from conftest import READER_CUSTOMER
    from handbook.deliver.attachments import file_text
    from handbook.deliver.bundle import BundleRun, leak_scan_for

    files = sorted(p.name for p in (reader_bundle / "deliverables").glob("*.*x"))
    assert len(files) == 12 and "permission-matrix.xlsx" in files and "uat-report.docx" in files
    manifest = (reader_bundle / "MANIFEST.sha256").read_text(encoding="utf-8")
    assert all(f"  deliverables/{name}\n" in manifest for name in files)
    assert "3. 用例执行明细" in file_text(reader_bundle / "deliverables/uat-report.docx")
    assert "删除已审批单据" in file_text(reader_bundle / "deliverables/permission-matrix.xlsx")
    # The scan that passed this bundle reads the files: another customer's name in one is found.
    run = BundleRun.load(REPO)
    other = next(c for c in run.model.customers if c.id != READER_CUSTOMER)
    document = docx.Document(reader_bundle / "deliverables/uat-report.docx")
    document.tables[0].rows[1].cells[1].text = other.name
    (tmp_path / "deliverables").mkdir()
    document.save(tmp_path / "deliverables/uat-report.docx")
    found = leak_scan_for(run.project, READER_CUSTOMER, run).scan(tmp_path)
    assert any(line.startswith("deliverables/uat-report.docx: holds ") and other.id in line for line in found), found


def test_render_writes_the_files_the_phase_pages_link(sample_copy: Path, tmp_path: Path) -> None:
    from handbook.cli import main

    assert main(["--project", str(sample_copy), "render", "--out", str(tmp_path / "md")]) == 0
    page = (tmp_path / "md/methodology/deployment.md").read_text(encoding="utf-8")
    assert "](../deliverables/field-mapping.xlsx)" in page
    book = openpyxl.load_workbook(tmp_path / "md/deliverables/field-mapping.xlsx")
    assert "3. 字段映射" in book.sheetnames
    assert len(list((tmp_path / "md/deliverables").iterdir())) == 12


def test_conversions_are_kept_between_builds_and_refreshed_when_anything_changes(tmp_path: Path, monkeypatch) -> None:
    import handbook.documents.deliverables as deliverables
    from handbook.documents import stored

    extensions, configs = site_markdown()
    model = load_project(Project.at(REPO))
    store = stored.DocumentStore(tmp_path)
    monkeypatch.setattr(stored, "_MEMORY", {})
    first = deliverables.deliverable_files(model, extensions, configs, store)
    entries = sorted((tmp_path / ".handbook-cache/documents").iterdir())
    assert len(entries) == 12 and (tmp_path / ".handbook-cache/.gitignore").read_text() == "*\n"
    # Another process (empty memory) reads them back without converting.
    monkeypatch.setattr(stored, "_MEMORY", {})
    monkeypatch.setattr(deliverables, "convert", lambda *a: pytest.fail("converted again"))
    assert deliverables.deliverable_files(model, extensions, configs, store) == first
    # A corrupt entry is converted again; an edited template gets a new entry and its old one goes.
    monkeypatch.undo()
    monkeypatch.setattr(stored, "_MEMORY", {})
    entries[0].write_bytes(entries[0].read_bytes()[:-10])
    assert deliverables.deliverable_files(model, extensions, configs, store) == first
    from dataclasses import replace

    phase = model.phases[0]
    edited = replace(phase.deliverables[0], text="# 改过的模板\n")
    changed = replace(model, phases=(replace(phase, deliverables=(edited, *phase.deliverables[1:])), *model.phases[1:]))
    again = deliverables.deliverable_files(changed, extensions, configs, store)
    assert again[0].content != first[0].content and again[1:] == first[1:]
    assert len(list((tmp_path / ".handbook-cache/documents").iterdir())) == 12


def test_settings_are_described_the_same_in_every_process() -> None:
    from handbook.documents.stored import describe, document_key

    extensions, configs = site_markdown()
    text = describe(configs)
    assert " at 0x" not in text and "pymdownx.slugs._uslugify" in text and "material.extensions.emoji.to_svg" in text
    _, stable = document_key("# x\n", "docx", INFO, extensions, configs)
    _, unstable = document_key("# x\n", "docx", INFO, [object()], {})
    assert stable and not unstable
