"""The cache of built customers: a customer whose file and shared data did not change is not rebuilt.

Reading a customer file is cached by `cache.FileCache`; building its records (phase progress, gate
verdicts, SLA deadlines of every ticket, the acceptance fingerprint) costs more than reading it, so
a customer that built without any problem is stored too, in `.handbook-cache/built/`, keyed by:
its file's cache key (its bytes, path and the tool's fingerprint), every shared data file's key
(the methodology it is built against), the layout, the day it was judged on (`as_of`: overdue
phases and "in the future" checks change at midnight), `require_seal`, and the shape of the shared
records it points to. A customer with any problem is never stored: it is built again on every run,
so its messages (some of which name git history) are always today's.

What is stored is the `Customer` itself, pickled with two economies: the shared records it points to
(its phases, tasks, gate criteria, SLA tier...) are stored as their index among the shared records
of the run and point to this run's objects when loaded; and its source positions are not stored at
all: its `Source`s get a `Positions` that reads the file's position tree from the file cache only
when a message or an edit link needs a line (see `Positions.later`).

Entries are written atomically, carry a CRC and their key, and unpickle only classes of this
package and the standard library's dates; anything else is a miss and the customer is rebuilt.
The cross-customer checks (FAQ IDs across customers, routes, audiences) run on every load. Beside
each customer its facts are kept (`FactsCache`: its FAQ IDs and the routes its pages take), so that
`handbook validate` runs those checks without unpickling unchanged customers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import marshal
import operator
import pickle
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..errors import Location
from .cache import FileCache, entry_key
from .positions import Positions

_MAGIC = b"HBB1"
_FACTS_MAGIC = b"HBF1"
_SAFE_MODULES = ("datetime", "zoneinfo", "builtins", "copyreg", "_operator")


class SharedRecords:
    """The shared (methodology) records of a run, numbered in a fixed order, with a signature of their shape."""

    def __init__(self, roots: Iterable[object]):
        self.objects: list[object] = []
        self.index: dict[int, int] = {}
        for root in roots:
            self._walk(root)
        shape = "|".join(type(o).__qualname__ for o in self.objects)
        self.signature = hashlib.sha256(shape.encode()).hexdigest()

    def _walk(self, value: object) -> None:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            if id(value) in self.index:
                return
            self.index[id(value)] = len(self.objects)
            self.objects.append(value)
            for name in _field_names(type(value)):
                self._walk(getattr(value, name))
        elif isinstance(value, (tuple, list)):
            for item in value:
                self._walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                self._walk(item)


_FIELDS: dict[type, tuple[str, ...] | None] = {}


def _field_names(cls: type) -> tuple[str, ...] | None:
    names = _FIELDS.get(cls, ())
    if names == ():
        names = tuple(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else None
        _FIELDS[cls] = names
    return names


class _Table(list):
    """The shared records of the run being loaded, then the loading customer's positions.

    Pickled as a reference to the module's one table, so a stored customer points to a shared record
    as `getitem(table, i)`: a C-level call when loading, and no Python callback per object when storing
    (`persistent_id` is called for every string). Loads run one at a time, as the CLI and `serve` do.
    """

    def __reduce__(self) -> str:
        return "_TABLE"


_TABLE = _Table()
_TABLE_OWNER: list[object] = [None]


class _Pickler(pickle.Pickler):
    def __init__(self, out, shared: SharedRecords, positions: Positions):
        super().__init__(out, protocol=pickle.HIGHEST_PROTOCOL)
        self.shared, self.positions = shared, positions

    def reducer_override(self, obj: Any) -> Any:
        index = self.shared.index.get(id(obj))
        if index is not None:
            return operator.getitem, (_TABLE, index)
        cls = type(obj)
        if cls is Positions:
            if obj is not self.positions:
                raise pickle.PicklingError("a record points into another file's positions")
            return operator.getitem, (_TABLE, len(self.shared.objects))
        # A frozen dataclass is rebuilt by calling it with its fields: a C-level call, not the
        # per-field __setstate__ loop pickle would run in Python (about 3x faster to load).
        names = _field_names(cls) if cls is not type else None
        if names is None:
            return NotImplemented
        return cls, tuple(getattr(obj, n) for n in names)


_CLASSES: dict[tuple[str, str], Any] = {}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        found = _CLASSES.get((module, name))
        if found is None:
            if module.split(".")[0] != "handbook" and module not in _SAFE_MODULES:
                raise pickle.UnpicklingError(f"{module}.{name} is not a class of a built customer")
            found = _CLASSES[module, name] = super().find_class(module, name)
        return found


def built_key(file_key: str, shared_keys: Iterable[str], layout: str, as_of: dt.date, require_seal: bool,
              shared: SharedRecords) -> str:
    """The key of a customer built from the file with cache key `file_key` against the shared files."""
    digest = hashlib.sha256(file_key.encode())
    for key in shared_keys:
        digest.update(b"\0" + key.encode())
    digest.update(f"\0{layout}\0{as_of.isoformat()}\0{require_seal}\0{shared.signature}".encode())
    return digest.hexdigest()


class BuiltCache:
    """The built customers of one project's cache folder."""

    def __init__(self, root: Path, shared: SharedRecords):
        self.files = FileCache(root, "built")
        self.shared = shared
        self.used: set[str] = set()

    def get(self, key: str, positions: Positions) -> tuple[Any, tuple[tuple[str, Location], ...]] | None:
        """(customer, its FAQ IDs with their locations) stored under `key`, or None (missing or unsound)."""
        self.used.add(key)
        blob = self.files.read(key)
        return None if blob is None else self.decode(key, blob, positions)

    def decode(self, key: str, blob: bytes, positions: Positions) -> tuple[Any, tuple[tuple[str, Location], ...]] | None:
        """(customer, its FAQ IDs) of an entry's bytes (as stored, or as a worker process built them), or None."""
        if len(blob) < 8 or blob[:4] != _MAGIC:
            return None
        payload = memoryview(blob)[8:]
        if zlib.crc32(payload) != int.from_bytes(blob[4:8], "big") or bytes(payload[:64]) != key.encode():
            return None
        try:
            _bind(self.shared, positions)
            customer, faq_ids = _Unpickler(io.BytesIO(payload[64:])).load()
        except Exception:  # noqa: BLE001 - any damage the CRC missed: rebuild, never trust
            return None
        return customer, faq_ids

    def put(self, key: str, customer: Any, faq_ids: tuple[tuple[str, Location], ...], positions: Positions) -> bytes | None:
        """Store a customer built without any problem and return the entry's bytes (None: a record that
        cannot be stored, which is simply built again next time)."""
        self.used.add(key)
        out = io.BytesIO()
        try:
            _Pickler(out, self.shared, positions).dump((customer, faq_ids))
        except (pickle.PicklingError, TypeError, AttributeError):
            return None
        payload = key.encode() + out.getvalue()
        blob = _MAGIC + zlib.crc32(payload).to_bytes(4, "big") + payload
        self.files.put(key, blob)
        return blob

    def prune(self) -> None:
        """Delete the entries this load did not ask for (old states of customers, other days)."""
        self.files.prune(self.used)


