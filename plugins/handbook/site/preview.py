"""`handbook serve` while the data is broken: every page of the preview becomes a list of the problems.

Under `serve`, a failed build would leave the browser on the last good pages with no word of what
went wrong (MkDocs logs "the server will appear stuck"). Instead the build succeeds with each page
replaced by the located problems, so the open page reloads into the list and, once the data is
fixed, back into itself. The problems are printed through a logger outside MkDocs' `mkdocs` tree,
so that `strict` does not count them as warnings and abort this error build too.
"""

from __future__ import annotations

import html
import logging

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

report = logging.getLogger("handbook.preview")

TITLE = "项目数据有误"


def error_markdown(messages: list[str]) -> str:
    """The error page: every problem (escaped: messages quote the data), in the order reported."""
    items = []
    for message in messages:
        where, sep, text = message.partition(": ")
        if sep and where.count(":") >= 2:
            items.append(f"<li><code>{html.escape(where)}</code> {html.escape(text)}</li>")
        else:
            items.append(f"<li>{html.escape(message)}</li>")
    return (f"# {TITLE}\n\n"
            f"!!! failure \"预览已暂停：发现 {len(messages)} 个问题\"\n"
            "    修正下列问题并保存后，本页会自动刷新为正常内容。每条问题都标明了文件、行号和列号。\n\n"
            '<ol class="hb-problems">\n' + "\n".join(items) + "\n</ol>\n")


def replace_pages(files: Files, config: MkDocsConfig, messages: list[str], known_pages: list[str]) -> Files:
    """`files` with every included page (and every page the last good build had) showing the problems."""
    markdown = error_markdown(messages)
    result = Files([])
    pages: list[str] = []
    for file in files:
        if file.is_documentation_page() and not file.inclusion.is_excluded():
            pages.append(file.src_uri)
        else:
            result.append(file)
    for path in dict.fromkeys([*pages, *known_pages]):
        result.append(File.generated(config, path, content=markdown))
    # Only pages that exist may be listed: a nav entry to a missing page would be a strict warning.
    listed = [*pages, *known_pages]
    home = "index.md" if "index.md" in listed else next(iter(listed), None)
    config.nav = [{TITLE: home}] if home else None
    return result
