"""Compare two built sites by what a reader sees: the set of pages and each page's main text.

    python tests/site_text.py SITE_A SITE_B     # exit 0 when the same, 1 on differences, 2 on bad usage

For every `*.html` file the main content is taken (Material's `<article>`, else the element with
the `md-content` class, else `<body>`), without scripts, styles and templates, one line per block
element, whitespace collapsed; with it the page `<title>`, its meta description and the link
targets inside the main content (query strings dropped: they carry asset hashes). The search
index is compared by its settings only (language, separator, pipeline, fields), as the entry
`search/search_index.json`: they decide what a search finds. Everything else is left out on
purpose: generator meta, build dates in headers, hashed asset URLs, the indexed text (the pages
already hold it), the sitemap. Two builds of the same sources with MkDocs and ProperDocs, or
before and after a refactoring, must compare equal.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

# Elements whose start and end break the text into lines (what a browser lays out as blocks; in
# SVG charts, each label and tooltip).
BLOCKS = frozenset("""
    address article aside blockquote br caption dd details dialog div dl dt fieldset figcaption figure
    footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody tfoot
    thead tr ul  desc text title
""".split())
CELLS = frozenset({"td", "th"})
SKIPPED = frozenset({"script", "style", "template", "noscript"})
VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class PageText:
    """What a reader sees of one page: its title, its main text as lines, the links in it."""

    title: str
    lines: tuple[str, ...]
    links: frozenset[str] = field(default_factory=frozenset)
    description: str = ""

    def as_lines(self) -> list[str]:
        """The page as comparable lines: title, description, text, then the sorted link targets."""
        return [f"title: {self.title}", f"description: {self.description}", *self.lines,
                *(f"link: {href}" for href in sorted(self.links))]


class _Tokens(HTMLParser):
    """The document as a flat list of (kind, tag, attrs or text) events."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[str, str, object]] = []

    def handle_starttag(self, tag, attrs):
        self.events.append(("start", tag, dict(attrs)))
        if tag in VOID:
            self.events.append(("end", tag, None))

    def handle_startendtag(self, tag, attrs):
        self.events.append(("start", tag, dict(attrs)))
        self.events.append(("end", tag, None))

    def handle_endtag(self, tag):
        if tag not in VOID:  # `<br></br>` and friends: the start already closed it
            self.events.append(("end", tag, None))

    def handle_data(self, data):
        self.events.append(("data", "", data))


def _main_start(events: list[tuple[str, str, object]]) -> int | None:
    """Index of the start event of the main content element, or None (then the whole document)."""
    tests = (
        lambda tag, attrs: tag == "article",
        lambda tag, attrs: "md-content" in (attrs.get("class") or "").split(),
        lambda tag, attrs: tag == "body",
    )
    for test in tests:
        for i, (kind, tag, attrs) in enumerate(events):
            if kind == "start" and test(tag, attrs):
                return i
    return None


def _description(events: list[tuple[str, str, object]]) -> str:
    for kind, tag, attrs in events:
        if kind == "start" and tag == "meta" and attrs.get("name") == "description":
            return _SPACE.sub(" ", attrs.get("content") or "").strip()
    return ""


def _title(events: list[tuple[str, str, object]]) -> str:
    inside, parts = False, []
    for kind, tag, value in events:
        if tag == "title":
            inside = kind == "start"
            if not inside:
                break
        elif inside and kind == "data":
            parts.append(value)
    return _SPACE.sub(" ", "".join(parts)).strip()


def page_text(document: str) -> PageText:
    """The title, main text lines and link targets of one HTML document."""
    events = _Tokens()
    events.feed(document)
    events.close()
    tokens = events.events
    start = _main_start(tokens)
    root = tokens[start][1] if start is not None else None
    lines: list[str] = []
    links: set[str] = set()
    current: list[str] = []
    depth = skip = 0

    def flush() -> None:
        text = _SPACE.sub(" ", "".join(current)).strip()
        if text:
            lines.append(text)
        current.clear()

    for kind, tag, value in tokens[start or 0:]:
        if kind == "start":
            if tag == root:
                depth += 1
            if tag in SKIPPED:
                skip += 1
            elif tag in BLOCKS:
                flush()
            elif tag in CELLS and "".join(current).strip():
                current.append(" | ")
            if tag == "a" and not skip and value.get("href") is not None:
                links.add(value["href"].partition("?")[0] or value["href"])
        elif kind == "end":
            if tag in SKIPPED:
                skip = max(0, skip - 1)
            elif tag in BLOCKS:
                flush()
            if tag == root:
                depth -= 1
                if depth == 0:
                    break
        elif not skip:
            current.append(value)
    flush()
    return PageText(_title(tokens), tuple(lines), frozenset(links), _description(tokens))


