"""Public comment periods (意见征集, issue 33; E-PUBLIC: ordos 7/16, minhang 9; changli 15): the office opens
a period for a decision, the public page takes opinions from anyone while it is open, each into the same
opinion register the reports and the many-opinions notice read (pinggu.services.tracking.register_opinion: the
text masked, the contact kept apart), with a receipt number for the sender.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from pinggu.core.errors import NotFound, StateConflict
from pinggu.models import audit
from pinggu.models.db import read_session, transaction
from pinggu.models.evaluations import get_decision
from pinggu.models.tables import CommentWindow
from pinggu.rules.tracking import OpinionChannel
from pinggu.services.tracking import opinion_number, register_opinion

MAX_OPINION_CHARS = 2000
MAX_CONTACT_CHARS = 100
PUBLIC_SENDER = "网站意见征集"


@dataclass(frozen=True)
class PublicWindow:
    """A comment period as its public page shows it."""

    id: int
    decision_code: str
    decision_title: str
    title: str
    opens_on: date
    closes_on: date
    open_now: bool


def receipt_number(opinion_id: int) -> str:
    """The number a sender keeps: the opinion's register number, as the tracking reports list it."""
    return opinion_number(opinion_id)


def open_window(decision_code: str, title: str, opens_on: date, closes_on: date, opened_by: str) -> int:
    """Open a public comment period for a decision (the office); its id. Refused in Chinese when the days are
    the wrong way round or the title is empty."""
    if not title.strip():
        raise StateConflict("请写明征集意见的事项（公众在页面上看到的标题）")
    if closes_on < opens_on:
        raise StateConflict(f"征集截止日 {closes_on} 早于开始日 {opens_on}")

    def write(session: Session) -> int:
        get_decision(session=session, code=decision_code)  # NotFound in Chinese
        window = CommentWindow(
            decision_code=decision_code,
            title=title.strip(),
            opens_on=opens_on,
            closes_on=closes_on,
            opened_by=opened_by,
        )
        session.add(window)
        session.flush()
        assert window.id is not None
        audit.record(
            session=session,
            action="comment_window_opened",
            actor=opened_by,
            decision_code=decision_code,
            window=window.id,
            opens_on=opens_on,
            closes_on=closes_on,
        )
        return window.id

    return transaction(write)


def close_window(window_id: int, closed_by: str) -> None:
    """Turn a period's public page off before its end (the office)."""

    def write(session: Session) -> None:
        window = session.get(CommentWindow, window_id)
        if window is None:
            raise NotFound("没有这个意见征集")
        window.enabled = False
        session.add(window)
        audit.record(session=session, action="comment_window_closed", actor=closed_by, window=window_id)

    transaction(write)


def windows_of(decision_code: str) -> list[CommentWindow]:
    """A decision's comment periods, newest first."""
    with read_session() as session:
        query = select(CommentWindow).where(CommentWindow.decision_code == decision_code)
        return list(session.exec(query.order_by(col(CommentWindow.id).desc())))


def public_window(window_id: int, today: date) -> PublicWindow:
    """The period as the public page shows it; NotFound in Chinese when it does not exist or was turned off."""
    with read_session() as session:
        window = session.get(CommentWindow, window_id)
        if window is None or not window.enabled or window.id is None:
            raise NotFound("没有这个意见征集，或征集已停止")
        decision = get_decision(session=session, code=window.decision_code)
    return PublicWindow(
        id=window.id,
        decision_code=decision.code,
        decision_title=decision.title,
        title=window.title,
        opens_on=window.opens_on,
        closes_on=window.closes_on,
        open_now=window.opens_on <= today <= window.closes_on,
    )


def submit_public_opinion(window_id: int, text: str, contact: str, today: date) -> str:
    """Take one opinion from the public page into the register; its receipt number. Refused in Chinese outside
    the period, when empty or too long."""
    window = public_window(window_id, today)
    if not window.open_now:
        when = f"{window.opens_on} 至 {window.closes_on}"
        raise StateConflict(f"本次意见征集的时间为 {when}，当前不在征集期内，意见未提交")
    if not text.strip():
        raise StateConflict("请填写您的意见")
    if len(text) > MAX_OPINION_CHARS or len(contact) > MAX_CONTACT_CHARS:
        raise StateConflict(f"意见请不超过 {MAX_OPINION_CHARS} 字，联系方式不超过 {MAX_CONTACT_CHARS} 字")
    opinion_id, _ = register_opinion(
        window.decision_code, OpinionChannel.website, today, text, contact, PUBLIC_SENDER, today=today
    )
    return receipt_number(opinion_id)
