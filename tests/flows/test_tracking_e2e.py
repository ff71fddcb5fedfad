"""The tracking and supervision deployments on the real Prefect server, driven as an office would: the
plan imported and a report handed in from the CLI, the monthly run asking and rendering; a supervision
round started from a file, its rectification reported back from the CLI and reviewed at the run's gate."""

from __future__ import annotations

import re
from datetime import date

import builders
import pytest
from builders import session_scope
from driving import pdf_text, step_answer
from sqlmodel import select
from typer.testing import CliRunner

from pinggu.forms.gates import RectificationReviewForm, SupervisionApprovalForm
from pinggu.models.db import read_session
from pinggu.models.tables import Escalation, Rectification, SupervisionRound, TrackingReport, now_beijing

pytestmark = pytest.mark.e2e


def _run(deployment: str, parameters: dict) -> str:
    from prefect.deployments import run_deployment

    return str(run_deployment(deployment, parameters=parameters, timeout=0).id)


def _completed(run_id: str):
    from pinggu.services.orchestration import wait_for

    return wait_for(run_id, lambda run: run.state is not None and run.state.is_completed(), timeout=180, what="完成")


@pytest.mark.rule("OR-6", "OR-8", "MH-S6", "CL-50")
def test_the_monthly_run_asks_for_the_report_and_renders_it_once_handed_in(prefect_server, tmp_path):
    from pinggu.cli import app
    from pinggu.reporting.other_documents import TrackingInput
    from pinggu.services.tracking import submit_report

    with session_scope() as session:
        code = builders.add_decision(session, "changli", prefix="TRK", title="昌黎县农村生活垃圾治理实施方案").code
    plan = tmp_path / "方案.csv"
    plan.write_text(
        "决策编号,责任机构,责任人员,方法步骤,节点目标,完成时限,责任单位\n"
        f"{code},县城管局,局长 李明,每月调度,建成转运站,2027-03-31,县城管局\n",
        encoding="utf-8",
    )
    imported = CliRunner().invoke(app, ["tracking", "import", str(plan), "--by", "sunli"])
    assert imported.exit_code == 0, imported.output
    assert f"{code}：新建跟踪反馈工作方案，时间节点 1 个" in imported.output

    today = now_beijing().date()
    first_of_next = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    key = f"{today:%Y-%m}"
    started = CliRunner().invoke(app, ["tracking", "run", "--as-of", first_of_next.isoformat(), "--decision", code])
    assert started.exit_code == 0, started.output
    result = _completed(re.search(r"/runs/flow-run/([0-9a-f-]{36})", started.output).group(1))
    assert result.name == "跟踪反馈"
    with read_session() as session:
        (asked,) = session.exec(select(TrackingReport).where(TrackingReport.decision_code == code)).all()
    # CL-50 (changli 50): asked of the implementing unit, the milestone's 县城管局, not the lead unit 区住房保障局.
    assert (asked.period_key, asked.status, asked.unit) == (key, "requested", "县城管局")

    report = TrackingInput(
        reporter="县城管局 张强", progress="转运站主体完工。", effect="清运率提升。", problems="资金到位慢。",
        proposals="申请县财政预拨。", next_steps="设备安装。",
    )  # fmt: skip
    submit_report(code, key, report, first_of_next)
    _completed(_run("tracking/monthly", {"as_of": first_of_next.isoformat(), "decision": code}))
    with read_session() as session:
        rendered = session.get(TrackingReport, asked.id)
    assert rendered is not None and rendered.status == "rendered"
    assert "转运站主体完工" in pdf_text(rendered.pdf_path) and "建成转运站2027-03-31县城管局未到期" in pdf_text(
        rendered.pdf_path
    )

    shown = CliRunner().invoke(app, ["status", code])
    assert shown.exit_code == 0, shown.output
    assert f"跟踪反馈报告 {today.year}年{today.month}月" in shown.output and "已报送" in shown.output


