"""`handbook new faq` / `handbook new module`: one more entry in an existing data file.

The entry is added as text at the end of the file's list (`entries:` of faq.yml, `modules:` of
training.yml), so the editor's comments, order and layout stay as they were; the caller validates
the project afterwards and puts the file back if the new entry is what fails.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..data.model import Model
from ..errors import HandbookError
from . import _comment, _environment

_TOP_KEY = re.compile(r"[A-Za-z_][\w-]*\s*:")


def _check_text(option: str, value: str, limit: int = 500) -> str:
    value = " ".join(value.split())
    if not value:
        raise HandbookError([f"{option} must not be empty"], exit_code=2)
    if len(value) > limit:
        raise HandbookError([f"{option} is longer than {limit} characters"], exit_code=2)
    return value


def _refuse_unknown(*checks: tuple[str, list[str], list[str]]) -> None:
    """One usage error naming every value not among the known ones: (option, values, known)."""
    problems = [f"{option}: unknown '{v}' (known: {', '.join(known)})"
                for option, values, known in checks for v in values if v not in known]
    if problems:
        raise HandbookError(problems, exit_code=2)


def append_to_list(text: str, key: str, entry: str) -> str:
    """`text` (a YAML file) with `entry` (item lines indented by two spaces) added as the last
    item of the top-level block list `key`; an empty flow list `key: []` becomes a block list."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if re.match(rf"{re.escape(key)}\s*:", line)), None)
    if start is None:
        return text + ("" if text.endswith("\n") or not text else "\n") + f"{key}:\n" + entry
    head = lines[start]
    if re.fullmatch(rf"{re.escape(key)}\s*:\s*\[\s*\]\s*(#.*)?\n?", head):
        lines[start] = f"{key}:\n"
    elif not re.fullmatch(rf"{re.escape(key)}\s*:\s*(#.*)?\n?", head):
        raise HandbookError([f"'{key}:' is not a block list here; add the entry by hand"], exit_code=2)
    end = next((i for i in range(start + 1, len(lines)) if _TOP_KEY.match(lines[i])), len(lines))
    while end > start + 1 and lines[end - 1].lstrip().startswith("#") and not lines[end - 1].startswith(" "):
        end -= 1  # a comment right above the next key belongs to that key
    if end > 0 and not lines[end - 1].endswith("\n"):
        lines[end - 1] += "\n"
    return "".join(lines[:end]) + entry + "".join(lines[end:])


def faq_entry_text(entry_id: str, question: str, category: str, roles: list[str], phases: list[str]) -> str:
    """The YAML lines of a new FAQ entry with a placeholder answer to replace."""
    return _environment().get_template("faq-entry.yml.j2").render(
        id=entry_id, question=question, category=category, roles=roles, phases=phases)


def module_text(module_id: str, title: str, role: str, body: str) -> str:
    """The YAML lines of a new training module whose body is the Markdown file `body`."""
    return _environment().get_template("module.yml.j2").render(id=module_id, title=title, role=role, body=body)


def new_faq_entry(model: Model, data_dir: Path, entry_id: str, question: str, category: str,
                  roles: list[str], phases: list[str]) -> Path:
    """Add an entry to faq.yml; refuse (usage error) a taken ID or unknown category, role or phase."""
    question = _check_text("--question", question)
    taken = {e.id: e for e in model.faq} | {e.id: e for c in model.customers for e in c.faq}
    if entry_id in taken:
        raise HandbookError([f"{taken[entry_id].source.where}: FAQ entry '{entry_id}' exists already; "
                             "choose another ID"], exit_code=2)
    _refuse_unknown(("--category", [category], [c.id for c in model.faq_categories]),
                    ("--role", roles, [r.id for r in model.roles]),
                    ("--phase", phases, [p.id for p in model.phases]))
    target = data_dir / "faq.yml"
    text = target.read_text(encoding="utf-8")
    target.write_text(append_to_list(text, "entries", faq_entry_text(entry_id, question, category, roles, phases)),
                      encoding="utf-8")
    return target


def new_module(model: Model, data_dir: Path, content_dir: Path, module_id: str, title: str, role: str) -> list[Path]:
    """Add a module to training.yml and write its body under content/fragments/training/;
    refuse (usage error) a taken ID, an unknown role or an existing body file."""
    title = _check_text("--title", title)
    taken = {x.id: x for x in model.modules}
    if module_id in taken:
        raise HandbookError([f"{taken[module_id].source.where}: training module '{module_id}' exists already; "
                             "choose another ID"], exit_code=2)
    _refuse_unknown(("--role", [role], [r.id for r in model.roles]))
    body = f"fragments/training/{module_id}.md"
    body_path = content_dir / body
    if body_path.exists() or body_path.is_symlink():
        raise HandbookError([f"{body_path}: exists already; remove it or choose another ID"], exit_code=2)
    target = data_dir / "training.yml"
    text = target.read_text(encoding="utf-8")
    body_path.parent.mkdir(parents=True, exist_ok=True)
    with open(body_path, "x", encoding="utf-8") as out:
        out.write(_environment().get_template("module-body.md.j2").render(title=_comment(title).replace("--", "- -")))
    target.write_text(append_to_list(text, "modules", module_text(module_id, title, role, body)), encoding="utf-8")
    return [target, body_path]
