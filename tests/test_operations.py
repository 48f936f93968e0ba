"""Operations after go-live: SLA deadlines and compliance, health checks, actions, the backlog,
their located errors, and the operations page, report and dashboard rows as pure functions."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import REPO
from handbook.data import operations as o
from handbook.data import sla_clock
from handbook.data.loader import Project, load_project
from handbook.errors import HandbookError
from handbook.pages import dashboard, operations

TEMPLATES = REPO / "site_templates"
LIVE = "ruifeng-mfg"
LIVE_PATH = f"project_data/customers/{LIVE}.yml"
AS_OF = dt.date(2026, 11, 28)
CST = dt.timezone(dt.timedelta(hours=8))


def at(y: int, mo: int, d: int, h: int, mi: int = 0, tz: dt.tzinfo = CST) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=tz)


# -- deadlines: calendar and business clocks ---------------------------------------------------------

NINE_TO_FIVE = (dt.time(9), dt.time(17))


@pytest.mark.parametrize(("start", "minutes", "due"), [
    (at(2026, 5, 8, 16), 120, at(2026, 5, 11, 10)),       # Friday 16:00 + 2h -> Monday 10:00
    (at(2026, 5, 9, 10), 60, at(2026, 5, 11, 10)),        # opened Saturday: the clock starts Monday 09:00
    (at(2026, 5, 11, 7, 30), 60, at(2026, 5, 11, 10)),    # before opening: from 09:00
    (at(2026, 5, 11, 18), 30, at(2026, 5, 12, 9, 30)),    # after closing: next morning
    (at(2026, 5, 11, 16, 20), 240, at(2026, 5, 12, 12, 20)),  # 40 min today, 3h20 tomorrow
])
def test_business_deadline_counts_working_minutes_only(start, minutes, due) -> None:
    assert sla_clock.business_deadline(start, minutes, NINE_TO_FIVE) == due


def _deadline_day_by_day(start: dt.datetime, minutes: int, hours: tuple[dt.time, dt.time]) -> dt.datetime:
    """The business clock walked one working day at a time: what `business_deadline` computes by whole days."""
    open_at, close_at = hours
    t, remaining = start, dt.timedelta(minutes=minutes)
    while True:
        day_open = t.replace(hour=open_at.hour, minute=open_at.minute, second=0, microsecond=0)
        day_close = t.replace(hour=close_at.hour, minute=close_at.minute, second=0, microsecond=0)
        if t.weekday() < 5 and t < day_close:
            t = max(t, day_open)
            if remaining <= day_close - t:
                return t + remaining
            remaining -= day_close - t
        day = t.date() + dt.timedelta(days=1)
        t = dt.datetime.combine(day, open_at, t.tzinfo)


def test_business_deadline_by_whole_days_equals_walking_day_by_day() -> None:
    import random

    rng = random.Random(14)
    for hours in (NINE_TO_FIVE, (dt.time(8, 30), dt.time(18, 0)), (dt.time(9, 45), dt.time(12, 15))):
        length = (hours[1].hour * 60 + hours[1].minute) - (hours[0].hour * 60 + hours[0].minute)
        for _ in range(1500):
            start = dt.datetime(2026, 1, 1, tzinfo=CST) + dt.timedelta(minutes=rng.randrange(60 * 24 * 60),
                                                                       seconds=rng.choice((0, 0, 17)))
            minutes = rng.choice((0, 1, 30, length, 2 * length, rng.randrange(12 * length)))
            assert sla_clock.business_deadline(start, minutes, hours) == _deadline_day_by_day(start, minutes, hours), \
                (start, minutes, hours)


def test_business_days_are_working_days_and_calendar_runs_around_the_clock() -> None:
    monday = at(2026, 5, 11, 10)
    assert sla_clock.deadline(monday, "2d", 2880, "business", NINE_TO_FIVE) == at(2026, 5, 13, 10)
    assert sla_clock.deadline(at(2026, 5, 8, 16, 20), "1d", 1440, "business", NINE_TO_FIVE) == at(2026, 5, 11, 16, 20)
    assert sla_clock.deadline(at(2026, 5, 9, 23, 30), "1h", 60, "calendar") == at(2026, 5, 10, 0, 30)


def test_business_hours_are_those_of_the_tickets_own_zone() -> None:
    # The same instant, written in two zones: 16:30 in Shanghai is still open, 08:30 in London is not.
    shanghai = at(2026, 5, 8, 16, 30)
    london = shanghai.astimezone(dt.timezone.utc)
    assert sla_clock.business_deadline(shanghai, 60) == at(2026, 5, 8, 17, 30)
    assert sla_clock.business_deadline(london, 60) == at(2026, 5, 8, 10, 0, tz=dt.timezone.utc)


def test_add_months_clamps_to_month_end() -> None:
    assert sla_clock.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert sla_clock.add_months(dt.date(2026, 11, 15), 3) == dt.date(2027, 2, 15)


# -- a live customer with controlled operations data -------------------------------------------------

TICKETS = """\
operations:
  tickets:
    - id: T-1
      priority: P0
      category: 可用性
      summary: 全部用户无法登录
      opened: 2026-09-05T22:00+08:00
      first_response: 2026-09-05T22:40+08:00
      resolved: 2026-09-06T07:00+08:00
      status: closed
      root_cause: 数据库磁盘写满
    - id: T-2
      priority: P1
      category: 接口
      summary: 付款回写中断
      opened: 2026-09-04T16:20+08:00
      first_response: 2026-09-07T12:30+08:00
      resolved: 2026-09-08T16:00+08:00
      status: closed
      root_cause: 证书过期
    - id: T-3
      priority: P2
      category: 报表
      summary: 看板金额不一致
      opened: 2026-06-01T10:00+08:00
      first_response: 2026-06-01T11:00+08:00
      resolved: 2026-06-12T10:00+08:00
      status: closed
    - id: T-4
      priority: P2
      category: 报表
      summary: 导出偶发失败
      opened: 2026-11-02T10:00+08:00
      status: open
    - id: T-5
      priority: P3
      category: 咨询
      summary: 如何设置单价
      opened: 2026-11-26T10:00+08:00
      status: open
