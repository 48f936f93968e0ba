"""Loader and validator: every error class is reported at its exact file:line:column."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ACME_PATH as ACME
from handbook.data.loader import Project, load_project
from handbook.errors import HandbookError
from handbook.load import load


def edit(root: Path, rel: str, old: str, new: str) -> None:
    """Replace exactly one occurrence of `old` in a fixture file."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {rel}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def problems(root: Path) -> list[str]:
    """Every located problem of the project, as printed by `handbook validate`."""
    with pytest.raises(HandbookError) as info:
        load(Project.at(root))
    return [str(p) for p in info.value.problems]


def test_minimal_project_loads(minimal: Path) -> None:
    model = load_project(Project.at(minimal))
    acme = model.customers[0]
    assert (acme.id, acme.name, acme.contacts[0].phone) == ("acme", "艾克米集团", "013800138000")
    assert [p.phase.id for p in acme.phases] == ["start", "deploy", "run"]
    assert acme.phase("start").complete and not acme.phase("deploy").complete


CASES = [
    # (file, old, new, expected located message)
    (ACME, "industry: 建筑", "industry: [建筑", f"{ACME}:4:11: YAML syntax error: expected ',' or ']'"),
    (ACME, "sla: gold\n", "sla: gold\nsla: silver\n",
     f"{ACME}:6:1: duplicate key 'sla' (first defined at line 5); one of them would be lost"),
    (ACME, "industry: 建筑", "industri: 建筑", f"{ACME}:3:1: unknown key 'industri' (did you mean 'industry'?)"),
    (ACME, "industry: 建筑\n", "", f"{ACME}:1:1: missing required field 'industry'"),
    (ACME, 'phone: "013800138000"', "phone: 13800138000",
     f"{ACME}:10:12: expected text, got '13800138000' read as int; quote it: \"13800138000\""),
    (ACME, "met: true", "met: yes", f"{ACME}:25:14: expected true or false, got 'yes'"),
    (ACME, "deployment: private", "deployment: privat",
     f"{ACME}:4:13: 'privat' is not allowed here (did you mean 'private'?)"),
    (ACME, "  - role: admin", "  - role: adminn", f"{ACME}:8:11: unknown role 'adminn' (did you mean 'admin'?)"),
    (ACME, "task: survey", "task: surveyy",
     f"{ACME}:21:15: unknown task of phase 'start' 'surveyy' (did you mean 'survey'?)"),
    (ACME, "date: 2026-01-06", "date: 2026-13-45", f"{ACME}:19:15: '2026-13-45' is not a real date"),
    (ACME, "current_phase: deploy", "current_phase: Deploy",
     f"{ACME}:11:16: 'Deploy' is not valid: Identifier: lower-case letters"),
    (ACME, "name: 艾克米集团", "name: 第3期 #2 验收",
     f"{ACME}:1:11: value '第3期' is cut short by '#2 验收'"),
    (ACME, "industry: 建筑", "industry： 建筑", f"{ACME}:3:9: full-width colon '：' after key 'industry'"),
    (ACME, "industry: 建筑", "industry:\t建筑", f"{ACME}:3:10: YAML syntax error: found character '\\t' that cannot start any token (a tab character; use spaces)"),
    (ACME, "sla: gold", "sla: !!python/object:os.system gold",
     f"{ACME}:5:6: YAML tag 'tag:yaml.org,2002:python/object:os.system' is not allowed in data files"),
    (ACME, "sla: gold", "sla: &tier gold\nregion: *tier", f"{ACME}:5:6: anchor '&tier' is not allowed"),
    (ACME, "industry: 建筑", "industry: 建筑\n---\nname: x", f"{ACME}:4:1: YAML syntax error: more than one YAML document"),
    (ACME, "  - role: admin", "\t- role: admin",
     f"{ACME}:8:1: YAML syntax error: found character '\\t' that cannot start any token (a tab character; use spaces)"),
    ("project_data/phases.yml", "      - id: survey", "      - id: kickoff",
     "project_data/phases.yml:14:13: duplicate task ID 'kickoff' (first defined at project_data/phases.yml:10:13)"),
    ("project_data/phases.yml", "roles: [engineer, admin]", "roles: [engineer, admn]",
     "project_data/phases.yml:16:27: unknown role 'admn' (did you mean 'admin'?)"),
    ("project_data/training.yml", "prerequisites: [admin-basics]", "prerequisites: [admin-perms]",
     "project_data/training.yml:13:21: a module cannot be its own prerequisite"),
    ("project_data/phases.yml", "content: fragments/start.md", "content: ../../etc/passwd.md",
     "project_data/phases.yml:5:14: '../../etc/passwd.md' points outside content/"),
]


@pytest.mark.parametrize(("rel", "old", "new", "expected"), CASES, ids=[c[3] or c[2] for c in CASES])
def test_each_error_is_located(minimal: Path, rel: str, old: str, new: str, expected: str | None) -> None:
    edit(minimal, rel, old, new)
    if expected is None:
        load_project(Project.at(minimal))
        return
    found = problems(minimal)
    assert any(p.startswith(expected) for p in found), found


def test_ten_mistakes_in_one_file_give_ten_located_errors(minimal: Path) -> None:
    for old, new in [
        ("industry: 建筑", "industry: [建筑]"),
        ("deployment: private", "deployment: cloud"),
        ("sla: gold", "sla: platinum"),
        ('handbook_version: "1.0"', "handbook_version: 1"),
        ("  - role: admin", "  - role: adminn"),
        ('phone: "013800138000"', "phone: 13800138000"),
        ("current_phase: deploy", "current_phase: deployy"),
        ("task: survey", "task: surveyy"),
        ("date: 2026-01-06", "date: 2026-02-30"),
        ("met: true", "met: no"),
    ]:
        edit(minimal, ACME, old, new)
    found = problems(minimal)
    lines = sorted({int(p.split(":")[1]) for p in found})
    assert len(found) == 10, "\n".join(found)
    assert lines == [3, 4, 5, 6, 8, 10, 11, 19, 21, 25], found
    assert all(p.startswith(ACME + ":") for p in found)


