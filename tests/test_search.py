"""Search as a reader uses it: type a term into the built site's search box, served over http.

Material splits index text on `search.separator` only, so a term glued to full-width punctuation
(`（SLA）`, `SaaS、`, `，P0`) was one token that a typed `SLA` never matched; the glossary and the
SLA page are boosted so that a term lands on its definition.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
from pathlib import Path

import pytest

from test_browser import chromium  # noqa: F401  (the shared browser fixture)

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # the chromium fixture reports it
    PlaywrightTimeout = TimeoutError

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

# Query -> pages that define it; each must be among the first three results.
DEFINED_ON = {
    "SLA": ["glossary/", "support/sla/"],
    "UAT": ["glossary/"],
    "P0": ["glossary/", "support/sla/"],
    "响应时间": ["support/sla/"],
    "预生产环境": ["glossary/"],
}


# Every query here has results; while the worker loads, the box may briefly report none.
_ANSWERED = "() => document.querySelectorAll('ol.md-search-result__list > li').length > 0"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def served(sample_site: Path):
    """The sample site on http://127.0.0.1:<free port>/ (search needs http, not file://)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(sample_site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture(scope="module")
def reader(chromium):  # noqa: F811
    """One browser context for all queries (its cache keeps the index), a fresh tab per query."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()


def search(context, base: str, query: str) -> list[str]:
    """Site-relative pages of the search results for `query` typed on the home page, best first."""
    page = context.new_page()
    try:
        return _results(page, base, query)
    finally:
        page.close()


def _results(page, base: str, query: str) -> list[str]:
    page.goto(base)
    box = page.locator("input.md-search__input")
    # An input event that arrives before the search worker has loaded its index is dropped;
    # typing again is what a reader would do.
    for attempt in range(3):
        box.fill("")
        box.fill(query)
        try:
            # The first query waits for the worker to build the index (slow on a loaded machine).
            page.wait_for_function(_ANSWERED, timeout=60_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    links = page.locator("ol.md-search-result__list > li.md-search-result__item > a.md-search-result__link")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    # Material lists a page's best sections as further items; a reader counts pages.
    return list(dict.fromkeys(h.removeprefix(base).split("?")[0].split("#")[0] for h in hrefs))


@pytest.mark.parametrize("query", list(DEFINED_ON))
def test_a_term_brings_its_definition_into_the_top_three(reader, served, query: str) -> None:
    top = search(reader, served, query)[:3]
    for page in DEFINED_ON[query]:
        assert page in top, f"{query!r}: {page} not in the top 3 {top}"


def test_terms_next_to_full_width_punctuation_are_found(reader, served, sample_site: Path) -> None:
    index = json.loads((sample_site / "search/search_index.json").read_text(encoding="utf-8"))
    separator = index["config"]["separator"]
    assert all(mark in separator for mark in "，。、；：（）")
    for glued, term in (("（SLA）", "SLA"), ("SaaS、", "SaaS"), ("，P0", "P0")):
        # Pages where the term is written glued to full-width punctuation...
        pages = {d["location"].split("#")[0] for d in index["docs"] if glued in d["text"]}
        assert pages, glued
        # ...are found by the bare term, as typed.
        found = search(reader, served, term)
        assert pages & set(found), (glued, sorted(pages), found)
