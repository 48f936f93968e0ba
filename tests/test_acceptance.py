"""Acceptance records: decision rules, round history, the fingerprint, the CLI and the print view."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
import yaml

from handbook.pages.rendering import md_inline

from conftest import REPO, fixture_mkdocs_yml, write_project
from handbook.pages import acceptance, routes
from handbook.site.build import build_site
from handbook.cli import main
from handbook.data.loader import Project, load_project
from handbook.errors import HandbookError
from test_loader import ACME, edit, problems

TEMPLATES = REPO / "site_templates"
HOSTILE = "<script>alert(1)</script>"


def append(root: Path, text: str) -> None:
    """Add keys under `acceptance:`, the last section of the minimal customer file."""
    path = root / ACME
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def record(model, customer_id: str, printable: bool = False) -> str:
    """The Markdown of one customer's acceptance page (or print view) from the page family."""
    path = routes.acceptance_print(customer_id) if printable else routes.acceptance(customer_id)
    return next(p for p in acceptance.pages(model, TEMPLATES) if p.path == path).markdown


def rounds_of(markdown: str) -> dict[int, str]:
    """Each UAT round's section of a record page, by round number."""
    parts = re.split(r"^### 第 (\d+) 轮.*$", markdown, flags=re.M)
    return {int(number): body.split("\n## ")[0] for number, body in zip(parts[1::2], parts[2::2])}


def counts_row(section: str) -> str:
    """The summary row of a round: cases, passed, failed, blocked, not run, open defects."""
    lines = section.splitlines()
    header = lines.index("| 用例 | 通过 | 不通过 | 阻塞 | 未执行 | 未关闭缺陷 |")
    return lines[header + 2]


# -- decision rules: each contradiction is an error at the line that claims it ----------------------

SECOND_ROUND = """\
    - round: 2
      start: 2026-03-10
      end: 2026-03-12
      cases:
        - id: UAT-2
          scenario: 登录（回归 BUG-1）
          expected: 登录成功
          result: passed
        - id: UAT-3
          scenario: 导出报表
          expected: 导出成功
          result: {result}
          defects:
            - id: BUG-2
              title: 导出超时
              priority: P1
              status: {status}
"""


def test_accepted_with_a_failed_must_pass_criterion_is_an_error(minimal: Path) -> None:
    edit(minimal, ACME, "result: pending", "result: failed")
    edit(minimal, ACME, "status: open", "status: fixed")
    append(minimal, "  decision: accepted\n")
    assert problems(minimal) == [
        f"{ACME}:49:13: decision 通过 (accepted) but must-pass criteria are not passed: ac-1"]


def test_accepted_with_an_open_p1_defect_in_the_latest_round_is_an_error(minimal: Path) -> None:
    edit(minimal, ACME, "result: pending", "result: passed")
    append(minimal, "  decision: accepted\n")
    assert problems(minimal) == [
        f"{ACME}:49:13: decision 通过 (accepted) but P0/P1 defects are still open: BUG-1 (P1, found in round 1)"]


def test_every_round_decides_on_open_defects(minimal: Path) -> None:
    edit(minimal, ACME, "result: pending", "result: passed")
    # Round 2 follows round 1: round 1's open P1 still counts until a later round closes it.
    path = minimal / ACME
    text = path.read_text(encoding="utf-8")
    path.write_text(text + SECOND_ROUND.format(result="failed", status="open") + "  decision: accepted\n",
                    encoding="utf-8")
    assert problems(minimal) == [
        f"{ACME}:66:13: decision 通过 (accepted) but P0/P1 defects are still open: "
        "BUG-1 (P1, found in round 1), BUG-2 (P1, found in round 2)"]
    path.write_text(text + SECOND_ROUND.format(result="passed", status="fixed") + "  decision: accepted\n",
                    encoding="utf-8")
    assert problems(minimal) == [
        f"{ACME}:66:13: decision 通过 (accepted) but P0/P1 defects are still open: BUG-1 (P1, found in round 1)"]
    path.write_text(text + SECOND_ROUND.format(result="passed", status="fixed").replace("BUG-2", "BUG-1")
                    + "  decision: accepted\n", encoding="utf-8")
    model = load_project(Project.at(minimal))
    assert model.customers[0].acceptance.is_accepted