def test_errors_in_several_files_are_all_reported(minimal: Path) -> None:
    edit(minimal, ACME, "industry: 建筑", "industri: 建筑")
    edit(minimal, "project_data/roles.yml", "side: vendor", "side: supplier")
    (minimal / "project_data/faq.yml").write_bytes("categories: [基础]\n".encode("gbk"))
    found = problems(minimal)
    assert {p.split(":")[0] for p in found} == {ACME, "project_data/roles.yml", "project_data/faq.yml"}
    assert "project_data/faq.yml:1:14: file is not valid UTF-8 (GBK or another legacy encoding?); save as UTF-8" in found


@pytest.mark.parametrize(("raw", "expected"), [
    ("name: x\n".encode("utf-16"), ":1:1: file is UTF-16; save as UTF-8"),
    (b"\xef\xbb\xbfname: x\n", ":1:1: file starts with a byte-order mark"),
    (b"name: x\nindustry: a\x00b\n", ":2:12: NUL byte in file"),
    ("name: x\nindus\u200btry: y\n".encode(), ":2:1: key 'indus\\u200btry' contains an invisible character (U+200B)"),
    (b"", ":1:1: file is empty"),
    (b"# only a comment\n", ":1:1: file is empty"),
    (b"1: x\n", ":1:1: key '1' must be text, not a number or boolean"),
])
def test_encoding_and_shape_errors(minimal: Path, raw: bytes, expected: str) -> None:
    (minimal / ACME).write_bytes(raw)
    found = problems(minimal)
    assert any(p.startswith(ACME + expected) for p in found), found


def test_alias_bomb_is_refused_fast(minimal: Path) -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9))
    assert len(bomb) < 500
    (minimal / ACME).write_text(bomb, encoding="utf-8")
    found = problems(minimal)
    # Refused at the very first anchor, before any alias is composed: nothing can expand.
    assert found == [f"{ACME}:1:4: anchor '&a' is not allowed in data files; write the value out"]


def test_deep_nesting_and_size_caps(minimal: Path) -> None:
    (minimal / ACME).write_text("a: " + "[" * 100 + "]" * 100 + "\n", encoding="utf-8")
    assert any("nesting deeper than 32 levels" in p for p in problems(minimal))
    (minimal / ACME).write_text("a: '" + "x" * 1_100_000 + "'\n", encoding="utf-8")
    assert any(p.startswith(f"{ACME}:1:1: file is 1100006 bytes; the limit is 1000000") for p in problems(minimal))


def test_unsafe_ids_and_file_names(minimal: Path) -> None:
    (minimal / ACME).rename(minimal / "project_data/customers/Acme Corp.yml")
    (minimal / "project_data/customers/con.yml").write_text("name: x\n", encoding="utf-8")
    found = problems(minimal)
    assert any(p.startswith("project_data/customers/Acme Corp.yml:1:1: file name 'Acme Corp.yml' is not a valid customer ID")
               for p in found), found
    assert any("'con' is a reserved file name on Windows" in p for p in found), found


def test_symlinks_are_refused(minimal: Path) -> None:
    (minimal / "project_data/customers/evil.yml").symlink_to(minimal / ACME)
    found = problems(minimal)
    assert "project_data/customers/evil.yml:1:1: symbolic links are not allowed in project data" in found


def test_missing_or_empty_project_data(tmp_path: Path) -> None:
    found = problems(tmp_path)
    assert found == ["project_data:1:1: project data directory is missing"]
    (tmp_path / "project_data").mkdir()
    found = problems(tmp_path)
    assert "project_data/handbook.yml:1:1: required data file handbook.yml is missing" in found


def test_typing_traps_keep_their_text(minimal: Path) -> None:
    edit(minimal, ACME, 'handbook_version: "1.0"', "handbook_version: 1.10")
    edit(minimal, ACME, "name: 张三", "name: no")
    edit(minimal, ACME, "industry: 建筑", "industry: 10:30")
    edit(minimal, ACME, "project: 工程管理系统实施", "project: 0123")
    model = load_project(Project.at(minimal))
    acme = model.customers[0]
    assert (acme.contacts[0].name, acme.industry, acme.project) == ("no", "10:30", "0123")
    assert acme.handbook_version == "1.10"


def test_phase_claim_with_open_earlier_gate_is_an_error(minimal: Path) -> None:
    edit(minimal, ACME, "met: true", "met: false")
    found = problems(minimal)
    assert (f"{ACME}:11:16: current phase is 'deploy' but the gate of earlier phase 'start' is still open: "
            "criterion 'plan-signed' is not met") in found


def test_shipped_schemas_are_valid_and_every_sample_file_names_its_schema() -> None:
    from jsonschema import Draft202012Validator

    from conftest import REPO
    from handbook.data.loader import DATA_FILES, OPTIONAL_DATA_FILES, schema

    kinds = {**DATA_FILES, **OPTIONAL_DATA_FILES}
    for kind in [*kinds.values(), "customer"]:
        Draft202012Validator.check_schema(schema(kind))
    files = sorted((REPO / "project_data").rglob("*.yml"))
    assert len(files) == len(kinds) + 3
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        kind = "customer" if path.parent.name == "customers" else kinds[path.name]
        target = (path.parent / first.split("$schema=", 1)[1]).resolve()
        assert first.startswith("# yaml-language-server: $schema=") and target.is_file(), path
        assert target.name == f"{kind}.schema.json", path
