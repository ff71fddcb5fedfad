"""Human steps: what a gate waits for, and accepting or refusing the answer given to it."""

from __future__ import annotations

import functools
import json
import math
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prefect import task
from sqlmodel import Session, select

from core.errors import InputFileError, PingguError, RuleViolation
from core.settings import get_settings
from models import audit
from models import evaluations as store
from models.agencies import Agency, current_entrustment, end_entrustment, record_false_report
from models.db import read_session, transaction
from models.tables import Approval, Decision, Evaluation, FormRejection
from reporting.pdf import file_sha256
from rules.procedure import Procedure
from rules.profiles import load_profile
from rules.scoring import check_departure, missing_inputs, read_expert_marks
from rules.team import Member, check_experts, check_team
from rules.vocabulary import GATE_NAMES, GATE_STAGE
from tasks.evaluation import procedure_of
from tasks.ledger import STEP_TASK_OPTIONS, SkipWhenDone

DOCUMENT_UNDER_REVIEW = {
    "plan_approval": "plan",
    "start_approval": "plan",
    "expert_review": "draft_report",
    "third_party_acceptance": "draft_report",
    "approval": "draft_report",
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
        "rework": approval.details.get("rework"),
        "details": approval.details,
    }


def gate_name(procedure: Procedure, gate: str) -> str:
    """The gate as the profile's regulation names it (e.g. 厅决策机关审议); submissions by their material."""
    profile_gate = procedure.gate(gate)
    return profile_gate.name if profile_gate and profile_gate.id == gate else GATE_NAMES[gate]


def waits_for(procedure: Procedure, gate: str) -> str:
    """Who must act at a gate, from the profile (e.g. 厅决策机关（厅党组会议、厅务会议或厅专题会议）)."""
    profile_gate = procedure.gate(gate)
    return profile_gate.actor if profile_gate else "评估单位"


def _answered(evaluation_id: int, gate: str) -> tuple[bool, dict | None]:
    with read_session() as session:
        standing = store.current_approval(session=session, evaluation_id=evaluation_id, gate=gate)
        return (True, {"answer": _answer(standing)}) if standing else (False, None)


# A resumed flow passes every gate answered before; it finds the answer without starting a task run.
@functools.partial(SkipWhenDone, done=_answered)
@task(name="查询人工环节", **STEP_TASK_OPTIONS)
def gate_status(evaluation_id: int, gate: str) -> dict[str, Any]:
    """The gate's standing answer, or the pause key and form description to wait under."""
    with read_session() as session:
        standing = store.current_approval(session=session, evaluation_id=evaluation_id, gate=gate)
        if standing:
            return {"answer": _answer(standing)}
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
        procedure = procedure_of(session, evaluation)
        attempt = store.next_gate_attempt(session=session, evaluation_id=evaluation_id, gate=gate)
        key = pause_key(gate, attempt)
        waiting_for = f"{gate_name(procedure, gate)}（{waits_for(procedure, gate)}；第{attempt}次）"
        refused = store.rejections(session=session, evaluation_id=evaluation_id)
        last_refusal = next((r.reason for r in reversed(refused) if r.gate == gate), None)
        description = _description(session, evaluation, procedure, gate, last_refusal)
    if evaluation.waiting_for != waiting_for:
        transaction(lambda session: _mark_waiting(session, evaluation_id, gate, key, waiting_for))
    return {"attempt": attempt, "key": key, "description": description}


def _mark_waiting(session: Session, evaluation_id: int, gate: str, key: str, waiting_for: str) -> None:
    evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
    if evaluation.waiting_for == waiting_for:
        return
    evaluation.status, evaluation.waiting_for, evaluation.waiting_gate = "waiting", waiting_for, gate
    session.add(evaluation)
    audit.record(session=session, action="gate_waiting", evaluation_id=evaluation_id, gate=gate, key=key)


