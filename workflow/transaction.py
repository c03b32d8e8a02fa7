"""The one commit convention: every domain operation that changes data is one transaction.

A domain function that writes runs its work inside ``with transaction(session):``. The
outermost block commits when its body ends and rolls back when anything escapes it (a
domain refusal, a database error, an interrupt), so an operation is applied whole or not at
all. An operation called by another (confirming an import creates nominations; adding a
file records an edit) joins the caller's transaction: inner blocks neither commit nor roll
back, the outermost one decides.

Callers — pages, the API, the CLI, tests — therefore never commit or roll back a domain
change: they call the operation and handle its errors. Nothing else in ``workflow/`` or
``web/`` calls ``commit()`` or ``rollback()`` (a test keeps it so); a caller that only read
ends its transaction with :func:`end_reading`. A request that must only read (a
``GET``) runs between :func:`begin_reading` and :func:`stop_reading`, where nothing can write.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar, cast

from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workflow.db import SNAPSHOT

T = TypeVar("T")
P = ParamSpec("P")
_OPEN = "workflow.transaction.open"  # set in session.info while an outermost block runs
_READING = "workflow.transaction.reading"  # set in session.info between begin/stop_reading


class WriteWhileReading(RuntimeError):
    """Something tried to write in a session that was opened to read only: a bug in the
    caller, refused before anything reaches the database."""

    def __init__(self) -> None:
        super().__init__("a session opened to read only tried to write")


def in_transaction(session: Session) -> bool:
    """True inside a :func:`transaction` block (a nested one would join it)."""
    return bool(session.info.get(_OPEN))


@contextmanager
def transaction(session: Session) -> Iterator[Session]:
    """Commit on success, roll back on any exception; nested blocks join the outermost.

    Whatever the session already held when the outermost block began (rows a test or the
    caller added) is committed or rolled back with it.
    """
    if in_transaction(session):
        yield session
        return
    if session.info.get(_READING):
        raise WriteWhileReading()
    session.info[_OPEN] = True
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(_OPEN, None)


def run(
    session: Session,
    work: Callable[[], T],
    *,
    on_conflict: Callable[[], T | None] | None = None,
) -> T:
    """``work()`` as one transaction, with a hook for a lost race on a unique key.

    When the transaction fails with an ``IntegrityError`` and it is the outermost one, it is
    rolled back and ``on_conflict()`` runs in a transaction of its own: what it returns
    (the answer a concurrent first request committed, or a second run that now finds the
    work done) is the answer; ``None`` lets the error stand. Nested in another operation,
    the error goes up unchanged, and the outermost operation's own hook answers.
    """
    try:
        with transaction(session):
            return work()
    except IntegrityError:
        if on_conflict is None or in_transaction(session):
            raise
        with transaction(session):
            answer = on_conflict()
        if answer is None:
            raise
        return answer


def checked_again_on_conflict(operation: Callable[P, T]) -> Callable[P, T]:
    """For an operation (its first argument the session) that checks a unique key is free and
    then inserts it. On PostgreSQL a concurrent writer can commit the same key between the two
    (under READ COMMITTED the check cannot see it yet) and the insert fails: the outermost
    operation then runs once more, where its check sees the committed row and refuses as it
    always does ("đã có"), instead of the database's error reaching the user as a 500."""

    @functools.wraps(operation)
    def once_more(*args: P.args, **kwargs: P.kwargs) -> T:
        session = cast(Session, args[0])  # a session, or the web's scoped proxy of one
        return run(
            session,
            lambda: operation(*args, **kwargs),
            on_conflict=lambda: operation(*args, **kwargs),
        )

    return once_more


def begin_reading(session: Session) -> None:
    """Open ``session`` for reads only, before its first statement, until :func:`stop_reading`.

    On PostgreSQL its statements run without ``BEGIN`` and ``ROLLBACK``, two of an API
    read's four round trips (issue 19); under READ COMMITTED each statement saw a snapshot of
    its own inside a transaction too. On SQLite it begins deferred, without the write lock
    every other transaction takes (``BEGIN IMMEDIATE``), so readers do not queue behind a
    writer. Writing is refused meanwhile: on PostgreSQL a write would be committed at once."""
    if session.in_transaction():
        raise RuntimeError("begin_reading after the session's first statement")
    session.info[_READING] = True
    _open_for_reading(session)


def _open_for_reading(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    else:
        session.connection(execution_options={SNAPSHOT: True})


def end_reading(session: Session) -> None:
    """End a transaction that only read. On SQLite every transaction holds the database's
    write lock until it ends (``BEGIN IMMEDIATE``), so a reader releases it before slow work
    (rendering, sending mail) or before another operation begins its own. A session opened by
    :func:`begin_reading` goes on reading the same way."""
    if in_transaction(session):
        raise RuntimeError("end_reading inside a transaction would discard its changes")
    session.rollback()
    if session.info.get(_READING):
        _open_for_reading(session)


def stop_reading(session: Session) -> None:
    """End what :func:`begin_reading` began: the session may write again."""
    session.info.pop(_READING, None)
    session.rollback()


@event.listens_for(Session, "before_flush")
def _refuse_flush_while_reading(session: Session, _context: object, _instances: object) -> None:
    """A change flushed outside :func:`transaction` in a reading session is refused too."""
    if session.info.get(_READING):
        raise WriteWhileReading()
