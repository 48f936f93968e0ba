"""Converted templates kept between builds, in `.handbook-cache/documents/` of the project.

Converting the twelve sample templates takes a second or two; a template that did not change
since the last build (same text, format, properties and Markdown settings, same converter code
and library versions) is read back instead. An entry is keyed by all of that, written to a
temporary file and renamed, and carries a checksum: a short or corrupt entry is converted again,
never served. Settings whose description is not stable across processes (an object shown by its
address) are kept in memory only.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from importlib import metadata
from pathlib import Path

from .package import DocumentInfo

FOLDER = ".handbook-cache"
_MAGIC = b"HBD1"
_HERE = Path(__file__).resolve().parent
_LIBRARIES = ("python-docx", "openpyxl", "lxml", "Markdown", "pymdown-extensions", "mkdocs-material")


@cache
def tool_fingerprint() -> str:
    """What a stored document depends on besides its input: this package's code and the libraries."""
    digest = hashlib.sha256()
    for name in _LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=?\0".encode())
    for path in sorted(_HERE.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def describe(value: object) -> str:
    """A description of Markdown settings that is the same in every process: functions by their
    module and name, partials by their parts, plain values by repr."""
    if isinstance(value, Mapping):
        items = sorted(value.items(), key=lambda kv: str(kv[0]))
        return "{" + ",".join(f"{describe(k)}:{describe(v)}" for k, v in items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(describe(v) for v in value) + "]"
    if isinstance(value, functools.partial):
        return f"partial({describe(value.func)},{describe(value.args)},{describe(value.keywords)})"
    if isinstance(value, (str, int, float, bool, type(None))):
        return repr(value)
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{value.__module__}.{value.__qualname__}"
    return repr(value)


def document_key(text: str, fmt: str, info: DocumentInfo, extensions: Sequence[object],
                 configs: Mapping[str, Mapping] | None) -> tuple[str, bool]:
    """(key, stable): the key of one conversion, and whether it means the same in another process."""
    settings = describe([list(extensions), dict(configs or {})])
    digest = hashlib.sha256("\0".join((text, fmt, repr(info), settings, tool_fingerprint())).encode())
    return digest.hexdigest(), " at 0x" not in settings


class DocumentStore:
    """The stored documents of one project (or, without a project, none: memory only)."""

    def __init__(self, root: Path | None = None):
        self.folder = root / FOLDER / "documents" if root is not None else None

    def get(self, key: str) -> bytes | None:
        """The stored bytes for `key`, or None (missing, short or corrupt: convert again)."""
        if self.folder is None:
            return None
        try:
            blob = (self.folder / key).read_bytes()
        except OSError:
            return None
        if len(blob) < 8 or blob[:4] != _MAGIC or zlib.crc32(blob[8:]) != int.from_bytes(blob[4:8], "big"):
            return None
        return blob[8:]

    def put(self, key: str, data: bytes) -> None:
        """Store `data` atomically; a store that cannot be written is no error."""
        if self.folder is None:
            return
        tmp = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            ignore = self.folder.parent / ".gitignore"
            if not ignore.exists():
                ignore.write_text("*\n", encoding="utf-8")
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.folder)
            with os.fdopen(fd, "wb") as out:
                out.write(_MAGIC + zlib.crc32(data).to_bytes(4, "big") + data)
            os.replace(tmp, self.folder / key)
        except OSError:
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)

    def keep_only(self, keys: set[str]) -> None:
        """Delete the entries no template maps to any more (edited or removed templates)."""
        if self.folder is None or not self.folder.is_dir():
            return
        for entry in self.folder.iterdir():
            if entry.name not in keys:
                try:
                    entry.unlink()
                except OSError:
                    pass


_MEMORY: dict[str, bytes] = {}  # this process's conversions (`handbook serve`, many bundles in one run)
_MEMORY_SIZE = 256


def converted(key: str, stable: bool, store: DocumentStore, make: Callable[[], bytes]) -> bytes:
    """The document of `key`: from memory, from the store, or made (and kept in both)."""
    if key in _MEMORY:
        return _MEMORY[key]
    data = store.get(key) if stable else None
    if data is None:
        data = make()
        if stable:
            store.put(key, data)
    if len(_MEMORY) >= _MEMORY_SIZE:
        _MEMORY.clear()
    _MEMORY[key] = data
    return data
