"""Benchmark (not a test): ``/dashboard`` for an auditor who sees 100,000 nominations.

A province of 10 districts × 10 CĐCS with 100,000 nominations (the generator of
tests/test_statistics.py), one in ten waiting at a tier with a due date around today, two
links each in the trail (bench/audit_verify.py's chain). Timed: the whole request through the
Flask test client, as the province's auditor, then as a district's reviewer (who sees what was
sent up from the district's CĐCS). Target (issue 19): p95 ≤ 200 ms on PostgreSQL and SQLite.

Run: ``.venv/bin/python bench/dashboard.py [--nominations N] [--db sqlite|postgresql]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics as stats
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

# Run as a script, bench/ would shadow installed packages; import the project instead.
ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text, update  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.audit_verify import build_chain  # noqa: E402
from tests.databases import create_pg_database, drop_pg_database, migrate  # noqa: E402
from tests.factories import password_hash  # noqa: E402
from tests.web_client import WebClient  # noqa: E402
from web import create_app  # noqa: E402
from workflow.accounts import assign_role  # noqa: E402
from workflow.clock import utcnow, vn_date  # noqa: E402
from workflow.db import make_engine  # noqa: E402
from workflow.models import Nomination, User  # noqa: E402


def timed(app: Any, username: str, requests: int) -> tuple[int, list[float]]:
    """How many nominations ``username`` sees, and each request's milliseconds."""
    client = WebClient(app, username)
    heading = re.search(r"Thống kê hồ sơ \(([0-9.,]+) hồ sơ", client.text("/dashboard"))
    seen = int(re.sub(r"[.,]", "", heading[1])) if heading else 0
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        answer = client.get("/dashboard")
        times.append((time.perf_counter() - start) * 1000)
        if answer.status_code != 200:
            raise SystemExit(f"/dashboard answered {answer.status_code} to {username}")
    return seen, times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nominations", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    database = create_pg_database() if args.db == "postgresql" else f"sqlite:///{folder}/b.db"
    try:
        migrate(database)
        engine = make_engine(database)
        with Session(engine) as session:
            build_chain(session, args.nominations * 2, events=["create", "submit"])
            today = vn_date(utcnow())
            for shift in range(10):  # one in ten waits, due from 5 days ago to 4 days ahead
                session.execute(
                    update(Nomination)
                    .where(text(f"nominations.id % 10 = 0 AND nominations.id % 100 / 10 = {shift}"))
                    .values(state="in_review", due_on=today + timedelta(days=shift - 5),
                            decision_id=None, notice_ends_on=None)
                )  # fmt: skip
            reviewer = User(username="rev_d00", full_name="Rev D00", password_hash=password_hash())
            session.add(reviewer)
            session.flush()
            assign_role(session, reviewer, "reviewer", "D00")
            session.execute(text("ANALYZE"))
            session.commit()
        engine.dispose()
        app = create_app({"SQLALCHEMY_DATABASE_URI": database, "TESTING": True})
        timings = {name: timed(app, name, args.requests) for name in ("auditor_prov", "rev_d00")}
        with app.app_context():
            app.extensions["sqlalchemy"].engine.dispose()
        if timings["auditor_prov"][0] < 65_536:
            raise SystemExit("the auditor does not see a province's nominations")
    finally:
        if args.db == "postgresql":
            drop_pg_database(database)
    print(f"/dashboard, {args.db}, {args.nominations:,} nominations, {args.requests} requests each")
    print(
        f"machine: {platform.platform()}; {os.cpu_count()} CPUs; Python {platform.python_version()}"
    )
    for name, (seen, times) in timings.items():
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        print(f"{name} (sees {seen:,}): median {stats.median(times):.0f} ms; p95 {p95:.0f} ms; "
              f"max {times[-1]:.0f} ms; target p95 ≤ 200 ms")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
