"""Publish the internal handbook as one version among many, with mike, on a git branch.

The version is the handbook's own (`version:` in project_data/handbook.yml), never typed by hand.
The data is validated and the site built exactly like `handbook build` (any warning fails), into a
temporary directory, then committed by mike to `branch`: the pages under `<version>/`, each alias
(default `latest`) as a symbolic link to that folder, `versions.json` for Material's version
selector, and a root `index.html` redirecting to the first alias. Each version's entry in
`versions.json` records the source commit it was built from (`properties.handbook.commit`): the
base of the next version's 变更记录 page (`data.revisions.change_log`).

mike writes the branch with `git fast-import`: the working tree, the index and the current branch
are never touched. A data error, a build warning or a git failure before the commit leaves the
branch as it was.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..data.loader import Project
from ..data.model import Model
from ..errors import HandbookError
from ..load import load
from ..site.build import build_into, engine, source_commit
from ..site.variant import BuildVariant

REMOTE = "origin"


def _refused(messages: list[str], branch: str, committed: bool = False) -> HandbookError:
    """Publishing could not start or git refused it; say whether the branch changed."""
    summary = "" if committed else f"publish failed; nothing was committed to '{branch}'"
    return HandbookError(messages, summary=summary)


def _git(root: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    except OSError as error:
        raise HandbookError([f"git cannot be run ({error.strerror or error}); publishing needs git"]) from None


def branch_problem(branch: str) -> str | None:
    """Why `branch` is not a usable branch name, or None."""
    if not branch or branch.startswith("-"):
        return "not a valid branch name"
    try:
        result = subprocess.run(["git", "check-ref-format", "--branch", branch], capture_output=True, text=True)
    except OSError:
        return None  # reported as "git cannot be run" by the checks that need it
    return None if result.returncode == 0 else "not a valid branch name"


def _check_repository(root: Path, branch: str, push: bool) -> None:
    """Refuse, before anything is built, what would make the commit or the push fail."""
    problem = branch_problem(branch)
    if problem:
        raise _refused([f"'{branch}' is {problem}"], branch)
    if _git(root, "rev-parse", "--git-dir").returncode != 0:
        raise _refused([f"{root}: not a git repository; publish commits the site to the '{branch}' branch "
                            "of the project's repository (run it in a clone, or `git init` first)"], branch)
    current = _git(root, "symbolic-ref", "--quiet", "--short", "HEAD").stdout.strip()
    if current == branch:
        raise _refused([f"'{branch}' is the branch checked out here; publish to another branch "
                            "(the site would replace your sources)"], branch)
    for key, variable in (("user.name", "GIT_COMMITTER_NAME"), ("user.email", "GIT_COMMITTER_EMAIL")):
        if not os.environ.get(variable) and not _git(root, "config", "--", key).stdout.strip():
            raise _refused([f"git {key} is not set; mike commits as you "
                                f"(git config {key} ...)"], branch)
    if push and _git(root, "remote", "get-url", "--", REMOTE).returncode != 0:
        raise _refused([f"no git remote '{REMOTE}' to push to; add it, or publish without --push"], branch)


def publish(root: Path, *, branch: str = "gh-pages", aliases: Sequence[str] = ("latest",), push: bool = False,
            config_name: str = "mkdocs.yml", model: Model | None = None) -> str:
    """Validate, build and deploy the handbook at `root` to `branch` under its version; return it.

    Raises `HandbookError` (invalid data, a build error or warning, no git repository, no committer
    identity, git or mike refused); the branch is unchanged then, except when only the push failed
    (the local commit stays, to be pushed later).
    """
    from mike import commands, git_utils
    from mike.app_version import version as mike_version

    root = Path(root).resolve()
    model = model or load(Project.at(root))
    version = model.handbook.version
    aliases = list(aliases)
    _check_repository(root, branch, push)
    head = _git(root, "rev-parse", "--verify", "--quiet", "HEAD").stdout.strip()
    dirty = bool(_git(root, "status", "--porcelain").stdout.strip())
    message = (f"Published handbook {version}{' (' + ', '.join(aliases) + ')' if aliases else ''} "
               f"from {source_commit(root)} with {engine()} and mike {mike_version}")
    # mike runs git in the working directory.
    with contextlib.chdir(root), tempfile.TemporaryDirectory(prefix="handbook-publish-") as tmp:
        try:
            # As `mike deploy` does: take up a newer remote branch first, refuse a diverged one.
            git_utils.update_from_upstream(REMOTE, branch)
            try:  # mike's bookkeeping, checked before the build: e.g. an alias that is already a version
                commands.list_versions(branch).add(version, aliases=aliases, update_aliases=True)
            except ValueError as error:
                raise _refused([f"cannot publish {version} as {', '.join(aliases)}: {error}"], branch) from None
            cfg = {"site_dir": str(Path(tmp) / "site"), "use_directory_urls": True}
            try:
                # The source commit is kept in versions.json (mike's version properties), so that the
                # 变更记录 page of a later version knows what this one was built from.
                props = [("handbook.commit", head), ("handbook.dirty", dirty)] if head else []
                with commands.deploy(cfg, version, aliases=aliases, update_aliases=True, branch=branch,
                                     message=message, set_props=props):
                    build_into(root / config_name, Path(cfg["site_dir"]), BuildVariant.published(),
                               use_directory_urls=True)
            except git_utils.GitEmptyCommit:
                pass  # this very site is already published under this version and these aliases
            try:
                commands.set_default(aliases[0] if aliases else version, branch=branch)
            except git_utils.GitEmptyCommit:
                pass  # the root already redirects there
        except git_utils.GitError as error:
            raise _refused([str(error)], branch) from None
        if push:
            try:
                git_utils.push_branch(REMOTE, branch)
            except git_utils.GitError as error:
                raise _refused([str(error), f"{version} is committed to the local '{branch}' branch; "
                                    f"push it later with `git push {REMOTE} {branch}`"], branch, committed=True) from None
    return version
