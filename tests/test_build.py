"""End-to-end builds of the sample handbook, the CLI's exit codes and atomic output."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO
from handbook.site.build import MARKER, build_site
from handbook.cli import main
from handbook.data.loader import Project, load_project
from handbook.errors import HandbookError

pytestmark = pytest.mark.e2e


def read(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def test_sample_site_pages_show_the_data(sample_site: Path) -> None:
    model = load_project(Project.at(REPO))
    phase = model.phases[0]
    page = read(sample_site, f"methodology/{phase.id}/index.html")
    assert f"<title>1. {phase.name} - {model.handbook.title}</title>" in page
    assert page.count('class="task-list-item"') == len(phase.tasks)
    assert "退出关口" in page
    for customer in model.customers:
        html = read(sample_site, f"customers/{customer.id}/index.html")
        assert f"{customer.done} / {customer.applicable} 项任务（{customer.percent}%）" in html
        assert '<svg xmlns="http://www.w3.org/2000/svg" class="hb-timeline"' in html
        assert f"<title>{customer.name}：项目概况 - {model.handbook.title}</title>" in html
    dashboard = read(sample_site, "customers/dashboard/index.html")
    assert all(c.name in dashboard for c in model.customers)
    assert (sample_site / MARKER).is_file()


def test_search_and_pages_take_the_language_of_handbook_yml(sample_site: Path) -> None:
    model = load_project(Project.at(REPO))
    assert f'<html lang="{model.handbook.language}"' in read(sample_site, "index.html")
    settings = json.loads(read(sample_site, "search/search_index.json"))["config"]
    # Material's search picks its default pipeline from the theme language in its own on_config:
    # Chinese gets "stemmer"; English's "stopWordFilter" would drop words such as "it" from queries.
    assert settings["lang"] == [model.handbook.language] and settings["pipeline"] == ["stemmer"]


def test_customer_pages_carry_only_their_own_nav_section(sample_site: Path) -> None:
    html = read(sample_site, "customers/huajian-group/index.html")
    nav = html[html.index("md-nav--primary"):html.index("md-sidebar--secondary")]
    assert "华建工程集团" in nav and "瑞丰精密制造" not in nav and "康宁医院" not in nav


def test_cli_exit_codes(minimal: Path, capsys) -> None:
    assert main(["--project", str(minimal), "validate"]) == 0
    assert "ok: 3 phases" in capsys.readouterr().out
    acme = minimal / "project_data/customers/acme.yml"
    acme.write_text(acme.read_text(encoding="utf-8").replace("sla: gold", "sla: gld"), encoding="utf-8")
    assert main(["--project", str(minimal), "validate"]) == 1
    err = capsys.readouterr().err
    assert "project_data/customers/acme.yml:5:6: unknown SLA tier 'gld' (did you mean 'gold'?)" in err
    with pytest.raises(SystemExit) as exit_info:
        main(["no-such-command"])
    assert exit_info.value.code == 2
    result = subprocess.run([sys.executable, "-m", "handbook.cli", "validate", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "file:line:column" in result.stdout


def test_data_errors_fail_a_plain_mkdocs_build_with_located_messages(minimal: Path, tmp_path: Path) -> None:
    from conftest import fixture_mkdocs_yml

    acme = minimal / "project_data/customers/acme.yml"
    acme.write_text(acme.read_text(encoding="utf-8").replace("sla: gold", "sla: gld"), encoding="utf-8")
    with pytest.raises(HandbookError) as info:
        build_site(fixture_mkdocs_yml(minimal), tmp_path / "out")
    assert "project_data/customers/acme.yml:5:6: unknown SLA tier 'gld' (did you mean 'gold'?)" in info.value.messages
    assert not (tmp_path / "out").exists()


def test_failed_and_crashed_builds_leave_the_previous_site(sample_copy: Path, tmp_path: Path, monkeypatch) -> None:
    project = shutil.copytree(sample_copy, tmp_path / "proj")
    out = tmp_path / "site"
    build_site(project / "mkdocs.yml", out)
    before = read(out, "index.html")
    (out / "stale.txt").write_text("old", encoding="utf-8")
    (out / ".stale").write_text("old", encoding="utf-8")
    # A data error: the CLI reports it and the site stays.
    customer = project / "project_data/customers/ruifeng-mfg.yml"
    good = customer.read_text(encoding="utf-8")
    customer.write_text(good.replace("deployment: saas", "deployment: cloud"), encoding="utf-8")
    assert main(["--project", str(project), "build", "--out", str(out)]) == 1
    assert read(out, "index.html") == before
    customer.write_text(good, encoding="utf-8")
    # A crash inside a page generator: nothing half-built becomes visible, no temp dir stays.
    import handbook.pages.faq

    def explode(model, templates_dir):
        raise RuntimeError("generator crashed")

    monkeypatch.setattr(handbook.pages.faq, "pages", explode)
    with pytest.raises(RuntimeError):
        build_site(project / "mkdocs.yml", out)
    assert read(out, "index.html") == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proj", "site"]
    monkeypatch.undo()
    # A good build replaces everything, stale files and dotfiles included.
    build_site(project / "mkdocs.yml", out)
    assert not (out / "stale.txt").exists() and not (out / ".stale").exists()


def test_foreign_directories_are_never_replaced(sample_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "signed"
    out.mkdir()
    (out / "contract.pdf").write_bytes(b"%PDF signed")
    with pytest.raises(HandbookError, match="was not built by handbook"):
        build_site(sample_copy / "mkdocs.yml", out)
    assert (out / "contract.pdf").read_bytes() == b"%PDF signed"


def test_plain_mkdocs_strict_build_works(sample_copy: Path, tmp_path: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    # Without -q: with it, MkDocs exits 0 even on warnings (mkdocs#4126), and this test could not fail.
    result = subprocess.run([str(Path(sys.executable).parent / "mkdocs"), "build", "--strict",
                             "-d", str(tmp_path / "out")], cwd=sample_copy, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out/customers/ruifeng-mfg/index.html").is_file()


def test_bad_output_paths_are_reported_without_traceback(minimal: Path, tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    assert main(["--project", str(minimal), "render", "--out", str(blocker),
                 "--templates", str(REPO / "site_templates")]) == 1
    assert "exists and was not written by handbook" in capsys.readouterr().err
    assert blocker.read_text(encoding="utf-8") == "x"


def test_render_writes_markdown_and_nav(minimal: Path, tmp_path: Path) -> None:
    assert main(["--project", str(minimal), "render", "--out", str(tmp_path / "md"),
                 "--templates", str(REPO / "site_templates")]) == 0
    nav = (tmp_path / "md/nav.yml").read_text(encoding="utf-8")
    assert "customers/acme/index.md" in nav
    page = (tmp_path / "md/customers/acme/index.md").read_text(encoding="utf-8")
    assert re.search(r"^# 艾克米集团：项目概况$", page, re.M)
    assert (tmp_path / "md/customers/dashboard.md").is_file()
    # A customer's render replaces the whole folder: no internal page or other customer stays.
    assert main(["--project", str(minimal), "render", "--out", str(tmp_path / "md"), "--customer", "acme",
                 "--templates", str(REPO / "site_templates")]) == 0
    assert not (tmp_path / "md/customers/dashboard.md").exists()


def test_swap_replaces_the_old_tree_in_one_step(tmp_path: Path) -> None:
    from handbook.site.build import swap_into

    target, built = tmp_path / "site", tmp_path / "new"
    for folder, name in ((target, "old.html"), (built, "new.html")):
        folder.mkdir()
        (folder / name).write_text(name, encoding="utf-8")
    swap_into(built, target)
    assert [p.name for p in target.iterdir()] == ["new.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_every_template_download_link_resolves_to_a_built_page(sample_site: Path) -> None:
    model = load_project(Project.at(REPO))
    checked = 0
    for phase in model.phases:
        page_dir = sample_site / f"methodology/{phase.id}"
        html = read(sample_site, f"methodology/{phase.id}/index.html")
        hrefs = re.findall(r'<a href="([^"]+)">查看模板</a>', html)
        assert len(hrefs) == sum(1 for d in phase.deliverables if d.template)
        for href in hrefs:
            target = (page_dir / href).resolve()
            assert (target / "index.html" if target.is_dir() else target).is_file(), href
            assert "<h1" in (target / "index.html").read_text(encoding="utf-8")
            checked += 1
    assert checked >= 10


def test_a_link_to_an_excluded_page_fails_the_build(sample_copy: Path, tmp_path: Path) -> None:
    # MkDocs leaves out a top-level templates/ folder and logs links to it at INFO only.
    project = shutil.copytree(sample_copy, tmp_path / "proj")
    shutil.move(project / "content/deliverables", project / "content/templates")
    phases = project / "project_data/phases.yml"
    phases.write_text(phases.read_text(encoding="utf-8").replace("template: deliverables/", "template: templates/"),
                      encoding="utf-8")
    with pytest.raises(HandbookError) as info:
        build_site(project / "mkdocs.yml", tmp_path / "out")
    expected = ("methodology/initiation.md: links to templates/implementation-plan.md, which is excluded from the "
                "built site (a 404)")
    assert any(message.endswith(expected) for message in info.value.messages), info.value.messages
    assert sum("which is excluded from the built site" in message for message in info.value.messages) == 12
