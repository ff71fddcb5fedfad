"""What `pinggu status` shows: stages with target and actual dates, overdue marks, what a run waits for."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

from sqlmodel import col, select

from pinggu.core.errors import NotFound, OrchestrationError
from pinggu.models import evaluations as store
from pinggu.models.db import read_session
from pinggu.models.decisions import decision_deadlines
from pinggu.models.tables import BEIJING, Decision, Evaluation, StatutoryDeadline, beijing_minute, now_beijing
from pinggu.rules.gates import gate_stage
from pinggu.rules.profiles import load_profile
from pinggu.rules.steps import STAGE_NAMES
from pinggu.rules.vocabulary import (
    EVALUATION_TYPE_NAMES,
    FOLLOW_UP_STATUS_NAMES,
    STATUS_NAMES,
    FollowUpStatus,
    StageStatus,
)


def _deadline(d: StatutoryDeadline) -> dict[str, Any]:
    return {
        "rule": d.rule,
        "label": d.label,
        "basis": d.basis,
        "from_date": d.from_date,
        "due_date": d.due_date,
        "provisional": d.provisional,
    }


def evaluation_status(code: str) -> dict[str, Any]:
    """One evaluation's state, read from the product database."""
    today = now_beijing().date()
    with read_session() as session:
        evaluation = store.get_evaluation(session=session, code=code)
        assert evaluation.id is not None  # a stored evaluation
        decision = store.get_decision(session=session, code=evaluation.decision_code)
        profile = load_profile(decision.profile)
        stages = store.stages(session=session, evaluation_id=evaluation.id)
        answers = store.approvals(session=session, evaluation_id=evaluation.id)
        deadlines = store.deadlines(session=session, evaluation_id=evaluation.id)
        own_deadlines = decision_deadlines(session=session, decision_code=evaluation.decision_code)
        follow_ups = store.follow_ups(session=session, evaluation_id=evaluation.id)
        refusals = store.rejections(session=session, evaluation_id=evaluation.id)
    last_refusal = next((r for r in reversed(refusals) if r.gate == evaluation.waiting_gate), None)
    gate_target = next(
        (s.target_date for s in stages if evaluation.waiting_gate and s.stage == gate_stage(evaluation.waiting_gate)),
        None,
    )
    return {
        "evaluation": evaluation.code,
        "decision": decision.code,
        "title": decision.title,
        "type": evaluation.type,
        "type_name": EVALUATION_TYPE_NAMES[evaluation.type],
        "status": evaluation.status,
        "status_name": STATUS_NAMES[evaluation.status],
        "waiting_for": evaluation.waiting_for,
        "waiting_gate": evaluation.waiting_gate,
        "waiting_target": gate_target,
        "waiting_overdue": bool(evaluation.waiting_gate and gate_target and gate_target < today),
        "last_refusal": last_refusal.reason if last_refusal else None,
        "conclusion": evaluation.conclusion,
        "report": evaluation.report_path,
        "flow_run_id": evaluation.flow_run_id,
        "stages": [
            {
                "stage": s.stage,
                "name": STAGE_NAMES[s.stage],
                "status": s.status,
                "target_date": s.target_date,
                "target_provisional": s.target_provisional,
                "started_at": beijing_minute(s.started_at),
                "finished_at": beijing_minute(s.finished_at),
                "overdue": s.status != StageStatus.done and s.target_date is not None and s.target_date < today,
            }
            for s in stages
        ],
        "deadlines": [
            {
                **_deadline(d),
                "met_at": beijing_minute(d.met_at) if d.met_at else None,
                "overdue": (d.met_at.astimezone(BEIJING).date() if d.met_at else today) > d.due_date,
            }
            for d in deadlines
        ],
        "decision_deadlines": [
            {
                **_deadline(d),
                "met_on": d.met_on,
                "overdue": (d.met_on or today) > d.due_date,
                "past_at_import": d.due_date < d.created_at.astimezone(BEIJING).date(),
            }
            for d in own_deadlines
        ],
        "follow_ups": [
            {
                "id": f.id,
                "unit": f.unit,
                "action": f.action,
                "due_date": f.due_date,
                "status": f.status,
                "overdue": f.status == FollowUpStatus.open and f.due_date < today,
                "reported_on": f.closed_at.astimezone(BEIJING).date() if f.closed_at else None,
            }
            for f in follow_ups
        ],
        "answers": [
            {
                "gate": a.gate,
                "gate_name": profile.gate_title(a.gate),
                "by": f"{a.approver}（{a.approver_role}）",
                "choice": a.choice,
                "conclusion": a.conclusion,
                "at": beijing_minute(a.decided_at),
                "superseded": a.superseded,
            }
            for a in answers
        ],
    }