def test_conditional_needs_owner_and_due_date_on_open_items(minimal: Path) -> None:
    edit(minimal, ACME, "result: pending", "result: passed")
    edit(minimal, ACME, "status: open", "status: fixed")
    append(minimal, "  open_items:\n    - title: 补充培训材料\n      due: 2026-03-20\n"
                    "    - title: 已完成的事项\n      status: done\n  decision: conditional\n")
    # The done item needs neither; the open one lacks its owner.
    assert problems(minimal) == [
        f"{ACME}:50:7: decision 有条件通过 (conditional) requires an owner and a due date for open item '补充培训材料'"]
    edit(minimal, ACME, "    - title: 补充培训材料\n", "    - title: 补充培训材料\n      owner: 张三\n")
    assert load_project(Project.at(minimal)).customers[0].acceptance.decision == "conditional"


def test_conditional_is_no_escape_from_the_results(minimal: Path) -> None:
    # A failed must-pass criterion and an open P1 defect contradict 有条件通过 as much as 通过.
    append(minimal, "  decision: conditional\n")
    assert problems(minimal) == [
        f"{ACME}:49:13: decision 有条件通过 (conditional) but P0/P1 defects are still open: BUG-1 (P1, found in round 1)",
        f"{ACME}:49:13: decision 有条件通过 (conditional) but must-pass criteria are not passed: ac-1"]


def test_no_decision_while_the_latest_round_runs(minimal: Path) -> None:
    edit(minimal, ACME, "result: pending", "result: passed")
    edit(minimal, ACME, "      end: 2026-03-05\n", "")
    edit(minimal, ACME, "status: open", "status: fixed")
    append(minimal, "  decision: accepted\n")
    assert problems(minimal) == [f"{ACME}:48:13: decision 通过 (accepted) but UAT round 1 has not ended"]


def test_rejecting_a_passed_round_is_an_error(minimal: Path) -> None:
    edit(minimal, ACME, "result: pending", "result: passed")
    edit(minimal, ACME, "result: failed", "result: passed")
    edit(minimal, ACME, "status: open", "status: fixed")
    append(minimal, "  decision: rejected\n")
    assert problems(minimal) == [f"{ACME}:49:13: decision 不通过 (rejected) but round 1 passed every case and "
                                 "every must-pass criterion is met"]


def test_signoff_before_the_last_round_ended_is_an_error(minimal: Path) -> None:
    edit(minimal, ACME, "result: pending", "result: passed")
    edit(minimal, ACME, "status: open", "status: fixed")
    append(minimal, "  decision: accepted\n  signoff:\n"
                    "    vendor: {name: 李四, title: 项目经理, date: 2026-03-04}\n"
                    "    customer: {name: 张三, title: 总经理, date: 2026-03-06}\n")
    assert problems(minimal) == [
        f"{ACME}:51:43: vendor sign-off date 2026-03-04 is before the last UAT round ended (2026-03-05)"]


def test_live_customer_without_an_accepted_record_is_an_error(minimal: Path) -> None:
    edit(minimal, ACME, "current_phase: deploy", "current_phase: run")
    found = problems(minimal)
    assert (f"{ACME}:11:16: customer is live (phase 'run') without an accepted acceptance record "
            f"(decision is 'pending')") in found
    assert len(found) == 2 and found[0].startswith(f"{ACME}:11:16: current phase is 'run' but the gate of")


# -- the record page: every round kept, with its own counts ------------------------------------------

