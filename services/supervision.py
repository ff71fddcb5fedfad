"""督查 (OR-10: ordos 10, minhang 督查细则 2, 9–11, changli 52–53): a supervision round's findings and written
report (refused where the matter was supervised under other rules, MH-S2; with the self-inspection written
supervision asks for, MH-S9), the leaders' approval of the report where the regulation requires it and its
distribution to the units it names (CL-53), its rectification items with units and deadlines, the units' written
reports back, and the office's review of each (accept, check, spot-check where the rules allow, or send back).

The approval and the review are human steps of the supervision flow (pinggu.rules.tracking.SupervisionStep): answers are
judged here, every one (accepted or refused) recorded on the round under its pause key, so a resumed run finds
what was answered and never records it twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, select

from pinggu.core.errors import InputFileError, NotFound, Problem, RuleViolation, StateConflict
from pinggu.core.links import supervision_report_url, supervision_url
from pinggu.models import audit
from pinggu.models import tracking as store
from pinggu.models.db import read_session, transaction
from pinggu.models.evaluations import get_decision
from pinggu.models.kept_answers import ApprovalAnswer, ReviewAnswer, round_answers
from pinggu.models.tables import Escalation, Rectification, SupervisionRound, now_beijing
from pinggu.reporting.other_documents import SupervisionInput, document_html
from pinggu.rules.periods import check_not_after_today
from pinggu.rules.profiles import Profile, load_profiles
from pinggu.rules.tracking import (
    RECTIFICATION_STATUS_NAMES,
    SUPERVISION_STEP_NAMES,
    Recipient,
    RectificationStatus,
    ReportApproval,
    ReviewVerdict,
    SupervisionStep,
    approval_problem,
    next_status,
    repeat_problem,
    review_refusal,
    self_inspection_problem,
)
from pinggu.services.rendered import Draft, Kept, render_once


def _profile(decision_profile: str) -> Profile:
    return load_profiles()[decision_profile]


def check_findings(profile_id: str, findings: SupervisionInput) -> None:
    """Refuse (RuleViolation) what the regulation does not allow a round: a method it does not name (OR-10), a
    matter already supervised under other rules (MH-S2), written supervision without the self-inspection's
    deadline where it is required (MH-S9). The command line checks before it starts a run; the run again."""
    profile = _profile(profile_id)
    rules = profile.tracking
    allowed = [m.value for m in rules.supervision_methods]
    refused = [m.value for m in findings.methods if m.value not in allowed]
    if refused:
        raise RuleViolation(
            f"{'、'.join(refused)}不是本规定的督查方式（可用：{'、'.join(allowed)}；{profile.cited(rules.supervision_basis)}）",
            rule="OR-10",
        )
    repeated = repeat_problem(
        rules.no_repeat.duty, findings.already_supervised, findings.repeat_reason, profile.cited(rules.no_repeat.basis)
    )
    if repeated:
        raise RuleViolation(repeated, rule="MH-S2")
    inspection = self_inspection_problem(
        rules.self_inspection.duty,
        findings.methods,
        findings.self_inspection_due,
        profile.cited(rules.self_inspection.basis),
    )
    if inspection:
        raise RuleViolation(inspection, rule="MH-S9")


def record_round(key: str, decision_code: str, findings: SupervisionInput, recorded_by: str, today: date) -> int:
    """Record a round and its rectification items once (a re-run with the same key finds it); its id."""
    held_on = findings.held_on or today

    def write(session: Session) -> int:
        existing = session.exec(select(SupervisionRound).where(SupervisionRound.key == key)).first()
        if existing is not None and existing.id is not None:
            return existing.id
        check_not_after_today(held_on, today, "督查日期")
        decision = get_decision(session=session, code=decision_code)
        rules = _profile(decision.profile).tracking
        check_findings(decision.profile, findings)
        early = [
            Problem(f"整改期限 {r.deadline} 不晚于督查日期 {held_on}", row=n, column="整改期限")
            for n, r in enumerate(findings.rectifications, start=1)
            if r.deadline <= held_on
        ]
        if early:
            raise InputFileError("督查结论中要求整改的事项有误，未记录：", problems=early)
        round_ = SupervisionRound(
            key=key,
            decision_code=decision.code,
            supervisor=findings.supervisor or rules.supervisor,
            methods=[m.value for m in findings.methods],
            held_on=held_on,
            findings=findings.model_dump(mode="json"),
            recorded_by=recorded_by,
            # CL-53: a report the leaders approve first assigns its rectification items only once approved.
            approval_required=rules.supervision_report.approved_by is not None,
        )
        session.add(round_)
        session.flush()
        assert round_.id is not None
        for seq, item in enumerate(findings.rectifications, start=1):
            session.add(
                Rectification(
                    round_id=round_.id,
                    decision_code=decision.code,
                    seq=seq,
                    item=item.item,
                    unit=item.unit,
                    due_date=item.deadline,
                    status=RectificationStatus.pending if round_.approval_required else RectificationStatus.open,
                )
            )
        audit.record(
            session=session,
            action="supervision_recorded",
            actor=recorded_by,
            decision_code=decision.code,
            held_on=held_on,
            methods=round_.methods,
            rectifications=len(findings.rectifications),
        )
        return round_.id

    return transaction(write)


def render_round(round_id: int, today: date) -> str:
    """The round's written report (PDF and Word), rendered once from what was recorded; the PDF's location."""

    def get(session: Session) -> SupervisionRound:
        round_ = session.get(SupervisionRound, round_id)
        if round_ is None:
            raise NotFound(f"没有编号为 {round_id} 的督查记录")
        return round_

    def draft(session: Session, round_: SupervisionRound) -> Draft:
        decision = get_decision(session=session, code=round_.decision_code)
        profile = _profile(decision.profile)
        findings = SupervisionInput.model_validate(round_.findings)
        report_rules = profile.tracking.supervision_report
        context = {
            "supervisor": round_.supervisor,
            "held_on": round_.held_on,
            "reviewer": profile.tracking.rectification_reviewer,
            "rectification_basis": profile.citation(profile.tracking.rectification_basis),
            "self_inspection_basis": profile.citation(profile.tracking.self_inspection.basis),
            "approved_by": report_rules.approved_by or "",
            "recipients": "、".join(report_rules.recipients),
            "report_basis": profile.citation(report_rules.basis),
        }
        decision_row = decision.model_dump(mode="json")
        return Draft(
            name=f"{round_.decision_code}-督查报告",
            html=lambda: document_html("supervision", decision_row, findings, today, **context),
        )

    def mark(round_: SupervisionRound, kept: Kept) -> None:
        round_.pdf_path, round_.docx_path, round_.sha256 = kept.pdf.location, kept.docx.location, kept.pdf.sha256

    return render_once(
        get,
        pending=lambda round_: not round_.pdf_path,
        settled=_written_report,
        draft=draft,
        mark=mark,
        action="supervision_report_written",
    )


def _written_report(round_: SupervisionRound | None) -> str:
    """The location of a round's report written before (render_round's `get` raises for no round)."""
    assert round_ is not None and round_.pdf_path
    return round_.pdf_path


def report_back(item_id: int, report: str, reported_on: date, reported_by: str, *, today: date | None = None) -> str:
    """The responsible unit's written report on a rectification item (ordos 10 ¶2, minhang 督查 11 ¶2); a report
    dated after `today` (None: today in Beijing) is refused."""
    if not report.strip() or not reported_by.strip():
        raise StateConflict("请写明整改情况和报告人")
    check_not_after_today(reported_on, today or now_beijing().date(), "报告日期")

    def write(session: Session) -> str:
        item = session.get(Rectification, item_id)
        if item is None:
            raise NotFound(f"没有编号为 {item_id} 的整改事项")
        if item.status == RectificationStatus.pending:
            raise StateConflict(f"整改事项 {item_id}（{item.item}）所在的督查专报尚未经审定，整改事项尚未下达")
        if item.status != RectificationStatus.open:
            raise StateConflict(
                f"整改事项 {item_id}（{item.item}）当前为“{RECTIFICATION_STATUS_NAMES[RectificationStatus(item.status)]}”，"
                "不需要再报告"
            )
        item.report, item.reported_on, item.reported_by = report.strip(), reported_on, reported_by.strip()
        item.status = RectificationStatus.reported
        session.add(item)
        late = reported_on > item.due_date
        audit.record(
            session=session,
            action="rectification_reported",
            actor=reported_by,
            decision_code=item.decision_code,
            item=item_id,
            late=late,
        )
        return f"已记录整改事项 {item_id}（{item.item}）的整改报告" + (
            f"：逾期 {(reported_on - item.due_date).days} 日（期限 {item.due_date}）" if late else ""
        )

    return transaction(write)


@dataclass(frozen=True)
class ReviewWaiting:
    """The review gate's next asking: its pause key and what the reviewer reads."""

    key: str
    description: str


