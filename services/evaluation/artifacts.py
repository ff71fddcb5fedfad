"""What an evaluation's dashboard artifacts say: its stage table, its approvals, a document's link text.

Read from the product database and returned as Markdown or plain text; pinggu.tasks.evaluation publishes them as
Prefect artifacts (a new version each time), keyed by `artifact_key`.
"""

from __future__ import annotations

from datetime import date

from pinggu.core.links import document_url, gate_url
from pinggu.models import evaluations as store
from pinggu.models.db import read_session
from pinggu.models.tables import Approval, beijing_minute, now_beijing
from pinggu.rules.gates import gate_stage
from pinggu.rules.profiles import load_profile
from pinggu.rules.steps import STAGE_NAMES, StepId
from pinggu.rules.vocabulary import EVALUATION_TYPE_NAMES, STATUS_NAMES, EvaluationStatus, StageStatus

SUPERSEDED_MARK = "（已被退回重做取代）"


def artifact_key(evaluation_code: str, suffix: str) -> str:
    """Prefect artifact keys allow lowercase letters, digits and dashes only."""
    return f"{evaluation_code.lower()}-{suffix}"


def progress_markdown(evaluation_id: int, today: date | None = None) -> str:
    """The evaluation's stage table as the progress artifact shows it: each stage's status, target,
    actual start and finish, and whether it is overdue; the stage whose gate the run waits at is
    running (进行中（等待：<the gate as the evaluation's regulation names it>）), and the gate is named."""
    with read_session() as session:
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
        rows = store.stages(session=session, evaluation_id=evaluation_id)
        profile = load_profile(store.get_decision(session=session, code=evaluation.decision_code).profile)
        report = store.current_document(session=session, evaluation_id=evaluation_id, kind=StepId.final_report)
    today = today or now_beijing().date()
    waiting_stage = gate_stage(evaluation.waiting_gate) if evaluation.status == EvaluationStatus.waiting else None
    gate_name = profile.gate_title(evaluation.waiting_gate) if waiting_stage and evaluation.waiting_gate else None
    lines = [
        f"### {evaluation.code} · {EVALUATION_TYPE_NAMES[evaluation.type]} · {STATUS_NAMES[evaluation.status]}",
        "",
        "| 阶段 | 状态 | 目标完成日 | 开始 | 完成 | 逾期 |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        overdue = row.status != StageStatus.done and row.target_date is not None and row.target_date < today
        state = STATUS_NAMES[row.status]
        if row.stage == waiting_stage and row.status != StageStatus.done:
            # The run waits at this stage's gate: the stage is under way, whatever an older run recorded.
            state = f"{STATUS_NAMES[StageStatus.running]}（等待：{gate_name}）"
        lines.append(
            f"| {STAGE_NAMES[row.stage]} | {state} | {row.target_date or '—'}"
            f"{'（暂定）' if row.target_provisional else ''} | "
            f"{beijing_minute(row.started_at)} | {beijing_minute(row.finished_at)} | {'是' if overdue else '否'} |"
        )
    if evaluation.status == EvaluationStatus.waiting and evaluation.waiting_for:
        lines += ["", f"正在等待：{evaluation.waiting_for}"]
    if evaluation.status == EvaluationStatus.waiting and evaluation.waiting_gate:
        name = gate_name or profile.gate_title(evaluation.waiting_gate)
        lines += ["", f"办理入口：[{name}]({gate_url(evaluation.code, evaluation.waiting_gate)})"]
    if evaluation.report_path:
        if report is not None and report.id is not None and report.path == evaluation.report_path:
            lines += ["", f"正式报告：[{report.title}]({document_url(report.id)})"]
        else:  # a report recorded without its document row: its path on the server is all there is
            lines += ["", f"正式报告：`{evaluation.report_path}`"]
    return "\n".join(lines)


def _cell(text: str | None) -> str:
    """A value as one Markdown table cell: no line breaks, pipes escaped, — when empty."""
    text = " ".join((text or "").split())
    return text.replace("|", "\\|") if text else "—"


def _answer(approval: Approval) -> str:
    """An answer as the approvals table shows it: the choice, the conclusion it set, and whether a redo set it aside."""
    answer = approval.choice + (f"（结论：{approval.conclusion}）" if approval.conclusion else "")
    return answer + (SUPERSEDED_MARK if approval.superseded else "")


def approvals_markdown(evaluation_id: int) -> str:
    """The 审批记录 table: every accepted answer, oldest first, gate named by the profile, set-aside ones marked."""
    with read_session() as session:
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
        profile = load_profile(store.get_decision(session=session, code=evaluation.decision_code).profile)
        answers = store.approvals(session=session, evaluation_id=evaluation_id)
    lines = [
        f"### {evaluation.code} · 审批记录",
        "",
        "| 环节 | 办理人 | 职务 | 时间（北京） | 答复 | 说明 |",
        "|---|---|---|---|---|---|",
    ]
    for approval in answers:
        lines.append(
            f"| {_cell(profile.gate_title(approval.gate))} | {_cell(approval.approver)} | "
            f"{_cell(approval.approver_role)} | {beijing_minute(approval.decided_at)} | "
            f"{_cell(_answer(approval))} | {_cell(approval.comment)} |"
        )
    if not answers:
        lines += ["", "尚无已受理的答复。"]
    return "\n".join(lines)


def document_link_description(evaluation_id: int, kind: str) -> str | None:
    """A document link artifact's text: document, final conclusion, Word link, SHA-256 (None: none stored)."""
    with read_session() as session:
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
        document = store.current_document(session=session, evaluation_id=evaluation_id, kind=kind)
        word = store.current_document(session=session, evaluation_id=evaluation_id, kind=f"{kind}_docx")
    if document is None:
        return None
    parts = [f"{evaluation.code} {document.title}"]
    if kind == StepId.final_report and evaluation.conclusion:
        parts.append(f"评估结论：**{evaluation.conclusion}**")
    if word is not None and word.id is not None:
        parts.append(f"[Word 版]({document_url(word.id)})")
    parts.append(f"SHA-256：`{document.sha256}`")
    return " · ".join(parts)
