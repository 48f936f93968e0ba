"""Your own handbook from the installed package: `handbook init`, no customers yet, template
overrides file by file, and the wheel working outside this repository."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from conftest import REPO
from handbook.cli import main

pytestmark = pytest.mark.e2e


def page_texts(site: Path) -> dict[str, str]:
    """The article text of every page of a built site."""
    texts = {}
    for page in site.rglob("*.html"):
        match = re.search(r"<article[^>]*>(.*?)</article>", page.read_text(encoding="utf-8"), re.S)
        if match:
            texts[page.relative_to(site).as_posix()] = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())
    return texts


def test_every_subpackage_goes_into_the_wheel() -> None:
    import tomllib

    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(REPO / "plugins").parts) for p in (REPO / "plugins").rglob("__init__.py")}
    assert found <= listed, sorted(found - listed)


def test_init_writes_a_handbook_with_no_customers_that_builds(tmp_path: Path, capsys) -> None:
    project = tmp_path / "h"
    assert main(["init", str(project), "--title", "筑基实施手册", "--vendor", "筑基软件"]) == 0
    assert main(["--project", str(project), "validate"]) == 0
    assert "5 phases, 4 roles, 0 training modules, 0 FAQ entries, 0 customers" in capsys.readouterr().out
    assert main(["--project", str(project), "build"]) == 0
    texts = page_texts(project / "site")
    assert "尚无客户项目" in texts["customers/index.html"] and "尚无培训模块" in texts["training/index.html"]
    assert len([p for p in texts if p.startswith("methodology/") and p != "methodology/index.html"]) == 5
    assert not any(p.startswith("customers/") and p.count("/") > 2 for p in texts)
    assert "<title>首页 - 筑基实施手册</title>" in (project / "site/index.html").read_text(encoding="utf-8")
    assert (project / ".pre-commit-config.yaml").is_file() and (project / ".github/workflows/handbook.yml").is_file()
    first = (project / "project_data/phases.yml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../.handbook/schemas/phases.schema.json"
    assert (project / ".handbook/schemas/phases.schema.json").is_file()
    assert main(["--project", str(project), "bundle", "--all"]) == 0
    assert "nothing to bundle" in capsys.readouterr().out


def test_init_refuses_a_non_empty_directory_unless_forced(tmp_path: Path, capsys) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["init", str(tmp_path)]) == 2
    assert "not empty" in capsys.readouterr().err and not (tmp_path / "mkdocs.yml").exists()
    assert main(["init", str(tmp_path), "--force"]) == 0
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine" and (tmp_path / "mkdocs.yml").is_file()


def test_init_example_copies_the_sample_handbook(tmp_path: Path, capsys) -> None:
    assert main(["init", str(tmp_path / "x"), "--example"]) == 0
    assert main(["--project", str(tmp_path / "x"), "validate"]) == 0
    customers = len(list((REPO / "project_data/customers").glob("*.yml")))
    assert f"{customers} customers" in capsys.readouterr().out


def test_a_project_template_overrides_that_page_only(tmp_path: Path) -> None:
    project = tmp_path / "h"
    assert main(["init", str(project)]) == 0
    assert main(["--project", str(project), "build", "--out", str(tmp_path / "before")]) == 0
    own = project / "site_templates/pages/sla.md.j2"
    own.parent.mkdir(parents=True)
    own.write_text("# 服务承诺\n\n{% for t in model.sla_tiers %}- {{ t.name|md }}：{{ t.coverage|md }}\n{% endfor %}\n",
                   encoding="utf-8")
    assert main(["--project", str(project), "build", "--out", str(tmp_path / "after")]) == 0
    before, after = page_texts(tmp_path / "before"), page_texts(tmp_path / "after")
    assert before.keys() == after.keys()
    changed = [p for p in before if before[p] != after[p]]
    assert changed == ["support/sla.html"], changed
    assert "服务承诺" in after["support/sla.html"] and "工作日 9:00-18:00" in after["support/sla.html"]


def test_own_labels_from_an_older_version_get_the_missing_words_from_the_shipped_ones(tmp_path: Path) -> None:
    """A project's _labels.j2 copied before a word was added: Python-side labels (page titles, the
    printed record's header) fall back to the shipped ones, key by key, and its own words win."""
    from handbook.pages.rendering import environment, label, title

    templates = tmp_path / "site_templates"
    (templates / "pages").mkdir(parents=True)
    (templates / "pages/_labels.j2").write_text('{% set TITLE = {"sla": "服务承诺"} %}\n', encoding="utf-8")
    environment.cache_clear()
    try:
        assert title(templates, "sla") == "服务承诺"  # its own word
        assert title(templates, "glossary") == title(REPO / "site_templates", "glossary")  # a key it lacks
        assert "{fingerprint}" in label(templates, "PRINT_HEADER")  # a name it lacks
    finally:
        environment.cache_clear()


def test_a_template_failing_on_old_labels_is_a_located_error_not_a_traceback(tmp_path: Path, capsys) -> None:
    project = tmp_path / "h"
    assert main(["init", str(project)]) == 0
    own = project / "site_templates/pages/_labels.j2"
    own.parent.mkdir(parents=True)
    own.write_text('{% set TITLE = {} %}\n', encoding="utf-8")  # a stale copy: no macros at all
    capsys.readouterr()
    assert main(["--project", str(project), "build", "--out", str(tmp_path / "site")]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert "does not export the requested name" in captured.err
    assert "site_templates/pages/_labels.j2 overrides the shipped _labels.j2" in captured.err
    assert not (tmp_path / "site").exists()


def test_the_wheel_works_outside_the_repository(tmp_path: Path) -> None:
    """Build sdist and wheel, install the wheel alone into a clean venv, and run a handbook there."""
    dist = tmp_path / "dist"
    python = sys.executable
    subprocess.run([python, "-m", "build", "--sdist", "--wheel", "--outdir", str(dist), str(REPO)],
                   check=True, capture_output=True, text=True)
    wheel = next(dist.glob("handbook-*.whl"))
    assert next(dist.glob("handbook-*.tar.gz"))
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bin_dir = env_dir / "bin"
    subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "-c", str(REPO / "constraints.txt"),
                    str(wheel)], check=True, capture_output=True, text=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    work = tmp_path / "outside"
    work.mkdir()

    def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
        result = subprocess.run([str(bin_dir / "handbook"), *args], cwd=cwd, env=env, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
        return result

    located = subprocess.run([str(bin_dir / "python"), "-c", "import handbook; print(handbook.__file__)"],
                             cwd=work, env=env, capture_output=True, text=True).stdout
    assert str(env_dir) in located and str(REPO) not in located
    run("init", "h", cwd=work)
    project = work / "h"
    run("validate", cwd=project)
    run("build", cwd=project)
    assert "尚无客户项目" in (project / "site/customers/index.html").read_text(encoding="utf-8")
    # A customer, from the sample the wheel carries, makes the bundle path real too.
    run("init", "sample", "--example", cwd=work)
    sample_customer = next((work / "sample/project_data/customers").glob("*.yml"))
    run("validate", cwd=work / "sample")
    run("bundle", sample_customer.stem, cwd=work / "sample")
    bundle = next((work / "sample/dist").glob(f"{sample_customer.stem}-handbook-*.zip"))
    assert bundle.stat().st_size > 100_000