def review_status(round_id: int) -> ReviewWaiting | None:
    """None when every item of the round is closed; else the key to wait under and the items' states."""
    with read_session() as session:
        round_ = session.get(SupervisionRound, round_id)
        if round_ is None:
            raise NotFound(f"没有编号为 {round_id} 的督查记录")
        items = store.items_of(session=session, round_id=round_id)
        if all(i.status == RectificationStatus.closed for i in items):
            return None
        reviewer = _profile(get_decision(session=session, code=round_.decision_code).profile).tracking
        lines = [
            f"- 第 {i.seq} 项 {i.item}（{i.unit}，期限 {i.due_date}）：{RECTIFICATION_STATUS_NAMES[RectificationStatus(i.status)]}"
            + (
                f"；整改报告（{i.reported_on}）：{i.report}"
                if i.report and i.status != RectificationStatus.open
                else ""
            )
            for i in items
        ]
        asked = _answers(round_, SupervisionStep.rectification_review)
        last = asked[-1] if asked else None
        return ReviewWaiting(
            key=f"rectification-review-{round_id}-{len(asked) + 1}",
            description=f"**{SUPERVISION_STEP_NAMES[SupervisionStep.rectification_review]}**"
            f"（{reviewer.rectification_reviewer}；决策 {round_.decision_code}）\n\n"
            + "\n".join(lines)
            + (f"\n\n⚠ 上次提交未被受理：{last.refused}" if last and last.refused else "")
            + f"\n\n请审核人登录网页办理：{supervision_url(round_id)}",
        )


