"""Schema migrations of the product database: the Alembic revisions in ../migrations, run from here.

build_engine calls ensure_current, which costs one query when the database is at HEAD_REVISION and
does not import Alembic; `pinggu db upgrade` (and `pinggu up`) call upgrade.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import MetaData, inspect, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from pinggu.core.errors import StateConflict
from pinggu.core.settings import PROJECT_ROOT

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.runtime.migration import MigrationInfo

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"

# The newest revision in MIGRATIONS_DIR/versions; a test checks it against Alembic's script head.
HEAD_REVISION = "0011"
# What create_all made before there were migrations: such a database is stamped here, then upgraded.
BASELINE_REVISION = "0001"

# Fixed, so that every pinggu process on every machine queues on the same PostgreSQL advisory lock.
_ADVISORY_LOCK_KEY = 0x70696E6767750001

_VERSION_TABLE = "alembic_version"

# Set by connect(): build_engine then skips ensure_current.
_unchecked: ContextVar[bool] = ContextVar("pinggu_schema_unchecked", default=False)


def current_revision(engine: Engine) -> str | None:
    """The database's schema revision, or None when it has no alembic_version table (or no row)."""
    from pinggu.models.db import read_session

    with read_session(engine) as session:
        try:
            rows = session.execute(text(f"SELECT version_num FROM {_VERSION_TABLE}")).scalars().all()
        except DBAPIError:
            session.rollback()
            # Only a missing table means "no revision"; a lock timeout or lost server must surface.
            if inspect(session.connection()).has_table(_VERSION_TABLE):
                raise
            return None
    return ",".join(sorted(rows)) or None


def upgrade(engine: Engine, revision: str = "head") -> list[str]:
    """Migrate the database to `revision` in one transaction; return the revisions applied, oldest first."""
    from alembic import command
    from alembic.util import CommandError

    applied: list[str] = []

    def note(*, step: MigrationInfo, **_: Any) -> None:
        if not step.is_stamp and step.is_upgrade and step.up_revision_id is not None:
            applied.append(step.up_revision_id)

    # SQLite: the engine's begin listener makes this BEGIN IMMEDIATE, so concurrent upgraders queue.
    with engine.connect() as connection, _migration_lock(connection), connection.begin():
        config = _config(connection, on_version_apply=note)
        legacy = _revision_in(connection) is None and _has_product_tables(connection)
        try:
            if legacy:
                command.stamp(config, BASELINE_REVISION)
            command.upgrade(config, revision)
        except CommandError as error:
            raise StateConflict(
                f"无法把产品数据库升级到 {revision}：{error}。数据库未作任何修改；"
                "如果它已由更新版本的 pinggu 升级，请使用该版本的程序，或从备份恢复数据库",
                revision=revision,
            ) from None
        except DBAPIError as error:
            raise StateConflict(
                f"升级产品数据库失败，已全部回滚，数据库保持原状：{error.orig}", revision=revision
            ) from error
        if legacy and revision in ("head", HEAD_REVISION):
            _refuse_incomplete_legacy(connection)
    return applied


