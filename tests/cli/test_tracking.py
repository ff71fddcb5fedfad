"""`pinggu tracking …` and `pinggu supervision rectified`: bad input refused in Chinese with nothing written,
a report handed in from a file recorded and rendered, an opinion registered without its contact shown."""

from __future__ import annotations

from datetime import date

import builders
import pytest
from builders import session_scope
from driving import pdf_text
from sqlmodel import select
from typer.testing import CliRunner

from pinggu.models.db import read_session
from pinggu.models.tables import (
    OpinionContact,
    PublicOpinion,
    Rectification,
    TrackingPlan,
    TrackingReport,
    TriggerEvent,
)
from pinggu.services import tracking

HEADER = "决策编号,责任机构,责任人员,方法步骤,节点目标,完成时限,责任单位\n"


def _cli(*args: str):
    from pinggu.cli import app

    return CliRunner().invoke(app, list(args))


@pytest.fixture
def decision(settings):
    with session_scope() as session:
        return builders.add_decision(session, "ordos", prefix="CTR", lead_unit="市住房和城乡建设局").code


@pytest.mark.rule("OR-6")
def test_a_plan_file_with_bad_rows_is_refused_row_by_row_and_nothing_is_imported(decision, tmp_path):
    plan = tmp_path / "方案.csv"
    plan.write_text(
        HEADER
        + f"{decision},市住建局,张三,月报,完成招标,2026-05-31,市住建局\nNOPE-1,市住建局,张三,月报,开工,2026-13-01,\n",
        encoding="utf-8",
    )
    result = _cli("tracking", "import", str(plan))
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "跟踪反馈工作方案“方案.csv”有 3 处问题，未导入任何方案" in result.output
    assert "第 3 行，“决策编号”列：决策目录中没有编号为 NOPE-1 的决策" in result.output
    with read_session() as session:
        assert session.get(TrackingPlan, decision) is None


@pytest.mark.rule("OR-8", "OR-9")
def test_a_report_from_a_file_is_recorded_and_rendered_and_its_immediate_report_waits_for_approval(
    decision, tmp_path, people_listed
):
    plan = tmp_path / "方案.csv"
    plan.write_text(HEADER + f"{decision},市住建局,张三,月报,完成招标,2026-05-31,市住建局\n", encoding="utf-8")
    assert _cli("tracking", "import", str(plan)).exit_code == 0
    with session_scope() as session:  # tracking began in April (time injected: the CLI uses today)
        session.get(TrackingPlan, decision).tracking_from = date(2026, 4, 1)
    tracking.open_requests(date(2026, 5, 1), decision)
    report = tmp_path / "报告.yaml"
    report.write_text(
        "reporter: 市住建局 王强\nprogress: 完成招标文件。\neffect: 按计划。\nproblems: 无明显问题。\n"
        "proposals: 无。\nnext_steps: 开标。\nmilestones_done: [{seq: 1, done_on: 2026-04-28}]\n"
        "serious: 客观情况发生重大变化\nserious_note: 地质条件变化，二期无法按期开工\n",
        encoding="utf-8",
    )
    assert (
        "没有 2026-03 期的跟踪反馈报告要求；已开出的期间：2026-04"
        in _cli("tracking", "report", decision, "2026-03", str(report), "--by", "sunli").output
    )
    # Who reports is the login's person, of the lead unit or the office, never the file's typed name.
    stranger = _cli("tracking", "report", decision, "2026-04", str(report), "--by", "zhaomin")
    assert stranger.exit_code == 1 and "赵敏（决策承办单位）不能代为报告" in stranger.output
    result = _cli("tracking", "report", decision, "2026-04", str(report), "--by", "sunli")
    assert result.exit_code == 0, result.output
    assert f"已记录 {decision} 2026年4月跟踪反馈报告（逾期报送）" in result.output  # due 11 May; handed in today
    # ordos 9 and 11(1): a major change is recorded at once as basis_changed under 11(1) (issue 30: each kind under
    # its own trigger); the city government's office decides whether to evaluate (11 “可组织”).
    assert "已记录为评估情形“决策依据的法律、法规、政策或客观情况发生重大变化”" in result.output
    assert "须经同意后方启动评估" in result.output and "已提出专项评估计划" not in result.output
    with read_session() as session:
        (row,) = session.exec(select(TrackingReport).where(TrackingReport.decision_code == decision)).all()
    assert row.status == "rendered" and "完成招标2026-05-31市住建局已完成（2026-04-28）" in pdf_text(row.pdf_path)
    assert row.reporter == "区人民政府办公室孙丽"  # not the file's “市住建局 王强”


@pytest.mark.rule("E-PUBLIC")
def test_an_opinion_is_registered_by_channel_and_its_contact_kept_apart(decision, people_listed):
    refused = _cli("tracking", "opinion", decision, "--channel", "微信", "--summary", "意见", "--by", "sunli")
    assert refused.exit_code == 1 and "渠道“微信”无效，可选：信函、电话、传真、电子邮件、网站、媒体" in refused.output
    result = _cli(
        "tracking", "opinion", decision, "--channel", "传真", "--summary", "建议延长公示期",
        "--by", "sunli", "--received", "2026-06-01", "--contact", "0477-1234567",
    )  # fmt: skip
    assert result.exit_code == 0 and f"已登记 {decision} 的公众意见（传真，2026-06-01）" in result.output
    with read_session() as session:
        (opinion,) = session.exec(select(PublicOpinion).where(PublicOpinion.decision_code == decision)).all()
        assert session.get(OpinionContact, opinion.id).contact == "0477-1234567"
        assert opinion.recorded_by == "区人民政府办公室孙丽"  # the person of the login, as the web app records them
    shown = _cli("status", decision)
    assert "公众意见 1 件" in shown.output and "0477-1234567" not in shown.output


