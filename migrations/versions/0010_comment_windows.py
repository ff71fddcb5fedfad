"""Public comment periods (issue 33): the commentwindow table, one row per period the office opens for a
decision; its public page feeds the opinion register.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """One new table."""
    op.create_table(
        "commentwindow",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("decision_code", sa.String(), sa.ForeignKey("decision.code"), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("opened_by", sa.String(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_commentwindow_decision_code", "commentwindow", ["decision_code"])


def downgrade() -> None:
    """Reverse of upgrade()."""
    op.drop_table("commentwindow")