"""

CHECKS = """\
  health_checks:
    - date: 2026-04-20
      kind: ad-hoc
      by: [黄嘉怡]
      results:
        - item: capacity
          result: ok
        - item: backup
          result: warning
      actions:
        - title: 补做恢复演练
          owner: 黄嘉怡
          due: 2026-05-10
          status: done
          done: 2026-05-08
    - date: 2026-07-20
      kind: quarterly
      by: [黄嘉怡, 马俊]
      results:
        - item: capacity
          result: critical
          measurement: 附件存储还可用 1 个月
        - item: backup
          result: ok
      findings:
        - severity: high
          item: capacity
          finding: 附件存储即将用完
      actions:
        - title: 扩容附件存储
          owner: 马俊
          due: 2026-08-01
          status: open
        - title: 开启照片压缩
          owner: 黄嘉怡
          due: 2026-12-15
          status: open
  backlog:
    - id: offline-report
      title: 离线填报日报
      origin: visit
      raised: 2026-05-02
      decision: next-version
      release: V5.6
    - id: weather
      title: 日报带出天气
      origin: user
      raised: 2026-06-03
      decision: next-version
    - id: custom-print
      title: 定制打印模板
      origin: user
      raised: 2026-07-20
      decision: rejected
      reason: 标准模板配置即可满足
    - id: safety-score
      title: 看板展示安全检查得分
      origin: ticket
      raised: 2026-11-18
      decision: pending
"""


def live_project(root: Path, operations_yaml: str = TICKETS + CHECKS) -> Path:
    """The sample project with the live customer's operations section replaced by `operations_yaml`."""
    for name in ("project_data", "content"):
        shutil.copytree(REPO / name, root / name)
    path = root / LIVE_PATH
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("\noperations:\n") + 1] + textwrap.dedent(operations_yaml), encoding="utf-8")
    return root


@pytest.fixture
def live(tmp_path: Path) -> Path:
    return live_project(tmp_path / "proj")


def ops_of(root: Path, customer: str = LIVE, as_of: dt.date = AS_OF) -> o.Operations:
    model = load_project(Project.at(root), as_of=as_of)
    return next(c for c in model.customers if c.id == customer).operations


