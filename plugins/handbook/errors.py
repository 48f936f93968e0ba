"""Where things come from and what went wrong: locations, located problems and the one error type.

Every complaint about project data names its file, line and column; every failure the user can fix
is a `HandbookError` carrying its messages and the exit code the CLI returns for it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

log = logging.getLogger("mkdocs.plugins.handbook")

PathKey = tuple


@dataclass(frozen=True, order=True, slots=True)
class Location:
    """A position in a source file; `path` is relative to the project root, line/column 1-based."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Source:
    """Where a record was written: the file, the record's path in it and the file's value positions.

    The position table is the parsed file's own, shared by reference, so every record can name the
    line of any of its fields (`source.at("decision")`) without a copy per record.
    """

    file: str
    path: PathKey = ()
    marks: Mapping[PathKey, tuple[int, int]] = field(default_factory=dict, repr=False, compare=False)

    def at(self, *sub: object) -> Location:
        """Location of the field `sub` of this record, falling back to the nearest written ancestor."""
        probe = self.path + tuple(sub)
        while True:
            mark = self.marks.get(probe)
            if mark is not None:
                return Location(self.file, *mark)
            if not probe:
                return Location(self.file)
            probe = probe[:-1]

    @property
    def where(self) -> Location:
        """The record's own position: its `id` value when it has one, else where it starts."""
        if self.path + ("id",) in self.marks:
            return self.at("id")
        return self.at()

    def child(self, *sub: object) -> Source:
        """The source of a nested record."""
        return Source(self.file, self.path + tuple(sub), self.marks)


NOWHERE = Source("<memory>")


@dataclass(frozen=True, order=True, slots=True)
class Problem:
    """One located error message."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class HandbookError(Exception):
    """The one error for anything the user can fix: bad data, a failed build, a refused bundle.

    `problems` are located (sorted, each once); `messages` are every line to print, problems first;
    `summary` is the closing line; `exit_code` is what the command returns (1 failure, 2 usage).
    """

    def __init__(self, messages: Iterable[Problem | str], *, summary: str = "", exit_code: int = 1):
        items = list(messages)
        self.problems = sorted(set(m for m in items if isinstance(m, Problem)))
        self.messages = [str(p) for p in self.problems] + [m for m in items if not isinstance(m, Problem)]
        self.summary = summary
        self.exit_code = exit_code
        super().__init__("\n".join(self.messages + ([summary] if summary else [])))


@dataclass
class ProblemLog:
    """Collects problems so that validation can report all of them at once."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, location: Location, message: str) -> None:
        """Record one problem at `location`."""
        self.problems.append(Problem(location, message))

    def raise_if_any(self) -> None:
        """Raise a `HandbookError` holding every recorded problem, if there is one."""
        if self.problems:
            count = len(set(self.problems))
            raise HandbookError(self.problems, summary=f"{count} error(s) in project data")