SEARCH_INDEX = "search/search_index.json"


def search_settings(index: str) -> PageText:
    """The settings of a Material/MkDocs search index (not its documents), one line per key."""
    config = json.loads(index).get("config", {})
    return PageText("search settings", tuple(f"{key}: {json.dumps(config[key], sort_keys=True, ensure_ascii=False)}"
                                             for key in sorted(config)))


def read_site(root: Path) -> dict[str, PageText]:
    """Every HTML page under `root`, keyed by its path relative to `root` (with `/`), and the
    search index's settings under `search/search_index.json` when the site has one."""
    root = Path(root)
    pages = {
        path.relative_to(root).as_posix(): page_text(path.read_text(encoding="utf-8", errors="replace"))
        for path in sorted(root.rglob("*.html"))
        if path.is_file()
    }
    if (root / SEARCH_INDEX).is_file():
        pages[SEARCH_INDEX] = search_settings((root / SEARCH_INDEX).read_text(encoding="utf-8"))
    return pages


@dataclass
class Comparison:
    """How site B differs from site A; empty when they show the same pages with the same text."""

    missing: list[str]  # pages in A only
    extra: list[str]  # pages in B only
    differing: dict[str, list[str]]  # page -> first differing lines, as a unified diff without context
    same: int

    def __bool__(self) -> bool:
        return bool(self.missing or self.extra or self.differing)

    def report(self, a: str = "A", b: str = "B") -> str:
        """A readable account of the differences (or of the sameness)."""
        out = [f"{self.same} identical, {len(self.differing)} differing, "
               f"{len(self.missing)} only in {a}, {len(self.extra)} only in {b}"]
        out += [f"only in {a}: {page}" for page in self.missing]
        out += [f"only in {b}: {page}" for page in self.extra]
        for page, lines in self.differing.items():
            out.append(f"differs: {page}")
            out += [f"    {line}" for line in lines]
        return "\n".join(out)


def compare(a: dict[str, PageText], b: dict[str, PageText], max_lines: int = 8) -> Comparison:
    """Compare two sites read by `read_site`; keep up to `max_lines` differing lines per page."""
    differing = {}
    for page in sorted(a.keys() & b.keys()):
        if a[page] == b[page]:
            continue
        diff = [line for line in difflib.unified_diff(a[page].as_lines(), b[page].as_lines(), lineterm="", n=0)
                if not line.startswith(("---", "+++", "@@"))]
        differing[page] = diff[:max_lines] + ([f"... {len(diff) - max_lines} more"] if len(diff) > max_lines else [])
    return Comparison(sorted(a.keys() - b.keys()), sorted(b.keys() - a.keys()), differing,
                      sum(1 for page in a.keys() & b.keys() if a[page] == b[page]))


def compare_sites(site_a: Path, site_b: Path, max_lines: int = 8) -> Comparison:
    """Read both built sites and compare them."""
    return compare(read_site(site_a), read_site(site_b), max_lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: print the comparison; 0 when the same, 1 on differences, 2 on bad usage."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site_a", type=Path)
    parser.add_argument("site_b", type=Path)
    parser.add_argument("--max-lines", type=int, default=8, help="differing lines shown per page (default 8)")
    args = parser.parse_args(argv)
    for site in (args.site_a, args.site_b):
        if not site.is_dir():
            parser.error(f"{site}: not a directory")
    a, b = read_site(args.site_a), read_site(args.site_b)
    for site, pages in ((args.site_a, a), (args.site_b, b)):
        if not any(page.endswith(".html") for page in pages):
            parser.error(f"{site}: holds no HTML page")
    result = compare(a, b, args.max_lines)
    print(result.report(str(args.site_a), str(args.site_b)))
    return 1 if result else 0


if __name__ == "__main__":
    sys.exit(main())
