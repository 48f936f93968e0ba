"""What `handbook serve` keeps between rebuilds (site/rebuilds.py) never changes what is built.

Each test rebuilds in one process the way `serve` does (the configuration read again, the plugin
instance kept after `on_startup(command="serve")`), edits sources between builds, and compares
every written file, search index included, with a build of the same sources that keeps nothing.
"""

from __future__ import annotations

import filecmp
import json
import logging
import os
from pathlib import Path

import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from conftest import ACME_PATH, fixture_mkdocs_yml

pytestmark = pytest.mark.e2e

SERVE_URL = "http://127.0.0.1:8000/"


@pytest.fixture
def rebuilder():
    """Make `Rebuilder`s, each shut down after the test."""
    made: list[Rebuilder] = []

    def make(root: Path, out: Path) -> Rebuilder:
        made.append(Rebuilder(root, out))
        return made[-1]

    yield make
    for builds in made:
        builds.close()


class Rebuilder:
    """Builds a project like `serve`, into `kept/` (state kept) and `fresh/` (nothing kept)."""

    def __init__(self, root: Path, out: Path):
        self.root, self.kept, self.fresh = root, out / "kept", out / "fresh"
        self.config = self._config(self.kept)
        self.config.plugins.on_startup(command="serve", dirty=False)
        self.plugin = self.config.plugins["handbook"]

    def close(self) -> None:
        """End the serve session: MkDocs keeps a plugin with `on_startup` for the process, and a
        plugin left serving would turn a later plain build's data errors into error pages."""
        self.config.plugins.on_shutdown()

    def _config(self, site: Path):
        config = load_config(config_file=str(self.root / "mkdocs.yml"), site_dir=str(site))
        config.site_url = SERVE_URL
        config.strict = False  # a warning must be logged again, not abort the build
        return config

    def rebuild(self) -> None:
        """A serve rebuild (reusing what the last builds computed), then the same sources built afresh."""
        build(self._config(self.kept), serve_url=SERVE_URL)
        kept, self.plugin.rebuilds = self.plugin.rebuilds, None
        try:
            build(self._config(self.fresh), serve_url=SERVE_URL)
        finally:
            self.plugin.rebuilds = kept

    def differences(self) -> list[str]:
        """Files that differ between the two sites, or exist in one only."""
        def listing(site: Path) -> set[str]:
            return {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
        kept, fresh = listing(self.kept), listing(self.fresh)
        assert len(fresh) > 20 and "search/search_index.json" in fresh
        return sorted((kept ^ fresh) | {name for name in kept & fresh
                                        if not filecmp.cmp(self.kept / name, self.fresh / name, shallow=False)})


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("customer", ["", "acme"])
def test_rebuilds_after_edits_equal_fresh_builds(minimal: Path, tmp_path: Path, monkeypatch, customer: str, rebuilder):
    fixture_mkdocs_yml(minimal)
    monkeypatch.setenv("HANDBOOK_CUSTOMER", customer)
    monkeypatch.setenv("HANDBOOK_OFFLINE", "")
    monkeypatch.chdir(minimal)
    acme = minimal / ACME_PATH
    builds = rebuilder(minimal, tmp_path / "out")
    builds.rebuild()
    assert builds.plugin.rebuilds.computed > 10 and builds.plugin.rebuilds.reused == 0

    _edit(acme, "name: 艾克米集团", "name: 艾克米控股")
    builds.rebuild()
    assert builds.differences() == []
    # Most pages did not change and were reused; the customer's own pages were rendered again.
    assert builds.plugin.rebuilds.reused > builds.plugin.rebuilds.computed > 0
    page = (builds.kept / "customers/acme/index.html").read_text(encoding="utf-8")
    assert "艾克米控股" in page and "艾克米集团" not in page
    docs = json.loads((builds.kept / "search/search_index.json").read_text(encoding="utf-8"))["docs"]
    index = "".join(d["title"] + d["text"] for d in docs).replace("\u200b", "")
    assert "艾克米控股" in index and "艾克米集团" not in index

    for old, new in [("deployment: private", "deployment: privat"),   # the preview lists the problem
                     ("deployment: privat", "deployment: private"),   # and comes back
                     ("启动阶段的说明。", "启动阶段的新说明。")]:     # hand-written fragment
        path = minimal / "content/fragments/start.md" if "启动" in old else acme
        _edit(path, old, new)
        builds.rebuild()
        assert builds.differences() == [], (old, new)
    assert "项目数据有误" not in (builds.kept / "customers/acme/index.html").read_text(encoding="utf-8")
    assert "启动阶段的新说明。" in (builds.kept / "methodology/start/index.html").read_text(encoding="utf-8")

    # A new page changes where links resolve: nothing rendered against the old file list is reused.
    (minimal / "content/new.md").write_text("# 新页\n\n[首页](index.md)\n", encoding="utf-8")
    builds.rebuild()
    assert builds.differences() == [] and builds.plugin.rebuilds.reused == 0


def test_a_reused_rendering_logs_its_warnings_again(minimal: Path, tmp_path: Path, monkeypatch, caplog, rebuilder):
    fixture_mkdocs_yml(minimal)
    monkeypatch.setenv("HANDBOOK_CUSTOMER", "")
    monkeypatch.chdir(minimal)
    (minimal / "content/links.md").write_text("# 链接\n\n[不存在](missing.md)\n", encoding="utf-8")
    builds = rebuilder(minimal, tmp_path / "out")
    for _ in range(2):
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="mkdocs"):
            build(builds._config(builds.kept), serve_url=SERVE_URL)
        warned = [r for r in caplog.records if r.levelno == logging.WARNING and "missing.md" in r.getMessage()]
        assert len(warned) == 1, caplog.text
    assert builds.plugin.rebuilds.reused > 0


def test_an_extension_that_may_read_files_turns_reuse_off(minimal: Path, tmp_path: Path, monkeypatch, rebuilder):
    fixture_mkdocs_yml(minimal)
    monkeypatch.setenv("HANDBOOK_CUSTOMER", "")
    monkeypatch.chdir(minimal)
    config_file = minimal / "mkdocs.yml"
    config_file.write_text(config_file.read_text(encoding="utf-8").replace(
        "markdown_extensions:\n", "markdown_extensions:\n  - pymdownx.snippets:\n      base_path: [content]\n", 1),
        encoding="utf-8")
    (minimal / "content/snippet.txt").write_text("片段一\n", encoding="utf-8")
    (minimal / "content/uses.md").write_text("# 引用\n\n--8<-- \"snippet.txt\"\n", encoding="utf-8")
    builds = rebuilder(minimal, tmp_path / "out")
    builds.rebuild()
    (minimal / "content/snippet.txt").write_text("片段二\n", encoding="utf-8")
    builds.rebuild()
    assert builds.plugin.rebuilds.reused == 0
    assert "片段二" in (builds.kept / "uses/index.html").read_text(encoding="utf-8")
    assert builds.differences() == []
    assert os.environ.get("HANDBOOK_CUSTOMER") == ""
