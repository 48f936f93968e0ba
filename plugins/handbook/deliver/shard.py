"""Stable shares of a portfolio, so a CI matrix of N jobs bundles every customer exactly once.

A customer's share is decided by its ID alone (SHA-256 of the ID modulo N): adding or removing
customers never moves another customer to a different share, so each job's artefacts stay
comparable from run to run. Shares are balanced on average, not exactly.
"""

from __future__ import annotations

import hashlib
import re

_SHARD = re.compile(r"([0-9]+)/([0-9]+)")


def parse_shard(text: str) -> tuple[int, int]:
    """(K, N) from 'K/N' with 1 <= K <= N; ValueError saying what is wrong otherwise."""
    match = _SHARD.fullmatch(text.strip())
    if not match:
        raise ValueError("expected K/N, e.g. 1/4 (the first of four shares)")
    k, n = int(match.group(1)), int(match.group(2))
    if n < 1 or not 1 <= k <= n:
        raise ValueError(f"K must be between 1 and N, and N at least 1 (got K={k}, N={n})")
    return k, n


def in_shard(customer_id: str, k: int, n: int) -> bool:
    """Whether the customer belongs to share `k` (1-based) of `n`."""
    return int.from_bytes(hashlib.sha256(customer_id.encode("utf-8")).digest()[:8], "big") % n == k - 1
