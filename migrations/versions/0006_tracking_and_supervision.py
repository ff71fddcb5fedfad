"""跟踪反馈与督查 (issue 17): tracking plans and milestones, monthly tracking reports, public opinions
(their contacts in a table of their own), supervision rounds and their rectification items.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_DECISION = "decision.code"


def upgrade() -> None:
    """Seven new tables."""
    op.create_table(
        "trackingplan",
        sa.Column("decision_code", sa.String(), sa.ForeignKey(_DECISION), primary_key=True),
        sa.Column("responsible_body", sa.String(), nullable=False),
        sa.Column("responsible_people", sa.String(), nullable=False),
        sa.Column("methods", sa.String(), nullable=False),
        sa.Column("tracking_from", sa.Date(), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "trackingmilestone",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("decision_code", sa.String(), sa.ForeignKey(_DECISION), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("done_report_id", sa.Integer(), nullable=True),
        sa.UniqueConstraint("decision_code", "seq"),
    )
    op.create_index("ix_trackingmilestone_decision_code", "trackingmilestone", ["decision_code"])
    op.create_table(
        "trackingreport",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("decision_code", sa.String(), sa.ForeignKey(_DECISION), nullable=False),
        sa.Column("period_key", sa.String(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("reporter", sa.String(), nullable=True),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("content", sa.JSON(), nullable=True),
        sa.Column("pdf_path", sa.String(), nullable=True),
        sa.Column("docx_path", sa.String(), nullable=True),
        sa.Column("sha256", sa.String(), nullable=True),
        sa.Column("trigger_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rendered_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("decision_code", "period_key"),
    )
    op.create_index("ix_trackingreport_decision_code", "trackingreport", ["decision_code"])
    op.create_table(
        "publicopinion",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("decision_code", sa.String(), sa.ForeignKey(_DECISION), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("summary", sa.String(), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_publicopinion_decision_code", "publicopinion", ["decision_code"])
    op.create_table(
        "opinioncontact",
        sa.Column("opinion_id", sa.Integer(), sa.ForeignKey("publicopinion.id"), primary_key=True),
        sa.Column("contact", sa.String(), nullable=False),
    )
    op.create_table(
        "supervisionround",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(), nullable=False, unique=True),
        sa.Column("decision_code", sa.String(), sa.ForeignKey(_DECISION), nullable=False),
        sa.Column("supervisor", sa.String(), nullable=False),
        sa.Column("methods", sa.JSON(), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("findings", sa.JSON(), nullable=True),
        sa.Column("pdf_path", sa.String(), nullable=True),
        sa.Column("docx_path", sa.String(), nullable=True),
        sa.Column("sha256", sa.String(), nullable=True),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_supervisionround_decision_code", "supervisionround", ["decision_code"])
    op.create_table(
        "rectification",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("supervisionround.id"), nullable=False),
        sa.Column("decision_code", sa.String(), sa.ForeignKey(_DECISION), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("item", sa.String(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("report", sa.String(), nullable=True),
        sa.Column("reported_on", sa.Date(), nullable=True),
        sa.Column("reported_by", sa.String(), nullable=True),
        sa.Column("reviews", sa.JSON(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
    )
    op.create_index("ix_rectification_round_id", "rectification", ["round_id"])
    op.create_index("ix_rectification_decision_code", "rectification", ["decision_code"])


def downgrade() -> None:
    """Reverse of upgrade()."""
    for table in ("rectification", "supervisionround", "opinioncontact", "publicopinion", "trackingreport"):
        op.drop_table(table)
    op.drop_table("trackingmilestone")
    op.drop_table("trackingplan")
