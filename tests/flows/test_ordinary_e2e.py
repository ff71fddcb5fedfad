"""End to end on a real Prefect server: serve, trigger, suspend at every gate, resume through the API."""

from __future__ import annotations

import subprocess
from collections import Counter
from pathlib import Path

import pytest
from pypdf import PdfReader

from builders import (
    SAMPLES,
    bad_survey,
    expert_marks_submission,
    expert_review,
    plan_approval,
    report_approval,
    survey_submission,
    team,
)
from driving import answer, completed as _completed, done_counts, evaluation_of as _evaluation, reach as _reach

pytestmark = pytest.mark.e2e


@pytest.mark.rule(
    "S-PREP", "S-IMPL", "S-CONCL", "G-APPROVE", "C-CONCLUSION", "C-FOLLOWUP", "MH-14", "R-PROCESS", "E-PRIVACY"
)
def test_ordinary_evaluation_runs_end_to_end(prefect_server, sample_catalog, tmp_path):
    from prefect import get_client
    from prefect.client.schemas.responses import SetStateStatus

    from models import audit
    from models import evaluations as store
    from models.db import session_scope
    from pinggu.orchestration import answer_gate, read_flow_run, start_evaluation

    run_id = start_evaluation("ordinary", {"decision": "S-2022-003", "team": team(), "budget_yuan": 50000})

    # ── plan gate: a form without the approver is refused by the server; the run stays suspended
    _reach(run_id, "plan_approval")
    with get_client(sync_client=True) as client:
        refused = client.resume_flow_run(run_id, run_input={"approver_role": "主任", "choice": "同意"})
        assert refused.status == SetStateStatus.REJECT
        blank = client.resume_flow_run(run_id, run_input={**plan_approval(approver="   ")})
        assert blank.status == SetStateStatus.REJECT
    assert read_flow_run(run_id).state.is_paused()
    assert read_flow_run(run_id).state.state_details.pause_key == "plan-approval-1"

    # ── rework: the plan is sent back once, rewritten, and approved on the second round
    answer_gate(run_id, "plan_approval", plan_approval("退回修改", comment="补充经费测算"))
    assert _reach(run_id, "plan_approval").state.state_details.pause_key == "plan-approval-2"
    answer_gate(run_id, "plan_approval", plan_approval("同意", comment="方案可行"))

    # ── a survey with a bad answer is refused with its row and column; a good one is accepted
    _reach(run_id, "survey")
    answer_gate(run_id, "survey", survey_submission(bad_survey(tmp_path / "bad.csv")))
    assert _reach(run_id, "survey").state.state_details.pause_key == "survey-2"
    answer_gate(run_id, "survey", survey_submission(SAMPLES / "survey.csv"))

    answer(run_id, "expert_marks", expert_marks_submission("minhang", tmp_path / "marks.csv", mark=95, completion=98))
    answer(run_id, "expert_review", expert_review())
    # rework of the report: the draft is rewritten and reviewed again
    answer(run_id, "approval", report_approval("退回修改", None, comment="补充成本效益分析", rework="修改评估报告"))
    answer(run_id, "expert_review", expert_review())
    # departing from the score's recommendation needs a written reason
    answer(run_id, "approval", report_approval("通过", "调整", comment="按专家意见调整补贴标准"))
    assert _reach(run_id, "approval").state.state_details.pause_key == "approval-3"
    answer_gate(run_id, "approval", report_approval(
        "通过", "调整", comment="按专家意见调整补贴标准", departure_reason="补贴对象覆盖不足，须调整"
    ))
    final = _completed(run_id)
    assert final.name == "后评估·S-2022-003·一般程序"

    evaluation = _evaluation(run_id)
    assert evaluation.status == "completed" and evaluation.conclusion == "调整"

    # each step ran exactly once, counted from the product database (the plan twice: rework)
    counts = done_counts(evaluation.id)
    assert counts == {
        "team": 1, "plan": 2, "analysis": 1, "scoring": 1, "preliminary": 1,
        "draft_report": 2, "work_completed": 2, "final_report": 1, "follow_up": 1, "archive": 1,
    }
    with session_scope() as session:
        answers = store.approvals(session=session, evaluation_id=evaluation.id)
        refusals = store.rejections(session=session, evaluation_id=evaluation.id)
        step_done = Counter(e.detail["step"] for e in audit.events_for(session=session, evaluation_id=evaluation.id, action="step_done"))
        assert audit.verify_chain(session=session) is None
        stages = store.stages(session=session, evaluation_id=evaluation.id)
    assert step_done == counts
    assert [(a.gate, a.choice, a.superseded) for a in answers] == [
        ("plan_approval", "退回修改", True),
        ("plan_approval", "同意", False),
        ("survey", "提交", False),
        ("expert_marks", "提交", False),
        ("expert_review", "提交", True),
        ("approval", "退回修改", True),
        ("expert_review", "提交", False),
        ("approval", "通过", False),
    ]
    assert answers[-1].details == {
        "rework": None, "recommended": "继续执行", "departure_reason": "补贴对象覆盖不足，须调整"
    }
    assert answers[-1].approver == "刘志强" and answers[-1].approver_role == "区长"
    assert answers[-1].comment == "按专家意见调整补贴标准" and answers[-1].conclusion == "调整"
    assert [r.gate for r in refusals] == ["survey", "approval"]
    assert "推荐的结论“继续执行”不同" in refusals[1].reason and "MH-14" in refusals[1].reason
    assert "第 5 行" in refusals[0].reason and "Q3 满意度" in refusals[0].reason
    assert all(s.status == "done" and s.started_at and s.finished_at for s in stages)
    with session_scope() as session:
        follow_ups = store.follow_ups(session=session, evaluation_id=evaluation.id)
    assert [(f.conclusion, f.unit, f.status) for f in follow_ups] == [("调整", "区财政局", "open")]
    assert (follow_ups[0].due_date - follow_ups[0].created_at.date()).days >= 30

    # the PDF: several pages, the decision's Chinese title, no personal data of respondents
    pdf = Path(evaluation.report_path)
    reader = PdfReader(pdf)
    text = "".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 2
    assert "关于智慧停车建设的实施方案" in "".join(text.split())
    assert "第 1 页" not in text  # the cover carries no page number
    assert "共" in text and "页" in text
    for personal in ("刘伟", "15667952275", "134436195112142669"):
        assert personal not in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts and "yes" in fonts  # embedded CJK font

    # a new flow run for the same evaluation redoes nothing and suspends nowhere
    rerun = start_evaluation("ordinary", {"decision": "S-2022-003", "team": team(), "evaluation": evaluation.code})
    _completed(rerun)
    assert done_counts(evaluation.id) == counts
