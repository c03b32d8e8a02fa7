"""council sittings, register of awards, recoveries, certificate layouts

A council votes a list at a sitting (its roster dated, only tallies kept); every award gets
an entry in its deciding unit's register; a revocation opens what is to be recovered; each
unit may place its certificate's lines for its pre-printed blanks. New tables start empty,
so the audit chain has nothing to vouch for in them yet.

Revision ID: 9acbbfbf6bd6
Revises: f2a3b4c5d6e7
Create Date: 2026-11-30 07:03:35.850497

"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = "9acbbfbf6bd6"
down_revision = "f2a3b4c5d6e7"
branch_labels = None
depends_on = None


def upgrade():

    op.create_table(
        "certificate_layouts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column(
            "layout",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_certificate_layouts_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_layouts")),
        sa.UniqueConstraint("unit_id", name=op.f("uq_certificate_layouts_unit_id")),
    )
    op.create_table(
        "council_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.String(length=200), nullable=False),
        sa.Column("duty", sa.String(length=10), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "duty IN ('chair', 'secretary', 'member')", name=op.f("ck_council_members_duty_allowed")
        ),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_from <= valid_to",
            name=op.f("ck_council_members_council_member_dates_ordered"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_council_members_unit_id_units")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_council_members_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_council_members")),
    )
    with op.batch_alter_table("council_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_council_members_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "sittings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("chair_id", sa.Integer(), nullable=False),
        sa.Column("secretary_id", sa.Integer(), nullable=False),
        sa.Column("members", sa.Integer(), nullable=False),
        sa.Column(
            "present",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("serial", sa.Integer(), nullable=True),
        sa.Column("number", sa.String(length=80), nullable=True),
        sa.Column("opened_by_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'closed')", name=op.f("ck_sittings_sitting_status_allowed")
        ),
        sa.CheckConstraint("members >= 1", name=op.f("ck_sittings_sitting_members_positive")),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_sittings_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(
            ["chair_id"], ["council_members.id"], name=op.f("fk_sittings_chair_id_council_members")
        ),
        sa.ForeignKeyConstraint(
            ["opened_by_id"], ["users.id"], name=op.f("fk_sittings_opened_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["secretary_id"],
            ["council_members.id"],
            name=op.f("fk_sittings_secretary_id_council_members"),
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_sittings_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sittings")),
    )
    with op.batch_alter_table("sittings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sittings_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "recoveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("money_back_on", sa.Date(), nullable=True),
        sa.Column("certificate_back_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nominations.id"],
            name=op.f("fk_recoveries_nomination_id_nominations"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_recoveries_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recoveries")),
        sa.UniqueConstraint("nomination_id", name=op.f("uq_recoveries_nomination_id")),
    )
    with op.batch_alter_table("recoveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recoveries_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "register_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("entry_no", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_register_entries_decision_id_decisions"),
        ),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nominations.id"],
            name=op.f("fk_register_entries_nomination_id_nominations"),
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_register_entries_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_entries")),
        sa.UniqueConstraint("nomination_id", name=op.f("uq_register_entries_nomination_id")),
        sa.UniqueConstraint(
            "unit_id", "year", "entry_no", name=op.f("uq_register_entries_unit_id_year_entry_no")
        ),
    )
    with op.batch_alter_table("register_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_register_entries_decision_id"), ["decision_id"], unique=False
        )

    op.create_table(
        "sitting_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sitting_id", sa.Integer(), nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "tally",
            sa.JSON(none_as_null=True).with_variant(
                postgresql.JSONB(none_as_null=True, astext_type=sa.Text()), "postgresql"
            ),
            nullable=True,
        ),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["nomination_id"],
            ["nominations.id"],
            name=op.f("fk_sitting_items_nomination_id_nominations"),
        ),
        sa.ForeignKeyConstraint(
            ["sitting_id"], ["sittings.id"], name=op.f("fk_sitting_items_sitting_id_sittings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sitting_items")),
        sa.UniqueConstraint(
            "sitting_id", "nomination_id", name=op.f("uq_sitting_items_sitting_id_nomination_id")
        ),
    )
    with op.batch_alter_table("sitting_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sitting_items_nomination_id"), ["nomination_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_sitting_items_sitting_id"), ["sitting_id"], unique=False
        )


def downgrade():

    with op.batch_alter_table("sitting_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sitting_items_sitting_id"))
        batch_op.drop_index(batch_op.f("ix_sitting_items_nomination_id"))

    op.drop_table("sitting_items")
    with op.batch_alter_table("register_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_register_entries_decision_id"))

    op.drop_table("register_entries")
    with op.batch_alter_table("recoveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recoveries_unit_id"))

    op.drop_table("recoveries")
    with op.batch_alter_table("sittings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sittings_unit_id"))

    op.drop_table("sittings")
    with op.batch_alter_table("council_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_council_members_unit_id"))

    op.drop_table("council_members")
    op.drop_table("certificate_layouts")
