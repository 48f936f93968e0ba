"""Compiled templates are reused across the builds of one process (serve, bundle workers), and an
edited or newly added template is compiled afresh."""

from __future__ import annotations

from pathlib import Path

import jinja2

from handbook.compiled_templates import ProcessBytecodeCache


def _env(folders: list[Path], cache: ProcessBytecodeCache) -> jinja2.Environment:
    # A new environment per build, as MkDocs makes one.
    return jinja2.Environment(loader=jinja2.FileSystemLoader([str(f) for f in folders]), bytecode_cache=cache)


def test_a_second_build_reuses_the_compiled_template_and_an_edit_is_seen(tmp_path: Path, monkeypatch) -> None:
    theme, override = tmp_path / "theme", tmp_path / "override"
    theme.mkdir()
    override.mkdir()
    (theme / "page.html").write_text("theme {{ n }}", encoding="utf-8")
    cache = ProcessBytecodeCache()
    compiled: list[str] = []
    original = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return original(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    assert _env([override, theme], cache).get_template("page.html").render(n=1) == "theme 1"
    assert _env([override, theme], cache).get_template("page.html").render(n=2) == "theme 2"
    assert compiled == ["page.html"]  # the second build took the bytecode
    (theme / "page.html").write_text("edited {{ n }}", encoding="utf-8")
    assert _env([override, theme], cache).get_template("page.html").render(n=3) == "edited 3"
    (override / "page.html").write_text("override {{ n }}", encoding="utf-8")  # a new file wins
    assert _env([override, theme], cache).get_template("page.html").render(n=4) == "override 4"
    assert compiled == ["page.html"] * 3
