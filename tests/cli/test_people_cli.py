"""`pinggu people import|list|resend` on the test home's database (issue 14)."""

from __future__ import annotations

import builders
from builders import session_scope
from typer.testing import CliRunner

from pinggu.core.settings import SAMPLES_DIR
from pinggu.cli import app
from pinggu.rules.gates import GateId
from pinggu.services.signoff import outbox_messages

runner = CliRunner()


def test_import_then_list_shows_everyone_with_roles_and_contact():
    imported = runner.invoke(app, ["people", "import", str(SAMPLES_DIR / "people.csv")])
    assert imported.exit_code == 0 and "已导入人员名单 people.csv" in imported.output
    listed = runner.invoke(app, ["people", "list"]).output
    assert (
        "刘志强  登录名：liuzhiqiang  人民政府主要负责人  角色：决策机关、县政府、区政府、市人民政府、厅决策机关"
        in listed
    )
    assert (
        "马厅长  登录名：matingzhang  宁夏回族自治区商务厅厅长  角色：厅决策机关  辖区：ningxia_commerce  联系方式：本机发件箱"
        in listed
    )


def test_a_bad_people_file_is_refused_whole_in_chinese(tmp_path):
    bad = tmp_path / "名单.csv"
    bad.write_text("姓名,单位,职务,角色,联系方式\n张三,办公室,主任,,本机发件箱\n", encoding="utf-8")
    result = runner.invoke(app, ["people", "import", str(bad)])
    assert (
        result.exit_code == 1 and "未导入任何人员" in result.output and "第 2 行，“角色”列：不能为空" in result.output
    )


def test_resend_to_one_person_withdraws_their_code_and_sends_a_new_one(monkeypatch):
    import pinggu.tasks.evaluation as evaluation_tasks
    from pinggu.tasks.gates import gate_status

    monkeypatch.setattr(evaluation_tasks, "create_markdown_artifact", lambda **artifact: None)
    assert runner.invoke(app, ["people", "import", str(SAMPLES_DIR / "people.csv")]).exit_code == 0
    with session_scope() as session:
        evaluation = builders.add_evaluation(session, "bazhou", prefix="RESEND")
        evaluation_id, code = evaluation.id, evaluation.code
    not_yet = runner.invoke(app, ["people", "resend", code])
    assert not_yet.exit_code == 1 and f"评估 {code} 当前不在等待办理的环节" in not_yet.output
    gate_status.fn(evaluation_id, GateId.approval)
    first = outbox_messages(code, "approval")
    assert [m["to"] for m in first] == ["刘志强"]

    again = runner.invoke(app, ["people", "resend", code])
    assert again.exit_code == 0 and "都持有有效签署码，未重发" in again.output
    lost = runner.invoke(app, ["people", "resend", code, "--person", "刘志强"])
    assert lost.exit_code == 0, lost.output
    assert "已作废 刘志强 持有的“决策机关审定”签署码 1 个" in lost.output and "已向 刘志强 发送" in lost.output
    second = outbox_messages(code, "approval")
    assert len(second) == 2 and second[-1]["code"] != first[0]["code"]


def test_a_password_is_read_from_standard_input_checked_and_audited_with_the_admin_role():
    import signin

    assert runner.invoke(app, ["people", "import", str(SAMPLES_DIR / "people.csv")]).exit_code == 0
    weak = runner.invoke(app, ["people", "password", "高峰"], input="gaofeng\n")
    assert (
        weak.exit_code == 1
        and "密码不符合要求：密码至少 10 位（收到 7 位）" in weak.output
        and "Traceback" not in weak.output
    )
    set_ = runner.invoke(app, ["people", "password", "高峰"], input=f"{signin.PASSWORD}\n")
    assert set_.exit_code == 0 and "已为 高峰 设置密码，登录名：gaofeng" in set_.output
    signin.ACCOUNTS_MADE = True  # dropped after this module
    granted = runner.invoke(app, ["people", "admin", "gaofeng"])
    assert granted.exit_code == 0 and "已授予 gaofeng（gaofeng）管理员角色" in granted.output
    nobody = runner.invoke(app, ["people", "password", "查无此人"], input=f"{signin.PASSWORD}\n")
    assert nobody.exit_code == 1 and "人员名单中没有在册的 查无此人" in nobody.output
    shown = runner.invoke(app, ["audit", "show", "--person", "高峰"])
    assert shown.exit_code == 0
    assert "password_set" in shown.output and "admin_granted" in shown.output and signin.PASSWORD not in shown.output
