"""跟踪反馈: the lead unit's tracking plan (OR-6, MH-S6), its periodic reports (OR-8), what it reports at
once (OR-9), and the public's opinions (E-PUBLIC). Every date is given, never read from the clock here,
so a year can be run in a test with time injected (a form that gives no "today" gets Beijing's).

A report is recorded in one transaction when handed in (milestones marked, an immediate report made an
event trigger at once); its PDF and Word are rendered afterwards from what was recorded, by the tracking
flow (or at once by the CLI), so a renderer fault never loses a report.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import Session, col, select

from pinggu.core.errors import NotFound, OrchestrationError, StateConflict
from pinggu.models import audit
from pinggu.models import tracking as store
from pinggu.models.db import read_session, transaction
from pinggu.models.decisions import record_trigger
from pinggu.models.evaluations import get_decision
from pinggu.models.tables import (
    Decision,
    Escalation,
    OpinionContact,
    PublicOpinion,
    TrackingPlan,
    TrackingReport,
    now_beijing,
)
from pinggu.reporting.other_documents import TrackingInput, document_html
from pinggu.rules.periods import check_not_after_today
from pinggu.rules.profiles import Profile, load_profiles
from pinggu.rules.tracking import (
    OpinionChannel,
    ReportsFrom,
    SeriousReport,
    TrackingPeriod,
    TrackingPlanSpec,
    ended_periods,
    many_opinions,
    milestone_text,
    read_tracking_plans,
    report_due,
    window_start,
)
from pinggu.rules.vocabulary import EVENT_KIND_NAMES, TRACKING_REPORT_STATUS_NAMES, TrackingReportStatus
from pinggu.services.privacy import known_names, masked
from pinggu.services.rendered import Draft, Kept, render_once


def _decision_and_profile(session: Session, code: str) -> tuple[Decision, Profile]:
    decision = get_decision(session=session, code=code)
    return decision, load_profiles()[decision.profile]


# --- the tracking plan (OR-6, MH-S6) --------------------------------------------------------------


def import_plans(path: Path, recorded_by: str, today: date) -> list[str]:
    """Import the tracking plans of a file (all or none); a new plan asks for reports from this month on."""
    with read_session() as session:
        ends = {d.code: d.ends_on for d in session.exec(select(Decision))}
    specs = read_tracking_plans(path, ends, today)

    def write(session: Session) -> list[str]:
        lines = []
        for spec in specs:
            created, count = store.store_plan(
                session=session, spec=spec, source=path.name, recorded_by=recorded_by, tracking_from=today
            )
            lines.append(f"{spec.decision_code}：{'新建' if created else '更新'}跟踪反馈工作方案，时间节点 {count} 个")
        return lines

    return transaction(write)


def set_plan(spec: TrackingPlanSpec, recorded_by: str, today: date) -> str:
    """Save one decision's plan typed in a form (the web app's 跟踪反馈工作方案 page)."""
    if not recorded_by.strip():
        raise StateConflict("请填写填报人")

    def write(session: Session) -> str:
        decision = get_decision(session=session, code=spec.decision_code)
        if decision.ends_on is not None and decision.ends_on < today:
            raise StateConflict(f"决策 {decision.code} 已于 {decision.ends_on} 实施终止，不再跟踪反馈")
        created, count = store.store_plan(
            session=session, spec=spec, source="表单", recorded_by=recorded_by.strip(), tracking_from=today
        )
        return f"{decision.code}：{'新建' if created else '更新'}跟踪反馈工作方案，时间节点 {count} 个"

    return transaction(write)


# --- periodic reports (OR-8) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Requested:
    """A period's report just asked for."""

    decision: str
    period: str
    due: date
    unit: str


