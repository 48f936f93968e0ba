"""Render page templates from `site_templates/pages` with data made inert.

Data never becomes a template: values are passed to Jinja2 as variables with autoescaping on, so
`{{ 7*7 }}` in a customer name stays literal. Two escapes exist because generated pages mix
Markdown and HTML: autoescape for HTML contexts (tables, badges), `|md` for Markdown inline
contexts (headings, list items), which also backslash-escapes Markdown punctuation so that a
task titled `*x*` or `[a](javascript:..)` shows as typed. Markdown-bearing fields (FAQ answers,
notes) are rendered here and sanitized with nh3's allowlist before they reach a page.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import string
import threading
from functools import cache
from pathlib import Path

import jinja2

from ..compiled_templates import COMPILED
from ..templates import defaults_dir, search_path
import markdown as md_lib
import nh3
from markupsafe import Markup

_MD_PUNCTUATION = set(string.punctuation) - set("<>&\"'")
_FIELD_EXTENSIONS = ["tables", "admonition", "sane_lists", "pymdownx.tasklist", "pymdownx.superfences"]
_ALLOWED_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "th": {"align"}, "td": {"align"}, "span": {"role", "aria-checked"},
}
# Only the classes the field extensions produce: a class is behaviour too (Material fetches
# Mermaid from a CDN for any `pre.mermaid`), so data may not choose its own.
_ADMONITIONS = {"admonition", "note", "abstract", "info", "tip", "success", "question", "warning", "failure",
                "danger", "bug", "example", "quote"}
_ALLOWED_CLASSES = {
    "div": _ADMONITIONS | {"highlight"}, "p": {"admonition-title"}, "ul": {"task-list"},
    "li": {"task-list-item"}, "span": {"hb-task"},
}
# No images from data: they would be fetched from wherever the URL points, also in offline bundles.
# No form controls either (a live password field on a handbook page is a phishing form): a task
# list item from data shows its state as a mark, not as an <input>.
_FORM_TAGS = {"input", "button", "select", "option", "optgroup", "textarea", "form", "label", "fieldset",
              "legend", "datalist", "output", "meter", "progress"}
_ALLOWED_TAGS = set(nh3.ALLOWED_TAGS) - {"img"} - _FORM_TAGS
# Text of elements whose content is not shown as text anyway (a <select>'s options would run together).
_DROPPED_CONTENT = {"script", "style", "select", "textarea", "button", "datalist"}
# One table for md_inline (a quarter of a million calls in a 400-customer build): str.translate
# instead of a loop over characters.
_INLINE_ESCAPES = {ord(ch): html.escape(ch, quote=True) for ch in "<>&\"'"} | {ord(ch): "\\" + ch for ch in _MD_PUNCTUATION}
_TASK_BOX = re.compile(r'<input type="checkbox" disabled( checked)?/>')
# A fence opener at the start of a line would be picked up again by SuperFences on the whole page.
_FENCE_START = re.compile(r"(?m)^(\s*)([`~]{3,})")


def md_inline(value: object) -> Markup:
    """Escape text for a Markdown inline context: HTML-escaped and Markdown punctuation neutralised."""
    return Markup(" ".join(("" if value is None else str(value)).split()).translate(_INLINE_ESCAPES))


def markdown_field(text: str | None) -> Markup:
    """Render a Markdown field from data to HTML, sanitized with an allowlist (no scripts, no handlers)."""
    if not text:
        return Markup("")
    rendered = _field_converter().reset().convert(text)
    rendered = _TASK_BOX.sub(_task_mark, rendered)
    clean = nh3.clean(rendered, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES, allowed_classes=_ALLOWED_CLASSES,
                      clean_content_tags=_DROPPED_CONTENT,
                      url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer")
    clean = _FENCE_START.sub(lambda m: m.group(1) + "".join(f"&#{ord(c)};" for c in m.group(2)), clean)
    # A blank line inside would end Markdown's raw-HTML block and let the rest be parsed again.
    return Markup('<div class="hb-md">' + clean.replace("\n\n", "\n") + "</div>")


_converters = threading.local()


def _field_converter() -> md_lib.Markdown:
    """This thread's Markdown converter for data fields: setting one up (loading its extensions)
    costs more than converting a field, and a build converts thousands; `reset()` before each use."""
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = md_lib.Markdown(extensions=_FIELD_EXTENSIONS, output_format="html")
    return converter


def _task_mark(match: re.Match) -> str:
    checked = bool(match.group(1))
    return (f'<span class="hb-task" role="checkbox" aria-checked="{"true" if checked else "false"}">'
            f'{"☑" if checked else "☐"}</span>')


def format_date(value: dt.date | None, empty: str = "—") -> str:
    """Dates are shown in ISO form everywhere (2026-03-01)."""
    return value.isoformat() if value else empty


def attr(value: object) -> str:
    """Text for an attribute value (already quoted by the template)."""
    return html.escape("" if value is None else str(value), quote=True)


EDIT_MARKER = "<!-- handbook-edit {} -->"


def edit_marker(location: object) -> Markup:
    """A marker after a section whose text comes from another file; the site turns it into an edit
    link to that file (internal site) or drops it (bundles, no repository). Nothing when no file."""
    if not location:
        return Markup("")
    return Markup("\n" + EDIT_MARKER.format(html.escape(str(location), quote=True)) + "\n")


def css_string(value: object) -> Markup:
    """Text as a quoted CSS string: every character outside letters, digits, CJK and spaces is
    written as a hex escape, so data can end neither the string nor a <style> element."""
    out = []
    for ch in "" if value is None else " ".join(str(value).split()):
        if ch.isalnum() or ch == " ":
            out.append(ch)
        else:
            out.append(f"\\{ord(ch):06x}")
    return Markup('"' + "".join(out) + '"')


@cache
def environment(templates_dir: Path) -> jinja2.Environment:
    """The Jinja2 environment for page templates: `templates_dir/pages` over the package's defaults."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(folder) for folder in search_path(templates_dir, "pages")]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=COMPILED,
    )
    env.filters.update(md=md_inline, markdown=markdown_field, date=format_date, edit_marker=edit_marker)
    return env


def title(templates_dir: Path, key: str) -> str:
    """The title of a generated page, from `TITLE` in _labels.j2: the one place the words live."""
    return label(templates_dir, "TITLE")[key]


def label(templates_dir: Path, name: str):
    """A value set in _labels.j2 (words, or a pattern with `{fields}` for `str.format_map`).

    A project's own _labels.j2 may be a copy from an older version: what it lacks comes from the
    shipped one (a mapping such as `TITLE` key by key), so upgrading the package never breaks it.
    """
    shipped = getattr(environment(defaults_dir()).get_template("_labels.j2").module, name)
    own = getattr(environment(templates_dir).get_template("_labels.j2").module, name, None)
    if own is None:
        return shipped
    if isinstance(own, dict) and isinstance(shipped, dict):
        return {**shipped, **own}
    return own


def render(templates_dir: Path, name: str, **context: object) -> str:
    """Render the page template `name` with `context`."""
    return environment(templates_dir).get_template(name).render(**context)
