"""Editing through pull requests: edit links to the record's line, git dates, scaffolding, pre-commit."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import ACME_PATH, REPO, fixture_mkdocs_yml
from handbook.cli import main
from handbook.data.loader import Project
from handbook.errors import Location
from handbook.load import load
from handbook.pages.registry import generate
from handbook.site.edit_links import EditLinks, section_edit_link
from handbook.site.git_dates import GitDates

EDIT = re.compile(r'<a href="([^"]+)" title="[^"]*" class="md-content__button md-icon" rel="edit"')


class _Config(dict):
    docs_dir: str


def _links(root: Path, **options) -> EditLinks:
    config = _Config(repo_url="https://git.example.com/delivery/handbook", edit_uri=None, edit_uri_template=None)
    config.update(options)
    config.docs_dir = str(root / "content")
    links = EditLinks.from_config(config, root)
    assert links is not None
    return links


def test_edit_uri_and_edit_uri_template_reach_files_outside_docs_dir(tmp_path: Path):
    data = Location("project_data/customers/acme.yml", 42)
    page = Location("content/methodology/principles.md")
    github = _links(tmp_path, edit_uri="edit/main/content/")
    assert github.url(data) == "https://git.example.com/delivery/handbook/edit/main/project_data/customers/acme.yml#L42"
    assert github.url(page) == "https://git.example.com/delivery/handbook/edit/main/content/methodology/principles.md"
    gitlab = _links(tmp_path, edit_uri_template="-/edit/main/content/{path}")
    assert gitlab.url(data) == "https://git.example.com/delivery/handbook/-/edit/main/project_data/customers/acme.yml#L42"
    # A project in a folder of a larger repository: the folder is part of edit_uri, and stays.
    nested = _links(tmp_path, edit_uri="edit/main/docs/handbook/content/")
    assert nested.url(data).endswith("/edit/main/docs/handbook/project_data/customers/acme.yml#L42")
    link = section_edit_link(github, "content/fragments/a&amp;b.md:1:1")
    assert 'href="https://git.example.com/delivery/handbook/edit/main/content/fragments/a&amp;b.md"' in link
    assert "编辑此部分" in link


def test_no_edit_links_without_repository_or_edit_uri(tmp_path: Path):
    config = _Config(repo_url=None, edit_uri="edit/main/content/", edit_uri_template=None)
    config.docs_dir = str(tmp_path)
    assert EditLinks.from_config(config, tmp_path) is None
    config.update(repo_url="https://git.example.com/x", edit_uri=None)
    assert EditLinks.from_config(config, tmp_path) is None


def _line(root: Path, location: Location) -> str:
    return (root / location.path).read_text(encoding="utf-8").splitlines()[location.line - 1]


def _top_level_key(root: Path, location: Location) -> str:
    """The top-level key of the YAML block that `location`'s line belongs to."""
    lines = (root / location.path).read_text(encoding="utf-8").splitlines()[:location.line]
    return next(line.split(":")[0] for line in reversed(lines) if line[:1].isalpha())


def test_every_generated_page_names_an_existing_file_at_its_record():
    model = load(Project.at(REPO))
    pages = generate(model, REPO / "site_templates")
    for page in pages:
        assert page.sources, page.path
        first = page.sources[0]
        assert (REPO / first.path).is_file(), (page.path, first)
        owner = page.route.owner
        if owner is None:
            continue
        if owner.kind == "customer":
            assert first.path == f"project_data/customers/{owner.id}.yml", page.path
            if page.path == f"customers/{owner.id}/index.md":
                assert first.line == owner.where.line
            else:
                # acceptance(-print), training, operations, health-check-<date>: that block of the file.
                key = _top_level_key(REPO, first)
                expected = "operations" if "health-check-" in page.path else page.path.rsplit("/", 1)[1][:-3]
                # A block the file does not have yet (no operations written): the file's start.
                assert key == expected.removesuffix("-print") or first.line == owner.where.line, (page.path, key)
        elif owner.kind == "role" and page.path.startswith(("training/", "print/")):
            # A manual: its first module's record, then each module's body file.
            module = model.modules_for(owner.id)[0]
            assert f"id: {module.id}" in _line(REPO, first), page.path
            assert any(s.path == module.body_location.path for s in page.sources)
        else:
            assert f"id: {owner.id}" in _line(REPO, first) or first.line == owner.where.line, page.path
    phase = next(p for p in pages if p.path == "methodology/initiation.md")
    assert [s.path for s in phase.sources] == ["project_data/phases.yml", "content/fragments/phases/initiation.md"]


