"""Shared fixtures: a minimal valid project tree that tests copy and break one thing at a time."""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ACME_PATH = "project_data/customers/acme.yml"

MINIMAL = {
    "project_data/handbook.yml": """\
        title: 测试手册
        version: "1.0"
        language: zh
        vendor: 测试软件
        """,
    "project_data/roles.yml": """\
        roles:
          - id: admin
            name: 管理员
            side: customer
            summary: 负责系统配置
          - id: engineer
            name: 实施工程师
            side: vendor
            summary: 负责实施
        """,
    "project_data/phases.yml": """\
        phases:
          - id: start
            name: 启动
            goal: 启动项目
            content: fragments/start.md
            steps:
              - title: 调研
                description: 访谈关键用户
            tasks:
              - id: kickoff
                title: 启动会
                roles: [engineer]
                gate: true
              - id: survey
                title: 需求调研
                roles: [engineer, admin]
            deliverables:
              - id: plan
                name: 《项目实施方案》
            gate:
              - id: plan-signed
                criterion: 方案已签字
          - id: deploy
            name: 部署
            goal: 上线
            steps:
              - title: 切换
                description: 低峰期切换
            tasks:
              - id: cutover
                title: 系统切换
                roles: [engineer]
                gate: true
            gate:
              - id: uat-accepted
                criterion: UAT 已通过
                rule: acceptance-passed
          - id: run
            name: 运维
            goal: 稳定运行
            steps:
              - title: 巡检
                description: 季度健康检查
            tasks:
              - id: health-check
                title: 健康检查
                roles: [engineer]
            gate:
              - id: stable
                criterion: 运行稳定
        """,
    "project_data/training.yml": """\
        modules:
          - id: admin-basics
            title: 后台配置
            role: admin
            duration_minutes: 60
            objectives: [会配置]
            body: fragments/admin-basics.md
          - id: admin-perms
            title: 权限
            role: admin
            duration_minutes: 90
            objectives: [会授权]
            prerequisites: [admin-basics]
            body: fragments/admin-perms.md
        """,
    "project_data/faq.yml": """\
        categories:
          - id: basics
            name: 基础
        entries:
          - id: what-is
            question: 什么叫工程管理系统？
            category: basics
            tags: [入门]
            phases: [start]
            roles: [admin]
            answer: 一套管理工程项目的软件。
        """,
    "project_data/sla.yml": """\
        priorities:
          - id: P0
            name: 紧急
            description: 系统不可用
        tiers:
          - id: gold
            name: 金牌
            coverage: 7x24
            clock: calendar
            targets:
              - priority: P0
                response: 1h
                resolution: 4h
        """,
    "project_data/customers/acme.yml": """\
        name: 艾克米集团
        project: 工程管理系统实施
        industry: 建筑
        deployment: private
        sla: gold
        handbook_version: "1.0"
        contacts:
          - role: admin
            name: 张三
            phone: "013800138000"
        current_phase: deploy
        phases:
          - phase: start
            planned: {start: 2026-01-05, end: 2026-02-01}
            actual: {start: 2026-01-05, end: 2026-02-03}
            tasks:
              - task: kickoff
                state: done
                date: 2026-01-06
                by: 李四
              - task: survey
                state: done
            gate:
              - criterion: plan-signed
                met: true
          - phase: deploy
            planned: {start: 2026-02-04, end: 2026-04-01}
            actual: {start: 2026-02-04}
        acceptance:
          criteria:
            - id: ac-1
              title: 核心流程可用
              must_pass: true
              result: pending
          rounds:
            - round: 1
              start: 2026-03-01
              end: 2026-03-05
              cases:
                - id: UAT-1
                  scenario: 登录
                  expected: 登录成功
                  result: failed
                  defects:
                    - id: BUG-1
                      title: 无法登录
                      priority: P1
                      status: open
        """,
    "content/index.md": "# 首页\n\n欢迎。\n",
    "content/fragments/start.md": "启动阶段的说明。\n",
    "content/fragments/admin-basics.md": "## 配置\n\n步骤。\n",
    "content/fragments/admin-perms.md": "## 授权\n\n步骤。\n",
}


def write_project(root: Path, files: dict[str, str] = MINIMAL) -> Path:
    """Write a project tree under `root` from `files` (path -> dedented text)."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def minimal(tmp_path: Path) -> Path:
    """A minimal valid project in a temporary directory."""
    return write_project(tmp_path / "proj")


@pytest.fixture(scope="session")
def sample_copy(tmp_path_factory) -> Path:
    """A read-only copy of the repository's sample project (data, content, mkdocs.yml, templates)."""
    dest = tmp_path_factory.mktemp("sample")
    for name in ("project_data", "content", "site_templates"):
        shutil.copytree(REPO / name, dest / name)
    shutil.copy(REPO / "mkdocs.yml", dest / "mkdocs.yml")
    return dest


