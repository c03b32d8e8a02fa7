"""notifications kept in English too, shown in the reader's language

Revision ID: c3d4e5f6a7b8
Revises: b2c3d4e5f6a7
Create Date: 2026-12-01 17:00:00.000000

Every notification was stored as Vietnamese text, so an English page listed Vietnamese
messages. Older notifications have no English text and are shown as written.
"""

import sqlalchemy as sa
from alembic import op


revision = "c3d4e5f6a7b8"
down_revision = "b2c3d4e5f6a7"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("notifications", sa.Column("subject_en", sa.String(length=300), nullable=True))
    op.add_column("notifications", sa.Column("body_en", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("body_en")
        batch.drop_column("subject_en")
