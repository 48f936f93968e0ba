"""Offline bundles: built from filtered data, no other customer's text, no network references."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import REPO
from handbook.deliver.bundle import (MANIFEST, build_bundle, external_references, leak_scan_for,
                             verify_manifest, verify_zip)
from handbook.cli import main
from handbook.data.loader import Project, load_project
from handbook.errors import HandbookError

CUSTOMERS = ("huajian-group", "ruifeng-mfg", "kangning-hospital")
pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def bundles(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("dist")
    return {cid: build_bundle(REPO, cid, out) for cid in CUSTOMERS}


@pytest.fixture(scope="module")
def unpacked(bundles, tmp_path_factory) -> dict[str, Path]:
    result = {}
    for cid, archive in bundles.items():
        dest = tmp_path_factory.mktemp(cid)
        with zipfile.ZipFile(archive) as z:
            z.extractall(dest)
        (result[cid],) = list(dest.iterdir())
    return result


def test_bundle_names_and_layout(bundles, unpacked) -> None:
    version = load_project(Project.at(REPO)).handbook.version
    for cid, archive in bundles.items():
        assert archive.name == f"{cid}-handbook-{version}.zip"
        assert archive.stat().st_mode & 0o777 == 0o644
        site = unpacked[cid]
        assert site.name == f"{cid}-handbook-{version}"
        assert (site / "index.html").is_file()
        assert (site / f"customers/{cid}/index.html").is_file()
        assert (site / f"customers/{cid}/acceptance.html").is_file()
        assert not (site / "customers/dashboard.html").exists()
        others = [o for o in CUSTOMERS if o != cid]
        assert not any((site / f"customers/{o}").exists() for o in others)
        assert (site / "search/search_index.js").is_file()


def test_no_other_customer_anywhere(unpacked) -> None:
    model = load_project(Project.at(REPO))
    names = {c.id: (c.name, c.project, *(p.name for p in c.contacts)) for c in model.customers}
    for cid, site in unpacked.items():
        for path in site.rglob("*"):
            if path.is_file() and path.suffix in {".html", ".js", ".json", ".xml"}:
                text = path.read_text(encoding="utf-8", errors="replace")
                for other, strings in names.items():
                    if other != cid:
                        assert other not in text, (path, other)
                        assert not [s for s in strings if s in text], (path, other)
        own = (site / f"customers/{cid}/index.html").read_text(encoding="utf-8")
        assert names[cid][0] in own


def test_operations_pages_and_reports_go_to_their_own_customer_only(unpacked) -> None:
    live = unpacked["ruifeng-mfg"]
    page = (live / "customers/ruifeng-mfg/operations.html").read_text(encoding="utf-8")
    assert "SLA 达成情况" in page and "RF-0831-16" in page and "尚未上线" not in page
    reports = sorted(p.name for p in (live / "customers/ruifeng-mfg").glob("health-check-*.html"))
    assert reports == ["health-check-2026-07-09.html", "health-check-2026-10-13.html"]
    model = load_project(Project.at(REPO))
    ops = next(c for c in model.customers if c.id == "ruifeng-mfg").operations
    foreign = [t.summary for t in ops.tickets] + [r.measurement for h in ops.health_checks for r in h.results]
    for cid in ("huajian-group", "kangning-hospital"):
        site = unpacked[cid]
        assert "尚未上线" in (site / f"customers/{cid}/operations.html").read_text(encoding="utf-8")
        assert not list((site / "customers").rglob("health-check-*"))  # deliverables/ holds the blank template
        for path in site.rglob("*"):
            if path.is_file() and path.suffix in {".html", ".js", ".json", ".xml"}:
                text = path.read_text(encoding="utf-8", errors="replace")
                assert not [s for s in foreign if s in text], (path, cid)


def test_no_network_references_and_manifest(unpacked) -> None:
    for cid, site in unpacked.items():
        assert external_references(site) == []
        assert verify_manifest(site) == []
        manifest = (site / MANIFEST).read_text(encoding="utf-8")
        assert manifest.startswith("# handbook version ") and "# source commit " in manifest
        footer = (site / "index.html").read_text(encoding="utf-8")
        assert "源提交" in footer and f"客户 {cid}" in footer
        # mkdocs.yml's version selector (for mike) would fetch ../versions.json: bundles drop it.
        config = re.search(r'<script id="__config" type="application/json">(.*?)</script>', footer, re.S)
        assert config and json.loads(config.group(1))["version"] is None


def test_checks_catch_what_they_exist_for(unpacked, tmp_path: Path) -> None:
    site = shutil.copytree(unpacked["ruifeng-mfg"], tmp_path / "copy")
    scan = leak_scan_for(Project.at(REPO), "ruifeng-mfg")
    assert scan.scan(site) == []
    page = site / "faq/index.html"
    page.write_text(page.read_text(encoding="utf-8") + "<p>华建工程集团</p>", encoding="utf-8")
    assert any("华建工程集团" in p and "huajian-group" in p for p in scan.scan(site))
    page.write_text('<script src="https://unpkg.com/iframe-worker/shim"></script>', encoding="utf-8")
    assert external_references(site) == ["faq/index.html: fetches https://unpkg.com/iframe-worker/shim"]
    assert verify_manifest(site) == ["faq/index.html: checksum mismatch"]


def test_verify_reruns_the_checks_on_the_zip(bundles) -> None:
    assert verify_zip(Project.at(REPO), "kangning-hospital", bundles["kangning-hospital"]) == []


def test_bad_ids_are_refused_before_touching_the_disk(tmp_path: Path, capsys) -> None:
    out = tmp_path / "dist"
    with pytest.raises(HandbookError, match="not a valid customer ID"):
        build_bundle(REPO, "../etc", out)
    assert not out.exists()
    with pytest.raises(HandbookError, match=r"unknown customer 'nobody' \(known: huajian-group, kangning-hospital"):
        build_bundle(REPO, "nobody", out)
    assert not out.exists()
    assert main(["--project", str(REPO), "bundle", "../etc", "--out", str(out)]) == 2
    assert main(["--project", str(REPO), "bundle", "nobody", "--out", str(out)]) == 1
    assert "known: huajian-group, kangning-hospital, ruifeng-mfg" in capsys.readouterr().err


def test_a_failed_bundle_leaves_nothing(sample_copy: Path, tmp_path: Path) -> None:
    project = shutil.copytree(sample_copy, tmp_path / "proj")
    (project / "content/broken.md").write_text("# 坏链接\n\n[x](missing.md)\n", encoding="utf-8")
    out = tmp_path / "dist"
    out.mkdir()
    (out / "keep.zip").write_bytes(b"previous")
    with pytest.raises(HandbookError) as info:
        build_bundle(project, "ruifeng-mfg", out)
    assert any("missing.md" in m for m in info.value.messages)
    assert sorted(p.name for p in out.iterdir()) == ["keep.zip"]


def test_cli_bundles_every_customer_with_progress(tmp_path: Path, capsys) -> None:
    out = tmp_path / "dist"
    assert main(["--project", str(REPO), "bundle", "--all", "--verify", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{c}-handbook-2.3.zip" for c in CUSTOMERS)
    err = capsys.readouterr().err
    assert "] 3/3 " in err and err.count(": ok") == 3


def test_a_new_customer_with_little_data_gets_a_clean_bundle(sample_copy: Path, tmp_path: Path) -> None:
    import yaml

    project = shutil.copytree(sample_copy, tmp_path / "proj")
    data = yaml.safe_load((project / "project_data/customers/kangning-hospital.yml").read_text(encoding="utf-8"))
    data.update(name="新客户诊所", project="新客户诊所系统实施")
    data["acceptance"].pop("criteria", None)
    data.pop("faq", None)
    (project / "project_data/customers/zz-clinic.yml").write_text(
        yaml.safe_dump(json.loads(json.dumps(data, default=str)), allow_unicode=True), encoding="utf-8")
    archive = build_bundle(project, "zz-clinic", tmp_path / "dist")
    assert verify_zip(Project.at(project), "zz-clinic", archive) == []
    scan = leak_scan_for(Project.at(project), "zz-clinic")
    assert scan.foreign["瑞丰精密制造"] == "ruifeng-mfg"  # the scan still has teeth


def test_bundles_carry_no_edit_links_and_no_repository(unpacked) -> None:
    repository = load_project(Project.at(REPO)).handbook.repository
    assert repository
    for cid, site in unpacked.items():
        for page in site.rglob("*.html"):
            text = page.read_text(encoding="utf-8")
            assert 'rel="edit"' not in text and "编辑此部分" not in text and "handbook-edit" not in text, page
            assert repository not in text, page
        assert "最后更新：" in (site / f"customers/{cid}/index.html").read_text(encoding="utf-8")
