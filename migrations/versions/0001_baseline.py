"""Baseline: the schema create_all made before there were migrations (models/tables.py, models/agencies.py).

A database made by create_all is stamped at this revision, not migrated (pinggu.models.migrate.upgrade).

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# The audit log (minhang 档案 11) and an agency's credit record (TP-CREDIT) are evidence: SQLite refuses
# to rewrite or delete an entry. create_all made these same triggers (models/db.py, models/agencies.py).
_SQLITE_TRIGGERS = {
    "audit_no_update": """CREATE TRIGGER audit_no_update BEFORE UPDATE ON auditevent
       BEGIN SELECT RAISE(ABORT, '审计记录只能追加，不能修改'); END""",
    "audit_no_delete": """CREATE TRIGGER audit_no_delete BEFORE DELETE ON auditevent
       BEGIN SELECT RAISE(ABORT, '审计记录只能追加，不能删除'); END""",
    "creditrecord_no_update": """CREATE TRIGGER creditrecord_no_update BEFORE UPDATE ON creditrecord
       BEGIN SELECT RAISE(ABORT, '信用记录只能追加，不能修改'); END""",
    "creditrecord_no_delete": """CREATE TRIGGER creditrecord_no_delete BEFORE DELETE ON creditrecord
       BEGIN SELECT RAISE(ABORT, '信用记录只能追加，不能删除'); END""",
}


def upgrade() -> None:
    """Create every table, index, unique constraint and foreign key; on SQLite the append-only triggers."""
    op.create_table(
        "agency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("credit_status", sa.String(), nullable=False),
        sa.Column("has_equipment", sa.Boolean(), nullable=False),
        sa.Column("qualified_staff", sa.Boolean(), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_agency_name", "agency", ["name"], unique=True)
    op.create_table(
        "auditevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=True),
        sa.Column("decision_code", sa.String(), nullable=True),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("prev_hash", sa.String(), nullable=False),
        sa.Column("hash", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_auditevent_evaluation_id", "auditevent", ["evaluation_id"], unique=False)
    op.create_table(
        "decision",
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("profile", sa.String(), nullable=False),
        sa.Column("decision_body", sa.String(), nullable=False),
        sa.Column("lead_unit", sa.String(), nullable=False),
        sa.Column("category", sa.String(), nullable=False),
        sa.Column("broad_impact", sa.Boolean(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("progress_percent", sa.Integer(), nullable=True),
        sa.Column("uses_fiscal_funds", sa.Boolean(), nullable=False),
        sa.Column("superior_evaluates", sa.Boolean(), nullable=False),
        sa.Column("public_attention", sa.String(), nullable=True),
        sa.Column("last_evaluation_type", sa.String(), nullable=True),
        sa.Column("last_evaluation_on", sa.Date(), nullable=True),
        sa.Column("pre_decision_assessors", sa.JSON(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index("ix_decision_profile", "decision", ["profile"], unique=False)
    op.create_table(
        "escalation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("evaluation_code", sa.String(), nullable=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("ref", sa.String(), nullable=False),
        sa.Column("level", sa.String(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_escalation_evaluation_code", "escalation", ["evaluation_code"], unique=False)
    op.create_index("ix_escalation_key", "escalation", ["key"], unique=True)
    op.create_table(
        "plandecision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(), nullable=False),
        sa.Column("pause_key", sa.String(), nullable=False),
        sa.Column("approver", sa.String(), nullable=False),
        sa.Column("approver_role", sa.String(), nullable=False),
        sa.Column("choice", sa.String(), nullable=False),
        sa.Column("comment", sa.String(), nullable=True),
        sa.Column("refused", sa.String(), nullable=True),
        sa.Column("superseded", sa.Boolean(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pause_key"),
    )
    op.create_index("ix_plandecision_year", "plandecision", ["year"], unique=False)
    op.create_table(
        "creditrecord",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("detail", sa.String(), nullable=False),
        sa.Column("evaluation_code", sa.String(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"]),
    )
    op.create_index("ix_creditrecord_agency_id", "creditrecord", ["agency_id"], unique=False)
    op.create_table(
        "decisionoutcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_code", sa.String(), nullable=False),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("evaluation_code", sa.String(), nullable=False),
        sa.Column("decided_by", sa.String(), nullable=False),
        sa.Column("decided_by_role", sa.String(), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["decision_code"], ["decision.code"]),
    )
    op.create_index("ix_decisionoutcome_decision_code", "decisionoutcome", ["decision_code"], unique=False)
    op.create_table(
        "evaluation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(), nullable=False),
        sa.Column("decision_code", sa.String(), nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("scope", sa.String(), nullable=False),
        sa.Column("scope_parts", sa.JSON(), nullable=True),
        sa.Column("methods", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("waiting_for", sa.String(), nullable=True),
        sa.Column("waiting_gate", sa.String(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("start_approved_on", sa.Date(), nullable=True),
        sa.Column("work_completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("flow_run_id", sa.String(), nullable=True),
        sa.Column("conclusion", sa.String(), nullable=True),
        sa.Column("report_path", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["decision_code"], ["decision.code"]),
    )
    op.create_index("ix_evaluation_code", "evaluation", ["code"], unique=True)
    op.create_index("ix_evaluation_decision_code", "evaluation", ["decision_code"], unique=False)
    op.create_index("ix_evaluation_flow_run_id", "evaluation", ["flow_run_id"], unique=False)
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("escalation_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("escalation_id", "channel"),
        sa.ForeignKeyConstraint(["escalation_id"], ["escalation.id"]),
    )
    op.create_index("ix_notification_escalation_id", "notification", ["escalation_id"], unique=False)
    op.create_table(
        "planentry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(), nullable=False),
        sa.Column("decision_code", sa.String(), nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("trigger_date", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("evaluating_unit", sa.String(), nullable=False),
        sa.Column("flow_run_id", sa.String(), nullable=True),
        sa.Column("evaluation_code", sa.String(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("year", "scope", "decision_code", "type"),
        sa.ForeignKeyConstraint(["decision_code"], ["decision.code"]),
    )
    op.create_index("ix_planentry_decision_code", "planentry", ["decision_code"], unique=False)
    op.create_index("ix_planentry_year", "planentry", ["year"], unique=False)
    op.create_table(
        "triggerevent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_code", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["decision_code"], ["decision.code"]),
    )
    op.create_index("ix_triggerevent_decision_code", "triggerevent", ["decision_code"], unique=False)
    op.create_table(
        "approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("gate", sa.String(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("pause_key", sa.String(), nullable=False),
        sa.Column("approver", sa.String(), nullable=False),
        sa.Column("approver_role", sa.String(), nullable=False),
        sa.Column("choice", sa.String(), nullable=False),
        sa.Column("conclusion", sa.String(), nullable=True),
        sa.Column("comment", sa.String(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("superseded", sa.Boolean(), nullable=False),
        sa.Column("flow_run_id", sa.String(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("evaluation_id", "pause_key"),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluation.id"]),
    )
    op.create_index("ix_approval_evaluation_id", "approval", ["evaluation_id"], unique=False)
    op.create_table(
        "deadlinerecord",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(), nullable=False),
        sa.Column("label", sa.String(), nullable=False),
        sa.Column("basis", sa.String(), nullable=False),
        sa.Column("counted_from", sa.String(), nullable=False),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column("until", sa.String(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("met_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("superseded", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluation.id"]),
    )
    op.create_index("ix_deadlinerecord_evaluation_id", "deadlinerecord", ["evaluation_id"], unique=False)
    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("path", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("superseded", sa.Boolean(), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluation.id"]),
    )
    op.create_index("ix_document_evaluation_id", "document", ["evaluation_id"], unique=False)
    op.create_table(
        "entrustment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("matter", sa.String(), nullable=True),
        sa.Column("quality", sa.String(), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("fee", sa.String(), nullable=True),
        sa.Column("ownership", sa.String(), nullable=True),
        sa.Column("confidentiality", sa.String(), nullable=True),
        sa.Column("liability", sa.String(), nullable=True),
        sa.Column("subcontracting_consent", sa.Boolean(), nullable=False),
        sa.Column("subcontracted_to", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluation.id"]),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"]),
    )
    op.create_index("ix_entrustment_agency_id", "entrustment", ["agency_id"], unique=False)
    op.create_index("ix_entrustment_evaluation_id", "entrustment", ["evaluation_id"], unique=False)
    op.create_table(
        "followup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("decision_code", sa.String(), nullable=False),
        sa.Column("conclusion", sa.String(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("basis", sa.String(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluation.id"]),
        sa.ForeignKeyConstraint(["decision_code"], ["decision.code"]),
    )
    op.create_index("ix_followup_decision_code", "followup", ["decision_code"], unique=False)
    op.create_index("ix_followup_evaluation_id", "followup", ["evaluation_id"], unique=False)
    op.create_table(
        "formrejection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("gate", sa.String(), nullable=False),
        sa.Column("pause_key", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("rejected_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("evaluation_id", "pause_key"),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluation.id"]),
    )
    op.create_index("ix_formrejection_evaluation_id", "formrejection", ["evaluation_id"], unique=False)
    op.create_table(
        "stagerecord",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("target_date", sa.Date(), nullable=True),
        sa.Column("target_provisional", sa.Boolean(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("evaluation_id", "stage"),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluation.id"]),
    )
    op.create_index("ix_stagerecord_evaluation_id", "stagerecord", ["evaluation_id"], unique=False)
    op.create_table(
        "steprecord",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(), nullable=False),
        sa.Column("step", sa.String(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.String(), nullable=True),
        sa.Column("flow_run_id", sa.String(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("evaluation_id", "step", "attempt"),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluation.id"]),
    )
    op.create_index("ix_steprecord_evaluation_id", "steprecord", ["evaluation_id"], unique=False)
    op.create_table(
        "teammember",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("unit", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluation.id"]),
    )
    op.create_index("ix_teammember_evaluation_id", "teammember", ["evaluation_id"], unique=False)

    if op.get_bind().dialect.name == "sqlite":
        for statement in _SQLITE_TRIGGERS.values():
            op.execute(statement)


def downgrade() -> None:
    """Drop everything upgrade() created (and every row in it)."""
    if op.get_bind().dialect.name == "sqlite":
        for name in _SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("teammember")
    op.drop_table("steprecord")
    op.drop_table("stagerecord")
    op.drop_table("formrejection")
    op.drop_table("followup")
    op.drop_table("entrustment")
    op.drop_table("document")
    op.drop_table("deadlinerecord")
    op.drop_table("approval")
    op.drop_table("triggerevent")
    op.drop_table("planentry")
    op.drop_table("notification")
    op.drop_table("evaluation")
    op.drop_table("decisionoutcome")
    op.drop_table("creditrecord")
    op.drop_table("plandecision")
    op.drop_table("escalation")
    op.drop_table("decision")
    op.drop_table("auditevent")
    op.drop_table("agency")
