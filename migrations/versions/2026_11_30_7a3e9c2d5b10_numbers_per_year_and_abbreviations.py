"""document numbers per unit, kind and year; unit abbreviations; route is NULL or a list; campaign versions

Revision ID: 7a3e9c2d5b10
Revises: 6c1161d1223a
Create Date: 2026-11-30 02:00:00.000000

Decision numbers restart every year, so the printed number ("05/QĐ-LĐLĐ") is no longer
unique on its own; (unit, year, serial) stays unique. Numbers already signed are kept as
they were printed. Optional JSON columns held the JSON value null where SQL NULL was meant
(a withdrawn draft then looked submitted); they become SQL NULL, and the route is checked.
A campaign imported again with changes becomes a new version with award rows of its own.
"""

from alembic import op
import sqlalchemy as sa


revision = "7a3e9c2d5b10"
down_revision = "6c1161d1223a"
branch_labels = None
depends_on = None

ABBREVIATIONS = {
    "tong_ldld": "TLĐ",
    "ldld_tinh": "LĐLĐ",
    "cd_cap_tren": "CĐ",
    "cdcs": "CĐCS",
}
NULLABLE_JSON = {
    "nominations": ("route", "route_codes", "vote", "checks_at_submit", "checks_latest"),
    "campaigns": ("definition",),
}

POSTGRES_ROUTE_CHECK = """
    ALTER TABLE nominations ADD CONSTRAINT ck_nominations_route_null_or_list CHECK (
        route IS NULL OR (jsonb_typeof(route) = 'array' AND jsonb_array_length(route) > 0)
    )
"""
SQLITE_ROUTE_TRIGGERS = [
    f"""
    CREATE TRIGGER nominations_route_null_or_list_{action} BEFORE {action.upper()} ON nominations
    WHEN NEW.route IS NOT NULL AND NOT (
        json_valid(NEW.route) AND json_type(NEW.route) = 'array'
        AND json_array_length(NEW.route) > 0
    )
    BEGIN SELECT RAISE(ABORT, 'route must be NULL or a non-empty array'); END
    """
    for action in ("insert", "update")
]


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_table(
        "number_counters",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.CheckConstraint("last >= 1", name=op.f("ck_number_counters_last_positive")),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_number_counters_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("unit_id", "kind", "year", name=op.f("pk_number_counters")),
    )
    # Counters continue from what each unit has already signed in each year.
    op.execute(
        "INSERT INTO number_counters (unit_id, kind, year, last) "
        "SELECT unit_id, 'QĐ', year, MAX(serial) FROM decisions GROUP BY unit_id, year"
    )
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.drop_constraint("uq_decisions_number", type_="unique")

    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.add_column(sa.Column("abbreviation", sa.String(length=20), nullable=True))
    units = sa.table("units", sa.column("level", sa.String), sa.column("abbreviation", sa.String))
    for level, abbreviation in ABBREVIATIONS.items():
        op.execute(units.update().where(units.c.level == level).values(abbreviation=abbreviation))
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.alter_column("abbreviation", existing_type=sa.String(length=20), nullable=False)

    for table, columns in NULLABLE_JSON.items():
        for column in columns:
            null = f"{column} = 'null'::jsonb" if dialect == "postgresql" else f"{column} = 'null'"
            op.execute(f"UPDATE {table} SET {column} = NULL WHERE {null}")
    if dialect == "postgresql":
        op.execute(POSTGRES_ROUTE_CHECK)
    else:
        for statement in SQLITE_ROUTE_TRIGGERS:
            op.execute(statement)

    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("award_types", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("campaign_version", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.add_column(sa.Column("rule_set_version", sa.String(length=64), nullable=True))
        batch_op.drop_constraint("uq_award_types_campaign_id_code", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_award_types_campaign_id_code_campaign_version"),
            ["campaign_id", "code", "campaign_version"],
        )
    op.execute(
        "UPDATE award_types SET rule_set_version = "
        "(SELECT rule_set_version FROM campaigns WHERE campaigns.id = award_types.campaign_id)"
    )


def downgrade():
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("award_types", schema=None) as batch_op:
        batch_op.drop_constraint("uq_award_types_campaign_id_code_campaign_version", type_="unique")
        batch_op.create_unique_constraint(
            "uq_award_types_campaign_id_code", ["campaign_id", "code"]
        )
        batch_op.drop_column("rule_set_version")
        batch_op.drop_column("campaign_version")
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_column("version")
    if dialect == "postgresql":
        op.execute("ALTER TABLE nominations DROP CONSTRAINT ck_nominations_route_null_or_list")
    else:
        for action in ("insert", "update"):
            op.execute(f"DROP TRIGGER nominations_route_null_or_list_{action}")
    with op.batch_alter_table("units", schema=None) as batch_op:
        batch_op.drop_column("abbreviation")
    with op.batch_alter_table("decisions", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_decisions_number", ["number"])
    op.drop_table("number_counters")
