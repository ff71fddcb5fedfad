"""`pinggu db copy --to postgresql+psycopg://…` (models/db_copy.py): every row of a realistic SQLite installation
arrives equal in an empty PostgreSQL database, which the product then runs on; a non-empty target, a failure
or a mismatch leaves the target without a record; bad URLs and sources are refused in Chinese.

The copies need a PostgreSQL server (PINGGU_TEST_DATABASE_URL, the PostgreSQL pass of scripts/test.sh) and skip
without one, as the migration tests do; the refusals before any connection run on every pass.
"""

from __future__ import annotations

import os
import uuid

import pytest
from builders import session_scope
from realistic_database import LONG_TEXT, NESTED, ODD_MOMENT, fill, fill_later_tables, snapshot
from sqlalchemy import text
from sqlmodel import select
from typer.testing import CliRunner

from pinggu.core.errors import StateConflict
from pinggu.core.settings import get_settings
from pinggu.models import audit, db_copy, migrate
from pinggu.models.db import build_engine, get_engine, read_session
from pinggu.models.tables import Person, PublicOpinion, SupervisionRound, TrackingReport
from pinggu.cli import app

runner = CliRunner()

SKIP_REASON = "PINGGU_TEST_DATABASE_URL 未指向 PostgreSQL"


# ── databases ────────────────────────────────────────────────────────────────


def _source(path) -> str:
    """A SQLite installation at head with a realistic evaluation and a row in every table."""
    url = f"sqlite:///{path}"
    engine = migrate.connect(url)
    try:
        migrate.upgrade(engine)
        fill(engine)
        fill_later_tables(engine)
        with engine.begin() as connection:  # an SQL NULL in a JSON column (a JSON null is in distributed_to)
            connection.execute(text("UPDATE decisionprocedure SET answers = NULL"))
    finally:
        engine.dispose()
    return url


@pytest.fixture
def source(tmp_path) -> str:
    """The URL of a filled SQLite source database."""
    return _source(tmp_path / "pinggu.db")


@pytest.fixture
def use(monkeypatch):
    """Point the settings at another product database (PINGGU_DATABASE_URL) for this test only."""

    def use_(url: str) -> None:
        monkeypatch.setenv("PINGGU_DATABASE_URL", url)
        get_settings.cache_clear()

    yield use_
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def configured(source, use):
    """The filled source as the configured product database."""
    use(source)
    return source


@pytest.fixture
def target():
    """A new, empty PostgreSQL database on the test server, dropped afterwards."""
    server = os.environ.get("PINGGU_TEST_DATABASE_URL", "")
    if not server.startswith("postgresql"):
        pytest.skip(SKIP_REASON)
    from pg_databases import create_database, drop_database, url_for

    name = create_database(server, f"pinggu_copy_{uuid.uuid4().hex[:12]}")
    try:
        yield url_for(server, name)
    finally:
        drop_database(server, name)


def _rows(url) -> dict[str, int]:
    engine = migrate.connect(url)
    try:
        with engine.connect() as connection:
            return db_copy.rows_in(connection)
    finally:
        engine.dispose()


def _snapshot(url) -> dict[str, list[tuple]]:
    engine = migrate.connect(url)
    try:
        return snapshot(engine)
    finally:
        engine.dispose()


# ── the copy ─────────────────────────────────────────────────────────────────


def test_every_row_of_every_table_arrives_equal_and_the_product_runs_on_the_target(configured, target, use):
    before = _snapshot(configured)
    assert [name for name, rows in before.items() if len(rows) < 2] == []  # a header and a row in every table

    result = runner.invoke(app, ["db", "copy", "--to", target])

    assert result.exit_code == 0, result.output
    assert "复制完成，已提交" in result.output and "核对结果" in result.output
    assert "审计链：目标数据库核验完整" in result.output
    assert result.output.count("  一致") == len(before)
    assert ":pinggu@" not in result.output  # the password is not printed
    assert _snapshot(target) == before
    engine = build_engine(target)  # at head: the product's own engine opens it
    try:
        with engine.connect() as connection:
            nulls = "SELECT answers IS NULL FROM decisionprocedure UNION ALL SELECT distributed_to IS NULL FROM supervisionround"
            assert connection.execute(text(nulls)).scalars().all() == [True, False]
        with read_session(engine) as session:
            assert session.exec(select(PublicOpinion)).one().summary == LONG_TEXT
            assert session.exec(select(TrackingReport)).one().content == NESTED
            assert session.exec(select(TrackingReport)).one().rendered_at == ODD_MOMENT
            assert [p.active for p in session.exec(select(Person).order_by(Person.id))] == [True, False]
            assert session.exec(select(SupervisionRound)).one().distributed_to is None
        assert migrate.check(engine) == []
        # Sequences reset: new rows take the next ids, the audit chain goes on from the copied one.
        with session_scope(engine) as session:
            opinion = PublicOpinion(
                decision_code="MH-2024-007",
                channel="网站",
                received_on=ODD_MOMENT.date(),
                summary="新意见",
                recorded_by="赵敏",
            )
            session.add(opinion)
            event = audit.record(session=session, action="copied_checked", actor="测试")
            session.flush()
            assert opinion.id == 2 and event.id == len(before["auditevent"])
        with read_session(engine) as session:
            assert audit.verify_chain(session=session) is None
    finally:
        engine.dispose()

    use(target)
    try:
        for command in (["db", "check", "--database"], ["audit", "verify"], ["db", "current"]):
            result = runner.invoke(app, command)
            assert result.exit_code == 0, result.output
    finally:
        get_engine().dispose()  # before the database is dropped
    assert "当前结构版本：" + migrate.HEAD_REVISION in result.output


