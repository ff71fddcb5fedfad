"""`pinggu db copy`: every record of a SQLite installation moved to an empty PostgreSQL database, then checked.

The target is first migrated to the source's revision (HEAD_REVISION, with pinggu.models.migrate.upgrade, committed
on its own: an empty schema, as `pinggu db upgrade` makes it). Then one transaction on the target copies every
table of the models in foreign-key order, in batches, with its primary keys; resets the sequences past the
largest id; and checks what arrived — the row count and a digest of every row of each table, read back from
the target, against the source's, and the audit chain — before it commits. A failure or any mismatch rolls
that transaction back: the target keeps no record (the audit log and credit records could not be deleted
afterwards, PostgreSQL refuses it by trigger). The source is only read, in one read transaction (a consistent
snapshot). Documents are not moved: the rows name them by their location in the document store.

A JSON column is copied as the text the source holds (an SQL NULL stays NULL, a JSON null stays null); every
other value goes through the column's type (aware datetimes as UTC, dates, booleans, text of any length).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Integer, String, Table, bindparam, cast, func, inspect, select, text, type_coerce
from sqlalchemy.engine import URL, Connection, Engine, Row, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlmodel import Session, SQLModel

from pinggu.core.errors import StateConflict
from pinggu.models import migrate
from pinggu.models.audit import chain_problems
from pinggu.models.db import read_session

# Rows read from the source and written to the target at a time.
BATCH_ROWS = 1000
TARGET_DRIVER = "postgresql+psycopg"
# Seconds to wait for the PostgreSQL server to answer before saying it cannot be reached.
CONNECT_TIMEOUT_S = 10

_URL_FORM = "postgresql+psycopg://用户名:密码@主机:5432/数据库名"
_JSON_SUFFIX = "__pinggu_json"


@dataclass(frozen=True)
class TableCheck:
    """One table after the copy: rows and row digest in the source and as read back from the target."""

    table: str
    source_rows: int
    target_rows: int
    source_digest: str
    target_digest: str

    @property
    def matches(self) -> bool:
        """Same number of rows and the same digest of every row."""
        return self.source_rows == self.target_rows and self.source_digest == self.target_digest


@dataclass(frozen=True)
class CopyReport:
    """What `copy_database` did: each table's check, the audit chain's problems on both sides, whether committed."""

    source: str
    target: str
    revision: str
    tables: list[TableCheck]
    source_chain: list[str]
    target_chain: list[str]
    committed: bool

    @property
    def mismatched(self) -> list[str]:
        """The tables whose rows did not arrive equal."""
        return [check.table for check in self.tables if not check.matches]

    @property
    def chain_matches(self) -> bool:
        """The target's audit chain verifies exactly as the source's does (intact on both, normally)."""
        return self.source_chain == self.target_chain


def target_url(url: str) -> URL:
    """The PostgreSQL URL `url` names (`postgresql://` taken as psycopg), or a Chinese refusal (StateConflict)."""
    try:
        parsed = make_url(url.strip())
    except ArgumentError:
        raise StateConflict(f"目标数据库地址无法识别：{shown(url)}。应写作 {_URL_FORM}", url=shown(url)) from None
    if parsed.get_backend_name() != "postgresql":
        raise StateConflict(
            f"目标数据库必须是 PostgreSQL（地址以 postgresql+psycopg:// 开头），而不是 {parsed.drivername}：{_URL_FORM}",
            url=shown(url),
        )
    if parsed.drivername not in ("postgresql", TARGET_DRIVER):
        raise StateConflict(f"目标数据库的驱动 {parsed.drivername} 不受支持，请写作 {_URL_FORM}", url=shown(url))
    if not parsed.database:
        raise StateConflict(f"目标数据库地址没有写数据库名：{_URL_FORM}", url=shown(url))
    parsed = parsed.set(drivername=TARGET_DRIVER)
    if "connect_timeout" not in parsed.query:
        parsed = parsed.update_query_dict({"connect_timeout": str(CONNECT_TIMEOUT_S)})
    return parsed


def copy_database(
    source_url: str,
    target: str,
    *,
    batch_rows: int = BATCH_ROWS,
    progress: Callable[[str, int], None] | None = None,
) -> CopyReport:
    """Copy every record of the SQLite database at `source_url` to the empty PostgreSQL database `target`, checked."""
    source_path = _sqlite_path(source_url)
    destination = target_url(target)
    source = migrate.connect(f"sqlite:///{source_path}")
    try:
        _refuse_source_not_ready(source)
        engine = _connect_target(destination)
        try:
            return _copy(source, engine, batch_rows, progress or (lambda _table, _rows: None))
        finally:
            engine.dispose()
    finally:
        source.dispose()


def product_tables() -> list[Table]:
    """Every table of the models, parents before the tables whose foreign keys name them."""
    import pinggu.models.agencies
    import pinggu.models.tables  # noqa: F401  (with pinggu.models.agencies: registers the tables on SQLModel.metadata)

    return list(SQLModel.metadata.sorted_tables)


def rows_in(connection: Connection) -> dict[str, int]:
    """How many rows each product table present in the database holds (absent tables left out)."""
    present = set(inspect(connection).get_table_names())
    counts = {}
    for table in product_tables():
        if table.name in present:
            counts[table.name] = connection.execute(select(func.count()).select_from(table)).scalar_one()
    return counts


# ── the copy ────────────────────────────────────────────────────────────────


def _copy(source: Engine, target: Engine, batch_rows: int, progress: Callable[[str, int], None]) -> CopyReport:
    where = shown(target.url)
    doing = "检查目标数据库"
    try:
        with target.connect() as connection:
            _refuse_non_empty(connection, where)
        if migrate.current_revision(target) != migrate.HEAD_REVISION:
            migrate.upgrade(target)
        checks: list[TableCheck] = []
        with read_session(source) as reading:
            source_connection = reading.connection()
            source_chain = _chain(reading)
            with target.connect() as connection, connection.begin() as transaction:
                tables = product_tables()
                _lock(connection, tables)
                _refuse_non_empty(connection, where)
                for table in tables:
                    doing = f"复制表 {table.name}"
                    rows, digest = _copy_table(source_connection, connection, table, batch_rows)
                    target_rows, target_digest = _digest(connection, table)
                    checks.append(TableCheck(table.name, rows, target_rows, digest, target_digest))
                    progress(table.name, rows)
                doing = "核对并提交"
                _reset_sequences(connection, tables)
                with Session(bind=connection) as session:
                    target_chain = _chain(session)
                report = CopyReport(
                    source=shown(source.url),
                    target=where,
                    revision=migrate.HEAD_REVISION,
                    tables=checks,
                    source_chain=source_chain,
                    target_chain=target_chain,
                    committed=False,
                )
                if report.mismatched or not report.chain_matches:
                    transaction.rollback()
                    return report
    except DBAPIError as error:
        raise StateConflict(
            f"{doing}时出错，已全部回滚，目标数据库中没有写入任何记录：{_first_line(error.orig)}", step=doing
        ) from None
    return replace(report, committed=True)


def _copy_table(source: Connection, target: Connection, table: Table, batch_rows: int) -> tuple[int, str]:
    json_columns = [column.name for column in table.columns if isinstance(column.type, JSON)]
    raw = [type_coerce(table.c[name], String()).label(name + _JSON_SUFFIX) for name in json_columns]
    statement = select(*table.columns, *raw)
    insert = table.insert()
    if json_columns:
        insert = insert.values(
            {name: cast(bindparam(name + _JSON_SUFFIX, type_=String()), table.c[name].type) for name in json_columns}
        )
    digests: list[tuple[tuple[Any, ...], str]] = []
    result = source.execution_options(yield_per=batch_rows).execute(statement)
    for batch in result.partitions(batch_rows):
        values = []
        for row in batch:
            mapping = dict(row._mapping)
            digests.append(_row_digest(table, row))
            for name in json_columns:
                del mapping[name]
            values.append(mapping)
        target.execute(insert, values)
    return len(digests), _table_digest(digests)


def _digest(connection: Connection, table: Table) -> tuple[int, str]:
    digests = [_row_digest(table, row) for row in connection.execute(select(*table.columns))]
    return len(digests), _table_digest(digests)


def _row_digest(table: Table, row: Row[Any]) -> tuple[tuple[Any, ...], str]:
    # Ordered by primary key in Python: the two databases collate text keys differently.
    values = row._mapping
    key = tuple(values[column.name] for column in table.primary_key.columns)
    line = json.dumps(
        [_normal(values[column.name]) for column in table.columns], ensure_ascii=False, sort_keys=True, default=str
    )
    return key, hashlib.sha256(line.encode("utf-8")).hexdigest()


def _table_digest(digests: list[tuple[tuple[Any, ...], str]]) -> str:
    whole = hashlib.sha256()
    for _key, digest in sorted(digests):
        whole.update(digest.encode("ascii"))
    return whole.hexdigest()


def _normal(value: Any) -> Any:
    """A value as the program reads it, in a form both databases give alike (JSON as parsed, keys sorted)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return repr(float(value))
    if isinstance(value, bytes):
        return value.hex()
    return value


