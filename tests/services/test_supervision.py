"""A supervision round as each regulation has it (issue 30): changli's report approved by the county leaders
before it goes out, sent with their instructions to the four units of article 53 (a notice each), its
rectification assigned only then and closed only after the office checked it (CL-53); the self-inspection
written supervision asks for (MH-S9) and no repeated supervision (MH-S2); minhang's report fed back to the
supervised unit without an approval; and the tracking side: changli's monthly reports asked of the implementing
units (CL-50), each kind of immediate report filed under its own trigger and article (OR-9).

Runs on the test home's database, time injected; nothing here needs the Prefect server (no report is
proposed for a prompt evaluation, no PDF rendered).
"""

from __future__ import annotations

from datetime import date

import builders
import pytest
from builders import session_scope
from sqlmodel import col, select

from pinggu.core.errors import RuleViolation, StateConflict
from pinggu.models.db import read_session
from pinggu.models.tables import AuditEvent, Escalation, Rectification, SupervisionRound, TrackingReport, TriggerEvent
from pinggu.reporting.other_documents import SupervisionInput
from pinggu.rules.tracking import RectificationStatus, ReportApproval, ReviewVerdict, SeriousReport
from pinggu.services import supervision, tracking

HELD = date(2026, 9, 15)
PLAN = (
    "决策编号,责任机构,责任人员,方法步骤,节点目标,完成时限,责任单位\n"
    "{code},县住建局决策跟踪小组,科长 周敏,每月调度,完成选址,2026-03-31,县住建局\n"
    "{code},,,,首批开工,2026-06-30,各乡镇\n"
    "{code},,,,竣工验收,2026-10-31,县住建局\n"
)


def _decision(profile: str, prefix: str) -> str:
    with session_scope() as session:
        return builders.add_decision(
            session, profile, prefix=prefix, title="城区停车设施建设方案", lead_unit="县住建局"
        ).code


def _plan(code: str, tmp_path) -> None:
    path = tmp_path / f"{code}.csv"
    path.write_text(PLAN.format(code=code), encoding="utf-8")
    tracking.import_plans(path, "县政府办公室 王芳", date(2026, 1, 5))


def _findings(**changes) -> SupervisionInput:
    values = {
        "supervised": "县城管局",
        "methods": ["书面督查", "实地督查"],
        "held_on": HELD,
        "self_inspection_due": date(2026, 9, 10),
        "execution": "总体按计划推进。",
        "effect": "停车难有所缓解。",
        "problems": "一处停车场未按期开工。",
        "proposals": "加快手续办理。",
        "leader_matters": "用地指标协调。",
        "rectifications": [{"item": "办妥施工许可", "unit": "县城管局", "deadline": date(2026, 10, 31)}],
    }
    return SupervisionInput(**{**values, **changes})


def _items(round_id: int) -> list[Rectification]:
    with read_session() as session:
        return list(session.exec(select(Rectification).where(Rectification.round_id == round_id)))


