"""The strict YAML reader: hidden characters and huge numbers (issue 16, items 8 and 12), and the
libyaml fast path reading exactly what the pure-Python reader reads (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REPO
from handbook.cli import main
from handbook.data.yaml_fast import fast_parse
from handbook.data.yaml_source import slow_parse
from handbook.data.loader import Project, load_project
from handbook.errors import ProblemLog
from test_loader import ACME, edit, problems

# -- item 8: bidirectional controls and zero-width characters in values ---------------------------


@pytest.mark.parametrize(("old", "new", "expected"), [
    # A right-to-left override in a name: reported at the character itself.
    ("name: 艾克米集团", "name: 艾克米\u202e团集", "1:10: value contains the bidirectional control character U+202E"),
    ("name: 艾克米集团", 'name: "艾克米\\u2067集团"', "1:7: value contains the bidirectional control character U+2067"),
    ("name: 艾克米集团", "name: 艾克米集团\u200f", "1:12: value contains the bidirectional control character U+200F"),
    ("name: 艾克米集团", "name: 艾克米集团\u061c", "U+061C"),
    ("phone: \"013800138000\"", "phone: \"0138\u200b00138000\"", "10:17: value contains the invisible character U+200B"),
    ("industry: 建筑", "industry: 建\u00ad筑", "3:12: value contains the invisible character U+00AD"),
    ("industry: 建筑", "industry: 建\u2060筑", "U+2060"),
    ("industry: 建筑", "industry: \ufeff建筑", "3:11: value contains the invisible character U+FEFF"),
    ("industry: 建筑", "industry: 建\u200d筑", "U+200D"),
])
def test_hidden_characters_in_values_are_located_errors(minimal: Path, old: str, new: str, expected: str) -> None:
    edit(minimal, ACME, old, new)
    found = problems(minimal)
    assert any(p.startswith(f"{ACME}:") and expected in p for p in found), found


def test_markdown_fields_refuse_raw_zero_width_characters_too(minimal: Path) -> None:
    """Decision: an entity (`&zwj;`) stays visible in review; the raw character is refused everywhere."""
    faq = "project_data/faq.yml"
    edit(minimal, faq, "answer: 一套管理工程项目的软件。", "answer: 一套管理\u200d工程项目的软件。")
    found = problems(minimal)
    assert f"{faq}:11:17: value contains the invisible character U+200D (zero width joiner); delete it " \
           "(in Markdown text that really needs it, write &#x200D; instead)" in found, found
    edit(minimal, faq, "\u200d", "&#x200D;")
    assert "&#x200D;" in load_project(Project.at(minimal)).faq[0].answer


def test_bidi_control_in_a_key_is_a_located_error(minimal: Path) -> None:
    edit(minimal, ACME, "industry: 建筑", "indus\u202etry: 建筑")
    found = problems(minimal)
    assert any(p.startswith(f"{ACME}:3:1: key 'indus\\u202etry' contains an invisible character (U+202E)")
               for p in found), found


# -- item 12: numbers Python cannot convert ------------------------------------------------------


def test_a_5000_digit_number_is_a_located_error_not_a_traceback(minimal: Path, capsys) -> None:
    edit(minimal, ACME, "industry: 建筑", "industry: " + "9" * 5000)
    assert main(["--project", str(minimal), "validate"]) == 1
    err = capsys.readouterr().err
    assert f"{ACME}:3:11: number 999999999999... has 5000 digits; the limit is 100 (quote it if it is text)" in err
    assert "Traceback" not in err and "4300" not in err


# -- the fast path reads what the careful reader reads ---------------------------------------------

_MODEL = (REPO / "project_data/customers/huajian-group.yml").read_text(encoding="utf-8")
_TRICKY = ["\t", " #x", "：", ": ", "- ", "&a ", "*a", "!!str ", "!x ", '"', "'", "\\u202e", "\u202e", "\u200b",
           "\r", "\r\n", "\n", "\n---\n", "{", "}", "[", "]", ",", "?", "9" * 120, "0123", "~", "null", "true",
           "\x85", "\u2028", "\x07", "  ", "title： x", "#", "|", ">", "%", "@", "`", "\ufeff", "-1", "1.5"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(_MODEL)), st.sampled_from(_TRICKY)), min_size=1, max_size=3))
def test_fast_path_agrees_with_the_careful_reader(edits: list[tuple[int, str]]) -> None:
    text = _MODEL
    for position, snippet in sorted(edits, reverse=True):
        text = text[:position] + snippet + text[position:]
    keys = frozenset({"title", "name"})
    fast = fast_parse(text, "x.yml", keys)
    log = ProblemLog()
    slow = slow_parse(text, "x.yml", log, keys)
    if fast is None:
        return  # the careful reader describes it; nothing to compare
    assert log.problems == [], "the fast path accepted a file the careful reader refuses"
    assert slow is not None
    assert fast == (slow.data, slow.marks)


def test_fast_path_reads_every_sample_file_like_the_careful_reader() -> None:
    for path in sorted((REPO / "project_data").rglob("*.yml")):
        text = path.read_text(encoding="utf-8")
        fast = fast_parse(text, path.name, frozenset())
        slow = slow_parse(text, path.name, ProblemLog(), frozenset())
        assert fast is not None, f"{path.name}: the fast path gave up on a clean sample file"
        assert fast == (slow.data, slow.marks), path.name


def test_a_control_character_is_a_located_error_not_a_traceback(minimal: Path) -> None:
    edit(minimal, ACME, "industry: 建筑", "industry: 建\x07筑")
    assert f"{ACME}:3:12: control character U+0007 is not allowed in a data file" in problems(minimal)


# -- the compiled schema pre-check never calls valid what jsonschema refuses ---------------------

_VALUES = [None, True, 0, -1, 10**6, "", "x", "P0", "2026-01-01", "a" * 300, [], ["x", "x"], {}, {"id": "x"}]


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, path + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, path + (i,))


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_schema_pre_check_agrees_with_jsonschema(data) -> None:
    import copy

    from handbook.data.schema_check import validator
    from handbook.data.schema_fast import certainly_valid

    doc = copy.deepcopy(slow_parse(_MODEL, "x.yml", ProblemLog()).data)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(list(_paths(doc))[1:]))
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        action = data.draw(st.sampled_from(["set", "delete", "add"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "add" and isinstance(parent, dict):
            parent[data.draw(st.sampled_from(["extra", "id", "name", "note"]))] = data.draw(st.sampled_from(_VALUES))
        else:
            parent[path[-1]] = copy.deepcopy(data.draw(st.sampled_from(_VALUES)))
    if certainly_valid("customer", doc):
        assert not list(validator("customer").iter_errors(doc))
