"""reports of a campaign's periods

Each unit reports to its parent for each period the campaign's plan names (monthly, quarterly,
yearly…): the results it declares against the targets. New table, empty.

Revision ID: 37b3a04618c8
Revises: d7e68e9b21f6
Create Date: 2026-11-30 08:06:02.661966

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '37b3a04618c8'
down_revision = 'd7e68e9b21f6'
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('period_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=20), nullable=False),
    sa.Column('results', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_period_reports_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_period_reports_submitted_by_id_users')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_period_reports_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_period_reports')),
    sa.UniqueConstraint('campaign_id', 'unit_id', 'period', name=op.f('uq_period_reports_campaign_id_unit_id_period'))
    )
    with op.batch_alter_table('period_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_period_reports_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_period_reports_unit_id'), ['unit_id'], unique=False)

    


def downgrade():
    
    with op.batch_alter_table('period_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_period_reports_unit_id'))
        batch_op.drop_index(batch_op.f('ix_period_reports_campaign_id'))

    op.drop_table('period_reports')
    
