"""The portfolio at 100+ customers: risk view, people pages, sort and filter keys, grouping.

Model-level tests run on crafted data with a fixed build date; the browser tests at the end open
a generated 100-customer portfolio from file:// and over http.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import re
import threading
from pathlib import Path

import pytest

from conftest import ACME_PATH, REPO, fixture_mkdocs_yml, varied_portfolio, write_project
from handbook.data import attention
from handbook.data.loader import Project, load_project
from handbook.pages import people, portfolio, risks
from handbook.pages.registry import generate
from test_browser import _NETWORK, chromium, visit  # noqa: F401 (fixtures: one headless chromium, a recording context)

AS_OF = dt.date(2026, 5, 1)
TEMPLATES = REPO / "site_templates"

# acme (conftest MINIMAL) is in `deploy`, planned to end 2026-04-01, with UAT round 1 failed on an
# open P1 defect. Added here: two open items (one past due), an open task owned by 王五, a done
# task by 李四 (history, not work), and a vendor contact.
_ITEMS = """\
  open_items:
    - title: 报表导出格式调整
      owner: 王五
      due: 2026-04-20
    - title: 补充操作手册
      owner: 王五
      due: 2026-06-30
    - title: 已完成的事项
      owner: 王五
      due: 2026-03-01
      status: done
