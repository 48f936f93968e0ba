"""FAQ entries carry an audience like roles and modules: an internal entry is shown, marked, on the
internal site and is removed from the data a bundle is built from, so no FAQ page, tag, search
entry or related-question link of a bundle can hold it."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import READER_CUSTOMER, REPO
from handbook.data.loader import Project, load_project
from handbook.pages.registry import generate
from test_loader import edit, problems

TEMPLATES = REPO / "site_templates"
INTERNAL = """\
  - id: pricing
    question: 变更报价由谁审批？
    audience: internal
    category: basics
    tags: [报价审批]
    phases: [start]
    roles: [admin]
    answer: 折扣超过一成报交付总监审批。
"""


def _add_internal_entry(root: Path) -> None:
    path = root / "project_data/faq.yml"
    path.write_text(path.read_text(encoding="utf-8") + INTERNAL, encoding="utf-8")


def _all_text(pages) -> str:
    return "\n".join(p.title + "\n" + p.markdown + "\n" + repr(p.meta) for p in pages)


def test_internal_entry_is_shown_marked_inside_and_absent_from_a_bundle(minimal: Path) -> None:
    _add_internal_entry(minimal)
    model = load_project(Project.at(minimal))
    assert [(e.id, e.audience) for e in model.faq] == [("what-is", "all"), ("pricing", "internal")]
    inside = {p.path: p for p in generate(model, TEMPLATES)}
    category = inside["faq/basics.md"].markdown
    assert "## 变更报价由谁审批？" in category and '<span class="hb-internal">内部</span>' in category
    assert "报价审批" in inside["faq/basics.md"].meta["tags"]
    phase = inside["methodology/start.md"].markdown
    assert "变更报价由谁审批？" in phase and "内部</span>" in phase, "the related-question link is marked"
    assert "什么叫工程管理系统？" in phase and phase.count("hb-internal") == 1
    bundle = model.for_customer("acme")
    assert [e.id for e in bundle.faq] == ["what-is"]
    text = _all_text(generate(bundle, TEMPLATES))
    for trace in ("变更报价由谁审批", "折扣超过一成", "报价审批", "pricing", "hb-internal"):
        assert trace not in text, trace
    assert "什么叫工程管理系统？" in text


def test_a_customers_internal_entry_stays_off_its_bundle(minimal: Path) -> None:
    edit(minimal, "project_data/customers/acme.yml", "\nacceptance:", """
faq:
  - id: acme-discount
    question: 艾克米的折扣为何特批？
    audience: internal
    category: basics
    answer: 战略客户，总监特批。
  - id: acme-vpn
    question: 艾克米怎么连 VPN？
    category: basics
    answer: 用集团统一的 VPN 客户端。
acceptance:""")
    model = load_project(Project.at(minimal))
    inside = {p.path: p.markdown for p in generate(model, TEMPLATES)}["customers/acme/index.md"]
    assert "艾克米的折扣为何特批？" in inside and "hb-internal" in inside
    bundle = model.for_customer("acme")
    assert [e.id for e in bundle.customers[0].faq] == ["acme-vpn"]
    text = _all_text(generate(bundle, TEMPLATES))
    assert "折扣为何特批" not in text and "总监特批" not in text and "艾克米怎么连 VPN？" in text


def test_unknown_audience_is_located(minimal: Path) -> None:
    _add_internal_entry(minimal)
    edit(minimal, "project_data/faq.yml", "audience: internal", "audience: staff")
    found = problems(minimal)
    assert len(found) == 1 and found[0].startswith("project_data/faq.yml:14:15: ") and "'staff'" in found[0], found


def test_sample_marks_vendor_internal_entries() -> None:
    model = load_project(Project.at(REPO))
    internal = sorted(e.id for e in model.faq if e.is_internal)
    assert internal == ["change-request-pricing", "signoff-delayed"]
    assert not any(e.is_internal for e in model.for_customer(READER_CUSTOMER).faq)


@pytest.mark.e2e
def test_no_trace_of_an_internal_entry_in_a_bundle(reader_site: Path, reader_bundle: Path) -> None:
    """The built bundle (every file, the search index included) holds no internal entry; the
    internal site has it on its FAQ page, in its search index and on the phase page that links it."""
    from handbook.deliver.attachments import Unreadable, file_text
    from handbook.deliver.leaks import normalize

    model = load_project(Project.at(REPO))
    entries = [e for e in model.faq if e.is_internal]
    traces = [t for e in entries for t in (e.question, e.answer.splitlines()[0][:20], f"faq-{e.id}")]
    for path in sorted(p for p in reader_bundle.rglob("*") if p.is_file()):
        try:
            text = normalize(file_text(path))  # the search index splits words with zero-width spaces
        except Unreadable:
            continue
        found = [t for t in traces if normalize(t) in text]
        assert not found, (path.relative_to(reader_bundle).as_posix(), found)
    index = normalize(file_text(reader_site / "search/search_index.json"))
    assert all(normalize(e.question) in index for e in entries)
    implementation = (reader_site / "faq/implementation.html").read_text(encoding="utf-8")
    assert all(e.question in implementation for e in entries) and implementation.count('class="hb-internal"') >= 2
    assert "客户迟迟不签验收记录" in (reader_site / "methodology/deployment.html").read_text(encoding="utf-8")
