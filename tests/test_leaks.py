"""Trust (issue 16, items 1-6): the leak scan reads every file a bundle ships, knows who a
hand-written page is for, raises no false alarm on shared text, normalises both sides, costs the
same whatever the portfolio size; the offline check sees what a browser would fetch."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from conftest import ACME_PATH, fixture_mkdocs_yml
from handbook.data.loader import Project
from handbook.deliver.bundle import BundleRun, build_bundle, leak_scan_for
from handbook.errors import HandbookError
from handbook.deliver.offline import external_references, is_remote
from handbook.site.build import build_site
from test_loader import problems

BETA = {"name: 艾克米集团": "name: 贝塔建工", "name: 张三": "name: 王五", '"013800138000"': '"013900139000"'}
BETA_TEXT = "贝塔建工 王五 013900139000 wangwu@beta-build.example"


def two_customers(root: Path, **changes: str) -> Path:
    """The minimal project with a second customer, `beta`, with its own name, contact and phone."""
    text = (root / ACME_PATH).read_text(encoding="utf-8")
    for old, new in {**BETA, **changes}.items():
        text = text.replace(old, new)
    text = text.replace('    phone: "013900139000"\n', '    phone: "013900139000"\n    email: wangwu@beta-build.example\n')
    (root / "project_data/customers/beta.yml").write_text(text, encoding="utf-8")
    fixture_mkdocs_yml(root)
    return root


def _bundle_problems(root: Path, customer: str = "acme") -> list[str]:
    with pytest.raises(HandbookError) as info:
        build_bundle(root, customer, root / "dist")
    return info.value.messages


def _pdf(text: str) -> bytes:
    """A one-page PDF showing `text` (ASCII) in Helvetica, with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = io.BytesIO(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % o for o in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _office(parts: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name, xml in parts.items():
            z.writestr(name, xml)
    return out.getvalue()


# -- 1: every file that goes into a bundle is read -----------------------------------------------

ATTACHMENTS = {
    "downloads/c.csv": "客户,联系人,电话\n贝塔建工,王五,013900139000\n".encode("utf-8"),
    "downloads/gbk.csv": "客户,联系人\n贝塔建工,王五\n".encode("gb18030"),
    "downloads/c.yml": "customer: 贝塔建工\n".encode("utf-8"),
    "downloads/c.pdf": _pdf("Contact wangwu@beta-build.example, 013900139000"),
    # Word splits text into runs: the name is found across them.
    "downloads/c.docx": _office({"word/document.xml": "<w:document><w:body><w:p><w:r><w:t>贝塔</w:t></w:r>"
                                                      "<w:r><w:t>建工</w:t></w:r></w:p></w:body></w:document>"}),
    "downloads/c.xlsx": _office({"xl/sharedStrings.xml": "<sst><si><t>王五</t></si><si><t>013900139000</t></si></sst>"}),
}


@pytest.mark.e2e
@pytest.mark.parametrize("name", sorted(ATTACHMENTS))
def test_attachments_are_scanned(minimal: Path, name: str) -> None:
    two_customers(minimal)
    path = minimal / "content" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ATTACHMENTS[name])
    found = _bundle_problems(minimal)
    assert found and all(p.startswith(f"{name}: holds '") and "of customer 'beta'" in p for p in found), found
    assert not (minimal / "dist").exists() or list((minimal / "dist").iterdir()) == []


def test_office_text_is_joined_within_a_cell_and_not_across_cells(tmp_path: Path) -> None:
    """A name split into runs is one name; two table cells or two shared strings are two texts (a
    role "信息中心" next to "系统管理员" is not someone's title "信息中心系统管理员")."""
    from handbook.deliver.attachments import file_text

    (tmp_path / "a.docx").write_bytes(_office({"word/document.xml": (
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>信息</w:t></w:r><w:r><w:t>中心</w:t></w:r></w:p></w:tc>"
        "<w:tc><w:p><w:r><w:t>系统管理员</w:t></w:r></w:p></w:tc></w:tr></w:tbl>")}))
    (tmp_path / "a.xlsx").write_bytes(_office({"xl/sharedStrings.xml": (
        "<sst><si><t>信息中心</t></si><si><r><t>系统</t></r><r><t>管理员</t></r></si></sst>")}))
    for name in ("a.docx", "a.xlsx"):
        text = file_text(tmp_path / name)
        assert "信息中心" in text and "系统管理员" in text and "信息中心系统管理员" not in text, (name, text)


@pytest.mark.e2e
def test_unreadable_files_are_refused_unless_declared_shared(minimal: Path) -> None:
    two_customers(minimal)
    (minimal / "content/downloads").mkdir()
    (minimal / "content/downloads/logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    (minimal / "content/downloads/broken.pdf").write_bytes(b"%PDF-1.4 not really")
    found = _bundle_problems(minimal)
    assert [p.split(":")[0] for p in found] == ["downloads/broken.pdf", "downloads/logo.png"], found
    assert "cannot be checked for other customers' data" in found[1] and "shared_files" in found[1]
    (minimal / "content/downloads/broken.pdf").unlink()
    fixture_mkdocs_yml(minimal, shared_files=["downloads/*.png"])
    assert build_bundle(minimal, "acme", minimal / "dist").is_file()


# -- 2: hand-written pages say who they are for ------------------------------------------------

@pytest.mark.e2e
def test_a_case_study_in_content_is_a_leak_unless_marked(minimal: Path) -> None:
    two_customers(minimal)
    page = minimal / "content/case-study.md"
    page.write_text(f"# 案例\n\n{BETA_TEXT}\n", encoding="utf-8")
    found = _bundle_problems(minimal)
    assert "case-study.html: holds '贝塔建工' of customer 'beta'" in found, found
    # Marked as beta's page: out of acme's bundle (built from filtered input), in beta's.
    page.write_text(f"---\ncustomer: beta\n---\n\n# 案例\n\n{BETA_TEXT}\n", encoding="utf-8")
    acme = build_bundle(minimal, "acme", minimal / "dist")
    with zipfile.ZipFile(acme) as z:
        assert not [n for n in z.namelist() if "case-study" in n]
        assert not [n for n in z.namelist() if "贝塔建工".encode() in z.read(n)]
    with zipfile.ZipFile(build_bundle(minimal, "beta", minimal / "dist")) as z:
        assert "贝塔建工" in z.read("beta-handbook-1.0/case-study.html").decode()
    # Internal: in no bundle, but in the internal site.
    page.write_text(f"---\naudience: internal\n---\n\n# 内部\n\n{BETA_TEXT}\n", encoding="utf-8")
    with zipfile.ZipFile(build_bundle(minimal, "beta", minimal / "dist")) as z:
        assert not [n for n in z.namelist() if "case-study" in n]
    build_site(minimal / "mkdocs.yml", minimal / "site")
    assert "贝塔建工" in (minimal / "site/case-study/index.html").read_text(encoding="utf-8")


def test_audience_front_matter_is_checked_in_validate(minimal: Path) -> None:
    (minimal / "content/a.md").write_text("---\ntitle: A\naudience: partners\n---\n# A\n", encoding="utf-8")
    (minimal / "content/b.md").write_text("---\ncustomer: nobody\n---\n# B\n", encoding="utf-8")
    (minimal / "content/c.md").write_text("---\naudience: customer\n---\n# C\n", encoding="utf-8")
    assert problems(minimal) == [
        "content/a.md:3:11: audience 'partners' is not one of internal, customer, all",
        "content/b.md:2:11: unknown customer 'nobody' (known: acme)",
        "content/c.md:2:11: audience 'customer' needs a 'customer: <id>' naming whose page it is"]


# -- 3: no false alarm for what is really shared ------------------------------------------------

@pytest.mark.e2e
def test_a_customer_value_equal_to_shared_text_is_no_leak(minimal: Path) -> None:
    # beta's evidence is the title of a training manual, which every bundle shows.
    two_customers(minimal, **{"result: pending": "result: pending\n      evidence: 管理员培训手册"})
    scan = leak_scan_for(Project.at(minimal), "acme")
    assert "管理员培训手册" not in scan.foreign and "贝塔建工" in scan.foreign
    assert build_bundle(minimal, "acme", minimal / "dist").is_file()


# -- 4: both sides normalised -------------------------------------------------------------------

@pytest.mark.e2e
def test_zero_width_and_full_width_forms_do_not_hide_a_leak(minimal: Path) -> None:
    # The data refuses invisible characters outright (test_yaml_reader); a shipped file may still hold
    # them, and full-width digits: the text looked in is normalised like the values looked for.
    two_customers(minimal, **{"industry: 建筑": 'industry: 建筑\nsummary: "王五的手机号013900139000"'})
    (minimal / "content/downloads").mkdir()
    (minimal / "content/downloads/list.csv").write_text("王五的手机号０１３９\u200b００１３\u2060９０００\n",
                                                         encoding="utf-8")
    assert "downloads/list.csv: holds '王五的手机号013900139000' of customer 'beta'" in _bundle_problems(minimal)


# -- 5: indexed once per run from the loaded model ------------------------------------------------

@pytest.mark.e2e
def test_bundles_of_a_run_do_not_read_the_data_again(minimal: Path, monkeypatch) -> None:
    import handbook.data.reading

    two_customers(minimal)
    run = BundleRun.load(minimal)
    assert run.index.owners["贝塔建工"] == {"beta"}

    def refuse(*args, **kwargs):
        raise AssertionError("a bundle of the run read YAML again")

    monkeypatch.setattr(handbook.data.reading, "read_checked", refuse)  # the loader's one way to read files
    for customer in ("acme", "beta"):
        assert build_bundle(minimal, customer, minimal / "dist", run=run).is_file()


# -- 6: what a browser would fetch --------------------------------------------------------------

FETCHING = {
    "no slashes": '<img src="http:evil.example/x.png">',
    "backslash": '<img src="http:/\\evil.example/x.png">',
    "scheme-relative": '<script src="//evil.example/x.js"></script>',
    "double backslash": '<img src="\\\\evil.example\\x.png">',
    "upper case and tab": '<img src="HT\tTPS://evil.example/x.png">',
    "video poster": '<video poster="https://evil.example/p.png"></video>',
    "table background": '<table background="https://evil.example/b.png"><tr><td>x</td></tr></table>',
    "svg image": '<svg><image href="https://evil.example/i.png"/></svg>',
    "svg xlink": '<svg><image xlink:href="https://evil.example/i2.png"/></svg>',
    "style import": '<style>@import "https://evil.example/a.css";</style>',
    "style url": '<style>body { background: url(https://evil.example/u.png) }</style>',
    "style escaped": '<style>body { background: url(\\68 ttps://evil.example/e.png) }</style>',
    "style attribute": '<div style="background-image: url(\'//evil.example/s.png\')">x</div>',
    "srcset": '<img src="a.png" srcset="a.png 1x, https://evil.example/2x.png 2x">',
    "object data": '<object data="https://evil.example/o.swf"></object>',
    "link preload": '<link rel="preload" as="image" href="https://evil.example/l.png">',
    "meta refresh": '<meta http-equiv="refresh" content="0; url=https://evil.example/">',
    "iframe srcdoc": '<iframe srcdoc="&lt;img src=&quot;https://evil.example/d.png&quot;&gt;"></iframe>',
}


@pytest.mark.parametrize("name", sorted(FETCHING))
def test_every_fetching_form_is_found(tmp_path: Path, name: str) -> None:
    (tmp_path / "page.html").write_text(f"<!doctype html><html><body>{FETCHING[name]}</body></html>", encoding="utf-8")
    assert len(external_references(tmp_path)) == 1, (name, external_references(tmp_path))


def test_links_and_local_urls_are_not_fetches(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(
        '<a href="https://example.com/">web</a><a href="mailto:a@b.example">m</a><img src="data:image/png;base64,AA">'
        '<link rel="canonical" href="https://example.com/"><img src="img/a.png"><style>p{background:url(x.png)}</style>',
        encoding="utf-8")
    (tmp_path / "a.css").write_text('@import "local.css"; p { background: url("data:image/svg+xml,<svg/>") }',
                                    encoding="utf-8")
    assert external_references(tmp_path) == []
    assert not is_remote("about:blank") and is_remote(" \x01https://x") and is_remote("wss://x/socket")


def test_latin_tokens_count_only_as_whole_words() -> None:
    from handbook.deliver.leaks import _automaton, occurring

    automaton = _automaton(["c0188", "贝塔建工"])
    assert occurring(automaton, "3fa9c0188e7d  index.html") == set()  # inside a SHA-256 digest
    assert occurring(automaton, "客户 c0188 的页面") == {"c0188"}
    assert occurring(automaton, "关于贝塔建工集团") == {"贝塔建工"}  # Chinese has no word spaces


@pytest.mark.e2e
def test_text_copied_from_a_shared_page_is_no_leak_but_a_name_is(minimal: Path) -> None:
    # beta's rollback plan was written from the handbook's template page, which every bundle carries.
    two_customers(minimal, **{"industry: 建筑": "industry: 建筑\nrollback_plan: 切换失败时按回滚步骤恢复旧系统"})
    (minimal / "content/rollback.md").write_text("# 回滚方案模板\n\n切换失败时按回滚步骤恢复旧系统\n", encoding="utf-8")
    scan = leak_scan_for(Project.at(minimal), "acme")
    assert "切换失败时按回滚步骤恢复旧系统" not in scan.foreign and "贝塔建工" in scan.foreign
    assert build_bundle(minimal, "acme", minimal / "dist").is_file()
