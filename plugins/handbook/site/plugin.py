"""The MkDocs plugin: load the model once per build, add the generated pages, scope the nav.

Thin on purpose: loading lives in `loader`, pages in the family modules, nav logic in
`navigation`; this module only connects them to MkDocs events.
"""

from __future__ import annotations

import html
import logging
import posixpath
import re
from pathlib import Path

import jieba
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from ..data.loader import DataError, Project, load_project
from ..data.model import Model
from .navigation import ScopedNavigation, expand_nav, move_after_home
from ..pages.base import GeneratedPage, generate
from ..pages.rendering import css_string
from ..pages.routes import CUSTOMERS
from ..errors import log

ASSETS = ("assets/handbook.css",)
OFFLINE_SHIM = "assets/javascripts/iframe-worker-shim.js"
_HREF = re.compile(r'href="([^"#?]*)')
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:|//")
_CUSTOMER_PATH = re.compile(r"customers/([a-z0-9-]+)(?:/|$)")


# jieba (Chinese search) logs loading its dictionary at DEBUG to stderr in the search plugin's
# on_config, on every build; this module is imported with the configuration, before that. jieba
# sets its logger's level when imported, so it is imported first.
jieba.setLogLevel(logging.WARNING)


_CHECKBOX = re.compile(r'<input type="checkbox" disabled( checked)?\s*/?>')


def label_checkboxes(html_text: str) -> str:
    """Give the task lists' read-only checkboxes an accessible name (PyMdown's custom checkboxes
    come without one: screen readers would announce a bare, unlabeled checkbox)."""
    return _CHECKBOX.sub(lambda m: f'<input type="checkbox" disabled{m.group(1) or ""} '
                                   f'aria-label="{"已勾选" if m.group(1) else "未勾选"}"/>', html_text)


class HandbookConfig(base.Config):
    """Options of the `handbook` plugin in mkdocs.yml."""

    data_dir = c.Type(str, default="project_data")
    templates_dir = c.Type(str, default="site_templates")
    customer = c.Optional(c.Type(str))
    """Build the bundle of this customer only: the model is filtered before any page exists."""
    scoped_nav = c.Type(bool, default=True)
    offline = c.Type(bool, default=False)
    """Ship the project's own iframe-worker shim, so that search starts from file:// (bundles)."""