def status_of(code: str) -> dict[str, Any]:
    """An evaluation's state, or a decision's evaluations and tracking history when `code` is a decision's."""
    with read_session() as session:
        is_evaluation = session.exec(select(Evaluation.id).where(Evaluation.code == code)).first() is not None
        is_decision = session.get(Decision, code) is not None
    if not is_evaluation and not is_decision:
        raise NotFound(f"评估或决策 {code} 不存在，请用 pinggu status 查看已有评估，或先导入决策目录")
    return evaluation_status(code) if is_evaluation else decision_status(code)


def decision_status(code: str) -> dict[str, Any]:
    """A decision's evaluations and its tracking and supervision history (OR-6/8/9/10, MH-S6, E-PUBLIC)."""
    from pinggu.services.portfolio import tracking_history

    with read_session() as session:
        decision = store.get_decision(session=session, code=code)  # an unknown code: NotFound, in Chinese
        evaluations = list(
            session.exec(select(Evaluation).where(Evaluation.decision_code == code).order_by(col(Evaluation.id)))
        )
    return {
        "decision": decision.code,
        "title": decision.title,
        "lead_unit": decision.lead_unit,
        "evaluations": [
            {"evaluation": e.code, "type_name": EVALUATION_TYPE_NAMES[e.type], "status_name": STATUS_NAMES[e.status]}
            for e in evaluations
        ],
        "tracking": tracking_history(code),
        "procedure": _procedure(code),
    }


def _procedure(code: str) -> dict[str, Any] | None:
    """How the decision was made, when it went through the decision procedure (changli chapters 2–7)."""
    from pinggu.rules.decision_procedure import ENDINGS
    from pinggu.services.decision_procedure import procedure_of

    procedure = procedure_of(code)
    if procedure is None:
        return None
    ending = next((text for outcome, text in ENDINGS.items() if outcome.value == procedure.status), None)
    state = ending or ("已作出决定并向社会公布" if procedure.status == "published" else "办理中")
    return {"status": state, "steps": len(procedure.answers), "record": procedure.record_path}


def render_decision_text(data: dict[str, Any]) -> str:
    """Chinese plain-text rendering of decision_status."""
    lines = [f"《{data['title']}》（{data['decision']}）· 承办单位 {data['lead_unit']}"]
    if data.get("procedure"):
        made = data["procedure"]
        lines.append(
            f"决策程序：{made['status']}（记录 {made['steps']} 次填报）"
            + (f"，过程记录 {made['record']}" if made["record"] else "")
        )
    lines += [f"评估 {e['evaluation']}  {e['type_name']}  {e['status_name']}" for e in data["evaluations"]]
    history = data["tracking"]
    if history is None:
        lines.append("尚未纳入跟踪反馈（pinggu tracking import 导入跟踪反馈工作方案）")
        return "\n".join(lines)
    if history["plan"]:
        plan = history["plan"]
        lines.append(
            f"跟踪反馈工作方案：责任机构 {plan['responsible_body']}，责任人员 {plan['responsible_people']}，"
            f"自 {plan['tracking_from']} 起跟踪；方法步骤：{plan['methods']}"
        )
    for m in history["milestones"]:
        lines.append(
            f"时间节点 {m['seq']}：{m['target']}（{m['unit']}，{m['due']} 前）· {m['state']}"
            + ("  【未按期】" if m["missed"] else "")
        )
    for r in history["reports"]:
        handed = f"{r['submitted_on']} 报送" if r["submitted_on"] else "未报送"
        lines.append(
            f"跟踪反馈报告 {r['period']}：期限 {r['due']}，{handed}，{r['status']}"
            + (f"，及时报告：{r['serious']}" if r["serious"] != "无" else "")
            + ("  【逾期】" if r["late"] else "")
            + (f"  {r['pdf']}" if r["pdf"] else "")
        )
    if history["opinions"]:
        lines.append(
            f"公众意见 {len(history['opinions'])} 件，最近：{history['opinions'][-1]['on']} {history['opinions'][-1]['channel']}"
        )
    for r in history["supervision"]:
        lines.append(
            f"督查 {r['held_on']}（{r['supervisor']}，{'、'.join(r['methods'])}）"
            + (f"  {r['pdf']}" if r["pdf"] else "")
        )
        for i in r["items"]:
            lines.append(
                f"  整改事项 #{i['id']} 第 {i['seq']} 项：{i['item']}（{i['unit']}，{i['due']} 前）· {i['status']}"
                + ("  【逾期】" if i["overdue"] else "")
            )
    return "\n".join(lines)