def _description(
    session: Session, evaluation: Evaluation, procedure: Procedure, gate: str, last_refusal: str | None
) -> str:
    decision = store.get_decision(session=session, code=evaluation.decision_code)
    profile_gate = procedure.gate(gate)
    lines = [
        f"**{gate_name(procedure, gate)}** · 评估 {evaluation.code} · 《{decision.title}》",
        "",
        f"办理：{waits_for(procedure, gate)}" + (f"（依据：{profile_gate.basis}）" if profile_gate else ""),
    ]
    target = _gate_target(session, evaluation.id, gate)
    if target:
        lines.append(f"\n目标完成日：{target}")
    document_kind = DOCUMENT_UNDER_REVIEW.get(gate)
    document = document_kind and store.current_document(
        session=session, evaluation_id=evaluation.id, kind=document_kind
    )
    if document:
        lines.append(f"\n待审材料：{document.title} `{document.path}`")
    if gate == "approval":
        scored = store.latest_step(session=session, evaluation_id=evaluation.id, step="scoring")
        card = scored.result if scored and scored.status == "done" else {}
        if card.get("total") is not None:
            lines.append(
                f"\n评估得分 {card['total']:g} 分（{card['grade']}），按得分推荐的结论：**{card['recommended']}**。"
                "审定结论与推荐不同时，须在“偏离推荐结论的理由”中书面说明。"
            )
    if last_refusal:
        lines.append(f"\n⚠ 上次提交未被受理：{last_refusal}。请修改后重新提交。")
    return "\n".join(lines)


def _gate_target(session: Session, evaluation_id: int, gate: str) -> str | None:
    for record in store.stages(session=session, evaluation_id=evaluation_id):
        if record.stage == GATE_STAGE[gate] and record.target_date:
            return f"{record.target_date}{'（暂定）' if record.target_provisional else ''}"
    return None


def _who(answer: dict, name: str = "approver", role: str = "approver_role") -> tuple[str, str]:
    return answer[name].strip(), answer[role].strip()


def _require_reason(answer: dict, field: str, message: str, rule: str) -> None:
    if not (answer.get(field) or "").strip():
        raise RuleViolation(message, rule=rule)


def _stored_copy(evaluation: Evaluation, gate: str, attempt: int, source: Path) -> Path:
    stored = get_settings().documents_dir / evaluation.code / f"{GATE_NAMES[gate]}-第{attempt}次提交{source.suffix}"
    stored.parent.mkdir(parents=True, exist_ok=True)
    return stored


def _source(answer: dict) -> Path:
    source = Path(answer["file"].strip()).expanduser()
    if not source.is_file():
        raise InputFileError(f"找不到文件 {source}，请填写评估服务器上可读取的完整路径", path=str(source))
    if source.stat().st_size == 0:
        raise InputFileError(f"文件 {source.name} 是空文件", path=str(source))
    return source


def _accept_plan_approval(session: Session, evaluation: Evaluation, answer: dict) -> Approval:
    if answer["choice"] == "退回修改":
        _require_reason(answer, "comment", "退回修改时须在“说明”中写明需要修改的内容", "S-PREP")
    approver, role = _who(answer)
    return Approval(
        gate="plan_approval",
        approver=approver,
        approver_role=role,
        choice=answer["choice"],
        comment=answer.get("comment") or None,
        details={"rework": "plan" if answer["choice"] == "退回修改" else None},
    )


def _accept_team(session: Session, evaluation: Evaluation, answer: dict) -> Approval:
    decision = store.get_decision(session=session, code=evaluation.decision_code)
    members = [Member(**member) for member in answer["members"]]
    check_team(members, decision.pre_decision_assessors)  # TEAM-MEMBERS, TEAM-CONFLICT
    submitter, role = _who(answer, "submitter", "submitter_role")
    return Approval(
        gate="team",
        approver=submitter,
        approver_role=role,
        choice="提交",
        details={"members": [dict(member) for member in answer["members"]]},
    )


def _accept_start_approval(session: Session, evaluation: Evaluation, answer: dict) -> Approval:
    if answer["choice"] == "不开展":
        _require_reason(answer, "comment", "决定不开展评估时须在“说明”中写明理由", "NX-10")
    approver, role = _who(answer)
    return Approval(
        gate="start_approval",
        approver=approver,
        approver_role=role,
        choice=answer["choice"],
        comment=answer.get("comment") or None,
    )


@dataclass(frozen=True)
class StoredSubmission:
    """A submitted file, checked and stored before any transaction opens; what its gate records."""

    gate: str
    title: str
    path: Path
    meta: dict[str, Any]
    details: dict[str, Any]
    comment: str | None = None


# A submission's file is read, checked and copied by its preparer with no transaction open (a large
# survey takes seconds); the short transaction then only records it (_accept_submission).
Preparer = Callable[[Evaluation, Decision, int, dict], StoredSubmission]


