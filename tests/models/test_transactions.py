"""Short write transactions (pinggu.models.db): retried when the database is busy, never written twice,
reads that take no write lock, and a log of any write transaction held too long."""

from __future__ import annotations

import logging
import sqlite3
import uuid

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlite_lock import write_lock_free
from sqlmodel import select

from pinggu.core.errors import DatabaseBusy
from pinggu.models import audit
from pinggu.models.db import backoff_s, is_transient, longest_write_transaction_ms, read_session, transaction
from pinggu.models.tables import AuditEvent


class _PgError(Exception):
    """A driver error carrying a PostgreSQL SQLSTATE, as psycopg's do."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _operational(orig: Exception) -> OperationalError:
    return OperationalError("SELECT 1", {}, orig)


@pytest.mark.parametrize(
    ("orig", "transient"),
    [
        (sqlite3.OperationalError("database is locked"), True),
        (sqlite3.OperationalError("database table is locked"), True),
        (sqlite3.OperationalError("no such table: evaluation"), False),
        (_PgError("40001"), True),  # serialization_failure
        (_PgError("40P01"), True),  # deadlock_detected
        (_PgError("55P03"), True),  # lock_not_available
        (_PgError("08006"), True),  # connection_failure
        (_PgError("57P01"), True),  # admin_shutdown (server restarting)
        (_PgError("23505"), False),  # unique_violation: a real conflict, not a busy database
        (_PgError("42P01"), False),  # undefined_table
    ],
)
def test_only_a_busy_database_or_a_dropped_connection_is_worth_another_try(orig, transient):
    assert is_transient(_operational(orig)) is transient


def test_a_dropped_connection_is_worth_another_try():
    error = _operational(RuntimeError("server closed the connection unexpectedly"))
    error.connection_invalidated = True
    assert is_transient(error)


def test_backoff_is_jittered_bounded_and_grows():
    pauses = [backoff_s(attempt) for attempt in range(1, 12) for _ in range(50)]
    assert all(0 <= pause <= 2.0 for pause in pauses)
    assert max(backoff_s(1) for _ in range(200)) <= 0.05 < max(backoff_s(6) for _ in range(200))
    assert len({round(backoff_s(4), 6) for _ in range(20)}) > 1  # jitter: not the same pause each time


def test_a_busy_database_is_tried_again_and_the_record_written_once(settings, monkeypatch):
    monkeypatch.setattr("pinggu.models.db.backoff_s", lambda attempt: 0)
    marker, tries = uuid.uuid4().hex, []

    def work(session):
        audit.record(session=session, action="retry_probe", marker=marker)
        tries.append(1)
        if len(tries) < 3:
            raise _operational(sqlite3.OperationalError("database is locked"))
        return len(tries)

    assert transaction(work) == 3
    with read_session() as session:
        written = [
            e
            for e in session.exec(select(AuditEvent).where(AuditEvent.action == "retry_probe"))
            if e.detail["marker"] == marker
        ]
    assert len(written) == 1  # the two failed tries were rolled back whole


def test_a_database_busy_through_every_try_says_so_in_chinese_and_writes_nothing(settings, monkeypatch):
    monkeypatch.setattr("pinggu.models.db.backoff_s", lambda attempt: 0)
    tries = []

    def work(session):
        tries.append(1)
        raise _operational(sqlite3.OperationalError("database is locked"))

    with pytest.raises(DatabaseBusy) as caught:
        transaction(work, attempts=4)
    assert len(tries) == 4 and "数据库繁忙或连接中断，已重试 4 次仍未成功" in str(caught.value)


def test_a_real_conflict_is_not_tried_again(settings):
    tries = []

    def work(session):
        tries.append(1)
        raise IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed: evaluation.code"))

    with pytest.raises(IntegrityError):
        transaction(work)
    assert len(tries) == 1


def test_a_read_session_refuses_to_write(settings):
    with pytest.raises(RuntimeError, match="read_session used to write"), read_session() as session:
        session.add(AuditEvent(actor="x", action="x", prev_hash="", hash=""))


def _sqlite_path(settings) -> str | None:
    url = settings.resolved_database_url
    return url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else None


def test_a_read_session_leaves_the_write_lock_free_and_a_transaction_holds_it(settings):
    path = _sqlite_path(settings)
    if path is None:
        pytest.skip("SQLite's write lock")
    with read_session() as session:
        session.exec(select(AuditEvent).limit(1)).all()
        assert write_lock_free(path)
    assert (
        transaction(lambda session: (audit.record(session=session, action="lock_probe"), write_lock_free(path))[1])
        is False
    )


def test_a_write_transaction_held_too_long_is_logged(monkeypatch, caplog):
    import time

    from pinggu.core.settings import get_settings

    monkeypatch.setattr(get_settings(), "slow_transaction_ms", 50)
    with caplog.at_level(logging.WARNING, logger="pinggu.db"):
        transaction(lambda session: (audit.record(session=session, action="sleep_probe"), time.sleep(0.12)))
        transaction(lambda session: (audit.record(session=session, action="work_probe"), _busy(0.12)))
        transaction(lambda session: audit.record(session=session, action="quick_probe"))
    slow = [r.getMessage() for r in caplog.records if "写事务持有" in r.getMessage()]
    # Waiting (for a lock, or a starved CPU) is not work; computing inside the transaction is.
    assert len(slow) == 1 and "超过 50 ms" in slow[0] and "test_a_write_transaction_held_too_long_is_logged" in slow[0]
    assert longest_write_transaction_ms() >= 100


def _busy(seconds: float) -> None:
    import time

    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass
