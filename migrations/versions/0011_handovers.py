"""转办 (issue 29): the handover table, one row per waiting step handed from one person to another.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """One new table."""
    op.create_table(
        "handover",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ref", sa.String(), nullable=False),
        sa.Column("profile", sa.String(), nullable=False),
        sa.Column("from_person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=True),
        sa.Column("to_person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("by_person_id", sa.Integer(), sa.ForeignKey("person.id"), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_handover_ref", "handover", ["ref"])


def downgrade() -> None:
    """Reverse of upgrade()."""
    op.drop_table("handover")
