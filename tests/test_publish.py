"""Versioned publishing with mike: `handbook publish` commits each handbook version to gh-pages.

Every test works in its own git repository holding a copy of the sample project; what was
published is read back with git itself, never through mike.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from handbook.cli import main
from handbook.errors import HandbookError
from handbook.deliver.publish import publish

pytestmark = pytest.mark.e2e

PAGES = ("index.html", "customers/ruifeng-mfg/index.html", "customers/ruifeng-mfg/acceptance/index.html",
         "versions.json")


def plain_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """Git as on a fresh machine: no global or system configuration, no inherited repository."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL",
                 "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _plain_git(monkeypatch) -> None:
    plain_git(monkeypatch)


def git(repo: Path, *args: str, check: bool = True) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=check).stdout


def copy_sample(sample_copy: Path, dest: Path) -> Path:
    shutil.copytree(sample_copy, dest)
    return dest


def make_repo(root: Path, identity: bool = True) -> Path:
    """`root` as a git repository on branch main with everything in one commit."""
    git(root, "init", "-q", "-b", "main")
    if identity:
        git(root, "config", "user.name", "Handbook Test")
        git(root, "config", "user.email", "test@example.invalid")
    else:
        git(root, "config", "user.useConfigOnly", "true")
    git(root, "add", "-A")
    git(root, "-c", "user.name=Setup", "-c", "user.email=setup@example.invalid", "commit", "-q", "-m", "sources")
    return root


def set_version(root: Path, version: str) -> None:
    path = root / "project_data/handbook.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('version: "2.3"', f'version: "{version}"'), encoding="utf-8")


def state(repo: Path) -> tuple[str, str, str]:
    """What publishing must never change: HEAD, the checked-out branch and the working tree."""
    return git(repo, "rev-parse", "HEAD"), git(repo, "symbolic-ref", "HEAD"), git(repo, "status", "--porcelain",
                                                                                   "--untracked-files=all")


