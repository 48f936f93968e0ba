"""`handbook init`: a new handbook project that validates and builds at once.

The minimal project is the five phases as a skeleton, a few roles, one SLA tier, an empty FAQ and
training catalogue and no customers; `--example` copies the full sample handbook instead. Both come
from the installed package: the starter files under `handbook/starter/`, the sample from the
repository this package was built from (`handbook/example/` in the wheel).
"""

from __future__ import annotations

import json
import re
from importlib import metadata
from pathlib import Path

import handbook

from .data.schema_check import DATA_FILES
from .errors import HandbookError

_STARTER = Path(__file__).parent / "starter"
_SCHEMAS = Path(__file__).parent / "data" / "schemas"
# Where a new project keeps a copy of the schemas its data files point at (editor completion).
SCHEMA_DIR = ".handbook/schemas"
_STARTER_NAV = """nav:
  - 首页: index.md
  - 方法论: methodology/index.md
  - 角色: roles/index.md
  - 培训手册: training/index.md
  - 常见问题: faq/index.md
  - 运维支持: support/sla.md
  - 客户项目: customers/index.md
  - 变更记录: changes/index.md
"""


def example_dir() -> Path:
    """The sample handbook: packaged in the wheel, or the source checkout this package runs from."""
    packaged = Path(handbook.__file__).parent / "example"
    if (packaged / "mkdocs.yml").is_file():
        return packaged
    checkout = Path(handbook.__file__).resolve().parents[2]
    if (checkout / "mkdocs.yml").is_file() and (checkout / "project_data").is_dir():
        return checkout
    raise HandbookError(["this installation does not carry the sample handbook"])


def init_project(target: Path, *, example: bool = False, force: bool = False, title: str = "实施手册",
                 vendor: str = "我们公司") -> list[Path]:
    """Write a new project into `target`; return the files written. Refuses a non-empty folder
    unless `force` (then existing files of the same name are replaced, nothing else is touched)."""
    if target.exists() and not target.is_dir():
        raise HandbookError([f"{target}: exists and is not a directory"], exit_code=2)
    if target.is_dir() and any(target.iterdir()) and not force:
        raise HandbookError([f"{target}: not empty; choose an empty or new directory, or add --force"], exit_code=2)
    files = _example_files(title) if example else _starter_files(title, vendor)
    files.update(_common_files())
    written = []
    for rel, text in sorted(files.items()):
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _yaml_text(value: str) -> str:
    """A YAML scalar for any text: JSON's double-quoted string is valid YAML."""
    return json.dumps(value, ensure_ascii=False)


def _schema_line(rel: str) -> str:
    depth = rel.count("/")
    return "../" * depth + SCHEMA_DIR


def _starter_files(title: str, vendor: str) -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {}
    for path in sorted(_STARTER.rglob("*")):
        if not path.is_file() or path.suffix == ".pyc":
            continue
        rel = path.relative_to(_STARTER).as_posix()
        if rel in ("gitignore", "pre-commit-config.yaml") or rel.startswith("github/"):
            continue  # common files, below
        text = path.read_text(encoding="utf-8")
        if rel.endswith(".yml"):
            text = text.replace("{schemas}", _schema_line(rel)).replace("{title}", _yaml_text(title))
            text = text.replace("{vendor}", _yaml_text(vendor))
            text = text.replace("{description}", _yaml_text(f"{vendor}的实施方法论、角色培训手册、常见问题与客户项目记录。"))
        else:
            text = text.replace("{title}", _markdown_text(title)).replace("{vendor}", _markdown_text(vendor))
        files[rel] = text
    sample = (example_dir() / "mkdocs.yml").read_text(encoding="utf-8")
    head = sample.partition("\nnav:")[0]
    head = re.sub(r"(?m)^site_name: .*$", lambda _: f"site_name: {_yaml_text(title)}", head)
    files["mkdocs.yml"] = head.rstrip("\n") + "\n\n" + _STARTER_NAV
    userdict = example_dir() / "content/search/userdict.txt"
    files["content/search/userdict.txt"] = userdict.read_text(encoding="utf-8") if userdict.is_file() else ""
    return files


def _example_files(title: str) -> dict[str, str | bytes]:
    source = example_dir()
    files: dict[str, str | bytes] = {"mkdocs.yml": (source / "mkdocs.yml").read_text(encoding="utf-8")}
    for folder in ("project_data", "content"):
        for path in sorted((source / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                rel = path.relative_to(source).as_posix()
                data = path.read_bytes()
                if rel.endswith(".yml"):
                    text = data.decode("utf-8")
                    data = re.sub(r"(?m)^(# yaml-language-server: \$schema=)\S*/([a-z]+\.schema\.json)$",
                                  lambda mo: f"{mo.group(1)}{_schema_line(rel)}/{mo.group(2)}", text)
                files[rel] = data
    return files


def _common_files() -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {
        ".gitignore": (_STARTER / "gitignore").read_text(encoding="utf-8"),
        ".pre-commit-config.yaml": (_STARTER / "pre-commit-config.yaml").read_text(encoding="utf-8"),
        ".github/workflows/handbook.yml": (_STARTER / "github/workflows/handbook.yml").read_text(encoding="utf-8")
        .replace("{requirement}", _requirement()),
    }
    for kind in [*DATA_FILES.values(), "customer"]:
        files[f"{SCHEMA_DIR}/{kind}.schema.json"] = (_SCHEMAS / f"{kind}.schema.json").read_bytes()
    return files


def _requirement() -> str:
    try:
        return f"handbook=={metadata.version('handbook')}"
    except metadata.PackageNotFoundError:
        return "handbook"


def _markdown_text(value: str) -> str:
    """Text for a Markdown heading or line, with Markdown and HTML punctuation escaped."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!<>|&])", r"\\\1", value)