def open_requests(as_of: date, decision: str | None = None) -> list[Requested]:
    """Ask for every ended period's report of each decision under tracking, once (the profile sets the period,
    how long the unit has after it ends, and whether the lead unit or the implementing units report: CL-50); one
    short transaction per decision."""
    with read_session() as session:
        query = select(TrackingPlan.decision_code)
        if decision is not None:
            query = query.where(TrackingPlan.decision_code == decision)
        codes = list(session.exec(query.order_by(col(TrackingPlan.decision_code))))

    def ask(session: Session, code: str) -> list[Requested]:
        plan = session.get(TrackingPlan, code)
        assert plan is not None
        row, profile = _decision_and_profile(session, code)
        rules, asked = profile.tracking, []
        # CL-50 (changli 50): the office urges the implementing units, the milestones' units, on their tasks;
        # elsewhere the lead unit reports (ordos 8, minhang 督查 5–6).
        if rules.reports_from is ReportsFrom.implementing_units:
            unit = "、".join(store.implementing_units(session=session, decision=row))
        else:
            unit = row.lead_unit
        for period in ended_periods(plan.tracking_from, row.ends_on, as_of, rules.period):
            due = report_due(period, rules.report_within)
            made = store.request_report(
                session=session,
                decision=row,
                period=period,
                due=due.due,
                provisional=not due.calendar_complete,
                unit=unit,
            )
            if made is not None:
                asked.append(Requested(row.code, period.label, due.due, made.unit))
        return asked

    return [item for code in codes for item in transaction(functools.partial(ask, code=code))]


@dataclass(frozen=True)
class Received:
    """A report handed in: whether late, and what its immediate report (OR-9) led to."""

    report_id: int
    decision: str
    period: str
    late: bool
    trigger: str | None  # what the immediate report was recorded as
    proposal: str | None  # the prompt plan proposed for it, or why none was


def _serious_trigger(
    session: Session, decision: Decision, profile: Profile, kind: SeriousReport, note: str, on: date, by: str
) -> tuple[int, str]:
    """OR-9: record what the unit reported at once as the event trigger its profile names for that kind of
    report, under that kind's own article."""
    rule = profile.tracking.reported_problem.of(kind)
    event = rule.event
    trigger = record_trigger(
        session=session,
        decision_code=decision.code,
        kind=event,
        occurred_on=on,
        note=f"{kind.value}：{note}（承办单位报告，{profile.cited(rule.basis)}）",
        recorded_by=by,
    )
    assert trigger.id is not None
    pending = event in profile.triggers.events_need_approval
    summary = f"已记录为评估情形“{EVENT_KIND_NAMES[event]}”（{on}）" + (
        f"；须经同意后方启动评估（{profile.cited(profile.triggers.approval_basis or '')}），同意后请补录同意日期"
        if pending
        else ""
    )
    return trigger.id, summary


def _propose(decision_code: str, profile: Profile, kind: SeriousReport, today: date) -> str | None:
    """Propose the single-item plan where the rules say to evaluate this kind of report at once; the outcome,
    in Chinese."""
    if not profile.tracking.reported_problem.of(kind).prompt:
        return None
    from pinggu.services.planning import propose_prompt_plan

    try:
        return propose_prompt_plan(decision_code, today)
    except OrchestrationError as error:
        return str(error)


def submit_report(decision_code: str, period_key: str, report: TrackingInput, today: date) -> Received:
    """Record the unit's report for a period (asked for before), mark the milestones it reports done, and make
    an immediate report an event trigger at once; nothing is written if any of it is refused. Its free text is
    stored masked (E-PRIVACY: pinggu.services.privacy)."""
    names = known_names()
    report = report.model_copy(
        update={
            field: masked(text, names)
            for field in ("progress", "effect", "problems", "proposals", "next_steps", "serious_note")
            if isinstance(text := getattr(report, field), str)
        }
    )

    def write(session: Session) -> tuple[Received, Profile]:
        decision, profile = _decision_and_profile(session, decision_code)
        row = session.exec(
            select(TrackingReport).where(
                TrackingReport.decision_code == decision.code, TrackingReport.period_key == period_key
            )
        ).first()
        if row is None:
            asked = [r.period_key for r in store.reports_of(session=session, decision_code=decision.code)]
            raise NotFound(
                f"决策 {decision.code} 没有 {period_key} 期的跟踪反馈报告要求"
                + (f"；已开出的期间：{'、'.join(asked)}" if asked else "；尚未开出任何期间（先导入跟踪反馈工作方案）")
            )
        if row.status != TrackingReportStatus.requested:
            raise StateConflict(
                f"决策 {decision.code} {period_key} 期的跟踪反馈报告已于 {row.submitted_on} 报送"
                f"（{TRACKING_REPORT_STATUS_NAMES[TrackingReportStatus(row.status)]}），不能重复报送"
            )
        milestones = {m.seq: m for m in store.milestones_of(session=session, decision_code=decision.code)}
        for done in report.milestones_done:
            milestone = milestones.get(done.seq)
            if milestone is None:
                raise StateConflict(f"跟踪反馈工作方案中没有第 {done.seq} 个时间节点（共 {len(milestones)} 个）")
            if milestone.done_on is not None:
                raise StateConflict(f"第 {done.seq} 个时间节点（{milestone.target}）已于 {milestone.done_on} 报告完成")
            if done.done_on > today:
                raise StateConflict(f"第 {done.seq} 个时间节点的完成日期 {done.done_on} 晚于报送日期 {today}")
            milestone.done_on, milestone.done_report_id = done.done_on, row.id
            session.add(milestone)
        row.content = report.model_dump(mode="json")
        row.reporter, row.submitted_on, row.status = report.reporter, today, TrackingReportStatus.received
        trigger = None
        if report.serious is not SeriousReport.none:
            row.trigger_id, trigger = _serious_trigger(
                session, decision, profile, report.serious, report.serious_note or "", today, report.reporter
            )
        session.add(row)
        late = today > row.due_date
        audit.record(
            session=session,
            action="tracking_report_received",
            actor=report.reporter,
            decision_code=decision.code,
            period=period_key,
            late=late,
            milestones_done=[d.seq for d in report.milestones_done],
            serious=report.serious.value,
        )
        assert row.id is not None
        period = TrackingPeriod(row.period_start, row.period_end).label
        return Received(row.id, decision.code, period, late, trigger, None), profile

    received, profile = transaction(write)
    if received.trigger is None:
        return received
    proposal = _propose(decision_code, profile, report.serious, today)
    return Received(**{**received.__dict__, "proposal": proposal})


