"""The decision procedure (issue 18, changli chapters 2–7): the decisionprocedure table, and the follow-up
evaluation a decision plans for itself (decisionevaluationplan, changli 12 ¶2).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Two new tables."""
    op.create_table(
        "decisionevaluationplan",
        sa.Column("decision_code", sa.String(), sa.ForeignKey("decision.code"), primary_key=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "decisionprocedure",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(), nullable=False, unique=True),
        sa.Column("profile", sa.String(), nullable=False),
        sa.Column("matter", sa.String(), nullable=False),
        sa.Column("lead_unit", sa.String(), nullable=False),
        sa.Column("catalog_year", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("decision_code", sa.String(), sa.ForeignKey("decision.code"), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=True),
        sa.Column("record_path", sa.String(), nullable=True),
        sa.Column("record_sha256", sa.String(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_decisionprocedure_decision_code", "decisionprocedure", ["decision_code"])


def downgrade() -> None:
    """Reverse of upgrade()."""
    op.drop_table("decisionprocedure")
    op.drop_table("decisionevaluationplan")