@pytest.mark.rule("CL-53", "OR-10")
def test_changli_s_report_is_approved_sent_to_the_four_units_and_its_rectification_checked(settings, tmp_path):
    code = _decision("changli", "SUP53")
    _plan(code, tmp_path)
    round_id = supervision.record_round(f"s53-{code}", code, _findings(), "县政府办公室 王芳", date(2026, 9, 16))
    (item,) = _items(round_id)
    assert item.status == RectificationStatus.pending  # not assigned before the leaders approved the report
    with pytest.raises(StateConflict, match="所在的督查专报尚未经审定，整改事项尚未下达"):
        supervision.report_back(item.id, "已办妥。", date(2026, 9, 17), "县城管局 刘洋", today=date(2026, 9, 17))
    with pytest.raises(StateConflict, match="督查专报尚未经审定，不能反馈"):
        supervision.distribute(round_id, date(2026, 9, 16))

    waiting = supervision.approval_status(round_id)
    assert waiting is not None and waiting.key == f"supervision-approval-{round_id}-1"
    assert waiting.description.startswith(
        "**督查专报审定**（县政府领导；《昌黎县人民政府重大行政决策程序规定（试行）》第五十三条）"
    )
    assert "- 需提请领导协调的事项：用地指标协调。" in waiting.description
    assert "审定后反馈：被督查单位、县决策咨询服务中心、决策承办单位、决策实施单位" in waiting.description
    early = ReportApproval(approver="副县长 李强", approved_on=date(2026, 9, 14), instructions="抓紧办理")
    assert (
        supervision.approve(round_id, waiting.key, early, date(2026, 9, 18))
        == "审定日期 2026-09-14 早于督查日期 2026-09-15"
    )
    assert _items(round_id)[0].status == RectificationStatus.pending
    waiting = supervision.approval_status(round_id)
    assert waiting is not None and waiting.key == f"supervision-approval-{round_id}-2"  # the refusal counted
    assert "⚠ 上次提交未被受理：审定日期 2026-09-14 早于督查日期 2026-09-15" in waiting.description
    approval = ReportApproval(approver="副县长 李强", instructions="请县城管局10月底前办妥。")
    assert supervision.approve(round_id, waiting.key, approval, date(2026, 9, 18)) is None
    assert supervision.approve(round_id, waiting.key, approval, date(2026, 9, 18)) is None  # a re-run: the same
    assert supervision.approval_status(round_id) is None
    assert _items(round_id)[0].status == RectificationStatus.open

    sent = supervision.distribute(round_id, date(2026, 9, 18))
    assert sent == [
        {"as": "被督查单位", "unit": "县城管局"},
        {"as": "县决策咨询服务中心", "unit": "县决策咨询服务中心"},
        {"as": "决策承办单位", "unit": "县住建局"},
        {"as": "决策实施单位", "unit": "县住建局"},
        {"as": "决策实施单位", "unit": "各乡镇"},
    ]
    assert supervision.distribute(round_id, date(2026, 9, 19)) == sent  # once
    with read_session() as session:
        notices = list(
            session.exec(
                select(Escalation)
                .where(Escalation.ref == f"{code}/supervision/{round_id}")
                .order_by(col(Escalation.id))
            )
        )
        round_ = session.get(SupervisionRound, round_id)
        assert round_ is not None and round_.distributed_on == date(2026, 9, 18)
        (audited,) = session.exec(
            select(AuditEvent).where(
                AuditEvent.decision_code == code, AuditEvent.action == "supervision_report_distributed"
            )
        ).all()
    assert [n.key.rsplit("#to:", 1)[1] for n in notices] == ["县城管局", "县决策咨询服务中心", "县住建局", "各乡镇"]
    assert notices[2].text.startswith(
        f"【督查专报】决策 {code}《城区停车设施建设方案》2026-09-15 督查专报，已经副县长 李强审定（2026-09-18），"
        "送县住建局（决策承办单位、决策实施单位）；批示意见：请县城管局10月底前办妥。；要求整改的事项 1 项"
    )
    assert audited.detail["recipients"][0] == "县城管局（被督查单位）"

    # CL-53: 县政府办公室对整改情况进行检查 — 通过 without a check is refused; the check closes it.
    supervision.report_back(item.id, "已办妥施工许可。", date(2026, 10, 20), "县城管局 刘洋", today=date(2026, 10, 20))
    key = supervision.review_status(round_id).key
    assert key == f"rectification-review-{round_id}-1"  # the approvals do not count among the reviews
    refused = supervision.review(round_id, key, 1, ReviewVerdict.accept, "王芳", "", date(2026, 10, 22))
    assert refused == (
        "县政府办公室应当对整改情况进行检查（《昌黎县人民政府重大行政决策程序规定（试行）》第五十三条）："
        "检查后选择“经检查整改到位，通过”，并在“说明”中写明检查情况"
    )
    key = supervision.review_status(round_id).key
    assert (
        supervision.review(round_id, key, 1, ReviewVerdict.checked, "王芳", "现场核对许可证", date(2026, 10, 23))
        is None
    )
    assert supervision.review_status(round_id) is None
    assert _items(round_id)[0].status == RectificationStatus.closed


@pytest.mark.rule("MH-S9")
def test_changli_s_written_supervision_without_the_self_inspection_deadline_is_refused(settings):
    code = _decision("changli", "SUP52")
    with pytest.raises(RuleViolation) as refused:
        supervision.record_round(f"s52-{code}", code, _findings(self_inspection_due=None), "督查科", HELD)
    assert refused.value.rule == "MH-S9"
    assert str(refused.value).startswith("组织书面督查的，应当要求被督查单位全面自查，并限期书面报告情况（")
    field_only = _findings(methods=["实地督查"], self_inspection_due=None)  # no written supervision: none asked
    assert supervision.record_round(f"s52-{code}", code, field_only, "督查科", HELD) > 0
    # minhang 督查 9 ¶2: 可以 — a written supervision without a self-inspection is recorded.
    minhang = _decision("minhang", "SUP9")
    written = _findings(methods=["书面督查"], self_inspection_due=None)
    assert supervision.record_round(f"s9-{minhang}", minhang, written, "督查科", HELD) > 0