@pytest.mark.e2e
def test_every_page_of_the_sample_site_links_to_an_existing_file(sample_site: Path, sample_copy: Path):
    repository = yaml.safe_load((REPO / "project_data/handbook.yml").read_text(encoding="utf-8"))["repository"]
    prefix = repository + "/edit/main/"
    pages = [p for p in sample_site.rglob("*.html") if p.name != "404.html"]
    assert len(pages) > 40
    for page in pages:
        text = page.read_text(encoding="utf-8")
        found = EDIT.findall(text)
        assert len(found) == 1, page
        assert found[0].startswith(prefix), (page, found[0])
        path, _, anchor = found[0][len(prefix):].partition("#L")
        assert (REPO / path).is_file(), (page, path)
        if anchor:
            assert 1 < int(anchor) <= len((REPO / path).read_text(encoding="utf-8").splitlines())
        assert re.search(r"最后更新：(\d{4}-\d{2}-\d{2}|未知)", text), page
    phase = (sample_site / "methodology/initiation/index.html").read_text(encoding="utf-8")
    assert f'href="{prefix}content/fragments/phases/initiation.md"' in phase and "编辑此部分" in phase
    manual = (sample_site / "training/administrator/index.html").read_text(encoding="utf-8")
    assert manual.count("编辑此部分") == len(load(Project.at(REPO)).modules_for("administrator"))
    customer = (sample_site / "customers/ruifeng-mfg/index.html").read_text(encoding="utf-8")
    assert EDIT.search(customer).group(1) == f"{prefix}project_data/customers/ruifeng-mfg.yml#L2"


def _git(root: Path, *args: str, date: str | None = None) -> None:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "PATH": "/usr/bin:/bin"}
    if date:
        env.update(GIT_AUTHOR_DATE=f"{date}T10:00:00+00:00", GIT_COMMITTER_DATE=f"{date}T10:00:00+00:00")
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


@pytest.mark.e2e
def test_git_dates_follow_the_record_files(minimal: Path, tmp_path: Path):
    from handbook.site.build import build_site

    _git(minimal, "init", "-q", "-b", "main")
    _git(minimal, "add", "-A")
    _git(minimal, "commit", "-q", "-m", "first", date="2026-01-10")
    acme = minimal / ACME_PATH
    acme.write_text(acme.read_text(encoding="utf-8").replace("艾克米集团", "艾克米控股"), encoding="utf-8")
    _git(minimal, "commit", "-q", "-am", "second", date="2026-03-20")
    dates = GitDates.read(minimal)
    assert dates.of([ACME_PATH]) == "2026-03-20"
    assert dates.of(["project_data/phases.yml", "content/fragments/start.md"]) == "2026-01-10"
    assert dates.of(["project_data/phases.yml", ACME_PATH]) == "2026-03-20"
    assert dates.of(["nowhere.yml"]) is None

    out = tmp_path / "site"
    build_site(fixture_mkdocs_yml(minimal), out)
    assert "最后更新：2026-03-20" in (out / "customers/acme/index.html").read_text(encoding="utf-8")
    assert "最后更新：2026-01-10" in (out / "methodology/start/index.html").read_text(encoding="utf-8")
    assert "最后更新：2026-01-10" in (out / "index.html").read_text(encoding="utf-8")  # hand-written

    # A shallow clone cannot tell: every page says the date is unknown, and the build still succeeds.
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{minimal}", str(clone)], check=True,
                   capture_output=True)
    assert GitDates.read(clone).dates == {}
    assert GitDates.read(tmp_path / "no-repo-here").dates == {}


