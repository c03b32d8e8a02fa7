"""Database plumbing shared by the domain, the CLI and the web layer.

The domain owns its SQLAlchemy metadata so it can run without Flask; the web layer
hands this metadata to Flask-SQLAlchemy and Flask-Migrate.
"""

from __future__ import annotations

import selectors
import time
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event, exc, text
from sqlalchemy.orm import DeclarativeBase

from workflow.canonical import parse_json
from workflow.prepared import Prepared

# One naming convention so Alembic names constraints identically on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


SQLITE_BUSY_TIMEOUT_MS = 30_000
RESTED_SECONDS = 10.0
"""A pooled PostgreSQL connection idle for longer than this is pinged before use."""
_RETURNED = "khenthuong_returned_at"  # when a pooled connection was last given back


def configure(engine: Engine) -> None:
    """What each database needs beyond its URL (the web app's engine and ``make_engine``'s)."""
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    elif engine.dialect.name == "postgresql":
        _configure_postgresql(engine)


_BEGIN = Prepared(text("BEGIN"))
_BEGIN_IMMEDIATE = Prepared(text("BEGIN IMMEDIATE"))


def _configure_sqlite(engine: Engine) -> None:
    """Make SQLite safe for several processes writing at once.

    WAL lets readers run beside one writer; every transaction starts with
    ``BEGIN IMMEDIATE`` so a writer takes the lock up front and waits for it
    (``busy_timeout``) instead of failing later with "database is locked" when it
    upgrades a read lock. Foreign keys are off by default in SQLite.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A long read (verifying the trail) takes no write lock: WAL gives it its snapshot.
        # On the driver: exec_driver_sql's own work was a twentieth of an event (issue 19).
        snapshot = connection.get_execution_options().get(SNAPSHOT)
        (_BEGIN if snapshot else _BEGIN_IMMEDIATE).execute_on(connection)


def _configure_postgresql(engine: Engine) -> None:
    """Replace a pooled connection the server dropped (a restart) before it fails a request.

    A ping before every use (``pool_pre_ping``) cost a round trip per request, a tenth of an
    API read under load (issue 19). A server that ends a connection says so on its socket (a
    closing message, then end of file), so an idle connection with anything to read is
    dropped at no cost; only one that has rested longer than :data:`RESTED_SECONDS`, which a
    silent network could have cut, is pinged. Raising ``DisconnectionError`` from the pool's
    checkout makes SQLAlchemy discard the connection and take another.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if dbapi_connection.closed or _has_input(dbapi_connection.fileno()):
            raise exc.DisconnectionError("the server closed this connection")
        if time.monotonic() - record.info.get(_RETURNED, 0.0) > RESTED_SECONDS:
            try:
                engine.dialect.do_ping(dbapi_connection)
            except engine.dialect.loaded_dbapi.Error as err:
                raise exc.DisconnectionError("the rested connection did not answer") from err


def _has_input(fileno: int) -> bool:
    """Whether an idle connection's socket has anything to read: only a server's goodbye."""
    with selectors.DefaultSelector() as selector:
        selector.register(fileno, selectors.EVENT_READ)
        return bool(selector.select(timeout=0))


SNAPSHOT = "khenthuong_snapshot"


def snapshot_engine(engine: Engine) -> Engine:
    """The same database for a long read that must see one consistent state without holding
    writers back: REPEATABLE READ on PostgreSQL, a deferred BEGIN under WAL on SQLite."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="REPEATABLE READ", **{SNAPSHOT: True})
    return engine.execution_options(**{SNAPSHOT: True})


def engine_options() -> dict[str, Any]:
    """The engine's options, the same in the web process and outside it.

    JSON columns are read by :func:`parse_json` (orjson, with the standard parser behind it).
    What replaces a connection the server dropped is in :func:`configure`.
    """
    return {"json_deserializer": parse_json}


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine configured for this application (used outside Flask)."""
    engine = create_engine(url, **(engine_options() | kwargs))
    configure(engine)
    return engine
