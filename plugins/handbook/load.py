"""Load a project once per run: the data model, checked against the pages it will produce.

The CLI loads the model before it builds, bundles or prints; the MkDocs plugin, running in the same
process, asks again and gets the same model as long as no source file changed since (under `serve`
an edit changes a file's size or time, and the next build loads afresh).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from functools import cache
from pathlib import Path

from .data.customer_builds import CustomerSummary
from .data.loader import Project, check_project, collector_paused, load_project
from .data.model import Model
from .errors import HandbookError
from .pages.registry import check_routes, customer_routes, routes_clean

_memo: dict[tuple, Model] = {}


def _signature(project: Project, as_of: dt.date) -> tuple:
    """Every data and content file with its size and modification time: equal means unchanged."""
    entries = []
    for base in (project.data_dir, project.content_dir):
        for folder, _dirs, names in os.walk(base):
            for name in names:
                path = os.path.join(folder, name)
                try:
                    st = os.lstat(path)
                except OSError:
                    continue
                entries.append((path, st.st_size, st.st_mtime_ns))
    return (project.root, project.data_dir, project.content_dir, as_of, tuple(sorted(entries)))


def content_pages(project: Project) -> list[str]:
    """The Markdown files of `content/`, relative to it: the pages generated ones must not collide with."""
    if not project.content_dir.is_dir():
        return []
    return sorted(p.relative_to(project.content_dir).as_posix() for p in project.content_dir.rglob("*.md"))


def load(project: Project, as_of: dt.date | None = None) -> Model:
    """The validated model of `project`, its routes checked; raise `HandbookError` with every problem."""
    as_of = as_of or dt.date.today()
    key = _signature(project, as_of)
    model = _memo.get(key)
    if model is None:
        with collector_paused():  # the route check too walks every customer's records
            model = load_project(project, as_of, summary=route_summary())
            problems = check_routes(model, content_pages(project))
        if problems:
            raise HandbookError(problems, summary=f"{len(set(problems))} error(s) in project data")
        _memo.clear()  # one project per process; keep only the latest state
        _memo[key] = model
    return model


@cache
def route_summary() -> CustomerSummary:
    """What is kept of every stored customer for `check`: the routes its pages take. Named by the
    page families' code, so a new version of the tool never reads another's routes."""
    digest = hashlib.sha256()
    for path in sorted((Path(__file__).parent / "pages").glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return CustomerSummary(digest.hexdigest(), customer_routes)


def check(project: Project, as_of: dt.date | None = None) -> tuple[Model, int]:
    """Validate `project` as `load` does: (the model of its shared records, how many customers it
    has); raise `HandbookError` with every problem.

    Unchanged customers are not unpickled: their FAQ IDs and routes, stored beside them, are
    checked instead. Should the routes not be clean, `load` words the problems, on the whole model.
    """
    as_of = as_of or dt.date.today()
    model = _memo.get(_signature(project, as_of))
    if model is not None:
        return model, len(model.customers)
    shared, summaries = check_project(project, route_summary(), as_of)
    if not routes_clean(shared, (routes for _, routes in summaries), content_pages(project)):
        model = load(project, as_of)  # raises with the located problems
        return model, len(model.customers)
    return shared, len(summaries)


def load_at(root: Path) -> Model:
    """The model of the project rooted at `root` with the conventional layout."""
    return load(Project.at(root))
