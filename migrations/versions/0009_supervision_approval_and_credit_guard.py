"""Issue 30: a supervision round records whether its report needs the leaders' approval and whom it was sent
to (CL-53: changli 53); the credit record (TP-CREDIT) is append-only on PostgreSQL too.

SQLite has refused UPDATE and DELETE on creditrecord since the baseline (its triggers); PostgreSQL now refuses
UPDATE, DELETE and TRUNCATE by trigger, as it does for the audit log since 0002. A round recorded before this
revision needed no approval and was sent to nobody the system knows of (approval_required false, distributed_to
null).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_PG_FUNCTION = """
CREATE FUNCTION creditrecord_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION '信用记录只能追加，不能修改';
    END IF;
    RAISE EXCEPTION '信用记录只能追加，不能删除';
END
$$
"""

_PG_TRIGGERS = {
    "creditrecord_no_update": "BEFORE UPDATE ON creditrecord FOR EACH ROW",
    "creditrecord_no_delete": "BEFORE DELETE ON creditrecord FOR EACH ROW",
    # Row triggers do not fire on TRUNCATE; only a statement trigger can refuse it.
    "creditrecord_no_truncate": "BEFORE TRUNCATE ON creditrecord FOR EACH STATEMENT",
}


def upgrade() -> None:
    """Three columns on supervisionround; PostgreSQL: append-only triggers on creditrecord."""
    with op.batch_alter_table("supervisionround") as batch:
        batch.add_column(sa.Column("approval_required", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("distributed_to", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("distributed_on", sa.Date(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        for name, when in _PG_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION creditrecord_append_only()")


def downgrade() -> None:
    """Reverse of upgrade()."""
    if op.get_bind().dialect.name == "postgresql":
        for name in reversed(_PG_TRIGGERS):
            op.execute(f"DROP TRIGGER {name} ON creditrecord")
        op.execute("DROP FUNCTION creditrecord_append_only()")
    with op.batch_alter_table("supervisionround") as batch:
        batch.drop_column("distributed_on")
        batch.drop_column("distributed_to")
        batch.drop_column("approval_required")
