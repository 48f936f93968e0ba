"""Reading fields of data records: dates, IDs, references, Markdown fields and content files.

`FieldReader` is what every record reader shares: it knows the project (to read `content/`), the
day the data is judged on, and the problem log, and reports each problem at the field's position.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Location, ProblemLog
from . import model as m
from .schema_check import did_you_mean
from .yaml_source import YamlDocument

if TYPE_CHECKING:
    from .loader import Project

SAFE_ID = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
_DURATION = re.compile(r"([0-9]+)(min|h|d)")
_VERSION = re.compile(r"[0-9]+(\.[0-9]+)*")
_MINUTES = {"min": 1, "h": 60, "d": 1440}
MAX_MARKDOWN_NESTING = 40
MAX_MARKDOWN_TAGS = 200
_LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]*)|\bhref\s*=\s*[\"']?([^\"'\s>]*)|<((?:[a-z][a-z0-9+.-]*):[^>\s]*)>"
                          r"|^[ ]{0,3}\[[^\]]+\]:\s*<?([^\s>]*)", re.I | re.M)
_ALLOWED_LINK = re.compile(r"(https?://|mailto:|#)", re.I)
_BLOCK_MARKER = re.compile(r"(?:[-*+>]|[0-9]+[.)])(?:\s+|$)")
_BLOCK_MARKERS = re.compile(r"\s*(?:(?:[-*+>]|[0-9]+[.)])(?:\s+|$))+")


def id_problem(value: str) -> str | None:
    """Why `value` is unsafe as an ID (file name and URL), or None if it is safe."""
    if not SAFE_ID.fullmatch(value):
        return "use only lower-case letters a-z, digits 0-9 and '-' (no spaces, '/', '..' or upper case)"
    if value in _WINDOWS_RESERVED:
        return f"'{value}' is a reserved file name on Windows"
    if len(value) > 64:
        return "longer than 64 characters"
    return None


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

class FieldReader:
    """Reads fields of records, reporting every problem at its position and carrying on."""

    def __init__(self, project: Project, problems: ProblemLog, as_of: dt.date):
        self.project = project
        self.problems = problems
        self.as_of = as_of

    def err(self, doc: YamlDocument, path: tuple, message: str) -> None:
        self.problems.add(doc.at(path), message)

    def date(self, doc: YamlDocument, path: tuple, value: str | None) -> dt.date | None:
        if value is None:
            return None
        if not _ISO_DATE.fullmatch(value):
            return None  # the schema's pattern has reported it at this position already: one message
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.err(doc, path, f"'{value}' is not a real date")
            return None

    def unique(self, doc: YamlDocument, items: list[tuple[tuple, str]], what: str, seen: dict | None = None) -> dict:
        seen = {} if seen is None else seen
        for path, ident in items:
            problem = id_problem(ident) if what not in ("UAT case", "priority") else None
            # The schema's pattern already reported most bad IDs; what it lets through is a
            # trailing newline (JSON Schema's `$`) and names reserved on Windows.
            if problem and SAFE_ID.fullmatch(ident.rstrip("\n")):
                self.err(doc, path, f"{what} ID {ident!r} is not valid: {problem}")
            if ident in seen:
                other = seen[ident]
                self.err(doc, path, f"duplicate {what} ID '{ident}' (first defined at {other})")
            else:
                seen[ident] = doc.at(path)
        return seen

    def ref(self, doc: YamlDocument, path: tuple, value: str | None, known: Iterable[str], what: str) -> None:
        known = list(known)
        if value is not None and value not in known:
            self.err(doc, path, f"unknown {what} '{value}'{did_you_mean(value, known)}")

    def content(self, doc: YamlDocument, path: tuple, rel: str | None) -> str:
        """Read a Markdown file referenced from data, refusing anything outside content/."""
        if rel is None:
            return ""
        base = self.project.content_dir
        target = base / rel
        parts = Path(rel).parts
        if ".." in parts or Path(rel).is_absolute():
            self.err(doc, path, f"'{rel}' points outside content/")
            return ""
        probe = target
        while probe != base and probe != probe.parent:
            if probe.is_symlink():
                self.err(doc, path, f"'{rel}' is a symbolic link; symbolic links are not allowed in content/")
                return ""
            probe = probe.parent
        if not target.is_file():
            self.err(doc, path, f"file content/{rel} does not exist")
            return ""
        try:
            text = target.read_text("utf-8")
        except UnicodeDecodeError:
            self.err(doc, path, f"content/{rel} is not UTF-8; save it as UTF-8")
            return ""
        return text

    def content_location(self, rel: str | None) -> Location | None:
        """Where a content file referenced from data lives, relative to the project root."""
        if not rel:
            return None
        path = self.project.content_dir / rel
        try:
            return Location(path.relative_to(self.project.root).as_posix())
        except ValueError:
            return Location(path.as_posix())

    def version(self, doc: YamlDocument, path: tuple, value: str) -> None:
        """A version becomes part of file names (bundles) and of published paths (mike)."""
        if isinstance(value, str) and not _VERSION.fullmatch(value):  # other types: a schema error already
            self.err(doc, path, f"version {value!r} is not valid: digits separated by dots, on one line")

    def not_future(self, doc: YamlDocument, path: tuple, value: dt.date | None, what: str) -> None:
        """Something that happened cannot be dated after the day the data is judged on."""
        if value is not None and value > self.as_of:
            self.err(doc, path, f"{what} {value} is in the future (today is {self.as_of})")

    def markdown(self, doc: YamlDocument, path: tuple, text: str | None) -> str:
        """Markdown from data: nesting capped (Python-Markdown's parse is quadratic and recursive),
        links limited to web and mail addresses (a data field is rendered on several pages, so a
        relative link cannot be right everywhere, and `javascript:` must never become a link)."""
        if not text:
            return ""
        # Python-Markdown's raw-HTML handling is quadratic in the number of '<' (6,000 unclosed
        # `<a ` take about 10 s per page): cap it here, in validate, not at render time.
        tags = text.count("<")
        if tags > MAX_MARKDOWN_TAGS:
            self.err(doc, path, f"Markdown field holds {tags} '<' characters; the limit is {MAX_MARKDOWN_TAGS}")
            return ""
        depth = _markdown_nesting(text)
        if depth > MAX_MARKDOWN_NESTING:
            self.err(doc, path, f"Markdown nested {depth} levels deep; the limit is {MAX_MARKDOWN_NESTING}")
            return ""
        for groups in _LINK_TARGET.findall(text):
            target = next(g for g in groups if g) if any(groups) else ""
            if not _ALLOWED_LINK.match(target):
                self.err(doc, path, f"link target '{target}' is not allowed in a data field; "
                                    "use an http(s):// or mailto: address")
                return ""
        return text

    def span(self, doc: YamlDocument, path: tuple, raw: dict | None) -> m.Span:
        raw = raw or {}
        span = m.Span(self.date(doc, path + ("start",), raw.get("start")), self.date(doc, path + ("end",), raw.get("end")))
        if span.start and span.end and span.end < span.start:
            self.err(doc, path + ("end",), f"end {span.end} is before start {span.start}")
        return span


def minutes(text: str) -> int:
    number, unit = _DURATION.fullmatch(text).groups()
    return int(number) * _MINUTES[unit]


_BRACKET = re.compile(r"[()\[\]{}]")


def _markdown_nesting(text: str) -> int:
    """Deepest bracket or list/quote nesting in `text`: a cheap bound before Python-Markdown parses it."""
    depth = deepest = 0
    for ch in _BRACKET.findall(text):  # only the brackets: a Python step per character of text is slow
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}" and depth:
            depth -= 1
    for line in text.splitlines():
        markers = _BLOCK_MARKERS.match(line)
        if markers:
            deepest = max(deepest, len(_BLOCK_MARKER.findall(markers.group(0))), (len(line) - len(line.lstrip())) // 4)
    return deepest
