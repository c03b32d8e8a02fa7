"""an award's quota counted at a tier (per unit of a level, as it forwards) and nationwide

Revision ID: e1f2a3b4c5d6
Revises: d7e8f9a0b1c2
Create Date: 2026-11-30 12:00:00.000000

`quota_level` NULL keeps the old meaning: the quota counts per proposing unit. Set, it counts
what each unit of that level forwards (≤ 4 thematic proposals per LĐLĐ tỉnh to the TLĐ);
`quota_nationwide` caps the campaign's proposals of the award (≤ 300). The campaign schema
checks the level's value.
"""

import sqlalchemy as sa
from alembic import op


revision = "e1f2a3b4c5d6"
down_revision = "d7e8f9a0b1c2"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("award_types", sa.Column("quota_level", sa.String(length=20), nullable=True))
    op.add_column("award_types", sa.Column("quota_nationwide", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("award_types") as batch:
        batch.drop_column("quota_nationwide")
        batch.drop_column("quota_level")