@pytest.mark.rule("MH-S2")
def test_a_matter_already_supervised_under_other_rules_is_not_supervised_again(settings):
    code = _decision("changli", "SUPR")
    done = _findings(already_supervised="2026年县重点项目督查（6月），结果已通报")
    with pytest.raises(RuleViolation) as refused:
        supervision.record_round(f"rep-{code}", code, done, "督查科", HELD)
    assert refused.value.rule == "MH-S2" and "不再进行重复督查" in str(refused.value)
    with read_session() as session:
        assert session.exec(select(SupervisionRound).where(SupervisionRound.decision_code == code)).all() == []
    minhang = _decision("minhang", "SUPR")
    with pytest.raises(RuleViolation, match="原则上不进行重复督查.*确须督查的，请写明理由"):
        supervision.record_round(f"rep-{minhang}", minhang, done, "督查科", HELD)
    with_reason = _findings(already_supervised="2026年区重点工作督查", repeat_reason="群众反映强烈，须专项督查")
    assert supervision.record_round(f"rep-{minhang}", minhang, with_reason, "督查科", HELD) > 0


@pytest.mark.rule("OR-10", "CL-53")
def test_minhang_s_report_goes_to_the_supervised_unit_without_approval_and_ordos_s_to_nobody(settings):
    minhang = _decision("minhang", "SUP11")
    round_id = supervision.record_round(f"s11-{minhang}", minhang, _findings(supervised=None), "督查科", HELD)
    assert supervision.approval_status(round_id) is None
    assert _items(round_id)[0].status == RectificationStatus.open
    assert supervision.approve(round_id, "x", ReportApproval(approver="某"), HELD) == "本规定的督查报告无须审定"
    assert supervision.distribute(round_id, HELD) == [{"as": "被督查单位", "unit": "县住建局"}]
    ordos = _decision("ordos", "SUP10")
    plain = _findings(methods=["书面督查"], self_inspection_due=None)
    ordos_round = supervision.record_round(f"s10-{ordos}", ordos, plain, "督查科", HELD)
    assert supervision.distribute(ordos_round, HELD) == []
    with read_session() as session:
        assert (
            session.exec(select(Escalation).where(Escalation.ref == f"{ordos}/supervision/{ordos_round}")).all() == []
        )


@pytest.mark.rule("CL-50")
def test_changli_asks_the_implementing_units_for_the_monthly_report_minhang_the_lead_unit(settings, tmp_path):
    changli = _decision("changli", "TRK50")
    _plan(changli, tmp_path)
    (asked,) = tracking.open_requests(date(2026, 2, 1), changli)
    assert asked.unit == "县住建局、各乡镇"  # changli 50: 督促决策实施单位 — the milestones' units
    with read_session() as session:
        (row,) = session.exec(select(TrackingReport).where(TrackingReport.decision_code == changli)).all()
    assert row.unit == "县住建局、各乡镇"
    minhang = _decision("minhang", "TRK6")
    _plan(minhang, tmp_path)
    (asked,) = tracking.open_requests(date(2026, 2, 1), minhang)
    assert asked.unit == "县住建局"  # minhang 督查 5–6: the lead unit reports


@pytest.mark.rule("OR-9")
def test_each_kind_of_immediate_report_is_filed_under_its_own_trigger_and_article(settings):
    changli = _decision("changli", "OR9")
    said = tracking.report_at_once(
        changli, SeriousReport.major_change, "上位规划调整", "县住建局 刘洋", date(2026, 5, 6)
    )
    assert said == "已记录为评估情形“决策依据的法律、法规、政策或客观情况发生重大变化”（2026-05-06）"
    minhang = _decision("minhang", "OR9")
    said = tracking.report_at_once(
        minhang, SeriousReport.force_majeure, "特大暴雨停工", "区住房保障局 陈立", date(2026, 7, 20)
    )
    assert said == (
        "已记录为评估情形“承办单位报告决策存在问题、客观情况重大变化或不可抗力，严重影响决策目标实现”（2026-07-20）"
        "；须经同意后方启动评估（《闵行区人民政府重大行政决策后评估程序实施细则》第六条（四）：决策承办单位的申请经区政府"
        "同意后方开展评估（第四条第五款：向区政府办公室申请）；督查第五条第二款报告的问题、不可抗力，区政府认为有必要的方开展"
        "评估（第六条（五））），同意后请补录同意日期"
    )
    with read_session() as session:
        (major,) = session.exec(select(TriggerEvent).where(TriggerEvent.decision_code == changli)).all()
        (force,) = session.exec(select(TriggerEvent).where(TriggerEvent.decision_code == minhang)).all()
    assert (major.kind, major.note) == (
        "basis_changed",
        "客观情况发生重大变化：上位规划调整（承办单位报告，《昌黎县人民政府重大行政决策程序规定（试行）》第五十七条（一））",
    )
    assert (force.kind, force.note) == (
        "serious_problem_reported",
        "发生不可抗力：特大暴雨停工（承办单位报告，《闵行区人民政府重大行政决策督查工作实施细则》第五条第二款）",
    )
