"""Verifying the whole audit chain (pinggu.models.audit.chain_problems, `pinggu audit verify`): an edited, a deleted
and a reordered entry are each named, on SQLite and on PostgreSQL.

The audit table refuses UPDATE and DELETE by trigger, so each test tampers with its own throwaway
database (SQLite under tmp_path; a new PostgreSQL database when PINGGU_TEST_DATABASE_URL names a server)
with the triggers dropped or disabled, as a database owner could; the session's database stays intact.
"""

from __future__ import annotations

import os
import uuid

import pytest
from builders import session_scope
from sqlalchemy import text
from typer.testing import CliRunner

from pinggu.models import audit
from pinggu.models.db import build_engine, read_session
from pinggu.cli import app

runner = CliRunner()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    """A new product database with eight chained audit entries (ids 1–8; 3–5 of evaluation 7)."""
    server = ""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'pinggu.db'}"
    else:
        server = os.environ.get("PINGGU_TEST_DATABASE_URL", "")
        if not server.startswith("postgresql"):
            pytest.skip("PINGGU_TEST_DATABASE_URL 未指向 PostgreSQL")
        from pg_databases import create_database, url_for

        name = create_database(server, f"pinggu_audit_{uuid.uuid4().hex[:12]}")
        url = url_for(server, name)
    built = build_engine(url)
    try:
        with session_scope(built) as session:
            for n in range(1, 9):
                audit.record(
                    session=session, action="probe", actor="测试", evaluation_id=7 if 3 <= n <= 5 else None, n=n
                )
        yield built
    finally:
        built.dispose()
        if server:
            from pg_databases import drop_database

            drop_database(server, name)


def tamper(engine, *statements: str) -> None:
    """Run statements on the audit table past its append-only triggers, as the database owner could."""
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE auditevent DISABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER IF EXISTS audit_no_update"))
            connection.execute(text("DROP TRIGGER IF EXISTS audit_no_delete"))
        for statement in statements:
            connection.execute(text(statement))
        if engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE auditevent ENABLE TRIGGER USER"))


def problems(engine, evaluation_id: int | None = None) -> list[audit.ChainProblem]:
    with read_session(engine) as session:
        return audit.chain_problems(session=session, evaluation_id=evaluation_id)


@pytest.mark.rule("MH-A11")
def test_an_intact_chain_has_no_problem(engine):
    assert problems(engine) == []
    with read_session(engine) as session:
        assert audit.verify_chain(session=session) is None


@pytest.mark.rule("MH-A11")
def test_an_edited_entry_is_named(engine):
    tamper(engine, "UPDATE auditevent SET actor = '篡改者' WHERE id = 4")
    assert problems(engine) == [audit.ChainProblem(4, "edited", "审计记录第 4 条（probe）内容被修改：与其哈希不符")]
    with read_session(engine) as session:
        assert audit.verify_chain(session=session) == 4


@pytest.mark.rule("MH-A11")
def test_a_deleted_entry_is_named_at_the_gap(engine):
    tamper(engine, "DELETE FROM auditevent WHERE id = 5")
    assert problems(engine) == [
        audit.ChainProblem(
            6, "deleted", "审计链在第 6 条之前断开：与第 4 条之间的记录被删除（或前一条被改写并重算了哈希）"
        )
    ]


@pytest.mark.rule("MH-A11")
def test_the_first_entry_deleted_is_a_gap_at_the_chain_head(engine):
    tamper(engine, "DELETE FROM auditevent WHERE id = 1")
    assert [(p.event_id, p.kind) for p in problems(engine)] == [(2, "deleted")]
    assert "与链首之间" in problems(engine)[0].message


@pytest.mark.rule("MH-A11")
def test_reordered_entries_are_named(engine):
    tamper(
        engine,
        "UPDATE auditevent SET id = 100 WHERE id = 3",
        "UPDATE auditevent SET id = 3 WHERE id = 4",
        "UPDATE auditevent SET id = 4 WHERE id = 100",
    )
    found = problems(engine)
    assert {p.kind for p in found} == {"reordered"}
    assert [p.event_id for p in found] == [3, 4, 5]
    assert found[0].message == "审计记录第 3 条顺序被调换：它应接在第 4 条之后，现位于第 2 条之后"


@pytest.mark.rule("MH-A11")
def test_every_problem_is_named_at_once(engine):
    tamper(engine, "UPDATE auditevent SET action = 'forged' WHERE id = 2", "DELETE FROM auditevent WHERE id = 7")
    assert [(p.event_id, p.kind) for p in problems(engine)] == [(2, "edited"), (8, "deleted")]


@pytest.mark.rule("MH-A11")
def test_one_evaluation_sees_the_problems_of_its_stretch_only(engine):
    tamper(engine, "UPDATE auditevent SET actor = 'x' WHERE id = 1", "DELETE FROM auditevent WHERE id = 5")
    assert [(p.event_id, p.kind) for p in problems(engine, evaluation_id=7)] == [(6, "deleted")]
    assert [(p.event_id, p.kind) for p in problems(engine)] == [(1, "edited"), (6, "deleted")]


@pytest.mark.rule("MH-A11")
def test_cli_audit_verify_exits_1_naming_each_problem(engine, monkeypatch):
    import pinggu.models.db

    monkeypatch.setattr(pinggu.models.db, "get_engine", lambda: engine)
    intact = runner.invoke(app, ["audit", "verify"])
    assert intact.exit_code == 0, intact.output
    assert "审计链完整：共 8 条记录" in intact.output

    tamper(engine, "UPDATE auditevent SET actor = '篡改者' WHERE id = 4", "DELETE FROM auditevent WHERE id = 6")
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "审计记录第 4 条（probe）内容被修改：与其哈希不符" in broken.output
    assert "审计链在第 7 条之前断开" in broken.output
    assert "发现 2 处问题" in broken.output
