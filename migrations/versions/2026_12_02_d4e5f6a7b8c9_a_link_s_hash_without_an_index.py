"""a link's hash without a unique index of its own

Revision ID: d4e5f6a7b8c9
Revises: c3d4e5f6a7b8
Create Date: 2026-12-02 07:00:00.000000

Every event inserted its link's SHA-256 hash into a unique index: a page at a random place
of a tree as large as the trail, written with each event (one page in nine on SQLite, and on
PostgreSQL while the trail's head is locked, issue 19). Nothing looks a link up by its hash,
and two links cannot share one: a hash covers the link's body, which holds its sequence
number, the primary key. Tampering is found by the chain's verification, never by the index.

SQLite drops a table's UNIQUE constraint only by rebuilding the table, which drops the
triggers refusing UPDATE and DELETE with it: they are created again, as the first migration
wrote them. The table is described here rather than reflected: reflection would read the
tables it refers to, and warn of the users' expression index it cannot read.
"""

import sqlalchemy as sa
from alembic import op


revision = "d4e5f6a7b8c9"
down_revision = "c3d4e5f6a7b8"
branch_labels = None
depends_on = None

UNIQUE = "uq_audit_events_hash"
APPEND_ONLY_MESSAGE = "audit_events is append-only"
SQLITE_TRIGGERS = [
    f"""
    CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END
    """,
]


def _audit_events(unique_hash: bool) -> sa.Table:
    """The table as it is before the change (``unique_hash``) or after it."""
    return sa.Table(
        "audit_events",
        sa.MetaData(),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("nomination_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_events"),
        sa.ForeignKeyConstraint(
            ["nomination_id"], ["nominations.id"], name="fk_audit_events_nomination_id_nominations"
        ),
        sa.Index("ix_audit_events_nomination_id", "nomination_id"),
        *([sa.UniqueConstraint("hash", name=UNIQUE)] if unique_hash else []),
    )


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(UNIQUE, "audit_events", type_="unique")
        return
    with op.batch_alter_table(
        "audit_events", recreate="always", copy_from=_audit_events(unique_hash=True)
    ) as batch:
        batch.drop_constraint(UNIQUE, type_="unique")
    for trigger in SQLITE_TRIGGERS:
        op.execute(trigger)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.create_unique_constraint(UNIQUE, "audit_events", ["hash"])
        return
    with op.batch_alter_table(
        "audit_events", recreate="always", copy_from=_audit_events(unique_hash=False)
    ) as batch:
        batch.create_unique_constraint(UNIQUE, ["hash"])
    for trigger in SQLITE_TRIGGERS:
        op.execute(trigger)
