"""Statutory deadlines of a decision itself (MH-A10: its archive filed within 10 working days of issue),
and the decisions whose superior evaluation this body assists (superiorassistance; bazhou 16(2),
changli 63(2): then the superior's evaluation does not exempt it); a decision outcome may rest on no
evaluation where the profile does not require one (decisionoutcome.evaluation_code nullable; MH-2).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """The decisiondeadline and superiorassistance tables; decisionoutcome.evaluation_code nullable."""
    with op.batch_alter_table("decisionoutcome") as batch:  # SQLite alters a column by copying the table
        batch.alter_column("evaluation_code", existing_type=sa.String(), nullable=True)
    op.create_table(
        "superiorassistance",
        sa.Column("decision_code", sa.String(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("decision_code"),
        sa.ForeignKeyConstraint(["decision_code"], ["decision.code"]),
    )
    op.create_table(
        "decisiondeadline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_code", sa.String(), nullable=False),
        sa.Column("rule", sa.String(), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("basis", sa.String(), nullable=False),
        sa.Column("counted_from", sa.String(), nullable=False),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column("until", sa.String(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("met_on", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["decision_code"], ["decision.code"]),
        sa.UniqueConstraint("decision_code", "rule"),
    )
    op.create_index("ix_decisiondeadline_decision_code", "decisiondeadline", ["decision_code"], unique=False)


def downgrade() -> None:
    """Reverse of upgrade()."""
    op.drop_index("ix_decisiondeadline_decision_code", table_name="decisiondeadline")
    op.drop_table("decisiondeadline")
    op.drop_table("superiorassistance")
    with op.batch_alter_table("decisionoutcome") as batch:
        batch.alter_column("evaluation_code", existing_type=sa.String(), nullable=False)
