"""Read one YAML data file into plain Python values, remembering where every value came from.

PyYAML's `safe_load` is unfit for hand-edited data: duplicate keys silently keep the last value,
`no`/`on` become booleans, `0123` becomes 83, `10:30` becomes 630, `1.10` becomes 1.1, an alias
bomb expands when rendered, and invalid dates raise without a position. This module composes the
node graph with PyYAML but resolves no implicit types except `true`/`false`, `null`/`~` and
plain decimal integers, refuses tags, anchors and aliases, and checks the raw text for traps that
YAML accepts silently (a value cut short by ` #`, a full-width colon after a key).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from ..errors import Location, ProblemLog, Source
from .positions import _POS_BITS, _POS_MASK, Positions, _unpack, pack

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 32
MAX_INT_DIGITS = 100
# Zero-width characters hide inside words (a phone number the leak scan then misses, a key that
# looks right); bidirectional controls make text display differently from what it is (a
# right-to-left override on a signed record). Neither has a use in this data: refused in every
# key and value, Markdown fields included (where an entity such as `&zwj;` stays visible in review).
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_INVISIBLE = ZERO_WIDTH | BIDI_CONTROLS
HIDDEN_CHARACTER = re.compile("[" + "".join(sorted(_INVISIBLE)) + "]")
_INT = re.compile(r"-?(0|[1-9][0-9]*)")
_CUT_COMMENT = re.compile(r"\s#[^\s#]")
_FULLWIDTH_KEY = re.compile(r"^\s*(?:-\s+)?([A-Za-z_][\w-]*)\s*：")
_TAGS = {BaseResolver.DEFAULT_SCALAR_TAG, BaseResolver.DEFAULT_SEQUENCE_TAG, BaseResolver.DEFAULT_MAPPING_TAG}

PathKey = tuple[str | int, ...]


class _Refused(Exception):
    def __init__(self, mark: yaml.Mark | None, message: str):
        self.mark = mark
        self.message = message


class _NoImplicitResolver(BaseResolver):
    """Every plain scalar is composed as text; this module decides its type afterwards."""

    yaml_implicit_resolvers: dict = {}


class _BoundedComposer(Composer):
    """Refuses anchors and aliases and caps nesting depth while the node graph is built."""

    _depth = 0

    def compose_node(self, parent, index):  # noqa: D102 - PyYAML hook
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            raise _Refused(event.start_mark, f"alias '*{event.anchor}' is not allowed in data files; write the value out")
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise _Refused(event.start_mark, f"anchor '&{anchor}' is not allowed in data files; write the value out")
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(event.start_mark, f"nesting deeper than {MAX_DEPTH} levels")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _Loader(Reader, Scanner, Parser, _BoundedComposer, _NoImplicitResolver):
    def __init__(self, stream: str):
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        _NoImplicitResolver.__init__(self)


@dataclass(frozen=True)
class YamlDocument:
    """A parsed data file: its plain values and the source position of every key and value.

    `marks` mirrors `data` (no path tuples, so a thousand customers fit in memory): a scalar's
    entry is its packed position (see `pack`), or (position, written text) when it was not read
    as text (`12` became 12); a mapping's is (position, {key: entry}); a list's (position, [entry]).
    """

    path: str
    data: Any
    marks: Any = field(repr=False)

    def _entry(self, path: PathKey) -> Any:
        """The entry of the deepest existing prefix of `path`."""
        entry = self.marks
        for part in path:
            if type(entry) is not tuple or type(entry[1]) is str:
                break
            children = entry[1]
            if type(children) is dict:
                if part not in children:
                    break
            elif type(part) is not int or not 0 <= part < len(children):
                break
            entry = children[part]
        return entry

    def at(self, path: PathKey, *, key: bool = False) -> Location:
        """Location of the value at `path` (or of its key), falling back to the nearest ancestor."""
        entry = self._entry(path)
        packed = entry if type(entry) is int else entry[0]
        if key and packed >> 2 * _POS_BITS:
            return Location(self.path, *_unpack(packed >> 2 * _POS_BITS))
        return Location(self.path, *_unpack(packed & _POS_MASK))

    def source(self, path: PathKey = ()) -> Source:
        """The `Source` of the record at `path`, for the model to carry."""
        return Source(self.path, tuple(path), self._positions)

    @property
    def _positions(self) -> Positions:
        view = self.__dict__.get("_view")
        if view is None:
            view = Positions(self.marks)
            object.__setattr__(self, "_view", view)  # one view per file, shared by its records
        return view

    def source_text(self, path: PathKey) -> str | None:
        """The scalar at `path` as it was written (used to suggest quoting)."""
        value: Any = self.data
        entry = self.marks
        for part in path:
            try:
                value = value[part]
                entry = entry[1][part]
            except (KeyError, IndexError, TypeError):
                return None
        if type(entry) is tuple and type(entry[1]) is str:
            return entry[1]
        return value if isinstance(value, str) else None


def _line_of_offset(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    line = before.count(b"\n") + 1
    column = offset - (before.rfind(b"\n") + 1) + 1
    return line, column


def _decode(raw: bytes, rel: str, problems: ProblemLog) -> str | None:
    """The text of a data file, or None after recording why it is not UTF-8 text."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.add(Location(rel, 1, 1), "file is UTF-16; save as UTF-8")
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.add(Location(rel, 1, 1), "file starts with a byte-order mark; save as UTF-8 without BOM")
        return None
    nul = raw.find(b"\x00")
    if nul >= 0:
        problems.add(Location(rel, *_line_of_offset(raw, nul)), "NUL byte in file; save as UTF-8 text")
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.add(
            Location(rel, *_line_of_offset(raw, exc.start)),
            "file is not valid UTF-8 (GBK or another legacy encoding?); save as UTF-8",
        )
        return None


