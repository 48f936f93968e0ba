"""`handbook diff` and signed records: crafted revisions in a temporary git repository, one per kind
of change, each asserting the exact item and field reported."""

from __future__ import annotations

import re
import json
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import ACME_PATH, write_project
from handbook.cli import main
from handbook.data.diff import compare
from handbook.data.loader import Project, load_project
from handbook.errors import HandbookError
from handbook.data.revisions import diff_revisions
from handbook.report import markdown

RUIFENG = "project_data/customers/ruifeng-mfg.yml"
SIGNER_TITLE = "title: 瑞丰精密制造 副总经理\n      date: 2026-04-08\n  #"  # the customer's signatory


@pytest.fixture(autouse=True)
def _plain_git(monkeypatch) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.invalid", *args], cwd=repo,
                          capture_output=True, text=True, check=True).stdout


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def edit(repo: Path, rel: str, old: str, new: str) -> None:
    path = repo / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (rel, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def minimal_repo(tmp_path: Path) -> Path:
    repo = write_project(tmp_path / "proj")
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "base")
    return repo


@pytest.fixture
def sample_repo(sample_copy: Path, tmp_path: Path) -> Path:
    import shutil

    repo = tmp_path / "sample"
    shutil.copytree(sample_copy, repo)
    git(repo, "init", "-q", "-b", "main")
    commit_all(repo, "base")
    return repo


def changes_after(repo: Path, message: str):
    """Commit the working tree and compare HEAD~1 with HEAD."""
    commit_all(repo, message)
    return diff_revisions(Project.at(repo), "HEAD~1", "HEAD")


def only(changes, code: str):
    found = [c for c in changes.changes if c.code == code]
    assert len(found) == 1, [c.code for c in changes.changes]
    return found[0]


def test_rewording_a_task_names_it_and_shows_the_new_text(sample_repo: Path, capsys) -> None:
    edit(sample_repo, "project_data/phases.yml", "title: 召开项目启动会并形成会议纪要",
         "title: 召开项目启动会，形成并分发会议纪要")
    commit_all(sample_repo, "reword")
    assert main(["--project", str(sample_repo), "diff", "HEAD~1"]) == 0
    out = capsys.readouterr().out
    assert "task init-kickoff changed" in out
    assert "召开项目启动会，形成并分发会议纪要" in out
    assert "召开项目启动会[-并-]{+，+}形成{+并分发+}会议纪要" in out  # character-level diff of Chinese text
    changes = diff_revisions(Project.at(sample_repo), "HEAD~1")
    change = only(changes, "task.changed")
    assert (change.key, [f.field for f in change.fields]) == ("init-kickoff", ["title"])
    assert change.fields[0].new == "召开项目启动会，形成并分发会议纪要"
    assert len(changes.changes) == 1  # nothing else reported: customers referencing the task are unchanged


def test_added_task(minimal_repo: Path) -> None:
    edit(minimal_repo, "project_data/phases.yml", "      - id: health-check\n",
         "      - id: log-review\n        title: 日志审阅\n        roles: [engineer]\n      - id: health-check\n")
    change = only(changes_after(minimal_repo, "add"), "task.added")
    assert (change.key, change.label, change.kind, change.critical) == ("log-review", "日志审阅", "added", False)


def test_removed_gate_criterion_is_critical_and_first(minimal_repo: Path) -> None:
    edit(minimal_repo, "project_data/phases.yml", "id: stable\n        criterion: 运行稳定",
         "id: stable-90d\n        criterion: 连续 90 天运行稳定")
    edit(minimal_repo, "project_data/phases.yml", "      - title: 巡检\n", "      - title: 季度巡检\n")
    changes = changes_after(minimal_repo, "replace criterion")
    removed = only(changes, "gate-criterion.removed")
    assert (removed.key, removed.label, removed.critical) == ("stable", "运行稳定", True)
    assert changes.changes[0] == removed
    assert only(changes, "gate-criterion.added").key == "stable-90d"
    step = only(changes, "step.changed")  # a step is matched by position when its title changed
    assert (step.key, step.fields[0].old, step.fields[0].new) == ("run/1", "巡检", "季度巡检")
    assert "### ⚠️ Must not miss" in markdown.render(changes).split("### Methodology")[0]