def schedules_status(now: datetime | None = None) -> dict[str, Any]:
    """Whether the scheduled deployments (yearly plan, deadline watch, tracking) ran when they should have."""
    from pinggu.services.schedules import schedule_problems

    try:
        problems = schedule_problems(now)
    except OrchestrationError as error:
        return {"checked": False, "reason": str(error), "problems": []}
    return {
        "checked": True,
        "reason": None,
        "problems": [
            {
                "deployment": p.deployment,
                "problem": p.problem.value,
                "expected": p.expected,
                "state": p.state,
                "message": p.message,
            }
            for p in problems
        ],
    }


def evaluations_overview(now: datetime | None = None) -> dict[str, Any]:
    """Every evaluation in one line each, and any scheduled deployment that has not run when it should have."""
    with read_session() as session:
        rows = list(session.exec(select(Evaluation).order_by(col(Evaluation.id))))
    return {
        "schedules": schedules_status(now),
        "evaluations": [
            {
                "evaluation": e.code,
                "decision": e.decision_code,
                "type_name": EVALUATION_TYPE_NAMES[e.type],
                "status_name": STATUS_NAMES[e.status],
                "waiting_for": e.waiting_for,
                "conclusion": e.conclusion,
            }
            for e in rows
        ],
    }


def render_schedules(schedules: dict[str, Any] | None) -> list[str]:
    """Chinese lines of schedules_status: what did not run when it should have (nothing when all ran)."""
    if schedules is None:
        return []
    if not schedules["checked"]:
        return [
            f"定时任务：{schedules['reason']}，未能检查年度计划、期限巡查和跟踪反馈是否按时运行"
            "（服务未运行时它们不会运行；pinggu up 启动）"
        ]
    return [f"定时任务：{p['message']}" for p in schedules["problems"]]


def _pad(text: object, width: int) -> str:
    """Pad to a display width, counting a Chinese character as two columns."""
    text = str(text)
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - shown, 1)


