"""one sign-in name however it is capitalised, held by a unique index on lower(username)

Revision ID: a1b2c3d4e5f6
Revises: 623eaa4caf2c
Create Date: 2026-12-01 15:00:00.000000

accounts.create_user refused "thuy" beside "Thuy", but two requests at the same instant both
passed that check. Usernames are ASCII (accounts.USERNAME_PATTERN), so lower() agrees on
SQLite and PostgreSQL. A database that already holds two such accounts is named, not guessed
at: an administrator decides which one to rename.
"""

import sqlalchemy as sa
from alembic import op


revision = "a1b2c3d4e5f6"
down_revision = "623eaa4caf2c"
branch_labels = None
depends_on = None


def upgrade():
    users = sa.table("users", sa.column("username", sa.String))
    lowered = sa.func.lower(users.c.username)
    clashes = (
        op.get_bind()
        .execute(sa.select(lowered).group_by(lowered).having(sa.func.count() > 1))
        .scalars()
        .all()
    )
    if clashes:
        raise RuntimeError(
            "Các tài khoản sau chỉ khác nhau chữ hoa/thường, hãy đổi tên một trong số đó rồi "
            f"nâng cấp lại / accounts differing only in case, rename one and upgrade again: "
            f"{', '.join(sorted(clashes))}"
        )
    op.create_index("uq_users_username_lower", "users", [sa.text("lower(username)")], unique=True)


def downgrade():
    op.drop_index("uq_users_username_lower", table_name="users")