def test_compliance_by_priority_uses_the_tier_and_its_clocks(live: Path) -> None:
    ops = ops_of(live)
    rows = {c.priority: c for c in ops.compliance}
    assert [c.priority for c in ops.compliance] == ["P0", "P1", "P2", "P3"]
    # Silver: P0 on the calendar clock (1h / 8h), the rest in business hours 09:00-17:00.
    p0 = rows["P0"]
    assert (p0.clock, p0.count, p0.responded_in_time, p0.resolved_in_time) == ("calendar", 1, 1, 0)
    assert p0.tickets[0].resolution_due == at(2026, 9, 6, 6, 0)  # 22:00 + 8h, through the night
    assert p0.tickets[0].breaches == ("resolution",)
    # P1 opened Friday 16:20: 4 business hours end Monday 12:20, so 12:30 is late; 2 working days
    # end Tuesday 16:20, so Tuesday 16:00 is in time.
    p1 = rows["P1"].tickets[0]
    assert (p1.response_due, p1.resolution_due) == (at(2026, 9, 7, 12, 20), at(2026, 9, 8, 16, 20))
    assert p1.breaches == ("response",)
    assert (rows["P1"].response_percent, rows["P1"].resolution_percent) == (0, 100)
    # P2: one resolved late (5 working days from Monday 10:00 is Monday 10:00), one open for weeks
    # without an answer: late on both counts as of the build date.
    p2 = rows["P2"]
    assert p2.count == 2 and p2.responded_in_time == 1 and p2.resolved_in_time == 0
    assert [t.id for t in p2.breached] == ["T-3", "T-4"]
    assert p2.breached[1].breaches == ("response", "resolution")
    # P3 opened two days ago: still within both targets, neither in time nor late yet.
    p3 = rows["P3"]
    assert (p3.count, p3.response_judged, p3.resolution_judged, p3.response_percent) == (1, 0, 0, None)
    assert [t.id for t in ops.breached_tickets] == ["T-1", "T-2", "T-3", "T-4"]


def test_recent_breaches_and_the_monthly_series(live: Path) -> None:
    ops = ops_of(live)
    assert [t.id for t in ops.recent_breaches] == ["T-1", "T-2", "T-4"]  # T-3 (June) is older than 90 days
    months = {s.month: (s.tickets, s.breached) for s in ops.months}
    assert list(months)[0] == "2026-04" and list(months)[-1] == "2026-11"  # from go-live to the build date
    assert months["2026-06"] == (1, 1) and months["2026-09"] == (2, 2) and months["2026-11"] == (2, 1)
    assert months["2026-07"] == (0, 0)


def test_actions_next_check_and_trend(live: Path) -> None:
    ops = ops_of(live)
    assert [a.title for a in ops.open_actions] == ["扩容附件存储", "开启照片压缩"]
    (late,) = ops.overdue_actions
    assert late.title == "扩容附件存储" and late.days_overdue == (AS_OF - dt.date(2026, 8, 1)).days
    # Silver: every 3 months after the last check (2026-07-20).
    assert ops.next_check_due == dt.date(2026, 10, 20)
    assert ops.check_overdue
    assert not replace(ops, as_of=dt.date(2026, 10, 20)).check_overdue  # due that day: not late yet
    trends = {t.item.id: t for t in ops.item_trends}
    assert trends["capacity"].direction == "worse" and trends["backup"].direction == "better"
    assert trends["performance"].results == (None, None) and trends["performance"].direction == "new"
    assert ops.health_checks[-1].verdict == "critical"


def test_backlog_grouped_by_status(live: Path) -> None:
    groups = {status: [b.id for b in items] for status, items in ops_of(live).backlog_by_status}
    assert groups == {"pending": ["safety-score"], "planned": ["weather"], "delivered": ["offline-report"],
                      "rejected": ["custom-print"]}


def test_without_checks_the_cadence_counts_from_go_live(tmp_path: Path) -> None:
    ops = ops_of(live_project(tmp_path, TICKETS))
    assert ops.last_check is None and ops.next_check_due == dt.date(2026, 7, 11) and ops.check_overdue


def test_customers_not_live_have_empty_operations(live: Path) -> None:
    ops = ops_of(live, "huajian-group")
    assert not ops.live and not ops.has_records and ops.next_check_due is None and not ops.check_overdue


# -- located errors --------------------------------------------------------------------------------

def problems(root: Path) -> list[str]:
    with pytest.raises(HandbookError) as info:
        load_project(Project.at(root), as_of=AS_OF)
    return [str(p) for p in info.value.problems]


def line_of(root: Path, marker: str, rel: str = LIVE_PATH) -> int:
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    (index,) = [i for i, line in enumerate(lines) if marker in line]
    return index + 1