def test_task_moved_to_another_phase(minimal_repo: Path) -> None:
    text = (minimal_repo / "project_data/phases.yml").read_text(encoding="utf-8")
    block = "      - id: health-check\n        title: 健康检查\n        roles: [engineer]\n"
    text = text.replace(block, "").replace("      - id: cutover\n", block + "      - id: cutover\n")
    text = text.replace("    tasks:\n    gate:\n      - id: stable",
                        "    tasks:\n      - id: review\n        title: 复盘\n        roles: [engineer]\n"
                        "    gate:\n      - id: stable")
    (minimal_repo / "project_data/phases.yml").write_text(text, encoding="utf-8")
    changes = changes_after(minimal_repo, "move")
    moved = only(changes, "task.moved")
    assert (moved.key, moved.kind) == ("health-check", "moved")
    assert [(f.field, f.old, f.new) for f in moved.fields] == [("phase", "run", "deploy")]


def test_module_reassigned_to_another_role(minimal_repo: Path) -> None:
    edit(minimal_repo, "project_data/training.yml", "title: 权限\n    role: admin", "title: 权限\n    role: engineer")
    moved = only(changes_after(minimal_repo, "reassign"), "module.moved")
    assert moved.key == "admin-perms"
    assert [(f.field, f.old, f.new) for f in moved.fields] == [("role", "admin", "engineer")]


def test_contacts_training_and_operations_are_compared(sample_repo: Path) -> None:
    edit(sample_repo, RUIFENG, 'phone: "13800138031"', 'phone: "13800138099"')
    edit(sample_repo, RUIFENG, "    invited: 2\n    attended: 2\n    completed: true\n  - module: admin-permissions",
         "    invited: 2\n    attended: 1\n    completed: true\n  - module: admin-permissions")
    edit(sample_repo, RUIFENG, "      resolved: 2026-04-16T16:00+08:00\n      status: closed",
         "      resolved: 2026-04-16T16:00+08:00\n      status: resolved")
    edit(sample_repo, RUIFENG, "      release: V5.6（2026-09）\n", "      release: V5.7（2026-12）\n")
    changes = changes_after(sample_repo, "people, training, operations")
    assert not changes.critical
    contact = only(changes, "contact.changed")
    assert (contact.key, contact.customer) == ("ruifeng-mfg/project-manager/林晓峰", "ruifeng-mfg")
    assert [(f.field, f.old, f.new) for f in contact.fields] == [("phone", "13800138031", "13800138099")]
    session = only(changes, "training-session.changed")
    assert session.key == "ruifeng-mfg/admin-console/基建部系统管理员"
    assert [(f.field, f.old, f.new) for f in session.fields] == [("attended", "2", "1")]
    ticket = only(changes, "ticket.changed")
    assert ticket.key == "ruifeng-mfg/RF-0415-02"
    assert [(f.field, f.old, f.new) for f in ticket.fields] == [("status", "closed", "resolved")]
    backlog = only(changes, "backlog-item.changed")
    assert backlog.key == "ruifeng-mfg/offline-daily-report"
    assert [(f.field, f.old, f.new) for f in backlog.fields] == [("release", "V5.6（2026-09）", "V5.7（2026-12）")]
    assert len(changes.changes) == 4, [c.code for c in changes.changes]
    report = markdown.render(changes)
    assert "support ticket `ruifeng-mfg/RF-0415-02` changed" in report and "training session `" in report

    from conftest import REPO
    from handbook.data.revisions import ChangeLog
    from handbook.pages import changes as changes_page

    head = load_project(Project.at(sample_repo))
    log = ChangeLog("2.0", "1.9", "b" * 40, changes)
    (page,) = changes_page.pages(replace(head, change_log=log), REPO / "site_templates")
    for words, target in (("服务工单", "../customers/ruifeng-mfg/operations.md"),
                          ("优化需求", "../customers/ruifeng-mfg/operations.md"),
                          ("培训场次", "../customers/ruifeng-mfg/training.md"),
                          ("联系人", "../customers/ruifeng-mfg/index.md")):
        assert words in page.markdown and f"（[查看]({target})）" in page.markdown, words


