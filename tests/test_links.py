"""Gate: no broken internal link in the site readers open from disk, nor in a customer's bundle.

Our own crawler over the built files: every href and src of every HTML page (and the URLs of CSS
files) must name a file of the build, and every #fragment an id on the target page. A link to a
directory counts as broken: from file:// it opens a directory listing, not a page. 404.html is
left out: only a web server shows it (its links are root-absolute for that reason), never a disk.
"""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytestmark = pytest.mark.e2e

_LINKING = {"href", "src", "poster", "data"}
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)""")


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name in ("id", "name") and (name == "id" or tag == "a"):
                self.ids.add(value)
            elif name in _LINKING and not (tag == "link" and dict(attrs).get("rel") in ("canonical", "alternate")):
                self.links.append(value)
            elif name == "srcset":
                self.links.extend(part.strip().split(" ")[0] for part in value.split(",") if part.strip())


def broken_links(site: Path) -> list[str]:
    """Every internal reference of `site` that leads nowhere, as `page: link (why)`."""
    pages: dict[str, _Page] = {}
    for path in sorted(site.rglob("*.html")):
        if path.relative_to(site).as_posix() == "404.html":
            continue
        parser = _Page()
        parser.feed(path.read_text(encoding="utf-8"))
        pages[path.relative_to(site).as_posix()] = parser
    refs = [(rel, link) for rel, parser in pages.items() for link in parser.links]
    for css in sorted(site.rglob("*.css")):
        rel = css.relative_to(site).as_posix()
        refs += [(rel, url) for url in _CSS_URL.findall(css.read_text(encoding="utf-8", errors="replace"))]
    broken = []
    for rel, link in refs:
        parts = urlsplit(link)
        if parts.scheme or parts.netloc or link.startswith("data:"):
            continue  # external or inline; bundles are checked for network references elsewhere
        target = rel if not parts.path else posixpath.normpath(posixpath.join(posixpath.dirname(rel), unquote(parts.path)))
        if target.startswith(".."):
            broken.append(f"{rel}: {link} (leaves the site)")
            continue
        file = site / target
        if parts.path.endswith("/") or file.is_dir():
            broken.append(f"{rel}: {link} (a directory: from file:// it opens a listing)")
            continue
        if not file.is_file():
            broken.append(f"{rel}: {link} (no such file)")
            continue
        fragment = unquote(parts.fragment)
        if fragment and target in pages and fragment not in pages[target].ids:
            broken.append(f"{rel}: {link} (no id '{fragment}' on {target})")
    return broken


def test_the_checker_finds_broken_links(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a/index.html").write_text('<h2 id="x">x</h2><a href="#x">ok</a><a href="#y">bad anchor</a>'
                                           '<a href="../b.html">missing</a><a href="../a/">dir</a>'
                                           '<a href="https://example.com/">external</a><a href="index.html#x">ok</a>'
                                           '<img src="../../up.png">', encoding="utf-8")
    assert broken_links(tmp_path) == [
        "a/index.html: #y (no id 'y' on a/index.html)",
        "a/index.html: ../b.html (no such file)",
        "a/index.html: ../a/ (a directory: from file:// it opens a listing)",
        "a/index.html: ../../up.png (leaves the site)",
    ]


def test_site_has_no_broken_internal_links(reader_site: Path) -> None:
    assert broken_links(reader_site) == []


def test_bundle_has_no_broken_internal_links(reader_bundle: Path) -> None:
    assert broken_links(reader_bundle) == []
