"""What `handbook serve` keeps from one rebuild to the next: each page's Markdown rendering and its
search entries, reused only when everything they are computed from is the same.

Every save still rebuilds the whole preview: MkDocs reads the configuration again and runs every
event, our pages are generated from the new model, every page is laid out with the current nav and
the search index is written whole. Of a one-customer rebuild (55 pages at 100 customers), turning
each page's Markdown into HTML and cutting its text into search entries (jieba) took about 1 s of
1.7 s, while a data edit changes the Markdown of two pages. Both are pure functions of their
inputs, and the inputs are the keys:

- rendering: the page's final Markdown (after every plugin's `on_page_markdown`), its source path,
  output path and URL, every file of the build with its URL and inclusion (links are resolved and
  checked against them) and the Markdown configuration. Only when every Markdown extension is one
  known to depend on nothing but the text (a `snippets`-style extension reads other files; an
  extension object could hold anything): otherwise pages render as usual. Warnings a rendering
  logged (a broken link) are logged again when it is reused, so `strict` counts them every time.
- search entries: the page's HTML, URL, table of contents, title and the metadata the index reads,
  the search plugin's configuration and the contents of its jieba dictionaries.

Entries are kept for three builds: one not used by the last three is gone.
"""

from __future__ import annotations

import copy
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

from .build import RecordsKept

# Extensions whose output is a function of the Markdown text and their configuration alone.
PURE_EXTENSIONS = frozenset({
    "abbr", "admonition", "attr_list", "def_list", "fenced_code", "footnotes", "md_in_html",
    "meta", "nl2br", "sane_lists", "smarty", "tables", "toc", "wikilinks",
    "markdown.extensions.abbr", "markdown.extensions.admonition", "markdown.extensions.attr_list",
    "markdown.extensions.def_list", "markdown.extensions.fenced_code", "markdown.extensions.footnotes",
    "markdown.extensions.md_in_html", "markdown.extensions.tables", "markdown.extensions.toc",
    "pymdownx.betterem", "pymdownx.caret", "pymdownx.details", "pymdownx.emoji", "pymdownx.escapeall",
    "pymdownx.highlight", "pymdownx.inlinehilite", "pymdownx.keys", "pymdownx.mark",
    "pymdownx.smartsymbols", "pymdownx.superfences", "pymdownx.tabbed", "pymdownx.tasklist",
    "pymdownx.tilde",
})
PAGES_LOG = logging.getLogger("mkdocs.structure.pages")  # where rendering reports links it cannot resolve


@dataclass(frozen=True)
class _Rendered:
    content: str
    toc: Any
    title: str | None
    anchors: frozenset[str]
    links_to_anchors: dict[str, dict[str, str]] | None  # by the linked file's src_uri
    records: tuple[logging.LogRecord, ...]


class _Generations:
    """Entries used by the last few builds, newest first; a build takes over what it uses.

    Three builds, so that fixing a data error (one build of error pages in between) finds the
    pages of the last good build again.
    """

    KEPT = 3

    def __init__(self) -> None:
        self.builds: list[dict[tuple, Any]] = [{}]

    def next_build(self) -> None:
        if self.builds[0]:  # a build that failed before using anything does not count
            self.builds = [{}, *self.builds[: self.KEPT - 1]]

    def take(self, key: tuple) -> Any:
        for build in self.builds:
            if key in build:
                value = self.builds[0][key] = build.pop(key)
                return value
        return None

    def put(self, key: tuple, value: Any) -> None:
        self.builds[0][key] = value


