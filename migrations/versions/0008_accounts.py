"""Personal sign-in (issue 28): a login name per person, the account table (password hash, administrator,
lockout), and the kind of each sign-off code. An installation upgraded from 0007 keeps its people; nobody
can sign in until given a password (`pinggu people password`) or single sign-on.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """One new table, three new columns."""
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("login", sa.String(), nullable=True))
        batch.create_unique_constraint("uq_person_login", ["login"])
    with op.batch_alter_table("signoffcode") as batch:
        batch.add_column(sa.Column("kind", sa.String(), nullable=False, server_default="code"))
        batch.add_column(sa.Column("second_factor", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "account",
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), primary_key=True),
        sa.Column("password_hash", sa.String(), nullable=True),
        sa.Column("password_set_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sso_subject", sa.String(), nullable=True),
        sa.Column("admin", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lock_noted", sa.Boolean(), nullable=False),
        sa.Column("session_epoch", sa.Integer(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    """Reverse of upgrade()."""
    op.drop_table("account")
    with op.batch_alter_table("signoffcode") as batch:
        batch.drop_column("second_factor")
        batch.drop_column("kind")
    with op.batch_alter_table("person") as batch:
        batch.drop_constraint("uq_person_login", type_="unique")
        batch.drop_column("login")