def portfolio(root: Path, n: int) -> Path:
    """The minimal project with `n` more customers cloned from `acme` (for scaling tests and bench)."""
    write_project(root)
    acme = (root / ACME_PATH).read_text(encoding="utf-8")
    for i in range(n):
        (root / f"project_data/customers/c{i:04d}.yml").write_text(
            acme.replace("name: 艾克米集团", f"name: 客户{i:04d}"), encoding="utf-8")
    return root


def fixture_mkdocs_yml(root: Path, **plugin_options: object) -> Path:
    """Write a mkdocs.yml for a fixture project: the sample's settings, the repo's templates."""
    import yaml

    text = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    head, _, _ = text.partition("\nnav:")
    options = {"templates_dir": str(REPO / "site_templates"), **plugin_options}
    head = head.replace("  - handbook\n", "  - handbook:\n" + "".join(
        f"      {k}: {yaml.safe_dump(v, default_flow_style=True).strip().removesuffix('...').strip()}\n"
        for k, v in options.items()))
    head = head.replace("custom_dir: site_templates/overrides", f"custom_dir: {REPO / 'site_templates/overrides'}")
    head = "\n".join(line for line in head.splitlines() if "jieba_dict_user" not in line)
    # MkDocs requires site_name; the plugin insists it equals the fixture's own handbook title.
    title = yaml.safe_load((root / "project_data/handbook.yml").read_text(encoding="utf-8"))["title"]
    head = re.sub(r"(?m)^site_name: .*$", lambda _: f"site_name: {json.dumps(title, ensure_ascii=False)}", head)
    nav = "\nnav:\n  - 首页: index.md\n  - 方法论: methodology/index.md\n  - 客户项目: customers/index.md\n"
    path = root / "mkdocs.yml"
    path.write_text(head + nav, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def sample_site(sample_copy: Path, tmp_path_factory) -> Path:
    """The sample handbook built once with `handbook build` (atomic, warnings fail)."""
    from handbook.site.build import build_site

    out = tmp_path_factory.mktemp("built") / "site"
    build_site(sample_copy / "mkdocs.yml", out)
    return out


def varied_portfolio(root: Path, n: int, today) -> Path:
    """The minimal project with `n` more customers that differ the way a real portfolio does:
    phase (start / deploy), deployment, industry, planned dates around `today` (some overdue),
    open tasks owned by one engineer per ten customers, acceptance open items by three people. Customer `v0007` and its
    neighbours are spread so that sorting and filtering have something to reorder."""
    import datetime as dt

    write_project(root)
    industries, modes, owners = ("建筑", "制造", "医疗"), ("private", "saas", "hybrid"), ("王五", "赵六", "钱七")
    for i in range(n):
        in_start = i % 3 == 0
        end = today + dt.timedelta(days=(i * 37) % 120 - 60)  # from 60 days ago to 59 days ahead
        owner = owners[i % 3]
        start_done = min(end - dt.timedelta(days=58), today - dt.timedelta(days=1))  # never in the future
        start_phase = f"""\
          - phase: start
            planned: {{start: {end - dt.timedelta(days=90)}, end: {end if in_start else end - dt.timedelta(days=60)}}}
            actual: {{start: {end - dt.timedelta(days=90)}{'' if in_start else f', end: {start_done}'}}}
            tasks:
              - task: kickoff
                state: {'open' if in_start else 'done'}
                by: 工程师{i // 10:02d}
              - task: survey
                state: {'open' if in_start else 'done'}
                by: 李四
            gate:
              - criterion: plan-signed
                met: {'false' if in_start else 'true'}
"""
        deploy_phase = "" if in_start else f"""\
          - phase: deploy
            planned: {{start: {end - dt.timedelta(days=57)}, end: {end}}}
            actual: {{start: {start_done + dt.timedelta(days=1)}}}
            tasks:
              - task: cutover
                state: open
                by: 工程师{i // 10:02d}
"""
        text = f"""\
name: 客户{i:04d}
project: 工程管理系统实施
industry: {industries[i % 3]}
deployment: {modes[(i // 3) % 3]}
sla: gold
handbook_version: "1.0"
contacts:
  - role: engineer
    name: 周工
current_phase: {'start' if in_start else 'deploy'}
go_live:
  planned: {end + dt.timedelta(days=30)}
phases:
{textwrap.indent(textwrap.dedent(start_phase + deploy_phase), '  ')}
acceptance:
  open_items:
    - title: 报表导出格式调整（{i:04d}）
      owner: {owner}
      due: {today + dt.timedelta(days=(i * 11) % 40 - 20)}
"""
        (root / f"project_data/customers/v{i:04d}.yml").write_text(text, encoding="utf-8")
    return root


# -- what readers see: the built sites the gates (test_links, test_a11y, test_layout) look at ------

READER_CUSTOMER = "ruifeng-mfg"  # the bundle the gates open (the sample customer with the most pages)
# Hand-written pages and theme pages no page family generates, checked like the families.
OTHER_PAGES = {"home": "index.md", "content": "methodology/principles.md", "tags": "faq/tags.md",
               "template": "deliverables/field-mapping.md"}


def html_path(src: str) -> str:
    """Where a source page lands in a build that works from disk (use_directory_urls: false)."""
    return src[:-3] + ".html"


def family_pages(model, templates_dir: Path = REPO / "site_templates") -> dict[str, str]:
    """One page of every kind each page family produces (its index, a member page, a customer's
    page, a print view), plus the hand-written pages: {label: source path}, each path once.
    Derived from the family list, so a new family is covered by every gate without touching the
    tests. Customer pages are READER_CUSTOMER's (the sample customer with the fullest record)."""
    from handbook.pages.registry import FAMILIES

    chosen: dict[str, str] = dict(OTHER_PAGES)
    for family in FAMILIES:
        name = family.__name__.rsplit(".", 1)[-1]
        for page in family.pages(model, templates_dir):
            if page.customer not in (None, READER_CUSTOMER):
                continue
            kind = "print" if page.meta.get("template") == "print.html" else "customer" if page.customer else \
                "index" if page.path.endswith("index.md") else "page"
            if page.path not in chosen.values():
                chosen.setdefault(f"{name}:{kind}", page.path)
    return chosen


@pytest.fixture(scope="session")
def reader_site(sample_copy: Path, tmp_path_factory) -> Path:
    """The sample handbook as `handbook build` writes it for readers: works from file://."""
    from handbook.site.build import build_site

    out = tmp_path_factory.mktemp("reader") / "site"
    build_site(sample_copy / "mkdocs.yml", out, offline=True)
    return out


@pytest.fixture(scope="session")
def reader_bundle(tmp_path_factory) -> Path:
    """The unzipped bundle of READER_CUSTOMER, built from the repository's sample project."""
    import zipfile

    from handbook.deliver.bundle import build_bundle

    out = tmp_path_factory.mktemp("reader-bundle")
    archive = build_bundle(REPO, READER_CUSTOMER, out / "dist")
    with zipfile.ZipFile(archive) as z:
        z.extractall(out / "unzipped")
    return out / "unzipped" / archive.stem


@pytest.fixture(scope="session")
def reader_pages() -> dict[str, dict[str, str]]:
    """Site -> {family key: built file} of the pages every gate opens: the internal site's
    families and a bundle's (which has its own home page and no dashboard)."""
    from handbook.data.loader import Project, load_project

    model = load_project(Project.at(REPO))
    site = {key: html_path(src) for key, src in family_pages(model).items()}
    bundle = {key: html_path(src) for key, src in family_pages(model.for_customer(READER_CUSTOMER)).items()}
    # 404.html is left out: only a web server shows it, and its URLs are root-absolute for that.
    return {"site": site, "bundle": bundle}


@pytest.fixture(scope="session")
def reader_browser():
    """Debian's chromium through Playwright, headless, shared by the gates; skipped when missing,
    except under CI, where that is a failure."""
    import os

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    chromium = Path("/usr/bin/chromium")
    if sync_playwright is None or not chromium.is_file():
        reason = "playwright or /usr/bin/chromium is missing"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI is set, so the browser gates must run", pytrace=False)
        pytest.skip(reason)
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True,
                                             args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                                                   "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()
    finally:
        playwright.stop()


def reader_cases() -> list[tuple[str, str]]:
    """(site, family label) of every page the browser gates open: for parametrizing at collection."""
    from handbook.data.loader import Project, load_project

    model = load_project(Project.at(REPO))
    return [("site", key) for key in family_pages(model)] + \
        [("bundle", key) for key in family_pages(model.for_customer(READER_CUSTOMER))]