def review(
    round_id: int,
    key: str,
    seq: int,
    verdict: ReviewVerdict,
    reviewer: str,
    comment: str,
    today: date,
    new_due: date | None = None,
    *,
    refused: str | None = None,
) -> str | None:
    """Judge and record one answer at the review gate; None when accepted, else why it was refused (also
    recorded, so that the next asking has a new key). `refused`: why the answer's signer may not give it."""
    identity_refusal = refused

    def write(session: Session) -> str | None:
        round_ = session.get(SupervisionRound, round_id)
        if round_ is None:
            raise NotFound(f"没有编号为 {round_id} 的督查记录")
        earlier = next((a for a in round_answers(round_.answers) if a.key == key), None)
        if earlier is not None:
            return earlier.refused  # an earlier try committed; its answer was lost
        items = {i.seq: i for i in store.items_of(session=session, round_id=round_id)}
        rules = _profile(get_decision(session=session, code=round_.decision_code).profile)
        refused = identity_refusal or _refusal(items.get(seq), seq, verdict, reviewer, comment, today, new_due, rules)
        answer = ReviewAnswer(
            key=key,
            step=SupervisionStep.rectification_review,
            item=seq,
            verdict=verdict,
            reviewer=reviewer.strip(),
            comment=comment.strip(),
            on=today,
            refused=refused,
        ).stored_json()
        round_.answers = [*round_.answers, answer]
        if refused is None:
            item = items[seq]
            item.status = next_status(RectificationStatus(item.status), verdict)
            item.reviews = [*item.reviews, answer]
            if verdict is ReviewVerdict.send_back:
                assert new_due is not None
                item.due_date, item.report, item.reported_on = new_due, None, None
            if item.status == RectificationStatus.closed:
                item.closed_on = today
            session.add(item)
            if all(i.status == RectificationStatus.closed for i in items.values()):
                round_.closed_at = now_beijing()
        session.add(round_)
        audit.record(
            session=session,
            action="rectification_reviewed",
            actor=reviewer.strip() or "未署名",
            decision_code=round_.decision_code,
            round=round_id,
            item=seq,
            verdict=verdict.value,
            refused=refused,
        )
        return refused

    return transaction(write)


def _refusal(
    item: Rectification | None,
    seq: int,
    verdict: ReviewVerdict,
    reviewer: str,
    comment: str,
    today: date,
    new_due: date | None,
    profile: Profile,
) -> str | None:
    if item is None:
        return f"本次督查没有第 {seq} 项整改事项"
    if not reviewer.strip():
        return "请填写审核人"
    status = RectificationStatus(item.status)
    if status not in (RectificationStatus.reported, RectificationStatus.spot_check):
        return f"第 {seq} 项（{item.item}）{RECTIFICATION_STATUS_NAMES[status]}，尚不能审核"
    rules = profile.tracking
    refused = review_refusal(rules.check, status, verdict, comment, profile.cited(rules.rectification_basis))
    if refused:
        return refused
    if verdict is ReviewVerdict.send_back and (not comment.strip() or new_due is None or new_due <= today):
        return "退回时须在“说明”中写明理由，并给出晚于今天的新整改期限"
    return None


