"""The one commit convention (workflow/transaction.py): commit on success, roll back on any
exception, nested operations join the outermost, a lost race on a unique key replays."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflow import transaction
from workflow.models import LoginThrottle
from workflow.transaction import (
    WriteWhileReading,
    begin_reading,
    end_reading,
    in_transaction,
    stop_reading,
)

AT = datetime(2025, 11, 3, 1, 0, tzinfo=UTC)


def _add(session: Session, key: str) -> None:
    session.add(LoginThrottle(scope="account", key=key, failures=1, last_failure_at=AT))
    session.flush()


def _keys(session: Session) -> list[str]:
    end_reading(session)  # see what was committed, nothing pending
    keys = list(session.scalars(select(LoginThrottle.key).order_by(LoginThrottle.key)))
    end_reading(session)
    return keys


def test_the_outermost_block_commits_and_an_exception_rolls_back(session: Session) -> None:
    with transaction.transaction(session):
        _add(session, "kept")
        assert in_transaction(session)
    assert not in_transaction(session)

    def refused() -> None:
        with transaction.transaction(session):
            _add(session, "undone")
            raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        refused()
    assert not in_transaction(session)
    assert _keys(session) == ["kept"]


def test_an_operation_called_by_another_joins_its_transaction(session: Session) -> None:
    def inner(key: str) -> None:
        with transaction.transaction(session):
            _add(session, key)

    def outer() -> None:
        with transaction.transaction(session):
            inner("first")  # does not commit on its own
            raise ValueError("later")

    with pytest.raises(ValueError, match="later"):
        outer()
    assert _keys(session) == []
    with transaction.transaction(session):
        inner("a")
        inner("b")
    assert _keys(session) == ["a", "b"]


def test_a_lost_race_replays_at_the_outermost_operation_only(session: Session) -> None:
    with transaction.transaction(session):
        _add(session, "taken")
    replays = []

    def on_conflict() -> str:
        replays.append(in_transaction(session))
        return "first answer"

    answer = transaction.run(session, lambda: _add(session, "taken"), on_conflict=on_conflict)
    assert answer == "first answer"
    assert replays == [True]  # in a transaction of its own, after the rollback

    def outer() -> str:
        _add(session, "outer")
        # Nested, the conflict goes up: the inner hook must not answer inside the outer work.
        return transaction.run(session, lambda: _add(session, "taken"), on_conflict=on_conflict)

    assert transaction.run(session, outer, on_conflict=lambda: "outer replay") == "outer replay"
    assert replays == [True]
    assert _keys(session) == ["taken"]


def test_a_conflict_without_an_answer_stands(session: Session) -> None:
    with transaction.transaction(session):
        _add(session, "taken")
    with pytest.raises(IntegrityError):
        transaction.run(session, lambda: _add(session, "taken"), on_conflict=lambda: None)
    with pytest.raises(IntegrityError):
        transaction.run(session, lambda: _add(session, "taken"))
    assert not in_transaction(session)
    count = session.scalar(select(func.count()).select_from(LoginThrottle))
    end_reading(session)
    assert count == 1


def test_ending_a_read_inside_a_transaction_is_refused(session: Session) -> None:
    def reading_inside() -> None:
        with transaction.transaction(session):
            _add(session, "pending")
            end_reading(session)

    with pytest.raises(RuntimeError):
        reading_inside()
    assert _keys(session) == []


def test_a_session_opened_to_read_writes_nothing_until_it_stops(session: Session) -> None:
    begin_reading(session)
    with pytest.raises(WriteWhileReading), transaction.transaction(session):
        _add(session, "through an operation")
    with pytest.raises(WriteWhileReading):
        _add(session, "flushed on its own")  # on PostgreSQL it would commit at once
    end_reading(session)  # a page ends its reads before rendering: it still only reads
    assert _keys(session) == []
    with pytest.raises(WriteWhileReading), transaction.transaction(session):
        _add(session, "after ending a read")
    stop_reading(session)
    with transaction.transaction(session):
        _add(session, "after reading")
    assert _keys(session) == ["after reading"]


def test_reading_begins_before_the_first_statement(session: Session) -> None:
    session.scalar(select(func.count()).select_from(LoginThrottle))
    with pytest.raises(RuntimeError, match="first statement"):
        begin_reading(session)


def test_a_reader_holds_nothing_a_writer_waits_for(engine: Engine, session: Session) -> None:
    """On SQLite every other transaction takes the write lock as it begins; a reader's does
    not, so an operation commits while a read is open. On PostgreSQL a read sends no BEGIN
    (and so needs no ROLLBACK): the connection is idle between its statements."""
    begin_reading(session)
    assert session.scalar(select(func.count()).select_from(LoginThrottle)) == 0
    if engine.dialect.name == "postgresql":
        status = session.connection().connection.dbapi_connection.info.transaction_status
        assert status.name == "IDLE"
    with Session(engine) as writer, transaction.transaction(writer):
        _add(writer, "written beside the read")
    stop_reading(session)
    assert _keys(session) == ["written beside the read"]
