"""Human steps: what a gate waits for, and accepting or refusing the answer given to it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prefect import task
from sqlmodel import Session

from analysis.survey import read_survey
from models import audit
from models import evaluations as store
from models.db import session_scope
from models.tables import Approval, Evaluation, FormRejection
from pinggu.errors import PingguError, RuleViolation
from pinggu.settings import get_settings
from reporting.pdf import file_sha256
from rules.team import check_experts
from rules.vocabulary import GATE_NAMES
from tasks.ledger import STEP_TASK_OPTIONS

# Who is expected to act at each gate, shown in `pinggu status` and the resume form.
WAITS_FOR = {
    "plan_approval": "评估组织单位负责人审定评估方案",
    "survey": "承办单位提交问卷调查数据",
    "expert_review": "评估小组录入专家论证意见",
    "approval": "决策机关审定评估报告并确定评估结论",
}


def pause_key(gate: str, attempt: int) -> str:
    """The suspend key of a gate's n-th asking; Prefect allows lowercase letters, digits, dashes."""
    return f"{gate.replace('_', '-')}-{attempt}"


def _answer(approval: Approval) -> dict[str, Any]:
    return {
        "gate": approval.gate,
        "choice": approval.choice,
        "conclusion": approval.conclusion,
        "approver": approval.approver,
        "comment": approval.comment,
    }


@task(name="查询人工环节", **STEP_TASK_OPTIONS)
def gate_status(evaluation_id: int, gate: str) -> dict[str, Any]:
    """The gate's standing answer, or the pause key and form description to wait under."""
    with session_scope() as session:
        standing = store.current_approval(session=session, evaluation_id=evaluation_id, gate=gate)
        if standing:
            return {"answer": _answer(standing)}
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
        attempt = store.next_gate_attempt(session=session, evaluation_id=evaluation_id, gate=gate)
        key = pause_key(gate, attempt)
        waiting_for = f"{GATE_NAMES[gate]}（{WAITS_FOR[gate]}；第{attempt}次）"
        if evaluation.waiting_for != waiting_for:
            evaluation.status, evaluation.waiting_for = "waiting", waiting_for
            session.add(evaluation)
            audit.record(session=session, action="gate_waiting", evaluation_id=evaluation_id, gate=gate, key=key)
        refused = store.rejections(session=session, evaluation_id=evaluation_id)
        last_refusal = next((r.reason for r in reversed(refused) if r.gate == gate), None)
        return {"attempt": attempt, "key": key, "description": _description(session, evaluation, gate, last_refusal)}


def _description(session: Session, evaluation: Evaluation, gate: str, last_refusal: str | None) -> str:
    decision = store.get_decision(session=session, code=evaluation.decision_code)
    lines = [f"**{GATE_NAMES[gate]}** · 评估 {evaluation.code} · 《{decision.title}》", "", WAITS_FOR[gate] + "。"]
    document_kind = {"plan_approval": "plan", "expert_review": "draft_report", "approval": "draft_report"}.get(gate)
    document = document_kind and store.current_document(session=session, evaluation_id=evaluation.id, kind=document_kind)
    if document:
        lines.append(f"\n待审材料：{document.title} `{document.path}`")
    if last_refusal:
        lines.append(f"\n⚠ 上次提交未被受理：{last_refusal}。请修改后重新提交。")
    return "\n".join(lines)


def _accept_plan_approval(session: Session, evaluation: Evaluation, answer: dict) -> Approval:
    if answer["choice"] == "退回修改" and not answer.get("comment", "").strip():
        raise RuleViolation("退回修改时须在“说明”中写明需要修改的内容", rule="S-PREP")
    return Approval(
        gate="plan_approval",
        approver=answer["approver"].strip(),
        approver_role=answer["approver_role"].strip(),
        choice=answer["choice"],
        comment=answer.get("comment") or None,
    )