# --- the leaders' approval and the report sent out (CL-53) ----------------------------------------


def _answers(round_: SupervisionRound, step: SupervisionStep) -> list[ReviewAnswer | ApprovalAnswer]:
    """The round's answers at one human step, oldest first."""
    return [a for a in round_answers(round_.answers) if a.step is step]


def _approval(round_: SupervisionRound) -> ApprovalAnswer | None:
    """The leaders' accepted approval of the round's report, if given."""
    return next((a for a in round_answers(round_.answers) if isinstance(a, ApprovalAnswer) and a.refused is None), None)


def approval_status(round_id: int) -> ReviewWaiting | None:
    """None when the report needs no approval (the profile names no approver) or has it; else the key to wait
    under and what the approver reads (CL-53: 经县政府领导审定)."""
    with read_session() as session:
        round_ = session.get(SupervisionRound, round_id)
        if round_ is None:
            raise NotFound(f"没有编号为 {round_id} 的督查记录")
        if not round_.approval_required or _approval(round_) is not None:
            return None
        decision = get_decision(session=session, code=round_.decision_code)
        profile = _profile(decision.profile)
        items = store.items_of(session=session, round_id=round_id)
    findings = SupervisionInput.model_validate(round_.findings)
    rules = profile.tracking.supervision_report
    asked = _answers(round_, SupervisionStep.report_approval)
    last = asked[-1] if asked else None
    lines = [
        f"决策 {decision.code}《{decision.title}》督查专报（{round_.supervisor}，{round_.held_on}）",
        f"- 执行情况：{findings.execution}",
        f"- 存在的问题：{findings.problems}",
        f"- 需提请领导协调的事项：{findings.leader_matters or '无'}",
        f"- 工作建议：{findings.suggestions or findings.proposals}",
        *(f"- 整改事项 {i.seq}：{i.item}（{i.unit}，期限 {i.due_date}）" for i in items),
        f"审定后反馈：{'、'.join(rules.recipients) or '无'}",
    ]
    return ReviewWaiting(
        key=f"supervision-approval-{round_id}-{len(asked) + 1}",
        description=f"**{SUPERVISION_STEP_NAMES[SupervisionStep.report_approval]}**（{rules.approved_by}；"
        f"{profile.cited(rules.basis)}）\n\n"
        + "\n".join(lines)
        + (f"\n\n⚠ 上次提交未被受理：{last.refused}" if last and last.refused else "")
        + f"\n\n请审定领导登录网页办理：{supervision_url(round_id)}",
    )


def approve(round_id: int, key: str, answer: ReportApproval, today: date, *, refused: str | None = None) -> str | None:
    """Judge and record the leaders' approval of the round's report (CL-53); once accepted its rectification items
    are assigned (open). None when accepted, else why it was refused (recorded too, so the next asking has a new
    key). `refused`: why the answer's signer may not give it."""
    identity_refusal = refused

    def write(session: Session) -> str | None:
        round_ = session.get(SupervisionRound, round_id)
        if round_ is None:
            raise NotFound(f"没有编号为 {round_id} 的督查记录")
        earlier = next((a for a in round_answers(round_.answers) if a.key == key), None)
        if earlier is not None:
            return earlier.refused  # an earlier try committed; its answer was lost
        if identity_refusal:
            refused: str | None = identity_refusal
        elif not round_.approval_required:
            refused = "本规定的督查报告无须审定"
        elif _approval(round_) is not None:
            refused = "督查专报已经审定"
        else:
            refused = approval_problem(answer, round_.held_on, today)
        entry = ApprovalAnswer(
            key=key,
            step=SupervisionStep.report_approval,
            approver=answer.approver,
            approved_on=answer.approved_on or today,
            instructions=answer.instructions.strip(),
            on=today,
            refused=refused,
        )
        round_.answers = [*round_.answers, entry.stored_json()]
        if refused is None:
            for item in store.items_of(session=session, round_id=round_id):
                if item.status == RectificationStatus.pending:
                    item.status = RectificationStatus.open
                    session.add(item)
        session.add(round_)
        audit.record(
            session=session,
            action="supervision_report_approved",
            actor=answer.approver,
            decision_code=round_.decision_code,
            round=round_id,
            approved_on=entry.approved_on.isoformat(),
            refused=refused,
        )
        return refused

    return transaction(write)