def _reset_sequences(connection: Connection, tables: Iterable[Table]) -> None:
    quote = connection.dialect.identifier_preparer.quote
    for table in tables:
        for column in table.primary_key.columns:
            if not isinstance(column.type, Integer):
                continue
            sequence = connection.execute(
                text("SELECT pg_get_serial_sequence(:table, :column)"), {"table": table.name, "column": column.name}
            ).scalar_one()
            if sequence is None:
                continue
            largest = f"SELECT COALESCE(MAX({quote(column.name)}), 0) + 1 FROM {quote(table.name)}"
            connection.execute(text(f"SELECT setval(:sequence, ({largest}), false)"), {"sequence": sequence})


def _lock(connection: Connection, tables: Sequence[Table]) -> None:
    # No other writer between the emptiness check and the commit.
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(table.name) for table in tables)
    connection.execute(text(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE"))


def _chain(session: Session) -> list[str]:
    return [problem.message for problem in chain_problems(session=session)]


# ── refusals ────────────────────────────────────────────────────────────────


def _sqlite_path(source_url: str) -> Path:
    try:
        url = make_url(source_url)
    except ArgumentError:
        raise StateConflict(f"产品数据库地址无法识别：{shown(source_url)}") from None
    if url.get_backend_name() != "sqlite":
        raise StateConflict(
            f"当前产品数据库不是 SQLite（{shown(source_url)}）：pinggu db copy 只把 SQLite 安装的记录迁到 "
            "PostgreSQL。PostgreSQL 之间请用 pg_dump 和 pg_restore",
            url=shown(source_url),
        )
    if not url.database or url.database == ":memory:" or not Path(url.database).is_file():
        raise StateConflict(
            f"找不到源 SQLite 数据库文件：{url.database or '（未指定）'}。请检查 PINGGU_HOME 或 PINGGU_DATABASE_URL",
            url=shown(source_url),
        )
    return Path(url.database)


def _refuse_source_not_ready(source: Engine) -> None:
    where = shown(source.url)
    try:
        revision = migrate.current_revision(source)
        with read_session(source) as session:
            counts = rows_in(session.connection())
            extra = set(inspect(session.connection()).get_table_names()) - set(counts) - {"alembic_version"}
    except DBAPIError as error:
        raise StateConflict(f"无法读取源数据库 {where}：{_first_line(error.orig)}") from None
    if revision is None and not counts:
        raise StateConflict(f"源数据库 {where} 是空的（没有产品数据表），没有可复制的记录")
    if revision != migrate.HEAD_REVISION:
        raise StateConflict(
            f"源数据库结构版本为 {revision or '无（迁移前创建）'}，程序需要 {migrate.HEAD_REVISION}：请先备份数据库，"
            "再运行 pinggu db upgrade 把它升级到最新版本，然后再复制。目标数据库未作任何修改",
            revision=revision,
        )
    if extra:
        raise StateConflict(
            f"源数据库有程序模型中没有的表：{'、'.join(sorted(extra))}，复制会丢失它们的记录。"
            "请先运行 pinggu db check --database 查看差异。目标数据库未作任何修改",
            tables=sorted(extra),
        )


def _connect_target(url: URL) -> Engine:
    where = shown(url)
    try:
        engine = migrate.connect(url.render_as_string(hide_password=False))
    except (NoSuchModuleError, ModuleNotFoundError) as error:
        raise StateConflict(f"无法使用目标数据库 {where} 的驱动：{error}。请写作 {_URL_FORM}") from None
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as error:
        engine.dispose()
        raise StateConflict(
            f"无法连接目标数据库 {where}：{_first_line(error.orig)}。"
            "请检查主机、端口、用户名、密码和数据库名，以及 PostgreSQL 是否已启动、数据库是否已建好（CREATE DATABASE）",
            url=where,
        ) from None
    return engine


def _refuse_non_empty(connection: Connection, where: str) -> None:
    filled = {name: count for name, count in rows_in(connection).items() if count}
    if filled:
        listed = "、".join(f"{name}（{count} 行）" for name, count in sorted(filled.items())[:5])
        if len(filled) > 5:
            listed += f" 等 {len(filled)} 张表"
        raise StateConflict(
            f"目标数据库 {where} 不是空的：{listed}。没有写入任何内容。pinggu db copy 只复制到空数据库："
            "请新建一个空数据库（CREATE DATABASE … OWNER …）再复制；确认目标中的记录无用时，可删除该数据库后重建",
            tables=sorted(filled),
        )


# ── small helpers ───────────────────────────────────────────────────────────


def shown(url: URL | str) -> str:
    """A database URL as printed: without its password (or, unparsable, without what precedes the host)."""
    try:
        parsed = make_url(url.strip()) if isinstance(url, str) else url
    except ArgumentError:
        return str(url) if "@" not in str(url) else "…@" + str(url).rsplit("@", 1)[-1]
    return parsed.difference_update_query(["connect_timeout"]).render_as_string(hide_password=True)


def _first_line(error: BaseException | None) -> str:
    lines = [line.strip().rstrip(".?。") for line in str(error).splitlines() if line.strip()]
    return "；".join(lines[:2]) or type(error).__name__
