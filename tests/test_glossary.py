"""The glossary (术语表): data, page, tooltips on every page, and the practices findable by search."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import REPO, write_project, MINIMAL
from handbook.data.loader import Project, load_project
from handbook.errors import HandbookError as DataError
from handbook.pages import glossary, routes

TEMPLATES = REPO / "site_templates"

GLOSSARY_YML = """\
    terms:
      - id: sla
        term: SLA
        expansion: Service Level Agreement
        name: 服务等级协议
        definition: 支持服务的时限约定。
      - id: api
        term: API
        expansion: Application Programming Interface
        name: 应用程序接口
        definition: 系统之间的调用约定 <script>x</script>。
      - id: staging
        term: 预生产环境
        name: 预生产环境
        definition: 与生产一致的演练环境。
    """


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = write_project(tmp_path / "proj", {**MINIMAL, "project_data/glossary.yml": GLOSSARY_YML})
    for name in ("start", "admin-basics", "admin-perms"):
        (root / f"content/fragments/{name}.md").write_text("正文\n", encoding="utf-8")
    return root


def test_glossary_loads_and_sorts_abbreviations_with_the_priorities(project: Path) -> None:
    model = load_project(Project.at(project))
    assert [t.term for t in model.glossary] == ["SLA", "API", "预生产环境"]
    assert [t.is_abbreviation for t in model.glossary] == [True, True, False]
    abbreviations, terms = glossary.entries(model)
    assert [e.term for e in abbreviations] == ["API", "P0", "SLA"]  # P0 comes from sla.yml
    assert [e.term for e in terms] == ["预生产环境"]
    (page,) = glossary.pages(model, TEMPLATES)
    assert page.path == routes.GLOSSARY and page.meta == {"search": {"boost": 3}}
    text = page.markdown
    assert text.index("### API { #api }") < text.index("### P0 { #p0 }") < text.index("### SLA { #sla }")
    assert "**服务等级协议**（Service Level Agreement）" in text
    assert "&lt;script&gt;x&lt;\\/script&gt;" in text and "<script>" not in text
    assert "详见[服务等级（SLA）](support/sla.md)" in text
    assert "## 术语" in text and "### 预生产环境 { #staging }" in text


def test_abbreviation_definitions_cover_glossary_and_priorities(project: Path) -> None:
    model = load_project(Project.at(project))
    lines = glossary.abbreviation_definitions(model).strip().splitlines()
    assert lines == ["*[SLA]: 服务等级协议（Service Level Agreement）",
                     "*[API]: 应用程序接口（Application Programming Interface）",
                     "*[P0]: 紧急：系统不可用"]


def test_glossary_is_optional(tmp_path: Path) -> None:
    root = write_project(tmp_path / "proj")
    for name in ("start", "admin-basics", "admin-perms"):
        (root / f"content/fragments/{name}.md").write_text("正文\n", encoding="utf-8")
    model = load_project(Project.at(root))
    assert model.glossary == ()
    assert [e.term for e in glossary.entries(model)[0]] == ["P0"]


@pytest.mark.parametrize("old, new, expected", [
    ("term: API", "term: SLA", "project_data/glossary.yml:8:11: term 'SLA' is already defined (at project_data/glossary.yml:3:11)"),
    ("term: API", "term: P0", "project_data/glossary.yml:8:11: term 'P0' is already defined (at project_data/sla.yml:2:9)"),
    ("term: API", "term: '[x]'", "project_data/glossary.yml:8:11: '[x]' is not valid: The term as written"),
    ("id: api", "id: p0", "project_data/glossary.yml:7:9: glossary ID 'p0' is taken by priority P0"),
    ("    name: 应用程序接口\n", "", "project_data/glossary.yml:7:5: missing required field 'name'"),
])
def test_glossary_mistakes_are_located(project: Path, old: str, new: str, expected: str) -> None:
    path = project / "project_data/glossary.yml"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_project(Project.at(project))
    assert any(str(p).startswith(expected) for p in info.value.problems), [str(p) for p in info.value.problems]


@pytest.mark.e2e
def test_built_site_has_the_glossary_and_tooltips(sample_site: Path) -> None:
    model = load_project(Project.at(REPO))
    page = (sample_site / "glossary/index.html").read_text(encoding="utf-8")
    for term in model.glossary:
        assert f'id="{term.id}"' in page
    deployment = (sample_site / "methodology/deployment/index.html").read_text(encoding="utf-8")
    assert '<abbr title="用户验收测试（User Acceptance Testing）">UAT</abbr>' in deployment
    assert re.search(r'<abbr title="紧急：[^"]+">P0</abbr>', deployment)
    assert "*[UAT]" not in deployment  # the definitions are consumed, never shown
    index = json.loads((sample_site / "search/search_index.json").read_text(encoding="utf-8"))
    sla = next(d for d in index["docs"] if d["location"] == "glossary/#sla")
    assert sla["title"] == "SLA" and "服务等级协议" in sla["text"].replace("\u200b", "")
    assert next(d for d in index["docs"] if d["location"] == "glossary/").get("boost") == 3
    assert next(d for d in index["docs"] if d["location"] == "support/sla/").get("boost") == 2
    not_found = (sample_site / "404.html").read_text(encoding="utf-8")
    assert "<h1>404 - 找不到页面</h1>" in not_found and "Not found" not in not_found
    assert 'title="本节链接"' in deployment


# Each practice of the methodology that issue 15 found missing, and the pages a reader finds it
# on by searching for it (tokens of the built search index, split like Material splits them).
PRACTICES = {
    "插件扩展": ["methodology/principles/", "methodology/design/", "faq/implementation/"],
    "二次开发": ["methodology/principles/", "methodology/design/", "faq/implementation/", "glossary/"],
    "预生产环境": ["methodology/design/", "methodology/deployment/", "methodology/principles/", "faq/implementation/",
                "glossary/"],
    "应急预案": ["methodology/deployment/", "deliverables/contingency-plan/", "faq/implementation/"],
    "培训视频": ["methodology/training/", "training/end-user/", "faq/implementation/"],
    "索引优化": ["methodology/operations/", "faq/support/"],
    "缓存调优": ["methodology/operations/", "faq/support/", "deliverables/health-check-report/"],
    "安全补丁": ["methodology/operations/", "faq/support/", "deliverables/health-check-report/"],
    "敏捷迭代": ["methodology/operations/"],
    "客户共建": ["methodology/principles/"],
}


@pytest.mark.e2e
def test_each_practice_is_findable_by_search(sample_site: Path) -> None:
    index = json.loads((sample_site / "search/search_index.json").read_text(encoding="utf-8"))
    separator = re.compile(index["config"]["separator"])
    found: dict[str, set[str]] = {term: set() for term in PRACTICES}
    for doc in index["docs"]:
        tokens = set(separator.split(doc["title"] + " " + doc["text"]))
        for term in PRACTICES:
            if term in tokens:
                found[term].add(doc["location"].split("#")[0])
    for term, pages in PRACTICES.items():
        assert set(pages) <= found[term], (term, sorted(found[term]))
    plan = (sample_site / "customers/ruifeng-mfg/training/index.html").read_text(encoding="utf-8")
    assert "培训录像与视频" in plan and "移动审批远程培训录像" in plan
