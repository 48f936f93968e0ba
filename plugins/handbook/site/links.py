"""Internal links of a rendered page: where they lead, and which lead nowhere.

MkDocs reports a link to a page it excluded from the build (a top-level `templates/` folder, a
dot-file, `exclude_docs`) at INFO level whatever `validation` says, so such a link would ship as a
404. The plugin turns it into a warning, which fails `handbook build` and `strict: true`.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable

_HREF = re.compile(r'href="([^"#?]*)')
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:|//")


def internal_targets(html_text: str, page_url: str) -> Iterable[tuple[str, str]]:
    """(href, site-relative target) of every relative link in `html_text` of the page at `page_url`."""
    here = page_url.rstrip("/") if page_url.endswith("/") or not page_url else posixpath.dirname(page_url)
    for href in _HREF.findall(html_text):
        if not href or _SCHEME.match(href):
            continue
        yield href, posixpath.normpath(posixpath.join(here, href)).lstrip("/")


def links_to_excluded(html_text: str, page_url: str, excluded: dict[str, str]) -> list[str]:
    """Source paths of excluded files (keyed by their would-be URL in `excluded`) the page links to."""
    found = []
    for _, target in internal_targets(html_text, page_url):
        for key in (target, target + "/", target.removesuffix("index.html")):
            if key in excluded:
                found.append(excluded[key])
                break
    return found
