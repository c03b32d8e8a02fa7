"""Statements run on the driver (workflow.prepared) read and write exactly what SQLAlchemy
would, on both databases, and fail as SQLAlchemy fails."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    Table,
    bindparam,
    insert,
    inspect,
    select,
    update,
)
from sqlalchemy.exc import ArgumentError, IntegrityError, StatementError
from sqlalchemy.orm import Session

from tests.factories import World
from workflow.db import Base
from workflow.models import Nomination, Unit
from workflow.prepared import Prepared, attached

NOMINATIONS = Base.metadata.tables["nominations"]
NOTIFICATIONS = Base.metadata.tables["notifications"]

READ = Prepared(
    select(
        NOMINATIONS.c.route,
        NOMINATIONS.c.route_codes,
        NOMINATIONS.c.vote,
        NOMINATIONS.c.due_on,
        NOMINATIONS.c.updated_at,
        NOMINATIONS.c.nominee_name,
    ).where(NOMINATIONS.c.id == bindparam("id"))
)
WRITE = Prepared(
    update(NOMINATIONS)
    .where(NOMINATIONS.c.id == bindparam("b_id"))
    .values(
        route_codes=bindparam("b_codes"),
        vote=bindparam("b_vote"),
        due_on=bindparam("b_due"),
        updated_at=bindparam("b_at"),
    )
)
UNITS_IN = Prepared(
    select(Unit.code).where(Unit.id.in_(bindparam("ids", expanding=True))).order_by(Unit.code)
)

# What an event writes: JSON of any shape (text beyond ASCII, 64-bit integers, bare numbers,
# which SQLite keeps as numbers), dates, UTC times. No NUL: the input guard refuses it first.
# (A bare integer beyond 64 bits would come back from SQLite's JSON column as a float,
# whoever wrote it.)
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1) | texts,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(texts.filter(lambda t: len(t) <= 5), inner, max_size=3)
    ),
    max_leaves=8,
)
# hypothesis bounds are naive by its rule; the instants it draws are UTC
instants = st.datetimes(
    min_value=datetime(1970, 1, 2),  # noqa: DTZ001
    max_value=datetime(2199, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)


def _core(session: Session, nomination_id: int) -> tuple[Any, ...]:
    return tuple(session.connection().execute(READ.statement, {"id": nomination_id}).one())


def _stored(session: Session, nomination_id: int) -> tuple[Any, ...]:
    """The columns as the database holds them, read past every type's conversion."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        sql = "SELECT route_codes::text, vote::text, due_on::text, updated_at::text"
    else:
        sql = "SELECT route_codes, typeof(vote), vote, due_on, updated_at"
    return tuple(conn.exec_driver_sql(f"{sql} FROM nominations WHERE id = {nomination_id:d}").one())


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    codes=st.lists(texts.filter(lambda t: len(t) <= 8), max_size=4),
    vote=json_values,
    due=st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31)),
    at=instants,
)
def test_written_and_read_as_sqlalchemy_does(
    world: World, codes: list[str], vote: Any, due: date, at: datetime
) -> None:
    session = world.session
    by_core, prepared = world.nominate(), world.nominate()
    values = {"b_codes": codes, "b_vote": vote, "b_due": due, "b_at": at}
    session.connection().execute(WRITE.statement, values | {"b_id": by_core})
    WRITE.execute(session, values | {"b_id": prepared})
    assert _stored(session, prepared) == _stored(session, by_core)
    read = READ.rows(session, {"id": prepared})
    assert read == [_core(session, prepared)]
    assert read[0][1:5] == (codes, vote, due, at)
    session.rollback()


def test_lists_of_any_length_each_read_their_own(world: World) -> None:
    ids = dict(world.session.execute(select(Unit.code, Unit.id)).all())
    for picked in (["BR1"], ["BR1", "PROV"], [], ["CS1", "BR2", "PROV"], ["TLD"]):
        got = UNITS_IN.rows(world.session, {"ids": [ids[c] for c in picked]})
        assert [code for (code,) in got] == sorted(picked)


def test_a_missing_parameter_is_named_before_anything_runs(world: World) -> None:
    with pytest.raises(ArgumentError, match="b_vote"):
        WRITE.execute(world.session, {"b_id": 1, "b_codes": [], "b_due": None, "b_at": None})


def test_a_refused_row_is_sqlalchemy_s_error_and_the_session_goes_on(world: World) -> None:
    bad = Prepared(
        insert(NOTIFICATIONS).values(
            user_id=bindparam("user"),
            kind="test",
            subject="s",
            body="b",
            created_at=bindparam("at"),
        )
    )
    with pytest.raises(IntegrityError):
        bad.execute(world.session, {"user": 987654321, "at": datetime(2026, 1, 1, tzinfo=UTC)})
    world.session.rollback()
    nomination_id = world.nominate()
    assert world.session.get(Nomination, nomination_id) is not None


