"""Deterministic synthetic portfolios of real-size customers, for `make bench` and scaling tests.

The model is the sample's largest customer file (about 20 KB of YAML: contacts, five phases of
tasks, two UAT rounds, FAQ entries). Customer `i` is that file with its name, e-mail domain and
customer-specific FAQ IDs made unique, so every generated customer validates, and a bundle holds
text that no other customer's data holds (the leak scan then has real work to do).
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
_SURNAMES = "华瑞康安恒泰鼎盛宏远长城东方天成中联新兴金桥博达"
_TRADES = ["工程集团", "建设集团", "制造有限公司", "医院", "物流有限公司", "能源集团", "置业有限公司"]


def model_customer(repo: Path = REPO) -> Path:
    """The sample's largest customer file: the template every synthetic customer is cut from."""
    return max(sorted((repo / "project_data/customers").glob("*.yml")), key=lambda p: p.stat().st_size)


def customer_name(i: int) -> str:
    """A deterministic, unique Chinese company name for customer number `i`."""
    a, b = _SURNAMES[i % len(_SURNAMES)], _SURNAMES[(i // len(_SURNAMES)) % len(_SURNAMES)]
    return f"{a}{b}{i:04d}{_TRADES[i % len(_TRADES)]}"


def customer_id(i: int) -> str:
    """File name (and ID) of customer number `i`."""
    return f"c{i:04d}"


def write_customers(customers_dir: Path, n: int, repo: Path = REPO) -> list[Path]:
    """Write `n` customers cut from the model file into `customers_dir`; return their paths."""
    model = model_customer(repo)
    text = model.read_text(encoding="utf-8")
    import yaml

    old_name = yaml.safe_load(text)["name"]
    slug = model.stem.split("-")[0]
    customers_dir.mkdir(parents=True, exist_ok=True)
    seal = _resealer(model, repo)
    paths = []
    for i in range(n):
        path = customers_dir / f"{customer_id(i)}.yml"
        replaced = {old_name: customer_name(i), slug: customer_id(i)}
        path.write_text(seal(_replace(text, replaced), customer_id(i), replaced), encoding="utf-8")
        paths.append(path)
    return paths


def _replace(value, replaced: dict[str, str]):
    """`value` (text, or parsed data) with every string's `replaced` keys replaced, in order."""
    if isinstance(value, str):
        for old, new in replaced.items():
            value = value.replace(old, new)
        return value
    if isinstance(value, dict):
        return {k: _replace(v, replaced) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, replaced) for v in value]
    return value


def _resealer(model: Path, repo: Path):
    """A function giving a generated customer's text the seal of its own signed record.

    A signed acceptance record keeps the fingerprint of what was signed, which covers the
    customer's name: a copy under another name must be sealed again, as its signatories would.
    """
    text = model.read_text(encoding="utf-8")
    if not re.search(r"^  signed_fingerprint: ", text, re.M):
        return lambda generated, cid, replaced: generated
    from handbook.data.fingerprint import canonical_text
    from handbook.data.yaml_source import parse_bytes
    from handbook.errors import ProblemLog

    def data(path: Path):
        return parse_bytes(path.read_bytes(), path.name, ProblemLog()).data

    handbook, phases, template = data(repo / "project_data/handbook.yml"), data(repo / "project_data/phases.yml"), data(model)
    deliverables = {x["id"]: x["name"] for p in phases["phases"] for x in p.get("deliverables", ())}

    def seal(generated: str, cid: str, replaced: dict[str, str]) -> str:
        canonical = canonical_text(cid, _replace(template, replaced), handbook["vendor"], handbook["title"], deliverables)
        fingerprint = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
        return re.sub(r"^  signed_fingerprint: [0-9a-f]{64}$", f"  signed_fingerprint: {fingerprint}", generated,
                      flags=re.M)

    return seal


def sample_portfolio(root: Path, n: int, repo: Path = REPO) -> Path:
    """A copy of the sample project (data, content, templates, mkdocs.yml) holding `n` synthetic customers.

    The sample's own customers are left out, so the portfolio is exactly `n` customers of one size.
    """
    root.mkdir(parents=True, exist_ok=True)
    for name in ("content", "site_templates"):
        shutil.copytree(repo / name, root / name)
    shutil.copytree(repo / "project_data", root / "project_data", ignore=shutil.ignore_patterns("customers"))
    shutil.copy(repo / "mkdocs.yml", root / "mkdocs.yml")
    write_customers(root / "project_data/customers", n, repo)
    return root


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="write a synthetic portfolio of N real-size customers")
    parser.add_argument("out", type=Path)
    parser.add_argument("n", type=int)
    args = parser.parse_args()
    print(sample_portfolio(args.out, args.n))
