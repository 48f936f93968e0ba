"""Models of earlier revisions: a git ref's `project_data/` and `content/`, loaded by the normal loader.

The loader is the one source of truth for what data means, so an earlier revision is not parsed
differently: its two folders are extracted with `git archive` into a temporary directory and
loaded there, once. Also here: which published version a build compares itself with, read from
the version records `handbook publish` leaves on the gh-pages branch (mike's `versions.json`,
property `handbook.commit`). Everything is local and read-only: no fetch, no network.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import HandbookError
from . import model as m
from .diff import ChangeSet, compare
from .loader import Project, load_project

_VERSION = re.compile(r"[0-9]+(\.[0-9]+)*")


def _git(root: Path, *args: str, binary: bool = False) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=not binary, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise HandbookError([f"git cannot be run ({error}); comparing revisions needs git"]) from None


def resolve(root: Path, ref: str) -> str:
    """The full commit hash `ref` names in the repository holding `root`."""
    if not ref or ref.startswith("-"):
        raise HandbookError([f"'{ref}' is not a git revision"])
    result = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if result.returncode != 0:
        if _git(root, "rev-parse", "--git-dir").returncode != 0:
            raise HandbookError([f"{root}: not a git repository; comparing revisions needs the project's history"])
        raise HandbookError([f"'{ref}' is not a commit of this repository"])
    return result.stdout.strip()


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _extract(tar: tarfile.TarFile, dest: Path) -> None:
    """Extract git's archive, refusing absolute paths and links that leave `dest` (the loader
    then refuses symbolic links in data, as it does in a working tree)."""
    if hasattr(tarfile, "data_filter"):  # Python 3.11.4 and later
        tar.extractall(dest, filter="data")
        return
    for member in tar.getmembers():
        parts = Path(member.name).parts
        if member.name.startswith("/") or ".." in parts or member.islnk():
            raise HandbookError([f"refusing archive member {member.name!r}"])
    tar.extractall(dest)


def load_revision(project: Project, ref: str, as_of: dt.date | None = None) -> m.Model:
    """The model of `project` as it was at git `ref`; `HandbookError` with located problems, each
    prefixed by the ref, when that revision's data does not validate."""
    commit = resolve(project.root, ref)
    prefix = _git(project.root, "rev-parse", "--show-prefix").stdout.strip()
    folders = [prefix + _rel(project.data_dir, project.root), prefix + _rel(project.content_dir, project.root)]
    present = [f for f in folders if _git(project.root, "cat-file", "-e", f"{commit}:{f}").returncode == 0]
    with tempfile.TemporaryDirectory(prefix="handbook-rev-") as tmp:
        if present:
            top = _git(project.root, "rev-parse", "--show-toplevel").stdout.strip()
            archive = _git(Path(top), "archive", "--format=tar", commit, "--", *present, binary=True)
            if archive.returncode != 0:
                raise HandbookError([f"{ref}: git archive failed: {archive.stderr.decode(errors='replace').strip()}"])
            with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
                _extract(tar, Path(tmp))
        root = Path(tmp) / prefix
        copy = Project(root, root / _rel(project.data_dir, project.root), root / _rel(project.content_dir, project.root))
        try:
            # A rule added since (a signed record keeping its fingerprint) must not make history unreadable.
            return load_project(copy, as_of, require_seal=False)
        except HandbookError as error:
            raise HandbookError([f"{ref}: {m}" for m in error.messages],
                                summary=f"{len(error.messages)} error(s) in project data at {ref}") from None


def diff_revisions(project: Project, base_ref: str, head_ref: str | None = None,
                   as_of: dt.date | None = None) -> ChangeSet:
    """Changes from git `base_ref` to `head_ref` (default: the working tree), each side loaded once."""
    as_of = as_of or dt.date.today()
    base = load_revision(project, base_ref, as_of)
    if head_ref is None:
        try:
            head = load_project(project, as_of)
        except HandbookError as error:
            raise HandbookError([f"working tree: {m}" for m in error.messages],
                                summary=f"{len(error.messages)} error(s) in project data in the working tree") from None
    else:
        head = load_revision(project, head_ref, as_of)
    return compare(base, head, base_ref, head_ref or "working tree")


@dataclass(frozen=True)
class PublishedVersion:
    """A version on the gh-pages branch and the source commit it was built from."""

    version: str
    commit: str


def published_versions(root: Path, branch: str = "gh-pages") -> list[PublishedVersion]:
    """Published versions that recorded their source commit, newest first; [] without git or branch."""
    try:
        result = _git(root, "show", f"{branch}:versions.json")
    except HandbookError:
        return []
    if result.returncode != 0:
        return []
    try:
        entries = json.loads(result.stdout)
    except ValueError:
        return []
    out = []
    for entry in entries if isinstance(entries, list) else []:
        version = str(entry.get("version", "")) if isinstance(entry, dict) else ""
        commit = ((entry.get("properties") or {}).get("handbook") or {}).get("commit") if isinstance(entry, dict) else None
        if _VERSION.fullmatch(version) and isinstance(commit, str) and re.fullmatch(r"[0-9a-f]{40}", commit):
            out.append(PublishedVersion(version, commit))
    return sorted(out, key=lambda v: tuple(int(x) for x in v.version.split(".")), reverse=True)


@dataclass(frozen=True)
class ChangeLog:
    """What the 变更记录 page shows: the changes since `since` (a published version or a configured
    ref), or, with `changes` None, why there is nothing to compare with (`note`)."""

    version: str
    since: str | None = None
    commit: str | None = None
    changes: ChangeSet | None = None
    note: str = ""
    published: bool = True  # `since` is a published version (else a configured revision)


def _older(a: str, b: str) -> bool:
    return tuple(int(x) for x in a.split(".")) < tuple(int(x) for x in b.split("."))


def change_log(project: Project, head: m.Model, *, branch: str = "gh-pages", base_ref: str | None = None,
               customer: str | None = None) -> ChangeLog:
    """Changes of `head` since the newest published version older than its own (or `base_ref`).

    With `customer`, both sides are first filtered to that customer (`Model.for_customer`), so the
    log holds the methodology and that customer's own changes only.
    """
    version = head.handbook.version
    if base_ref:
        since, ref = base_ref, base_ref
    else:
        older = [v for v in published_versions(project.root, branch) if _older(v.version, version)]
        if not older:
            return ChangeLog(version, note="no-published-version")
        since, ref = older[0].version, older[0].commit
    try:
        base = load_revision(project, ref, head.as_of)
    except HandbookError as error:
        return ChangeLog(version, since, note=error.messages[0], published=not base_ref)
    commit = resolve(project.root, ref)
    if customer is not None:
        base = (base.for_customer(customer) if any(c.id == customer for c in base.customers)
                else replace(base, customers=(), audience=f"customer:{customer}"))
    return ChangeLog(version, since, commit, compare(base, head, since, version), published=not base_ref)