def _fullwidth_keys(text: str, rel: str) -> list[tuple[Location, str]]:
    """Lines that look like `key： value`: the likely cause when a file does not parse."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _FULLWIDTH_KEY.match(line)
        if match and ":" not in line[: match.end()]:
            found.append((Location(rel, number, match.end()),
                          f"full-width colon '：' after key '{match.group(1)}'; use ':' followed by a space"))
    return found


def read_data_file(path: Path, root: Path, problems: ProblemLog) -> tuple[str, str] | None:
    """The relative path and text of a data file, or None after recording why it cannot be read."""
    rel = path.relative_to(root).as_posix()
    if path.is_symlink():
        problems.add(Location(rel), "symbolic links are not allowed in project data")
        return None
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        problems.add(Location(rel), f"file is {size} bytes; the limit is {MAX_FILE_BYTES}")
        return None
    text = _decode(path.read_bytes(), rel, problems)
    return None if text is None else (rel, text)


def load_yaml(path: Path, root: Path, problems: ProblemLog, known_keys: frozenset[str] = frozenset()) -> YamlDocument | None:
    """Parse the data file at `path`; record every problem found, return None if it is unusable.

    `known_keys` are the keys the file's schema knows: a plain value like `title： 上线` is only
    taken for a key written with a full-width colon when the word before the colon is one of them
    (`P0：紧急` is text).
    """
    read = read_data_file(path, root, problems)
    return None if read is None else parse_text(read[1], read[0], problems, known_keys)


def parse_bytes(raw: bytes, rel: str, problems: ProblemLog, known_keys: frozenset[str] = frozenset()) -> YamlDocument | None:
    """Like `load_yaml`, for the bytes of the data file `rel` already read (and checked for size)."""
    text = _decode(raw, rel, problems)
    return None if text is None else parse_text(text, rel, problems, known_keys)


def parse_text(text: str, rel: str, problems: ProblemLog, known_keys: frozenset[str] = frozenset()) -> YamlDocument | None:
    """Parse the text of the data file `rel`; record every problem found, return None if it is unusable.

    libyaml reads a well-formed file (`yaml_fast`); the pure-Python reader below reads again
    whatever libyaml's pass found unusual, and is the one that describes problems.
    """
    from .yaml_fast import fast_parse

    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        problems.add(Location(rel), "file is empty")
        return None
    fast = fast_parse(text, rel, known_keys)
    if fast is not None:
        return YamlDocument(rel, *fast)
    return slow_parse(text, rel, problems, known_keys)


def slow_parse(text: str, rel: str, problems: ProblemLog, known_keys: frozenset[str] = frozenset()) -> YamlDocument | None:
    """The pure-Python reader: every check, every problem located (the reference for `yaml_fast`)."""
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        problems.add(Location(rel, line, column), f"control character U+{exc.character:04X} is not allowed in a data file")
        return None
    try:
        node = loader.get_single_node()
    except _Refused as exc:
        problems.add(_loc(rel, exc.mark), exc.message)
        return None
    except yaml.MarkedYAMLError as exc:
        fullwidth = _fullwidth_keys(text, rel)
        if fullwidth:
            for location, message in fullwidth:
                problems.add(location, message)
            return None
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or str(exc)
        if "expected a single document" in str(exc):
            message = "more than one YAML document ('---') in one file"
        elif "'\\t'" in message:
            message += " (a tab character; use spaces)"
        problems.add(_loc(rel, mark), f"YAML syntax error: {message}")
        return None
    except yaml.YAMLError as exc:
        problems.add(Location(rel), f"YAML error: {exc}")
        return None
    finally:
        loader.dispose()
    if node is None:
        problems.add(Location(rel), "file is empty")
        return None
    builder = _Builder(rel, text, problems, known_keys)
    data, marks = builder.build(node)
    return YamlDocument(rel, data, marks)


def _loc(rel: str, mark: yaml.Mark | None) -> Location:
    if mark is None:
        return Location(rel)
    return Location(rel, mark.line + 1, mark.column + 1)


def hidden_character_message(char: str) -> str:
    """Why an invisible or bidirectional control character in a value is refused."""
    name = unicodedata.name(char, "format character").lower()
    if char in BIDI_CONTROLS:
        return (f"value contains the bidirectional control character U+{ord(char):04X} ({name}), which makes text "
                "display differently from what it says; delete it")
    return (f"value contains the invisible character U+{ord(char):04X} ({name}); delete it "
            f"(in Markdown text that really needs it, write &#x{ord(char):X}; instead)")


def too_long_number_message(text: str) -> str:
    """Why a plain integer of more than MAX_INT_DIGITS digits is refused."""
    digits = len(text.lstrip("-"))
    return (f"number {text[:12]}... has {digits} digits; the limit is {MAX_INT_DIGITS} "
            f"(quote it if it is text)")


class _Builder:
    """Turns a node graph into dicts, lists and scalars, recording positions and refusing traps."""

    def __init__(self, rel: str, text: str, problems: ProblemLog, known_keys: frozenset[str]):
        self.known_keys = known_keys
        self.rel = rel
        self.text = text
        self.lines = text.splitlines()
        self.problems = problems

    def build(self, node: Node, key_node: Node | None = None) -> tuple[Any, Any]:
        """(value, marks entry) of `node`."""
        key_mark = key_node.start_mark if key_node is not None else None
        packed = pack(node.start_mark.line + 1, node.start_mark.column + 1,
                      *((key_mark.line + 1, key_mark.column + 1) if key_mark else ()))
        if node.tag not in _TAGS:
            self.problems.add(_loc(self.rel, node.start_mark), f"YAML tag '{node.tag}' is not allowed in data files")
            return None, packed
        if isinstance(node, MappingNode):
            value, children = self._mapping(node)
            return value, (packed, children)
        if isinstance(node, SequenceNode):
            built = [self.build(item) for item in node.value]
            return [v for v, _ in built], (packed, [e for _, e in built])
        value = self._scalar(node)
        return value, packed if value is node.value else (packed, node.value)

    def _mapping(self, node: MappingNode) -> tuple[dict[str, Any], dict[str, Any]]:
        result: dict[str, Any] = {}
        marks: dict[str, Any] = {}
        first_seen: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag != BaseResolver.DEFAULT_SCALAR_TAG:
                self.problems.add(_loc(self.rel, key_node.start_mark), "keys must be plain text")
                continue
            key = key_node.value
            if key_node.style is None and not _is_text(key):
                self.problems.add(_loc(self.rel, key_node.start_mark), f"key '{key}' must be text, not a number or boolean")
                continue
            bad = [ch for ch in key if ch in _INVISIBLE or unicodedata.category(ch) == "Cc"]
            if bad:
                self.problems.add(
                    _loc(self.rel, key_node.start_mark),
                    f"key '{key.encode('unicode_escape').decode()}' contains an invisible character "
                    f"(U+{ord(bad[0]):04X}); save as UTF-8 and retype the key",
                )
                continue
            if key in first_seen:
                first = first_seen[key].start_mark
                self.problems.add(
                    _loc(self.rel, key_node.start_mark),
                    f"duplicate key '{key}' (first defined at line {first.line + 1}); one of them would be lost",
                )
                continue
            first_seen[key] = key_node
            result[key], marks[key] = self.build(value_node, key_node)
        return result, marks

    def _scalar(self, node: ScalarNode) -> Any:
        text = node.value
        self._check_hidden(node)
        if node.style is not None:
            return text
        self._check_cut_comment(node)
        match = _FULLWIDTH_KEY.match(text)
        if match and "\n" not in text and match.group(1) in self.known_keys:
            # `- title： 上线` parses, as the text "title： 上线" instead of a key and its value.
            self.problems.add(_loc(self.rel, node.start_mark),
                              f"full-width colon '：' after key '{match.group(1)}'; use ':' followed by a space")
        if text in ("", "~", "null"):
            return None
        if text in ("true", "false"):
            return text == "true"
        if _INT.fullmatch(text):
            if len(text.lstrip("-")) > MAX_INT_DIGITS:
                # int() would raise past Python's 4300-digit limit; no field holds such a number.
                self.problems.add(_loc(self.rel, node.start_mark), too_long_number_message(text))
                return text
            return int(text)
        return text

    def _check_hidden(self, node: ScalarNode) -> None:
        found = HIDDEN_CHARACTER.search(node.value)
        if not found:
            return
        # Point at the character itself when it is written literally (not as a "\u202e" escape).
        written = HIDDEN_CHARACTER.search(self.text, node.start_mark.index, max(node.end_mark.index, node.start_mark.index))
        if written:
            offset = written.start()
            line = self.text.count("\n", 0, offset) + 1
            location = Location(self.rel, line, offset - (self.text.rfind("\n", 0, offset) + 1) + 1)
        else:
            location = _loc(self.rel, node.start_mark)
        self.problems.add(location, hidden_character_message(found.group()))

    def _check_cut_comment(self, node: ScalarNode) -> None:
        end = node.end_mark
        if end.line >= len(self.lines) or node.start_mark.line != end.line:
            return
        rest = self.lines[end.line][end.column :]
        if _CUT_COMMENT.match(rest):
            self.problems.add(
                Location(self.rel, end.line + 1, end.column + 2),
                f"value '{node.value}' is cut short by '{rest.strip()}' (YAML reads ' #' as a comment); "
                "quote the whole value",
            )


def _is_text(value: str) -> bool:
    return value not in ("", "~", "null", "true", "false") and not _INT.fullmatch(value)
