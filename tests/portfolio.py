"""Deterministic synthetic portfolios of real-size customers, for `make bench` and scaling tests.

The model is the sample's largest customer file (about 20 KB of YAML: contacts, five phases of
tasks, two UAT rounds, FAQ entries). Customer `i` is that file with its name, e-mail domain and
customer-specific FAQ IDs made unique, so every generated customer validates, and a bundle holds
text that no other customer's data holds (the leak scan then has real work to do). A signed
acceptance record is sealed again for each copy (its fingerprint covers the customer's ID and name).
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
    canonical = _canonical_acceptance(repo, model.stem)
    customers_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = customers_dir / f"{customer_id(i)}.yml"
        copy = text.replace(old_name, customer_name(i)).replace(slug, customer_id(i))
        if canonical is not None:
            # The same replacements on the canonical JSON give the copy's canonical record.
            record = canonical.replace(f'"customer":"{model.stem}"', f'"customer":"{customer_id(i)}"')
            seal = hashlib.sha256(record.replace(old_name, customer_name(i)).replace(slug, customer_id(i))
                                  .encode("utf-8")).hexdigest()
            copy = _SEAL.sub(lambda m: m.group(1) + seal, copy)
        path.write_text(copy, encoding="utf-8")
        paths.append(path)
    return paths


_SEAL = re.compile(r"(?m)^(  signed_fingerprint: )[0-9a-f]{64}$")


def _canonical_acceptance(repo: Path, customer: str) -> str | None:
    """The canonical acceptance record of a sample customer if it is sealed, else None."""
    if not _SEAL.search((repo / f"project_data/customers/{customer}.yml").read_text(encoding="utf-8")):
        return None
    from handbook.data.loader import Project, load_project

    model = load_project(Project.at(repo))
    return next(c for c in model.customers if c.id == customer).acceptance.canonical


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
