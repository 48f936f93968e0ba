"""Who a hand-written page of `content/` is for: its front matter `audience` and `customer`.

    ---
    audience: internal          # internal | customer | all (default: all)
    customer: huajian-group     # with audience: customer (or alone): that customer's page only
    ---

`all` pages go into the internal site and every customer's bundle; `internal` pages only into
the internal site; a `customer` page into the internal site and that customer's bundle. The same
word and values as the `audience` of data records. A bundle is built from the files filtered
here, never by hiding pages; the leak scan then checks every `all` page for other customers' text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import Location, ProblemLog

AUDIENCES = ("internal", "customer", "all")
_KEY = re.compile(r"(?m)^(audience|customer)[ \t]*:[ \t]*(.*?)[ \t]*$")


@dataclass(frozen=True)
class PageAudience:
    """Who one hand-written page is for, and where its front matter says so."""

    audience: str = "all"
    customer: str | None = None
    where: dict[str, Location] | None = None

    def in_bundle_of(self, customer_id: str) -> bool:
        """True when the page belongs in `customer_id`'s bundle."""
        if self.audience == "internal":
            return False
        return self.customer is None or self.customer == customer_id


def _front_matter(text: str) -> tuple[str, int] | None:
    """The front-matter block of a page and the line it starts on, or None."""
    if not text.startswith("---"):
        return None
    end = re.search(r"(?m)^(---|\.\.\.)[ \t]*$", text[3:])
    if end is None:
        return None
    return text[3:3 + end.start()], 1


def read_audience(path: Path, rel: str) -> PageAudience:
    """The audience declared by the page at `path` (`rel`: its path for messages)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return PageAudience()
    block = _front_matter(text)
    if block is None:
        return PageAudience()
    values: dict[str, str] = {}
    where: dict[str, Location] = {}
    for match in _KEY.finditer(block[0]):
        line = block[0].count("\n", 0, match.start()) + 1  # the block starts with the newline of '---'
        values[match.group(1)] = match.group(2).strip("'\"")
        where[match.group(1)] = Location(rel, line, match.start(2) - match.start() + 1)
    customer = values.get("customer") or None
    audience = values.get("audience") or ("customer" if customer else "all")
    return PageAudience(audience, customer, where)


def content_audiences(content_dir: Path, root: Path) -> dict[str, PageAudience]:
    """Every Markdown page under `content_dir` that declares an audience, by path relative to it."""
    found = {}
    if not content_dir.is_dir():
        return found
    for path in sorted(content_dir.rglob("*.md")):
        if path.is_symlink() or not path.is_file():
            continue
        rel = path.relative_to(content_dir).as_posix()
        try:
            shown = path.relative_to(root).as_posix()
        except ValueError:
            shown = path.as_posix()
        page = read_audience(path, shown)
        if page.where:
            found[rel] = page
    return found


def check_audiences(pages: dict[str, PageAudience], customer_ids: Iterable[str], problems: ProblemLog) -> None:
    """Located errors for unknown audiences, unknown customers and a customer page naming nobody."""
    known = sorted(customer_ids)
    for page in pages.values():
        where = page.where or {}
        if page.audience not in AUDIENCES:
            problems.add(where["audience"], f"audience '{page.audience}' is not one of {', '.join(AUDIENCES)}")
        elif page.audience == "customer" and page.customer is None:
            problems.add(where["audience"], "audience 'customer' needs a 'customer: <id>' naming whose page it is")
        elif page.audience != "customer" and page.customer is not None:
            problems.add(where["customer"], f"'customer' is given but the audience is '{page.audience}'")
        if page.customer is not None and page.customer not in known:
            problems.add(where["customer"], f"unknown customer '{page.customer}' (known: {', '.join(known)})")
