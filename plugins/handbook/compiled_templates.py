"""Compiled Jinja templates kept for the life of the process.

MkDocs makes a new Jinja environment for every build, so each build compiled Material's ~60
templates again (about 2 s here), and the page templates' environment is made anew per build so
that a newly added override wins. `handbook serve` rebuilds in one process on every save and a
`bundle --all` worker builds bundle after bundle, so both paid that on every build. Jinja's own
bytecode-cache contract does the reuse: an entry is keyed by the template's name and file and
holds the checksum of the source it was compiled from, so an edited override compiles afresh.
"""

from __future__ import annotations

import jinja2


class ProcessBytecodeCache(jinja2.BytecodeCache):
    """Jinja bytecode in memory, shared by every environment of this process."""

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self._store.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)  # Jinja drops it when the source checksum differs

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self._store.clear()


COMPILED = ProcessBytecodeCache()