@pytest.fixture(scope="module")
def published(sample_copy: Path, tmp_path_factory) -> dict:
    """The sample published as 2.3, then (after a committed version bump) as 2.4."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        plain_git(monkeypatch)
        repo = make_repo(copy_sample(sample_copy, tmp_path_factory.mktemp("publish") / "handbook"))
        states = []
        before = state(repo)
        assert publish(repo) == "2.3"
        states.append((before, state(repo)))
        set_version(repo, "2.4")
        phases = repo / "project_data/phases.yml"
        phases.write_text(phases.read_text(encoding="utf-8").replace(
            "title: 召开项目启动会并形成会议纪要", "title: 召开项目启动会，形成并分发会议纪要"), encoding="utf-8")
        git(repo, "commit", "-q", "-am", "handbook 2.4")
        before = state(repo)
        assert publish(repo) == "2.4"
        states.append((before, state(repo)))
    return {"repo": repo, "states": states}


def test_both_versions_are_on_the_branch_with_their_pages(published) -> None:
    repo = published["repo"]
    versions = json.loads(git(repo, "show", "gh-pages:versions.json"))
    assert [(v["version"], v["aliases"]) for v in versions] == [("2.4", ["latest"]), ("2.3", [])]
    files = set(git(repo, "ls-tree", "-r", "--name-only", "gh-pages").splitlines())
    for version in ("2.3", "2.4"):
        for page in PAGES[:-1]:
            assert f"{version}/{page}" in files, (version, page)
        assert f"{version}/search/search_index.json" in files
        assert not any(f.startswith(f"{version}/") and f.endswith(".handbook-build.json") for f in files)
    # Each version folder holds the pages built from that version of the data.
    for version in ("2.3", "2.4"):
        assert f"（版本 {version}）" in git(repo, "show", f"gh-pages:{version}/methodology/index.html")
    # Material's version selector is switched on in the published pages.
    assert '"provider": "mike"' in git(repo, "show", "gh-pages:2.4/index.html")


def test_latest_points_at_the_newest_and_the_root_redirects_to_it(published) -> None:
    repo = published["repo"]
    entry = git(repo, "ls-tree", "gh-pages", "latest").split()
    assert entry[0] == "120000", "latest is a symbolic link"
    assert git(repo, "show", "gh-pages:latest") == "2.4"
    assert 'url=latest/' in git(repo, "show", "gh-pages:index.html")
    assert git(repo, "show", "gh-pages:.nojekyll") == ""


def test_the_working_tree_and_the_current_branch_are_untouched(published) -> None:
    repo = published["repo"]
    for before, after in published["states"]:
        assert after == before
        assert after[1].strip() == "refs/heads/main" and after[2] == ""
    assert not (repo / "site").exists()
    log = git(repo, "log", "--format=%s", "gh-pages")
    sources = git(repo, "rev-parse", "--short=12", "main").strip()
    # The commit names the engine that built the pages (MkDocs' Python API), not the one mike would
    # pick: with ProperDocs installed beside MkDocs, mike's own message names ProperDocs.
    import mkdocs

    assert f"Published handbook 2.4 (latest) from {sources} with MkDocs {mkdocs.__version__} and mike" in log


def test_republishing_the_same_version_changes_nothing(published) -> None:
    repo = published["repo"]
    head = git(repo, "rev-parse", "gh-pages")
    assert publish(repo) == "2.4"
    assert git(repo, "rev-parse", "gh-pages") == head
    assert state(repo)[2] == ""


def test_refused_outside_a_git_repository(sample_copy: Path, tmp_path: Path, capsys) -> None:
    root = copy_sample(sample_copy, tmp_path / "handbook")
    assert main(["--project", str(root), "publish"]) == 1
    err = capsys.readouterr().err
    assert "not a git repository" in err and "Traceback" not in err
    assert not (root / ".git").exists()


def test_refused_without_a_committer_or_onto_the_checked_out_branch(sample_copy: Path, tmp_path: Path,
                                                                    capsys) -> None:
    root = make_repo(copy_sample(sample_copy, tmp_path / "handbook"), identity=False)
    assert main(["--project", str(root), "publish"]) == 1
    assert "git user.name is not set" in capsys.readouterr().err
    git(root, "config", "user.name", "Handbook Test")
    git(root, "config", "user.email", "test@example.invalid")
    assert main(["--project", str(root), "publish", "--branch", "main"]) == 1
    assert "'main' is the branch checked out here" in capsys.readouterr().err
    assert main(["--project", str(root), "publish", "--branch", "bad..name"]) == 2
    assert main(["--project", str(root), "publish", "--push"]) == 1
    assert "no git remote 'origin'" in capsys.readouterr().err
    assert git(root, "branch", "--list", "gh-pages") == ""


def test_a_data_error_or_a_build_warning_leaves_the_branch_unchanged(sample_copy: Path, tmp_path: Path,
                                                                      capsys) -> None:
    root = make_repo(copy_sample(sample_copy, tmp_path / "handbook"))
    git(root, "branch", "gh-pages")  # stands for what an earlier publish left
    before = git(root, "rev-parse", "gh-pages"), state(root)

    handbook = root / "project_data/handbook.yml"
    handbook.write_text(handbook.read_text(encoding="utf-8").replace('version: "2.3"', 'version: "2.x"'),
                        encoding="utf-8")
    with pytest.raises(HandbookError):
        publish(root)
    assert main(["--project", str(root), "publish"]) == 1
    err = capsys.readouterr().err
    assert "project_data/handbook.yml:" in err and "nothing was committed" in err and "Traceback" not in err
    git(root, "checkout", "-q", "--", "project_data/handbook.yml")

    index = root / "content/index.md"
    index.write_text(index.read_text(encoding="utf-8") + "\n[gone](no-such-page.md)\n", encoding="utf-8")
    with pytest.raises(HandbookError) as error:
        publish(root)
    assert any("no-such-page.md" in m for m in error.value.messages)
    git(root, "checkout", "-q", "--", "content/index.md")

    assert (git(root, "rev-parse", "gh-pages"), state(root)) == before


def test_push_publishes_to_origin(sample_copy: Path, tmp_path: Path, capsys) -> None:
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    root = make_repo(copy_sample(sample_copy, tmp_path / "handbook"))
    git(root, "remote", "add", "origin", str(origin))
    assert main(["--project", str(root), "publish", "--push"]) == 0
    assert "published handbook 2.3" in capsys.readouterr().out
    assert git(origin, "rev-parse", "gh-pages") == git(root, "rev-parse", "gh-pages")
    assert git(origin, "show", "gh-pages:latest") == "2.3"
    with pytest.raises(HandbookError) as error:  # a branch on origin that is not ours is never overwritten
        git(root, "update-ref", "refs/remotes/origin/gh-pages", git(root, "rev-parse", "main").strip())
        publish(root, push=True)
    assert "diverged" in error.value.messages[0] or "unrelated" in error.value.messages[0]


def test_each_version_records_its_source_commit(published) -> None:
    repo = published["repo"]
    versions = {v["version"]: v["properties"]["handbook"] for v in json.loads(git(repo, "show", "gh-pages:versions.json"))}
    assert versions["2.4"] == {"commit": git(repo, "rev-parse", "main").strip(), "dirty": False}
    assert versions["2.3"]["commit"] == git(repo, "rev-parse", "main~1").strip()


def test_the_second_version_lists_what_changed_since_the_first(published) -> None:
    repo = published["repo"]
    first = git(repo, "show", "gh-pages:2.3/changes/index.html")
    assert "之前没有已发布的版本" in first
    page = git(repo, "show", "gh-pages:2.4/changes/index.html")
    assert "相对上一发布版本 <strong>2.3</strong>" in page
    assert git(repo, "rev-parse", "--short=12", "main~1").strip() in page
    assert "init-kickoff" in page and "召开项目启动会" in page
    assert "<ins>，</ins>" in page and "<ins>并分发</ins>" in page and "<del>并</del>" in page
    assert "修改 2 项" in page  # the task and the handbook's version
    assert "客户项目记录没有变化" in page
