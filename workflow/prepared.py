"""The event path's fixed statements, compiled once per database and run on the driver.

Every event runs about ten small statements. SQLAlchemy's own work for each execution (the
cache key, the parameters' processing, the result's set-up; for an ORM ``session.execute``
also the unit of work's autoflush and the ORM result) cost 50–110 µs per statement where the
SQLite driver takes 8 (issue 19). A :class:`Prepared` statement is compiled by SQLAlchemy
once per database and number of items in each list parameter, then run on the cursor of the
session's own connection, inside its transaction:

* parameters and results go through the columns' SQLAlchemy types (JSON, dates, UTC times),
  so the values sent and read are exactly those SQLAlchemy would send and read;
* a driver error is raised as SQLAlchemy raises it (``IntegrityError``, ``OperationalError``),
  so retries and conflict handlers see what they always saw; a lost connection is
  invalidated (the rest of the pool is not: ``workflow.db.configure`` checks each at checkout);
* what SQLAlchemy would compute for each execution (a column's Python default, a callable
  parameter) and decimal columns (psycopg converts them by the cursor's type codes) are
  refused when the statement is first compiled, never fixed at the first call's values;
* the session is not flushed first: callers run these beside no pending ORM change, as
  Core statements on ``session.connection()`` always did. Engine events
  (``before_cursor_execute``) do not see them.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar, cast

from sqlalchemy import Numeric, exc, inspect
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.orm import Mapper, Session, make_transient_to_detached, scoped_session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql import visitors
from sqlalchemy.sql.compiler import ExpandedState, SQLCompiler
from sqlalchemy.sql.elements import BindParameter, ClauseElement

_PLANS = "khenthuong_prepared_plans"  # the attribute of a dialect holding its plans
T = TypeVar("T")


@dataclass(frozen=True)
class _Plan:
    """One statement as one database's driver takes it, for one shape of list parameters."""

    sql: str
    names: Sequence[str]  # every parameter the SQL names, in order
    positional: bool  # SQLite's "?" (a tuple), or PostgreSQL's "%(name)s" (a dict)
    constants: Mapping[str, Any]  # values the statement itself binds (an IN over states)
    expansion: Mapping[str, Sequence[str]]  # a list parameter's name -> its items' names
    bind: Mapping[str, Callable[[Any], Any]]
    converted: Sequence[tuple[int, Callable[[Any], Any]]]  # (column, its type's reader)


class Prepared:
    """A statement built once (at import, or once per shape), run many times with different
    parameters."""

    def __init__(self, statement: ClauseElement) -> None:
        binds = [
            b for b in visitors.iterate(statement) if isinstance(b, BindParameter) and b.required
        ]
        self.statement = statement
        self._given = frozenset(b.key for b in binds)  # what every call must give
        self._lists = tuple(sorted({b.key for b in binds if b.expanding}))

    def rows(
        self, session: Session, params: Mapping[str, Any] | None = None
    ) -> list[tuple[Any, ...]]:
        """Every row the statement returns, as tuples of typed values."""
        return self._run(connection_of(session), params or {}, fetch=True)[0]

    def scalar(self, session: Session, params: Mapping[str, Any] | None = None) -> Any:
        """The first column of the only row (a count, a locked value)."""
        rows = self.rows(session, params)
        if not rows:
            raise exc.NoResultFound("No row was found when one was required")
        if len(rows) > 1:
            raise exc.MultipleResultsFound("Multiple rows were found when one was required")
        return rows[0][0]

    def execute(self, session: Session, params: Mapping[str, Any] | None = None) -> int:
        """Run a statement that returns no rows; how many rows it changed."""
        return self.execute_on(connection_of(session), params)

    def execute_on(self, connection: Connection, params: Mapping[str, Any] | None = None) -> int:
        """:meth:`execute` on a connection without a session (as a transaction begins)."""
        return self._run(connection, params or {}, fetch=False)[1]

    def arguments(self, dialect: Dialect, params: Mapping[str, Any]) -> tuple[str, Any]:
        """The SQL and the driver's arguments for ``params``, for a caller that runs them on
        a cursor of its own (the trail's walk reads bytes in psycopg's binary format)."""
        plan, args = self._arguments(dialect, params)
        return plan.sql, args

    def _arguments(self, dialect: Dialect, params: Mapping[str, Any]) -> tuple[_Plan, Any]:
        missing = self._given - params.keys()
        if missing:
            raise exc.ArgumentError(f"missing parameters: {', '.join(sorted(missing))}")
        plan = self._plan(dialect, params)
        values = {**plan.constants, **params}
        for name, items in plan.expansion.items():
            values.update(zip(items, values.pop(name), strict=True))
        try:
            for name, process in plan.bind.items():
                values[name] = process(values[name])
        except Exception as err:  # a value its type refuses (a naive time, a set as JSON)
            raise exc.StatementError(str(err), plan.sql, params, err) from err
        args: Any = tuple(values[n] for n in plan.names)
        if not plan.positional:
            args = dict(zip(plan.names, args, strict=True))
        return plan, args

    def _run(
        self, conn: Connection, params: Mapping[str, Any], *, fetch: bool
    ) -> tuple[list[tuple[Any, ...]], int]:
        plan, args = self._arguments(conn.dialect, params)
        dbapi_error = conn.dialect.loaded_dbapi.Error
        cursor = None
        try:
            cursor = conn.connection.cursor()
            cursor.execute(plan.sql, args)
            rows: list[tuple[Any, ...]] = list(cursor.fetchall()) if fetch else []
            count = cursor.rowcount
        except dbapi_error as err:
            invalidated = conn.dialect.is_disconnect(err, conn.connection, cursor)
            if invalidated:
                conn.invalidate(err)
            raise exc.DBAPIError.instance(
                plan.sql,
                args,
                err,
                dbapi_error,
                hide_parameters=conn.engine.hide_parameters,
                connection_invalidated=invalidated,
                dialect=conn.dialect,
            ) from err
        finally:
            if cursor is not None:
                with suppress(dbapi_error):  # closing on a connection just lost
                    cursor.close()
        if plan.converted:
            rows = [_converted(row, plan.converted) for row in rows]
        return rows, count

    def _plan(self, dialect: Dialect, params: Mapping[str, Any]) -> _Plan:
        # Kept on the dialect, which goes with its engine: a type's converter holds its
        # dialect, so a cache keyed by dialects elsewhere would keep every engine's alive.
        plans: dict[Prepared | tuple[Prepared, tuple[int, ...]], _Plan] = (
            dialect.__dict__.setdefault(_PLANS, {})
        )
        key = (self, tuple(len(params[name]) for name in self._lists)) if self._lists else self
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = self._compile(dialect, params)
        return plan

    def _compile(self, dialect: Dialect, params: Mapping[str, Any]) -> _Plan:
        compiled = self.statement.compile(dialect=dialect)
        if not isinstance(compiled, SQLCompiler):
            raise TypeError(f"not a SQL statement: {self.statement!r}")
        _refuse_unfixed(compiled, self.statement)
        state = compiled.construct_expanded_state(dict(params))
        expansion = {name: state.parameter_expansion.get(name, []) for name in self._lists}
        expanded = {item for items in expansion.values() for item in items}
        constants = {
            name: value
            for name, value in state.parameters.items()
            if name not in self._given and name not in expanded
        }
        columns = getattr(self.statement, "exported_columns", ())
        if any(isinstance(c.type, Numeric) for c in columns):
            # psycopg's converters for these need the column's type code from the cursor
            raise TypeError(f"a decimal or float column is read by SQLAlchemy: {self.statement}")
        readers = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]
        return _Plan(
            sql=state.statement,
            names=state.positiontup or list(state.parameters),
            positional=state.positiontup is not None,
            constants=constants,
            expansion=expansion,
            bind=_bind_processors(dialect, compiled.binds, state),
            converted=[(i, read) for i, read in enumerate(readers) if read is not None],
        )


