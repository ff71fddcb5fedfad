"""后续措施 (C-FOLLOWUP: bazhou 15, ningxia 14, ordos 20): after an adjust, suspend or terminate conclusion the
executing unit takes measures to limit the losses, and reports back. The report-back — its date (a day that
has passed, not before the follow-up opened), what was done, optionally a document — closes the follow-up;
until then the deadline watch escalates it, and the annual summary counts it open, closed or overdue.

Both faces call `report_back`: `pinggu followup close` and the web app's follow-up page (pinggu/web/followups.py,
where only the office or the unit responsible may report). The note is stored masked (pinggu.services.privacy) and
a document is checked by its content (pinggu.core.file_types) before it is kept.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import Session, col, select

from pinggu.core.document_store import keep
from pinggu.core.errors import StateConflict
from pinggu.core.file_types import UPLOADED, check_content
from pinggu.models import evaluations as store
from pinggu.models.db import read_session, transaction
from pinggu.models.tables import BEIJING, Document, FollowUp
from pinggu.rules.periods import check_not_after_today
from pinggu.rules.vocabulary import FOLLOW_UP_STATUS_NAMES, FollowUpStatus
from pinggu.services.privacy import masked

DOCUMENT_TYPES = (".pdf", ".docx", ".txt")


@dataclass(frozen=True)
class Attachment:
    """A document handed in with a report-back: its bytes, its extension, and how the person knows it."""

    data: bytes
    suffix: str
    shown: str = UPLOADED


@dataclass(frozen=True)
class FollowUpState:
    """One follow-up as its page, the 待办 list and the CLI show it."""

    id: int
    evaluation: str
    decision: str
    title: str
    profile: str
    unit: str
    action: str
    basis: str
    due_date: date
    provisional: bool
    opened_on: date
    status: str
    reported_on: date | None
    note: str | None
    documents: tuple[tuple[str, int], ...]  # (title, document id)

    @property
    def open(self) -> bool:
        """Whether the unit has still to report back."""
        return self.status == FollowUpStatus.open

    @property
    def status_name(self) -> str:
        """办理中 / 已办结 / 已撤回."""
        return FOLLOW_UP_STATUS_NAMES.get(self.status, self.status)

    def overdue(self, today: date) -> bool:
        """Open past its date, or reported back after it (a withdrawn one never is)."""
        if self.status == FollowUpStatus.withdrawn:
            return False
        return (self.reported_on or today) > self.due_date


def _kind(item_id: int) -> str:
    return f"follow_up_report-{item_id}"


def _state(session: Session, item: FollowUp) -> FollowUpState:
    assert item.id is not None  # a stored follow-up
    evaluation = store.get_evaluation_by_id(session=session, evaluation_id=item.evaluation_id)
    decision = store.get_decision(session=session, code=item.decision_code)
    documents = session.exec(
        select(Document).where(Document.evaluation_id == item.evaluation_id, Document.kind == _kind(item.id))
    )
    return FollowUpState(
        id=item.id,
        evaluation=evaluation.code,
        decision=decision.code,
        title=decision.title,
        profile=decision.profile,
        unit=item.unit,
        action=item.action,
        basis=item.basis,
        due_date=item.due_date,
        provisional=item.provisional,
        opened_on=item.created_at.astimezone(BEIJING).date(),
        status=item.status,
        reported_on=item.closed_at.astimezone(BEIJING).date() if item.closed_at else None,
        note=item.note,
        documents=tuple((d.title, d.id) for d in documents if d.id is not None),
    )


def follow_up_state(item_id: int) -> FollowUpState:
    """One follow-up, or NotFound in Chinese."""
    with read_session() as session:
        return _state(session, store.get_follow_up(session=session, follow_up_id=item_id))


def open_follow_ups() -> list[FollowUpState]:
    """Every follow-up still waiting for its unit's report-back, the earliest due first."""
    with read_session() as session:
        query = select(FollowUp).where(FollowUp.status == FollowUpStatus.open).order_by(col(FollowUp.due_date))
        return [_state(session, item) for item in session.exec(query)]


def report_back(
    item_id: int, *, reported_on: date, note: str, by: str, today: date, document: Attachment | None = None
) -> str:
    """Record the unit's report-back and close the follow-up (C-FOLLOWUP); what the person reads. Refused in
    Chinese, with nothing written: no note or reporter, a date after today or before the follow-up opened, a
    follow-up already closed, a document that is not what its name says."""
    if not note.strip() or not by.strip():
        raise StateConflict("请写明落实情况（采取的措施及效果）和报告人")
    check_not_after_today(reported_on, today, "报告日期")
    current = follow_up_state(item_id)
    if not current.open:
        raise StateConflict(
            f"后续措施 #{item_id} {current.status_name}"
            + (f"（{current.reported_on} 报告）" if current.reported_on else "")
            + "，不能再次报告"
        )
    if reported_on < current.opened_on:
        raise StateConflict(
            f"报告日期 {reported_on} 早于后续措施 #{item_id} 开启之日（{current.opened_on}）：请核对日期"
        )
    kept = None
    if document is not None:
        suffix = document.suffix.lower()
        if suffix not in DOCUMENT_TYPES:
            raise StateConflict(
                f"{document.shown}的类型“{suffix or '无扩展名'}”不受理：可提交 {'、'.join(DOCUMENT_TYPES)} 文件"
            )
        check_content(document.data, suffix, document.shown)
        with tempfile.TemporaryDirectory(prefix="pinggu-followup-") as folder:
            received = Path(folder) / f"落实情况报告{suffix}"
            received.write_bytes(document.data)
            kept = keep(received)  # read and stored before the transaction opens
    text = masked(note)  # E-PRIVACY: stored as typed, less personal data

    def write(session: Session) -> FollowUp:
        item = store.get_follow_up(session=session, follow_up_id=item_id)
        if item.status != FollowUpStatus.open:
            raise StateConflict(f"后续措施 #{item_id} 已由他人报告办结，不能再次报告")
        stored = None
        if kept is not None:
            stored = store.add_document(
                session=session,
                evaluation_id=item.evaluation_id,
                kind=_kind(item_id),
                title=f"后续措施 #{item_id} 落实情况报告（{reported_on}）",
                path=kept.location,
                sha256=kept.sha256,
                follow_up=item_id,
            )
        return store.close_follow_up(
            session=session,
            item=item,
            reported_on=reported_on,
            note=text,
            by=by.strip(),
            document_id=stored.id if stored else None,
        )

    item = transaction(write)
    late = reported_on > item.due_date
    return (
        f"已记录后续措施 #{item_id}（{item.unit}）的落实情况报告（{reported_on}）"
        + (f"，晚于期限 {item.due_date}（逾期办结）" if late else "")
        + "；该后续措施已办结"
    )
