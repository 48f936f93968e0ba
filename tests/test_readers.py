"""What readers see: dated status, overdue flags, gates not yet reached, audience filtering, a
bundle's own home page, and a site that works from disk without stray requests."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from conftest import ACME_PATH, READER_CUSTOMER, REPO
from handbook.data import model as m
from handbook.data.loader import Project, load_project
from handbook.pages import routes
from handbook.pages.registry import generate
from test_loader import edit

TEMPLATES = REPO / "site_templates"
ROLES = "project_data/roles.yml"
TRAINING = "project_data/training.yml"


def problems_of(root: Path) -> list[str]:
    from test_loader import problems

    return problems(root)


# -- dated status -------------------------------------------------------------------------------

def test_open_items_are_overdue_only_when_open_past_their_due_date() -> None:
    day = dt.date(2026, 5, 1)
    assert m.OpenItem("x", due=dt.date(2026, 4, 30)).is_overdue(day)
    assert not m.OpenItem("x", due=day).is_overdue(day)
    assert not m.OpenItem("x", due=dt.date(2026, 4, 30), status="done").is_overdue(day)
    assert not m.OpenItem("x").is_overdue(day)


def test_phases_not_reached_have_no_gate_verdict(minimal: Path) -> None:
    customer = load_project(Project.at(minimal)).customers[0]  # current phase: deploy
    assert [customer.gate_state(p.phase.id) for p in customer.phases] == ["passed", "open", "not-started"]
    page = next(p for p in generate(load_project(Project.at(minimal)), TEMPLATES)
                if p.path == routes.customer("acme")).markdown
    row = next(line for line in page.splitlines() if line.startswith("| [3. 运维]"))
    assert row.endswith("| 未开始 |")
    assert "已完成 · 已完成" not in page


def test_go_live_slip_is_counted_in_days(minimal: Path) -> None:
    edit(minimal, ACME_PATH, "current_phase: deploy", "current_phase: deploy\ngo_live:\n  planned: 2026-04-01")
    pending_early = load_project(Project.at(minimal), as_of=dt.date(2026, 3, 20)).customers[0]
    pending_late = load_project(Project.at(minimal), as_of=dt.date(2026, 4, 11)).customers[0]
    assert pending_early.go_live_slip_days is None and pending_late.go_live_slip_days == 10


def test_sample_pages_carry_the_as_of_date_and_flag_what_is_late() -> None:
    model = load_project(Project.at(REPO), as_of=dt.date(2026, 11, 28))
    pages = {p.path: p.markdown for p in generate(model, TEMPLATES)}
    for path in (routes.DASHBOARD, routes.customer("huajian-group"), routes.customer_training("huajian-group"),
                 routes.acceptance("huajian-group")):
        assert "数据截至 2026-11-28" in pages[path], path
    ruifeng = next(c for c in model.customers if c.id == "ruifeng-mfg")
    assert ruifeng.go_live_slip_days == (ruifeng.go_live_actual - ruifeng.go_live_planned).days > 0
    assert f"晚 {ruifeng.go_live_slip_days} 天" in pages[routes.DASHBOARD]
    # Column headers carry the portfolio's sort keys (pages/portfolio.py): planned and actual apart.
    assert re.search(r"\| <span[^>]*>计划上线</span> \| <span[^>]*>实际上线</span> \|", pages[routes.DASHBOARD])
    # The timeline's 今天 line is dated, and its legend is text on the page, not only an SVG title.
    customer = pages[routes.customer("huajian-group")]
    assert "今天 2026-11-28</text>" in customer
    assert '<p class="hb-legend">' in customer and "今天（2026-11-28）" in customer


def test_overdue_open_item_is_flagged_on_the_record(minimal: Path) -> None:
    edit(minimal, ACME_PATH, "  criteria:\n", "  open_items:\n    - title: 补充报表\n      owner: 张三\n"
                                              "      due: 2026-03-01\n  criteria:\n")
    model = load_project(Project.at(minimal), as_of=dt.date(2026, 3, 10))
    assert len(model.customers[0].overdue_items) == 1
    page = next(p for p in generate(model, TEMPLATES) if p.path == routes.acceptance("acme")).markdown
    row = next(line for line in page.splitlines() if line.startswith("| 补充报表 |"))
    assert row.endswith('| 未完成 · <strong class="hb-overdue">已逾期</strong> |')


# -- audience -----------------------------------------------------------------------------------

def test_internal_roles_and_modules_never_reach_a_customer_model(minimal: Path) -> None:
    edit(minimal, ROLES, "    side: vendor\n", "    side: vendor\n    audience: internal\n")
    edit(minimal, TRAINING, "  - id: admin-perms\n", "  - id: admin-perms\n    audience: customer\n")
    model = load_project(Project.at(minimal))
    assert model.role("engineer").audience == "internal" and model.module("admin-basics").audience == "all"
    assert [r.id for r in model.role_pages] == ["admin", "engineer"]
    customer = model.for_customer("acme")
    assert [r.id for r in customer.role_pages] == ["admin"]
    assert customer.role("engineer").name == "实施工程师" and customer.role("engineer").responsibilities == ()
    paths = {p.path for p in generate(customer, TEMPLATES)}
    assert routes.role("engineer") not in paths and routes.role("admin") in paths
    # A task of the internal role still names it, as text rather than a link to a missing page.
    phase = next(p.markdown for p in generate(customer, TEMPLATES) if p.path == routes.phase("start"))
    assert '<span class="hb-role">实施工程师</span>' in phase


def test_a_module_inherits_its_roles_audience_and_customer_data_cannot_use_internal_ones(minimal: Path) -> None:
    edit(minimal, ROLES, "    side: customer\n", "    side: customer\n    audience: internal\n")
    model = load_project(Project.at(minimal))
    assert {mod.audience for mod in model.modules} == {"internal"}
    assert model.for_customer("acme").modules == ()
    edit(minimal, ACME_PATH, "current_phase: deploy", "current_phase: deploy\ntraining:\n  - module: admin-basics\n"
                                                       "    audience: 管理员\n    format: onsite")
    assert any("training module 'admin-basics' is internal" in p for p in problems_of(minimal))


def test_a_customer_module_cannot_require_an_internal_one(minimal: Path) -> None:
    edit(minimal, TRAINING, "  - id: admin-basics\n", "  - id: admin-basics\n    audience: internal\n")
    (problem,) = problems_of(minimal)
    assert problem.startswith("project_data/training.yml:") and "prerequisite 'admin-basics' is internal" in problem


def test_unknown_audience_is_located(minimal: Path) -> None:
    edit(minimal, ROLES, "    side: vendor\n", "    side: vendor\n    audience: vendor-only\n")
    (problem,) = problems_of(minimal)
    assert re.match(r"project_data/roles\.yml:\d+:\d+: 'vendor-only' is not allowed here", problem)


def test_a_slash_date_gets_one_message(minimal: Path) -> None:
    edit(minimal, ACME_PATH, "date: 2026-01-06", "date: 2026/01/06")
    assert problems_of(minimal) == ["project_data/customers/acme.yml:19:15: '2026/01/06' is not valid: "
                                    "ISO date, e.g. 2026-03-01."]


def test_a_bundle_opens_on_the_customers_own_home_page() -> None:
    model = load_project(Project.at(REPO)).for_customer(READER_CUSTOMER)
    (home,) = [p for p in generate(model, TEMPLATES) if p.path == routes.HOME]
    customer = model.customers[0]
    assert home.replaces_content and home.markdown.startswith(f"# {customer.name}：")
    for words in ("数据截至", "## 项目状态", "## 本手册包含", "验收记录", customer.project):
        assert words in home.markdown
    assert not [p for p in generate(load_project(Project.at(REPO)), TEMPLATES) if p.path == routes.HOME]


# -- built sites ----------------------------------------------------------------------------------

@pytest.mark.e2e
def test_bundle_home_and_nav_put_the_customer_first(reader_bundle: Path) -> None:
    html = (reader_bundle / "index.html").read_text(encoding="utf-8")
    assert "瑞丰精密制造：工程管理系统实施手册" in html and "数据截至" in html
    nav = html[html.index("md-nav--primary"):]
    labels = re.findall(r'class="md-nav__link[^"]*"[^>]*>\s*(?:<span[^>]*>)?\s*([^<\s][^<]*?)\s*<', nav)
    assert labels.index("客户项目") < labels.index("方法论")
    assert "瑞丰精密制造" in nav  # the customer's own section is open on every page of its bundle
    # Vendor-internal pages are not in the bundle at all.
    assert not (reader_bundle / "roles/project-manager.html").exists()
    assert not (reader_bundle / "training/implementation-engineer.html").exists()


@pytest.mark.e2e
def test_reader_site_has_no_empty_sitemap_nor_version_selector(reader_site: Path) -> None:
    assert not (reader_site / "sitemap.xml").exists() and not (reader_site / "sitemap.xml.gz").exists()
    html = (reader_site / "index.html").read_text(encoding="utf-8")
    assert '"version": null' in html  # Material asks for ../versions.json only with a provider


@pytest.mark.browser
@pytest.mark.e2e
def test_reader_site_works_from_disk(reader_browser, reader_site: Path) -> None:
    from test_browser import search

    context = reader_browser.new_context(viewport={"width": 1280, "height": 900})
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    try:
        page.goto((reader_site / "index.html").as_uri())
        page.locator('a.md-nav__link[href$="dashboard.html"]').first.click()
        page.wait_for_url((reader_site / "customers/dashboard.html").as_uri())
        assert "项目组合看板" in page.title()
        hits = search(page, "验收")
        assert hits and all(h["page"].startswith("file://") and h["page"].endswith(".html") for h in hits)
    finally:
        context.close()
    assert [u for u in requests if not u.startswith(("file:", "data:", "blob:", "about:"))] == []
    assert not [u for u in requests if u.endswith("versions.json")]
