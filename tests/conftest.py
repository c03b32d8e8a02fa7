from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.databases import Backend, engine_for, require_postgres
from tests.factories import World, build_world

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