@pytest.mark.e2e
def test_unknown_dates_never_fail_a_build(minimal: Path, tmp_path: Path):
    from handbook.site.build import build_site

    out = tmp_path / "site"
    build_site(fixture_mkdocs_yml(minimal), out)  # tmp dirs are no git work tree
    assert "最后更新：未知" in (out / "customers/acme/index.html").read_text(encoding="utf-8")


def test_new_customer_validates_and_refuses_bad_ids(minimal: Path, capsys):
    project = ["--project", str(minimal)]
    assert main([*project, "new", "customer", "beta", "--name", '贝塔: "建设" #1', "--deployment", "saas"]) == 0
    written = minimal / "project_data/customers/beta.yml"
    text = written.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../plugins/handbook/data/schemas/customer.schema.json\n")
    assert "role: admin" in text and "role: engineer" in text  # the roles of roles.yml
    assert "sla: gold" in text and "金牌" in text and "current_phase: start" in text
    assert "  - phase: run" in text and "task: kickoff" in text
    assert main([*project, "validate"]) == 0
    model = load(Project.at(minimal))
    beta = next(c for c in model.customers if c.id == "beta")
    assert beta.name == '贝塔: "建设" #1' and beta.deployment == "saas"
    capsys.readouterr()

    assert main([*project, "new", "customer", "beta", "--name", "x", "--deployment", "saas"]) == 2
    assert "exists already" in capsys.readouterr().err
    assert written.read_text(encoding="utf-8") == text
    for bad in ("../evil", "Beta", "con", "a b"):
        assert main([*project, "new", "customer", bad, "--name", "x", "--deployment", "saas"]) == 2
    assert main([*project, "new", "customer", "dashboard", "--name", "x", "--deployment", "saas"]) == 2
    assert "reserved" in capsys.readouterr().err
    assert sorted(p.name for p in (minimal / "project_data/customers").iterdir()) == ["acme.yml", "beta.yml"]
    with pytest.raises(SystemExit) as exited:
        main([*project, "new", "customer", "gamma", "--name", "x", "--deployment", "cloud"])
    assert exited.value.code == 2


@pytest.mark.e2e
def test_new_customer_builds(minimal: Path, tmp_path: Path):
    from handbook.site.build import build_site

    assert main(["--project", str(minimal), "new", "customer", "beta", "--name", "贝塔建设", "--deployment", "hybrid"]) == 0
    out = tmp_path / "site"
    build_site(fixture_mkdocs_yml(minimal), out)
    assert "贝塔建设" in (out / "customers/beta/index.html").read_text(encoding="utf-8")


def test_pre_commit_hook_manifest():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hooks, list) and hooks
    validate = next(h for h in hooks if h["id"] == "handbook-validate")
    assert {"id", "name", "entry", "language"} <= validate.keys()
    assert validate["entry"] == "handbook validate" and validate["language"] == "python"
    assert validate["pass_filenames"] is False
    assert re.match(validate["files"], "project_data/customers/acme.yml")
    assert re.match(validate["files"], "content/fragments/x.md") and not re.match(validate["files"], "README.md")
    local = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    (repo,) = local["repos"]
    assert repo["repo"] == "local" and repo["hooks"][0]["id"] == "handbook-validate"


def test_pre_commit_accepts_the_manifest_and_the_config():
    import sys

    pre_commit = Path(sys.executable).parent / "pre-commit"
    for command, name in (("validate-manifest", ".pre-commit-hooks.yaml"), ("validate-config", ".pre-commit-config.yaml")):
        done = subprocess.run([str(pre_commit), command, name], cwd=REPO, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


def test_new_customer_in_an_initialised_project_points_at_its_schema_copy(tmp_path: Path):
    root = tmp_path / "hb"
    assert main(["init", str(root)]) == 0
    assert main(["--project", str(root), "new", "customer", "first", "--name", "第一位客户",
                 "--deployment", "private"]) == 0
    written = root / "project_data/customers/first.yml"
    first_line = written.read_text(encoding="utf-8").splitlines()[0]
    schema = first_line.removeprefix("# yaml-language-server: $schema=")
    assert schema != first_line and (written.parent / schema).resolve().is_file()
    assert main(["--project", str(root), "validate"]) == 0
