"""Alembic environment of the product database, run only through pinggu.models.migrate (never the alembic CLI).

pinggu.models.migrate passes an open connection, already inside its transaction and holding the migration
lock, in ``config.attributes["connection"]``; every revision of one upgrade runs in that transaction.

A new revision: change the models, then autogenerate against a database at head and review it by hand::

    .venv/bin/python -c "from pinggu.models.migrate import write_revision; print(write_revision('0003', 'what changes'))"

and set pinggu.models.migrate.HEAD_REVISION to the new id (tests/models/test_migrations.py checks it).
"""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime

import pinggu.models.agencies
import pinggu.models.tables  # noqa: F401

config = context.config
connection = config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise RuntimeError("迁移只能通过 pinggu db upgrade 运行（由 pinggu.models.migrate 传入数据库连接）")


def _render_item(type_, obj, _autogen_context):
    # Revisions must not depend on sqlmodel's column types, which are Python-side wrappers: render
    # what they create in the database.
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String({obj.length})" if obj.length else "sa.String()"
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    # SQLite cannot ALTER most things in place; batch mode rebuilds the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    render_item=_render_item,
    on_version_apply=config.attributes.get("on_version_apply", ()),
)

if connection.dialect.name == "sqlite":
    # PRAGMA foreign_keys cannot change inside the transaction; deferring the checks to COMMIT lets a
    # batch migration drop and rebuild a table that others reference, and still checks every key.
    connection.exec_driver_sql("PRAGMA defer_foreign_keys=ON")

with context.begin_transaction():
    context.run_migrations()
