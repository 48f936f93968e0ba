"""Phase checklists, customer project pages, the dashboard and the scaling of navigation."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import REPO, fixture_mkdocs_yml, portfolio
from handbook.pages import routes
from handbook.site.build import build_site
from handbook.data.loader import Project, load_project
from handbook.pages.registry import generate
from handbook.pages.svg import phase_distribution, timeline
from test_loader import ACME, edit

TEMPLATES = REPO / "site_templates"


@pytest.fixture(scope="module")
def sample():
    import datetime as dt

    return load_project(Project.at(REPO), as_of=dt.date(2026, 11, 25))


def test_progress_and_gate_verdicts_are_computed(minimal: Path) -> None:
    acme = load_project(Project.at(minimal)).customers[0]
    start, deploy, run = acme.phases
    assert (start.done, start.applicable, start.percent, start.complete) == (2, 2, 100, True)
    assert (deploy.done, deploy.open, deploy.percent) == (0, 1, 0)
    assert [t.task.id for t in deploy.open_gate_tasks] == ["cutover"]
    # The UAT criterion is rule-backed: computed from the acceptance record, not claimed.
    verdict = deploy.gate[0]
    assert (verdict.criterion.id, verdict.source, verdict.met) == ("uat-accepted", "computed", False)
    assert not deploy.complete
    assert (acme.done, acme.applicable, acme.percent) == (2, 4, 50)
    assert acme.gate_blocker == ("uat-failed", 1, None, None)
    assert [acme.status_of(p) for p in ("start", "deploy", "run")] == ["complete", "current", "upcoming"]
    assert (acme.next_milestone.kind, acme.next_milestone.phase.name) == ("phase-end", "部署") and acme.next_milestone.date.isoformat() == "2026-04-01"


def test_not_applicable_tasks_leave_the_percentage(minimal: Path) -> None:
    edit(minimal, ACME, "- task: survey\n        state: done", "- task: survey\n        state: n/a")
    start = load_project(Project.at(minimal)).customers[0].phase("start")
    assert (start.done, start.applicable, start.not_applicable, start.percent) == (1, 1, 1, 100)


def test_a_gate_task_cannot_be_not_applicable(minimal: Path) -> None:
    edit(minimal, ACME, "- task: kickoff\n        state: done", "- task: kickoff\n        state: n/a")
    from test_loader import problems
    assert f"{ACME}:18:16: gate task 'kickoff' cannot be marked not applicable" in problems(minimal)


def test_claiming_a_rule_backed_criterion_is_checked(minimal: Path) -> None:
    edit(minimal, ACME, "    actual: {start: 2026-02-04}\n",
         "    actual: {start: 2026-02-04}\n    gate:\n      - criterion: uat-accepted\n        met: true\n")
    from test_loader import problems
    found = problems(minimal)
    assert any(p.startswith(f"{ACME}:31:14: criterion 'uat-accepted' is claimed met, but the acceptance record")
               for p in found), found


def test_sample_figures(sample) -> None:
    by_id = {c.id: c for c in sample.customers}
    assert set(by_id) == {"huajian-group", "ruifeng-mfg", "kangning-hospital"}
    huajian = by_id["huajian-group"]
    assert huajian.current_phase == "deployment"
    assert [r.status for r in huajian.acceptance.rounds] == ["failed", "running"]
    assert huajian.gate_blocker == ("uat-blocked", 2, None, None)
    assert [p.complete for p in huajian.phases[:2]] == [True, True]
    assert not huajian.phase("deployment").complete
    ruifeng = by_id["ruifeng-mfg"]
    assert ruifeng.is_live and ruifeng.acceptance.is_accepted
    assert all(p.complete for p in ruifeng.phases[:4])
    kangning = by_id["kangning-hospital"]
    assert kangning.current_phase == "design" and kangning.acceptance.uat_status == "not-started"


def test_phase_page_shows_tasks_roles_deliverables_and_gate(sample) -> None:
    pages = {p.path: p for p in generate(sample, TEMPLATES)}
    phase = sample.phases[2]
    page = pages[routes.phase(phase.id)].markdown
    assert page.startswith(f"# 3. {phase.name}")
    assert page.count("\n- [ ] ") == len(phase.tasks)
    for task in phase.tasks:
        assert task.title.replace("-", "\\-").replace("/", "\\/").split("（")[0][:6] in page
    assert "## 退出关口" in page and "（由验收记录自动判定）" in page
    for deliverable in phase.deliverables:
        assert f"]({deliverable.template.replace('deliverables/', '../deliverables/')})" in page
    assert "](../roles/implementation-engineer.md){ .hb-role }" in page
    # The hand-written prose sits between the goal and the generated steps.
    assert page.index(phase.prose.strip().splitlines()[0]) < page.index("## 步骤")


def test_customer_page_counts_match_the_model(sample) -> None:
    pages = {p.path: p for p in generate(sample, TEMPLATES)}
    for customer in sample.customers:
        page = pages[routes.customer(customer.id)].markdown
        assert f"| 总体进度 | {customer.done} / {customer.applicable} 项任务（{customer.percent}%） |" in page
        for p in customer.phases:
            assert f"| {p.done}/{p.applicable}（{p.percent}%） |" in page
        assert page.count("\n- [x] ") == customer.done


def test_dashboard_is_internal_only(sample) -> None:
    internal = {p.path for p in generate(sample, TEMPLATES)}
    assert routes.DASHBOARD in internal
    bundle = generate(sample.for_customer("ruifeng-mfg"), TEMPLATES)
    paths = {p.path for p in bundle}
    assert routes.DASHBOARD not in paths
    assert not any("huajian" in p or "kangning" in p for p in paths)
    assert not any("华建" in p.markdown or "康宁" in p.markdown for p in bundle)


def test_dashboard_figures(sample) -> None:
    page = next(p for p in generate(sample, TEMPLATES) if p.path == routes.DASHBOARD).markdown
    labels = {"not-started": "未开始", "running": "进行中", "failed": "未通过", "passed": "已通过",
              "incomplete": "未完成", "accepted": "已验收"}
    for c in sample.customers:
        row = next(line for line in page.splitlines() if f"[{c.name}](" in line)
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        phases = len(sample.phases)
        assert cells[1] == c.current.phase.name and cells[2] == f"{c.percent}%"
        assert cells[3:3 + phases] == [f"{p.percent}%" for p in c.phases]
        milestone = c.next_milestone
        label = "系统上线" if milestone.kind == "go-live" else f"{milestone.phase.name}完成"
        assert cells[3 + phases] == f"{label}（{milestone.date}{'，已逾期' if milestone.overdue else ''}）"
        assert cells[4 + phases].startswith(labels[c.acceptance.uat_status])
        # Planned and actual go-live in columns of their own; a slip is spelled out in days.
        assert cells[5 + phases] == str(c.go_live_planned)
        slip = f'（<strong class="hb-overdue">晚 {c.go_live_slip_days} 天</strong>）' if c.go_live_slip_days else ""
        assert cells[6 + phases] == (str(c.go_live_actual) if c.go_live_actual else "未上线") + slip
        assert cells[7 + phases] == sample.sla_tier(c.sla).name


def test_milestones_and_overdue_phases_depend_on_the_day(minimal: Path) -> None:
    import datetime as dt

    early = load_project(Project.at(minimal), as_of=dt.date(2026, 3, 10)).customers[0]
    assert early.next_milestone[::2] == ("phase-end", dt.date(2026, 4, 1))
    assert early.next_milestone.phase.name == "部署" and not early.next_milestone.overdue
    late = load_project(Project.at(minimal), as_of=dt.date(2026, 5, 1)).customers[0]
    assert late.next_milestone[::2] == ("phase-end", dt.date(2026, 4, 1)) and late.next_milestone.overdue


def test_dashboard_rows(sample) -> None:
    page = next(p for p in generate(sample, TEMPLATES) if p.path == routes.DASHBOARD).markdown
    portfolio = page.split("\n## ", 1)[0]  # the operations section below has a table of its own
    rows = [line for line in portfolio.splitlines() if line.startswith("| ") and "](" in line]
    assert len(rows) == len(sample.customers)
    huajian = next(r for r in rows if "华建" in r)
    assert ":material-alert:" in huajian and "UAT 第 2 轮存在阻塞用例" in huajian
    assert sum(":material-alert:" in r for r in rows) == sum(bool(c.gate_blocker) for c in sample.customers)


def test_svgs_are_well_formed(sample) -> None:
    for customer in sample.customers:
        root = ET.fromstring(str(timeline(customer)))
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert len(root.findall("{http://www.w3.org/2000/svg}rect")) >= len(customer.phases)
    chart = ET.fromstring(str(phase_distribution(sample)))
    counts = [t.text for t in chart.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == "hb-chart-count"]
    assert counts == [str(sum(c.current_phase == p.id for c in sample.customers)) for p in sample.phases]


HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>{{ 7*7 }}'


def test_hostile_strings_stay_text(minimal: Path) -> None:
    edit(minimal, ACME, "name: 艾克米集团", f"name: '{HOSTILE}'")
    edit(minimal, "project_data/phases.yml", "title: 启动会", "title: '<b>x</b> {% raw %}'")
    model = load_project(Project.at(minimal))
    svg = str(timeline(model.customers[0]))
    ET.fromstring(svg)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    pages = generate(model, TEMPLATES)
    for page in pages:
        assert "<script>" not in page.markdown and "<img" not in page.markdown and "<b>x" not in page.markdown
    customer = next(p for p in pages if p.path == "customers/acme/index.md").markdown
    assert "# &lt;script&gt;alert\\(1\\)&lt;\\/script&gt;&quot;&gt;&lt;img src\\=x" in customer
    assert "\\{\\{ 7\\*7 \\}\\}" in customer


@pytest.mark.e2e
def test_customer_page_size_does_not_grow_with_the_portfolio(tmp_path: Path) -> None:
    sizes = {}
    for n in (5, 200):
        root = portfolio(tmp_path / f"n{n}", n)
        build_site(fixture_mkdocs_yml(root), root / "site")
        html = (root / "site/customers/acme/index.html").read_text(encoding="utf-8")
        assert html.count("客户0000") == 0  # no other customer in this page's navigation
        sizes[n] = len(html.encode())
        shared = (root / "site/methodology/index.html").read_text(encoding="utf-8")
        assert "客户0001" not in shared
    assert sizes[200] == sizes[5], sizes
