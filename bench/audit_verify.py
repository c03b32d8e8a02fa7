"""Benchmark (not a test): verifying the whole trail, in-process, per 100,000 links.

A province's nominations (the generator of tests/test_statistics.py), eight links each in the
shape of real event bodies (each vouching for its nomination's record, as ``fire`` writes them),
plus the baseline links vouching for every record as it now is; timed:
``audit.verify`` on a snapshot session, as a verification job runs it: with its walk split among
one process per processor (the default), and in one process. Target (issue 19): at most 0.5 s
per 100,000 links. With ``--baseline REV`` the verification of that git revision runs on the
same chain, in the same run, for the ratio.

Run: ``.venv/bin/python bench/audit_verify.py [--links N] [--db sqlite|postgresql] [--baseline REV]``.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import platform
import statistics as stats
import subprocess  # nosec B404 - reads an earlier revision of our own file with git
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

# Run as a script, bench/ would shadow installed packages; import the project instead.
ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

# Verification's worker processes import this script again, as __mp_main__ (Python 3.11's
# forkserver does not preload it): they need none of what builds the chain, and importing it
# would add most of a second to every run, which a verification started by the web process
# or the CLI (whose main scripts are small) does not pay.
if __name__ != "__mp_main__":
    from sqlalchemy import insert, select, text, update
    from sqlalchemy.orm import Session

    from tests.databases import create_pg_database, drop_pg_database, migrate
    from tests.factories import build_world
    from tests.test_statistics import generated
    from workflow import audit
    from workflow.canonical import canonical_json
    from workflow.clock import iso_utc
    from workflow.db import Base, make_engine, snapshot_engine
    from workflow.models import AuditHead, Nomination

EVENTS = ["create", "submit", "approve", "approve", "vote", "decide", "edit", "approve"]


def record_digest(nomination_id: int, version: int) -> str:
    """A stand-in for the record's digest at that version (the baseline's links, written
    after, vouch for every record as it now is), spelled as one is: 64 hex digits."""
    return hashlib.sha256(f"nominations/{nomination_id}/{version}".encode()).hexdigest()


def build_chain(session: Session, links: int, events: list[str] = EVENTS) -> int:
    """Nominations with ``len(events)`` links each, chained; then the baseline."""
    world = build_world(session)
    generated(world, max(1, links // len(events)), districts=10, per_district=10)
    session.execute(update(Nomination).values(version=len(events)))
    session.commit()
    rows = session.execute(
        select(Nomination.id, Nomination.state, Nomination.current_unit_id).order_by(Nomination.id)
    ).all()
    head = session.get(AuditHead, 1)
    seq, prev = head.seq, head.hash
    at = datetime(2025, 11, 1, tzinfo=UTC)
    table, batch = Base.metadata.tables["audit_events"], []
    for nomination_id, state, unit_id in rows:
        for version, event in enumerate(events, start=1):
            seq += 1
            last = version == len(events)
            body = canonical_json({
                "seq": seq, "at": iso_utc(at + timedelta(seconds=seq)), "nomination_id": nomination_id,
                "event": event, "actor": "rev_br1", "acting_for": None, "role": "reviewer",
                "unit": "BR1", "from_state": "in_review", "to_state": state if last else "in_review",
                "from_unit": "BR1", "to_unit": "PROV", "to_unit_id": unit_id, "version": version,
                "comment": "Đồng ý, chuyển tiếp lên cấp trên" if event == "approve" else None,
                "data": {}, "records": {f"nominations/{nomination_id}": record_digest(nomination_id, version)},
            })  # fmt: skip
            digest = audit.link_hash(prev, body)
            batch.append({"seq": seq, "nomination_id": nomination_id, "body": body,
                          "prev_hash": prev, "hash": digest})  # fmt: skip
            prev = digest
            if len(batch) == 5000:
                session.execute(insert(table), batch)
                batch = []
    if batch:
        session.execute(insert(table), batch)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=seq, hash=prev))
    audit.vouch_for_all(session, at)
    session.execute(text("ANALYZE"))
    session.commit()
    return session.get(AuditHead, 1).seq


def earlier(revision: str, name: str) -> Any:
    """``workflow/{name}.py`` as it was at ``revision``, loaded beside today's."""
    source = subprocess.run(  # noqa: S603  # nosec B603 B607 - git, with our own arguments
        ["git", "show", f"{revision}:workflow/{name}.py"],  # noqa: S607
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    path = Path(tempfile.mkdtemp()) / f"earlier_{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(f"earlier_{name}", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[f"earlier_{name}"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def earlier_verify(revision: str) -> Any:
    """The verification of ``revision``, with the record digests it read them by."""
    module = earlier(revision, "audit")
    module.records = earlier(revision, "records")
    return module.verify


def timed(engine: Any, verify: Any, rounds: int, **options: Any) -> list[float]:
    times = []
    for _ in range(rounds):
        with Session(snapshot_engine(engine)) as session:
            start = time.perf_counter()
            report = verify(session, **options)
            times.append(time.perf_counter() - start)
            if not report.ok:
                raise SystemExit(f"the chain did not verify: {report.problems[:3]}")
            session.rollback()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--baseline", help="a git revision whose verification runs beside")
    args = parser.parse_args()
    folder = tempfile.mkdtemp()
    database = create_pg_database() if args.db == "postgresql" else f"sqlite:///{folder}/bench.db"
    try:
        migrate(database)
        engine = make_engine(database)
        with Session(engine) as session:
            total = build_chain(session, args.links)
        ours = timed(engine, audit.verify, args.rounds)
        one = timed(engine, audit.verify, args.rounds, workers=1)
        theirs = (
            timed(engine, earlier_verify(args.baseline), args.rounds) if args.baseline else None
        )
        engine.dispose()
    finally:
        if args.db == "postgresql":
            drop_pg_database(database)
    per = 100_000 / total
    print(f"audit verify, {args.db}, {total:,} links, {args.rounds} rounds (in-process)")
    print(
        f"machine: {platform.platform()}; {os.cpu_count()} CPUs; Python {platform.python_version()}"
    )
    print(f"this revision: median {stats.median(ours):.2f} s = {stats.median(ours) * per:.2f} s "
          f"per 100,000 links, walked by {os.cpu_count()} processes; target ≤ 0.5 s")  # fmt: skip
    print(f"this revision, one process: median {stats.median(one):.2f} s = "
          f"{stats.median(one) * per:.2f} s per 100,000 links")  # fmt: skip
    if theirs:
        print(f"{args.baseline}: median {stats.median(theirs):.2f} s = "
              f"{stats.median(theirs) * per:.2f} s per 100,000; "
              f"ratio {stats.median(theirs) / stats.median(ours):.1f}×")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
