"""Schema migrations of the product database (models/migrate.py, migrations/): no row lost, models and
migrations agree, the audit log stays append-only, old databases are recognised.

Every test makes its own databases: SQLite under tmp_path and, when PINGGU_TEST_DATABASE_URL names a
PostgreSQL server, a fresh database created on that server and dropped afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from builders import session_scope
from realistic_database import fill, snapshot
from sqlalchemy import Column, MetaData, String, inspect, text
from sqlalchemy.exc import DatabaseError
from sqlmodel import SQLModel, select
from typer.testing import CliRunner

from pinggu.core.errors import StateConflict
from pinggu.core.settings import get_settings
from pinggu.models import agencies, audit, migrate
from pinggu.models.db import build_engine
from pinggu.models.tables import Evaluation
from pinggu.cli import app

runner = CliRunner()


# ── databases ────────────────────────────────────────────────────────────────


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    """An empty database: SQLite in tmp_path, or a new PostgreSQL database (PINGGU_TEST_DATABASE_URL)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'pinggu.db'}"
        return
    server = os.environ.get("PINGGU_TEST_DATABASE_URL", "")
    if not server.startswith("postgresql"):
        pytest.skip("PINGGU_TEST_DATABASE_URL 未指向 PostgreSQL")
    from pg_databases import create_database, drop_database, url_for

    name = create_database(server, f"pinggu_migrations_{uuid.uuid4().hex[:12]}")
    try:
        yield url_for(server, name)
    finally:
        drop_database(server, name)


@pytest.fixture
def open_engine(url):
    """Open (unchecked) engines on `url`; every one is disposed before the database is dropped."""
    engines = []

    def open_(target=url):
        engine = migrate.connect(target)
        engines.append(engine)
        return engine

    yield open_
    for engine in engines:
        engine.dispose()


# Every revision, oldest first (pinggu.models.migrate.HEAD_REVISION is the last).
REVISIONS = ["0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010", "0011"]


def make_legacy(engine) -> None:
    """What build_engine made before there were migrations: create_all and, on SQLite, its audit triggers."""
    SQLModel.metadata.create_all(engine)
    with engine.begin() as connection:
        # The index 0002 adds, the tables 0003 adds, the columns 0004 adds and the tables 0005, 0006, 0007
        # and 0008 add did not exist then.
        connection.execute(text("DROP TABLE account"))
        connection.execute(text("DROP TABLE commentwindow"))
        connection.execute(text("DROP TABLE handover"))
        connection.execute(text("DROP TABLE decisionprocedure"))
        connection.execute(text("DROP TABLE decisionevaluationplan"))
        for table in ("rectification", "supervisionround", "opinioncontact", "publicopinion", "trackingreport"):
            connection.execute(text(f"DROP TABLE {table}"))
        connection.execute(text("DROP TABLE trackingmilestone"))
        connection.execute(text("DROP TABLE trackingplan"))
        connection.execute(text("DROP TABLE signoffcode"))
        connection.execute(text("DROP TABLE person"))
        connection.execute(text("DROP INDEX ix_auditevent_action"))
        connection.execute(text("ALTER TABLE planentry DROP COLUMN due_date_reason"))
        connection.execute(text("ALTER TABLE planentry DROP COLUMN dropped_reason"))
        connection.execute(text("DROP TABLE decisiondeadline"))
        connection.execute(text("DROP TABLE superiorassistance"))
        if engine.dialect.name == "sqlite":
            connection.execute(
                text(
                    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON auditevent "
                    "BEGIN SELECT RAISE(ABORT, '审计记录只能追加，不能修改'); END"
                )
            )
            connection.execute(
                text(
                    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON auditevent "
                    "BEGIN SELECT RAISE(ABORT, '审计记录只能追加，不能删除'); END"
                )
            )


def downgrade(engine, revision: str) -> None:
    """Alembic downgrade through the product's env.py (tests only; operators never downgrade)."""
    with engine.connect() as connection, connection.begin():
        command.downgrade(migrate._config(connection), revision)


# ── a realistic evaluation: tests/realistic_database.py ─────────────────────


