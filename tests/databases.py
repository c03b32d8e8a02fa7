"""Test databases on both backends, migrated once with the real Alembic migration.

SQLite: each test gets a copy of a migrated template file. PostgreSQL: one database for
the run, emptied between tests. PostgreSQL tests skip locally when it is unreachable and
fail in CI (``CI`` or ``REQUIRE_POSTGRES`` set), where it must be there.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from workflow.db import Base, make_engine

PG_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def postgres_required() -> bool:
    return bool(os.environ.get("CI") or os.environ.get("REQUIRE_POSTGRES"))


def postgres_reachable() -> str | None:
    """None when reachable, else the reason it is not."""
    try:
        engine = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure means "not reachable": report it
        return f"PostgreSQL at {PG_ADMIN_URL} is unreachable ({type(exc).__name__}: {exc})"
    return None


def require_postgres() -> None:
    reason = postgres_reachable()
    if reason is None:
        return
    if postgres_required():
        pytest.fail(f"{reason}; CI requires PostgreSQL", pytrace=False)
    pytest.skip(f"{reason}; set TEST_POSTGRES_URL or start it to run these tests")


def migrate(url: str, revision: str = "head") -> None:
    """Run the project's Alembic migration against ``url`` (through Flask-Migrate)."""
    import flask_migrate

    from web import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        flask_migrate.upgrade(revision=revision)
        from web.extensions import db

        db.engine.dispose()


def migrate_down(url: str, revision: str) -> None:
    """Take ``url``'s schema back to ``revision``, for a test of the migrations after it
    (:func:`migrate` upgrades it again)."""
    import flask_migrate

    from web import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        flask_migrate.downgrade(revision=revision)
        from web.extensions import db

        db.engine.dispose()


def create_pg_database(template: str | None = None) -> str:
    """A new scratch database: empty, or a copy of ``template``'s (a database's URL)."""
    name = f"khenthuong_test_{uuid.uuid4().hex[:10]}"
    copied = f' TEMPLATE "{template.rsplit("/", 1)[1]}"' if template else ""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{copied}'))
    admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def empty_pg(engine: Engine) -> None:
    """Remove every row, bypassing the append-only trigger as only a superuser can."""
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        conn.execute(
            text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :h)"), {"h": "0" * 64}
        )


class Backend:
    """Hands out fresh, migrated databases of one kind."""

    def __init__(self, name: str, workdir: Path) -> None:
        self.name = name
        self.workdir = workdir
        self._template: Path | None = None
        self._pg_url: str | None = None
        self._pg_engine: Engine | None = None

    def start(self) -> None:
        if self.name == "sqlite":
            self._template = self.workdir / "template.sqlite3"
            migrate(f"sqlite:///{self._template}")
        else:
            self._pg_url = create_pg_database()
            migrate(self._pg_url)

    def fresh_url(self) -> str:
        """A URL of an empty migrated database (the previous one for PostgreSQL is emptied)."""
        if self.name == "sqlite":
            assert self._template is not None
            target = self.workdir / f"db-{uuid.uuid4().hex[:8]}.sqlite3"
            shutil.copyfile(self._template, target)
            return f"sqlite:///{target}"
        assert self._pg_url is not None
        if self._pg_engine is None:
            self._pg_engine = create_engine(self._pg_url)
        empty_pg(self._pg_engine)
        return self._pg_url

    def stop(self) -> None:
        if self._pg_engine is not None:
            self._pg_engine.dispose()
        if self._pg_url is not None:
            drop_pg_database(self._pg_url)


def engine_for(url: str) -> Iterator[Engine]:
    engine = make_engine(url)
    yield engine
    engine.dispose()
