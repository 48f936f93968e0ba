"""`handbook serve`: data edits reach the open page, broken data shows located problems, then heals."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import ACME_PATH, fixture_mkdocs_yml
from live_server import fetch, serving, wait_for

pytestmark = pytest.mark.e2e

TIMEOUT = 90  # seconds; generous for a loaded 2-core machine (speed is measured in `make bench`)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_yaml_edit_reloads_and_errors_show_until_fixed(minimal: Path):
    fixture_mkdocs_yml(minimal)
    acme = minimal / ACME_PATH
    with serving(minimal) as server:
        page = server.url + "customers/acme/"
        assert "艾克米集团" in fetch(page)
        assert f"Serving on {server.url}" in server.log()

        _edit(acme, "name: 艾克米集团", "name: 艾克米控股")
        assert wait_for(page, lambda body: "艾克米控股" in body, TIMEOUT), server.log()
        # The page carries MkDocs' live-reload script, so an open browser reloads by itself.
        assert "livereload" in fetch(page)

        _edit(acme, "deployment: private", "deployment: privat\n<b>oops</b>: 1")
        body = wait_for(page, lambda body: "项目数据有误" in body, TIMEOUT)
        assert body, server.log()
        assert "<code>project_data/customers/acme.yml:4:13</code>" in body
        assert "&#x27;privat&#x27; is not allowed here" in body
        assert "&lt;b&gt;oops&lt;/b&gt;" in body and "<b>oops</b>" not in body  # data text is escaped
        assert "艾克米控股" not in body
        # The page at another address of the site says the same.
        assert "项目数据有误" in fetch(server.url + "methodology/start/")

        _edit(acme, "deployment: privat\n<b>oops</b>: 1", "deployment: private")
        assert wait_for(page, lambda body: "艾克米控股" in body and "项目数据有误" not in body, TIMEOUT), server.log()
    log = server.log()
    # Every located problem was printed as path:line:column: message.
    assert re.search(r"project_data/customers/acme\.yml:4:13: 'privat' is not allowed here", log)
    assert "project_data/customers/acme.yml:5:1: unknown key '<b>oops</b>'" in log


def test_template_and_fragment_edits_reload(minimal: Path, tmp_path: Path):
    templates = tmp_path / "site_templates"
    shutil.copytree(Path(__file__).resolve().parent.parent / "site_templates", templates)
    fixture_mkdocs_yml(minimal, templates_dir=str(templates))
    with serving(minimal) as server:
        page = server.url + "methodology/start/"
        assert "启动阶段的说明。" in fetch(page)
        _edit(minimal / "content/fragments/start.md", "启动阶段的说明。", "启动阶段的新说明。")
        assert wait_for(page, lambda body: "启动阶段的新说明。" in body, TIMEOUT), server.log()
        _edit(templates / "pages/phase.md.j2", "## 步骤", "## 工作步骤")
        assert wait_for(page, lambda body: "工作步骤" in body, TIMEOUT), server.log()
        _edit(templates / "pages/phase.md.j2", "## 工作步骤", "## 工作步骤 {% if %}")
        body = wait_for(page, lambda body: "项目数据有误" in body, TIMEOUT)
        assert body and "phase.md.j2:" in body, server.log()


def test_customer_preview_holds_only_that_customer(minimal: Path):
    fixture_mkdocs_yml(minimal)
    beta = minimal / "project_data/customers/beta.yml"
    beta.write_text((minimal / ACME_PATH).read_text(encoding="utf-8").replace("艾克米集团", "贝塔建设"),
                    encoding="utf-8")
    with serving(minimal, "--customer", "acme") as server:
        assert "previewing customer 'acme'" in server.log()
        index = fetch(server.url + "customers/")
        assert "艾克米集团" in index and "贝塔建设" not in index
        assert "贝塔建设" not in fetch(server.url + "customers/beta/")
        assert "项目组合看板" not in fetch(server.url + "customers/dashboard/")
        page = server.url + "customers/acme/"
        _edit(minimal / ACME_PATH, "name: 艾克米集团", "name: 艾克米控股")
        assert wait_for(page, lambda body: "艾克米控股" in body, TIMEOUT), server.log()


def test_serve_refuses_unknown_customer(minimal: Path):
    from handbook.cli import main

    fixture_mkdocs_yml(minimal)
    assert main(["--project", str(minimal), "serve", "--customer", "nobody"]) == 1
    assert main(["--project", str(minimal), "serve", "--customer", "../x"]) == 2


def _search_text(server) -> str:
    """Everything the served search index holds (jieba's word breaks removed)."""
    docs = json.loads(fetch(server.url + "search/search_index.json") or '{"docs": []}')["docs"]
    return "".join(d["title"] + d["text"] for d in docs).replace("\u200b", "")


def test_customer_preview_edit_reaches_the_page_the_nav_and_the_search_index(minimal: Path):
    fixture_mkdocs_yml(minimal)
    acme = minimal / ACME_PATH
    with serving(minimal, "--customer", "acme") as server:
        page, other = server.url + "customers/acme/", server.url + "methodology/start/"
        assert "艾克米集团" in fetch(page) and "艾克米集团" in _search_text(server)
        # The third name is one the preview showed two builds before: what is kept between
        # rebuilds must give the current text, whatever was seen earlier.
        for old, new in [("艾克米集团", "艾克米控股"), ("艾克米控股", "艾克米重工"), ("艾克米重工", "艾克米控股")]:
            _edit(acme, f"name: {old}", f"name: {new}")
            assert wait_for(page, lambda body: new in body and old not in body, TIMEOUT), server.log()
            # Every page of the preview carries the customer's section in its nav.
            assert new in fetch(other) and old not in fetch(other)
            search = _search_text(server)
            assert new in search and old not in search

        _edit(acme, "deployment: private", "deployment: privat")
        body = wait_for(page, lambda body: "项目数据有误" in body, TIMEOUT)
        assert body and "acme.yml:4:13" in body, server.log()
        _edit(acme, "deployment: privat", "deployment: private")
        assert wait_for(page, lambda body: "艾克米控股" in body and "项目数据有误" not in body, TIMEOUT), server.log()
        assert "艾克米控股" in _search_text(server) and "项目数据有误" not in fetch(other)


def test_serve_with_polling_still_reloads(minimal: Path):
    fixture_mkdocs_yml(minimal)
    with serving(minimal, "--customer", "acme", "--poll", "0.2") as server:
        page = server.url + "customers/acme/"
        assert "艾克米集团" in fetch(page)
        assert "Looking for changes every 0.2 s (--poll)" in server.log()
        _edit(minimal / ACME_PATH, "name: 艾克米集团", "name: 艾克米控股")
        assert wait_for(page, lambda body: "艾克米控股" in body, TIMEOUT), server.log()
