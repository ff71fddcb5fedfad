"""A recorded document rendered once: read what it is made of, render its PDF and Word with no transaction open,
keep both in the document store, then record them on the row in one write transaction, only if the row still
waits for them (compare-and-set), with an audit event. A re-run, or two runs at once, never records twice; the
tracking reports, the supervision reports and the decision-procedure records are written this way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlmodel import Session

from pinggu.core.document_store import StoredObject
from pinggu.models import audit
from pinggu.models.db import read_session, transaction
from pinggu.reporting.docx import keep_pdf_and_docx


class _OfDecision(Protocol):
    """A row that may belong to a decision: the audit event names it (a procedure has none until it is published)."""

    @property
    def decision_code(self) -> str | None: ...


Row = TypeVar("Row", bound=_OfDecision)
Settled = TypeVar("Settled")


@dataclass(frozen=True)
class Draft:
    """What a row's document is made of, read in the read session: the name its files are kept under, and how
    its HTML is rendered (called after the session has closed: rendering is slow)."""

    name: str
    html: Callable[[], str]


@dataclass(frozen=True)
class Kept:
    """A rendered document's PDF and Word file, as kept in the document store."""

    pdf: StoredObject
    docx: StoredObject


def _no_details(_row: object, _kept: Kept) -> Mapping[str, Any]:
    return {}


def render_once(
    get: Callable[[Session], Row | None],
    *,
    pending: Callable[[Row], bool],
    settled: Callable[[Row | None], Settled],
    draft: Callable[[Session, Row], Draft],
    mark: Callable[[Row, Kept], None],
    action: str,
    details: Callable[[Row, Kept], Mapping[str, Any]] = _no_details,
) -> str | Settled:
    """Render a row's document once and record it; the PDF's store location, or `settled(row)` when the row does
    not wait for it (no row, rendered before, or rendered by another run meanwhile).

    `get` reads the row (in the read session and again in the write transaction), `pending` is the compare-and-set
    condition, `draft` what to render, `mark` records the kept files on the row, and the audit event `action`
    carries the decision, the PDF's location and sha256, and `details`.
    """
    with read_session() as session:
        row = get(session)
        if row is None or not pending(row):
            return settled(row)
        todo = draft(session, row)
    pdf, docx = keep_pdf_and_docx(todo.html(), todo.name)
    kept = Kept(pdf=pdf, docx=docx)

    def record(session: Session) -> str | Settled:
        current = get(session)
        if current is None or not pending(current):
            return settled(current)  # another run recorded it meanwhile; its files have the same content
        mark(current, kept)
        session.add(current)
        audit.record(
            session=session,
            action=action,
            decision_code=current.decision_code,
            pdf=kept.pdf.location,
            sha256=kept.pdf.sha256,
            **details(current, kept),
        )
        return kept.pdf.location

    return transaction(record)
