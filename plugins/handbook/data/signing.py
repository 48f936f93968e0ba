"""What changed in a signed acceptance record since it was signed, read from git history.

The data keeps only the fingerprint at signing (`acceptance.signed_fingerprint`), and a hash
cannot say what it was made of. When the record no longer matches it, this module walks the
customer file's git history back to the newest commit whose record has that fingerprint and
names the fields that differ from it, with their old and new values. Read-only and offline:
`git log` and `git show` on the local repository, nothing else; without git, or when no commit
matches, the caller reports the mismatch without the field list.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import ProblemLog
from .yaml_source import load_yaml

MAX_COMMITS = 200  # how far back to look; a record is signed once and rarely edited after
MAX_FIELDS = 8  # fields named in the error message; the rest are counted


@dataclass(frozen=True)
class FieldDifference:
    """One leaf of the canonical record that differs between signing and now."""

    path: str
    signed: object
    now: object

    def __str__(self) -> str:
        return f"{self.path}: {_show(self.signed)} -> {_show(self.now)}"


@dataclass(frozen=True)
class SignedState:
    """The newest commit whose record matched the signed fingerprint, and what differs since."""

    commit: str
    differences: tuple[FieldDifference, ...]


def _show(value: object) -> str:
    if value is _MISSING:
        return "(absent)"
    return json.dumps(value, ensure_ascii=False)


_MISSING = object()


def flatten(value: object, prefix: str = "") -> dict[str, object]:
    """Leaves of a JSON value by readable path; list items keyed by their `id` (or `round`) when
    they have one, so inserting a case does not make every later case look changed."""
    out: dict[str, object] = {}
    if isinstance(value, dict):
        for key, item in value.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            key = i
            if isinstance(item, dict):
                key = item.get("id", item.get("round", item.get("title", i)))
            out.update(flatten(item, f"{prefix}[{key}]"))
    else:
        out[prefix] = value
    return out


def differences(signed: str, now: str) -> tuple[FieldDifference, ...]:
    """The leaves of two canonical records (JSON text) that differ, in path order."""
    a, b = flatten(json.loads(signed)), flatten(json.loads(now))
    return tuple(FieldDifference(path, a.get(path, _MISSING), b.get(path, _MISSING))
                 for path in sorted(set(a) | set(b)) if a.get(path, _MISSING) != b.get(path, _MISSING))


def _git(root: Path, *args: str) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None


def _show_file(root: Path, commit: str, rel: str) -> bytes | None:
    try:
        result = subprocess.run(["git", "show", f"{commit}:./{rel}"], cwd=root, capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None


def find_signed_state(root: Path, data_rel: str, customer_id: str, signed_fingerprint: str,
                      current_canonical: str) -> SignedState | None:
    """The newest commit at which `customer_id`'s record had `signed_fingerprint`, and the fields
    that differ from it now; None without git history or when no commit matches."""
    from .fingerprint import canonical_text  # the one definition of what a fingerprint covers

    rels = [f"{data_rel}/customers/{customer_id}.yml", f"{data_rel}/handbook.yml", f"{data_rel}/phases.yml"]
    log = _git(root, "log", f"-n{MAX_COMMITS}", "--format=%H", "--", *rels)
    if log is None or log.returncode != 0:
        return None
    with tempfile.TemporaryDirectory(prefix="handbook-signed-") as tmp:
        for commit in log.stdout.split():
            docs = []
            for rel in rels:
                blob = _show_file(root, commit, rel)
                if blob is None:
                    break
                path = Path(tmp) / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(blob)
                doc = load_yaml(path, Path(tmp), ProblemLog())
                if doc is None or not isinstance(doc.data, dict):
                    break
                docs.append(doc.data)
            else:
                customer, handbook, phases = docs
                names = {d.get("id"): d.get("name") for p in phases.get("phases") or [] if isinstance(p, dict)
                         for d in p.get("deliverables") or [] if isinstance(d, dict)}
                try:
                    canonical = canonical_text(customer_id, customer, handbook.get("vendor"), handbook.get("title"),
                                               names)
                except (AttributeError, TypeError, KeyError):
                    continue
                if hashlib.sha256(canonical.encode("utf-8")).hexdigest() == signed_fingerprint:
                    return SignedState(commit[:12], differences(canonical, current_canonical))
    return None


def mismatch_message(acceptance_fingerprint: str, signed_fingerprint: str, state: SignedState | None) -> str:
    """The error shown at `signed_fingerprint` when a signed record's data changed afterwards."""
    head = (f"the acceptance record changed after it was signed: its fingerprint is now {acceptance_fingerprint}, "
            f"not the signed {signed_fingerprint}")
    if state is None:
        detail = " (no commit in this repository's history has the signed record, so the changed fields cannot be named)"
    else:
        shown = "; ".join(str(d) for d in state.differences[:MAX_FIELDS])
        more = f"; and {len(state.differences) - MAX_FIELDS} more" if len(state.differences) > MAX_FIELDS else ""
        detail = f"; changed since commit {state.commit}, where it was signed: {shown}{more}"
    return (head + detail + ". Revert the change, or have both sides sign again and set "
            f"signed_fingerprint: {acceptance_fingerprint}")