class FactsCache:
    """What checks spanning customers need of each stored customer, kept beside it in `facts/`: its
    FAQ IDs with their locations and the caller's summary (`customer_builds.CustomerSummary`), so
    that `handbook validate` answers for an unchanged customer without unpickling it. Plain values
    only (`marshal`), a CRC and the key in every entry, like the file cache.
    """

    def __init__(self, root: Path):
        self.files = FileCache(root, "facts")
        self.used: set[str] = set()

    def get(self, key: str) -> tuple[tuple[tuple[str, Location], ...], Any] | None:
        """(FAQ IDs with locations, summary) stored under `key`, or None (missing or unsound)."""
        self.used.add(key)
        blob = self.files.read(key)
        if blob is None or len(blob) < 8 or blob[:4] != _FACTS_MAGIC:
            return None
        payload = blob[8:]
        if zlib.crc32(payload) != int.from_bytes(blob[4:8], "big"):
            return None
        try:
            stored, faq_ids, summary = marshal.loads(payload)
            if stored != key:
                return None
            return tuple((faq_id, Location(path, line, column)) for faq_id, path, line, column in faq_ids), summary
        except (ValueError, TypeError, EOFError):
            return None

    def put(self, key: str, faq_ids: tuple[tuple[str, Location], ...], summary: Any) -> None:
        """Store a customer's facts (a summary that is not plain values is not stored: a validate builds it)."""
        self.used.add(key)
        try:
            payload = marshal.dumps((key, tuple((i, w.path, w.line, w.column) for i, w in faq_ids), summary))
        except ValueError:
            return
        self.files.put(key, _FACTS_MAGIC + zlib.crc32(payload).to_bytes(4, "big") + payload)

    def prune(self) -> None:
        """Delete the entries this load did not ask for."""
        self.files.prune(self.used)


def facts_key(built: str, fingerprint: str) -> str:
    """The facts key of the customer stored under `built`, for a summary made by code `fingerprint`."""
    return hashlib.sha256(f"{built}\0{fingerprint}".encode()).hexdigest()


def _bind(shared: SharedRecords, positions: Positions) -> None:
    """Point the module's table at `shared`'s records and the loading customer's positions."""
    if _TABLE_OWNER[0] is not shared:
        _TABLE[:] = [*shared.objects, None]
        _TABLE_OWNER[0] = shared
    _TABLE[-1] = positions


def marks_loader(root: Path, rel: str, kind: str, key: str) -> Callable[[], Any]:
    """A function returning the position tree of the file `rel` as it was when its cache key was `key`:
    from the file cache, else read again if the file still holds those bytes, else None (positions
    unknown: messages then name the file at 1:1)."""
    def load() -> Any:
        from .loader import check_file

        hit = FileCache(root).get(key)
        if hit is not None and hit[0] is not None:
            return hit[0][2]
        try:
            raw = (root / rel).read_bytes()
        except OSError:
            return None
        if entry_key(rel, kind, raw) != key:
            return None
        doc, _ = check_file(rel, raw, kind)
        return doc[2] if doc is not None else None

    return load
