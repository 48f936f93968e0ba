"""tests/site_text.py: what it takes from a page, what it ignores, and how it reports differences."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import site_text

SCRIPT = Path(site_text.__file__)

PAGE = """<!doctype html><html><head>
<meta name="generator" content="{generator}">
<meta name="description" content="{description}">
<title>{title} - 手册</title>
<link rel="stylesheet" href="../assets/stylesheets/main.{hash}.min.css">
<script src="../assets/javascripts/bundle.{hash}.min.js"></script>
</head><body>
<header class="md-header">构建于 {date}</header>
<nav class="md-nav"><a href="../other/">其他页面</a></nav>
<div class="md-content"><article class="md-content__inner md-typeset">
<h1 id="x">{title}<a class="headerlink" href="#x">&para;</a></h1>
<p>共 {count} 个客户项目，
   见 <a href="../customers/acme/?v={hash}">艾克米</a>。</p>
<script>var built = "{date}";</script><style>p {{ color: red }}</style>
<table><tr><th>客户</th><th>阶段</th></tr><tr><td>艾克米 &amp; 子公司</td><td>部署</td></tr></table>
<svg role="img"><title>图表</title><text>启动</text><text>0</text></svg>
<article><p>嵌套的文章</p></article>
</article></div>
<footer>{date}</footer>
</body></html>"""


def page(title: str = "看板", count: int = 3, generator: str = "mkdocs-1.6.1", hash: str = "abc123",
         date: str = "2026-11-28", description: str = "实施手册") -> str:
    return PAGE.format(title=title, count=count, generator=generator, hash=hash, date=date,
                       description=description)


def search_index(pipeline: str = "stemmer", text: str = "正文") -> str:
    return json.dumps({"config": {"lang": ["zh"], "separator": "[\\s\\-]", "pipeline": [pipeline]},
                       "docs": [{"location": "", "title": "首页", "text": text}]}, ensure_ascii=False)


def write_site(root: Path, pages: dict[str, str]) -> Path:
    for rel, text in pages.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_main_text_is_taken_line_by_line_with_title_and_links() -> None:
    text = site_text.page_text(page())
    assert text.title == "看板 - 手册" and text.description == "实施手册"
    assert text.lines == ("看板¶", "共 3 个客户项目， 见 艾克米。", "客户 | 阶段", "艾克米 & 子公司 | 部署",
                          "图表", "启动", "0", "嵌套的文章")
    assert text.links == {"#x", "../customers/acme/"}  # the query string (an asset hash) is dropped


def test_generator_meta_assets_dates_outside_the_article_and_scripts_are_ignored() -> None:
    assert site_text.page_text(page()) == site_text.page_text(
        page(generator="mkdocs-ProperDocs 1.6.7, mkdocs-material-9.8.2", hash="ffff99", date="2030-01-01"))
    assert site_text.page_text(page()) != site_text.page_text(page(count=4))
    assert site_text.page_text(page()) != site_text.page_text(page(description="另一段描述"))


def test_without_an_article_the_md_content_or_the_body_is_read() -> None:
    plain = "<html><head><title>t</title></head><body><p>正文</p><script>x()</script><p>第二段</p></body></html>"
    assert site_text.page_text(plain).lines == ("正文", "第二段")
    content = '<body><nav>导航</nav><div class="md-content"><div><p>内容</p></div></div><p>页脚</p></body>'
    assert site_text.page_text(content).lines == ("内容",)


def test_comparison_reports_missing_extra_and_first_differing_lines(tmp_path: Path) -> None:
    a = site_text.read_site(write_site(tmp_path / "a", {
        "index.html": page(), "customers/acme/index.html": page("艾克米"), "old/index.html": page("旧")}))
    b = site_text.read_site(write_site(tmp_path / "b", {
        "index.html": page(hash="zzz"), "customers/acme/index.html": page("艾克米", count=5),
        "new/index.html": page("新")}))
    result = site_text.compare(a, b)
    assert result
    assert (result.missing, result.extra, result.same) == (["old/index.html"], ["new/index.html"], 1)
    assert result.differing == {"customers/acme/index.html": ["-共 3 个客户项目， 见 艾克米。",
                                                              "+共 5 个客户项目， 见 艾克米。"]}
    report = result.report("a", "b")
    assert "only in a: old/index.html" in report and "only in b: new/index.html" in report
    assert "differs: customers/acme/index.html\n    -共 3" in report
    assert not site_text.compare(a, a)


def test_the_search_index_is_compared_by_its_settings(tmp_path: Path) -> None:
    a = write_site(tmp_path / "a", {"index.html": page(), "search/search_index.json": search_index()})
    b = write_site(tmp_path / "b", {"index.html": page(), "search/search_index.json": search_index(text="别的")})
    c = write_site(tmp_path / "c", {"index.html": page(), "search/search_index.json": search_index("stopWordFilter")})
    assert not site_text.compare_sites(a, b)  # the indexed text is the pages' text, compared there
    result = site_text.compare_sites(a, c)
    assert result.differing == {"search/search_index.json": ['-pipeline: ["stemmer"]',
                                                             '+pipeline: ["stopWordFilter"]']}


def test_the_script_exits_1_on_differences_0_when_the_same_2_on_bad_usage(tmp_path: Path) -> None:
    a = write_site(tmp_path / "a", {"index.html": page()})
    b = write_site(tmp_path / "b", {"index.html": page(generator="ProperDocs", hash="new")})
    c = write_site(tmp_path / "c", {"index.html": page(count=9)})

    def run(*args: Path) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True)

    same = run(a, b)
    assert same.returncode == 0 and "1 identical, 0 differing" in same.stdout
    different = run(a, c)
    assert different.returncode == 1
    assert "differs: index.html\n    -共 3 个客户项目" in different.stdout
    assert run(a, tmp_path / "missing").returncode == 2
    (tmp_path / "empty").mkdir()
    assert run(a, tmp_path / "empty").returncode == 2
