"""The architecture's contracts: families own their routes, one load per run, the variant channel,
one source for site metadata, and one error type."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import ACME_PATH, REPO, fixture_mkdocs_yml
from handbook import load as load_module
from handbook.cli import main
from handbook.data.loader import Project, load_project
from handbook.errors import HandbookError
from handbook.pages import registry
from handbook.pages.base import GeneratedPage, PageFamily, Route
from handbook.site.variant import BuildVariant

TEMPLATES = REPO / "site_templates"


def test_every_family_meets_the_contract_and_renders_exactly_its_routes(minimal: Path) -> None:
    model = load_project(Project.at(minimal))
    for family in registry.FAMILIES:
        assert isinstance(family, PageFamily), family.__name__
        made_any = False
        # Some families exist on one site only (the dashboard internally, a bundle's own home page).
        for variant in (model, model.for_customer("acme")):
            declared = family.owned_routes(variant)
            made = family.pages(variant, TEMPLATES)
            assert {p.route for p in made} == set(declared) and len(made) == len(declared), family.__name__
            made_any = made_any or bool(made)
        assert made_any, family.__name__
    pages = registry.generate(model, TEMPLATES)
    acme = model.customers[0]
    # Every page under customers/acme/ belongs to acme, and only those do.
    owned = {p.path for p in pages if p.customer == "acme"}
    assert owned == {p.path for p in pages if p.path.startswith("customers/acme/")} and len(owned) >= 4
    assert all(p.route.owner.source.where.path == ACME_PATH for p in pages if p.customer)
    assert registry.customer_of_output(pages)["customers/acme/"] == acme.id


def test_a_family_that_renders_an_undeclared_page_is_refused(minimal: Path, monkeypatch) -> None:
    from handbook.pages import support

    model = load_project(Project.at(minimal))
    monkeypatch.setattr(support, "pages", lambda m, t: [GeneratedPage(Route.common("support/other.md"), "x", "x")])
    with pytest.raises(RuntimeError, match="support"):
        registry.generate(model, TEMPLATES)


def test_records_carry_their_source_locations(minimal: Path) -> None:
    model = load_project(Project.at(minimal))
    acme = model.customers[0]
    phase = model.phases[0]
    assert str(phase.source.where).startswith("project_data/phases.yml:")
    assert phase.tasks[0].source.where.path == "project_data/phases.yml"
    assert model.roles[0].source.where.path == "project_data/roles.yml"
    assert model.modules[0].source.where.path == "project_data/training.yml"
    assert model.faq[0].source.where.path == "project_data/faq.yml"
    assert acme.source.at("current_phase").path == ACME_PATH
    text = (minimal / ACME_PATH).read_text(encoding="utf-8").splitlines()
    line = acme.source.at("current_phase").line
    assert text[line - 1].startswith("current_phase:")
    case = acme.acceptance.rounds[0].cases[0]
    assert text[case.source.where.line - 1].strip().endswith(case.id)


def test_the_data_is_loaded_once_per_command(sample_copy: Path, tmp_path: Path, monkeypatch) -> None:
    calls = []
    real = load_module.load_project

    def counting(project, as_of=None, **options):
        calls.append(project.root)
        return real(project, as_of, **options)

    monkeypatch.setattr(load_module, "load_project", counting)
    load_module._memo.clear()
    assert main(["--project", str(sample_copy), "build", "--out", str(tmp_path / "site")]) == 0
    assert len(calls) == 1 and (tmp_path / "site/customers/index.html").is_file()
    calls.clear()
    customer = sorted((sample_copy / "project_data/customers").glob("*.yml"))[0].stem
    assert main(["--project", str(sample_copy), "bundle", customer, "--out", str(tmp_path / "dist")]) == 0
    assert len(calls) == 0  # unchanged files: the model loaded by `build` above is reused


def test_the_variant_reaches_the_plugin_through_the_environment(minimal: Path, tmp_path: Path, monkeypatch) -> None:
    from handbook.site.build import build_site

    for i in range(2):  # a second customer, whose pages must not appear
        shutil.copy(minimal / ACME_PATH, minimal / f"project_data/customers/other{i}.yml")
    config = fixture_mkdocs_yml(minimal)
    monkeypatch.setenv("HANDBOOK_CUSTOMER", "acme")
    build_site(config, tmp_path / "one")
    monkeypatch.delenv("HANDBOOK_CUSTOMER")
    build_site(config, tmp_path / "all")
    assert (tmp_path / "one/customers/acme/index.html").is_file()
    assert not (tmp_path / "one/customers/other0").exists() and not (tmp_path / "one/customers/dashboard").exists()
    assert (tmp_path / "all/customers/other0/index.html").is_file()
    assert BuildVariant.from_env({"HANDBOOK_CUSTOMER": "x", "HANDBOOK_OFFLINE": "1"}) == BuildVariant.bundle("x")
    assert BuildVariant.from_env({}) == BuildVariant()


def test_site_metadata_has_one_source(minimal: Path, tmp_path: Path) -> None:
    from handbook.site.build import build_site

    config = fixture_mkdocs_yml(minimal)
    build_site(config, tmp_path / "ok")
    page = (tmp_path / "ok/index.html").read_text(encoding="utf-8")
    assert '<html lang="zh"' in page and re.search(r"<title>[^<]*测试手册</title>", page)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("site_name: ", "site_description: 另一个描述\nsite_name: ", 1), encoding="utf-8")
    (minimal / "project_data/handbook.yml").write_text(
        (minimal / "project_data/handbook.yml").read_text(encoding="utf-8") + "description: 手册描述\n",
        encoding="utf-8")
    with pytest.raises(HandbookError) as info:
        build_site(config, tmp_path / "bad")
    message = "\n".join(info.value.messages)
    line = next(i for i, row in enumerate(config.read_text(encoding="utf-8").splitlines(), 1)
                if row.startswith("site_description:"))
    assert f"mkdocs.yml:{line}:19: site_description '另一个描述' contradicts project_data/handbook.yml:" in message


def test_one_error_type_with_exit_codes(minimal: Path, capsys) -> None:
    assert main(["--project", str(minimal), "fingerprint", "../x"]) == 2
    assert "not a valid customer ID" in capsys.readouterr().err
    assert main(["--project", str(minimal), "fingerprint", "nobody"]) == 1
    assert "unknown customer 'nobody' (known: acme)" in capsys.readouterr().err
    (minimal / ACME_PATH).write_text("name: [\n", encoding="utf-8")
    assert main(["--project", str(minimal), "validate"]) == 1
    err = capsys.readouterr().err
    assert f"{ACME_PATH}:" in err and "error(s) in project data" in err and "Traceback" not in err
