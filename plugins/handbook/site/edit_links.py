"""Edit links: the repository URL at which a source file (and line) can be edited.

MkDocs' `edit_uri` / `edit_uri_template` are written relative to `docs_dir` (`content/`), and
MkDocs applies them to hand-written pages itself. Generated pages come from files outside
`docs_dir` (`project_data/customers/acme.yml`); their path relative to `docs_dir` starts with `..`,
which URL resolution folds back (`edit/main/content/../project_data/x.yml` ->
`edit/main/project_data/x.yml`), so the same setting serves both, whichever form it takes.
"""

from __future__ import annotations

import html
import os
import posixpath
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit, urlunsplit

from ..errors import Location


@dataclass(frozen=True)
class EditLinks:
    """How to turn a project file into its edit URL: the repository and the docs-relative pattern."""

    repo_url: str
    root: Path
    docs_dir: Path
    edit_uri: str | None = None
    edit_uri_template: str | None = None

    @classmethod
    def from_config(cls, config, root: Path) -> EditLinks | None:
        """The edit links a MkDocs configuration asks for, or None (no repository or no edit URI)."""
        repo_url = config.get("repo_url")
        edit_uri, template = config.get("edit_uri"), config.get("edit_uri_template")
        if not repo_url or not (edit_uri or template):
            return None
        return cls(repo_url, root.resolve(), Path(config.docs_dir).resolve(), edit_uri, template)

    def url(self, location: Location, anchor_line: bool = True) -> str | None:
        """The edit URL of `location` (a path relative to the project root, or absolute), with
        `#L<line>`; None for a file outside the project (a default template of the package)."""
        target = (self.root / location.path).resolve()
        if not target.is_relative_to(self.root):
            return None
        rel = Path(os.path.relpath(target, self.docs_dir)).as_posix()
        if self.edit_uri_template:
            noext = posixpath.splitext(rel)[0]
            file_uri = self.edit_uri_template.format(path=rel, path_noext=noext)
        else:
            file_uri = self.edit_uri.rstrip("/") + "/" + rel
        base = self.repo_url if self.repo_url.endswith("/") or file_uri.startswith(("?", "#")) else self.repo_url + "/"
        url = _fold_dots(urljoin(base, file_uri))
        if anchor_line and location.line > 1 and "#" not in url:
            url += f"#L{location.line}"
        return url


def _fold_dots(url: str) -> str:
    """`a/b/../c` -> `a/c` in the URL's path (urljoin keeps dot segments that came from the base)."""
    parts = urlsplit(url)
    segments: list[str] = []
    for segment in parts.path.split("/"):
        if segment == "..":
            if len(segments) > 1:
                segments.pop()
        elif segment != ".":
            segments.append(segment)
    return urlunsplit(parts._replace(path="/".join(segments)))


def section_edit_link(links: EditLinks, marked: str) -> str:
    """The small link after a section whose text comes from another file (`marked` is its location)."""
    path, _, rest = html.unescape(marked).rpartition(":")
    path, _, line = path.rpartition(":")
    location = Location(path, int(line) if line.isdigit() else 1)
    url = links.url(location)
    if url is None:
        return ""
    return (f'\n<p class="hb-edit-section"><a href="{html.escape(url, quote=True)}" '
            f'title="{html.escape(location.path, quote=True)}">编辑此部分</a></p>\n')
