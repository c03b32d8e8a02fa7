"""Benchmark (not a test): award statistics over 100,000 nominations on PostgreSQL.

A province of 20 districts × 20 CĐCS with 100,000 nominations over two years (the generator of
tests/test_statistics.py); timed: ``statistics.award_statistics`` as the province's auditor,
for the province and for a district, as a request would call it. Target (issue 17): p95
≤ 200 ms per request.

Run: ``.venv/bin/python bench/award_statistics.py [--nominations N] [--requests R]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics as stats
import sys
import time
from datetime import date
from pathlib import Path

# Run as a script, bench/ would shadow installed packages; import the project instead.
ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from tests.databases import create_pg_database, drop_pg_database, migrate  # noqa: E402
from tests.factories import build_world  # noqa: E402
from tests.test_statistics import generated  # noqa: E402
from workflow import statistics  # noqa: E402
from workflow.db import make_engine  # noqa: E402
from workflow.models import Unit  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nominations", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    database = create_pg_database()
    try:
        migrate(database)
        engine = make_engine(database)
        with Session(engine) as session:
            world = build_world(session)
            generated(world, args.nominations, districts=20, per_district=20)
            session.execute(text("ANALYZE"))  # as autovacuum would after a load
            session.commit()
            auditor = world.user("auditor_prov")
            units = [
                session.scalar(select(Unit).where(Unit.code == code)) for code in ("PROV", "D07")
            ]
            session.execute(select(1))
            session.rollback()
            times = []
            for i in range(args.requests):
                start = time.perf_counter()
                statistics.award_statistics(session, auditor, date(2026, 1, 5), units[i % 2], 2025)
                session.rollback()
                times.append((time.perf_counter() - start) * 1000)
        engine.dispose()
    finally:
        drop_pg_database(database)
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    print(f"Award statistics over {args.nominations:,} nominations, PostgreSQL, "
          f"{args.requests} requests (province and a district, alternately)")  # fmt: skip
    print(
        f"machine: {platform.platform()}; {os.cpu_count()} CPUs; Python {platform.python_version()}"
    )
    print(f"median {stats.median(times):.0f} ms; p95 {p95:.0f} ms; max {times[-1]:.0f} ms; "
          "target p95 ≤ 200 ms")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
