"""Trust (issue 16): rules over every round, inert data, output paths that cannot be hijacked,
nothing left behind by killed runs, located errors instead of tracebacks.

The leak scan and offline checks of the same issue are in test_leaks.py.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, ACME_PATH as ACME
from conftest import fixture_mkdocs_yml
from handbook.cli import main
from handbook.data.loader import Project, load_project
from handbook.errors import HandbookError
from handbook.site.build import MARKER, build_site
from test_loader import edit, problems


def _append(root: Path, text: str) -> None:
    path = root / ACME
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


SECOND_ROUND = """\
    - round: 2
      start: 2026-03-10
      end: 2026-03-12
      cases:
        - id: UAT-1
          scenario: 登录
          expected: 登录成功
          result: passed
"""


# -- 7: acceptance over every round -------------------------------------------------------------

def test_an_open_p1_from_an_earlier_round_forbids_acceptance(minimal: Path) -> None:
    edit(minimal, ACME, "result: pending", "result: passed")
    _append(minimal, SECOND_ROUND + "  decision: accepted\n")
    assert problems(minimal) == [
        f"{ACME}:57:13: decision 通过 (accepted) but P0/P1 defects are still open: BUG-1 (P1, found in round 1)"]
    # Closed in a later round: the latest status of a defect ID wins.
    path = minimal / ACME
    path.write_text(path.read_text(encoding="utf-8").replace(
        "          result: passed\n  decision", "          result: passed\n          defects:\n"
        "            - id: BUG-1\n              title: 无法登录\n              priority: P1\n"
        "              status: closed\n  decision"), encoding="utf-8")
    acceptance = load_project(Project.at(minimal)).customers[0].acceptance
    assert acceptance.is_accepted and acceptance.blocking_defects == ()


# -- 9: the fingerprint covers everything printed on the record ---------------------------------

def test_everything_the_record_prints_is_in_its_fingerprint(minimal: Path) -> None:
    """The record prints the handbook version the project follows (the customer's `handbook_version`),
    not the site's current one: publishing a new handbook version must not change a signed record,
    while changing the version the record names must change its fingerprint."""
    from handbook.pages.acceptance import render_record

    model = load_project(Project.at(minimal))
    before = model.customers[0].acceptance.fingerprint
    printed = render_record(model, model.customers[0], REPO / "site_templates", printable=True)
    assert f"{model.handbook.title} {model.customers[0].handbook_version}" in printed
    edit(minimal, "project_data/handbook.yml", 'version: "1.0"', 'version: "1.1"')
    bumped = load_project(Project.at(minimal))
    assert bumped.customers[0].acceptance.fingerprint == before
    assert render_record(bumped, bumped.customers[0], REPO / "site_templates", printable=True).split("生成于")[0] \
        == printed.split("生成于")[0]
    edit(minimal, "project_data/customers/acme.yml", 'handbook_version: "1.0"', 'handbook_version: "1.1"')
    assert load_project(Project.at(minimal)).customers[0].acceptance.fingerprint != before


# -- 10: no form controls from data -------------------------------------------------------------

def test_data_markdown_makes_no_form_controls() -> None:
    from handbook.pages.rendering import markdown_field

    html = str(markdown_field('<input type="password" name="p"> <button>go</button> <select><option>a</option>'
                              '</select> <textarea>t</textarea> <form action="https://x.example">f</form>'))
    for tag in ("<input", "<button", "<select", "<textarea", "<form", "<option"):
        assert tag not in html, html
    # Task lists from data are shown as ticked or not, without any input element.
    html = str(markdown_field("- [x] 已完成\n- [ ] 未完成\n"))
    assert "<input" not in html and "已完成" in html and "未完成" in html


# -- 11: every front-matter value Material prints is escaped ------------------------------------

@pytest.mark.e2e
def test_front_matter_subtitle_and_status_are_escaped(minimal: Path) -> None:
    (minimal / "content/guide.md").write_text(
        '---\nsubtitle: "<img src=x onerror=alert(1)>"\nstatus: "new\\"><img src=y onerror=alert(2)>"\n'
        'title: "<b onmouseover=alert(3)>T</b>"\n---\n\n# 指南\n', encoding="utf-8")
    config = fixture_mkdocs_yml(minimal)
    text = config.read_text(encoding="utf-8").replace("  - 首页: index.md\n", "  - 首页: index.md\n  - guide.md\n")
    config.write_text(text, encoding="utf-8")
    build_site(config, minimal / "site")
    for page in (minimal / "site").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<img src=x onerror" not in html and "<img src=y onerror" not in html, page
        assert "<b onmouseover" not in html, page


# -- 12: a symlinked project_data/ is a located error --------------------------------------------

def test_a_symlinked_data_directory_is_a_located_error(minimal: Path, tmp_path: Path) -> None:
    real = tmp_path / "elsewhere"
    (minimal / "project_data").rename(real)
    (minimal / "project_data").symlink_to(real)
    assert problems(minimal) == ["project_data:1:1: is a symbolic link; project data must be a real directory "
                                 "inside the project"]
    fixture_mkdocs_yml(minimal)
    assert main(["--project", str(minimal), "build"]) == 1


# -- 13: a symlinked output path is refused -----------------------------------------------------

@pytest.mark.parametrize("kind", ["dangling", "directory"])
def test_a_symlinked_output_path_is_refused(minimal: Path, tmp_path: Path, kind: str, capsys) -> None:
    config = fixture_mkdocs_yml(minimal)
    target = tmp_path / "outside"
    if kind == "directory":
        target.mkdir()
    (minimal / "site").symlink_to(target)
    with pytest.raises(HandbookError, match="is a symbolic link"):
        build_site(config, minimal / "site")
    assert main(["--project", str(minimal), "build"]) == 1
    assert "is a symbolic link; refusing to build through it" in capsys.readouterr().err
    assert not target.exists() or list(target.iterdir()) == []
    assert main(["--project", str(minimal), "render", "--out", str(minimal / "site")]) == 1


# -- 14: nothing left behind by killed runs -----------------------------------------------------

def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.mark.e2e
def test_leftovers_of_killed_runs_are_cleaned(minimal: Path) -> None:
    from handbook.site.build import STAGING_MARKER

    config = fixture_mkdocs_yml(minimal)
    dead = _dead_pid()
    stale_tmp = minimal / f".site.tmp-{dead}-abc"
    stale_tmp.mkdir()
    (stale_tmp / STAGING_MARKER).write_text(json.dumps({"pid": dead}), encoding="utf-8")
    (stale_tmp / "secret.html").write_text("客户数据", encoding="utf-8")
    live_tmp = minimal / f".site.tmp-{os.getppid()}-abc"  # a run still going: left alone
    live_tmp.mkdir()
    (live_tmp / STAGING_MARKER).write_text(json.dumps({"pid": os.getppid()}), encoding="utf-8")
    foreign = minimal / ".site.tmp-mine"  # not ours (no marker, not our naming): left alone
    foreign.mkdir()
    dist = minimal / "dist"
    dist.mkdir()
    stale_zip = dist / f".acme-handbook-1.0.zip.{dead}.x1.tmp"
    stale_zip.write_bytes(b"half a zip")
    stale_zip_dir = dist / f".acme-handbook-1.0.zip.tmp-{dead}-y2"
    stale_zip_dir.mkdir()
    (stale_zip_dir / STAGING_MARKER).write_text(json.dumps({"pid": dead}), encoding="utf-8")
    past = 1_000_000_000
    for path in (stale_tmp, live_tmp, foreign, stale_zip, stale_zip_dir):
        os.utime(path, (past, past))
    build_site(config, minimal / "site")
    assert not stale_tmp.exists() and live_tmp.exists() and foreign.exists()
    from handbook.deliver.bundle import build_bundle

    build_bundle(minimal, "acme", dist)
    assert not stale_zip.exists() and not stale_zip_dir.exists()
    assert sorted(p.name for p in dist.iterdir()) == ["acme-handbook-1.0.zip"]


@pytest.mark.e2e
def test_a_crash_between_two_renames_is_recovered(minimal: Path) -> None:
    from handbook.site.build import STAGING_MARKER

    config = fixture_mkdocs_yml(minimal)
    site = minimal / "site"
    build_site(config, site)
    # What a run killed between `site -> .site.old-*/site` and `staged -> site` leaves behind.
    dead = _dead_pid()
    old = minimal / f".site.old-{dead}-abc"
    old.mkdir()
    (old / STAGING_MARKER).write_text(json.dumps({"pid": dead}), encoding="utf-8")
    site.rename(old / "site")
    os.utime(old, (1_000_000_000, 1_000_000_000))
    edit(minimal, "content/index.md", "欢迎。", "欢迎。[坏链接](missing.md)")
    with pytest.raises(HandbookError):
        build_site(config, site)
    assert (site / MARKER).is_file() and (site / "index.html").is_file()
    assert not old.exists()


# -- 15: a full disk names the path -------------------------------------------------------------

@pytest.mark.e2e
def test_a_full_disk_names_the_path_and_exits_1(minimal: Path, monkeypatch, capsys) -> None:
    import mkdocs.utils

    fixture_mkdocs_yml(minimal)

    real = mkdocs.utils.write_file

    def write_file(content, output_path):  # the disk fills up at the first page
        if output_path.endswith(".html"):
            with open(output_path, "wb"):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(content, output_path)

    monkeypatch.setattr(mkdocs.utils, "write_file", write_file)
    assert main(["--project", str(minimal), "build"]) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and ".html: could not be written" in err and str(minimal) in err
    assert "Traceback" not in err
    assert not (minimal / "site").exists()


@pytest.mark.e2e
def test_a_full_disk_while_zipping_names_the_zip(minimal: Path, monkeypatch, capsys) -> None:
    import zipfile

    fixture_mkdocs_yml(minimal)

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(zipfile.ZipFile, "write", full)
    assert main(["--project", str(minimal), "bundle", "acme"]) == 1
    err = capsys.readouterr().err
    assert "acme-handbook-1.0.zip" in err and "No space left on device" in err and "Traceback" not in err
    assert list((minimal / "dist").iterdir()) == []


# -- 16: the cost of Markdown fields is bounded in validate --------------------------------------

def test_markup_heavy_markdown_fails_fast_in_validate(minimal: Path) -> None:
    edit(minimal, "project_data/faq.yml", "answer: 一套管理工程项目的软件。", f"answer: '{'<a ' * 6000}'")
    assert problems(minimal) == [
        "project_data/faq.yml:11:13: Markdown field holds 6000 '<' characters; the limit is 200"]


def test_the_probe_file_of_45_answers_is_refused_quickly(minimal: Path) -> None:
    entries = "".join(
        f"  - id: q{i}\n    question: 问题{i}\n    category: basics\n    answer: '{'<a ' * 6600}'\n" for i in range(45))
    path = minimal / "project_data/faq.yml"
    path.write_text(path.read_text(encoding="utf-8") + entries, encoding="utf-8")
    assert path.stat().st_size > 890_000
    found = problems(minimal)
    assert len(found) == 45 and all("'<' characters; the limit is 200" in p for p in found)
