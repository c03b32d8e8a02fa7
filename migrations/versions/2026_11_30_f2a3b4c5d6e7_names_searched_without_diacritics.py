"""nominee names searched without diacritics or case: a folded copy of each name

Revision ID: f2a3b4c5d6e7
Revises: e1f2a3b4c5d6
Create Date: 2026-11-30 13:00:00.000000

"anh tuyet" must find "Nguyễn Thị Ánh Tuyết" on SQLite and PostgreSQL alike (PostgreSQL's
unaccent is an extension, SQLite has nothing), so the app stores the folded name beside the
name (workflow/folding.py keeps it in step) and this fills it for the rows already there.
"""

import unicodedata

import sqlalchemy as sa
from alembic import op


revision = "f2a3b4c5d6e7"
down_revision = "e1f2a3b4c5d6"
branch_labels = None
depends_on = None


def _fold(text):
    # The same folding as workflow/folding.py at the time of this migration.
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.replace("đ", "d").replace("Đ", "D").casefold().split())


def upgrade():
    op.add_column(
        "nominations",
        sa.Column("nominee_search", sa.String(length=200), server_default="", nullable=False),
    )
    nominations = sa.table(
        "nominations",
        sa.column("id", sa.Integer),
        sa.column("nominee_name", sa.String),
        sa.column("nominee_search", sa.String),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.select(nominations.c.id, nominations.c.nominee_name)).all()
    for row_id, name in rows:
        connection.execute(
            nominations.update()
            .where(nominations.c.id == row_id)
            .values(nominee_search=_fold(name or ""))
        )


def downgrade():
    with op.batch_alter_table("nominations") as batch:
        batch.drop_column("nominee_search")
