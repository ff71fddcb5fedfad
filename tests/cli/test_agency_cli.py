"""`pinggu agency …`: register, list and record a false report, on the test home's database."""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
from builders import session_scope
from typer.main import get_command
from typer.testing import CliRunner

from pinggu.models import agencies
from pinggu.models.tables import Decision, Evaluation
from pinggu.cli.agency import agency_app
from pinggu.rules.third_party import Agreement

runner = CliRunner()


def unique(prefix: str) -> str:
    """A name no other test of the session uses (they share the test home's database)."""
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def entrusted_evaluation(agency_name: str) -> str:
    """A decision, an evaluation of it entrusted to the (registered) agency; returns the evaluation code."""
    code = unique("PG-T-")
    with session_scope() as session:
        session.add(
            Decision(
                code=f"D-{code}",
                title="某县农村饮水安全工程",
                profile="bazhou",
                decision_body="县政府",
                lead_unit="县水务局",
                category="公共政策",
                starts_on=date(2023, 1, 1),
            )
        )
        evaluation = Evaluation(code=code, decision_code=f"D-{code}", type="ordinary")
        session.add(evaluation)
        session.flush()
        agencies.entrust(
            session=session,
            evaluation_id=evaluation.id,
            agency_name=agency_name,
            agreement=Agreement(matter="饮水安全工程后评估", liability="违约退还经费"),
            required_fields=("matter", "liability"),
            allowed=True,
        )
    return code


def test_every_agency_command_has_chinese_help():
    group = get_command(agency_app)
    assert set(group.commands) == {"register", "list", "false-report", "subcontract"}
    for name, command in group.commands.items():
        assert command.help and any("\u4e00" <= ch <= "\u9fff" for ch in command.help), name
        assert runner.invoke(agency_app, [name, "--help"]).exit_code == 0


@pytest.mark.rule("TP-QUALIFY")
def test_register_then_update_then_list():
    name = unique("某大学评估中心")
    result = runner.invoke(agency_app, ["register", name, "--kind", "高等学校"])
    assert result.exit_code == 0, result.output
    assert f"已登记评估机构 {name}（高等学校，信用记录良好）" in result.output
    result = runner.invoke(
        agency_app, ["register", name, "--kind", "高等学校", "--no-equipment", "--no-qualified-staff"]
    )
    assert result.exit_code == 0 and "已更新" in result.output

    listed = runner.invoke(agency_app, ["list"])
    assert f"{name}  高等学校  信用记录良好  设备设施不具备  专业人员不具备" in listed.output
    rows = {row["name"]: row for row in json.loads(runner.invoke(agency_app, ["list", "--json"]).output)}
    assert rows[name]["has_equipment"] is False and rows[name]["credit_records"] == []


@pytest.mark.rule("TP-QUALIFY")
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "个人"], "类别“个人”无效"),
        (["--kind", "咨询机构", "--credit", "一般"], "应为“良好”或“不良”"),
    ],
)
def test_bad_registrations_are_refused_in_chinese_without_a_traceback(args, message):
    result = runner.invoke(agency_app, ["register", unique("某机构"), *args])
    assert result.exit_code == 1
    assert message in result.output and "错误：" in result.output and "Traceback" not in result.output


@pytest.mark.rule("TP-CREDIT")
def test_a_false_report_is_recorded_and_shown_in_the_list(people_listed):
    name = unique("某咨询公司")
    assert runner.invoke(agency_app, ["register", name, "--kind", "咨询机构"]).exit_code == 0
    code = entrusted_evaluation(name)

    result = runner.invoke(
        agency_app, ["false-report", name, "--evaluation", code, "--detail", "编造入户调查数据", "--by", "wangming"]
    )
    assert result.exit_code == 0, result.output
    assert f"已将评估 {code} 的虚假报告记入 {name} 的信用记录" in result.output
    listed = runner.invoke(agency_app, ["list"]).output
    assert f"{name}  咨询机构  信用记录不良" in listed
    assert f"虚假报告（评估 {code}，记录人 王明（评估小组））：编造入户调查数据" in listed

    relaundered = runner.invoke(agency_app, ["register", name, "--kind", "咨询机构", "--credit", "良好"])
    assert relaundered.exit_code == 1 and "规则 TP-CREDIT" in relaundered.output


def test_a_false_report_about_an_unknown_agency_or_evaluation_is_refused(people_listed):
    result = runner.invoke(
        agency_app, ["false-report", unique("无名"), "--evaluation", "PG-X", "--detail", "x", "--by", "wangming"]
    )
    assert result.exit_code == 1 and "未登记" in result.output
    name = unique("某律师事务所")
    runner.invoke(agency_app, ["register", name, "--kind", "律师事务所"])
    result = runner.invoke(
        agency_app, ["false-report", name, "--evaluation", "PG-X", "--detail", "x", "--by", "wangming"]
    )
    assert result.exit_code == 1 and "评估 PG-X 不存在" in result.output


def test_by_is_the_login_of_an_active_person_of_the_people_list(people_listed, tmp_path):
    from sqlmodel import col, select

    from pinggu.core.settings import SAMPLES_DIR
    from pinggu.models.tables import AuditEvent, Person
    from pinggu.people import import_people_file

    name = unique("某评估中心")
    args = ["register", name, "--kind", "咨询机构", "--by"]
    unknown = runner.invoke(agency_app, [*args, "王明"])
    assert unknown.exit_code == 1 and "人员名单中没有登录名为“王明”的人员" in unknown.output
    listed = tmp_path / "名单.csv"
    sample = (SAMPLES_DIR / "people.csv").read_text(encoding="utf-8")
    listed.write_text(sample + "周新,区司法局,科员,评估单位,,本机发件箱\n", encoding="utf-8")
    import_people_file(listed)
    import_people_file(SAMPLES_DIR / "people.csv")  # 周新 is no longer listed: deactivated
    with session_scope() as session:
        login = session.exec(select(Person.login).where(Person.name == "周新", Person.unit == "区司法局")).one()
    gone = runner.invoke(agency_app, [*args, login])
    assert gone.exit_code == 1 and f"登录名为“{login}”的人员（周新，区司法局）已停用" in gone.output
    done = runner.invoke(agency_app, [*args, "WangMing"])
    assert done.exit_code == 0, done.output
    with session_scope() as session:
        event = session.exec(
            select(AuditEvent).where(AuditEvent.action == "agency_registered").order_by(col(AuditEvent.id).desc())
        ).first()
    assert event is not None and (event.actor, event.detail["agency"]) == ("王明（评估小组）", name)
