r"""The offline check: would a browser showing a bundle from file:// reach the network by itself?

Decided the way the browser decides, not from a list of known tags: every URL-bearing attribute
of every element (src, srcset, poster, background, data, action, formaction, manifest, ping,
href on anything but a plain link, ...), `<meta http-equiv=refresh>`, `<base>`, CSS `url()`,
`image-set()` and `@import` in `<style>`, in style attributes and in .css/.svg files; and a URL
is remote when the browser's URL parser would make it so: `//host`, `\\host`, `/\host`,
`http:host`, `http:/\host`, tabs and newlines inside the scheme, any case.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

# Attributes whose URL the browser fetches without a click (or on submit/click for forms and pings).
_URL_ATTRIBUTES = {"src", "srcset", "imagesrcset", "poster", "background", "data", "action", "formaction",
                   "manifest", "ping", "codebase", "archive", "classid", "lowsrc", "dynsrc", "icon", "longdesc",
                   "profile", "itemtype", "xlink:href", "href"}
_NAVIGATION_ONLY = {"a", "area"}  # their href is followed on a click only, like any link to a web page
_LINK_ONLY = {"canonical", "alternate", "author", "license", "help", "next", "prev", "bookmark", "external",
              "nofollow", "noopener", "noreferrer", "me", "tag"}
_SAFE_SCHEMES = {"data", "blob", "about", "mailto", "tel", "javascript", "file"}
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
_CSS_URL = re.compile(r"""(?:url|image-set|image|src)\(\s*(['"]?)(.*?)\1\s*[),]|@import\s+(['"])(.*?)\3""",
                      re.I | re.S)
_CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6})\s?|\\(.)")
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_REFRESH = re.compile(r"url\s*=\s*['\"]?([^'\"]+)", re.I)


def is_remote(url: str) -> bool:
    """True when a browser would resolve `url` (relative to a file:// page) to the network."""
    # The URL parser strips leading/trailing C0 controls and spaces and removes tabs and newlines.
    url = re.sub(r"[\t\n\r]", "", url).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
                                             "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
    if url[:2].replace("\\", "/") == "//":
        return True  # scheme-relative: another host
    match = _SCHEME.match(url)
    return bool(match) and match.group(1).lower() not in _SAFE_SCHEMES


def css_urls(css: str) -> list[str]:
    """Every URL a style sheet (or style attribute) asks for."""
    css = _CSS_COMMENT.sub("", css)
    css = _CSS_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2), css)
    found = []
    for match in _CSS_URL.finditer(css):
        found.append(match.group(2) if match.group(2) is not None else match.group(4))
        # image-set("a.png" 1x, "https://x/b.png" 2x): every quoted string inside counts too.
        found += re.findall(r"""['"]([^'"]+)['"]""", match.group(0))
    return list(dict.fromkeys(u for u in found if u))


class _Fetches(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._style = False
        self._css: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "mermaid" in values.get("class", "").split():
            self.urls.append("https://unpkg.com/mermaid (Material loads Mermaid for a .mermaid element)")
        for name, value in attrs:
            if value is None:
                continue
            if name in ("srcset", "imagesrcset"):
                self.urls += [part.strip().split(" ")[0] for part in value.split(",") if part.strip()]
            elif name in ("href", "xlink:href", "ping") and tag in _NAVIGATION_ONLY:
                if name == "ping":
                    self.urls += value.split()
            elif tag == "link" and name == "href" and not set(values.get("rel", "").lower().split()) - _LINK_ONLY:
                continue  # rel=canonical, alternate, ...: metadata, never fetched by the page
            elif name == "style":
                self.urls += css_urls(value)
            elif name == "srcdoc":
                inner = _Fetches()
                inner.feed(value)
                self.urls += inner.urls
            elif name in _URL_ATTRIBUTES:
                self.urls.append(value)
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.urls += _REFRESH.findall(values.get("content", ""))
        if tag == "style":
            self._style = True

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._style = False

    def handle_data(self, data: str) -> None:
        if self._style:
            self.urls += css_urls(data)


def fetched_urls(text: str, suffix: str) -> list[str]:
    """Every URL a browser would fetch for a file of type `suffix` (.html, .svg, .css) holding `text`."""
    if suffix == ".css":
        return css_urls(text)
    parser = _Fetches()
    parser.feed(text)
    parser.close()
    return parser.urls


def external_references(site: Path) -> list[str]:
    """Every reference in the built tree that would make a browser reach the network."""
    found: list[str] = []
    for path in sorted(site.rglob("*")):
        if path.suffix.lower() not in (".html", ".htm", ".svg", ".css") or not path.is_file():
            continue
        rel = path.relative_to(site).as_posix()
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{rel}: fetches {url}" for url in fetched_urls(text, path.suffix.lower()) if is_remote(url)]
    return found