def _accept_survey(session: Session, evaluation: Evaluation, answer: dict) -> Approval:
    source = Path(answer["file"].strip()).expanduser()
    survey = read_survey(source)  # InputFileError names each bad row and column
    attempt = store.next_gate_attempt(session=session, evaluation_id=evaluation.id, gate="survey")
    # E-PRIVACY: only the cleaned copy, without personal data, is kept by the product.
    stored = get_settings().documents_dir / evaluation.code / f"问卷数据-第{attempt}次提交.csv"
    stored.parent.mkdir(parents=True, exist_ok=True)
    survey.to_csv(stored, index=False, encoding="utf-8")
    store.add_document(
        session=session,
        evaluation_id=evaluation.id,
        kind="survey",
        title=f"问卷数据（{source.name}，{len(survey)} 份）",
        path=str(stored),
        sha256=file_sha256(stored),
        source_name=source.name,
        respondents=len(survey),
    )
    return Approval(
        gate="survey",
        approver=answer["submitter"].strip(),
        approver_role=answer["submitter_role"].strip(),
        choice="提交",
        details={"file": source.name, "respondents": len(survey)},
    )


def _accept_expert_review(session: Session, evaluation: Evaluation, answer: dict) -> Approval:
    experts = [name.strip() for name in re.split(r"[、,，;；\s]+", answer["experts"]) if name.strip()]
    decision = store.get_decision(session=session, code=evaluation.decision_code)
    check_experts(experts, decision.pre_decision_assessors)
    return Approval(
        gate="expert_review",
        approver=answer["submitter"].strip(),
        approver_role=answer["submitter_role"].strip(),
        choice="提交",
        comment=answer["opinion"].strip(),
        details={"experts": experts, "opinion": answer["opinion"].strip(), "handling": answer["handling"].strip()},
    )


def _accept_report_approval(session: Session, evaluation: Evaluation, answer: dict) -> Approval:
    analysed = store.latest_step(session=session, evaluation_id=evaluation.id, step="survey_analysis")
    # bazhou 5, ningxia 9: no conclusion before the analysis exists.
    if analysed is None or analysed.status != "done":
        raise RuleViolation("评估分析尚未完成，不能确定评估结论", rule="C-NOPRESET")
    if answer["choice"] == "通过":
        if not answer.get("conclusion"):
            raise RuleViolation(
                "审定通过时必须选择评估结论：继续执行、调整、中止执行或终止执行", rule="C-CONCLUSION"
            )
        evaluation.conclusion = answer["conclusion"]
        session.add(evaluation)
    elif not answer.get("comment", "").strip():
        raise RuleViolation("退回修改时须在“审定意见说明”中写明需要修改的内容", rule="G-APPROVE")
    return Approval(
        gate="approval",
        approver=answer["approver"].strip(),
        approver_role=answer["approver_role"].strip(),
        choice=answer["choice"],
        conclusion=answer.get("conclusion") if answer["choice"] == "通过" else None,
        comment=answer.get("comment") or None,
    )


ACCEPTORS: dict[str, Callable[[Session, Evaluation, dict], Approval]] = {
    "plan_approval": _accept_plan_approval,
    "survey": _accept_survey,
    "expert_review": _accept_expert_review,
    "approval": _accept_report_approval,
}


@task(name="受理人工环节答复", **STEP_TASK_OPTIONS)
def accept_answer(evaluation_id: int, gate: str, attempt: int, key: str, answer: dict, flow_run_id: str) -> dict:
    """Check an answer against the rules; record it, or record why it was refused."""
    try:
        with session_scope() as session:
            evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
            approval = ACCEPTORS[gate](session, evaluation, answer)
            approval.evaluation_id, approval.attempt, approval.pause_key = evaluation_id, attempt, key
            approval.flow_run_id = flow_run_id
            session.add(approval)
            evaluation.status, evaluation.waiting_for = "running", None
            session.add(evaluation)
            audit.record(
                session=session,
                action="gate_answered",
                actor=f"{approval.approver}（{approval.approver_role}）",
                evaluation_id=evaluation_id,
                gate=gate,
                key=key,
                choice=approval.choice,
                conclusion=approval.conclusion,
                comment=approval.comment,
            )
            return {"accepted": True, "answer": _answer(approval)}
    except PingguError as refusal:
        with session_scope() as session:
            session.add(FormRejection(evaluation_id=evaluation_id, gate=gate, pause_key=key, reason=str(refusal)))
            audit.record(
                session=session, action="gate_answer_refused", evaluation_id=evaluation_id, gate=gate, key=key,
                reason=str(refusal),
            )
        return {"accepted": False, "reason": str(refusal)}
