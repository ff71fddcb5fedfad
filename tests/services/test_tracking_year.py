"""One decision through a simulated year of tracking and supervision, time injected rather than slept:
twelve monthly reports (one late and escalated), a missed milestone shown, a major-change report that
becomes a trigger and proposes an evaluation (minhang 后评估 6(1): 应当及时开展; a force-majeure report would wait
for the district government's consent instead, tests/services/test_supervision.py), public opinions reaching the count, and a supervision
round with two rectification items, one done on time and one overdue and escalated (issue 17)."""

from __future__ import annotations

from datetime import date

import builders
import pytest
from builders import session_scope
from driving import pdf_text
from sqlmodel import select

from pinggu.core.errors import RuleViolation, StateConflict
from pinggu.models.db import read_session, transaction
from pinggu.models.tables import AuditEvent, Escalation, Rectification, SupervisionRound, TrackingReport, TriggerEvent
from pinggu.reporting.other_documents import SupervisionInput, TrackingInput
from pinggu.rules.tracking import OpinionChannel, ReviewVerdict, SeriousReport
from pinggu.services import supervision, tracking

pytestmark = pytest.mark.e2e  # the force-majeure report proposes its plan on the real Prefect server

PLAN_ROWS = (
    "{code},区住房保障局决策跟踪小组,科长 周敏、科员 陈立,每月调度、季度实地查看,完成加装电梯意愿摸底,2026-03-31,区住房保障局\n"
    "{code},,,,首批 50 台开工,2026-06-30,各街道办事处\n"
    "{code},,,,首批 50 台竣工验收,2026-10-31,区住房保障局\n"
)


def _escalate(code: str, day: date) -> list[tuple[str, str]]:
    """What the deadline watch of `day` newly escalates for this decision (the watch's own functions)."""
    from pinggu.models.watch import record_escalations, watched_items
    from pinggu.rules.watch import alerts

    def work(session):
        found = [a for a in alerts(watched_items(session=session), day, (7, 3)) if a.item.ref.startswith(code + "/")]
        return sorted((e.ref, e.level) for e in record_escalations(session=session, alerts=found))

    return transaction(work)


def _report(month: int, **more) -> TrackingInput:
    return TrackingInput(
        reporter="区住房保障局 陈立",
        progress=f"{month}月新增签约加装电梯 {month * 3} 台。",
        effect="老年居民出行条件改善。",
        problems="部分楼栋低层住户意见不一。",
        proposals="街道加强协商。",
        next_steps="继续推进签约和开工。",
        **more,
    )