def _prepare_survey(evaluation: Evaluation, decision: Decision, attempt: int, answer: dict) -> StoredSubmission:
    from analysis.survey import read_survey  # pandas only where data is read: a resumed run starts faster

    source = _source(answer)
    survey = read_survey(source)  # InputFileError names each bad row and column
    # E-PRIVACY: only the cleaned copy, without personal data, is kept by the product.
    stored = _stored_copy(evaluation, "survey", attempt, source.with_suffix(".csv"))
    survey.to_csv(stored, index=False, encoding="utf-8")
    return StoredSubmission(
        gate="survey",
        title=f"问卷数据（{source.name}，{len(survey)} 份）",
        path=stored,
        meta={"source_name": source.name, "respondents": len(survey)},
        details={"file": source.name, "respondents": len(survey)},
    )


def _prepare_opinions(evaluation: Evaluation, decision: Decision, attempt: int, answer: dict) -> StoredSubmission:
    from analysis.opinions import read_opinions

    source = _source(answer)
    opinions = read_opinions(source)  # InputFileError names each bad row and column; senders removed
    stored = _stored_copy(evaluation, "opinions", attempt, source.with_suffix(".csv"))
    opinions.to_csv(stored, encoding="utf-8")
    return StoredSubmission(
        gate="opinions",
        title=f"意见征集材料（{source.name}，{len(opinions)} 条）",
        path=stored,
        meta={"source_name": source.name, "opinions": len(opinions)},
        details={"file": source.name, "opinions": len(opinions)},
    )


def _prepare_records(
    evaluation: Evaluation, decision: Decision, attempt: int, answer: dict, gate: str
) -> StoredSubmission:
    """Meeting minutes or field-research records: stored as submitted, with the submitter's summary."""
    source = _source(answer)
    stored = _stored_copy(evaluation, gate, attempt, source)
    shutil.copyfile(source, stored)
    summary = answer["summary"].strip()
    return StoredSubmission(
        gate=gate,
        title=f"{GATE_NAMES[gate].removesuffix('提交')}（{source.name}）",
        path=stored,
        meta={"source_name": source.name, "summary": summary},
        details={"file": source.name, "summary": summary},
        comment=summary,
    )


def parse_data_values(text: str) -> dict[str, float]:
    """Statistics typed one per line as “名称：数值” (e.g. 目标任务完成率（%）：92)."""
    values: dict[str, float] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        matched = _STATISTIC.match(line.strip())
        value = float(matched.group(2)) if matched else math.nan
        if not math.isfinite(value):
            raise InputFileError(
                f"统计数据第 {number} 行“{line.strip()}”应写作“名称：数值”，例如 目标任务完成率（%）：92"
            )
        values[matched.group(1).strip()] = value
    return values


# “名称：数值” — the name may itself hold a colon; the value is a plain number, optionally with %.
_STATISTIC = re.compile(r"^(.*\S)\s*[:：]\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*[%％]?$")


def _prepare_expert_marks(evaluation: Evaluation, decision: Decision, attempt: int, answer: dict) -> StoredSubmission:
    profile = load_profile(decision.profile)
    source = _source(answer)
    marks = read_expert_marks(source, profile=profile)  # bad rows named with row and column
    data = parse_data_values(answer.get("data_values") or "")
    # Every input the score needs other than the questionnaire must be here now (C-NOPRESET).
    placeholder_survey = {"satisfaction_rate": 0.5, "awareness_rate": 0.5}
    missing = missing_inputs(profile, survey=placeholder_survey, expert_marks=marks, data=data)
    if missing:
        raise RuleViolation(f"评分依据不全：{'；'.join(missing)}。请补全专家打分表或统计数据后重新提交", rule="MH-14")
    stored = _stored_copy(evaluation, "expert_marks", attempt, Path("评分.json"))
    stored.write_text(json.dumps({"marks": marks, "data": data}, ensure_ascii=False, indent=2), encoding="utf-8")
    return StoredSubmission(
        gate="expert_marks",
        title=f"专家评分及统计数据（{source.name}）",
        path=stored,
        meta={"source_name": source.name},
        details={"file": source.name, "marks": marks, "data": data},
    )


