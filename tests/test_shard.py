"""`handbook bundle --all --shard K/N`: stable shares that cover every customer exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REPO
from handbook.cli import main
from handbook.deliver.shard import in_shard, parse_shard
from portfolio import customer_id


def test_shares_partition_the_portfolio_and_are_stable_when_customers_are_added() -> None:
    ids = [customer_id(i) for i in range(400)]
    shares = {k: {cid for cid in ids if in_shard(cid, k, 4)} for k in range(1, 5)}
    assert set().union(*shares.values()) == set(ids)
    assert sum(len(s) for s in shares.values()) == len(ids)
    assert all(60 <= len(s) <= 140 for s in shares.values()), {k: len(s) for k, s in shares.items()}
    grown = ids + [customer_id(i) for i in range(400, 500)]
    assert all({cid for cid in grown[:400] if in_shard(cid, k, 4)} == shares[k] for k in shares)


@pytest.mark.parametrize("text", ["0/3", "4/3", "1/0", "a/b", "2", "1/2/3", "-1/2", ""])
def test_bad_shard_is_a_usage_error(text: str, capsys) -> None:
    with pytest.raises(ValueError):
        parse_shard(text)
    assert main(["--project", str(REPO), "bundle", "--all", f"--shard={text}"]) == 2
    assert f"--shard {text}:" in capsys.readouterr().err


def test_shard_needs_all(capsys) -> None:
    assert main(["--project", str(REPO), "bundle", "huajian-group", "--shard", "1/2"]) == 2
    assert "give --all with it" in capsys.readouterr().err


def test_an_empty_share_builds_nothing_and_succeeds(tmp_path: Path, capsys) -> None:
    ids = ["huajian-group", "kangning-hospital", "ruifeng-mfg"]
    n = next(n for n in range(4, 64) if not any(in_shard(cid, 1, n) for cid in ids))
    out = tmp_path / "dist"
    assert main(["--project", str(REPO), "bundle", "--all", "--shard", f"1/{n}", "--out", str(out)]) == 0
    assert f"shard 1/{n}: 0 of 3 customers" in capsys.readouterr().err
    assert not out.exists()
