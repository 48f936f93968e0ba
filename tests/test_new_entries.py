"""`handbook new faq` and `handbook new module`: one more entry, added as text to the data file so
the editor's comments stay, validated at once, taken back when the new entry is what fails."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO
from handbook.cli import main
from handbook.data.loader import Project
from handbook.load import load
from handbook.pages import training
from handbook.scaffold.entries import append_to_list


def test_append_keeps_the_rest_of_the_file_and_the_next_keys_comment() -> None:
    text = "# head\nentries:\n  - id: a  # first\n    x: 1\n\n# about tail\ntail: 1\n"
    out = append_to_list(text, "entries", "  - id: b\n")
    assert out == "# head\nentries:\n  - id: a  # first\n    x: 1\n\n  - id: b\n# about tail\ntail: 1\n"
    assert append_to_list("# c\nmodules: []  # none yet\n", "modules", "  - id: m\n") == "# c\nmodules:\n  - id: m\n"
    assert append_to_list("entries:\n  - id: a", "entries", "  - id: b\n") == "entries:\n  - id: a\n  - id: b\n"


def test_new_faq_entry_validates_keeps_comments_and_reaches_its_page(minimal: Path, capsys) -> None:
    project = ["--project", str(minimal)]
    faq = minimal / "project_data/faq.yml"
    before = faq.read_text(encoding="utf-8")
    model = load(Project.at(minimal))
    category, role, phase = model.faq_categories[0].id, model.roles[0].id, model.phases[-1].id
    assert main([*project, "new", "faq", "cutover-weekend", "--question", '切换周末: 谁在现场？ #值班',
                 "--category", category, "--role", role, "--phase", phase]) == 0
    assert "write its answer" in capsys.readouterr().out
    after = faq.read_text(encoding="utf-8")
    assert after.startswith(before.rstrip("\n"))  # nothing of the editor's text changed
    assert main([*project, "validate"]) == 0
    entry = next(e for e in load(Project.at(minimal)).faq if e.id == "cutover-weekend")
    assert (entry.question, entry.category, entry.roles, entry.phases) == (
        "切换周末: 谁在现场？ #值班", category, (role,), (phase,))
    assert "待补充" in entry.answer


def test_new_faq_refuses_a_taken_id_and_names_every_unknown_value(minimal: Path, capsys) -> None:
    project = ["--project", str(minimal)]
    faq = minimal / "project_data/faq.yml"
    before = faq.read_text(encoding="utf-8")
    taken = load(Project.at(minimal)).faq[0]
    assert main([*project, "new", "faq", taken.id, "--question", "q", "--category", taken.category]) == 2
    err = capsys.readouterr().err
    assert f"project_data/faq.yml:{taken.source.where.line}:" in err and "exists already" in err
    assert main([*project, "new", "faq", "fresh", "--question", "q", "--category", "nope", "--role", "adminn",
                 "--phase", "later"]) == 2
    err = capsys.readouterr().err
    assert "--category: unknown 'nope'" in err and "--role: unknown 'adminn'" in err
    assert "--phase: unknown 'later'" in err and "(known: " in err
    assert main([*project, "new", "faq", "Bad ID", "--question", "q", "--category", taken.category]) == 2
    assert faq.read_text(encoding="utf-8") == before


def test_an_entry_that_does_not_validate_is_taken_back(minimal: Path, capsys) -> None:
    faq = minimal / "project_data/faq.yml"
    before = faq.read_text(encoding="utf-8")
    category = load(Project.at(minimal)).faq_categories[0].id
    assert main(["--project", str(minimal), "new", "faq", "hidden", "--question", "切换\u200b周末",
                 "--category", category]) == 2
    err = capsys.readouterr().err
    assert "project_data/faq.yml:" in err and "U+200B" in err and "was not added" in err
    assert faq.read_text(encoding="utf-8") == before


def test_new_module_in_a_new_project_reaches_the_roles_manual(tmp_path: Path, capsys) -> None:
    root = tmp_path / "hb"
    assert main(["init", str(root)]) == 0
    model = load(Project.at(root))
    assert model.modules == ()
    role = model.roles[0].id
    assert main(["--project", str(root), "new", "module", "first-steps", "--title", "入门：第一次登录",
                 "--role", role]) == 0
    body = root / "content/fragments/training/first-steps.md"
    assert "## 操作步骤" in body.read_text(encoding="utf-8")
    assert main(["--project", str(root), "validate"]) == 0
    model = load(Project.at(root))
    (module,) = model.modules
    assert (module.id, module.title, module.role) == ("first-steps", "入门：第一次登录", role)
    manual = next(p for p in training.pages(model, REPO / "site_templates") if p.path == f"training/{role}.md")
    assert "入门：第一次登录" in manual.markdown and "## 操作步骤" in manual.markdown
    capsys.readouterr()
    assert main(["--project", str(root), "new", "module", "first-steps", "--title", "x", "--role", role]) == 2
    assert "exists already" in capsys.readouterr().err
    assert main(["--project", str(root), "new", "module", "second", "--title", "x", "--role", "nobody"]) == 2
    assert not (root / "content/fragments/training/second.md").exists()
