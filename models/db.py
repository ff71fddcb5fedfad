"""The one place that builds the product database engine and opens sessions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

from pinggu.settings import get_settings

# The audit log is append-only (minhang 档案 11: protected against tampering); SQLite enforces it.
_APPEND_ONLY_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON auditevent
       BEGIN SELECT RAISE(ABORT, '审计记录只能追加，不能修改'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON auditevent
       BEGIN SELECT RAISE(ABORT, '审计记录只能追加，不能删除'); END""",
]


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # SQLAlchemy, not the driver, opens transactions (see _begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    # WAL lets the CLI read while a flow run writes; busy_timeout rides out short write locks.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_immediate(connection) -> None:
    # Every transaction takes the write lock at its start. Flow runs write side by side; a deferred
    # transaction would read the audit chain's last hash, then write after another run had appended
    # to it, forking the chain (or fail to upgrade its stale read to a write).
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def build_engine(url: str) -> Engine:
    """Create an engine for `url` and make sure the schema exists."""
    import models.agencies  # noqa: F401  (registers the tables on SQLModel.metadata)
    import models.tables  # noqa: F401

    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _begin_immediate)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    SQLModel.metadata.create_all(engine)
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:
            for statement in _APPEND_ONLY_TRIGGERS:
                connection.execute(text(statement))
    return engine


@lru_cache(maxsize=4)
def _engine_for(url: str) -> Engine:
    return build_engine(url)


def get_engine() -> Engine:
    """The engine for the configured database (PINGGU_DATABASE_URL or SQLite in PINGGU_HOME)."""
    return _engine_for(get_settings().resolved_database_url)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session committed on success and rolled back on any error: no half-written records."""
    with Session(engine or get_engine(), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
