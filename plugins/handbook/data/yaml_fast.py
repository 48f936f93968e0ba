"""The fast path of the YAML reader: libyaml's event parser, with every check of `yaml_source`.

libyaml (PyYAML's C extension) scans and parses about ten times faster than the pure-Python
reader and keeps anchors on its events, so aliases are seen before anything is expanded. This
module builds the same `YamlDocument` from those events and gives up (returns None) at the first
thing that is not plainly fine: a tag, an anchor, an alias, a duplicate or non-text key, a value
cut by ` #`, a full-width colon, an invisible character anywhere in the file, a huge integer,
deep nesting, several documents, a syntax error. The pure-Python reader then reads the file again
and describes the problem, so messages and locations are the same whichever path read the file.
"""

from __future__ import annotations

import re
import sys
from typing import Any

import yaml
from yaml._yaml import CParser
from yaml.events import (DocumentStartEvent, MappingEndEvent, MappingStartEvent, ScalarEvent, SequenceEndEvent,
                         SequenceStartEvent, StreamEndEvent, StreamStartEvent)

from .yaml_source import _CUT_COMMENT, _FULLWIDTH_KEY, _INT, HIDDEN_CHARACTER, MAX_DEPTH, MAX_INT_DIGITS, \
    _is_text

_BITS = 21
# Characters that need the careful reader: invisible ones; tabs (libyaml accepts `key:<tab>value`,
# which the careful reader refuses); control characters; line breaks `str.splitlines` and YAML
# count differently (the cut-comment check compares lines with libyaml's marks).
_UNUSUAL = re.compile(HIDDEN_CHARACTER.pattern[:-1] + "\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")
_NUMBERISH = frozenset("-0123456789")
_SHARED_LENGTH = 24
_intern = sys.intern
_PLAIN_KEYS: set[str] = set()  # unquoted keys already found printable text (not a number, null, bool)


class _GiveUp(Exception):
    """Something the pure-Python reader must look at."""


def fast_parse(text: str, rel: str, known_keys: frozenset[str]) -> tuple[Any, Any] | None:
    """(data, marks) of a well-formed data file, or None when the careful reader must read it."""
    if _UNUSUAL.search(text) or ("\r" in text and text.count("\r") != text.count("\r\n")):
        return None
    # Lines where a plain value may be cut short by ` #`: checked exactly, only there.
    cut_lines = {text.count("\n", 0, m.start()) for m in _CUT_COMMENT.finditer(text)} if " #" in text or "\t#" in text \
        else ()
    parser = CParser(text)
    try:
        return _Events(parser, text, cut_lines, known_keys).document()
    except (_GiveUp, yaml.YAMLError, RecursionError):
        return None
    finally:
        parser.dispose()


class _Events:
    def __init__(self, parser: CParser, text: str, cut_lines, known_keys: frozenset[str]):
        self.next = parser.get_event
        self.text = text
        self.lines: list[str] | None = None
        self.cut_lines = cut_lines
        self.known_keys = known_keys

    def document(self) -> tuple[Any, Any]:
        nxt = self.next
        if type(nxt()) is not StreamStartEvent or type(nxt()) is not DocumentStartEvent:
            raise _GiveUp
        root = nxt()
        if type(root) is not MappingStartEvent:
            raise _GiveUp  # not a mapping, or empty: the careful reader words it
        data, marks = self.node(root, 1, 0)
        nxt()  # DocumentEndEvent
        if type(nxt()) is not StreamEndEvent:
            raise _GiveUp  # a second document
        return data, marks

    def node(self, event, depth: int, key_pos: int) -> tuple[Any, Any]:
        """(value, marks entry) of the node starting with `event` (see `YamlDocument.marks`)."""
        if depth > MAX_DEPTH or event.anchor is not None or event.tag is not None:
            raise _GiveUp
        mark = event.start_mark
        packed = key_pos | ((mark.line + 1) << _BITS) | (mark.column + 1)
        kind = type(event)
        nxt = self.next
        if kind is ScalarEvent:
            return self.scalar(event, packed)
        if kind is MappingStartEvent:
            result: dict[str, Any] = {}
            marks: dict[str, Any] = {}
            while True:
                key_event = nxt()
                kind = type(key_event)
                if kind is MappingEndEvent:
                    return result, (packed, marks)
                if kind is not ScalarEvent or key_event.anchor is not None or key_event.tag is not None:
                    raise _GiveUp
                # Keys and short values repeat across files: one shared string each (memory).
                key = _intern(key_event.value)
                if key in result:
                    raise _GiveUp
                if key not in _PLAIN_KEYS or key_event.style:  # a key seen plain and fine is fine again
                    if not key.isprintable() or (not key_event.style and not _is_text(key)):
                        raise _GiveUp
                    if not key_event.style and len(_PLAIN_KEYS) < 100_000:
                        _PLAIN_KEYS.add(key)
                kmark = key_event.start_mark
                result[key], marks[key] = self.node(nxt(), depth + 1,
                                                    (((kmark.line + 1) << _BITS) | (kmark.column + 1)) << 2 * _BITS)
        if kind is SequenceStartEvent:
            items = []
            item_marks = []
            while True:
                item = nxt()
                if type(item) is SequenceEndEvent:
                    return items, (packed, item_marks)
                value, entry = self.node(item, depth + 1, 0)
                items.append(value)
                item_marks.append(entry)
        raise _GiveUp  # an alias

    def scalar(self, event, packed: int) -> tuple[Any, Any]:
        text = event.value
        style = event.style
        if style:
            if style == '"' and HIDDEN_CHARACTER.search(text):  # written as an escape, "\u202e"
                raise _GiveUp
            return (_intern(text) if len(text) <= _SHARED_LENGTH else text), packed
        end = event.end_mark
        if end.line in self.cut_lines and event.start_mark.line == end.line:
            if self.lines is None:
                self.lines = self.text.splitlines()
            if end.line < len(self.lines) and _CUT_COMMENT.match(self.lines[end.line][end.column:]):
                raise _GiveUp
        if "：" in text:
            match = _FULLWIDTH_KEY.match(text)
            if match and "\n" not in text and match.group(1) in self.known_keys:
                raise _GiveUp
        if text in ("", "~", "null"):
            value: Any = None
        elif text in ("true", "false"):
            value = text == "true"
        elif text[0] in _NUMBERISH and _INT.fullmatch(text):
            if len(text) > MAX_INT_DIGITS:
                raise _GiveUp
            value = int(text)
        else:
            return (_intern(text) if len(text) <= _SHARED_LENGTH else text), packed
        return value, (packed, text)
