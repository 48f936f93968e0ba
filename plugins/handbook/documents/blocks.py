"""A Markdown document as a flat list of blocks (headings, paragraphs, list items, tables, code)
that the Word and Excel writers map to their own structures.

The Markdown is parsed by Python-Markdown with the site's extensions (what the web page shows is
what the file holds) and its HTML read back into an element tree with lxml; this module only walks
that tree. Web-only parts are dropped: heading permalinks, icons (inline SVG), form controls (a
task list's checkbox becomes ☐ or ☑).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import lxml.html
import markdown

# Enough for what deliverable templates are written with, when no site configuration is given.
DEFAULT_EXTENSIONS = ("tables", "attr_list", "def_list", "admonition", "md_in_html", "pymdownx.tasklist",
                      "pymdownx.superfences", "pymdownx.details")
_SPACE = re.compile(r"[ \t\r\n]+")


@dataclass(frozen=True)
class Run:
    """A piece of inline text with one formatting."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False


Inline = tuple[Run, ...]


def plain(runs: Inline) -> str:
    """The text of `runs` without formatting."""
    return "".join(r.text for r in runs)


@dataclass(frozen=True)
class Heading:
    level: int  # 1..6, as in Markdown
    runs: Inline

    @property
    def text(self) -> str:
        return plain(self.runs).strip()


@dataclass(frozen=True)
class Paragraph:
    runs: Inline
    quoted: bool = False  # inside a blockquote, an admonition or a details block


@dataclass(frozen=True)
class ListItem:
    runs: Inline
    level: int = 0  # 0: top level, 1: nested once, ...
    number: int | None = None  # its number in an ordered list, None in a bulleted one
    checked: bool | None = None  # a task list item's state, None for an ordinary item
    quoted: bool = False


@dataclass(frozen=True)
class Table:
    header: tuple[Inline, ...]
    rows: tuple[tuple[Inline, ...], ...]
    align: tuple[str, ...] = field(default=())  # per column: "", "left", "center", "right"

    @property
    def width(self) -> int:
        return max([len(self.header), *(len(r) for r in self.rows)])


@dataclass(frozen=True)
class Code:
    text: str


Block = Heading | Paragraph | ListItem | Table | Code


def to_html(text: str, extensions: Sequence[object] = DEFAULT_EXTENSIONS,
            configs: Mapping[str, Mapping] | None = None) -> str:
    """`text` as the site renders it (front matter dropped)."""
    from mkdocs.utils.meta import get_data

    body, _ = get_data(text)
    return markdown.Markdown(extensions=list(extensions), extension_configs=dict(configs or {})).convert(body)


def parse(text: str, extensions: Sequence[object] = DEFAULT_EXTENSIONS,
          configs: Mapping[str, Mapping] | None = None) -> list[Block]:
    """The blocks of the Markdown `text`, in document order."""
    html = to_html(text, extensions, configs)
    if not html.strip():
        return []
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return list(_blocks(root, quoted=False))


def _blocks(parent, quoted: bool) -> Iterable[Block]:
    loose = _inline_text(parent, children=False)
    if loose and any(r.text.strip() for r in loose):
        yield Paragraph(loose, quoted)
    for el in parent:
        tag = el.tag if isinstance(el.tag, str) else ""
        if re.fullmatch(r"h[1-6]", tag):
            yield Heading(int(tag[1]), _inline(el))
        elif tag == "p":
            runs = _inline(el)
            if "admonition-title" in el.get("class", ""):
                runs = tuple(Run(r.text, True, r.italic, r.code) for r in runs)
            if plain(runs).strip():
                yield Paragraph(runs, quoted)
        elif tag in ("ul", "ol"):
            yield from _list(el, 0, quoted)
        elif tag == "table":
            yield _table(el)
        elif tag == "pre":
            yield Code(el.text_content().rstrip("\n"))
        elif tag in ("blockquote", "details") or (tag == "div" and "admonition" in el.get("class", "")):
            yield from _blocks(el, quoted=True)
        elif tag == "summary":
            yield Paragraph(tuple(Run(r.text, True, r.italic, r.code) for r in _inline(el)), quoted)
        elif tag == "dl":
            for item in el:
                if item.tag == "dt":
                    yield Paragraph(tuple(Run(r.text, True, r.italic, r.code) for r in _inline(item)), quoted)
                elif item.tag == "dd":
                    yield from _blocks(item, quoted=True)
        elif tag in ("div", "section", "article", "figure"):
            yield from _blocks(el, quoted)
        elif tag in ("hr", "script", "style", "svg") or _dropped(el):
            continue
        else:  # inline HTML written at block level
            runs = _inline(el)
            if plain(runs).strip():
                yield Paragraph(runs, quoted)
        if el.tail and el.tail.strip() and tag not in ("li",):
            yield Paragraph((Run(_SPACE.sub(" ", el.tail).strip()),), quoted)