@pytest.mark.rule("OR-6", "OR-8", "OR-9", "MH-S6", "E-PUBLIC", "OR-10")
def test_a_year_of_tracking_and_supervision(prefect_server, tmp_path):
    from pinggu.services.orchestration import paused_at, read_flow_run, wait_for

    with session_scope() as session:
        code = builders.add_decision(session, "minhang", prefix="TRK", title="闵行区既有多层住宅加装电梯实施意见").code

    # ── OR-6, MH-S6: the plan imported for the year; reports asked for month by month ────────────────
    plan = tmp_path / "跟踪反馈工作方案.csv"
    plan.write_text(
        "决策编号,责任机构,责任人员,方法步骤,节点目标,完成时限,责任单位\n" + PLAN_ROWS.format(code=code),
        encoding="utf-8",
    )
    assert tracking.import_plans(plan, "区政府办公室 赵敏", date(2026, 1, 5)) == [
        f"{code}：新建跟踪反馈工作方案，时间节点 3 个"
    ]
    submitted_on = {month: date(2026, month + 1, 5) if month < 12 else date(2027, 1, 5) for month in range(1, 13)}
    submitted_on[4] = date(2026, 5, 20)  # the April report, due 11 May, handed in late
    done = {3: [{"seq": 1, "done_on": date(2026, 3, 20)}], 11: [{"seq": 3, "done_on": date(2026, 11, 10)}]}
    serious = {7: {"serious": SeriousReport.major_change, "serious_note": "7月市级补贴政策调整，补贴标准下调三成"}}
    escalated = []
    proposal = None
    for month in range(1, 13):
        first_of_next = date(2026 + month // 12, month % 12 + 1, 1)
        asked = tracking.open_requests(first_of_next, code)
        assert [(a.period, a.unit) for a in asked] == [(f"2026年{month}月", "区住房保障局")]
        assert tracking.open_requests(first_of_next, code) == []  # a second run of the month asks nothing twice
        if month == 4:
            escalated += _escalate(code, date(2026, 5, 12))  # the watch, the day after the due date
        if month == 6:
            escalated += _escalate(code, date(2026, 7, 1))  # the milestone of 30 June not reported done
        key = f"2026-{month:02d}"
        received = tracking.submit_report(
            code,
            key,
            _report(month, milestones_done=done.get(month, []), **serious.get(month, {})),
            submitted_on[month],
        )
        assert received.late is (month == 4)
        if month == 7:
            proposal = received
    assert (f"{code}/tracking/2026-04", "overdue") in escalated
    assert (f"{code}/milestone/2", "overdue") in escalated
    with pytest.raises(StateConflict, match="不能重复报送"):
        tracking.submit_report(code, "2026-03", _report(3), date(2026, 4, 6))

    # ── OR-9: the major-change report became a trigger at once and proposed a single-item plan ─────────
    assert (
        proposal is not None
        and proposal.trigger == "已记录为评估情形“决策依据的法律、法规、政策或客观情况发生重大变化”（2026-08-05）"
    )
    assert proposal.proposal and proposal.proposal.startswith(f"已提出专项评估计划：{code}（一般程序）")
    with read_session() as session:
        (trigger,) = session.exec(select(TriggerEvent).where(TriggerEvent.decision_code == code)).all()
    assert (trigger.kind, trigger.occurred_on) == ("basis_changed", date(2026, 8, 5))
    assert trigger.note == (
        "客观情况发生重大变化：7月市级补贴政策调整，补贴标准下调三成"
        "（承办单位报告，《闵行区人民政府重大行政决策后评估程序实施细则》第六条（一））"
    )
    run_id = proposal.proposal.rsplit("/", 1)[-1]
    run = wait_for(run_id, lambda run: paused_at(run) is not None, timeout=120, what="专项评估计划审定")
    assert read_flow_run(run_id).name == f"专项评估计划·2026·{code}" and run.state.is_paused()

    # ── OR-8: each report rendered from what was recorded: the milestones, the lateness ───────────────
    rendered = {}
    for report_id in tracking.received_reports(code):
        rendered[report_id] = tracking.render_report(report_id, date(2027, 1, 6))
        assert tracking.render_report(report_id, date(2027, 1, 6)) is None  # once
    with read_session() as session:
        reports = {
            r.period_key: r for r in session.exec(select(TrackingReport).where(TrackingReport.decision_code == code))
        }
    assert len(reports) == 12 and all(r.status == "rendered" and r.pdf_path for r in reports.values())
    june = pdf_text(reports["2026-06"].pdf_path)
    for part in ("一、工作进展", "二、执行效果", "三、执行中存在的问题和解决建议", "四、下一步工作安排"):
        assert part in june
    assert "首批50台开工2026-06-30各街道办事处逾期未完成" in june
    assert "完成加装电梯意愿摸底2026-03-31区住房保障局已完成（2026-03-20）" in june
    assert "逾期报送，期限2026-05-11" in pdf_text(reports["2026-04"].pdf_path)
    july = pdf_text(reports["2026-07"].pdf_path)
    assert "五、须及时报告的情况" in july and "客观情况发生重大变化：7月市级补贴政策调整，补贴标准下调三成" in july
    assert "逾期完成（2026-11-10）" in pdf_text(reports["2026-11"].pdf_path)

    # ── E-PUBLIC: the tenth opinion within a month raises many_opinions for the office to judge ────────
    for day in range(1, 11):
        said = tracking.record_opinion(
            code, OpinionChannel.letter if day % 2 else OpinionChannel.phone, date(2026, 3, day * 2),
            f"第 {day} 件：反对本楼加装电梯", "13800138000", "区信访办 孙丽",
        )  # fmt: skip
        assert ("【意见较多】" in said) is (day == 10)
    with read_session() as session:
        (notice,) = session.exec(select(Escalation).where(Escalation.ref == f"{code}/opinions")).all()
        audit_text = str([e.detail for e in session.exec(select(AuditEvent).where(AuditEvent.decision_code == code))])
    assert "收到公众意见 10 件" in notice.text and "2026-03-02 电话：第 1 件" not in notice.text
    assert "2026-03-02 信函：第 1 件：反对本楼加装电梯" in notice.text
    assert "13800138000" not in notice.text + audit_text  # the contact stays in its own table

    # ── OR-10: a supervision round, its report, two rectification items ──────────────────────────────
    findings = dict(
        methods=["书面督查", "实地督查"], held_on=date(2026, 9, 15), execution="总体按计划推进。", effect="成效初显。",
        problems="两个街道签约进度滞后；暴雨后复工安全措施不足。", proposals="建立周调度。",
        rectifications=[
            {"item": "补齐滞后街道的签约进度", "unit": "莘庄镇", "deadline": date(2026, 10, 31)},
            {"item": "完善复工安全措施", "unit": "区住房保障局", "deadline": date(2026, 11, 16)},
        ],
    )  # fmt: skip
    with pytest.raises(RuleViolation, match="听取汇报不是本规定的督查方式"):
        supervision.record_round(
            "year-1", code, SupervisionInput(**{**findings, "methods": ["听取汇报"]}), "督查科", date(2026, 9, 16)
        )
    round_id = supervision.record_round(
        "year-1", code, SupervisionInput(**findings), "区政府办公室督查科", date(2026, 9, 16)
    )
    assert (
        supervision.record_round("year-1", code, SupervisionInput(**findings), "区政府办公室督查科", date(2026, 9, 16))
        == round_id
    )
    report = pdf_text(supervision.render_round(round_id, date(2026, 9, 16)))
    assert "督查单位区政府办公室" in report and "补齐滞后街道的签约进度莘庄镇2026-10-31" in report
    with read_session() as session:
        first, second = session.exec(select(Rectification).where(Rectification.round_id == round_id)).all()
    assert first.id is not None and second.id is not None

    waiting = supervision.review_status(round_id)
    assert waiting is not None and waiting.key == f"rectification-review-{round_id}-1"
    refused = supervision.review(round_id, waiting.key, 1, ReviewVerdict.accept, "赵敏", "", date(2026, 10, 1))
    assert refused == "第 1 项（补齐滞后街道的签约进度）待整改报告，尚不能审核"
    assert supervision.review_status(round_id).key == f"rectification-review-{round_id}-2"  # the refusal counted

    assert supervision.report_back(first.id, "已完成签约 40 户。", date(2026, 10, 20), "莘庄镇 吴刚") == (
        f"已记录整改事项 {first.id}（补齐滞后街道的签约进度）的整改报告"
    )
    assert (
        supervision.review(
            round_id, f"rectification-review-{round_id}-2", 1, ReviewVerdict.accept, "赵敏", "", date(2026, 10, 22)
        )
        is None
    )

    assert _escalate(code, date(2026, 11, 17)) == [(f"{code}/rectification/{second.id}", "overdue")]
    late = supervision.report_back(second.id, "已制定复工安全方案。", date(2026, 11, 25), "区住房保障局 陈立")
    assert late.endswith("：逾期 9 日（期限 2026-11-16）")
    key = supervision.review_status(round_id).key
    assert (
        supervision.review(round_id, key, 2, ReviewVerdict.spot_check, "赵敏", "抽查两个工地", date(2026, 11, 26))
        is None
    )
    key = supervision.review_status(round_id).key
    assert supervision.review(round_id, key, 2, ReviewVerdict.accept, "赵敏", "抽查属实", date(2026, 12, 3)) is None
    assert supervision.review_status(round_id) is None
    with read_session() as session:
        closed = session.get(SupervisionRound, round_id)
        assert closed is not None and closed.closed_at is not None

    # ── visibility: status, the board, the annual figures (R-ANNUAL) ─────────────────────────────────
    from pinggu.annual_summary import _tracking_figures
    from pinggu.status import decision_status, render_decision_text
    from pinggu.services.portfolio import tracking_board

    shown = render_decision_text(decision_status(code))
    assert "时间节点 2：首批 50 台开工（各街道办事处，2026-06-30 前）· 逾期未完成  【未按期】" in shown
    assert "跟踪反馈报告 2026年4月：期限 2026-05-11，2026-05-20 报送，已报送  【逾期】" in shown
    assert "及时报告：客观情况发生重大变化" in shown and "公众意见 10 件" in shown
    (row,) = [r for r in tracking_board(date(2027, 1, 6)) if r["决策编号"] == code]
    assert row["跟踪报告"] == "应报 12，已报 12，逾期 1"
    assert row["未按期的节点"] == "2. 首批 50 台开工（2026-06-30）；3. 首批 50 台竣工验收（2026-10-31）"
    assert row["整改事项"] == "共 2，办结 2，逾期 0"
    with read_session() as session:
        figures = _tracking_figures(session, 2026, {code})
    assert figures == {
        "reports_due": 11,  # December's report is due in January 2027
        "reports_in": 11,
        "reports_late": 1,
        "milestones": 3,
        "milestones_missed": 2,
        "rounds": 1,
        "items": 2,
        "items_closed": 2,
        "items_late": 1,
    }