def _accept_submission(
    session: Session, evaluation: Evaluation, answer: dict, stored: StoredSubmission, sha256: str
) -> Approval:
    store.add_document(
        session=session,
        evaluation_id=evaluation.id,
        kind=stored.gate,
        title=stored.title,
        path=str(stored.path),
        sha256=sha256,
        **stored.meta,
    )
    submitter, role = _who(answer, "submitter", "submitter_role")
    return Approval(
        gate=stored.gate,
        approver=submitter,
        approver_role=role,
        choice="提交",
        comment=stored.comment,
        details=stored.details,
    )


def _accept_expert_review(session: Session, evaluation: Evaluation, answer: dict) -> Approval:
    submitter, role = _who(answer, "submitter", "submitter_role")
    if answer.get("organised", "已组织专家论证") == "不组织专家论证":
        gate = procedure_of(session, evaluation).expert_review
        if gate is None or gate.required:
            raise RuleViolation(f"本评估须组织专家论证（{gate.basis if gate else ''}），不能跳过", rule="S-CONCL")
        _require_reason(answer, "handling", "不组织专家论证时须在“意见采纳及处理情况”中写明理由", "S-CONCL")
        return Approval(
            gate="expert_review",
            approver=submitter,
            approver_role=role,
            choice="不组织",
            comment=answer["handling"].strip(),
            details={"skipped": True, "reason": answer["handling"].strip()},
        )
    for field, title in (("experts", "论证专家"), ("opinion", "论证意见"), ("handling", "意见采纳及处理情况")):
        _require_reason(answer, field, f"组织专家论证时须填写“{title}”", "S-CONCL")
    experts = [name for name in re.split(r"[、,，;；\s]+", answer["experts"]) if name]
    # A space may also sit inside one name (周 立平): check each entry with its spaces removed as well.
    entries = ["".join(entry.split()) for entry in re.split(r"[、,，;；\n]+", answer["experts"]) if entry.strip()]
    decision = store.get_decision(session=session, code=evaluation.decision_code)
    check_experts(list(dict.fromkeys(experts + entries)), decision.pre_decision_assessors)
    return Approval(
        gate="expert_review",
        approver=submitter,
        approver_role=role,
        choice="提交",
        comment=answer["opinion"].strip(),
        details={"experts": experts, "opinion": answer["opinion"].strip(), "handling": answer["handling"].strip()},
    )


def _accept_third_party_acceptance(session: Session, evaluation: Evaluation, answer: dict) -> Approval:
    choice = answer["choice"]
    approver, role = _who(answer)
    if choice != "验收通过":
        _require_reason(answer, "comment", f"{choice}时须在“说明”中写明具体情况", "OR-14")
    details: dict[str, Any] = {"rework": None if choice == "验收通过" else "report"}
    if choice == "认定虚假报告":
        entrustment = current_entrustment(session=session, evaluation_id=evaluation.id)
        agency = session.get(Agency, entrustment.agency_id)
        record_false_report(
            session=session,
            agency_name=agency.name,
            evaluation_code=evaluation.code,
            detail=answer["comment"].strip(),
            recorded_by=f"{approver}（{role}）",
        )
        end_entrustment(
            session=session,
            evaluation_id=evaluation.id,
            reason=f"评估报告与事实不符：{answer['comment'].strip()}",
            actor=f"{approver}（{role}）",
        )
        details["agency"] = agency.name
    return Approval(
        gate="third_party_acceptance",
        approver=approver,
        approver_role=role,
        choice=choice,
        comment=answer.get("comment") or None,
        details=details,
    )


def _accept_report_approval(session: Session, evaluation: Evaluation, answer: dict) -> Approval:
    analysed = store.latest_step(session=session, evaluation_id=evaluation.id, step="analysis")
    # bazhou 5, ningxia 9: no conclusion before the analysis exists.
    if analysed is None or analysed.status != "done":
        raise RuleViolation("评估分析尚未完成，不能确定评估结论", rule="C-NOPRESET")
    details: dict[str, Any] = {"rework": None}
    if answer["choice"] == "通过":
        if not answer.get("conclusion"):
            raise RuleViolation("审定通过时必须选择评估结论：继续执行、调整、中止执行或终止执行", rule="C-CONCLUSION")
        scored = store.latest_step(session=session, evaluation_id=evaluation.id, step="scoring")
        recommended = (scored.result or {}).get("recommended") if scored and scored.status == "done" else None
        if recommended:
            check_departure(recommended, answer["conclusion"], answer.get("departure_reason"))
            details.update(
                recommended=recommended, departure_reason=(answer.get("departure_reason") or "").strip() or None
            )
        evaluation.conclusion = answer["conclusion"]
        session.add(evaluation)
    else:
        _require_reason(answer, "comment", "退回修改时须在“审定意见说明”中写明需要修改的内容", "G-APPROVE")
        details["rework"] = REWORK_TARGETS[answer.get("rework") or "修改评估报告"]
    # NX-12, OR-19: the report has reached the decision body.
    store.meet_deadlines(session=session, evaluation_id=evaluation.id, milestone="report_submitted")
    approver, role = _who(answer)
    return Approval(
        gate="approval",
        approver=approver,
        approver_role=role,
        choice=answer["choice"],
        conclusion=answer.get("conclusion") if answer["choice"] == "通过" else None,
        comment=answer.get("comment") or None,
        details=details,
    )