def _list(el, level: int, quoted: bool) -> Iterable[ListItem]:
    ordered = el.tag == "ol"
    number = int(el.get("start", "1")) if ordered and el.get("start", "1").isdigit() else 1
    for li in el:
        if li.tag != "li":
            continue
        box = li.xpath(".//input[@type='checkbox']")
        checked = (box[0].get("checked") is not None) if box else None
        runs: list[Run] = list(_inline_text(li, children=False))
        nested = []
        for child in li:
            if child.tag in ("ul", "ol"):
                nested.append(child)
            elif child.tag == "p":
                if runs and plain(tuple(runs)).strip():
                    runs.append(Run(" "))
                runs += _inline(child)
            else:
                runs += _inline_element(child, Run(""))
            if child.tail and child.tag in ("ul", "ol", "p"):
                runs.append(Run(_SPACE.sub(" ", child.tail)))
        yield ListItem(_tidy(runs), level, number if ordered else None, checked, quoted)
        for sub in nested:
            yield from _list(sub, level + 1, quoted)
        number += 1


def _table(el) -> Table:
    header: list[Inline] = []
    rows: list[tuple[Inline, ...]] = []
    align: list[str] = []
    for tr in el.iter("tr"):
        cells = [c for c in tr if c.tag in ("th", "td")]
        if all(c.tag == "th" for c in cells) and not header and not rows:
            header = [_inline(c) for c in cells]
            align = [_align(c) for c in cells]
        else:
            rows.append(tuple(_inline(c) for c in cells))
    return Table(tuple(header), tuple(rows), tuple(align))


def _align(cell) -> str:
    style = cell.get("style", "")
    match = re.search(r"text-align:\s*(left|center|right)", style)
    return match.group(1) if match else cell.get("align", "")


def _dropped(el) -> bool:
    """Web-only elements: heading permalinks, icons, form controls."""
    classes = el.get("class", "").split()
    return el.tag in ("input", "svg", "script", "style", "button") or "headerlink" in classes \
        or "twemoji" in classes or "task-list-indicator" in classes


def _inline(el) -> Inline:
    return _tidy(list(_inline_text(el, children=True)))


def _inline_text(el, children: bool, style: Run = Run("")) -> Inline:
    """The text of `el` with the formatting of its inline children; without `children`, only the
    text before its first child element."""
    runs = [Run(_SPACE.sub(" ", el.text) if not style.code else el.text, style.bold, style.italic, style.code)] \
        if el.text else []
    if children:
        for child in el:
            runs += _inline_element(child, style)
    return tuple(runs)


def _inline_element(child, style: Run) -> list[Run]:
    runs: list[Run] = []
    if isinstance(child.tag, str) and not _dropped(child):
        if child.tag == "br":
            runs.append(Run("\n", style.bold, style.italic, style.code))
        elif child.tag == "input":
            pass
        else:
            inner = Run("", style.bold or child.tag in ("strong", "b", "th"), style.italic or child.tag in ("em", "i"),
                        style.code or child.tag in ("code", "kbd", "samp"))
            if child.tag not in ("ul", "ol", "table"):
                runs += _inline_text(child, True, inner)
    if child.tail:
        runs.append(Run(_SPACE.sub(" ", child.tail), style.bold, style.italic, style.code))
    return runs


def _tidy(runs: list[Run]) -> Inline:
    """Adjacent runs of one formatting merged, outer spaces trimmed, empty runs dropped."""
    merged: list[Run] = []
    for run in runs:
        if not run.text:
            continue
        if not run.code:
            run = Run(re.sub(" {2,}", " ", run.text), run.bold, run.italic, run.code)
        if merged and (merged[-1].bold, merged[-1].italic, merged[-1].code) == (run.bold, run.italic, run.code):
            text = merged[-1].text + run.text
            merged[-1] = Run(text if run.code else re.sub(" {2,}", " ", text), run.bold, run.italic, run.code)
        else:
            merged.append(run)
    if merged:
        merged[0] = Run(merged[0].text.lstrip(" "), merged[0].bold, merged[0].italic, merged[0].code)
        merged[-1] = Run(merged[-1].text.rstrip(" "), merged[-1].bold, merged[-1].italic, merged[-1].code)
    return tuple(r for r in merged if r.text)