def test_every_round_is_kept_with_its_own_counts(minimal: Path) -> None:
    append(minimal, SECOND_ROUND.format(result="not-run", status="open"))
    model = load_project(Project.at(minimal))
    acc = model.customers[0].acceptance
    first, second = acc.rounds
    assert (first.total, first.failed, first.open_defect_count, first.status) == (1, 1, 1, "failed")
    assert (second.total, second.passed, second.not_run, second.open_defect_count) == (2, 1, 1, 1)
    page = record(model, "acme")
    sections = rounds_of(page)
    assert list(sections) == [1, 2]
    assert counts_row(sections[1]) == "| 1 | 0 | 1 | 0 | 0 | 1 |"
    assert counts_row(sections[2]) == "| 2 | 1 | 0 | 0 | 1 | 1 |"
    assert "本轮结果：**未通过**" in sections[1] and "BUG-1 · P1 · 未关闭：无法登录" in sections[1]
    assert "UAT-2" in sections[2] and "UAT-1" not in sections[2]
    assert "第 1 轮 2026-03-01 ~ 2026-03-05；第 2 轮 2026-03-10 ~ 2026-03-12" in page


def test_case_fields_stay_inert_in_the_cases_table(minimal: Path) -> None:
    edit(minimal, ACME, "scenario: 登录", "scenario: '<img src=x onerror=alert(1)>'")
    edit(minimal, ACME, "expected: 登录成功", "expected: 成功 <b>x</b>\n"
                                           "          steps: \"<script>alert(2)</script>\\n\\n- 打开页面\"")
    page = record(load_project(Project.at(minimal)), "acme")
    table = page[page.index('<div class="hb-uat-cases">'):]
    table = table[:table.index("</div>\n\n") + 6]
    assert "<td><strong>&lt;img src=x onerror=alert(1)&gt;</strong>" in table
    assert "<td>成功 &lt;b&gt;x&lt;/b&gt;</td>" in table
    # The steps are a Markdown field: rendered and sanitized, and no blank line ends the raw-HTML block.
    assert "<script>" not in table and "<li>打开页面</li>" in table
    assert "\n\n" not in table


def test_unsigned_record_leaves_blank_signature_lines(minimal: Path) -> None:
    page = record(load_project(Project.at(minimal)), "acme")
    signoff = page[page.index("## 签字确认"):page.index("记录指纹（SHA-256）")]
    # Name, title, signature and date for both parties: 8 lines to fill in by hand.
    assert signoff.count('<span class="hb-signature"></span>') == 8
    assert "**待定**" in page


def test_print_view_is_the_same_record_without_site_links(minimal: Path) -> None:
    model = load_project(Project.at(minimal))
    pages = {p.path: p for p in acceptance.pages(model, TEMPLATES)}
    web, printed = pages[routes.acceptance("acme")], pages[routes.acceptance_print("acme")]
    assert (web.title, web.nav_parent, web.nav_group, web.customer) == ("验收记录", routes.CUSTOMERS, "艾克米集团", "acme")
    assert (printed.nav_parent, printed.customer) == (None, "acme")
    header = printed.meta.pop("print_header")
    assert header.startswith("艾克米集团 · 验收记录 UAT-acme-") and "指纹" in header and "生成于" in header
    assert printed.meta == {"title": "艾克米集团：验收记录", "template": "print.html", "search": {"exclude": True},
                            "hide": ["navigation", "toc"]}
    assert "打印版（A4）](acceptance-print.md)" in web.markdown
    # A paper document links nowhere: its only link is 返回 in the bar the print CSS hides.
    bar_start = printed.markdown.index('<div class="hb-print-bar" markdown>')
    bar_end = printed.markdown.index("</div>", bar_start)
    assert "](acceptance.md)" in printed.markdown[bar_start:bar_end]
    assert "](" not in printed.markdown[:bar_start] + printed.markdown[bar_end:]
    body = web.markdown[web.markdown.index("## 基本信息"):]
    assert body == printed.markdown[printed.markdown.index("## 基本信息"):]


