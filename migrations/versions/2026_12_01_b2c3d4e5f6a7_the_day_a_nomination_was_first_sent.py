"""the day a nomination was first sent up, which the filing deadline is held against

Revision ID: b2c3d4e5f6a7
Revises: a1b2c3d4e5f6
Create Date: 2026-12-01 16:00:00.000000

The deadline rule compared the campaign's filing deadline with the day it was checked: in
January every nomination sent in November read "quá hạn" on its page, and one returned for
correction could not be sent again. Rows sent before this column existed take the day of
their first "submit" link in the trail (in Vietnam's time, as every day of the app).
"""

import json
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from alembic import op


revision = "b2c3d4e5f6a7"
down_revision = "a1b2c3d4e5f6"
branch_labels = None
depends_on = None

VIETNAM = timezone(timedelta(hours=7))


def upgrade():
    op.add_column("nominations", sa.Column("submitted_on", sa.Date(), nullable=True))
    events = sa.table(
        "audit_events",
        sa.column("seq", sa.Integer),
        sa.column("nomination_id", sa.Integer),
        sa.column("body", sa.Text),
    )
    nominations = sa.table(
        "nominations", sa.column("id", sa.Integer), sa.column("submitted_on", sa.Date)
    )
    connection = op.get_bind()
    first = {}
    rows = connection.execute(
        sa.select(events.c.nomination_id, events.c.body)
        .where(events.c.nomination_id.is_not(None), events.c.body.contains('"event":"submit"'))
        .order_by(events.c.seq)
    )
    for nomination_id, body in rows:
        if nomination_id in first:
            continue
        link = json.loads(body)
        if link.get("event") == "submit":
            at = datetime.fromisoformat(link["at"].replace("Z", "+00:00"))
            first[nomination_id] = at.astimezone(VIETNAM).date()
    if first:
        connection.execute(
            nominations.update()
            .where(nominations.c.id == sa.bindparam("nid"))
            .values(submitted_on=sa.bindparam("day")),
            [{"nid": nid, "day": day} for nid, day in first.items()],
        )


def downgrade():
    with op.batch_alter_table("nominations") as batch:
        batch.drop_column("submitted_on")