def assert_append_only(engine) -> None:
    """An audit event can be read but neither rewritten nor deleted (nor truncated, on PostgreSQL)."""
    with session_scope(engine) as session:
        audit.record(session=session, action="migration_checked", actor="测试")
    refused = {
        "UPDATE auditevent SET actor = '篡改'": "审计记录只能追加，不能修改",
        "DELETE FROM auditevent": "审计记录只能追加，不能删除",
    }
    if engine.dialect.name == "postgresql":
        refused["TRUNCATE auditevent"] = "审计记录只能追加，不能删除"
    for statement, message in refused.items():
        with pytest.raises(DatabaseError, match=message), engine.begin() as connection:
            connection.execute(text(statement))
    with session_scope(engine) as session:
        assert audit.verify_chain(session=session) is None


# ── tests ────────────────────────────────────────────────────────────────────


def test_head_revision_is_the_scripts_head():
    script = ScriptDirectory(str(migrate.MIGRATIONS_DIR))
    assert script.get_heads() == [migrate.HEAD_REVISION]
    assert migrate.script_heads() == [migrate.HEAD_REVISION]
    assert script.get_base() == migrate.BASELINE_REVISION


def test_baseline_filled_then_upgraded_keeps_every_row(open_engine):
    engine = open_engine()
    assert migrate.upgrade(engine, migrate.BASELINE_REVISION) == [migrate.BASELINE_REVISION]
    fill(engine)
    before = snapshot(engine)
    assert [name for name, rows in before.items() if len(rows) < 2] == []  # a header and at least one row

    assert migrate.upgrade(engine) == REVISIONS[1:]

    assert migrate.current_revision(engine) == migrate.HEAD_REVISION
    after = snapshot(engine, like=before)
    assert {name: len(rows) for name, rows in after.items()} == {name: len(rows) for name, rows in before.items()}
    assert after == before
    with session_scope(engine) as session:
        assert audit.verify_chain(session=session) is None
        assert session.exec(select(Evaluation)).one().methods == ["问卷调查", "座谈会"]
        assert agencies.get_agency(session=session, name="某大学公共管理学院").credit_status == "不良"
    assert migrate.differences(engine) == []
    assert migrate.upgrade(engine) == []


def test_differences_empty_at_head_and_listed_for_an_extra_column(open_engine):
    engine = open_engine()
    assert migrate.upgrade(engine) == REVISIONS
    assert migrate.differences(engine) == []

    wanted = MetaData()
    for table in SQLModel.metadata.tables.values():
        table.to_metadata(wanted)
    wanted.tables["auditevent"].append_column(Column("signature", String(), nullable=True))
    assert migrate.differences(engine, metadata=wanted) == ["列 auditevent.signature：模型有而数据库没有"]

    downgrade(engine, migrate.BASELINE_REVISION)
    assert sorted(migrate.differences(engine)) == [
        "列 decisionoutcome.evaluation_code：数据库不可为空，模型可为空",
        "列 planentry.dropped_reason：模型有而数据库没有",
        "列 planentry.due_date_reason：模型有而数据库没有",
        "索引 ix_auditevent_action（auditevent.action）：模型有而数据库没有",
        "索引 ix_commentwindow_decision_code（commentwindow.decision_code）：模型有而数据库没有",
        "索引 ix_decisiondeadline_decision_code（decisiondeadline.decision_code）：模型有而数据库没有",
        "索引 ix_decisionprocedure_decision_code（decisionprocedure.decision_code）：模型有而数据库没有",
        "索引 ix_handover_ref（handover.ref）：模型有而数据库没有",
        "索引 ix_publicopinion_decision_code（publicopinion.decision_code）：模型有而数据库没有",
        "索引 ix_rectification_decision_code（rectification.decision_code）：模型有而数据库没有",
        "索引 ix_rectification_round_id（rectification.round_id）：模型有而数据库没有",
        "索引 ix_signoffcode_evaluation_id（signoffcode.evaluation_id）：模型有而数据库没有",
        "索引 ix_supervisionround_decision_code（supervisionround.decision_code）：模型有而数据库没有",
        "索引 ix_trackingmilestone_decision_code（trackingmilestone.decision_code）：模型有而数据库没有",
        "索引 ix_trackingreport_decision_code（trackingreport.decision_code）：模型有而数据库没有",
        "表 account：模型有而数据库没有",
        "表 commentwindow：模型有而数据库没有",
        "表 decisiondeadline：模型有而数据库没有",
        "表 decisionevaluationplan：模型有而数据库没有",
        "表 decisionprocedure：模型有而数据库没有",
        "表 handover：模型有而数据库没有",
        "表 opinioncontact：模型有而数据库没有",
        "表 person：模型有而数据库没有",
        "表 publicopinion：模型有而数据库没有",
        "表 rectification：模型有而数据库没有",
        "表 signoffcode：模型有而数据库没有",
        "表 superiorassistance：模型有而数据库没有",
        "表 supervisionround：模型有而数据库没有",
        "表 trackingmilestone：模型有而数据库没有",
        "表 trackingplan：模型有而数据库没有",
        "表 trackingreport：模型有而数据库没有",
    ]