@pytest.mark.parametrize(("old", "new", "marker", "expected"), [
    ("first_response: 2026-06-01T11:00+08:00", "first_response: 2026-06-01T09:00+08:00", "2026-06-01T09:00",
     "first response 2026-06-01T09:00+08:00 is before the ticket was opened (2026-06-01T10:00+08:00)"),
    ("resolved: 2026-06-12T10:00+08:00", "resolved: 2026-06-01T10:30+08:00", "2026-06-01T10:30",
     "resolved 2026-06-01T10:30+08:00 is before the first response (2026-06-01T11:00+08:00)"),
    ("      root_cause: 数据库磁盘写满\n", "", "全部用户无法登录",
     "P0 ticket T-1 is closed without a root_cause"),
    ("          owner: 马俊\n", "", "扩容附件存储", "action '扩容附件存储' has no owner"),
    ("- date: 2026-07-20", "- date: 2099-07-20", "2099-07-20", "health check date 2099-07-20 is in the future"),
    ("opened: 2026-11-02T10:00+08:00", "opened: 2026-13-02T10:00+08:00", "2026-13-02",
     "'2026-13-02T10:00+08:00' is not a real date and time"),
    ("opened: 2026-11-02T10:00+08:00", "opened: 2026-11-02T10:00", "2026-11-02T10:00",
     "ISO 8601 date and time with its time zone"),
    ("        - item: backup\n          result: ok", "        - item: backups\n          result: ok", "item: backups",
     "unknown checklist item 'backups' (did you mean 'backup'?)"),
    ("      priority: P3", "      priority: P7", "priority: P7", "priority 'P7' has no target in SLA tier 'silver'"),
    ("      reason: 标准模板配置即可满足\n", "", "custom-print", "request 'custom-print' is rejected without a reason"),
    ("      status: open\n    - id: T-5", "      status: closed\n    - id: T-5", "导出偶发失败",
     "status is closed but the ticket has no resolved time"),
])
def test_each_operations_error_is_located(live: Path, old: str, new: str, marker: str, expected: str) -> None:
    text = (live / LIVE_PATH).read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    (live / LIVE_PATH).write_text(text.replace(old, new), encoding="utf-8")
    found = [p for p in problems(live) if expected in p]
    assert found, problems(live)
    lines = {int(p.split(":")[1]) for p in found}
    near = line_of(live, marker)
    assert all(p.startswith(f"{LIVE_PATH}:") for p in found)
    assert any(abs(line - near) <= 8 for line in lines), (found, near)


def test_all_operations_errors_are_reported_at_once(live: Path) -> None:
    text = (live / LIVE_PATH).read_text(encoding="utf-8")
    text = text.replace("first_response: 2026-06-01T11:00+08:00", "first_response: 2026-05-01T11:00+08:00")
    text = text.replace("          owner: 马俊\n", "").replace("- date: 2026-07-20", "- date: 2099-07-20")
    (live / LIVE_PATH).write_text(text, encoding="utf-8")
    found = problems(live)
    assert any("is before the ticket was opened" in p for p in found)
    assert any("has no owner" in p for p in found)
    assert any("is in the future" in p for p in found)


def test_operations_need_a_go_live_date(live: Path) -> None:
    path = live / "project_data/customers/kangning-hospital.yml"
    path.write_text(path.read_text(encoding="utf-8") + textwrap.dedent(TICKETS), encoding="utf-8")
    found = problems(live)
    assert any(p.startswith("project_data/customers/kangning-hospital.yml:") and
               "operations records need the actual go-live date" in p for p in found), found


def test_business_hours_must_open_before_they_close(live: Path) -> None:
    path = live / "project_data/sla.yml"
    path.write_text(path.read_text(encoding="utf-8").replace('business_hours: "09:00-17:00"',
                                                             'business_hours: "18:00-09:00"', 1), encoding="utf-8")
    found = problems(live)
    assert any(p.startswith("project_data/sla.yml:") and "close before they open" in p for p in found), found


def test_a_missed_cadence_is_a_warning_on_the_page_not_an_error(live: Path) -> None:
    model = load_project(Project.at(live), as_of=AS_OF)  # loads: being late is not a data error
    page = page_of(model, operations.page_path(LIVE))
    assert "!!! warning \"健康检查已逾期\"" in page and "下一次应在 2026-10-20 前完成" in page
    board = dashboard.pages(model, TEMPLATES)[0].markdown
    row = next(line for line in board.splitlines() if "operations.md)" in line and "瑞丰" in line)
    assert row.startswith("| :material-alert:{ .hb-blocked }") and "2026-10-20 **已逾期**" in row


# -- pages -----------------------------------------------------------------------------------------

def page_of(model, path: str) -> str:
    return next(p for p in operations.pages(model, TEMPLATES) if p.path == path).markdown