def differences(engine: Engine, metadata: MetaData | None = None) -> list[str]:
    """Where the database's schema differs from `metadata` (default: the models), one line each; empty if none."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from pinggu.models.db import read_session

    with read_session(engine) as session:
        context = MigrationContext.configure(session.connection(), opts={"compare_type": True})
        diffs = compare_metadata(context, metadata if metadata is not None else _models_metadata())
    return [_describe(diff) for diff in _flatten(diffs)]


def ensure_current(engine: Engine) -> None:
    """Create the schema of an empty database; refuse (StateConflict) one that is not at HEAD_REVISION."""
    if _unchecked.get():
        return
    revision = current_revision(engine)
    if revision == HEAD_REVISION:
        return
    if revision is None and not _holds_product_tables(engine):
        upgrade(engine)
        return
    raise StateConflict(_not_current_message(revision), revision=revision, head=HEAD_REVISION)


def script_heads() -> list[str]:
    """The head revision(s) of the migration scripts, as Alembic reads them."""
    from alembic.script import ScriptDirectory

    return list(ScriptDirectory.from_config(_config(None)).get_heads())


def check(engine: Engine | None = None) -> list[str]:
    """Where migrations and models disagree; `engine` is only read (default: a throwaway SQLite database at head)."""
    problems = []
    heads = script_heads()
    if heads != [HEAD_REVISION]:
        problems.append(
            f"迁移脚本的最新版本为 {'、'.join(heads) or '（无）'}，而 pinggu.models.migrate.HEAD_REVISION 为 {HEAD_REVISION}"
        )
    if engine is not None:
        revision = current_revision(engine)
        if revision == HEAD_REVISION:
            return problems + differences(engine)
        if revision is None and not _holds_product_tables(engine):
            return [*problems, f"产品数据库是空的，程序需要结构版本 {HEAD_REVISION}：请运行 pinggu db upgrade"]
        return [*problems, _not_current_message(revision), *differences(engine)]
    with tempfile.TemporaryDirectory(prefix="pinggu-db-check-") as scratch:
        engine = connect(f"sqlite:///{Path(scratch) / 'check.db'}")
        try:
            upgrade(engine)
            return problems + differences(engine)
        finally:
            engine.dispose()


def connect(url: str) -> Engine:
    """An engine for `url` built by build_engine, but without the schema check (for the db commands)."""
    from pinggu.models.db import build_engine

    # The db commands must open a database that build_engine would refuse, with the very same
    # listeners, so that migrations run under the product's transaction rules.
    token = _unchecked.set(True)
    try:
        return build_engine(url)
    finally:
        _unchecked.reset(token)


def write_revision(rev_id: str, message: str) -> Path:
    """Autogenerate a new revision file from the models against a scratch database at head (developers)."""
    from alembic import command
    from alembic.script import Script

    with tempfile.TemporaryDirectory(prefix="pinggu-db-revision-") as scratch:
        engine = connect(f"sqlite:///{Path(scratch) / 'revision.db'}")
        try:
            upgrade(engine)
            with engine.connect() as connection, connection.begin():
                script = command.revision(_config(connection), message=message, rev_id=rev_id, autogenerate=True)
        finally:
            engine.dispose()
    # One head, no splice: Alembic writes exactly one script (a list only when there are several heads).
    assert isinstance(script, Script), script
    return Path(script.path)


# ── helpers ──────────────────────────────────────────────────────────────────


def _config(connection: Connection | None, **attributes: Any) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.attributes["connection"] = connection
    config.attributes.update(attributes)
    return config


@contextmanager
def _migration_lock(connection: Connection) -> Iterator[None]:
    if connection.dialect.name != "postgresql":
        yield
        return
    connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _ADVISORY_LOCK_KEY})
    connection.commit()
    try:
        yield
    finally:
        if connection.in_transaction():
            connection.rollback()
        connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _ADVISORY_LOCK_KEY})
        connection.commit()


def _models_metadata() -> MetaData:
    from sqlmodel import SQLModel

    import pinggu.models.agencies
    import pinggu.models.tables  # noqa: F401  (with pinggu.models.agencies: registers the tables on SQLModel.metadata)

    return SQLModel.metadata


def _has_product_tables(connection: Connection) -> bool:
    return bool(set(inspect(connection).get_table_names()) & set(_models_metadata().tables))


def _holds_product_tables(engine: Engine) -> bool:
    from pinggu.models.db import read_session

    with read_session(engine) as session:
        return _has_product_tables(session.connection())


def _revision_in(connection: Connection) -> str | None:
    # Inside a transaction: look before selecting, since a failed statement aborts a PostgreSQL transaction.
    if not inspect(connection).has_table(_VERSION_TABLE):
        return None
    rows = connection.execute(text(f"SELECT version_num FROM {_VERSION_TABLE}")).scalars().all()
    return ",".join(sorted(rows)) or None


def _refuse_incomplete_legacy(connection: Connection) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    context = MigrationContext.configure(connection, opts={"compare_type": True})
    # Only what the program cannot run without; any other difference is for `pinggu db check --database`.
    missing = [
        _describe(diff)
        for diff in _flatten(compare_metadata(context, _models_metadata()))
        if diff[0] in ("add_table", "add_column")
    ]
    if missing:
        raise StateConflict(
            "产品数据库是在引入结构迁移之前创建的，但与本程序的基线结构不符（"
            + "；".join(missing)
            + "）。数据库未作任何修改：请用创建它的 pinggu 版本导出数据，或联系维护人员",
            missing=missing,
        )


def _not_current_message(revision: str | None) -> str:
    if revision is None:
        return (
            f"产品数据库是在引入结构迁移之前创建的（没有结构版本记录），程序需要结构版本 {HEAD_REVISION}："
            "请先备份数据库，再运行 pinggu db upgrade（会识别这种数据库并保留全部数据）"
        )
    if not list(MIGRATIONS_DIR.glob(f"versions/{revision}_*.py")):
        return (
            f"产品数据库结构版本为 {revision}，本程序不认识这个版本（程序需要 {HEAD_REVISION}）："
            "数据库可能已由更新版本的 pinggu 升级，请使用该版本的程序，或从备份恢复数据库"
        )
    return f"产品数据库结构版本为 {revision}，程序需要 {HEAD_REVISION}：请先备份数据库，再运行 pinggu db upgrade"


def _flatten(diffs: list[Any]) -> Iterator[tuple[Any, ...]]:
    # compare_metadata groups the column changes of one column in a list.
    for diff in diffs:
        if isinstance(diff, list):
            yield from diff
        else:
            yield diff


def _describe(diff: tuple[Any, ...]) -> str:
    kind = diff[0]
    if kind in ("add_table", "remove_table"):
        where = "模型有而数据库没有" if kind == "add_table" else "数据库有而模型没有"
        return f"表 {diff[1].name}：{where}"
    if kind in ("add_column", "remove_column"):
        where = "模型有而数据库没有" if kind == "add_column" else "数据库有而模型没有"
        return f"列 {diff[2]}.{diff[3].name}：{where}"
    if kind in ("add_index", "remove_index"):
        index = diff[1]
        where = "模型有而数据库没有" if kind == "add_index" else "数据库有而模型没有"
        columns = ", ".join(column.name for column in index.columns)
        return f"索引 {index.name}（{index.table.name}.{columns}）：{where}"
    if kind in ("add_constraint", "remove_constraint", "add_fk", "remove_fk"):
        constraint = diff[1]
        where = "模型有而数据库没有" if kind.startswith("add") else "数据库有而模型没有"
        columns = ", ".join(column.name for column in constraint.columns)
        return f"约束 {constraint.name or ''}（{constraint.table.name}.{columns}）：{where}"
    if kind == "modify_type":
        _, _schema, table, column, _info, in_database, in_models = diff
        return f"列 {table}.{column} 的类型：数据库为 {in_database}，模型为 {in_models}"
    if kind == "modify_nullable":
        _, _schema, table, column, _info, in_database, in_models = diff
        nullable = {True: "可为空", False: "不可为空"}
        return f"列 {table}.{column}：数据库{nullable[in_database]}，模型{nullable[in_models]}"
    if kind == "modify_default":
        _, _schema, table, column, _info, in_database, in_models = diff
        return f"列 {table}.{column} 的默认值：数据库为 {in_database}，模型为 {in_models}"
    return str(diff)