def test_a_database_made_before_migrations_is_stamped_and_upgraded_with_its_rows(open_engine):
    engine = open_engine()
    make_legacy(engine)
    fill(engine)
    before = snapshot(engine)
    assert migrate.current_revision(engine) is None
    with pytest.raises(StateConflict, match="引入结构迁移之前.*pinggu db upgrade"):
        migrate.ensure_current(engine)

    assert migrate.upgrade(engine) == REVISIONS[1:]  # 0001 is stamped, not run

    assert migrate.current_revision(engine) == migrate.HEAD_REVISION
    assert snapshot(engine, like=before) == before
    assert migrate.differences(engine) == []
    assert_append_only(engine)


def test_a_pre_migration_database_missing_a_column_is_refused_and_left_untouched(open_engine):
    engine = open_engine()
    make_legacy(engine)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE decision DROP COLUMN ends_on"))

    with pytest.raises(StateConflict, match="列 decision.ends_on：模型有而数据库没有"):
        migrate.upgrade(engine)

    assert migrate.current_revision(engine) is None
    assert "ix_auditevent_action" not in {index["name"] for index in inspect(engine).get_indexes("auditevent")}


def test_the_audit_log_is_append_only_after_upgrade(open_engine):
    engine = open_engine()
    migrate.upgrade(engine)
    assert_append_only(engine)


@pytest.mark.rule("TP-CREDIT")
def test_the_credit_record_is_append_only_after_upgrade_on_every_database(open_engine):
    # 0009: PostgreSQL refuses to rewrite, delete or truncate a credit record, as SQLite has since the baseline.
    engine = open_engine()
    migrate.upgrade(engine)
    fill(engine)
    refused = {
        "UPDATE creditrecord SET detail = '无'": "信用记录只能追加，不能修改",
        "DELETE FROM creditrecord": "信用记录只能追加，不能删除",
    }
    if engine.dialect.name == "postgresql":
        refused["TRUNCATE creditrecord"] = "信用记录只能追加，不能删除"
    for statement, message in refused.items():
        with pytest.raises(DatabaseError, match=message), engine.begin() as connection:
            connection.execute(text(statement))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM creditrecord")).scalar() == 1


def test_downgrade_to_baseline_removes_what_0002_added(open_engine):
    engine = open_engine()
    migrate.upgrade(engine)
    downgrade(engine, migrate.BASELINE_REVISION)
    assert migrate.current_revision(engine) == migrate.BASELINE_REVISION
    with session_scope(engine) as session:
        audit.record(session=session, action="migration_checked", actor="测试")
    with engine.begin() as connection:
        statement = text("UPDATE auditevent SET actor = actor")
        if engine.dialect.name == "sqlite":  # the baseline's own triggers stay
            with pytest.raises(DatabaseError, match="不能修改"):
                connection.execute(statement)
        else:
            connection.execute(statement)
            function = text("SELECT count(*) FROM pg_proc WHERE proname = 'auditevent_append_only'")
            assert connection.execute(function).scalar() == 0


def test_build_engine_creates_a_new_database_and_refuses_one_behind_or_unknown(open_engine, url):
    engine = build_engine(url)
    assert migrate.current_revision(engine) == migrate.HEAD_REVISION
    engine.dispose()

    downgrade(open_engine(), migrate.BASELINE_REVISION)
    with pytest.raises(StateConflict, match="结构版本为 0001，程序需要 0011：请先备份数据库，再运行 pinggu db upgrade"):
        build_engine(url)

    with open_engine().begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StateConflict, match="不认识这个版本"):
        build_engine(url)
    with pytest.raises(StateConflict, match="数据库未作任何修改"):
        migrate.upgrade(open_engine())


