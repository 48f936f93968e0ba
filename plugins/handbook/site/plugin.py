"""The MkDocs plugin: load the model once per build, add the generated pages, scope the nav.

Thin on purpose: loading lives in `loader`, pages in the family modules, nav logic in
`navigation`; this module only connects them to MkDocs events.
"""

from __future__ import annotations

import html
import logging
import posixpath
import re
import shutil
from dataclasses import replace
from pathlib import Path


import jieba
import jinja2
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from ..data.loader import Project
from ..data.revisions import change_log
from ..documents.deliverables import with_documents
from ..documents.stored import DocumentStore
from ..data.model import Model
from ..errors import HandbookError, Location, log
from ..load import load
from ..pages.base import GeneratedPage
from ..pages.downloads import template_download, with_download
from ..pages.rendering import EDIT_MARKER
from ..pages.registry import customer_of_output, generate, url_key
from ..pages.glossary import abbreviation_definitions
from ..pages.rendering import environment
from ..compiled_templates import COMPILED
from ..templates import defaults_dir, template_file
from .build import source_commit
from ..pages.rendering import css_string
from ..pages.routes import CUSTOMERS
from .audience_filter import drop_other_audiences
from .edit_links import EditLinks, section_edit_link
from .git_dates import GitDates
from .links import links_to_excluded
from .navigation import ScopedNavigation, expand_nav, move_after_home, without_pages
from .preview import replace_pages, report
from .rebuilds import Rebuilds
from .site_config import OFFLINE_SHIM, add_theme_overrides, apply_site_metadata, make_offline
from .variant import BuildVariant

ASSETS = ("assets/handbook.css",)
# Only the internal site has the portfolio tables this script sorts and filters.
INTERNAL_ASSETS = ("assets/handbook-portfolio.js",)
PRINTED_META = ("title", "subtitle", "status", "description")
_EDIT_MARKER = re.compile(re.escape(EDIT_MARKER).replace(re.escape("{}"), "(.+?)"))
_HREF = re.compile(r'href="([^"#?]*)')
_SCHEME = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*:|//")


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
    scoped_nav = c.Type(bool, default=True)
    shared_files = c.ListOfItems(c.Type(str), default=[])
    """Glob patterns (relative to the site root) of files in content/ whose text cannot be read
    (images, archives) and that may go into every customer's bundle unchecked."""
    changes_branch = c.Type(str, default="gh-pages")
    """Where `handbook publish` records each version's source commit: the 变更记录 page compares
    with the newest version published there that is older than this one."""
    changes_base = c.Optional(c.Type(str))
    """A git revision to compare with instead (e.g. a tag), when nothing is published yet."""


