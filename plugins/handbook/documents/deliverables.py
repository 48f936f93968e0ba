"""The downloadable files of a handbook's deliverable templates, attached to its model.

Each template (`phases.yml` deliverable `template:`) becomes the file of its `format:` beside its
page (`deliverables/uat-report.md` -> `deliverables/uat-report.docx`), dated by the model's day so
that every build of one day writes the same bytes. Pages link to them through `Model.document`.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from ..data import model as m
from . import convert
from .blocks import DEFAULT_EXTENSIONS
from .package import DocumentInfo
from .stored import DocumentStore, converted, document_key


@dataclass(frozen=True)
class DeliverableFile:
    """A deliverable's template as a Word or Excel file of the site."""

    deliverable: str
    template: str  # the template page, relative to content/
    path: str  # the file, relative to the site root
    format: str  # "docx" or "xlsx"
    content: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def kilobytes(self) -> int:
        """The size in whole kilobytes, rounded up (what a download link shows)."""
        return max(1, -(-self.size // 1024))

    @property
    def download_name(self) -> str:
        """The file's own name (the `download` attribute keeps it)."""
        return posixpath.basename(self.path)


def document_path(template: str, fmt: str) -> str:
    """Where the file of a template goes: beside its page, with the format's extension."""
    return template.removesuffix(".md") + "." + fmt


def deliverable_files(model: m.Model, extensions: Sequence[object] = DEFAULT_EXTENSIONS,
                      configs: Mapping[str, Mapping] | None = None,
                      store: DocumentStore | None = None) -> tuple[DeliverableFile, ...]:
    """The file of every deliverable that has a template, in phase order; conversions of earlier
    builds are taken from `store` (the project's `.handbook-cache/`) when nothing they depend on changed."""
    store = store or DocumentStore()
    files, keys = [], set()
    for phase in model.phases:
        for d in phase.deliverables:
            if not d.template:
                continue
            info = DocumentInfo(title=d.name.strip("《》"), author=model.handbook.vendor, subject=model.handbook.title,
                                version=model.handbook.version, description=d.description, date=model.as_of,
                                language=model.handbook.language)
            key, stable = document_key(d.text, d.format, info, extensions, configs)
            keys.add(key)
            data = converted(key, stable, store, lambda: convert(d.text, d.format, info, extensions, configs))
            files.append(DeliverableFile(d.id, d.template, document_path(d.template, d.format), d.format, data))
    store.keep_only(keys)
    return tuple(files)


def with_documents(model: m.Model, extensions: Sequence[object] = DEFAULT_EXTENSIONS,
                   configs: Mapping[str, Mapping] | None = None, store: DocumentStore | None = None) -> m.Model:
    """`model` with its deliverable files attached."""
    return replace(model, documents=deliverable_files(model, extensions, configs, store))