class Rebuilds:
    """Renderings and search entries of the last build, for the next one (`handbook serve` only)."""

    def __init__(self) -> None:
        self._renders = _Generations()
        self._entries = _Generations()
        self._markdown_key: str | None = None
        self._files: Files | None = None
        self._files_key: tuple[int, str] = (0, "")
        self.reused = self.computed = 0  # pages of the last build, for the curious and the tests

    def start(self, config: MkDocsConfig) -> None:
        """A build begins, its configuration complete (every plugin's `on_config` ran)."""
        self._renders.next_build()
        self._entries.next_build()
        self.reused = self.computed = 0
        extensions = config.markdown_extensions
        pure = all(isinstance(name, str) and name in PURE_EXTENSIONS for name in extensions)
        self._markdown_key = repr((extensions, config.mdx_configs, config.validation,
                                   config.use_directory_urls)) if pure else None
        self._remember_search(config)

    def remember_rendering(self, page: Page) -> None:
        """Make `page.render` reuse the previous build's HTML of the same Markdown in the same place."""
        original = page.render

        def render(config: MkDocsConfig, files: Files) -> None:
            self._render(page, lambda: original(config, files), files)

        page.render = render  # type: ignore[method-assign]  # this page object, this build only

    def _render(self, page: Page, original: Callable[[], None], files: Files) -> None:
        if self._markdown_key is None or page.markdown is None:
            original()  # an extension that may read more than the text: nothing is kept
            return
        key = (self._markdown_key, self._key_of(files), page.file.src_uri, page.file.dest_uri,
               page.file.url, page.markdown)
        kept: _Rendered | None = self._renders.take(key)
        if kept is None:
            recording = RecordsKept(logging.NOTSET)
            PAGES_LOG.addHandler(recording)
            try:
                original()
            finally:
                PAGES_LOG.removeHandler(recording)
            links = page.links_to_anchors
            self._renders.put(key, _Rendered(
                page.content, copy.deepcopy(page.toc), page._title_from_render,
                frozenset(page.present_anchor_ids or ()),
                None if links is None else {f.src_uri: dict(v) for f, v in links.items()},
                tuple(recording.records)))
            self.computed += 1
            return
        for record in kept.records:
            logging.getLogger(record.name).handle(record)
        page.content = kept.content
        page.toc = copy.deepcopy(kept.toc)
        page._title_from_render = kept.title
        page.present_anchor_ids = set(kept.anchors)
        if kept.links_to_anchors is not None:
            page.links_to_anchors = {files.get_file_from_path(src): dict(v) for src, v in kept.links_to_anchors.items()}
        self.reused += 1

    def _key_of(self, files: Files) -> str:
        """Every file of the build with where it goes and whether it is in: what links resolve against."""
        if files is not self._files or self._files_key[0] != len(files):
            listing = sorted((f.src_uri, f.dest_uri, f.url, f.inclusion.name) for f in files)
            self._files = files
            self._files_key = (len(files), hashlib.sha256(repr(listing).encode()).hexdigest())
        return self._files_key[1]

    def _remember_search(self, config: MkDocsConfig) -> None:
        """Make Material's search index reuse a page's entries when nothing they come from changed."""
        search = config.plugins.get("material/search")
        index = getattr(search, "search_index", None)
        if index is None or not isinstance(getattr(index, "entries", None), list):
            return
        dictionaries = tuple(_digest(search.config.get(name)) for name in ("jieba_dict", "jieba_dict_user"))
        settings = repr((sorted(search.config.items()), dictionaries))
        original = index.add_entry_from_context

        def add_entry_from_context(page: Page) -> None:
            meta = page.meta
            key = (settings, page.url, page.content, _toc_key(page.toc), page.title,
                   repr(meta.get("title")), repr(meta.get("tags")), repr(meta.get("search")))
            kept = self._entries.take(key)
            if kept is None:
                before = len(index.entries)
                original(page)
                self._entries.put(key, _copies(index.entries[before:]))
                return
            index.entries.extend(_copies(kept))

        index.add_entry_from_context = add_entry_from_context  # this build's index only


def _copies(entries: list[dict]) -> list[dict]:
    """Search entries (text fields and a list of tags) that the index may change freely."""
    return [{k: list(v) if isinstance(v, list) else v for k, v in entry.items()} for entry in entries]


def _toc_key(toc) -> tuple:
    return tuple((item.id, item.url, item.title, _toc_key(item.children)) for item in toc)


def _digest(path: str | None) -> str | None:
    """The contents of a dictionary file (jieba keeps words it loaded; a changed file changes entries)."""
    if not path or not Path(path).is_file():
        return None
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
