"""notifications without an index on their nomination

Revision ID: e5f6a7b8c9d0
Revises: d4e5f6a7b8c9
Create Date: 2026-12-02 07:30:00.000000

Nothing reads a nomination's notifications (a user reads their own, by the user's index),
and nominations are never deleted, so the foreign key needs no index either. Every event
wrote one more page into it for each notification it sent (issue 19).
"""

from alembic import op


revision = "e5f6a7b8c9d0"
down_revision = "d4e5f6a7b8c9"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_notifications_nomination_id", table_name="notifications")


def downgrade():
    op.create_index("ix_notifications_nomination_id", "notifications", ["nomination_id"])
