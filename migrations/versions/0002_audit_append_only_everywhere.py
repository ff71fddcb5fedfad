"""The audit log is append-only on PostgreSQL too, and audit events are looked up by action.

SQLite has refused UPDATE and DELETE on auditevent since the baseline (its triggers); PostgreSQL now
refuses UPDATE, DELETE and TRUNCATE by trigger. This guards against the program and its operators'
mistakes, not against a database owner, who can still disable the triggers.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_PG_FUNCTION = """
CREATE FUNCTION auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION '审计记录只能追加，不能修改';
    END IF;
    RAISE EXCEPTION '审计记录只能追加，不能删除';
END
$$
"""

_PG_TRIGGERS = {
    "audit_no_update": "BEFORE UPDATE ON auditevent FOR EACH ROW",
    "audit_no_delete": "BEFORE DELETE ON auditevent FOR EACH ROW",
    # Row triggers do not fire on TRUNCATE; only a statement trigger can refuse it.
    "audit_no_truncate": "BEFORE TRUNCATE ON auditevent FOR EACH STATEMENT",
}


def upgrade() -> None:
    """PostgreSQL: append-only triggers on auditevent; every database: an index on auditevent.action."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_FUNCTION)
        for name, when in _PG_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION auditevent_append_only()")
    op.create_index("ix_auditevent_action", "auditevent", ["action"], unique=False)


def downgrade() -> None:
    """Reverse of upgrade()."""
    op.drop_index("ix_auditevent_action", table_name="auditevent")
    if op.get_bind().dialect.name == "postgresql":
        for name in reversed(_PG_TRIGGERS):
            op.execute(f"DROP TRIGGER {name} ON auditevent")
        op.execute("DROP FUNCTION auditevent_append_only()")
