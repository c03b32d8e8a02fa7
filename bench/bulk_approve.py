"""Benchmark (not a test): a reviewer's bulk approval with and without group commit.

500 nominations waiting at a district; timed: ``service.fire_many`` approving them all, once
with the events committed by groups (``service.GROUP``, the default) and once with a commit
per event (``GROUP = 1``, as before), alternately, on fresh copies of the same database.

Run: ``.venv/bin/python bench/bulk_approve.py [--nominations N] [--rounds R] [--db sqlite|postgresql]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics as stats
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, bench/ would shadow installed packages; import the project instead.
ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from sqlalchemy.orm import Session  # noqa: E402

from tests.databases import create_pg_database, drop_pg_database, migrate  # noqa: E402
from tests.factories import build_world  # noqa: E402
from workflow import service  # noqa: E402
from workflow.db import make_engine  # noqa: E402
from workflow.vocabulary import Event  # noqa: E402


def one_round(db: str, group: int, count: int) -> float:
    """Seconds to approve ``count`` waiting nominations with ``group`` events a commit."""
    folder = tempfile.mkdtemp()
    url = create_pg_database() if db == "postgresql" else f"sqlite:///{folder}/b.db"
    try:
        migrate(url)
        engine = make_engine(url)
        with Session(engine) as session:
            world = build_world(session)
            waiting = []
            for _ in range(count):
                nid = world.nominate()
                world.fire(nid, "submit", "officer1")
                waiting.append((nid, world.version(nid)))
            session.commit()
            reviewer = world.user("rev_br1")
            service.GROUP = group
            start = time.perf_counter()
            results = service.fire_many(session, reviewer, Event.APPROVE, waiting)
            took = time.perf_counter() - start
            if any(not isinstance(r, service.Outcome) for _, r in results):
                raise SystemExit("an approval was refused")
        engine.dispose()
        return took
    finally:
        if db == "postgresql":
            drop_pg_database(url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nominations", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    grouped, each = service.GROUP, 1
    times: dict[int, list[float]] = {grouped: [], each: []}
    for _ in range(args.rounds):
        for group in (grouped, each):
            times[group].append(one_round(args.db, group, args.nominations))
    rate = {g: args.nominations / stats.median(t) for g, t in times.items()}
    print(f"bulk approval of {args.nominations}, {args.db}, {args.rounds} rounds each, alternately")
    print(
        f"machine: {platform.platform()}; {os.cpu_count()} CPUs; Python {platform.python_version()}"
    )
    print(f"group commit ({grouped} a commit): {rate[grouped]:.0f} /s; a commit per event: "
          f"{rate[each]:.0f} /s; ratio {rate[grouped] / rate[each]:.2f}×")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
