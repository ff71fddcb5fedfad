"""Evaluation commands refuse bad input in Chinese before anything reaches the server or the database."""

from __future__ import annotations

import json
import uuid

import pytest
from typer.testing import CliRunner

from pinggu.cli import app

runner = CliRunner()


def _refused(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output


def test_evaluate_with_an_unknown_type_lists_the_types():
    _refused(["evaluate", "S-2024-001", "--type", "annual"], "ningxia_90day")


def test_evaluate_with_a_bad_due_date_is_refused():
    _refused(["evaluate", "S-2024-001", "--due", "2027-13-01"], "格式应为")


def test_evaluate_with_an_unreadable_agreement_names_the_line(tmp_path):
    (tmp_path / "协议.json").write_text('{"agency": "某研究院",\n "fee": }', encoding="utf-8")
    _refused(["evaluate", "S-2024-001", "--third-party", str(tmp_path / "协议.json")], "第 2 行")


def test_evaluate_with_an_agreement_without_agency_names_the_field(tmp_path):
    (tmp_path / "协议.json").write_text(json.dumps({"fee": "8万元"}), encoding="utf-8")
    _refused(["evaluate", "S-2024-001", "--third-party", str(tmp_path / "协议.json")], "受托机构名称")


def test_approve_at_an_unknown_gate_lists_the_gates():
    _refused(
        ["approve", "PG-2026-9999", "--gate", "survey", "--approver", "张三", "--role", "主任", "--choice", "同意"],
        "third_party_acceptance",
    )


def test_submit_of_an_unknown_kind_lists_the_kinds(tmp_path):
    (tmp_path / "a.csv").write_text("x\n1\n", encoding="utf-8")
    _refused(["submit", "PG-2026-9999", str(tmp_path / "a.csv"), "--kind", "photos"], "minutes")


def test_submit_of_minutes_without_summary_is_refused(tmp_path):
    (tmp_path / "纪要.txt").write_text("纪要", encoding="utf-8")
    _refused(
        [
            "submit",
            "PG-2026-9999",
            str(tmp_path / "纪要.txt"),
            "--kind",
            "minutes",
            "--submitter",
            "赵敏",
            "--role",
            "科员",
        ],
        "主要情况摘要",
    )


@pytest.mark.rule("MH-12")
def test_reopen_of_an_unknown_evaluation_says_so():
    _refused(["reopen", "PG-1999-0001", "--stage", "conclusion", "--reason", "程序违法", "--by", "sunli"], "不存在")


@pytest.mark.rule("MH-2")
def test_decide_without_a_completed_evaluation_is_refused(sample_catalog, people_listed):
    _refused(["decide", "S-2019-011", "--outcome", "终止执行", "--by", "liuzhiqiang", "--role", "区长"], "MH-2")


def test_decide_with_an_unknown_outcome_is_refused(sample_catalog, people_listed):
    _refused(["decide", "S-2019-011", "--outcome", "暂停", "--by", "liuzhiqiang", "--role", "区长"], "继续执行")


def test_decide_is_recorded_only_by_a_login_of_the_decision_body(sample_catalog, people_listed):
    args = ["decide", "S-2019-011", "--outcome", "继续执行", "--by"]
    _refused([*args, "刘志强"], "人员名单中没有登录名为“刘志强”的人员")
    _refused([*args, "sunli"], "孙丽（区人民政府办公室）不能记录")  # the office is not the decision body


def test_an_administrators_override_names_a_login_of_an_administrator(people_listed):
    """管理员代办 (--override-reason): the administrator is named by their 登录名 and must be one; the override code
    is audited in their name, 姓名（单位）, never in a typed one."""
    import builders
    from builders import session_scope
    from sqlmodel import select

    from pinggu.models.db import read_session
    from pinggu.models.tables import AuditEvent
    from pinggu.services.accounts import set_admin

    with session_scope() as session:
        evaluation = builders.add_evaluation(session, prefix="OVR", flow_run_id=str(uuid.uuid4()))
        code, evaluation_id = evaluation.code, evaluation.id
    args = ["approve", code, "--gate", "approval", "--choice", "通过", "--conclusion", "继续执行"]
    override = ["--override-reason", "负责人出差，书面授权", "--approver"]
    _refused([*args, *override, "王管理"], "人员名单中没有登录名为“王管理”的人员")
    _refused([*args, *override, "zhaomin"], "管理员代办须由管理员办理：赵敏（决策承办单位）不是管理员")
    set_admin("sunli")
    try:
        runner.invoke(app, [*args, *override, "sunli"])  # no run waits for it here: only the code is issued
    finally:
        set_admin("sunli", grant=False)
    with read_session() as session:
        overrides = session.exec(
            select(AuditEvent).where(AuditEvent.action == "signoff_override", AuditEvent.evaluation_id == evaluation_id)
        ).all()
    assert [(e.actor, e.detail["reason"]) for e in overrides] == [("孙丽（区人民政府办公室）", "负责人出差，书面授权")]
