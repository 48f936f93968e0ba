"""Read and schema-check every data file of a load: from the cache when unchanged, on all cores.

The loader reads every file's bytes and key first (`read_files`: a customer whose built result is
cached needs nothing more); the files it still needs come back from `read_checked` as (document or
None, problems), in order, exactly as `loader.check_file` produced them, now or on an earlier run.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..errors import Location, Problem
from .cache import FileCache, decode, encode, entry_key
from .yaml_source import MAX_FILE_BYTES

# Below this many files to read, starting worker processes costs more than it saves.
PARALLEL_FROM = 48
Result = tuple[tuple | None, list[Problem]]


@dataclass(frozen=True)
class FileRead:
    """One data file's bytes and cache key, or the problem that keeps it from being read."""

    rel: str
    kind: str
    raw: bytes = b""
    key: str = ""
    refused: Problem | None = None


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
        found.append(FileRead(rel, kind, raw, entry_key(rel, kind, raw)))
    return found


def read_checked(root: Path, files: list[FileRead], workers: int | None = None) -> list[Result]:
    """(document, problems) of each file read by `read_files`, reusing and refreshing the project's cache."""
    cache = FileCache(root)
    results: list[Result | None] = [None] * len(files)
    misses: list[tuple[int, str, bytes, str, str]] = []
    for i, read in enumerate(files):
        if read.refused is not None:
            results[i] = (None, [read.refused])
            continue
        hit = cache.get(read.key)
        if hit is not None:
            results[i] = hit
        else:
            misses.append((i, read.rel, read.raw, read.kind, read.key))
    workers = workers or os.cpu_count() or 1
    jobs = [(rel, raw, kind, key, str(root)) for _, rel, raw, kind, key in misses]
    if workers > 1 and len(misses) >= PARALLEL_FROM:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            blobs = pool.map(_check_and_store, jobs, chunksize=max(1, len(jobs) // (8 * workers)))
            for (i, *_, key), blob in zip(misses, blobs):  # decoded as they come: no pile of blobs
                results[i] = decode(key, blob)
    else:
        for (i, *_), job in zip(misses, jobs):
            results[i] = _check_and_store(job, keep=True)
    return results  # type: ignore[return-value]


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