def test_a_savepoint_rolled_back_takes_the_driver_s_writes_with_it(world: World) -> None:
    session = world.session
    nomination_id = world.nominate()
    at = datetime(2026, 1, 1, tzinfo=UTC)
    with session.begin_nested() as savepoint:
        WRITE.execute(
            session,
            {"b_id": nomination_id, "b_codes": ["X"], "b_vote": None, "b_due": None, "b_at": at},
        )
        savepoint.rollback()
    assert READ.rows(session, {"id": nomination_id})[0][1] is None


def test_what_sqlalchemy_computes_per_execution_is_refused_not_fixed(world: World) -> None:
    table = Table(
        "scratch",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("n", Integer, default=lambda: 7),
    )
    with pytest.raises(TypeError, match="per execution"):
        Prepared(insert(table).values(id=bindparam("id"))).execute(world.session, {"id": 1})


def test_a_value_its_type_refuses_is_a_statement_error(world: World) -> None:
    naive = datetime(2026, 1, 1)  # noqa: DTZ001 - what UtcDateTime refuses
    with pytest.raises(StatementError):
        WRITE.execute(
            world.session,
            {"b_id": world.nominate(), "b_codes": [], "b_vote": None, "b_due": None, "b_at": naive},
        )


ALL_COLUMNS = [(p.key, p.columns[0]) for p in inspect(Nomination).column_attrs]
READ_ALL = Prepared(
    select(*(column for _, column in ALL_COLUMNS)).where(NOMINATIONS.c.id == bindparam("id"))
)


def _row(session: Session, nomination_id: int) -> dict[str, Any]:
    (row,) = READ_ALL.rows(session, {"id": nomination_id})
    return {name: value for (name, _), value in zip(ALL_COLUMNS, row, strict=True)}


def test_a_row_attached_is_the_object_the_orm_loads(world: World) -> None:
    nomination_id = world.nominate()
    world.session.commit()
    bind = world.session.get_bind()
    with Session(bind) as orm:  # one at a time: each SQLite transaction takes the write lock
        loaded = orm.get(Nomination, nomination_id)
        assert loaded is not None
        expected = {n: getattr(loaded, n) for n, _ in ALL_COLUMNS}
    with Session(bind) as fresh:
        got = attached(fresh, Nomination, _row(fresh, nomination_id))
        assert inspect(got).persistent
        assert fresh.get(Nomination, nomination_id) is got
        assert {n: getattr(got, n) for n, _ in ALL_COLUMNS} == expected
        assert got.origin_unit.code == "CS1"
        assert not fresh.dirty
        got.achievements = "Hoàn thành xuất sắc nhiệm vụ"  # and it is written as any other
        fresh.commit()
    with Session(bind) as orm:
        assert orm.get(Nomination, nomination_id).achievements == "Hoàn thành xuất sắc nhiệm vụ"


def test_attaching_a_row_refreshes_the_object_the_session_holds(world: World) -> None:
    session = world.session
    nomination_id = world.nominate()
    held = session.get(Nomination, nomination_id)
    assert held is not None
    stored_name = held.nominee_name
    held.nominee_name = "Tên chưa lưu"
    session.expire(held, ["state"])
    got = attached(session, Nomination, _row(session, nomination_id))
    assert got is held  # as a query with populate_existing leaves it
    assert (held.nominee_name, held.state) == (stored_name, "draft")
    assert not inspect(held).attrs.nominee_name.history.has_changes()


def test_each_transaction_runs_on_its_own_connection(world: World) -> None:
    """A statement after a commit or a rollback is in the new transaction, never the old."""
    session = world.session
    nomination_id = world.nominate()
    at = datetime(2026, 1, 1, tzinfo=UTC)

    def write(codes: list[str]) -> None:
        WRITE.execute(
            session,
            {"b_id": nomination_id, "b_codes": codes, "b_vote": None, "b_due": None, "b_at": at},
        )

    write(["KEPT"])
    session.commit()
    write(["UNDONE"])
    session.rollback()
    assert READ.rows(session, {"id": nomination_id})[0][1] == ["KEPT"]
    session.rollback()
    session.close()
    write(["AFTER CLOSE"])
    session.commit()
    assert READ.rows(session, {"id": nomination_id})[0][1] == ["AFTER CLOSE"]
    session.rollback()
