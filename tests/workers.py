"""Code run in other processes by the concurrency and crash tests."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.factories import World
from workflow import service
from workflow.db import make_engine
from workflow.errors import NotFound, StaleVersion
from workflow.models import User


def world_from(session: Session) -> World:
    return World(session, users={u.username: u for u in session.scalars(select(User))})


def fire_as(
    engine: Engine,
    username: str,
    nomination_id: int,
    event: str,
    version: int,
    ready: Callable[[], Any] = lambda: None,
) -> str:
    """Fire ``event`` once, as ``username`` on a session of its own, after ``ready`` returns:
    "ok", "stale", "not found", or the error (reported to the test, which fails on it)."""
    with Session(engine) as session:
        actor = session.scalar(select(User).where(User.username == username))
        session.rollback()
        ready()
        try:
            service.fire(session, nomination_id, event, actor, expected_version=version)
        except StaleVersion:
            return "stale"
        except NotFound:
            return "not found"
        except Exception as exc:  # named to the test, which fails on anything else
            return f"error: {type(exc).__name__}: {exc}"
        return "ok"


def approve_once(url: str, nomination_id: int, version: int, barrier: Any, results: Any) -> None:
    """One competitor: wait for the others, then approve with the version all of them saw."""
    engine = make_engine(url)
    results.put(fire_as(engine, "rev_br1", nomination_id, "approve", version, barrier.wait))
    engine.dispose()


def churn(url: str) -> None:
    """Fire transitions forever, printing after each commit, until killed."""
    engine = make_engine(url)
    with Session(engine) as session:
        world = world_from(session)
        while True:
            nid = world.nominate()
            print("committed", flush=True)
            for event, who in (("submit", "officer1"), ("approve", "rev_br1"),
                               ("approve", "rev_prov")):  # fmt: skip
                world.fire(nid, event, who)
                print("committed", flush=True)


if __name__ == "__main__":
    churn(sys.argv[1])
