"""Benchmark (not a test): closing a council sitting of 500 nominations on PostgreSQL.

Closing votes the whole list in one transaction: each nomination is locked, checked
(permission, eligibility, the vote's counts), moved, given its audit link and its
notifications, and the minutes are numbered. Target (issue 16): ≤ 2 s for 500.

Run: ``.venv/bin/python bench/sitting.py [--size N] [--repeat R]``. PostgreSQL is found as
the tests find it (``TEST_POSTGRES_URL``); a scratch database is created and dropped.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

# Run as a script, bench/ would shadow installed packages; import the project instead.
ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from tests.databases import create_pg_database, drop_pg_database, migrate  # noqa: E402
from tests.factories import build_world  # noqa: E402
from workflow import audit, sittings  # noqa: E402
from workflow.db import make_engine  # noqa: E402
from workflow.models import Campaign, Unit  # noqa: E402


def one_round(world, size: int, members: list[int]) -> float:
    """``size`` nominations brought to the council (untimed), a sitting on them with every
    tally recorded (untimed); the closing, timed."""
    for _ in range(size):
        nid = world.nominate("officer4", "BK", name="Nguyễn Thị Ánh Tuyết")
        world.fire(nid, "submit", "officer4")
        world.fire(nid, "approve", "rev_prov")
    session = world.session
    unit_id = session.scalar(select(Unit.id).where(Unit.code == "PROV"))
    campaign_id = session.scalar(select(Campaign.id))
    secretary = world.user("council_prov")
    sitting = sittings.open_sitting(
        session, secretary, unit_id=unit_id, campaign_id=campaign_id,
        held_on=world.now.date(), place="Hội trường", present=members, now=world.tick(),
    )  # fmt: skip
    tallies = {item.nomination_id: {"yes": 8, "no": 1} for item in sitting.items}
    sittings.record_tallies(
        session, secretary, sitting.id, tallies, expected_version=1, now=world.tick()
    )
    session.expire_all()
    started = time.perf_counter()
    closed = sittings.close_sitting(
        session, secretary, sitting.id, expected_version=2, now=world.tick()
    )
    elapsed = time.perf_counter() - started
    assert len(closed.passed) == size
    world.tick(days=1)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    database = create_pg_database()
    try:
        migrate(database)
        engine = make_engine(database)
        with Session(engine) as session:
            world = build_world(session)
            members = [m.id for m in world.seat_council()]
            times = [one_round(world, args.size, members) for _ in range(args.repeat)]
            assert audit.verify(session).ok
        engine.dispose()
    finally:
        drop_pg_database(database)
    machine = platform.processor() or platform.machine()
    print(
        f"close a sitting of {args.size} on PostgreSQL: median {statistics.median(times):.2f} s "
        f"(rounds: {', '.join(f'{t:.2f}' for t in times)}); {machine}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )


if __name__ == "__main__":
    main()