@pytest.fixture(scope="module")
def sample_model():
    return load_project(Project.at(REPO), as_of=AS_OF)


def test_sample_page_numbers(sample_model) -> None:
    page = page_of(sample_model, operations.page_path(LIVE))
    assert "| 工单 | 26 张，处理中 2 张，未达 SLA 4 张（近 90 天 2 张） |" in page
    assert "| P0 紧急 | 1h / 8h，7×24 小时 | 1 | 1 / 1（100%） | 1 / 1（100%） | 0 |" in page
    assert "| P1 高 | 4h / 2d，工作时间 | 4 | 3 / 4（75%） | 3 / 4（75%） | 2 |" in page
    assert "| P2 中 | 1d / 5d，工作时间 | 11 | 10 / 11（90%） | 9 / 10（90%） | 2 |" in page
    assert "| RF\\-0831\\-16<br>P1 | 月末结算高峰期分包结算单保存超时，约 20 张单据无法提交 | 响应超时 | " \
           "2026-09-01 12:20 +08:00 | 2026-09-01 13:30 +08:00 |" in page
    assert "| 容量 | 正常 | **需关注** | 变差 |" in page
    assert "| 2026-11-15 | 2026-10-13 | :material-alert:{ .hb-blocked } **已逾期 13 天** |" in page
    assert "### 已交付（3） { #backlog-delivered }" in page and "### 不采纳（1） { #backlog-rejected }" in page
    assert "下次健康检查 | 2027-01-13 前" in page and "健康检查已逾期" not in page


def test_not_live_customers_say_so_and_have_no_reports(sample_model) -> None:
    routes = operations.owned_routes(sample_model)
    assert {r.path for r in routes} == {p.path for p in operations.pages(sample_model, TEMPLATES)}
    for cid in ("huajian-group", "kangning-hospital"):
        page = page_of(sample_model, operations.page_path(cid))
        assert '!!! info "尚未上线"' in page and "SLA 达成情况" not in page
        assert [r.path for r in routes if r.customer == cid] == [operations.page_path(cid)]
    assert [r.path for r in routes if r.customer == LIVE][1:] == [
        f"customers/{LIVE}/health-check-2026-07-09.md", f"customers/{LIVE}/health-check-2026-10-13.md"]


def test_report_print_view(sample_model) -> None:
    pages = {p.path: p for p in operations.pages(sample_model, TEMPLATES)}
    report = pages[operations.report_path(LIVE, dt.date(2026, 7, 9))]
    assert report.meta["template"] == "print.html" and report.meta["search"] == {"exclude": True}
    assert report.meta["title"] == "瑞丰精密制造：健康检查报告（2026-07-09）" and report.nav_parent is None
    md = report.markdown
    assert "| 结果 | 正常 5 项，需关注 3 项，严重 0 项，不适用 0 项 |" in md
    assert "| 备份与恢复演练 | " in md and "数据核对一致 |" in md
    assert "| 为分包结算明细增加合同号与期间联合索引 | 黄嘉怡 | 2026-08-15 | 已于 2026-09-02 完成 |" in md
    assert "](" not in md  # a document to send: no site links


def test_data_text_is_escaped_and_chart_labels_are_readable(tmp_path: Path) -> None:
    root = live_project(tmp_path, TICKETS.replace("summary: 全部用户无法登录",
                                                  'summary: "<script>alert(1)</script> *x*"') + CHECKS)
    model = load_project(Project.at(root), as_of=AS_OF)
    page = page_of(model, operations.page_path(LIVE))
    assert "<script>" not in page and "&lt;script&gt;alert\\(1\\)&lt;\\/script&gt; \\*x\\*" in page
    chart = operations.monthly_chart(model.customers[-1].operations.months)
    sizes = [int(s) for s in re.findall(r'font-size="(\d+)"', str(chart))]
    assert sizes and min(sizes) >= 12 and "<script" not in str(chart)
    assert "min-width" in str(chart)  # drawn at its own size on narrow screens


def test_dashboard_lists_live_customers_with_next_check_and_recent_breaches(sample_model) -> None:
    board = dashboard.pages(sample_model, TEMPLATES)[0].markdown
    section = board.split("## 运维中的客户", 1)[1]
    rows = [line for line in section.splitlines() if line.startswith("| [")]
    assert rows == ["| [瑞丰精密制造](ruifeng-mfg/operations.md) | 银牌 | 2026-10-13 | 2027-01-13 | "
                    "[2](ruifeng-mfg/operations.md#breaches) | 1 |"]