def step_actor(round_id: int, step: SupervisionStep, key: str, values: dict[str, Any]) -> tuple[str, str | None]:
    """Who answered a round's human step: the person who signed exactly these values under `key` in the web app,
    as the record names them (单位、姓名), and why they may not give it (None when they may): nobody signed it
    (typed into the Prefect UI), or the signer is not the actor the profile names (the reviewer, the leaders)."""
    from pinggu.rules.people import may_act
    from pinggu.services.signatures import step_signer

    with read_session() as session:
        round_ = session.get(SupervisionRound, round_id)
        if round_ is None:
            raise NotFound(f"没有编号为 {round_id} 的督查记录")
        signer = step_signer(session, key, values)
        actor = step_actor_name(session, round_, step)
    what = SUPERVISION_STEP_NAMES[step]
    if signer is None:
        return "", f"{what}须由{actor}的人员登录网页办理后提交；流程界面中直接提交的意见没有本人签署，不予受理"
    if not may_act(signer.roles, actor):
        return f"{signer.unit}{signer.name}", f"{signer.name} 不是{actor}的人员，不能办理{what}"
    return f"{signer.unit}{signer.name}", None


def step_actor_name(session: Session, round_: SupervisionRound, step: SupervisionStep) -> str:
    """The actor the profile names for a round's human step: the leaders who approve, or the reviewer."""
    tracking = _profile(get_decision(session=session, code=round_.decision_code).profile).tracking
    if step is SupervisionStep.report_approval:
        return tracking.supervision_report.approved_by or tracking.supervisor
    return tracking.rectification_reviewer


def distribute(round_id: int, today: date) -> list[dict[str, str]]:
    """Send the report (with the leaders' instructions, where approved) to every unit the profile names, once: a
    notice to each through the notification channels (an escalation the deadline watch delivers), and the list
    recorded on the round (CL-53: changli 53; minhang 督查 11 ¶1). Each entry: the role (as) and the unit."""

    def write(session: Session) -> list[dict[str, str]]:
        round_ = session.get(SupervisionRound, round_id)
        if round_ is None:
            raise NotFound(f"没有编号为 {round_id} 的督查记录")
        if round_.distributed_to is not None:
            return list(round_.distributed_to)
        approval = _approval(round_)
        if round_.approval_required and approval is None:
            raise StateConflict("督查专报尚未经审定，不能反馈")
        decision = get_decision(session=session, code=round_.decision_code)
        profile = _profile(decision.profile)
        findings = SupervisionInput.model_validate(round_.findings)
        units = {
            Recipient.supervised: [findings.supervised or decision.lead_unit],
            Recipient.lead_unit: [decision.lead_unit],
            Recipient.implementing_units: store.implementing_units(session=session, decision=decision),
        }
        sent = [
            {"as": str(role), "unit": unit}
            for role in profile.tracking.supervision_report.roles()
            for unit in (units[role] if isinstance(role, Recipient) else [role])
        ]
        roles_of: dict[str, list[str]] = {}
        for entry in sent:
            roles_of.setdefault(entry["unit"], []).append(entry["as"])
        link = supervision_report_url(round_id)
        approved = f"，已经{approval.approver}审定（{approval.approved_on}）" if approval else ""
        instructions = f"；批示意见：{approval.instructions or '无'}" if approval else ""
        items = store.items_of(session=session, round_id=round_id)
        for unit, roles in roles_of.items():
            session.add(
                Escalation(
                    key=f"{decision.code}/supervision/{round_id}#to:{unit}",
                    kind="supervision_report",
                    ref=f"{decision.code}/supervision/{round_id}",
                    level="distributed",
                    due_date=today,
                    text=f"【督查专报】决策 {decision.code}《{decision.title}》{round_.held_on} 督查专报{approved}，"
                    f"送{unit}（{'、'.join(roles)}）{instructions}；要求整改的事项 {len(items)} 项"
                    f"（{profile.cited(profile.tracking.supervision_report.basis)}）：{link}",
                )
            )
        round_.distributed_to, round_.distributed_on = sent, today
        session.add(round_)
        audit.record(
            session=session,
            action="supervision_report_distributed",
            decision_code=decision.code,
            round=round_id,
            recipients=[f"{e['unit']}（{e['as']}）" for e in sent],
        )
        return sent

    return transaction(write)
