"""Who may answer gates, and the one-time codes that prove it (issue 14): the person table (the people
file) and signoffcode (a hash per code, bound to one evaluation's gate, expiring, used once).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Two new tables."""
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=True),
        sa.Column("profiles", sa.JSON(), nullable=True),
        sa.Column("contact", sa.String(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("name", "unit"),
    )
    op.create_table(
        "signoffcode",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("evaluation_id", sa.Integer(), sa.ForeignKey("evaluation.id"), nullable=False),
        sa.Column("gate", sa.String(), nullable=False),
        sa.Column("code_hash", sa.String(), nullable=False, unique=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=True),
        sa.Column("override_by", sa.String(), nullable=True),
        sa.Column("override_reason", sa.String(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_signoffcode_evaluation_id", "signoffcode", ["evaluation_id"])


def downgrade() -> None:
    """Reverse of upgrade()."""
    op.drop_index("ix_signoffcode_evaluation_id", table_name="signoffcode")
    op.drop_table("signoffcode")
    op.drop_table("person")
