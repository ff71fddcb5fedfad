"""The one place that builds the product database engine and opens sessions and transactions.

Writes are short: a step reads what it needs (`read_session`), does its slow work with no
transaction open, then records the result in one write transaction (`transaction`), which is
retried with bounded, jittered backoff when the database is busy, a transaction is serialised
out, or the connection drops. On SQLite a write transaction takes the write lock at its start;
on PostgreSQL the audit chain serialises its appends itself (pinggu.models.audit).
"""

from __future__ import annotations

import logging
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import ConnectionPoolEntry
from sqlmodel import Session, create_engine

from pinggu.core.errors import DatabaseBusy
from pinggu.core.settings import get_settings

T = TypeVar("T")
log = logging.getLogger("pinggu.db")

# Read-only sessions carry this execution option: on SQLite they begin a deferred transaction,
# which takes no write lock, so readers never queue behind writers (WAL).
_READ_ONLY = "pinggu_read_only"

# How many times a write transaction is tried, and the longest pause between two tries.
TRANSACTION_ATTEMPTS = 8
_MAX_BACKOFF_S = 2.0

# PostgreSQL SQLSTATEs that a new try can get past: serialisation failure, deadlock, lock not
# available, the server shutting down or restarting, and every connection exception (class 08).
_TRANSIENT_SQLSTATES = {"40001", "40P01", "55P03", "57P01", "57P02", "57P03"}


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
    # SQLAlchemy, not the driver, opens transactions (see _begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while a flow run writes; busy_timeout rides out another run's short write.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin(connection: Connection) -> None:
    # A write transaction takes the write lock at its start. A deferred one would read the audit
    # chain's last hash, then write after another run had appended to it, forking the chain (or
    # fail to upgrade its stale read to a write). Reads need no lock.
    if connection.get_execution_options().get(_READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


# How much work write transactions did in this process: CPU time of the thread between BEGIN and
# COMMIT, which neither a wait for the lock nor a starved CPU inflates, but rendering or analysing
# inside a transaction would. PINGGU_SLOW_TRANSACTION_MS logs every one above it.
_held = threading.local()


def _started(connection: Connection) -> None:
    connection.info["pinggu_began"] = (time.monotonic(), time.thread_time())


def _ended(connection: Connection) -> None:
    began = connection.info.pop("pinggu_began", None)
    if began is None or connection.get_execution_options().get(_READ_ONLY):
        return
    held_ms, work_ms = (time.monotonic() - began[0]) * 1000, (time.thread_time() - began[1]) * 1000
    _held.longest = max(getattr(_held, "longest", 0.0), work_ms)
    limit = get_settings().slow_transaction_ms
    if limit and work_ms > limit:
        log.warning(
            "写事务持有 %.0f ms（其中计算 %.0f ms，超过 %d ms）：%s",
            held_ms,
            work_ms,
            limit,
            connection.info.get("pinggu_work", "?"),
        )


def longest_write_transaction_ms() -> float:
    """The most CPU time one write transaction of this thread has taken, in milliseconds (tests, benches)."""
    return getattr(_held, "longest", 0.0)


def build_engine(url: str) -> Engine:
    """Create an engine for `url`; a new database gets the schema, an old one must be upgraded first."""
    import pinggu.models.agencies
    import pinggu.models.tables  # noqa: F401  (with pinggu.models.agencies: registers the tables on SQLModel.metadata)

    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _begin)
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=4)
    event.listen(engine, "begin", _started)
    event.listen(engine, "commit", _ended)
    event.listen(engine, "rollback", _ended)
    from pinggu.models.migrate import ensure_current

    ensure_current(engine)
    return engine


@lru_cache(maxsize=4)
def _engine_for(url: str) -> Engine:
    return build_engine(url)


def get_engine() -> Engine:
    """The engine for the configured database (PINGGU_DATABASE_URL or SQLite in PINGGU_HOME)."""
    return _engine_for(get_settings().resolved_database_url)


@contextmanager
def _session_scope(engine: Engine | None = None) -> Iterator[Session]:
    # One try of a write transaction, committed on success and rolled back on any error. Private: its body cannot
    # be re-run on a lock conflict, so product code writes through `transaction`, which retries (tests open it
    # through tests/builders.session_scope to arrange their data; tests/test_architecture.py keeps it so).
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_session(engine: Engine | None = None) -> Iterator[Session]:
    """A read-only session: takes no write lock; writing through it is a programming error."""
    bind = (engine or get_engine()).execution_options(**{_READ_ONLY: True})
    # Closing (not rolling back) ends the transaction and keeps what was read usable afterwards.
    with Session(bind, expire_on_commit=False) as session:
        yield session
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("read_session used to write: use pinggu.models.db.transaction")


def is_transient(error: BaseException) -> bool:
    """True for a failure a new try can get past: a busy SQLite file, a serialisation failure, a dropped connection."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate:
        return sqlstate in _TRANSIENT_SQLSTATES or sqlstate.startswith("08")
    message = str(error.orig).lower()
    return "database is locked" in message or "database table is locked" in message or "busy" in message


def backoff_s(attempt: int) -> float:
    """Full-jitter exponential backoff: a random pause up to 50 ms × 2^(attempt−1), at most 2 s."""
    return random.uniform(0, min(_MAX_BACKOFF_S, 0.05 * 2 ** (attempt - 1)))


def transaction(
    work: Callable[[Session], T], *, engine: Engine | None = None, attempts: int = TRANSACTION_ATTEMPTS
) -> T:
    """Run `work` in one short write transaction and return its result.

    A lock conflict, a serialisation failure or a dropped connection rolls the transaction back
    and runs `work` again after a jittered pause, up to `attempts` times; `work` must therefore
    only touch the database through its session. Nothing is written twice: each try either
    commits whole or leaves nothing.
    """
    for attempt in range(1, attempts + 1):
        try:
            with _session_scope(engine) as session:
                session.connection().info["pinggu_work"] = getattr(work, "__qualname__", repr(work))
                return work(session)
        except DBAPIError as error:
            if not is_transient(error):
                raise
            if attempt == attempts:
                raise DatabaseBusy(
                    f"数据库繁忙或连接中断，已重试 {attempts} 次仍未成功，请稍后重试（{type(error.orig).__name__}）",
                    attempts=attempts,
                ) from error
            log.info("数据库暂时不可用（第 %d 次），稍后重试：%s", attempt, error.orig)
            time.sleep(backoff_s(attempt))
    raise AssertionError("unreachable")


def dry_run(work: Callable[[Session], T], *, engine: Engine | None = None) -> T:
    """Run `work` in a write transaction that is always rolled back: what it would record, nothing recorded.

    The web app checks an answer this way before it resumes a run, with the very code the flow runs."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            return work(session)
        finally:
            session.rollback()


def hold_lock(session: Session, key: int) -> None:
    """Serialise this write transaction with every other one that holds `key`, until it ends: a PostgreSQL
    transaction-scoped advisory lock. On SQLite the write transaction already holds the database's one
    write lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
