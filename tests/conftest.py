from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.databases import Backend, engine_for, require_postgres
from tests.factories import World, build_world, demo_definition
from workflow import campaigns, personal

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def backends(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Backend]]:
    started: dict[str, Backend] = {}
    yield started
    for backend in started.values():
        backend.stop()


@pytest.fixture(params=BACKENDS)
def backend(
    request: pytest.FixtureRequest,
    backends: dict[str, Backend],
    tmp_path_factory: pytest.TempPathFactory,
) -> Backend:
    name: str = request.param
    if name == "postgres":
        require_postgres()
    if name not in backends:
        backend = Backend(name, Path(tmp_path_factory.mktemp(name)))
        backend.start()
        backends[name] = backend
    return backends[name]


@pytest.fixture
def db_url(backend: Backend) -> str:
    return backend.fresh_url()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    yield from engine_for(db_url)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as s:
        yield s


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


@pytest.fixture
def ruled(world: World, monkeypatch: pytest.MonkeyPatch) -> World:
    """The world with the demo plan (TDYN-2025-DLK), whose awards carry the catalogue's rules,
    on the world's day: its awards take dossiers until 20/11/2025."""
    campaigns.import_campaign(world.session, demo_definition())
    world.session.commit()
    monkeypatch.setenv("KHENTHUONG_NOW", f"{world.now.date().isoformat()}T03:00:00+00:00")
    return world


def pytest_configure(config: pytest.Config) -> None:
    """Keep the tests' generated secrets out of the project's own instance/ folder; give
    domain tests a data key (the app configures its own)."""
    personal.configure("test data key")
    import os
    import tempfile

    os.environ["INSTANCE_PATH"] = tempfile.mkdtemp(prefix="khenthuong-instance-")
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("SECRET_KEY", None)
    os.environ.pop("DATA_KEY", None)
    os.environ.pop("AUDIT_ANCHOR_KEY", None)
    os.environ.pop("KHENTHUONG_NOW", None)  # a developer's exported clock must not move the suite


@pytest.fixture
def app(db_url: str):
    from web import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "TESTING": True})
    yield app
    from web.extensions import db

    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()
