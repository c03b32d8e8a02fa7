"""a nomination's state ties to its columns: awarded or revoked iff a decision, on notice iff a notice end

Revision ID: d7e8f9a0b1c2
Revises: c4a1b2d3e5f6
Create Date: 2026-11-30 11:00:00.000000

The service keeps these together in one statement; the database now refuses any write that
tears them apart (a decision without an awarded nomination, a notice with no end date).
PostgreSQL gets CHECK constraints; SQLite, which cannot add a constraint to a table without
rebuilding it, gets triggers with the same condition (as for `route`).
"""

from alembic import op


revision = "d7e8f9a0b1c2"
down_revision = "c4a1b2d3e5f6"
branch_labels = None
depends_on = None

CONDITIONS = {
    "decision_iff_awarded": (
        "(state IN ('awarded', 'revoked')) = (decision_id IS NOT NULL)",
        "only an awarded or revoked nomination has a decision, and it always has one",
    ),
    "notice_end_iff_on_notice": (
        "(state = 'on_notice') = (notice_ends_on IS NOT NULL)",
        "only a nomination on notice has a notice end date, and it always has one",
    ),
}


def _sqlite_triggers(name: str, condition: str, message: str) -> list[str]:
    new = condition.replace("state", "NEW.state").replace("decision_id", "NEW.decision_id")
    new = new.replace("notice_ends_on", "NEW.notice_ends_on")
    return [
        f"""
        CREATE TRIGGER nominations_{name}_{action} BEFORE {action.upper()} ON nominations
        WHEN NOT ({new})
        BEGIN SELECT RAISE(ABORT, '{message}'); END
        """
        for action in ("insert", "update")
    ]


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for name, (condition, message) in CONDITIONS.items():
        if postgres:
            op.execute(
                f"ALTER TABLE nominations ADD CONSTRAINT ck_nominations_{name} CHECK ({condition})"
            )
        else:
            for statement in _sqlite_triggers(name, condition, message):
                op.execute(statement)


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for name in CONDITIONS:
        if postgres:
            op.execute(f"ALTER TABLE nominations DROP CONSTRAINT ck_nominations_{name}")
        else:
            for action in ("insert", "update"):
                op.execute(f"DROP TRIGGER nominations_{name}_{action}")