def report_at_once(decision_code: str, kind: SeriousReport, note: str, reporter: str, today: date) -> str:
    """OR-9 between reports: a serious problem, major change or force majeure, recorded as an event trigger at
    once and, where the rules say to evaluate at once, proposed as a single-item plan."""
    if kind is SeriousReport.none or not note.strip() or not reporter.strip():
        raise StateConflict("请写明情况类别（决策存在问题、客观情况发生重大变化或发生不可抗力）、情况说明和报告人")
    note = masked(note)  # E-PRIVACY: stored as the trigger's note

    def write(session: Session) -> tuple[str, Profile]:
        decision, profile = _decision_and_profile(session, decision_code)
        _, summary = _serious_trigger(session, decision, profile, kind, note, today, reporter.strip())
        return summary, profile

    summary, profile = transaction(write)
    proposal = _propose(decision_code, profile, kind, today)
    return summary + (f"\n{proposal}" if proposal else "")


def render_report(report_id: int, today: date) -> str | None:
    """Render a received report as PDF and Word from what was recorded and keep both; the PDF's store location,
    or None when it was rendered before (a re-run renders nothing twice). The public's opinions registered in
    the report's period (E-PUBLIC: the web page's, letters, calls) are listed in it, masked."""
    names = known_names()

    def draft(session: Session, row: TrackingReport) -> Draft:
        decision, _ = _decision_and_profile(session, row.decision_code)
        assert row.submitted_on is not None
        milestones = [
            {
                "seq": m.seq,
                "target": m.target,
                "due": m.due,
                "unit": m.unit,
                "state": milestone_text(m, row.submitted_on),
            }
            for m in store.milestone_states(session=session, decision_code=row.decision_code)
        ]
        opinions = [
            (o.id, o.received_on, o.channel, o.summary)
            for o in store.opinions_of(session=session, decision_code=row.decision_code)
            if o.id is not None and row.period_start <= o.received_on <= row.period_end
        ]
        content, decision_row = TrackingInput.model_validate(row.content), decision.model_dump(mode="json")
        context = {
            "period": TrackingPeriod(row.period_start, row.period_end).label,
            "unit": row.unit,
            "submitted_on": row.submitted_on,
            "due": row.due_date,
            "late": row.submitted_on > row.due_date,
            "milestones": milestones,
            "trigger_note": "已按规定记录为评估情形，由办公室决定或启动评估。" if row.trigger_id else "",
        }

        def html() -> str:
            # Masked again: an opinion registered before summaries were masked must not reach the report as typed.
            context["opinions"] = [
                {"number": opinion_number(number), "on": on, "channel": channel, "summary": masked(summary, names)}
                for number, on, channel, summary in opinions
            ]
            return document_html("tracking", decision_row, content, today, **context)

        return Draft(name=f"{row.decision_code}-跟踪反馈报告", html=html)

    def mark(row: TrackingReport, kept: Kept) -> None:
        row.pdf_path, row.docx_path, row.sha256 = kept.pdf.location, kept.docx.location, kept.pdf.sha256
        row.status, row.rendered_at = TrackingReportStatus.rendered, now_beijing()

    return render_once(
        lambda session: session.get(TrackingReport, report_id),
        pending=lambda row: row.status == TrackingReportStatus.received,
        settled=lambda _row: None,  # not handed in, or rendered before
        draft=draft,
        mark=mark,
        action="tracking_report_rendered",
        details=lambda row, _kept: {"period": row.period_key},
    )


