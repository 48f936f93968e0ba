"""Located problems: every complaint about project data names its file, line and column."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

log = logging.getLogger("mkdocs.plugins.handbook")


@dataclass(frozen=True, order=True, slots=True)
class Location:
    """A position in a source file; `path` is relative to the project root, line/column 1-based."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True, order=True, slots=True)
class Problem:
    """One located error message."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class DataError(Exception):
    """Raised when project data is invalid; carries every problem found, sorted by location."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class ProblemLog:
    """Collects problems so that validation can report all of them at once."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, location: Location, message: str) -> None:
        """Record one problem at `location`."""
        self.problems.append(Problem(location, message))

    def raise_if_any(self) -> None:
        """Raise `DataError` holding every recorded problem, if there is one."""
        if self.problems:
            raise DataError(self.problems)
