"""the chain vouches for every record: one baseline of what is stored now

Revision ID: c4a1b2d3e5f6
Revises: b13a5e5510a1
Create Date: 2026-11-30 10:00:00.000000

From this version on, every change of a unit, user, role, campaign version, nomination,
dossier file or decision appends a link carrying the record's digest, and `audit verify`
compares each row with it. Rows stored before get one baseline: links vouching for them as
they are at the upgrade (what a database administrator changed before it cannot be told).
"""

from alembic import op
from sqlalchemy.orm import Session

from workflow import audit
from workflow.clock import utcnow

# The audited tables at this revision; tables added later start empty and vouched for.
TABLES_THEN = (
    "units",
    "users",
    "role_assignments",
    "campaigns",
    "nominations",
    "attachments",
    "decisions",
)


revision = "c4a1b2d3e5f6"
down_revision = "b13a5e5510a1"
branch_labels = None
depends_on = None


def upgrade():
    session = Session(bind=op.get_bind())
    audit.vouch_for_all(session, utcnow(), tables=TABLES_THEN)
    session.flush()


def downgrade():
    # Links are append-only: the baseline stays in the chain (it vouches for nothing new).
    pass
