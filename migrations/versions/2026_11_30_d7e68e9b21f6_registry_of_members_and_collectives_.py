"""registry of members and collectives, yearly evaluations, registrations, declared titles

Members and collectives get one identity across units and years (dated memberships; the
citizen id sealed), the year's evaluation is entered once, registrations for a campaign's
titles are recorded with their day, and titles from outside the system are declared with
their decision. New tables start empty.

Revision ID: d7e68e9b21f6
Revises: 9acbbfbf6bd6
Create Date: 2026-11-30 07:43:18.286207

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = 'd7e68e9b21f6'
down_revision = '9acbbfbf6bd6'
branch_labels = None
depends_on = None


def upgrade():
    
    op.create_table('members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('search', sa.String(length=200), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('gender', sa.String(length=10), nullable=True),
    sa.Column('position', sa.String(length=200), nullable=False),
    sa.Column('cccd_sealed', sa.String(length=300), nullable=True),
    sa.Column('cccd_last', sa.String(length=4), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('individual', 'collective')", name=op.f('ck_members_kind_allowed')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['members.id'], name=op.f('fk_members_merged_into_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_members')),
    sa.UniqueConstraint('code', name=op.f('uq_members_code'))
    )
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_members_search'), ['search'], unique=False)

    op.create_table('declared_titles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('award_code', sa.String(length=60), nullable=False),
    sa.Column('award_title', sa.String(length=300), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=200), nullable=False),
    sa.Column('proof_sha256', sa.String(length=64), nullable=True),
    sa.Column('declared_by_id', sa.Integer(), nullable=False),
    sa.Column('declared_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['declared_by_id'], ['users.id'], name=op.f('fk_declared_titles_declared_by_id_users')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_declared_titles_member_id_members')),
    sa.ForeignKeyConstraint(['proof_sha256'], ['blobs.sha256'], name=op.f('fk_declared_titles_proof_sha256_blobs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_declared_titles')),
    sa.UniqueConstraint('member_id', 'award_code', 'year', name=op.f('uq_declared_titles_member_id_award_code_year'))
    )
    with op.batch_alter_table('declared_titles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_declared_titles_member_id'), ['member_id'], unique=False)

    op.create_table('member_years',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.String(length=20), nullable=True),
    sa.Column('absent_days', sa.Integer(), nullable=True),
    sa.Column('months_employed', sa.Integer(), nullable=True),
    sa.Column('discipline', sa.String(length=20), nullable=True),
    sa.Column('initiatives', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_member_years_member_id_members')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_member_years_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_years')),
    sa.UniqueConstraint('member_id', 'year', name=op.f('uq_member_years_member_id_year'))
    )
    with op.batch_alter_table('member_years', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_years_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_member_years_unit_id'), ['unit_id'], unique=False)

    op.create_table('memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.CheckConstraint('valid_to IS NULL OR valid_from <= valid_to', name=op.f('ck_memberships_membership_dates')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_memberships_member_id_members')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_memberships_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memberships_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_memberships_unit_id'), ['unit_id'], unique=False)

    op.create_table('registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('award_code', sa.String(length=60), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('registered_on', sa.Date(), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_registrations_campaign_id_campaigns')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_registrations_member_id_members')),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_registrations_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registrations')),
    sa.UniqueConstraint('member_id', 'campaign_id', 'award_code', name=op.f('uq_registrations_member_id_campaign_id_award_code'))
    )
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registrations_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registrations_member_id'), ['member_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registrations_unit_id'), ['unit_id'], unique=False)

    


def downgrade():
    
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registrations_unit_id'))
        batch_op.drop_index(batch_op.f('ix_registrations_member_id'))
        batch_op.drop_index(batch_op.f('ix_registrations_campaign_id'))

    op.drop_table('registrations')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memberships_unit_id'))
        batch_op.drop_index(batch_op.f('ix_memberships_member_id'))

    op.drop_table('memberships')
    with op.batch_alter_table('member_years', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_member_years_unit_id'))
        batch_op.drop_index(batch_op.f('ix_member_years_member_id'))

    op.drop_table('member_years')
    with op.batch_alter_table('declared_titles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_declared_titles_member_id'))

    op.drop_table('declared_titles')
    with op.batch_alter_table('members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_members_search'))

    op.drop_table('members')
    
