"""Source positions of a parsed data file, packed small: a thousand customers' files fit in memory.

A value's line and column, and its key's, are one int (`pack`); a file's positions form a tree
that mirrors its data (see `YamlDocument.marks`), read by path through `Positions`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PathKey = tuple

_POS_BITS = 21  # a file is at most 1 MB: lines and columns stay below 2**21
_POS_MASK = (1 << 2 * _POS_BITS) - 1


def pack(line: int, column: int, key_line: int = 0, key_column: int = 0) -> int:
    """One int for a value's position and its key's (0 when it has none): a tuple pair costs 4x."""
    return (((key_line << _POS_BITS) | key_column) << 2 * _POS_BITS) | (line << _POS_BITS) | column


def _unpack(packed: int) -> tuple[int, int]:
    return packed >> _POS_BITS, packed & ((1 << _POS_BITS) - 1)


# The marks tree of a file whose positions cannot be had any more: everything is at 1:1.
UNKNOWN = pack(1, 1)


class Positions:
    """A read-only mapping view, path -> (line, column) of the value, over a document's marks tree.

    The tree may be left on disk (`later`): a built customer taken from the cache names its
    positions only when a message or an edit link needs one, and only then is the tree read.
    """

    __slots__ = ("_marks", "_load")

    def __init__(self, marks: Any):
        self._marks = marks
        self._load: Callable[[], Any] | None = None

    @classmethod
    def later(cls, load: Callable[[], Any]) -> Positions:
        """Positions whose tree `load()` returns when first asked (None: unknown, every path at 1:1)."""
        view = cls(None)
        view._load = load
        return view

    def unload(self, load: Callable[[], Any]) -> None:
        """Drop the tree from memory; `load()` gives it back when next asked."""
        self._marks, self._load = None, load

    @property
    def marks(self) -> Any:
        """The marks tree (see `YamlDocument.marks`)."""
        if self._load is not None:
            load, self._load = self._load, None
            found = load()
            self._marks = UNKNOWN if found is None else found
        return self._marks

    def get(self, path: PathKey, default: Any = None) -> tuple[int, int] | Any:
        """The position of the value at exactly `path`, or `default` if nothing was written there."""
        entry = self.marks
        for part in path:
            if type(entry) is not tuple or type(entry[1]) is str:
                return default
            children = entry[1]
            if type(children) is dict:
                if part not in children:
                    return default
            elif type(part) is not int or not 0 <= part < len(children):
                return default
            entry = children[part]
        return _unpack((entry if type(entry) is int else entry[0]) & _POS_MASK)

    def __contains__(self, path: object) -> bool:
        return isinstance(path, tuple) and self.get(path) is not None

    def __getitem__(self, path: PathKey) -> tuple[int, int]:
        found = self.get(path)
        if found is None:
            raise KeyError(path)
        return found
