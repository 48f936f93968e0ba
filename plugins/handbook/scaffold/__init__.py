"""`handbook new`: starter data files, built from the current methodology, that validate at once.

The templates live next to this module (package data), not in a project: a content repository that
installs the package scaffolds with the same starters. Values from the user are written as quoted
YAML strings; names from the data only reach comments, on one line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jinja2

from ..data.model import Model
from ..errors import HandbookError

DEPLOYMENTS = ("saas", "private", "hybrid")


def _yaml(value: object) -> str:
    # A JSON string is a YAML double-quoted scalar: no tag, no implicit typing, any character escaped.
    return json.dumps(str(value), ensure_ascii=False)


def _comment(value: object) -> str:
    return " ".join(str(value).split())


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).parent)), autoescape=False,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters.update(yaml=_yaml, comment=_comment)
    return env


_SCHEMA_LINE = re.compile(r"# yaml-language-server: \$schema=(\S*?)handbook\.schema\.json")


def customer_schema(data_dir: Path) -> str:
    """Where a customer file finds its schema: beside the one handbook.yml points at (in this
    repository the package's folder, in a project made by `handbook init` its own copy)."""
    try:
        first = (data_dir / "handbook.yml").read_text(encoding="utf-8").splitlines()[0]
    except (OSError, IndexError, UnicodeDecodeError):
        first = ""
    found = _SCHEMA_LINE.fullmatch(first.strip())
    folder = found.group(1) if found else "../plugins/handbook/data/schemas/"
    # customers/ is one level below handbook.yml: a relative path climbs one more.
    if folder and "://" not in folder and not folder.startswith("/"):
        folder = "../" + folder
    return folder + "customer.schema.json"


def customer_text(model: Model, customer_id: str, name: str, deployment: str, schema: str) -> str:
    """The starter file of a new customer: its phases, roles and SLA tiers are the model's."""
    return _environment().get_template("customer.yml.j2").render(
        id=customer_id, name=name, deployment=deployment, version=model.handbook.version, schema=schema,
        tiers=model.sla_tiers, roles=model.roles, phases=model.phases)


def new_customer(model: Model, data_dir: Path, customer_id: str, name: str, deployment: str) -> Path:
    """Write `customers/<id>.yml` under `data_dir`; refuse (usage error) an existing file or a bad name."""
    name = " ".join(name.split())
    if not name:
        raise HandbookError(["--name must not be empty"], exit_code=2)
    if len(name) > 500:
        raise HandbookError(["--name is longer than 500 characters"], exit_code=2)
    target = data_dir / "customers" / f"{customer_id}.yml"
    if target.exists() or target.is_symlink():
        raise HandbookError([f"{target}: customer '{customer_id}' exists already; choose another ID"], exit_code=2)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "x", encoding="utf-8") as out:
        out.write(customer_text(model, customer_id, name, deployment, customer_schema(data_dir)))
    return target