# The decision body's "send back" choices and the rework each means (rules.procedure.rework_for).
REWORK_TARGETS = {"修改评估报告": "report", "补充评估材料": "evidence"}


PREPARERS: dict[str, Preparer] = {
    "survey": _prepare_survey,
    "minutes": functools.partial(_prepare_records, gate="minutes"),
    "field": functools.partial(_prepare_records, gate="field"),
    "opinions": _prepare_opinions,
    "expert_marks": _prepare_expert_marks,
}

# Gates whose answer is a form, checked and recorded inside the transaction.
ACCEPTORS: dict[str, Callable[[Session, Evaluation, dict], Approval]] = {
    "team": _accept_team,
    "plan_approval": _accept_plan_approval,
    "start_approval": _accept_start_approval,
    "expert_review": _accept_expert_review,
    "third_party_acceptance": _accept_third_party_acceptance,
    "approval": _accept_report_approval,
}


@task(name="受理人工环节答复", **STEP_TASK_OPTIONS)
def accept_answer(evaluation_id: int, gate: str, attempt: int, key: str, answer: dict, flow_run_id: str) -> dict:
    """Check an answer against the rules; record it, or record why it was refused.

    An unreadable file or an out-of-range value is refused like a malformed file: the run asks again, saying why.
    """
    try:
        return _accept(evaluation_id, gate, attempt, key, answer, flow_run_id)
    except OSError as error:
        refusal: PingguError = InputFileError(
            f"无法读取提交的文件：{error.strerror or error}", path=str(error.filename)
        )
    except ValueError as error:  # rules.scoring: a value out of its range, with a Chinese message
        refusal = InputFileError(str(error))
    except PingguError as error:
        refusal = error

    def record_refusal(session: Session) -> None:
        if session.exec(
            select(FormRejection).where(FormRejection.evaluation_id == evaluation_id, FormRejection.pause_key == key)
        ).first():
            return  # an earlier try committed; its answer was lost
        session.add(FormRejection(evaluation_id=evaluation_id, gate=gate, pause_key=key, reason=str(refusal)))
        audit.record(
            session=session,
            action="gate_answer_refused",
            evaluation_id=evaluation_id,
            gate=gate,
            key=key,
            reason=str(refusal),
        )

    transaction(record_refusal)
    return {"accepted": False, "reason": str(refusal)}


def _accept(evaluation_id: int, gate: str, attempt: int, key: str, answer: dict, flow_run_id: str) -> dict:
    """Check a file outside any transaction, then record the answer in one short one; a refusal raises PingguError."""
    with read_session() as session:
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
        decision = store.get_decision(session=session, code=evaluation.decision_code)
    prepare = PREPARERS.get(gate)
    stored = prepare(evaluation, decision, attempt, answer) if prepare else None
    sha256 = file_sha256(stored.path) if stored else ""

    def record(session: Session) -> dict:
        earlier = session.exec(
            select(Approval).where(Approval.evaluation_id == evaluation_id, Approval.pause_key == key)
        ).first()
        if earlier:  # an earlier try committed; its answer was lost
            return {"accepted": True, "answer": _answer(earlier)}
        evaluation = store.get_evaluation_by_id(session=session, evaluation_id=evaluation_id)
        if stored:
            approval = _accept_submission(session, evaluation, answer, stored, sha256)
        else:
            approval = ACCEPTORS[gate](session, evaluation, answer)
        approval.evaluation_id, approval.attempt, approval.pause_key = evaluation_id, attempt, key
        approval.flow_run_id = flow_run_id
        session.add(approval)
        evaluation.status, evaluation.waiting_for, evaluation.waiting_gate = "running", None, None
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

    return transaction(record)