def test_changed_decision_comes_first_and_is_critical(minimal_repo: Path, capsys) -> None:
    path = minimal_repo / ACME_PATH
    path.write_text(path.read_text(encoding="utf-8") + "  decision: rejected\n", encoding="utf-8")
    edit(minimal_repo, "project_data/faq.yml", "answer: 一套管理工程项目的软件。", "answer: 一套管理工程项目全过程的软件。")
    changes = changes_after(minimal_repo, "decide")
    decision = only(changes, "acceptance.decision")
    assert (decision.customer, decision.critical) == ("acme", True)
    assert [(f.field, f.old, f.new) for f in decision.fields] == [("decision", "pending", "rejected")]
    assert changes.changes[0] == decision
    assert main(["--project", str(minimal_repo), "diff", "HEAD~1", "HEAD", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["schema"] == "handbook-diff/1" and report["counts"]["critical"] >= 1
    assert report["changes"][0]["code"] == "acceptance.decision"
    answer = next(c for c in report["changes"] if c["code"] == "faq.changed")
    assert answer["fields"][0]["diff"] == [["equal", "一套管理工程项目"], ["insert", "全过程"], ["equal", "的软件。"]]


def test_resigned_record_reports_signoff_and_fingerprint_first(sample_repo: Path) -> None:
    edit(sample_repo, RUIFENG, SIGNER_TITLE, SIGNER_TITLE.replace("副总经理", "总经理"))
    with pytest.raises(HandbookError) as error:  # the error tells the fingerprint to re-sign with
        load_project(Project.at(sample_repo))
    new = str(error.value).split("set signed_fingerprint: ")[1].split()[0]
    path = sample_repo / RUIFENG
    path.write_text(re.sub(r"signed_fingerprint: [0-9a-f]{64}", f"signed_fingerprint: {new}",
                           path.read_text(encoding="utf-8")), encoding="utf-8")
    changes = changes_after(sample_repo, "re-signed")
    codes = [c.code for c in changes.changes]
    assert codes[:2] == ["acceptance.signoff", "acceptance.fingerprint"]
    signoff = changes.changes[0]
    assert [(f.field, f.old, f.new) for f in signoff.fields] == [
        ("customer.title", "瑞丰精密制造 副总经理", "瑞丰精密制造 总经理")]
    assert all(c.critical for c in changes.changes[:2]) and signoff.customer == "ruifeng-mfg"


def test_changing_a_signed_record_fails_validate_naming_the_field(sample_repo: Path, capsys) -> None:
    assert main(["--project", str(sample_repo), "validate"]) == 0
    edit(sample_repo, RUIFENG, SIGNER_TITLE, SIGNER_TITLE.replace("副总经理", "总经理"))
    assert main(["--project", str(sample_repo), "validate"]) == 1
    err = capsys.readouterr().err
    line = next(i for i, t in enumerate((sample_repo / RUIFENG).read_text(encoding="utf-8").splitlines(), 1)
                if t.startswith("  signed_fingerprint:"))
    assert f"{RUIFENG}:{line}:23: the acceptance record changed after it was signed" in err
    assert 'acceptance.signoff.customer.title: "瑞丰精密制造 副总经理" -> "瑞丰精密制造 总经理"' in err
    assert "set signed_fingerprint: " in err
    commit_all(sample_repo, "altered")  # still named once the change is committed
    assert main(["--project", str(sample_repo), "validate"]) == 1
    assert "acceptance.signoff.customer.title" in capsys.readouterr().err


def test_signed_record_without_its_fingerprint_is_an_error(minimal: Path) -> None:
    from test_loader import problems

    path = minimal / ACME_PATH
    text = path.read_text(encoding="utf-8")
    text = text.replace("result: failed", "result: passed").replace("status: open", "status: closed")
    text = text.replace("result: pending", "result: passed")
    path.write_text(text + "  decision: accepted\n  signoff:\n    vendor: {name: 李四, title: 项目经理, date: 2026-03-06}\n"
                           "    customer: {name: 张三, title: 总经理, date: 2026-03-06}\n", encoding="utf-8")
    found = problems(minimal)
    assert len(found) == 1 and "signed by both sides but does not keep its fingerprint" in found[0]
    assert found[0].startswith(f"{ACME_PATH}:51:")  # at `signoff:`
    fingerprint = found[0].split("signed_fingerprint: ")[1].split("`")[0]
    path.write_text(path.read_text(encoding="utf-8") + f"  signed_fingerprint: {fingerprint}\n", encoding="utf-8")
    assert load_project(Project.at(minimal)).customers[0].acceptance.signed_fingerprint == fingerprint


def test_a_base_that_does_not_validate_is_reported_with_the_ref(minimal_repo: Path, capsys) -> None:
    edit(minimal_repo, "project_data/roles.yml", "side: vendor", "side: vendr")
    commit_all(minimal_repo, "broken")
    edit(minimal_repo, "project_data/roles.yml", "side: vendr", "side: vendor")
    assert main(["--project", str(minimal_repo), "diff", "HEAD"]) == 1
    err = capsys.readouterr().err
    assert "HEAD: project_data/roles.yml:" in err and "'vendr' is not allowed here" in err
    with pytest.raises(HandbookError) as error:
        diff_revisions(Project.at(minimal_repo), "no-such-ref")
    assert error.value.messages == ["'no-such-ref' is not a commit of this repository"]


def test_compare_is_pure_and_empty_for_equal_models(minimal: Path) -> None:
    model = load_project(Project.at(minimal))
    assert compare(model, model).changes == ()


@pytest.mark.e2e
def test_bundle_change_log_holds_the_methodology_and_its_own_customer_only(sample_repo: Path, tmp_path: Path) -> None:
    import zipfile

    from handbook.deliver.bundle import build_bundle

    edit(sample_repo, "mkdocs.yml", "  - handbook\n", "  - handbook:\n      changes_base: HEAD~1\n")
    commit_all(sample_repo, "compare with the previous commit")
    edit(sample_repo, "project_data/phases.yml", "title: 召开项目启动会并形成会议纪要", "title: 召开项目启动会，形成并分发会议纪要")
    edit(sample_repo, "project_data/customers/kangning-hospital.yml", "      - task: design-spec-signoff\n        state: open\n",
         "      - task: design-spec-signoff\n        state: open\n        note: 等待信息科对接口清单的书面确认\n")
    edit(sample_repo, "project_data/customers/huajian-group.yml", "evidence: 《需求规格说明书》v1.1 签字版",
         "evidence: 《需求规格说明书》v1.3 签字版（华建补签）")
    commit_all(sample_repo, "three changes")

    assert main(["--project", str(sample_repo), "render", "--out", str(tmp_path / "internal"),
                 "--changes-base", "HEAD~1"]) == 0
    internal = (tmp_path / "internal/changes/index.md").read_text(encoding="utf-8")
    assert "华建补签" in internal and "等待信息科对接口清单的书面确认" in internal and "并分发" in internal

    archive = build_bundle(sample_repo, "kangning-hospital", tmp_path / "dist")  # runs the leak scan too
    with zipfile.ZipFile(archive) as z:
        page = z.read(f"{archive.stem}/changes/index.html").decode("utf-8")
    assert "并分发" in page and "等待信息科对接口清单的书面确认" in page and "本项目记录" in page
    assert "华建" not in page and "huajian" not in page and "v1.3" not in page


def test_markdown_report_escapes_data(minimal: Path) -> None:
    base = load_project(Project.at(minimal))
    edit(minimal, ACME_PATH, "title: 无法登录", "title: '<script>x</script> *粗体* `代码`'")
    changes = compare(base, load_project(Project.at(minimal)))
    text = markdown.render(changes)
    assert "<script>" not in text and "&lt;script&gt;" in text and "\\*粗体\\*" in text
    assert only(changes, "defect.changed").key == "acme/1/UAT-1/BUG-1"


def test_change_page_is_a_pure_function_of_the_log(minimal: Path) -> None:
    from conftest import REPO
    from handbook.data.revisions import ChangeLog
    from handbook.pages import changes as changes_page

    base = load_project(Project.at(minimal))
    edit(minimal, "project_data/phases.yml", "title: 系统切换", "title: '系统切换 <b>x</b>'")
    edit(minimal, ACME_PATH, "title: 无法登录", "title: 无法登录*重要*")
    head = load_project(Project.at(minimal))
    log = ChangeLog("1.0", "0.9", "a" * 40, compare(base, head, "0.9", "1.0"))
    (page,) = changes_page.pages(replace(head, change_log=log), REPO / "site_templates")
    assert changes_page.owned_routes(replace(head, change_log=log)) == [page.route]
    assert page.path == "changes/index.md"
    text = page.markdown
    assert "相对上一发布版本 **0\\.9**（源提交 `aaaaaaaaaaaa`）" in text
    assert "系统切换<ins> &lt;b&gt;x&lt;\\/b&gt;</ins>" in text and "<b>" not in text
    assert "（[查看](../methodology/deploy.md)）" in text  # the task's phase page
    assert "无法登录<ins>\\*重要\\*</ins>" in text and "（[查看](../customers/acme/acceptance.md)）" in text
    nothing = changes_page.pages(replace(head, change_log=ChangeLog("1.0", note="no-published-version")),
                                 REPO / "site_templates")
    assert "之前没有已发布的版本" in nothing[0].markdown
    assert changes_page.pages(head, REPO / "site_templates")[0].markdown == nothing[0].markdown
    assert replace(head, change_log=log).for_customer("acme").change_log is None  # a bundle computes its own