@pytest.mark.rule("OR-10", "CL-53", "MH-S9")
def test_a_supervision_round_waits_at_the_review_gate_until_its_item_is_reported_and_accepted(prefect_server, tmp_path):
    # changli 53: the report is approved by the county leaders first, then sent out; the rectification is
    # assigned only then, and closed only once the office has checked it.
    from pinggu.cli import app
    from pinggu.services.orchestration import answer_gate, paused_at, wait_for

    with session_scope() as session:
        code = builders.add_decision(session, "changli", prefix="SUP", title="昌黎县城区停车设施建设方案").code
    today = now_beijing().date()
    findings = tmp_path / "督查.yaml"
    findings.write_text(
        "methods: [书面督查, 实地督查]\nsupervised: 县住建局\n"
        f"self_inspection_due: {today}\nexecution: 按计划推进。\neffect: 停车难有所缓解。\nproblems: 一处停车场未按期开工。\n"
        f"proposals: 加快手续办理。\nrectifications:\n  - {{item: 办妥施工许可, unit: 县住建局, deadline: {date(today.year + 1, 1, 31)}}}\n",
        encoding="utf-8",
    )
    started = CliRunner().invoke(app, ["supervision", "start", code, str(findings), "--by", "sunli"])
    assert started.exit_code == 0, started.output
    run_id = re.search(r"/runs/flow-run/([0-9a-f-]{36})", started.output).group(1)

    run = wait_for(run_id, lambda run: paused_at(run) is not None, timeout=120, what="督查专报审定")
    assert run.name == f"督查·{code}"
    with read_session() as session:
        (round_,) = session.exec(select(SupervisionRound).where(SupervisionRound.decision_code == code)).all()
        (item,) = session.exec(select(Rectification).where(Rectification.round_id == round_.id)).all()
    text = pdf_text(round_.pdf_path)
    assert "执行情况督查报告" in text and "办妥施工许可县住建局" in text and "督查单位县政府办公室" in text
    assert (
        "本专报经县政府领导审定后，连同批示意见反馈被督查单位、县决策咨询服务中心、决策承办单位、决策实施单位" in text
    )
    assert run.state.state_details.pause_key == f"supervision-approval-{round_.id}-1"
    assert item.status == "pending"
    answer_gate(run_id, paused_at(run), {"instructions": "月底前办妥。"})  # typed in the Prefect UI: nobody signed it
    run = wait_for(
        run_id,
        lambda run: run.state.state_details.pause_key == f"supervision-approval-{round_.id}-2" and paused_at(run),
        timeout=120,
        what="再次等待审定",
    )
    step_answer(run_id, SupervisionApprovalForm, {"instructions": "月底前办妥。"}, "刘志强")  # 县政府领导, signed in
    run = wait_for(
        run_id,
        lambda run: run.state.state_details.pause_key == f"rectification-review-{round_.id}-1" and paused_at(run),
        timeout=120,
        what="督查整改审核",
    )
    with read_session() as session:
        sent = session.get(SupervisionRound, round_.id)
        notices = session.exec(select(Escalation).where(Escalation.ref == f"{code}/supervision/{round_.id}")).all()
    assert sent is not None and [e["as"] for e in sent.distributed_to] == [
        "被督查单位",
        "县决策咨询服务中心",
        "决策承办单位",
        "决策实施单位",
    ]
    assert {n.key.rsplit("#to:", 1)[1] for n in notices} == {"县住建局", "县决策咨询服务中心", "区住房保障局"}

    review = {"item": 1, "verdict": "通过"}
    step_answer(run_id, RectificationReviewForm, review, "孙丽")  # before the unit reported: refused, asked again
    run = wait_for(
        run_id,
        lambda run: run.state.state_details.pause_key == f"rectification-review-{round_.id}-2" and paused_at(run),
        timeout=120,
        what="再次等待审核",
    )
    reported = CliRunner().invoke(
        app, ["supervision", "rectified", str(item.id), "--report", "施工许可已办妥。", "--by", "sunli"]
    )
    assert reported.exit_code == 0, reported.output
    step_answer(run_id, RectificationReviewForm, review, "孙丽")  # 通过 without the check changli 53 requires: refused
    run = wait_for(
        run_id,
        lambda run: run.state.state_details.pause_key == f"rectification-review-{round_.id}-3" and paused_at(run),
        timeout=120,
        what="检查后审核",
    )
    step_answer(
        run_id,
        RectificationReviewForm,
        {**review, "verdict": "经检查整改到位，通过", "comment": "现场核对施工许可证"},
        "孙丽",
    )
    _completed(run_id)
    with read_session() as session:
        closed = session.get(Rectification, item.id)
        assert closed is not None and closed.status == "closed" and closed.closed_on == today
        answers = session.get(SupervisionRound, round_.id).answers
        assert [(a["step"], a["refused"] is None) for a in answers] == [
            ("report_approval", False),
            ("report_approval", True),
            ("rectification_review", False),
            ("rectification_review", False),
            ("rectification_review", True),
        ]
