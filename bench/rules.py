"""Benchmark (not a test): re-check 100,000 nominations of a campaign on SQLite.

Timed: ``workflow.checks.recheck_campaign`` — read every nomination from the database,
build its context, run every rule of its award type, store the results on the row.
Beside it, the bare rule loop: the same contexts evaluated in memory, nothing else.

Run: ``.venv/bin/python bench/rules.py [--count N] [--repeat R]``.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

# Run as a script, bench/ would shadow installed packages; import the project instead.
ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from rules import evaluate_all  # noqa: E402
from tests.databases import migrate  # noqa: E402
from tests.factories import demo_definition  # noqa: E402
from workflow import campaigns, checks  # noqa: E402
from workflow.accounts import create_unit  # noqa: E402
from workflow.db import make_engine  # noqa: E402
from workflow.models import Campaign, Decision, Nomination, User  # noqa: E402

RATINGS = ("HTXSNV", "HTTNV", "HTNV", "KHTNV")
STATES = ("draft", "in_review", "in_review", "under_council", "awarded")


def random_facts(rng: random.Random, i: int, kind: str) -> dict[str, object]:
    if kind == "collective":
        return {
            "grades": {"2025": rng.choice(["hoan_thanh_xuat_sac", "hoan_thanh_tot", "hoan_thanh"])},
            "months_operating": rng.randint(3, 60),
            "targets": {"tuyen_truyen_pct": rng.randint(70, 100)},
            "fatal_accidents": rng.choice([0, 0, 0, 1]),
            "score": rng.randint(80, 100),
            "achievement_ref": f"TT-{i}",
        }
    return {
        "ratings": {str(y): rng.choice(RATINGS) for y in (2023, 2024, 2025)},
        "initiatives": [
            {"title": f"SK {i}-{k}", "year": rng.choice([2023, 2024, 2025]),
             "scope": rng.choice(["co_so", "co_so", "tinh"]),
             "benefit_vnd": rng.randint(0, 250) * 1_000_000, "recognized_by": "HĐSK"}
            for k in range(rng.randint(0, 3))
        ],
        "prior_titles": [{"award_type": "CSTDCS", "year": 2024}] if rng.random() < 0.3 else [],
        "discipline": [{"year": 2025, "level": "khien_trach"}] if rng.random() < 0.05 else [],
        "registered": rng.random() < 0.95,
        "absent_days": rng.randint(0, 60),
        "months_employed": rng.randint(6, 12),
        "is_leader": rng.random() < 0.2,
        "education": rng.choice(["university", "college"]),
        "gender": rng.choice(["female", "male"]),
        "achievement_ref": f"TT-{i}",
    }  # fmt: skip


def populate(url: str, count: int) -> None:
    """A province, 200 grassroots unions, the demo campaign and ``count`` nominations."""
    rng = random.Random(2025)
    engine = make_engine(url)
    with Session(engine) as session:
        create_unit(session, "TLD", "TLĐ", "tong_ldld")
        province = create_unit(session, "DLK", "LĐLĐ tỉnh", "ldld_tinh", "TLD")
        create_unit(session, "CDVC", "CĐVC tỉnh", "cd_cap_tren", "DLK")
        units = [create_unit(session, f"CS{i}", f"CĐCS {i}", "cdcs", "CDVC").id for i in range(200)]
        user = User(username="bench", full_name="Bench", password_hash="x")  # noqa: S106 - never logs in
        session.add(user)
        campaign = campaigns.import_campaign(session, demo_definition())
        session.flush()
        awards = [(a.id, a.nominee_kind) for a in campaign.award_types]
        now = datetime(2025, 11, 10, tzinfo=UTC)
        # Awarded rows need a decision (the database ties the state to it).
        decision = Decision(
            unit_id=province.id, year=2025, serial=1, number="01/QĐ-LĐLĐ",
            signed_on=date(2025, 11, 10), signer_id=user.id, created_at=now,
        )  # fmt: skip
        session.add(decision)
        session.flush()
        rows = []
        for i in range(count):
            award_id, kind = awards[i % len(awards)]
            unit = units[i % len(units)]
            state = rng.choice(STATES)
            rows.append({
                "campaign_id": campaign.id, "award_type_id": award_id, "origin_unit_id": unit,
                "current_unit_id": unit, "state": state, "nominee_kind": kind,
                "decision_id": decision.id if state == "awarded" else None,
                "nominee_name": f"Người {i}", "nominee_key": f"id:{i}", "nominee": {},
                "facts": random_facts(rng, i, kind), "achievements": "", "version": 1,
                "created_by_id": user.id, "created_at": now, "updated_at": now,
            })  # fmt: skip
        session.execute(insert(Nomination), rows)
        session.commit()
    engine.dispose()


def bare_loop(url: str) -> float:
    """Contexts built beforehand; time only the rules."""
    engine = make_engine(url)
    with Session(engine) as session:
        campaign = session.scalar(select(Campaign).where(Campaign.code == "TDYN-2025-DLK"))
        assert campaign is not None
        index = checks.build_index(session, campaign.id)
        awards = {a.id: a for a in campaign.award_types}
        contexts = [
            (awards[n.award_type_id].rules,
             checks.context_for(n, awards[n.award_type_id], campaign, index, date(2025, 11, 15)))
            for n in session.scalars(select(Nomination))
        ]  # fmt: skip
    engine.dispose()
    start = time.perf_counter()
    for specs, ctx in contexts:
        evaluate_all(specs, ctx)
    return time.perf_counter() - start


def full_pass(url: str) -> float:
    engine = make_engine(url)
    with Session(engine) as session:
        start = time.perf_counter()
        rows = checks.recheck_campaign(session, "TDYN-2025-DLK", date(2025, 11, 15))
        elapsed = time.perf_counter() - start
    engine.dispose()
    assert len(rows) > 0
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("INSTANCE_PATH", tmp)
        url = f"sqlite:///{tmp}/rules.sqlite3"
        migrate(url)
        populate(url, args.count)
        rules_per = sum(len(a["rules"]) for a in demo_definition()["awards"]) / 12
        full = [full_pass(url) for _ in range(args.repeat)]
        bare = [bare_loop(url) for _ in range(args.repeat)]
    print(f"Rules benchmark: {args.count:,} nominations, ~{rules_per:.1f} rules each, SQLite file")
    print(
        f"machine: {platform.platform()}; {os.cpu_count()} CPUs; Python {platform.python_version()}"
    )
    print(f"date:    {datetime.now(UTC).isoformat(timespec='seconds')}")
    print(f"recheck_campaign (read + evaluate + store): median {statistics.median(full):.2f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in full)}); target ≤ 5 s")  # fmt: skip
    print(f"bare rule loop (evaluate only):            median {statistics.median(bare):.2f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in bare)})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
