"""The cache of read and checked data files, in `.handbook-cache/` of the project (ignored by git).

An entry holds what reading one file produced: its values with their positions, and every
problem found in it (YAML and schema). It is keyed by the file's bytes, its path, its kind and a
fingerprint of the reader itself (its code, the shipped schemas, Python and PyYAML), so editing a
schema or upgrading the tool never serves a stale entry. The cross-file checks (references,
rules) are not cached: they run on every load.

An entry is written to a temporary file and renamed, so a reader never sees half of one; it
carries a CRC of its payload, and an entry that is short, corrupt or for another key is read
again from the source and rewritten, never trusted. Entries are `marshal` data (plain values,
no code); the folder is as trusted as the project's `.venv`.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
import zlib
from functools import cache
from pathlib import Path

import yaml

from ..errors import Location, Problem

FOLDER = ".handbook-cache"
_MAGIC = b"HBC1"
_HERE = Path(__file__).resolve().parent


@cache
def tool_fingerprint() -> str:
    """What a cached entry depends on besides the file: this package's data layer and its schemas."""
    digest = hashlib.sha256(f"{sys.version}|{yaml.__version__}|{yaml.__with_libyaml__}".encode())
    for path in sorted([*_HERE.glob("*.py"), *_HERE.glob("schemas/*.json"), _HERE.parent / "errors.py"]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def entry_key(rel: str, kind: str, raw: bytes) -> str:
    """The cache key of the file `rel` of kind `kind` holding `raw`."""
    digest = hashlib.sha256(raw)
    digest.update(f"\0{rel}\0{kind}\0{tool_fingerprint()}".encode())
    return digest.hexdigest()


def encode(key: str, doc: tuple | None, problems: list[Problem]) -> bytes:
    """An entry's bytes: magic, CRC of the payload, payload (`doc` is (path, data, marks, texts) or None)."""
    payload = marshal.dumps((key, doc, [(p.location.path, p.location.line, p.location.column, p.message)
                                        for p in problems]))
    return _MAGIC + zlib.crc32(payload).to_bytes(4, "big") + payload


def sound(blob: bytes) -> bool:
    """Whether `blob` is a whole entry (magic and checksum right); its key is checked by `decode`."""
    return len(blob) >= 8 and blob[:4] == _MAGIC and zlib.crc32(blob[8:]) == int.from_bytes(blob[4:8], "big")


def decode(key: str, blob: bytes) -> tuple[tuple | None, list[Problem]] | None:
    """The (doc, problems) of an entry, or None when it is not a sound entry for `key`."""
    if not sound(blob):
        return None
    try:
        stored, doc, problems = marshal.loads(blob[8:])
        if stored != key:
            return None
        return doc, [Problem(Location(path, line, column), message) for path, line, column, message in problems]
    except (ValueError, TypeError, EOFError):
        return None


class FileCache:
    """The entries of one project's cache folder (`files`: read files; `built`: built customers)."""

    def __init__(self, root: Path, part: str = "files"):
        self.folder = root / FOLDER / part

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / key[2:]

    def get(self, key: str) -> tuple[tuple | None, list[Problem]] | None:
        """The cached result for `key`, or None (missing, unreadable or corrupt: rebuild it)."""
        blob = self.read(key)
        return None if blob is None else decode(key, blob)

    def read(self, key: str) -> bytes | None:
        """The stored bytes of `key`, unchecked, or None."""
        try:
            return self._path(key).read_bytes()
        except OSError:
            return None

    def put(self, key: str, blob: bytes) -> None:
        """Store an encoded entry atomically; a cache that cannot be written is no error."""
        target = self._path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if not (target.parent.parent.parent / ".gitignore").exists():
                (target.parent.parent.parent / ".gitignore").write_text("*\n", encoding="utf-8")
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
            with os.fdopen(fd, "wb") as out:
                out.write(blob)
            os.replace(tmp, target)
        except OSError:
            try:
                os.unlink(tmp)  # type: ignore[possibly-undefined]
            except (OSError, NameError):
                pass

    def prune(self, keep: set[str]) -> None:
        """Delete entries no file of the project maps to any more (and stray temporary files)."""
        if not self.folder.is_dir():
            return
        for sub in self.folder.iterdir():
            for entry in sub.iterdir() if sub.is_dir() else ():
                if sub.name + entry.name not in keep:
                    try:
                        entry.unlink()
                    except OSError:
                        pass