def test_print_header_words_come_from_the_labels(minimal: Path, tmp_path: Path) -> None:
    """The running header is worded in _labels.j2 like every other word: a project's own labels
    change it (here to English), and the customer's name goes in as plain text, unescaped."""
    import shutil

    from handbook.pages.rendering import environment

    templates = tmp_path / "site_templates"
    shutil.copytree(TEMPLATES, templates)
    labels = templates / "pages/_labels.j2"
    text = labels.read_text(encoding="utf-8")
    assert '指纹 {fingerprint}… · 生成于 {date}"' in text
    labels.write_text(text.replace("指纹 {fingerprint}… · 生成于 {date}", "fingerprint {fingerprint} · printed {date}"),
                      encoding="utf-8")
    edit(minimal, ACME, "name: 艾克米集团", "name: 艾克米 & <集团>")
    model = load_project(Project.at(minimal))
    environment.cache_clear()
    try:
        printed = {p.path: p for p in acceptance.pages(model, templates)}[routes.acceptance_print("acme")]
    finally:
        environment.cache_clear()
    fingerprint = model.customers[0].acceptance.fingerprint
    assert printed.meta["print_header"] == (f"艾克米 & <集团> · 验收记录 UAT-acme-{fingerprint[:8]} · "
                                            f"fingerprint {fingerprint[:16]} · printed {model.as_of.isoformat()}")


# -- the fingerprint --------------------------------------------------------------------------------

REFORMATTED = """\
handbook_version: "1.0"   # moved to the top, quoting kept
name: 艾克米集团
# comments and key order are not data
acceptance:
  rounds:
    - cases:
        - {result: failed, id: UAT-1, expected: 登录成功, scenario: 登录,
           defects: [{status: open, priority: P1, title: 无法登录, id: BUG-1}]}
      end: "2026-03-05"
      round: 1
      start: 2026-03-01
  criteria: [{result: pending, must_pass: true, title: 核心流程可用, id: ac-1}]
"""


def fingerprint(root: Path) -> str:
    return load_project(Project.at(root)).customers[0].acceptance.fingerprint


def reformat(root: Path) -> None:
    """Rewrite acme.yml with the same data: keys reordered, flow style, comments, quoted date."""
    path = root / ACME
    text = path.read_text(encoding="utf-8")
    rest = text[:text.index("acceptance:")].replace("name: 艾克米集团\n", "", 1).replace('handbook_version: "1.0"\n', "")
    path.write_text(REFORMATTED + rest, encoding="utf-8")


def test_fingerprint_is_sha256_of_the_canonical_record(minimal: Path) -> None:
    acc = load_project(Project.at(minimal)).customers[0].acceptance
    assert acc.fingerprint == hashlib.sha256(acc.canonical.encode("utf-8")).hexdigest()
    data = json.loads(acc.canonical)
    assert (data["customer"], data["name"], data["acceptance"]["rounds"][0]["cases"][0]["id"]) == (
        "acme", "艾克米集团", "UAT-1")


def test_fingerprint_survives_reformatting(minimal: Path) -> None:
    before = fingerprint(minimal)
    reformat(minimal)
    text = (minimal / ACME).read_text(encoding="utf-8")
    assert text.startswith('handbook_version: "1.0"') and "{result: failed" in text  # the rewrite happened
    assert fingerprint(minimal) == before
    # Project data outside the record may move on after signing without invalidating it.
    edit(minimal, ACME, 'phone: "013800138000"', 'phone: "013900139000"')
    assert fingerprint(minimal) == before


@pytest.mark.parametrize(("old", "new"), [
    ("result: failed", "result: blocked"),
    ("status: open", "status: fixed"),
    ("end: 2026-03-05", "end: 2026-03-06"),
    ("title: 核心流程可用", "title: 核心流程均可用"),
    ("must_pass: true", "must_pass: false"),
    ("priority: P1", "priority: P2"),
    ("name: 艾克米集团", "name: 艾克米集团有限公司"),
    ("project: 工程管理系统实施", "project: 工程管理系统二期"),
    ('handbook_version: "1.0"', 'handbook_version: "1.1"'),
])
def test_fingerprint_changes_with_any_data_change(minimal: Path, old: str, new: str) -> None:
    before = fingerprint(minimal)
    edit(minimal, ACME, old, new)
    assert fingerprint(minimal) != before