def render_text(data: dict[str, Any]) -> str:
    """Chinese plain-text rendering of evaluation_status / evaluations_overview."""
    if "evaluations" in data:
        overview = [
            f"{e['evaluation']}  {e['decision']}  {e['type_name']}  {e['status_name']}"
            + (f"  等待：{e['waiting_for']}" if e["waiting_for"] else "")
            + (f"  结论：{e['conclusion']}" if e["conclusion"] else "")
            for e in data["evaluations"]
        ] or ["暂无评估。用 pinggu evaluate 决策编号 启动一项评估。"]
        return "\n".join(overview + render_schedules(data.get("schedules")))
    lines = [
        f"{data['evaluation']} · 《{data['title']}》（{data['decision']}）· {data['type_name']} · {data['status_name']}",
    ]
    if data["waiting_for"]:
        target = f"，目标完成日 {data['waiting_target']}" if data["waiting_target"] else ""
        lines.append(f"正在等待：{data['waiting_for']}{target}" + ("  【逾期】" if data["waiting_overdue"] else ""))
        if data["last_refusal"]:
            lines.append(f"上次提交未被受理：{data['last_refusal']}")
    lines.append(_pad("阶段", 14) + _pad("状态", 8) + _pad("目标完成日", 20) + _pad("开始", 18) + "完成")
    for s in data["stages"]:
        target = f"{s['target_date'] or '—'}{'（暂定）' if s['target_provisional'] else ''}"
        lines.append(
            _pad(s["name"], 14)
            + _pad(STATUS_NAMES[s["status"]], 8)
            + _pad(target, 20)
            + _pad(s["started_at"] or "—", 18)
            + (s["finished_at"] or "—")
            + ("  【逾期】" if s["overdue"] else "")
        )
    for d in data["deadlines"]:
        met = f"已于 {d['met_at']} 完成" if d["met_at"] else "未完成"
        lines.append(
            f"法定期限 {d['rule']} {d['label']}：自 {d['from_date']} 起算，{d['due_date']}"
            f"{'（暂定）' if d['provisional'] else ''} 届满，{met}" + ("  【逾期】" if d["overdue"] else "")
        )
    for d in data.get("decision_deadlines", []):
        met = f"已于 {d['met_on']} 报备" if d["met_on"] else "未登记报备"
        if not d["met_on"] and d["past_at_import"]:
            met += "（导入目录时已届满；已报备的请用 pinggu catalog archived 登记）"
        lines.append(
            f"决策法定期限 {d['rule']} {d['label']}：自 {d['from_date']} 起算，{d['due_date']}"
            f"{'（暂定）' if d['provisional'] else ''} 届满，{met}（{d['basis']}）"
            + ("  【逾期】" if d["overdue"] else "")
        )
    for f in data["follow_ups"]:
        lines.append(
            f"后续措施 #{f['id']}（{f['unit']}，{f['due_date']} 前）：{f['action']} · "
            f"{FOLLOW_UP_STATUS_NAMES[f['status']]}"
            + (f"（{f['reported_on']} 报告）" if f["reported_on"] else "")
            + ("  【逾期】" if f["overdue"] else "")
        )
        if f["status"] == FollowUpStatus.open:  # C-FOLLOWUP: closed by the unit's report-back
            lines.append(f"  报告落实情况：pinggu followup close {data['evaluation']} {f['id']} --note … --by 登录名")
    for a in data["answers"]:
        lines.append(
            f"{a['gate_name']}：{a['by']} {a['choice']}"
            + (f"（{a['conclusion']}）" if a["conclusion"] else "")
            + f"  {a['at']}"
            + ("  [已被退回修改取代]" if a["superseded"] else "")
        )
    if data["conclusion"]:
        lines.append(f"评估结论：{data['conclusion']}")
    if data["report"]:
        lines.append(f"报告：{data['report']}")
    return "\n".join(lines)


def render_plan(plan) -> str:
    """Chinese table of an annual plan (pinggu.rules.annual_plan.AnnualPlan)."""
    from pinggu.rules.annual_plan import REASON_NAMES

    lines = [
        f"{plan.year} 年度评估计划（基准日 {plan.as_of}）：计划 {len(plan.items)} 项，免于评估 {len(plan.exempt)} 项"
    ]
    if plan.items:
        lines.append(
            _pad("决策编号", 12)
            + _pad("评估类型", 12)
            + _pad("原因", 22)
            + _pad("触发日", 12)
            + _pad("评估单位", 30)
            + "完成期限"
        )
    for item in plan.items:
        reason = REASON_NAMES.get(item.reason, item.reason)
        lines.append(
            _pad(item.decision, 12)
            + _pad(EVALUATION_TYPE_NAMES[item.type], 12)
            + _pad(reason, 22)
            + _pad(item.trigger_date, 12)
            + _pad(item.evaluating_unit, 30)
            + str(item.due)
            + ("（暂定）" if not item.calendar_complete else "")
            + ("  【及时启动】" if item.prompt else "")
        )
        if item.note:
            lines.append(" " * 12 + f"↳ {item.note}")
    for title, entries in (("免于评估", plan.exempt), ("待批准", plan.pending)):
        if entries:
            lines.append(f"{title}：")
            lines.extend(f"  {entry.decision}：{entry.detail}" for entry in entries)
    return "\n".join(lines)
