"""The SLA page: one comparison of tiers and priorities, the clock of every target, the contacts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import REPO
from handbook.data.loader import Project, load_project
from handbook.data.model import duration_label
from handbook.errors import HandbookError as DataError
from handbook.pages import routes, support
from test_loader import edit

TEMPLATES = REPO / "site_templates"


@pytest.fixture(scope="module")
def sample():
    return load_project(Project.at(REPO))


def sla_page(model) -> str:
    (page,) = support.pages(model, TEMPLATES)
    assert page.path == routes.SLA
    return page.markdown


def test_durations_say_which_clock_they_run_on() -> None:
    assert duration_label("4h", "calendar") == "4 小时"
    assert duration_label("1d", "calendar") == "1 天"
    assert duration_label("4h", "business") == "4 工作小时"
    assert duration_label("2d", "business") == "2 个工作日"
    assert duration_label("30min", "business") == "30 工作分钟"


def test_sla_page_is_one_comparison_of_tiers_and_priorities(sample) -> None:
    page = sla_page(sample)
    assert page.count("<table>") == 1 and "### " not in page
    header = re.search(r"<thead>(.*?)</thead>", page, re.S).group(1)
    assert [f"tier-{t.id}" for t in sample.sla_tiers] == re.findall(r'id="(tier-[a-z-]+)"', header)
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', page)
    assert [r[0] for r in rows] == ["服务时间", *(f"{p.id} {p.name}" for p in sample.priorities), "健康检查"]
    cells = dict(rows)
    for p in sample.priorities:
        found = re.findall(r"<td>(.*?)</td>", cells[f"{p.id} {p.name}"])
        expected = [f"响应 {t.response_label}<br>解决 {t.resolution_label}"
                    for t in (tier.target(p.id) for tier in sample.sla_tiers)]
        assert found == expected
    gold, silver = sample.sla_tier("gold"), sample.sla_tier("silver")
    assert gold.target("P1").resolution_label == "1 天"        # gold runs on the calendar clock
    assert silver.target("P1").resolution_label == "2 个工作日"  # silver on business hours...
    assert silver.target("P0").response_label == "1 小时"       # ...except P0, around the clock
    assert "响应 1 小时<br>解决 8 小时" in cells["P0 紧急"]


def test_sla_page_explains_the_clocks_and_has_no_doubled_punctuation(sample) -> None:
    page = sla_page(sample)
    assert "**自然时间**" in page and "7x24 小时连续计时" in page
    assert "**工作时间**" in page and "工作日（周一至周五，法定节假日除外）9\\:00\\-17\\:00计时" in page
    assert not re.search(r"[。；，、：][。；，、：]", page)


def test_sla_page_lists_hotline_email_and_portal(sample) -> None:
    page = sla_page(sample)
    contact = sample.support_contact
    assert contact.hotline == "400-820-3721"
    assert f'<a href="tel:4008203721">{contact.hotline}</a>' in page
    assert f'<a href="mailto:{contact.email}">{contact.email}</a>' in page
    assert f'<a href="{contact.portal}">{contact.portal}</a>' in page


def test_business_clock_defaults_to_nine_to_six(minimal: Path) -> None:
    import datetime as dt

    edit(minimal, "project_data/sla.yml", "clock: calendar", "clock: business")
    tier = load_project(Project.at(minimal)).sla_tiers[0]
    assert tier.clock == "business" and tier.business_hours == (dt.time(9), dt.time(18))
    assert all(t.clock == "business" and "工作" in t.response_label for t in tier.targets)


@pytest.mark.parametrize("bad, expected", [
    ('contact:\n  hotline: "call us"\n  email: a@b.cn\n', "'call us' is not valid: Phone number"),
    ('contact:\n  hotline: "400-1234"\n  email: "x<script>@b.cn"\n', "is not valid: An e-mail address."),
    ('contact:\n  hotline: "400-1234"\n  email: a@b.cn\n  portal: javascript:alert(1)\n', "is not valid: An https://"),
])
def test_contact_fields_are_checked(minimal: Path, bad: str, expected: str) -> None:
    path = minimal / "project_data/sla.yml"
    path.write_text(bad + path.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_project(Project.at(minimal))
    assert any(expected in str(p) for p in info.value.problems), info.value.problems


@pytest.mark.e2e
def test_built_sla_page_shows_the_comparison_and_contacts(sample_site: Path, sample) -> None:
    html = (sample_site / "support/sla/index.html").read_text(encoding="utf-8")
    assert html.count("<table>") == 3  # contacts, priorities, the one comparison
    assert 'id="tier-gold"' in html and "响应 2 小时<br>解决 1 天" in html
    assert "400-820-3721" in html and "mailto:support@zhuyun.example" in html
    assert "。；" not in html
    customer = (sample_site / "customers/huajian-group/index.html").read_text(encoding="utf-8")
    tier = sample.sla_tier(next(c for c in sample.customers if c.id == "huajian-group").sla)
    assert f'href="../../support/sla/#tier-{tier.id}"' in customer