@pytest.mark.rule("OR-9")
def test_an_immediate_report_names_its_kinds_when_a_wrong_one_is_given(decision, people_listed):
    result = _cli("tracking", "urgent", decision, "--kind", "地震", "--note", "某情况", "--by", "sunli")
    assert result.exit_code == 1
    assert "情况类别“地震”无效，可选：决策存在问题、客观情况发生重大变化、发生不可抗力" in result.output


@pytest.mark.rule("OR-9", "E-PUBLIC")
def test_by_is_the_login_of_a_person_who_may_act_and_nothing_is_recorded_otherwise(decision, people_listed):
    urgent = ["tracking", "urgent", decision, "--kind", "发生不可抗力", "--note", "暴雨冲毁施工便道", "--by"]
    unknown = _cli(*urgent, "市住建局 王强")
    assert unknown.exit_code == 1 and "人员名单中没有登录名为“市住建局 王强”的人员" in unknown.output
    other_unit = _cli(*urgent, "gaofeng")  # 决策承办单位, not the decision's lead unit, nor the office
    assert other_unit.exit_code == 1
    assert f"决策 {decision} 的情况由市住房和城乡建设局报告，高峰（决策承办单位）不能代为报告" in other_unit.output
    opinion = ["tracking", "opinion", decision, "--channel", "信函", "--summary", "建议延长公示期", "--by"]
    nobody = _cli(*opinion, "xinfangban")
    assert nobody.exit_code == 1 and "人员名单中没有登录名为“xinfangban”的人员" in nobody.output
    with read_session() as session:
        assert not session.exec(select(PublicOpinion).where(PublicOpinion.decision_code == decision)).all()
        assert not session.exec(select(TriggerEvent).where(TriggerEvent.decision_code == decision)).all()


def test_reporting_back_on_an_unknown_rectification_is_refused(people_listed):
    result = _cli("supervision", "rectified", "999999", "--report", "已整改", "--by", "sunli")
    assert result.exit_code == 1 and "没有编号为 999999 的整改事项" in result.output


@pytest.mark.rule("E-PUBLIC", "T-EVENT", "OR-10")
def test_dates_after_today_are_refused_naming_the_date_and_nothing_is_recorded(decision, tmp_path, people_listed):
    from pinggu.models.tables import SupervisionRound
    from pinggu.reporting.other_documents import SupervisionInput
    from pinggu.services import supervision

    opinion = _cli(
        "tracking", "opinion", decision, "--channel", "信函", "--summary", "反对", "--by", "sunli",
        "--received", "2030-01-01",
    )  # fmt: skip
    assert opinion.exit_code == 1 and "收到日期 2030-01-01 晚于今天（" in opinion.output
    assert "2030-01-01" not in _cli("status", decision).output  # never the latest opinion
    trigger = _cli("trigger", decision, "--kind", "basis_changed", "--date", "2030-01-01", "--by", "sunli")
    assert trigger.exit_code == 1 and "发生或申请日期 2030-01-01 晚于今天（" in trigger.output
    findings = tmp_path / "督查.yaml"
    findings.write_text(
        "methods: [书面督查]\nheld_on: 2030-01-01\nexecution: 按计划推进。\neffect: 成效初显。\n"
        "problems: 进度滞后。\nproposals: 周调度。\n",
        encoding="utf-8",
    )
    start = _cli("supervision", "start", decision, str(findings))  # refused before any run is started
    assert start.exit_code == 1 and "督查日期 2030-01-01 晚于今天（" in start.output
    round_id = supervision.record_round(
        f"cli-{decision}",
        decision,
        SupervisionInput(
            methods=["书面督查"],
            execution="按计划推进。",
            effect="成效初显。",
            problems="进度滞后。",
            proposals="周调度。",
            rectifications=[{"item": "补齐进度", "unit": "某街道", "deadline": date(2031, 1, 1)}],
        ),  # fmt: skip
        "督查科",
        date(2026, 12, 1),
    )
    with read_session() as session:
        (item,) = session.exec(select(Rectification).where(Rectification.round_id == round_id)).all()
        assert [
            r.id for r in session.exec(select(SupervisionRound).where(SupervisionRound.decision_code == decision))
        ] == [round_id]
    back = _cli("supervision", "rectified", str(item.id), "--report", "已整改", "--by", "sunli", "--on", "2030-01-01")
    assert back.exit_code == 1 and "报告日期 2030-01-01 晚于今天（" in back.output


@pytest.mark.rule("MH-S9", "MH-S2")
def test_a_changli_round_the_regulation_does_not_allow_is_refused_before_any_run_starts(settings, tmp_path):
    with session_scope() as session:
        code = builders.add_decision(session, "changli", prefix="CSUP").code
    findings = tmp_path / "督查.yaml"
    body = "execution: 按计划推进。\neffect: 成效初显。\nproblems: 进度滞后。\nproposals: 周调度。\n"
    findings.write_text("methods: [书面督查]\n" + body, encoding="utf-8")
    start = _cli("supervision", "start", code, str(findings))
    assert start.exit_code == 1 and "Traceback" not in start.output
    assert "组织书面督查的，应当要求被督查单位全面自查，并限期书面报告情况" in start.output  # changli 52 ¶2
    findings.write_text(
        "methods: [实地督查]\nalready_supervised: 2026年县重点项目督查，结果已通报\n" + body, encoding="utf-8"
    )
    start = _cli("supervision", "start", code, str(findings))
    assert start.exit_code == 1 and "不再进行重复督查" in start.output  # changli 52 ¶2
    assert "已启动督查" not in start.output