def test_concurrent_upgrades_of_a_new_database_queue_and_apply_once(url):
    script = (
        "import sys\n"
        "from pinggu.models.migrate import connect, upgrade\n"
        "engine = connect(sys.argv[1])\n"
        "print(','.join(upgrade(engine)))\n"
        "engine.dispose()\n"
    )
    workers = [
        subprocess.Popen([sys.executable, "-c", script, url], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    results = [worker.communicate(timeout=120) for worker in workers]
    assert all(worker.returncode == 0 for worker in workers), [err for _, err in results]
    assert sorted(out.strip() for out, _ in results) == ["", "", ",".join(REVISIONS)]


def test_at_head_the_check_is_one_query_without_alembic(tmp_path):
    url = f"sqlite:///{tmp_path / 'pinggu.db'}"
    build_engine(url).dispose()
    script = (
        "import sys\n"
        "from sqlalchemy import event\n"
        "import pinggu.models.db, pinggu.models.migrate\n"
        "engine = pinggu.models.migrate.connect(sys.argv[1])\n"
        "statements = []\n"
        "event.listen(engine, 'before_cursor_execute', lambda *a: statements.append(a[2]))\n"
        "pinggu.models.migrate.ensure_current(engine)\n"
        "assert 'alembic' not in sys.modules, 'alembic imported'\n"
        "print(len([s for s in statements if not s.startswith(('BEGIN', 'PRAGMA'))]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script, url], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"


# ── the commands ─────────────────────────────────────────────────────────────


@pytest.fixture
def configured_database(tmp_path, monkeypatch):
    """Point the settings at a database of this test's own (PINGGU_DATABASE_URL)."""
    url = f"sqlite:///{tmp_path / 'configured.db'}"
    monkeypatch.setenv("PINGGU_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    monkeypatch.undo()
    get_settings.cache_clear()


def test_db_check_on_a_clean_machine_needs_no_configured_database():
    result = runner.invoke(app, ["db", "check"])
    assert result.exit_code == 0, result.output
    assert "模型与迁移一致" in result.output


def test_db_check_lists_differences_and_exits_1(monkeypatch):
    def extra_column(engine, metadata=None):
        return ["列 auditevent.signature：模型有而数据库没有"]

    monkeypatch.setattr(migrate, "differences", extra_column)
    result = runner.invoke(app, ["db", "check"])
    assert result.exit_code == 1
    assert "模型与迁移不一致" in result.output and "auditevent.signature" in result.output


def test_db_upgrade_current_and_check_on_the_configured_database(configured_database):
    engine = migrate.connect(configured_database)
    make_legacy(engine)
    fill(engine)
    before = snapshot(engine)
    engine.dispose()

    result = runner.invoke(app, ["db", "check", "--database"])
    assert result.exit_code == 1
    assert "引入结构迁移之前" in result.output and "ix_auditevent_action" in result.output

    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert (
        "从 迁移前创建的数据库" in result.output
        and "升级到 0011（执行迁移 0002、0003、0004、0005、0006、0007、0008、0009、0010、0011）" in result.output
    )

    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0 and "已是最新版本（0011）" in result.output

    result = runner.invoke(app, ["db", "current"])
    assert result.exit_code == 0 and "当前结构版本：0011" in result.output

    result = runner.invoke(app, ["db", "check", "--database"])
    assert result.exit_code == 0, result.output
    assert "模型与迁移一致" in result.output

    engine = build_engine(configured_database)
    assert snapshot(engine, like=before) == before
    engine.dispose()


def test_a_database_behind_is_a_chinese_error_not_a_traceback(configured_database):
    engine = migrate.connect(configured_database)
    make_legacy(engine)
    engine.dispose()
    result = runner.invoke(app, ["agency", "list"])
    assert result.exit_code == 1
    assert "请先备份数据库，再运行 pinggu db upgrade" in result.output
    assert "Traceback" not in result.output
