"""When each source file last changed, from git: one `git log` pass per build, not one per page.

A page's date is the newest commit date among the files its text comes from. Without git, outside
a work tree, or in a shallow clone (where the oldest fetched commit seems to add every file) the
dates are unknown: the page says so, and the build never fails for it.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path

# Record separator: starts each commit's block in the log output (never part of a file name).
_MARK = "\x1e"


class GitDates:
    """Last commit date (ISO `YYYY-MM-DD`) of every file of a project that git knows."""

    def __init__(self, dates: dict[str, str], root: Path):
        self.dates = dates
        self.root = root

    @classmethod
    def read(cls, root: Path) -> GitDates:
        """Read the history under `root` once; an empty table when git cannot tell."""
        root = root.resolve()
        return cls(_last_dates(root), root)

    def of(self, paths: Iterable[str | Path]) -> str | None:
        """The newest date among `paths` (relative to the root, or absolute), or None if none is known."""
        found = []
        for path in paths:
            key = Path(path)
            if key.is_absolute():
                try:
                    key = key.resolve().relative_to(self.root)
                except ValueError:
                    continue
            date = self.dates.get(key.as_posix())
            if date:
                found.append(date)
        return max(found) if found else None


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-c", "core.quotePath=false", *args], cwd=root, capture_output=True,
                              text=True, encoding="utf-8", errors="replace", timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _last_dates(root: Path) -> dict[str, str]:
    """File (relative to `root`) -> date of the newest commit that touched it; {} when unknown."""
    shallow = _git(root, "rev-parse", "--is-shallow-repository")
    if shallow is None or shallow.strip() != "false":
        return {}
    # --relative: names relative to `root` even when the project is a folder of a larger repository.
    out = _git(root, "log", "--relative", "--no-renames", "--name-only", f"--format={_MARK}%cs", "--", ".")
    if out is None:
        return {}
    dates: dict[str, str] = {}
    for block in out.split(_MARK)[1:]:
        date, _, names = block.partition("\n")
        for name in names.splitlines():
            if name:
                # Newest first: the first commit seen for a file is its last change.
                dates.setdefault(name, date.strip())
    return dates
