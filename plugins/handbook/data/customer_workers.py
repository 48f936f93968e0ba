"""Customers built in worker processes: a cold load of a large portfolio uses every core.

Each worker reads the shared files once (from the file cache the main process has just filled),
builds the same shared records, and then reads, builds, checks and stores the customers it is
given, exactly as the main process would (`CustomerBuilder.build_here`). It sends back what the
main process needs: the problems, the FAQ IDs, the summary and the stored entry's bytes, which the
main process unpickles only when it needs the customers themselves (a build; not `validate`).
A worker whose shared records come out different from the main process's builds nothing; the main
process then builds those customers itself.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from typing import TYPE_CHECKING

from ..errors import ProblemLog
from .reading import FileRead

if TYPE_CHECKING:
    from .customer_builds import CustomerBuilder, CustomerSummary, Outcome
    from .loader import Project

_BUILDER: list[CustomerBuilder | None] = [None]


def build_in_workers(builder: CustomerBuilder, files: list[tuple[str, FileRead]],
                     workers: int) -> Iterator[tuple[str, Outcome]]:
    """(name, outcome) of each of `files` built in `workers` processes, in order, as they come (a
    file a worker could not build is left out)."""
    setup = (builder.project, builder.as_of, builder.require_seal, builder.shared_files, builder.summary,
             builder.materialize, builder.shared.records.signature)
    try:
        with ProcessPoolExecutor(max_workers=workers, initializer=_start, initargs=setup) as pool:
            chunk = max(1, len(files) // (8 * workers))
            for (name, _), outcome in zip(files, pool.map(_build, files, chunksize=chunk)):
                if outcome is not None:
                    yield name, outcome
    except (BrokenProcessPool, OSError):
        return  # no processes to be had (a limit, a killed worker): the main process builds the rest


def _start(project: Project, as_of: dt.date, require_seal: bool, shared_files: list[tuple[str, FileRead]],
           summary: CustomerSummary | None, materialize: bool, signature: str) -> None:
    from .customer_builds import CustomerBuilder
    from .loader import _read_docs, shared_records

    problems = ProblemLog()  # the main process reports the shared files' problems
    # Reading lets go of each file's bytes; the builder keeps them (they are part of its keys' inputs).
    docs, _ = _read_docs(project.root, [(name, replace(read)) for name, read in shared_files], problems)
    shared = shared_records(project, docs, problems, as_of)
    if shared.records.signature == signature:
        _BUILDER[0] = CustomerBuilder(project, as_of, require_seal, shared, shared_files, summary, materialize)
    # A worker makes millions of objects that are freed by reference counting as each customer is
    # sent; the cyclic collector only walked them (a fifth of a worker's time). Peak worker memory
    # at 500 customers each: 76 MB.
    gc.disable()


def _build(job: tuple[str, FileRead]) -> Outcome | None:
    builder = _BUILDER[0]
    if builder is None:
        return None
    name, _ = job
    outcome = builder.build_here([job])[name]
    outcome.customer = None  # the main process takes the stored bytes, not a second pickling
    return outcome
