"""Database plumbing shared by the domain, the CLI and the web layer.

The domain owns its SQLAlchemy metadata so it can run without Flask; the web layer
hands this metadata to Flask-SQLAlchemy and Flask-Migrate.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase

from workflow.canonical import parse_json

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


def configure_sqlite(engine: Engine) -> None:
    """Make SQLite safe for several processes writing at once.

    WAL lets readers run beside one writer; every transaction starts with
    ``BEGIN IMMEDIATE`` so a writer takes the lock up front and waits for it
    (``busy_timeout``) instead of failing later with "database is locked" when it
    upgrades a read lock. Foreign keys are off by default in SQLite.
    """
    if engine.dialect.name != "sqlite":
        return

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
        snapshot = connection.get_execution_options().get(SNAPSHOT)
        connection.exec_driver_sql("BEGIN" if snapshot else "BEGIN IMMEDIATE")


SNAPSHOT = "khenthuong_snapshot"


def snapshot_engine(engine: Engine) -> Engine:
    """The same database for a long read that must see one consistent state without holding
    writers back: REPEATABLE READ on PostgreSQL, a deferred BEGIN under WAL on SQLite."""
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="REPEATABLE READ", **{SNAPSHOT: True})
    return engine.execution_options(**{SNAPSHOT: True})


def engine_options(url: str) -> dict[str, Any]:
    """The engine's options, the same in the web process and outside it.

    PostgreSQL's pooled connections are tested before use (``pool_pre_ping``), so one the
    server dropped (a restart) is replaced instead of failing the next statement; a SQLite
    file has no server to lose, and the ping would cost a statement per transaction. JSON
    columns are read by :func:`parse_json` (orjson, with the standard parser behind it).
    """
    return {"pool_pre_ping": url.startswith("postgresql"), "json_deserializer": parse_json}


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine configured for this application (used outside Flask)."""
    engine = create_engine(url, **(engine_options(url) | kwargs))
    configure_sqlite(engine)
    return engine
