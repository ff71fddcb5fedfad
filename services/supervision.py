"""督查 (OR-10: ordos 10, minhang 督查细则 9–11, changli 52–53): a supervision round's findings and
written report, its rectification items with units and deadlines, the units' written reports back, and
the office's review of each (accept, accept and spot-check where the rules allow, or send back).

The review is a gate of the supervision flow: answers are judged here, every one (accepted or refused)
recorded under its pause key, so a resumed run finds what was answered and never records it twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from core.errors import InputFileError, NotFound, Problem, RuleViolation, StateConflict
from models import audit
from models import tracking as store
from models.db import read_session, transaction
from models.evaluations import get_decision
from models.tables import Rectification, SupervisionRound, now_beijing
from reporting.docx import keep_pdf_and_docx
from reporting.other_documents import SupervisionInput, document_html
from rules.profiles import Profile, load_profiles
from rules.tracking import RECTIFICATION_STATUS_NAMES, RectificationStatus, ReviewVerdict, next_status


def _profile(decision_profile: str) -> Profile:
    return load_profiles()[decision_profile]


def record_round(key: str, decision_code: str, findings: SupervisionInput, recorded_by: str, today: date) -> int:
    """Record a round and its rectification items once (a re-run with the same key finds it); its id."""
    held_on = findings.held_on or today

    def write(session: Session) -> int:
        existing = session.exec(select(SupervisionRound).where(SupervisionRound.key == key)).first()
        if existing is not None and existing.id is not None:
            return existing.id
        decision = get_decision(session=session, code=decision_code)
        rules = _profile(decision.profile).tracking
        allowed = [m.value for m in rules.supervision_methods]
        refused = [m.value for m in findings.methods if m.value not in allowed]
        if refused:
            raise RuleViolation(
                f"{'、'.join(refused)}不是本规定的督查方式（可用：{'、'.join(allowed)}；"
                f"{_profile(decision.profile).citation(rules.supervision_basis)}）",
                rule="OR-10",
            )
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
    with read_session() as session:
        round_ = session.get(SupervisionRound, round_id)
        if round_ is None:
            raise NotFound(f"没有编号为 {round_id} 的督查记录")
        if round_.pdf_path:
            return round_.pdf_path
        decision = get_decision(session=session, code=round_.decision_code)
        profile = _profile(decision.profile)
        findings = SupervisionInput.model_validate(round_.findings)
        context = {
            "supervisor": round_.supervisor,
            "held_on": round_.held_on,
            "reviewer": profile.tracking.rectification_reviewer,
            "rectification_basis": profile.citation(profile.tracking.rectification_basis),
        }
        decision_row = decision.model_dump(mode="json")
    html = document_html("supervision", decision_row, findings, today, **context)
    kept_pdf, kept_docx = keep_pdf_and_docx(html, f"{round_.decision_code}-督查报告")

    def record(session: Session) -> str:
        current = session.get(SupervisionRound, round_id)
        assert current is not None
        if current.pdf_path:
            return current.pdf_path
        current.pdf_path, current.docx_path, current.sha256 = kept_pdf.location, kept_docx.location, kept_pdf.sha256
        session.add(current)
        audit.record(
            session=session,
            action="supervision_report_written",
            decision_code=current.decision_code,
            pdf=kept_pdf.location,
            sha256=kept_pdf.sha256,
        )
        return kept_pdf.location

    return transaction(record)


def report_back(item_id: int, report: str, reported_on: date, reported_by: str) -> str:
    """The responsible unit's written report on a rectification item (ordos 10 ¶2, minhang 督查 11 ¶2)."""
    if not report.strip() or not reported_by.strip():
        raise StateConflict("请写明整改情况和报告人")

    def write(session: Session) -> str:
        item = session.get(Rectification, item_id)
        if item is None:
            raise NotFound(f"没有编号为 {item_id} 的整改事项")
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
        last = round_.answers[-1] if round_.answers else None
        return ReviewWaiting(
            key=f"rectification-review-{round_id}-{len(round_.answers) + 1}",
            description=f"**督查整改审核**（{reviewer.rectification_reviewer}；决策 {round_.decision_code}）\n\n"
            + "\n".join(lines)
            + (f"\n\n⚠ 上次提交未被受理：{last['refused']}" if last and last.get("refused") else ""),
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
) -> str | None:
    """Judge and record one answer at the review gate; None when accepted, else why it was refused (also
    recorded, so that the next asking has a new key)."""

    def write(session: Session) -> str | None:
        round_ = session.get(SupervisionRound, round_id)
        if round_ is None:
            raise NotFound(f"没有编号为 {round_id} 的督查记录")
        earlier = next((a for a in round_.answers if a["key"] == key), None)
        if earlier is not None:
            return earlier.get("refused")  # an earlier try committed; its answer was lost
        items = {i.seq: i for i in store.items_of(session=session, round_id=round_id)}
        rules = _profile(get_decision(session=session, code=round_.decision_code).profile)
        refused = _refusal(items.get(seq), seq, verdict, reviewer, comment, today, new_due, rules)
        answer = {
            "key": key,
            "item": seq,
            "verdict": verdict.value,
            "reviewer": reviewer.strip(),
            "comment": comment.strip(),
            "on": today.isoformat(),
            "refused": refused,
        }
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
    if verdict is ReviewVerdict.spot_check and not profile.tracking.spot_check:
        return f"本规定没有抽查整改情况的规定（{profile.citation(profile.tracking.rectification_basis)}）：请选择通过或退回"
    if verdict is ReviewVerdict.spot_check and status is RectificationStatus.spot_check:
        return "抽查已安排：请在抽查后选择“通过”或“退回”"
    if verdict is ReviewVerdict.send_back and (not comment.strip() or new_due is None or new_due <= today):
        return "退回时须在“说明”中写明理由，并给出晚于今天的新整改期限"
    return None
