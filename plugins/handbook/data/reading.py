"""Read and schema-check every data file of a load: from the cache when unchanged, on all cores.

The loader reads every file's bytes and key first (`read_files`: a customer whose built result is
cached needs nothing more); the files it still needs come back from `read_checked` as (document or
None, problems), in order, exactly as `loader.check_file` produced them, now or on an earlier run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from ..errors import HandbookError, Location, Problem
from .cache import FileCache, decode, encode, entry_key, sound
from .yaml_source import MAX_FILE_BYTES

# Below this many files to read, starting worker processes costs more than it saves.
PARALLEL_FROM = 48
Result = tuple[tuple | None, list[Problem]]


@dataclass
class FileRead:
    """One data file's cache key (and bytes, for the shared files), or the problem that keeps it
    from being read. A customer file's bytes are read again when it needs checking: most of a
    large portfolio is answered from the cache, and ten thousand files' bytes are 360 MB."""

    rel: str
    kind: str
    raw: bytes = b""
    key: str = ""
    refused: Problem | None = None

    def bytes_in(self, root: Path) -> bytes:
        """The bytes the key was made from: kept, or read again. A file saved since is taken as it
        is now, its key with it, so what is checked and stored is what was read."""
        if self.raw:
            return self.raw
        try:
            raw = (root / self.rel).read_bytes()
        except OSError as error:
            raise HandbookError([Problem(Location(self.rel), f"could not be read again ({error.strerror}): it was "
                                                             "moved or deleted during the load; run again")]) from None
        self.key = entry_key(self.rel, self.kind, raw)
        return raw


def read_files(root: Path, files: list[tuple[Path, str]]) -> list[FileRead]:
    """The bytes and cache key of each (file, kind) in `files` (a symbolic link or an oversized file refused)."""
    found = []
    for path, kind in files:
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            found.append(FileRead(rel, kind, refused=Problem(Location(rel), "symbolic links are not allowed in project data")))
            continue
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            found.append(FileRead(rel, kind, refused=Problem(Location(rel), f"file is {size} bytes; the limit is {MAX_FILE_BYTES}")))
            continue
        raw = path.read_bytes()
        found.append(FileRead(rel, kind, raw if kind != "customer" else b"", entry_key(rel, kind, raw)))
    return found


def read_checked(root: Path, files: list[FileRead], workers: int | None = None) -> Iterator[Result]:
    """(document, problems) of each file read by `read_files`, in order, reusing and refreshing the
    project's cache. Results come one at a time, as the caller takes them: a load builds each
    customer from its document and drops it, so a thousand documents are never held at once."""
    cache = FileCache(root)
    stored: list[bytes | None] = []
    missing: list[FileRead] = []
    for read in files:
        blob = None if read.refused is not None else cache.read(read.key)
        if blob is not None and not sound(blob):
            blob = None
        stored.append(blob)
        if read.refused is None and blob is None:
            missing.append(read)
    jobs = ((read.rel, read.bytes_in(root), read.kind, read.key, str(root)) for read in missing)
    workers = workers or os.cpu_count() or 1
    with ExitStack() as stack:
        if workers > 1 and len(missing) >= PARALLEL_FROM:
            pool = stack.enter_context(ProcessPoolExecutor(max_workers=workers))
            blobs = pool.map(_check_and_store, jobs, chunksize=max(1, len(missing) // (8 * workers)))
            checked = (decode(read.key, blob) for read, blob in zip(missing, blobs))
        else:
            checked = (_check_and_store(job, keep=True) for job in jobs)
        for read, blob in zip(files, stored):
            if read.refused is not None:
                yield None, [read.refused]
                continue
            result = decode(read.key, blob) if blob is not None else next(checked)
            if result is None:  # an entry for another key, or damaged past its checksum: read the file
                result = _check_and_store((read.rel, read.bytes_in(root), read.kind, read.key, str(root)), keep=True)
            read.raw = b""  # a thousand files' bytes need not wait for the end of the load
            yield result


def prune(root: Path, files: list[FileRead]) -> None:
    """Delete the entries of files the project no longer holds (in these bytes)."""
    FileCache(root).prune({read.key for read in files if read.key})


def _check_and_store(job: tuple[str, bytes, str, str, str], keep: bool = False):
    """Check one file (in a worker process when there are many), store its entry and return it
    (encoded, to cross the process boundary, or as it is when `keep`)."""
    from .loader import check_file

    rel, raw, kind, key, root = job
    doc, problems = check_file(rel, raw, kind)
    blob = encode(key, doc, problems)
    FileCache(Path(root)).put(key, blob)
    return (doc, problems) if keep else blob
