"""Training manuals, print views, customer training plans, the FAQ, its tags, and Chinese search."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import MINIMAL, REPO, write_project
from handbook.pages import faq, methodology, projects, routes, training
from handbook.site.build import build_site
from handbook.data.loader import Project, load_project
from handbook.data.model import TrainingModule, TrainingSession

TEMPLATES = REPO / "site_templates"

# The minimal fixture, with exercises, a self-check list, a level-1 heading in a module body and a
# second manual whose module depends on one of the first: enough to check a manual's composition.
TRAINING_YML = """\
    modules:
      - id: admin-basics
        title: 后台配置
        role: admin
        duration_minutes: 60
        objectives: [会配置组织架构, 会维护数据字典]
        body: fragments/admin-basics.md
        exercises:
          - kind: theory
            task: 说明配置变更的路径
          - kind: practice
            task: 新增一个项目部
        self_check: [我知道停用和删除的区别]
      - id: admin-perms
        title: 权限
        role: admin
        duration_minutes: 90
        objectives: [会授权]
        prerequisites: [admin-basics]
        body: fragments/admin-perms.md
      - id: engineer-migration
        title: 数据迁移
        role: engineer
        duration_minutes: 45
        objectives: [会迁移]
        prerequisites: [admin-perms]
        body: fragments/engineer-migration.md
    """
BASICS_BODY = "# 后台概览\n\n入口在右上角。\n\n## 组织架构\n\n```sh\n# not a heading\n```\n"


@pytest.fixture
def trained(tmp_path: Path) -> Path:
    files = {**MINIMAL, "project_data/training.yml": TRAINING_YML,
             "content/fragments/admin-basics.md": BASICS_BODY,
             "content/fragments/engineer-migration.md": "迁移步骤。\n"}
    return write_project(tmp_path / "proj", files)


@pytest.fixture(scope="module")
def sample():
    return load_project(Project.at(REPO))


def by_path(pages) -> dict:
    return {p.path: p for p in pages}


def section(markdown: str, heading_start: str) -> str:
    """The Markdown from the `##` heading starting with `heading_start` up to the next `##` heading."""
    start = markdown.index("\n" + heading_start)
    nxt = markdown.find("\n## ", start + 1)
    return markdown[start:] if nxt < 0 else markdown[start:nxt]


# --- training: pure functions -------------------------------------------------------------------


def test_demote_headings_moves_the_body_below_the_module_heading() -> None:
    body = "# A\n\ntext\n\n## B ##\n\n```\n# comment\n```\n\nSetext\n======\n\n## C#\n"
    assert training.demote_headings(body) == (
        "### A\n\ntext\n\n#### B\n\n```\n# comment\n```\n\n### Setext\n\n#### C#\n")
    assert training.demote_headings("### 已经够深\n\n#### 更深\n") == "### 已经够深\n\n#### 更深\n"
    assert training.demote_headings("## 操作 { #op }\n") == "### 操作 { #op }\n"
    assert training.demote_headings("- 列表项\n---\n") == "- 列表项\n---\n"  # a rule, not a heading
    assert training.demote_headings("######## x\n") == "######## x\n"  # not a heading either


def test_manual_composition_and_order(trained: Path) -> None:
    model = load_project(Project.at(trained))
    pages = by_path(training.pages(model, TEMPLATES))
    manual = pages[routes.manual("admin")]
    assert (manual.title, manual.nav_parent) == ("管理员培训手册", routes.TRAINING)
    text = manual.markdown
    assert text.startswith("# 管理员培训手册\n")
    first = text.index("## 1. 后台配置 { #module-admin-basics }")
    second = text.index("## 2. 权限 { #module-admin-perms }")
    assert first < second
    basics = text[first:second]
    # Composition inside a module: duration and prerequisites, objectives, body, exercises, self-check.
    order = ["**时长**：1 小时 · **先修模块**：无", "**学习目标**", "- 会配置组织架构", "- 会维护数据字典",
             "### 后台概览", "入口在右上角。", "#### 组织架构", "# not a heading",
             "### 练习 { #module-admin-basics-exercises }", "| 1 | 理论 | 说明配置变更的路径 |",
             "| 2 | 实操 | 新增一个项目部 |", "### 自测清单 { #module-admin-basics-self-check }",
             "- [ ] 我知道停用和删除的区别"]
    positions = [basics.index(s) for s in order]
    assert positions == sorted(positions)
    assert "\n# 后台概览" not in text  # the body's level-1 heading was demoted
    perms = text[second:]
    assert "**时长**：1 小时 30 分钟 · **先修模块**：[后台配置](admin.md#module-admin-basics)" in perms
    assert "### 练习" not in perms and "### 自测清单" not in perms  # none in the data: no empty sections
    # The overview table of the manual, and its related FAQ and print view.
    assert "| 2 | [权限](#module-admin-perms) | 1 小时 30 分钟 | [后台配置](admin.md#module-admin-basics) |" in text
    assert "[:material-printer: 打印版](../print/training-admin.md)" in text
    assert "- [什么叫工程管理系统？](../faq/basics.md#faq-what-is)" in section(text, "## 相关常见问题")
    # A prerequisite in another role's manual links to that manual.
    engineer = pages[routes.manual("engineer")].markdown
    assert "**先修模块**：[权限](admin.md#module-admin-perms)" in engineer


def test_manuals_index_counts_and_durations(trained: Path) -> None:
    model = load_project(Project.at(trained))
    index = by_path(training.pages(model, TEMPLATES))[routes.TRAINING]
    assert (index.title, index.nav_parent) == ("培训手册", routes.TRAINING)
    assert ("| [管理员培训手册](admin.md) | [管理员](../roles/admin.md) | 2 | 2 小时 30 分钟 | "
            "[打印版](../print/training-admin.md) |") in index.markdown
    assert "| [实施工程师培训手册](engineer.md) | [实施工程师](../roles/engineer.md) | 1 | 45 分钟 |" in index.markdown
    assert "2. [权限](admin.md#module-admin-perms)（1 小时 30 分钟）" in index.markdown


def test_only_roles_with_modules_get_a_manual(minimal: Path) -> None:
    model = load_project(Project.at(minimal))
    paths = set(by_path(training.pages(model, TEMPLATES)))
    assert routes.manual("admin") in paths and routes.manual_print("admin") in paths
    assert routes.manual("engineer") not in paths and routes.manual_print("engineer") not in paths


def test_print_view_wraps_each_module_and_stays_out_of_nav_and_search(trained: Path) -> None:
    model = load_project(Project.at(trained))
    page = by_path(training.pages(model, TEMPLATES))[routes.manual_print("admin")]
    assert page.nav_parent is None
    assert page.meta == {"template": "print.html", "search": {"exclude": True}, "hide": ["navigation", "toc"]}
    text = page.markdown
    assert text.startswith("# 管理员培训手册（打印版）\n")
    blocks = re.findall(r'<div class="hb-module" markdown>\n\n(.*?)\n</div>', text, re.S)
    assert [re.search(r"\{ #(module-[a-z-]+) \}", b).group(1) for b in blocks] == \
        ["module-admin-basics", "module-admin-perms"]
    assert "入口在右上角。" in blocks[0] and "### 练习" in blocks[0]
    # One self-contained document: a prerequisite in the same manual links within the page.
    assert "**先修模块**：[后台配置](#module-admin-basics)" in blocks[1]
    assert "打印版](" not in text


def test_session_attendance_percentage_rounds_down() -> None:
    module = TrainingModule("m", "模块", "r", 30, (), (), "", "")
    row = lambda **kw: training.SessionRow(TrainingSession("m", "对象", "onsite", **kw), module, None, "")  # noqa: E731
    assert row(invited=12, attended=11).attendance_percent == 91
    assert row(invited=3, attended=3).attendance_percent == 100
    assert row(invited=160).attendance_percent is None
    assert row(invited=0, attended=0).attendance_percent is None
    assert row(attended=5).attendance_percent is None


def test_customer_training_plan_of_the_sample(sample) -> None:
    pages = by_path(training.pages(sample, TEMPLATES))
    huajian = next(c for c in sample.customers if c.id == "huajian-group")
    page = pages[routes.customer_training(huajian.id)]
    assert (page.title, page.nav_parent, page.nav_group, page.customer) == \
        ("培训计划", routes.CUSTOMERS, huajian.name, huajian.id)
    rows = [line for line in page.markdown.splitlines() if line.startswith("| 20")]
    assert len(rows) == len(huajian.training) == 9
    done = sum(1 for s in huajian.training if s.completed)
    assert f"共 9 场培训，已完成 {done} 场。" in page.markdown and done == 5
    for session, line in zip(huajian.training, rows):
        module = sample.module(session.module)
        assert line.startswith(f"| {session.date.isoformat()}<br><span class=\"hb-meta\">")
        assert f" | [{module.title}](../../training/{module.role}.md#module-{module.id})<br>" in line
        if session.attended is not None:
            percent = 100 * session.attended // session.invited
            assert f"| {session.attended}/{session.invited}（{percent}%） |" in line
        else:
            assert f"| —/{session.invited} |" in line
    imports = next(line for line in rows if "module-power-data-import-export" in line)
    assert "现场</span> |" in imports and "| 各业务条线关键用户 | 刘畅 | 11/12（91%） | 已完成 |" in imports
    admins = next(line for line in rows if "module-admin-console" in line)
    assert ("| 信息中心系统管理员<br><span class=\"hb-meta\">赵敏、钱磊、何静</span> | 刘畅 | 3/3（100%） | 已完成 |"
            in admins)
    assert "[系统管理员](../../roles/administrator.md){ .hb-role }" in admins
    manuals = section(page.markdown, "## 适用的培训手册")
    assert ("- [系统管理员培训手册](../../training/administrator.md)：已安排 2 / 3 个模块；尚未安排："
            "[日志与监控](../../training/administrator.md#module-admin-logs)") in manuals
    # Roles none of the sessions train have no manual listed (the engineer's is internal).
    assert "实施工程师培训手册" not in manuals and manuals.count("\n- [") == 5


def test_training_plan_of_a_customer_without_attendance_yet(sample) -> None:
    page = by_path(training.pages(sample, TEMPLATES))[routes.customer_training("kangning-hospital")]
    assert "共 5 场培训，已完成 0 场。" in page.markdown
    assert "| 2027-02-24<br>" in page.markdown
    assert " | [数据导入导出](../../training/power-user.md#module-power-data-import-export)<br>" in page.markdown
    assert "| —/5 | 未完成 |" in page.markdown and "%）" not in page.markdown


# --- FAQ: pure functions ------------------------------------------------------------------------


def test_faq_category_page_entries_anchors_and_tags(sample) -> None:
    pages = by_path(faq.pages(sample, TEMPLATES))
    page = pages[routes.faq_category("data")]
    assert (page.title, page.nav_parent) == ("数据与迁移", routes.FAQ)
    entries = [e for e in sample.faq if e.category == "data"]
    for entry in entries:
        path, anchor = routes.faq_entry(entry)
        assert path == page.path and f"## {entry.question} {{ #{anchor} }}" in page.markdown
    failed = section(page.markdown, "## 数据迁移失败怎么办？")
    assert "<p>迁移按批次执行" in failed  # the answer is rendered Markdown
    assert "**标签**：数据迁移 · 回滚" in failed
    assert "[实施工程师](../roles/implementation-engineer.md){ .hb-role }" in failed
    assert "**相关阶段**：[3. 实施与部署](../methodology/deployment.md)" in failed
    assert page.meta["tags"] == ["数据迁移", "回滚", "数据清洗", "字段映射"]


def test_faq_index_lists_categories_with_their_questions(sample) -> None:
    pages = by_path(faq.pages(sample, TEMPLATES))
    index = pages[routes.FAQ]
    assert f"共 {len(sample.faq)} 个问题，分为 5 类。" in index.markdown
    data = section(index.markdown, "## [数据与迁移](data.md)")
    assert data.count("\n- [") == 3 and "- [数据迁移失败怎么办？](data.md#faq-migration-failed)" in data
    tags = pages[routes.FAQ_TAGS]
    assert (tags.title, tags.nav_parent) == ("标签索引", routes.FAQ)
    assert "\n<!-- material/tags -->\n" in tags.markdown


def test_phase_page_lists_exactly_the_faqs_of_the_phase(sample) -> None:
    pages = by_path(methodology.pages(sample, TEMPLATES))
    for phase in sample.phases:
        text = pages[routes.phase(phase.id)].markdown
        listed = set(re.findall(r"#(faq-[a-z0-9-]+)\)", section(text, "## 相关常见问题"))) \
            if "## 相关常见问题" in text else set()
        expected = {f"faq-{e.id}" for e in sample.faq if phase.id in e.phases}
        assert listed == expected, phase.id
    # Non-trivial: the deployment phase has several, and a customer entry tagged with it is not among them.
    deployment = pages[routes.phase("deployment")].markdown
    assert "faq-rollback-request" in deployment and "faq-migration-failed" in deployment
    assert "huajian-subcontractor-settlement" not in deployment


def test_customer_faq_stays_on_its_own_project_page(sample) -> None:
    shared = faq.pages(sample, TEMPLATES) + methodology.pages(sample, TEMPLATES)
    own = by_path(projects.pages(sample, TEMPLATES) + training.pages(sample, TEMPLATES))
    with_faq = [c for c in sample.customers if c.faq]
    assert len(with_faq) >= 2
    for customer in with_faq:
        for entry in customer.faq:
            assert routes.faq_entry(entry) == (routes.customer(customer.id), f"faq-{entry.id}")
            assert f"{{ #faq-{entry.id} }}" in own[routes.customer(customer.id)].markdown
            for page in shared:
                assert entry.question not in page.markdown and entry.id not in page.markdown, page.path
            for other in sample.customers:
                if other.id != customer.id:
                    for path in (routes.customer(other.id), routes.customer_training(other.id)):
                        assert entry.question not in own[path].markdown, path


def test_data_text_is_inert_in_training_and_faq_pages(tmp_path: Path) -> None:
    hostile = "<script>alert(1)</script>"
    files = {**MINIMAL}
    files["project_data/training.yml"] = MINIMAL["project_data/training.yml"].replace(
        "title: 权限", f"title: '权限{hostile}'").replace("objectives: [会授权]", f"objectives: ['{hostile}']")
    files["project_data/faq.yml"] = MINIMAL["project_data/faq.yml"].replace(
        "name: 基础", f"name: '基础{hostile}'").replace("tags: [入门]", "tags: [入门, '<b>粗</b>']").replace(
        "question: 什么叫工程管理系统？", f"question: '什么{hostile}'")
    files["project_data/customers/acme.yml"] = MINIMAL["project_data/customers/acme.yml"].rstrip(" ") + f"""\
        training:
          - module: admin-perms
            audience: '{hostile}'
            format: remote
            trainer: '[x](javascript:alert(1))'
        """
    model = load_project(Project.at(write_project(tmp_path / "proj", files)))
    pages = training.pages(model, TEMPLATES) + faq.pages(model, TEMPLATES)
    for page in pages:
        assert "<script" not in page.markdown and "](javascript:" not in page.markdown, page.path
    category = by_path(pages)[routes.faq_category("basics")]
    assert category.meta["tags"] == ["入门", "<b>粗</b>"]  # escaped by the plugin, as every page's tags
    assert "&lt;script&gt;" in category.markdown


# --- end to end: one build of the sample --------------------------------------------------------


@pytest.fixture(scope="module")
def site(sample_copy: Path, tmp_path_factory) -> Path:
    """The sample site, built once for this module (the build fails on any warning)."""
    out = tmp_path_factory.mktemp("h4") / "site"
    build_site(sample_copy / "mkdocs.yml", out)
    return out


def html_of(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


def article(page_html: str) -> str:
    return page_html[page_html.index("<article"):page_html.index("</article>")]


@pytest.mark.e2e
def test_built_manual(site: Path, sample) -> None:
    page = html_of(site, "training/administrator")
    body = article(page)
    ids = re.findall(r'<h2 id="(module-[a-z0-9-]+)"', body)
    assert ids == [f"module-{m.id}" for m in sample.modules_for("administrator")]
    assert '<a class="md-button" href="../../print/training-administrator/">' in body
    assert '<a href="./#module-admin-console">后台配置基础</a>' in body  # a prerequisite, same manual
    assert '<a href="../power-user/#module-power-data-import-export">数据导入导出</a>' in \
        article(html_of(site, "training/implementation-engineer"))  # a prerequisite in another manual
    assert "管理后台入口位于右上角头像菜单" in body  # a module body from content/
    assert 'id="module-admin-permissions-self-check"' in body and 'type="checkbox"' in body
    assert "md-nav--primary" in page  # the normal page keeps its navigation


@pytest.mark.e2e
def test_built_print_view_is_one_clean_document(site: Path, sample) -> None:
    page = html_of(site, "print/training-administrator")
    for chrome in ("md-nav", "md-search", "md-header", "md-footer", "md-tabs"):
        assert chrome not in page, chrome
    modules = sample.modules_for("administrator")
    blocks = re.findall(r'<div class="hb-module">\s*<h2 id="(module-[a-z0-9-]+)"', page)
    assert blocks == [f"module-{m.id}" for m in modules]
    assert "<h1" in page and "系统管理员培训手册（打印版）" in page
    assert '<link rel="stylesheet" href="../../assets/handbook.css">' in page  # the print rules reach it


@pytest.mark.e2e
def test_built_faq_tags(site: Path) -> None:
    page = html_of(site, "faq/data")
    tags = re.findall(r'<a href="\.\./tags/#tag:([^"]+)" class="md-tag">([^<]+)</a>', page)
    assert sorted(name for _, name in tags) == sorted(["数据迁移", "回滚", "数据清洗", "字段映射"])
    listing = article(html_of(site, "faq/tags"))
    assert "material/tags" not in listing  # the marker was replaced by the listing
    rollback = listing[listing.index('id="tag:回滚"'):]
    rollback = rollback[:rollback.index("</ul>")]
    assert re.findall(r'<a href="\.\./([a-z]+)/">', rollback) == ["implementation", "data"]
    assert json.loads((site / "tags.json").read_text(encoding="utf-8"))


class SearchIndex:
    """A small matcher over Material's search index, token-based like lunr.

    A term matches an entry when it equals a run of consecutive index tokens: the index text is
    split with the index's own separator, so the term only matches if jieba segmented the Chinese
    text at the term's boundaries (unsegmented, a whole sentence is one token and nothing matches).
    """

    def __init__(self, path: Path):
        data = json.loads(path.read_text(encoding="utf-8"))
        self.separator = re.compile(data["config"]["separator"])
        self.docs = data["docs"]

    def tokens(self, text: str) -> list[str]:
        return [t for t in self.separator.split(re.sub(r"<[^>]+>", " ", text)) if t]

    def matches(self, doc: dict, term: str) -> bool:
        for field in ("title", "text"):
            tokens = self.tokens(doc.get(field, ""))
            for i in range(len(tokens)):
                run = ""
                for token in tokens[i:]:
                    run += token
                    if run == term:
                        return True
                    if not term.startswith(run):
                        break
        return False

    def hits(self, term: str) -> list[str]:
        return [doc["location"] for doc in self.docs if self.matches(doc, term)]


@pytest.fixture(scope="module")
def index(site: Path) -> SearchIndex:
    return SearchIndex(site / "search" / "search_index.json")


@pytest.mark.e2e
@pytest.mark.parametrize(("term", "expected"), [
    ("数据迁移", ["methodology/deployment/", "training/implementation-engineer/#module-engineer-data-migration",
              "faq/data/#faq-migration-failed", "faq/data/#faq-migration-scope"]),
    ("回滚", ["methodology/deployment/", "training/it-admin/#module-itadmin-deploy-backup",
            "faq/implementation/#faq-rollback-request", "faq/data/#faq-migration-failed"]),
    ("权限", ["methodology/design/", "training/administrator/#module-admin-permissions",
            "faq/permissions/#faq-permission-request", "faq/permissions/#faq-permission-data-scope"]),
    ("验收", ["methodology/deployment/", "training/business-owner/#module-owner-acceptance-dashboard",
            "faq/implementation/#faq-acceptance-signoff", "faq/implementation/#faq-uat-failed"]),
])
def test_search_finds_phase_pages_manual_sections_and_faq_entries(index: SearchIndex, term: str,
                                                                  expected: list[str]) -> None:
    hits = index.hits(term)
    for location in expected:
        # A page URL (ending in "/") is found if any of its sections is; an anchor must match exactly.
        found = any(h.startswith(location) for h in hits) if location.endswith("/") else location in hits
        assert found, f"{term}: {location} not in {hits}"


@pytest.mark.e2e
def test_search_index_is_segmented_and_leaves_out_print_views(index: SearchIndex) -> None:
    # Spaces, jieba's zero-width cuts, hyphens and full-width punctuation (so that `（SLA）` is `SLA`).
    assert index.separator.pattern.startswith(r"[\s\u200b\-，。、；：")
    assert any("\u200b" in doc["text"] for doc in index.docs)  # jieba ran
    assert not index.hits("这是一句不存在的话")
    assert not [d["location"] for d in index.docs if d["location"].startswith("print/")]
    # The matcher is token-based: a substring across a word boundary is not a hit.
    entry = next(d for d in index.docs if d["location"] == "faq/data/#faq-migration-failed")
    assert index.matches(entry, "数据迁移") and not index.matches(entry, "据迁")


def test_recordings_are_listed_in_manuals_and_training_plans(tmp_path: Path) -> None:
    root = write_project(tmp_path / "proj", {**MINIMAL, "project_data/training.yml": MINIMAL["project_data/training.yml"].replace(
        "            body: fragments/admin-basics.md\n",
        "            body: fragments/admin-basics.md\n"
        "            recordings:\n"
        "              - title: 后台菜单导览\n"
        "                kind: screencast\n"
        "                minutes: 12\n"
        "                location: 客户知识库 › 系统管理员\n"
        "                url: https://kb.example/admin\n"
        "              - title: '<b>录像</b>'\n"
        "                kind: video\n"
        "                location: 知识库\n")})
    for name in ("start", "admin-basics", "admin-perms"):
        (root / f"content/fragments/{name}.md").write_text("正文\n", encoding="utf-8")
    model = load_project(Project.at(root))
    module = model.module("admin-basics")
    assert [r.title for r in module.recordings] == ["后台菜单导览", "<b>录像</b>"]
    assert module.recordings[0].link == "https://kb.example/admin" and module.recordings[1].link is None
    pages = {p.path: p.markdown for p in training.pages(model, TEMPLATES)}
    manual = pages[routes.manual("admin")]
    assert "### 培训视频与录屏 { #module-admin-basics-recordings }" in manual
    assert "- [后台菜单导览](https://kb.example/admin)（操作录屏，12 分钟），存放于 客户知识库 › 系统管理员" in manual
    assert "&lt;b&gt;录像&lt;\\/b&gt;（教学视频），存放于 知识库" in manual and "<b>录像" not in manual
    plan = pages[routes.customer_training("acme")]
    sessions = [s.module for s in model.customers[0].training]
    assert ("## 培训录像与视频" in plan) == ("admin-basics" in sessions)


def test_sample_training_plan_lists_session_recordings() -> None:
    model = load_project(Project.at(REPO))
    customer = next(c for c in model.customers if c.id == "ruifeng-mfg")
    recorded = [s for s in customer.training if s.recording]
    assert len(recorded) == 2
    pages = {p.path: p.markdown for p in training.pages(model, TEMPLATES)}
    plan = pages[routes.customer_training(customer.id)]
    section = plan[plan.index("## 培训录像与视频"):plan.index("## 适用的培训手册")]
    for session in recorded:
        assert f"{session.recording.title}（课堂录像，{session.recording.minutes} 分钟）" in section
    assert "三分钟学会填写项目日报（教学视频，3 分钟）" in section  # a scheduled module's video
    other = pages[routes.customer_training("kangning-hospital")]
    assert "瑞丰知识库" not in other
