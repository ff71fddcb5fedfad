"""The decision procedure (issue 18, changli chapters 2–7): the decisionprocedure table, and the follow-up
evaluation a decision plans for itself (decision.planned_evaluation_year / _type, changli 12 ¶2).

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
    """One new table, two new columns."""
    with op.batch_alter_table("decision") as batch:
        batch.add_column(sa.Column("planned_evaluation_year", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("planned_evaluation_type", sa.String(), nullable=True))
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
    with op.batch_alter_table("decision") as batch:
        batch.drop_column("planned_evaluation_type")
        batch.drop_column("planned_evaluation_year")
