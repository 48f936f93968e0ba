"""The sample handbook builds with ProperDocs, MkDocs' maintained fork, exactly as with MkDocs.

ProperDocs runs the `mkdocs.plugins` entry points and finds Material through `mkdocs.themes`; it
aliases `mkdocs.*` imports to `properdocs.*`. The site it builds must hold the same pages with the
same text as `handbook build` (MkDocs' Python API); only the generator meta may differ.
"""

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
from handbook.data.loader import Project, load_project
from site_text import compare, page_text, read_site

pytestmark = pytest.mark.e2e

PROPERDOCS = Path(sys.executable).parent / "properdocs"
GENERATOR = re.compile(r'<meta name="generator" content="([^"]*)"')


def properdocs_build(config: Path, out: Path) -> subprocess.CompletedProcess:
    """`properdocs build --strict` of `config` into `out`, as a user would run it."""
    assert PROPERDOCS.is_file(), "properdocs is not installed: `make test` installs it with the test extra"
    return subprocess.run([str(PROPERDOCS), "build", "--strict", "-f", config.name, "-d", str(out)],
                          cwd=config.parent, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def properdocs_site(sample_copy: Path, tmp_path_factory) -> Path:
    """The sample built with `properdocs build` from the same copy as the MkDocs build (outside git, so
    both pages say their date is unknown); the build must be clean."""
    out = tmp_path_factory.mktemp("properdocs") / "site"
    result = properdocs_build(sample_copy / "mkdocs.yml", out)
    assert result.returncode == 0, result.stderr
    noise = [line for line in result.stderr.splitlines() if line.startswith(("WARNING", "ERROR"))]
    assert noise == [], "\n".join(noise)
    return out


def test_properdocs_built_it_and_finds_the_theme_and_plugins(properdocs_site: Path) -> None:
    index = (properdocs_site / "index.html").read_text(encoding="utf-8")
    assert GENERATOR.search(index).group(1).startswith("mkdocs-ProperDocs 1.6."), "built by ProperDocs"
    assert "mkdocs-material-9." in GENERATOR.search(index).group(1)  # Material found via mkdocs.themes
    assert 'class="md-content"' in index
    # The handbook plugin ran (generated pages) and Material's search indexed them.
    assert (properdocs_site / "customers/dashboard/index.html").is_file()
    index = json.loads((properdocs_site / "search/search_index.json").read_text(encoding="utf-8"))
    assert "customers/dashboard/" in {doc["location"] for doc in index["docs"]}


def test_same_pages_and_same_text_as_the_mkdocs_build(properdocs_site: Path, sample_site: Path) -> None:
    mkdocs_pages, properdocs_pages = read_site(sample_site), read_site(properdocs_site)
    assert len(mkdocs_pages) > 40
    result = compare(mkdocs_pages, properdocs_pages)
    assert not result, result.report("mkdocs", "properdocs")
    # The engines did differ: the comparison ignored the generator meta on purpose.
    mkdocs_index = (sample_site / "index.html").read_text(encoding="utf-8")
    assert GENERATOR.search(mkdocs_index).group(1).startswith("mkdocs-1.")


def test_customer_pages_and_the_dashboard_show_the_model(properdocs_site: Path) -> None:
    model = load_project(Project.at(REPO))
    assert model.customers
    for customer in model.customers:
        page = page_text((properdocs_site / f"customers/{customer.id}/index.html").read_text(encoding="utf-8"))
        assert page.lines[0].startswith(customer.name), (customer.id, page.lines[:1])
    dashboard = page_text((properdocs_site / "customers/dashboard/index.html").read_text(encoding="utf-8"))
    assert f"共 {len(model.customers)} 个客户项目。" in " ".join(dashboard.lines)
    # Every customer has a row of the portfolio table, showing its overall progress.
    rows: dict[str, list[str]] = {}
    for line in dashboard.lines:
        if " | " in line:  # the first table row of a name is the portfolio's; health checks follow
            rows.setdefault(line.split(" | ")[0], line.split(" | "))
    for customer in model.customers:
        assert rows[customer.name][2] == f"{customer.percent}%", (customer.id, rows.get(customer.name))  # 总体


def test_a_data_error_stops_properdocs_with_its_location(sample_copy: Path, tmp_path: Path) -> None:
    root = tmp_path / "handbook"
    shutil.copytree(sample_copy, root)
    model = load_project(Project.at(root))
    path = root / f"project_data/customers/{model.customers[0].id}.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^name: .*$", "name:\n  - 列表", text, count=1), encoding="utf-8")
    line = path.read_text(encoding="utf-8").splitlines().index("  - 列表") + 1
    result = properdocs_build(root / "mkdocs.yml", tmp_path / "out")
    assert result.returncode == 1
    assert f"project_data/customers/{model.customers[0].id}.yml:{line}:3: expected text, got a list" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "index.html").exists()