class HandbookPlugin(BasePlugin[HandbookConfig]):
    """Turns `project_data/` into handbook pages."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.model: Model | None = None
        self.generated: dict[str, GeneratedPage] = {}
        self.customer_of_page: dict[str, str] = {}
        self.scoped: ScopedNavigation | None = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = Path(config.config_file_path).parent
        self.templates_dir = root / self.config.templates_dir
        project = Project(root.resolve(), (root / self.config.data_dir).resolve(), Path(config.docs_dir).resolve())
        try:
            model = load_project(project)
        except DataError as error:
            for problem in error.problems:
                log.error(str(problem))
            raise PluginError(f"project data has {len(error.problems)} error(s); nothing was built") from None
        if self.config.customer:
            try:
                model = model.for_customer(self.config.customer)
            except KeyError:
                known = ", ".join(cu.id for cu in model.customers)
                raise PluginError(f"unknown customer '{self.config.customer}' (known: {known})") from None
        self.model = model
        for asset in ASSETS:
            if asset not in config.extra_css:
                config.extra_css.append(asset)
        # A sitemap needs absolute URLs: without `site_url` MkDocs writes one with no addresses.
        if not config.site_url:
            config.theme.static_templates.discard("sitemap.xml")
        return config

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        assert self.model is not None
        if not config.site_url:  # not rendered (on_config), so not copied as a theme file either
            for name in ("sitemap.xml", "sitemap.xml.gz"):
                if (theme_file := files.get_file_from_path(name)) is not None:
                    files.remove(theme_file)
        pages = generate(self.model, self.templates_dir)
        problems = []
        for page in pages:
            if (existing := files.get_file_from_path(page.path)) is not None:
                if not page.replaces_content:
                    problems.append(f"generated page {page.path} collides with content/{page.path}")
                    continue
                files.remove(existing)
            files.append(File.generated(config, page.path, content=page.markdown))
        for asset in ASSETS:
            files.append(File.generated(config, asset, abs_src_path=str(self.templates_dir / asset)))
        if self.config.offline:
            files.append(File.generated(config, OFFLINE_SHIM, abs_src_path=str(self.templates_dir / "assets/iframe-worker-shim.js")))
        seen: dict[str, str] = {}
        for file in files:
            if file.dest_uri in seen:
                problems.append(f"{file.src_uri} and {seen[file.dest_uri]} would both be written to {file.dest_uri}")
            seen.setdefault(file.dest_uri, file.src_uri)
        if problems:
            for problem in problems:
                log.error(problem)
            raise PluginError(f"{len(problems)} page collision(s)")
        self.generated = {p.path: p for p in pages}
        self.customer_of_page = {p.path: p.customer for p in pages if p.customer}
        config.nav = expand_nav(config.nav, pages)
        if not self.model.is_internal:
            config.nav = move_after_home(config.nav, CUSTOMERS)
        return files

    def on_nav(self, nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
        # A bundle holds one customer: its section is shown on every page, not only on its own.
        scoped = self.config.scoped_nav and self.model is not None and self.model.is_internal
        self.scoped = ScopedNavigation(nav, self.customer_of_page) if scoped else None
        return nav

    def on_env(self, env, config: MkDocsConfig, files: Files):
        # print.html writes the running header of a printed record into a CSS string.
        env.filters["css_string"] = css_string
        return env

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        generated = self.generated.get(page.file.src_uri)
        if generated is not None:
            page.meta.update(generated.meta)
        # Material renders front-matter title, description and tags unescaped (into <title>, the
        # nav, <meta name="description"> and the tag chips), for hand-written and generated pages.
        for key in ("title", "description"):
            if isinstance(page.meta.get(key), str):
                page.meta[key] = html.escape(page.meta[key])
        if isinstance(page.meta.get("tags"), list):
            page.meta["tags"] = [html.escape(str(tag)) for tag in page.meta["tags"]]
        return markdown

    def on_page_content(self, html_text: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        html_text = label_checkboxes(html_text)
        owner = self.customer_of_page.get(page.file.src_uri)
        if owner is None:
            return html_text
        here = page.url.rstrip("/") if page.url.endswith("/") or not page.url else posixpath.dirname(page.url)
        for href in _HREF.findall(html_text):
            if not href or _SCHEME.match(href):
                continue
            target = posixpath.normpath(posixpath.join(here, href)).lstrip("/")
            match = _CUSTOMER_PATH.match(target)
            if match and match.group(1) != owner:
                raise PluginError(f"{page.file.src_uri}: links to the pages of customer '{match.group(1)}' ({href})")
        return html_text

    @event_priority(-100)
    def on_page_context(self, context, page: Page, config: MkDocsConfig, nav: Navigation):
        # Material puts `page.title | striptags` into <title>, and striptags unescapes entities:
        # a heading `&lt;/title&gt;&lt;script&gt;` would come out as markup. `page.meta.title` is
        # rendered as it is, and page titles here are already escaped, so it goes there.
        if page.title and "title" not in page.meta:
            page.meta["title"] = page.title
        owner = self.customer_of_page.get(page.file.src_uri)
        # The footer's previous/next links must not lead from one customer's pages to another's.
        for side in ("previous_page", "next_page"):
            neighbour = getattr(page, side)
            if neighbour is not None and self.customer_of_page.get(neighbour.file.src_uri, owner) != owner:
                setattr(page, side, None)
        if self.scoped is not None:
            context["nav"] = self.scoped.for_page(page, self.customer_of_page)
        return context

    def on_template_context(self, context, template_name: str, config: MkDocsConfig):
        if self.scoped is not None and "nav" in context:
            context["nav"] = self.scoped.base
        return context