def test_a_target_with_records_is_refused_and_left_unchanged(source, target):
    engine = migrate.connect(target)
    try:
        migrate.upgrade(engine)
        fill(engine)
    finally:
        engine.dispose()
    before = _snapshot(target)

    with pytest.raises(StateConflict, match=r"不是空的：agency（1 行）.* 等 \d+ 张表。没有写入任何内容"):
        db_copy.copy_database(source, target)

    assert _snapshot(target) == before


def test_a_failure_while_copying_leaves_the_target_without_a_record(source, target):
    engine = migrate.connect(source)
    try:
        with engine.begin() as connection:  # SQLite keeps a NUL in text; PostgreSQL refuses it
            connection.execute(text("UPDATE publicopinion SET summary = 'a' || char(0) || 'b'"))
    finally:
        engine.dispose()

    with pytest.raises(StateConflict, match="复制表 publicopinion时出错，已全部回滚，目标数据库中没有写入任何记录"):
        db_copy.copy_database(source, target)

    assert set(_rows(target).values()) == {0}


def test_a_mismatch_is_reported_rolled_back_and_exits_1(configured, target, monkeypatch):
    real = db_copy._digest

    def altered(connection, table):
        rows, digest = real(connection, table)
        return (rows, "0" * 64) if table.name == "steprecord" else (rows, digest)

    monkeypatch.setattr(db_copy, "_digest", altered)
    result = runner.invoke(app, ["db", "copy", "--to", target])

    assert result.exit_code == 1
    assert "内容不一致" in result.output and "表 steprecord 的记录不一致" in result.output
    assert "目标数据库已全部回滚" in result.output and "Traceback" not in result.output
    assert set(_rows(target).values()) == {0}


def test_small_batches_and_a_migrated_empty_target_copy_the_same(source, target):
    engine = migrate.connect(target)
    try:
        migrate.upgrade(engine)  # what `pinggu up` would have made of the new database
    finally:
        engine.dispose()

    report = db_copy.copy_database(source, target, batch_rows=1)

    assert report.committed and report.mismatched == [] and report.target_chain == []
    assert _snapshot(target) == _snapshot(source)


# ── refusals before anything is written ─────────────────────────────────────


@pytest.mark.parametrize(
    ("to", "message"),
    [
        ("这不是地址", "目标数据库地址无法识别"),
        ("mysql+pymysql://u:secret@127.0.0.1/pinggu", "目标数据库必须是 PostgreSQL"),
        ("postgresql+asyncpg://u:secret@127.0.0.1/pinggu", "驱动 postgresql+asyncpg 不受支持"),
        ("postgresql+psycopg://u:secret@127.0.0.1:5432", "没有写数据库名"),
        (
            "postgresql+psycopg://u:secret@127.0.0.1:1/pinggu",
            "无法连接目标数据库 postgresql+psycopg://u:***@127.0.0.1:1/pinggu：",
        ),
    ],
)
def test_a_bad_or_unreachable_target_is_a_chinese_error(configured, to, message):
    result = runner.invoke(app, ["db", "copy", "--to", to])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "secret" not in result.output
    assert message in result.output, result.output


def test_a_source_that_is_not_sqlite_or_not_at_head_is_refused(tmp_path, use):
    use("postgresql+psycopg://u:secret@127.0.0.1:1/pinggu")
    result = runner.invoke(app, ["db", "copy", "--to", "postgresql+psycopg://u:p@127.0.0.1:1/x"])
    assert result.exit_code == 1 and "当前产品数据库不是 SQLite" in result.output
    assert "secret" not in result.output and "Traceback" not in result.output

    behind = f"sqlite:///{tmp_path / 'behind.db'}"
    engine = migrate.connect(behind)
    migrate.upgrade(engine, "0010")
    engine.dispose()
    use(behind)
    result = runner.invoke(app, ["db", "copy", "--to", "postgresql+psycopg://u:p@127.0.0.1:1/x"])
    assert result.exit_code == 1
    assert "源数据库结构版本为 0010" in result.output and "pinggu db upgrade" in result.output

    use(f"sqlite:///{tmp_path / 'missing.db'}")
    result = runner.invoke(app, ["db", "copy", "--to", "postgresql+psycopg://u:p@127.0.0.1:1/x"])
    assert result.exit_code == 1 and "找不到源 SQLite 数据库文件" in result.output
    assert not (tmp_path / "missing.db").exists()