def test_fingerprint_covers_what_the_record_prints_from_shared_data(minimal: Path) -> None:
    edit(minimal, ACME, "  criteria:", "  scope: [plan]\n  criteria:")
    before = fingerprint(minimal)
    edit(minimal, "project_data/handbook.yml", "vendor: 测试软件", "vendor: 另一家软件")
    after_vendor = fingerprint(minimal)
    edit(minimal, "project_data/phases.yml", "name: 《项目实施方案》", "name: 《实施方案》")
    assert len({before, after_vendor, fingerprint(minimal)}) == 3


def test_fingerprint_cli(minimal: Path, capsys) -> None:
    expected = fingerprint(minimal)
    assert main(["--project", str(minimal), "fingerprint", "acme"]) == 0
    assert capsys.readouterr().out == expected + "\n"
    assert main(["fingerprint", "--project", str(minimal), "acm"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == "unknown customer 'acm' (known: acme)\n"
    page = record(load_project(Project.at(minimal)), "acme", printable=True)
    assert f'<span class="hb-fingerprint">{expected}</span>' in page
    # The customer signs the paper copy: no repository instructions on it.
    assert "handbook fingerprint" not in page and "仓库" not in page


# -- the sample customers -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample():
    return load_project(Project.at(REPO))


def raw_acceptance(customer_id: str) -> dict:
    """The acceptance section as written, read without the handbook loader: an independent oracle."""
    text = (REPO / f"project_data/customers/{customer_id}.yml").read_text(encoding="utf-8")
    return yaml.safe_load(text).get("acceptance", {})


def expected_row(raw_round: dict) -> str:
    results = [c["result"] for c in raw_round["cases"]]
    open_defects = sum(d["status"] == "open" for c in raw_round["cases"] for d in c.get("defects", []))
    numbers = [len(results), *(results.count(r) for r in ("passed", "failed", "blocked", "not-run")), open_defects]
    return "| " + " | ".join(map(str, numbers)) + " |"


@pytest.mark.parametrize(("customer_id", "decision", "statuses"), [
    ("huajian-group", "待定", ["未通过", "进行中"]),
    ("ruifeng-mfg", "通过", ["未通过", "已通过"]),
    ("kangning-hospital", "待定", []),
])
def test_sample_records_show_their_counts_and_decisions(sample, customer_id, decision, statuses) -> None:
    raw = raw_acceptance(customer_id)
    page = record(sample, customer_id)
    assert f"| 验收结论 | **{decision}** |" in page
    sections = rounds_of(page)
    assert list(sections) == [r["round"] for r in raw.get("rounds", [])] == list(range(1, len(statuses) + 1))
    for number, raw_round in enumerate(raw.get("rounds", []), start=1):
        assert counts_row(sections[number]) == expected_row(raw_round)
        assert f"本轮结果：**{statuses[number - 1]}**" in sections[number]
        assert all(f"<td>{c['id']}</td>" in sections[number] for c in raw_round["cases"])
    # Criteria are numbered plain text for the customer (the slug IDs stay in the data).
    for number, criterion in enumerate(raw.get("criteria", []), start=1):
        assert f"| {number} | {md_inline(criterion['title'])} |" in page
        assert criterion["id"] not in page
    # Scope IDs are shown as the deliverables' names from the methodology.
    names = {d["id"]: d["name"] for p in yaml.safe_load((REPO / "project_data/phases.yml").read_text("utf-8"))["phases"]
             for d in p.get("deliverables", [])}
    scope_line = next(line for line in page.splitlines() if line.startswith("| 验收范围 |"))
    assert scope_line == "| 验收范围 | " + "、".join(names[s] for s in raw["scope"]) + " |"
    customer = next(c for c in sample.customers if c.id == customer_id)
    assert f'<span class="hb-fingerprint">{customer.acceptance.fingerprint}</span>' in page


def test_sample_signed_record_shows_both_signatories(sample) -> None:
    page = record(sample, "ruifeng-mfg")
    signoff = page[page.index("## 签字确认"):page.index("记录指纹（SHA-256）")]
    assert "hb-signature" not in signoff
    assert "<td>姓名</td><td>林晓峰</td><td>郑国强</td>" in signoff
    assert "<td>日期</td><td>2026-04-08</td><td>2026-04-08</td>" in signoff
    assert "| 豁免 | 豁免理由：" in page and "<br>批准人：郑国强 |" in page


def test_sample_record_not_started_lists_planned_criteria(sample) -> None:
    page = record(sample, "kangning-hospital")
    assert '!!! note "验收尚未开始"' in page and "## 计划验收标准" in page
    assert "| UAT 轮次 | 尚未开始 |" in page
    assert "## 签字确认" not in page and "### 第" not in page
    assert not next(c for c in sample.customers if c.id == "kangning-hospital").acceptance.started
    huajian = record(sample, "huajian-group")
    open_items = huajian[huajian.index("## 遗留事项"):huajian.index("## 验收结论")]
    assert "| 回滚方案演练 | 孙海涛 | 2026-12-05 | 未完成 |" in open_items


# -- one real build: the print view is a clean document, data stays inert -------------------------

@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> tuple[Path, str]:
    """The minimal project with a hostile customer name, built once (warnings fail the build)."""
    root = write_project(tmp_path_factory.mktemp("acceptance") / "proj")
    edit(root, ACME, "name: 艾克米集团", f"name: {HOSTILE}")
    out = root / "site"
    build_site(fixture_mkdocs_yml(root), out)
    return out, fingerprint(root)


@pytest.mark.e2e
def test_print_view_has_no_site_chrome_and_shows_the_fingerprint(hostile_site) -> None:
    site, expected = hostile_site
    html = (site / "customers/acme/acceptance-print/index.html").read_text(encoding="utf-8")
    for chrome in ("md-nav", "md-header", "md-search", "md-footer"):
        assert chrome not in html
    assert f'<span class="hb-fingerprint">{expected}</span>' in html
    assert "签字确认" in html and html.count('class="hb-signature"') == 8
    web = (site / "customers/acme/acceptance/index.html").read_text(encoding="utf-8")
    assert "md-nav" in web and f'<span class="hb-fingerprint">{expected}</span>' in web
    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    locations = [doc["location"] for doc in index["docs"]]
    assert any(loc.startswith("customers/acme/acceptance/") for loc in locations)
    assert not any(loc.startswith("customers/acme/acceptance-print/") for loc in locations)


@pytest.mark.e2e
def test_hostile_customer_name_is_escaped(hostile_site) -> None:
    site, _ = hostile_site
    for rel in ("customers/acme/acceptance/index.html", "customers/acme/acceptance-print/index.html"):
        html = (site / rel).read_text(encoding="utf-8")
        assert HOSTILE not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;：验收记录" in html


def test_dates_of_what_happened_cannot_lie_ahead(minimal: Path) -> None:
    import datetime as dt

    with pytest.raises(HandbookError) as info:
        load_project(Project.at(minimal), as_of=dt.date(2026, 3, 1))
    found = [str(p) for p in info.value.problems]
    assert f"{ACME}:38:12: end of UAT round 1 2026-03-05 is in the future (today is 2026-03-01)" in found


def test_going_live_needs_an_accepted_record(minimal: Path) -> None:
    edit(minimal, ACME, "current_phase: deploy", "current_phase: deploy\ngo_live:\n  actual: 2026-03-06")
    assert f"{ACME}:13:11: customer went live on 2026-03-06 without an accepted acceptance record " \
           "(decision is 'pending')" in problems(minimal)