def received_reports(decision: str | None = None) -> list[int]:
    """Reports handed in and not yet rendered."""
    with read_session() as session:
        query = select(TrackingReport.id).where(TrackingReport.status == TrackingReportStatus.received)
        if decision is not None:
            query = query.where(TrackingReport.decision_code == decision)
        return [i for i in session.exec(query.order_by(col(TrackingReport.id))) if i is not None]


# --- public opinions (E-PUBLIC) -------------------------------------------------------------------


def opinion_number(opinion_id: int) -> str:
    """An opinion's register number as its sender and the reports show it: YJ and eight digits (the receipt)."""
    return f"YJ{opinion_id:08d}"


def record_opinion(
    decision_code: str,
    channel: OpinionChannel,
    received_on: date,
    summary: str,
    contact: str,
    recorded_by: str,
    *,
    today: date | None = None,
) -> str:
    """Register an opinion (register_opinion); what the office reads."""
    return register_opinion(decision_code, channel, received_on, summary, contact, recorded_by, today=today)[1]


def register_opinion(
    decision_code: str,
    channel: OpinionChannel,
    received_on: date,
    summary: str,
    contact: str,
    recorded_by: str,
    *,
    today: date | None = None,
) -> tuple[int, str]:
    """Register an opinion (its sender's contact kept apart) and return its number and what the office reads; when it brings the count within the profile's
    window to the threshold, raise a many_opinions notice listing them for the office to judge. An opinion
    received after `today` (the office's day; None: today in Beijing) is refused. The summary is stored, and
    listed in the notice, masked (E-PRIVACY: pinggu.services.privacy); the contact only in its own table."""
    if not summary.strip() or not recorded_by.strip():
        raise StateConflict("请写明意见摘要和登记人")
    check_not_after_today(received_on, today or now_beijing().date(), "收到日期")
    names = known_names()
    summary = masked(summary, names)

    def write(session: Session) -> tuple[int, str]:
        decision, profile = _decision_and_profile(session, decision_code)
        opinion = PublicOpinion(
            decision_code=decision.code,
            channel=channel.value,
            received_on=received_on,
            summary=summary.strip(),
            recorded_by=recorded_by.strip(),
        )
        session.add(opinion)
        session.flush()
        assert opinion.id is not None
        if contact.strip():
            session.add(OpinionContact(opinion_id=opinion.id, contact=contact.strip()))
        audit.record(
            session=session,
            action="public_opinion_recorded",
            actor=recorded_by,
            decision_code=decision.code,
            channel=channel.value,
            received_on=received_on,
        )
        rule = profile.tracking.many_opinions
        first = window_start(received_on, rule.within)
        window = [
            o
            for o in store.opinions_of(session=session, decision_code=decision.code)
            if first <= o.received_on <= received_on
        ]
        line = f"已登记 {decision.code} 的公众意见（{channel.value}，{received_on}）"
        crossing = many_opinions([o.received_on for o in window], received_on, rule.count, rule.within)
        if not crossing or len(window) != rule.count:
            return opinion.id, line
        # Masked again: an opinion registered before summaries were masked must not reach the notice as typed.
        listed = "；".join(f"{o.received_on} {o.channel}：{masked(o.summary, names)}" for o in window)
        text = (
            f"【意见较多】决策 {decision.code}《{decision.title}》自 {first} 起收到公众意见 {len(window)} 件"
            f"（达到 {rule.count} 件，{profile.cited(rule.basis)}），请办公室研判是否属“较多意见”、理由是否充分，"
            f"确认后记录评估情形 many_opinions：{listed}"
        )
        session.add(
            Escalation(
                key=f"{decision.code}/opinions/{opinion.id}#many",
                kind="public_opinions",
                ref=f"{decision.code}/opinions",
                level="many",
                due_date=received_on,
                text=text,
            )
        )
        audit.record(session=session, action="many_opinions_raised", decision_code=decision.code, count=len(window))
        return opinion.id, f"{line}\n{text}"

    return transaction(write)