def _converted(
    row: Sequence[Any], converted: Sequence[tuple[int, Callable[[Any], Any]]]
) -> tuple[Any, ...]:
    """A row with the columns its types read converted (most need nothing: integers, text)."""
    values = list(row)
    for i, read in converted:
        values[i] = read(values[i])
    return tuple(values)


def _bind_processors(
    dialect: Dialect, binds: Mapping[str, BindParameter[Any]], state: ExpandedState
) -> dict[str, Callable[[Any], Any]]:
    """Each parameter's conversion by its type (a list's items come converted by their own)."""
    processors = dict(state.processors)
    for name in state.parameters:
        bind = binds.get(name)
        if name not in processors and bind is not None:
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                processors[name] = process
    return {name: process for name, process in processors.items() if name in state.parameters}


def _refuse_unfixed(compiled: SQLCompiler, statement: ClauseElement) -> None:
    """A value SQLAlchemy computes for each execution (a column's Python default or
    ``onupdate``, a callable or literal-execute parameter) would be fixed at the first call's."""
    if (
        compiled.insert_prefetch
        or compiled.update_prefetch
        or compiled.literal_execute_params
        or any(b.callable is not None for b in compiled.binds.values())
    ):
        raise TypeError(f"values computed per execution cannot be prepared: {statement}")


_CONNECTION = "khenthuong_connection"  # session.info: (root transaction, its connection)


def connection_of(session: Session) -> Connection:
    """``session.connection()``, asked once per transaction.

    Each call walks the session's transaction states (25 µs, an event asks ten times, issue
    19). The connection is the transaction's for its whole life, savepoints included; a new
    transaction (after a commit or rollback) is another object, so it asks again.
    """
    if isinstance(session, scoped_session):  # the web's: the request's own session
        session = session()
    root = session.get_transaction()
    held = session.info.get(_CONNECTION)
    if root is not None and held is not None and held[0] is root and root.is_active:
        return cast(Connection, held[1])
    connection = session.connection()
    session.info[_CONNECTION] = (session.get_transaction(), connection)
    return connection


def attached(session: Session, model: type[T], values: Mapping[str, Any]) -> T:
    """The session's object for a row read by a :class:`Prepared` statement, holding exactly
    the row's values, as a query with ``populate_existing`` leaves it.

    The ORM's loading of one row of four joined entities cost more than the rest of an event
    (issue 19); this is all of it an event needs. ``values`` names every column attribute of
    ``model``. Its relationships load on first use, from the identity map when their objects
    are there (a many-to-one by its key is then no statement).
    """
    mapper, key_names = _identity_of(cast(Hashable, model))
    key = mapper.identity_key_from_primary_key(tuple(values[name] for name in key_names))
    found = session.identity_map.get(key)
    if found is None:
        # As the ORM loads a row: the values go in the new object's dict, then all of them
        # become its committed state (make_transient_to_detached) and it joins the session.
        instance: T = mapper.class_manager.new_instance()
        instance.__dict__.update(values)
        make_transient_to_detached(instance)
        session.add(instance)
        return instance
    held = found.__dict__
    for name, value in values.items():
        if name not in held or held[name] != value:
            set_committed_value(found, name, value)
    return cast(T, found)


@cache
def _identity_of(model: Hashable) -> tuple[Mapper[Any], tuple[str, ...]]:
    """The model's mapper and the attributes that hold its primary key."""
    mapper = inspect(model)
    return mapper, tuple(mapper.get_property_by_column(c).key for c in mapper.primary_key)
