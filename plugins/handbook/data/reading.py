"""Read and schema-check every data file of a load: from the cache when unchanged, on all cores.

The loader hands over the list of files; each comes back as (document or None, problems), in
order, exactly as `loader.check_file` produced it, whether now or on an earlier run.
"""

from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ..errors import Location, Problem
from .cache import FileCache, decode, encode, entry_key
from .yaml_source import MAX_FILE_BYTES

# Below this many files to read, starting worker processes costs more than it saves.
PARALLEL_FROM = 48
Result = tuple[tuple | None, list[Problem]]


def read_checked(root: Path, files: list[tuple[Path, str]], workers: int | None = None) -> list[Result]:
    """(document, problems) of each (file, kind) in `files`, reusing and refreshing the project's cache."""
    cache = FileCache(root)
    results: list[Result | None] = [None] * len(files)
    misses: list[tuple[int, str, bytes, str, str]] = []
    keys = set()
    for i, (path, kind) in enumerate(files):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            results[i] = (None, [Problem(Location(rel), "symbolic links are not allowed in project data")])
            continue
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            results[i] = (None, [Problem(Location(rel), f"file is {size} bytes; the limit is {MAX_FILE_BYTES}")])
            continue
        raw = path.read_bytes()
        key = entry_key(rel, kind, raw)
        keys.add(key)
        hit = cache.get(key)
        if hit is not None:
            results[i] = hit
        else:
            misses.append((i, rel, raw, kind, key))
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
    cache.prune(keys)
    return results  # type: ignore[return-value]


def _check_and_store(job: tuple[str, bytes, str, str, str], keep: bool = False):
    """Check one file (in a worker process when there are many), store its entry and return it
    (encoded, to cross the process boundary, or as it is when `keep`)."""
    from .loader import check_file

    rel, raw, kind, key, root = job
    doc, problems = check_file(rel, raw, kind)
    blob = encode(key, doc, problems)
    FileCache(Path(root)).put(key, blob)
    return (doc, problems) if keep else blob
