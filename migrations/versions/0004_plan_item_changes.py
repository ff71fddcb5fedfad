"""What the annual plan's approver changed per item (minhang 4: the plan sets each item's 评估时限):
planentry.due_date_reason (why the due date was changed) and planentry.dropped_reason (why the item
was taken out of the plan; a dropped item is never started).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Two nullable columns on planentry."""
    with op.batch_alter_table("planentry") as batch:
        batch.add_column(sa.Column("due_date_reason", sa.String(), nullable=True))
        batch.add_column(sa.Column("dropped_reason", sa.String(), nullable=True))


def downgrade() -> None:
    """Reverse of upgrade()."""
    with op.batch_alter_table("planentry") as batch:
        batch.drop_column("dropped_reason")
        batch.drop_column("due_date_reason")