class HandbookPlugin(BasePlugin[HandbookConfig]):
    """Turns `project_data/` into handbook pages."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.model: Model | None = None
        self.generated: dict[str, GeneratedPage] = {}
        self.customer_of_page: dict[str, str] = {}
        self.scoped: ScopedNavigation | None = None
        self.customer_of_dir: dict[str, str] = {}
        self.excluded: dict[str, str] = {}
        self.abbreviations = ""
        self.variant = BuildVariant()
        # Under `serve` MkDocs keeps this instance across rebuilds (it has on_startup); each build
        # still runs on_config, which loads again (the load is memoised on file sizes and times).
        self.serving = False
        self.problems: list[str] | None = None  # serve only: the data is broken, pages show this
        self.known_pages: list[str] = []  # serve only: the generated pages of the last good build
        self.edit_links: EditLinks | None = None
        self.dates: GitDates | None = None
        self.rebuilds: Rebuilds | None = None  # serve only: renderings kept for the next rebuild

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.serving = command == "serve"
        self.rebuilds = Rebuilds() if self.serving else None

    def on_shutdown(self) -> None:
        self.serving, self.rebuilds = False, None

    def on_pre_build(self, config: MkDocsConfig) -> None:  # every on_config ran: extensions, search final
        if self.rebuilds is not None:
            self.rebuilds.start(config)

    def on_pre_page(self, page: Page, config: MkDocsConfig, files: Files) -> Page:
        if self.rebuilds is not None:
            self.rebuilds.remember_rendering(page)
        return page

    def on_serve(self, server, config: MkDocsConfig, builder):
        # MkDocs watches docs_dir (content/, fragments included) and mkdocs.yml; pages also come from these.
        for folder in (self.data_dir, self.templates_dir):
            if folder.is_dir():
                server.watch(str(folder))
        return server

    @property
    def assets(self) -> tuple[str, ...]:
        """The CSS and JS files of the handbook this build adds to the site."""
        internal = self.model is not None and self.model.is_internal
        return ASSETS + (INTERNAL_ASSETS if internal else ())

    # First of all plugins: Material's search and tags read the theme language in their own
    # on_config (search takes its default pipeline from it), and it comes from handbook.yml.
    @event_priority(100)
    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        root = Path(config.config_file_path).parent
        self.root = root.resolve()
        self.templates_dir = root / self.config.templates_dir
        # A template added to the project since the last build must win over a cached default.
        environment.cache_clear()
        self.data_dir = (root / self.config.data_dir).resolve()
        self.problems = None
        self.variant = BuildVariant.from_env()
        project = Project(root.resolve(), self.data_dir, Path(config.docs_dir).resolve())
        try:
            model = load(project)
            if self.variant.customer:
                model = _for_customer(model, self.variant.customer)
        except HandbookError as error:
            if not self.serving:
                for message in error.messages:
                    log.error(message)
                raise PluginError(error.summary or f"project data has {len(error.messages)} error(s); "
                                  "nothing was built") from None
            self._show_problems(error.messages)
            model = None
        if model is not None:
            # Computed on the model as filtered: a bundle's log holds its own customer's changes only.
            model = replace(model, change_log=change_log(
                project, model, branch=self.config.changes_branch, base_ref=self.config.changes_base,
                customer=self.variant.customer))
            # Deliverable templates as Word/Excel files, parsed with this site's Markdown extensions.
            model = with_documents(model, config.markdown_extensions, config.mdx_configs, DocumentStore(self.root))
            self.abbreviations = abbreviation_definitions(model)
            apply_site_metadata(config, model)
        else:
            self.abbreviations = ""
            config.theme["language"] = "zh"  # the problem list's own language, whatever the data says
        self.model = model
        if self.variant.customer or not config.repo_url:
            # A customer's copy carries no way into the repository: no repository link, no edit links.
            # Without a repository (handbook.yml `repository:`) there is nothing to link to either.
            config.repo_url = config.repo_name = config.edit_uri = config.edit_uri_template = None
        # Material's version selector reads the versions.json mike writes: published versions only
        # (elsewhere every page would request a file that does not exist).
        if self.variant.versioned and not self.variant.offline:
            config.extra["version"] = {"provider": "mike"}
        else:
            config.extra.pop("version", None)
        if self.variant.offline and model is not None:
            make_offline(config)
            whose = f" · 客户 {self.variant.customer}" if self.variant.customer else ""
            config.copyright = html.escape(f"{model.handbook.title} · 版本 {model.handbook.version} · "
                                           f"源提交 {source_commit(root)} · 构建于 {model.as_of.isoformat()}{whose}")
        self.edit_links = EditLinks.from_config(config, root)
        self.dates = GitDates.read(root)
        for asset in self.assets:
            listed = config.extra_css if asset.endswith(".css") else config.extra_javascript
            if asset not in [str(entry) for entry in listed]:
                listed.append(asset)
        # A sitemap needs absolute URLs: without `site_url` MkDocs writes one with no addresses.
        if not config.site_url:
            config.theme.static_templates.discard("sitemap.xml")
        add_theme_overrides(config, self.templates_dir)
        return config

    def _show_problems(self, messages: list[str]) -> None:
        """Serve only: print every problem and build the preview as the list of them."""
        self.problems = list(messages)
        for message in messages:
            report.warning(message)
        report.warning(f"{len(messages)} problem(s): the preview shows them until they are fixed")

    def on_files(self, files: Files, config: MkDocsConfig) -> Files:
        for asset in self.assets:
            files.append(File.generated(config, asset, abs_src_path=str(template_file(self.templates_dir, asset))))
        if self.variant.customer:
            # A bundle is built from the pages meant for its customer, not by hiding the others.
            config.nav = without_pages(config.nav, drop_other_audiences(files, self.variant.customer))
        if not config.site_url:  # not rendered (on_config), so not copied as a theme file either
            for name in ("sitemap.xml", "sitemap.xml.gz"):
                if (theme_file := files.get_file_from_path(name)) is not None:
                    files.remove(theme_file)
        pages: list[GeneratedPage] = []
        if self.model is not None:
            try:
                pages = generate(self.model, self.templates_dir)
            except jinja2.TemplateError as error:
                problem = _template_problem(error, self.templates_dir, self.root)
                if not self.serving:
                    log.error(problem)
                    raise PluginError("a page template failed; nothing was built") from None
                self._show_problems([problem])
        if self.problems is not None:
            self.generated, self.customer_of_page, self.customer_of_dir = {}, {}, {}
            return replace_pages(files, config, self.problems, self.known_pages)
        problems = []
        for page in pages:
            # The loader refused IDs whose pages collide with content/; a file added since is caught here.
            if (existing := files.get_file_from_path(page.path)) is not None:
                if not page.replaces_content:
                    problems.append(f"generated page {page.path} collides with content/{page.path}")
                    continue
                files.remove(existing)
            files.append(File.generated(config, page.path, content=page.markdown))
        for document in self.model.documents if self.model is not None else ():
            # Only beside a template page this build has (a bundle leaves out other audiences' pages).
            if files.get_file_from_path(document.template) is not None:
                files.append(File.generated(config, document.path, content=document.content))
        if self.variant.offline:
            files.append(File.generated(config, OFFLINE_SHIM, abs_src_path=str(template_file(self.templates_dir, "assets/iframe-worker-shim.js"))))
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
        self.known_pages = list(self.generated)
        self.excluded = {f.url: f.src_uri for f in files if f.inclusion.is_excluded()}
        self.customer_of_page = {p.path: p.customer for p in pages if p.customer}
        self.customer_of_dir = customer_of_output(pages)
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
        env.bytecode_cache = COMPILED  # serve and bundle workers build many times per process
        return env

    def on_page_markdown(self, markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        generated = self.generated.get(page.file.src_uri)
        if generated is not None:
            page.meta.update(generated.meta)
        if self.problems is None:
            markdown = self._mark_sources(markdown, page, generated)
            document = next((d for d in self.model.documents if d.template == page.file.src_uri), None)
            if document is not None:
                markdown = with_download(markdown, template_download(self.templates_dir, document))
        # Material renders front-matter values unescaped: title, subtitle and status (into <title>
        # and the nav of every page), description (<meta>) and tags (chips), for every page.
        for key in PRINTED_META:
            if isinstance(page.meta.get(key), str):
                page.meta[key] = html.escape(page.meta[key])
        if isinstance(page.meta.get("tags"), list):
            page.meta["tags"] = [html.escape(str(tag)) for tag in page.meta["tags"]]
        # The glossary's abbreviations become tooltips (`abbr` + Material's content.tooltips) on every page.
        return markdown + self.abbreviations

    def on_page_content(self, html_text: str, page: Page, config: MkDocsConfig, files: Files) -> str:
        html_text = label_checkboxes(html_text)
        for source in links_to_excluded(html_text, page.url, self.excluded):
            log.warning(f"{page.file.src_uri}: links to {source}, which is excluded from the built site (a 404)")
        owner = self.customer_of_page.get(page.file.src_uri)
        if owner is None:
            return html_text
        here = page.url.rstrip("/") if page.url.endswith("/") or not page.url else posixpath.dirname(page.url)
        for href in _HREF.findall(html_text):
            if not href or _SCHEME.match(href):
                continue
            target = url_key(posixpath.join(here, href))
            other = self.customer_of_dir.get(target)
            if other is not None and other != owner:
                raise PluginError(f"{page.file.src_uri}: links to the pages of customer '{other}' ({href})")
        return html_text

    def _mark_sources(self, markdown: str, page: Page, generated: GeneratedPage | None) -> str:
        """Edit link (page and sections) and last-changed date, from the files the page comes from."""
        printable = page.meta.get("template") == "print.html"
        if generated is not None:
            sources = generated.sources
            page.edit_url = self.edit_links.url(sources[0]) if self.edit_links and sources else None
        else:
            sources = (Location(Path(page.file.abs_src_path).relative_to(self.root).as_posix()),) \
                if page.file.abs_src_path and Path(page.file.abs_src_path).is_relative_to(self.root) else ()
        if self.edit_links is None or printable:
            markdown = _EDIT_MARKER.sub("", markdown)
        else:
            markdown = _EDIT_MARKER.sub(lambda m: section_edit_link(self.edit_links, m.group(1)), markdown)
        page.meta["hb_updated"] = self.dates.of(s.path for s in sources) if self.dates else None
        return markdown

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

    def on_post_build(self, config: MkDocsConfig) -> None:
        if self.problems is not None:
            # Any other address of the preview (a page the last good build did not have) shows them too.
            home = Path(config.site_dir) / "index.html"
            if home.is_file():
                shutil.copyfile(home, Path(config.site_dir) / "404.html")

    def on_template_context(self, context, template_name: str, config: MkDocsConfig):
        if self.scoped is not None and "nav" in context:
            context["nav"] = self.scoped.base
        return context


def _for_customer(model: Model, customer_id: str) -> Model:
    try:
        return model.for_customer(customer_id)
    except KeyError:
        known = ", ".join(cu.id for cu in model.customers)
        raise HandbookError([f"unknown customer '{customer_id}' (known: {known})"]) from None


def _template_problem(error: jinja2.TemplateError, templates_dir: Path, root: Path) -> str:
    """A page template error as a located message (syntax errors know their file and line)."""
    name = getattr(error, "filename", None) or getattr(error, "name", None)
    line = getattr(error, "lineno", None) or 1
    if name:
        path = Path(name) if Path(name).is_absolute() else templates_dir / "pages" / name
        try:
            name = path.resolve().relative_to(root).as_posix()
        except ValueError:
            name = path.as_posix()
        message = f"{name}:{line}:1: {getattr(error, 'message', None) or error}"
    else:
        message = f"{templates_dir.name}/pages: {type(error).__name__}: {error}"
    own_labels = (templates_dir / "pages" / "_labels.j2").resolve()
    if "_labels.j2" in str(error) and own_labels.is_file() and own_labels != defaults_dir() / "pages" / "_labels.j2":
        # The usual cause: a copy of the words from an older version, lacking a name added since.
        shown = own_labels.relative_to(root).as_posix() if own_labels.is_relative_to(root) else own_labels
        message += f" ({shown} overrides the shipped _labels.j2: add the missing name from the shipped copy)"
    return message