"""


def _crafted(root: Path) -> Path:
    write_project(root)
    path = root / ACME_PATH
    text = path.read_text(encoding="utf-8")
    text = text.replace("      - task: survey\n        state: done\n",
                        "      - task: survey\n        state: open\n        by: 王五\n")
    text = text.replace("  - role: admin\n    name: 张三\n",
                        "  - role: admin\n    name: 张三\n  - role: engineer\n    name: 周工\n")
    text = text.replace("acceptance:\n", "acceptance:\n" + _ITEMS, 1)
    path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def crafted(tmp_path: Path):
    root = _crafted(tmp_path / "proj")
    return load_project(Project(root, root / "project_data", root / "content"), as_of=AS_OF)


def _pages(model) -> dict:
    return {p.path: p for p in generate(model, TEMPLATES)}


def test_risks_are_exactly_the_blocked_and_overdue_records(crafted) -> None:
    found = [(kind, r.target, r.anchor, r.days_late) for kind, rs in attention.portfolio_risks(crafted) for r in rs]
    assert found == [
        ("gate-blocked", "project", "phase-deploy", 0),           # UAT round 1 failed
        ("milestone-overdue", "project", "phase-deploy", 30),     # deploy planned to end 2026-04-01
        ("uat-failed", "acceptance", "round-1", 0),
        ("defect-open", "acceptance", "round-1", 0),              # BUG-1, P1, open
        ("item-overdue", "acceptance", "open-items", 11),         # due 2026-04-20; the 06-30 one is not late
    ]
    page = _pages(crafted)[risks.PATH].markdown
    assert re.search(r"\(acme/index\.md#phase-deploy\)：部署完成（2026-04-01，.*已逾期.*）.*晚 30 天</strong>\n", page)
    assert "(acme/acceptance.md#round-1)：P1 缺陷 BUG\\-1「无法登录」" in page
    assert "「报表导出格式调整」，负责人 王五，应于 2026-04-20 完成" in page
    assert "补充操作手册" not in page and "已完成的事项" not in page
    assert re.findall(r"^## (.+?) \{", page, re.M) == ["关口受阻（1）", "里程碑逾期（1）", "UAT 未通过或未完成（1）",
                                                      "未关闭的 P0/P1 缺陷（1）", "验收遗留事项逾期（1）"]


def test_a_person_page_lists_exactly_their_open_work_by_due_date(crafted) -> None:
    everyone = {p.name: p for p in attention.people(crafted)}
    assert set(everyone) == {"李四", "王五", "周工"}  # 张三 is a customer-side contact, not an owner
    wang = everyone["王五"]
    assert [(a.kind, a.due, a.late) for a in wang.assignments] == [
        ("task", dt.date(2026, 2, 1), True),            # survey: due with the start phase's planned end
        ("open-item", dt.date(2026, 4, 20), True),
        ("open-item", dt.date(2026, 6, 30), False),
    ]
    assert everyone["李四"].assignments == ()  # only a done task: nothing open
    assert everyone["周工"].contact_roles == ("engineer",)
    page = _pages(crafted)[people.person_path(wang.slug)].markdown
    rows = re.findall(r"^\| (\d{4}-\d\d-\d\d).*?\| \[(.+?)\]\((.+?)\)", page, re.M)
    assert rows == [("2026-02-01", "需求调研", "../acme/index.md#phase-start"),
                    ("2026-04-20", "报表导出格式调整", "../acme/acceptance.md#open-items"),
                    ("2026-06-30", "补充操作手册", "../acme/acceptance.md#open-items")]
    assert "其中 <strong class=\"hb-overdue\">2 项已逾期</strong>" in page


def test_person_slugs_are_stable_ascii_and_names_are_escaped(tmp_path: Path) -> None:
    assert attention.person_slug("王五") == attention.person_slug(" 王五 ") == "p-" + "c68e0104"
    assert re.fullmatch(r"p-[0-9a-f]{8}", attention.person_slug("<script>alert(1)</script>"))
    root = _crafted(tmp_path / "proj")
    path = root / ACME_PATH
    path.write_text(path.read_text(encoding="utf-8").replace("owner: 王五\n      due: 2026-04-20",
                                                             "owner: \"<b onclick=x>x|[y](javascript:1)\"\n      due: 2026-04-20"),
                    encoding="utf-8")
    model = load_project(Project(root, root / "project_data", root / "content"), as_of=AS_OF)
    pages = _pages(model)
    person = next(p for p in attention.people(model) if p.name.startswith("<b"))
    page = pages[people.person_path(person.slug)]
    # (The bracketed tail is read as an affiliation and dropped from the name: see owner_names.)
    assert "<b onclick" not in page.markdown and "# &lt;b onclick\\=x&gt;x\\|\\[y\\]\n" in page.markdown
    assert "<b onclick" not in pages[people.INDEX].markdown and "<b onclick" not in pages[risks.PATH].markdown


def test_owner_fields_naming_several_people_are_split() -> None:
    assert attention.owner_names("周蕾（华建）、刘畅（筑云）") == ["周蕾", "刘畅"]
    assert attention.owner_names("王五/赵六, 钱七") == ["王五", "赵六", "钱七"]
    assert attention.owner_names("筑云运维 王磊") == ["筑云运维 王磊"]


def test_row_keys_are_codes_dates_and_numbers_from_the_model(crafted) -> None:
    acme = crafted.customers[0]
    keys = portfolio.row_keys(acme, AS_OF)
    assert {k: keys[k] for k in ("phase", "deployment", "sla", "progress", "milestone", "overdue", "uat")} == {
        "phase": "deploy", "deployment": "private", "sla": "gold", "progress": str(acme.percent),
        "milestone": "2026-04-01", "overdue": "30", "uat": "0"}
    assert keys["status"].split() == ["blocked", "overdue", "uat-failed"]
    marker = portfolio.row_marker(acme, AS_OF)
    assert 'data-milestone="2026&#45;04&#45;01"' in marker and "|" not in marker


def test_customer_index_is_grouped_by_phase_with_counts(tmp_path: Path) -> None:
    root = varied_portfolio(tmp_path / "proj", 9, AS_OF)
    model = load_project(Project(root, root / "project_data", root / "content"), as_of=AS_OF)
    page = _pages(model)["customers/index.md"].markdown
    assert re.findall(r"^## (.+?) \{ #(phase-\w+) \}", page, re.M) == [("1. 启动（3）", "phase-start"),
                                                                        ("2. 部署（7）", "phase-deploy")]
    assert page.count('<span class="hb-row"') == 10


def test_no_risk_or_people_page_in_a_customer_build(crafted) -> None:
    paths = set(_pages(crafted.for_customer("acme")))
    assert risks.PATH not in paths and not [p for p in paths if p.startswith("customers/people/")]
    assert risks.PATH in _pages(crafted) and people.INDEX in _pages(crafted)


@pytest.mark.e2e
def test_a_bundle_contains_no_risk_or_people_pages(tmp_path: Path) -> None:
    import zipfile

    from handbook.deliver.bundle import build_bundle

    archive = build_bundle(REPO, "ruifeng-mfg", tmp_path / "dist")
    names = zipfile.ZipFile(archive).namelist()
    assert [n for n in names if "/customers/people/" in n or n.endswith("customers/risks.html")
            or "risks" in n.rsplit("/", 1)[-1]] == []
    assert [n for n in names if n.endswith("customers/ruifeng-mfg/index.html")]  # the bundle itself is there
    text = "".join(zipfile.ZipFile(archive).read(n).decode("utf-8", "replace") for n in names if n.endswith(".html"))
    assert "风险与待办" not in text and "handbook-portfolio.js" not in text


# -- in a browser --------------------------------------------------------------------------------

N = 100


@pytest.fixture(scope="module")
def portfolio_site(tmp_path_factory) -> tuple[Path, object]:
    """A file:// copy of the internal site of a 100-customer portfolio (offline variant: file URLs,
    local search shim), served over http too."""
    from handbook.site.build import build_site
    from handbook.site.variant import BuildVariant, requested

    root = varied_portfolio(tmp_path_factory.mktemp("portfolio") / "proj", N, dt.date.today())
    config = fixture_mkdocs_yml(root)
    with requested(BuildVariant(None, offline=True)):
        build_site(config, root / "site")
    model = load_project(Project(root, root / "project_data", root / "content"))
    return root / "site", model


@pytest.fixture(scope="module")
def http_root(portfolio_site):
    site, _ = portfolio_site
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    thread.join()


def _rows(page, key: str) -> list[str]:
    """The `key` of every visible portfolio row, in the order shown."""
    return page.eval_on_selector_all(".hb-portfolio tbody tr:not([hidden]) .hb-row",
                                     f"ms => ms.map(m => m.getAttribute('data-{key}'))")


def _base(kind: str, site: Path, http_root: str) -> str:
    return site.as_uri() + "/" if kind == "file" else http_root


@pytest.mark.browser
@pytest.mark.e2e
@pytest.mark.parametrize("kind", ["file", "http"])
def test_dashboard_sorts_filters_and_keeps_the_filter_in_the_url(chromium, visit, portfolio_site, http_root, kind):
    site, model = portfolio_site
    if kind == "http":  # the recording context refuses http(s); this server is local
        visit.context.unroute(_NETWORK)
    page = visit.page()
    page.goto(_base(kind, site, http_root) + "customers/dashboard.html")
    assert page.locator(".hb-count").inner_text() == f"显示 {N + 1} / {N + 1} 个项目"
    before = _rows(page, "name")
    page.locator("th[data-sort=progress] button").click()
    progress = [int(x) for x in _rows(page, "progress")]
    assert progress == sorted(progress) and _rows(page, "name") != before
    page.locator("th[data-sort=progress] button").click()
    assert [int(x) for x in _rows(page, "progress")] == sorted(progress, reverse=True)

    # "The 5 most overdue projects in the deployment phase": filter the phase, sort by days late.
    page.select_option("form.hb-filter select[name=phase]", "deploy")
    page.select_option("form.hb-filter select[name=sort]", "-overdue")
    deploying = [c for c in model.customers if c.current_phase == "deploy"]
    late = sorted(deploying, key=lambda c: -max((r.days_late for r in attention.overdue_milestones(c, model.as_of)),
                                                default=0))
    assert set(_rows(page, "phase")) == {"deploy"} and len(_rows(page, "phase")) == len(deploying) < N + 1
    shown = [int(x) for x in _rows(page, "overdue")[:5]]
    expected = [max(r.days_late for r in attention.overdue_milestones(c, model.as_of)) for c in late[:5]]
    assert shown == expected and shown[0] > 0
    assert "phase=deploy" in page.url and "sort=-overdue" in page.url

    page.reload()
    assert page.locator("form.hb-filter select[name=phase]").input_value() == "deploy"
    assert [int(x) for x in _rows(page, "overdue")[:5]] == expected
    page.fill("form.hb-filter input[name=q]", "客户0001")
    assert _rows(page, "name") == ["客户0001"]
    assert visit.errors == []


@pytest.mark.browser
@pytest.mark.e2e
def test_from_a_name_to_all_their_open_items_from_disk(chromium, visit, portfolio_site):
    site, model = portfolio_site
    person = next(p for p in attention.people(model) if p.name == "赵六")
    page = visit.page()
    page.goto((site / "customers/people/index.html").as_uri())
    page.get_by_role("link", name="赵六", exact=True).click()
    page.wait_for_url(re.compile(re.escape(person.slug)))
    items = page.eval_on_selector_all("article table tbody tr td:nth-child(2) a", "as => as.map(a => a.textContent)")
    assert len(items) == len(person.assignments) > 10
    assert items == [a.record.task.title if a.kind == "task" else a.record.title for a in person.assignments]
    assert visit.errors == []


def test_people_routes_name_exactly_the_people_pages(tmp_path: Path) -> None:
    """The route check takes the people's names without their work: the same people, in the same order."""
    model = load_project(Project.at(varied_portfolio(tmp_path / "p", 30, dt.date(2026, 11, 28))),
                         as_of=dt.date(2026, 11, 28))
    everyone = attention.people(model)
    assert len(everyone) > 3
    assert attention.people_names(model) == [p.name for p in everyone]
