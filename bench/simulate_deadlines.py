"""Simulation (not a test): a campaign's dossiers climbing three tiers with reviewers who
are late or on leave, and the daily ``remind`` run watching the deadlines.

A province (LĐLĐ tỉnh) with 10 upper-tier unions (cấp trên cơ sở) of 10 CĐCS each. Over the
first two weeks of November 2025 the CĐCS officers submit 1,000 nominations; each upper tier
and the province review with ``days_per_tier`` = 3 working days (holiday calendar applied).
Every reviewer takes a random number of working days per dossier (mostly in time, sometimes
late) and some go on leave; for part of the leaves a dated substitute is appointed (who then
acts "for" them). Returned dossiers are corrected and resubmitted by the officer after a
random delay. Each morning, ``deadlines.remind`` runs (the cron), then people act.

The result checked at the end: every stay of a dossier at a unit that went past its
deadline has an escalation record; every email queued was delivered once.

Run: ``.venv/bin/python bench/simulate_deadlines.py [--nominations N] [--seed S]``.
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
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from tests.databases import migrate  # noqa: E402
from workflow import changes, deadlines, nominating, outbox, service  # noqa: E402
from workflow.accounts import assign_role, create_unit  # noqa: E402
from workflow.db import make_engine  # noqa: E402
from workflow.models import (  # noqa: E402
    AuditEvent,
    AwardType,
    Campaign,
    DeadlineAlert,
    Nomination,
    Notification,
    OutboxMessage,
    Unit,
    User,
)
from workflow.workdays import default_calendar  # noqa: E402

START = date(2025, 11, 3)
DAYS_PER_TIER = 3
BRANCHES, GRASSROOTS_PER_BRANCH = 10, 10


@dataclass
class Reviewer:
    user: User
    unit_code: str
    leaves: list[tuple[date, date]] = field(default_factory=list)
    substitute: dict[tuple[date, date], User] = field(default_factory=dict)

    def away(self, day: date) -> tuple[date, date] | None:
        return next(((a, b) for a, b in self.leaves if a <= day <= b), None)


@dataclass
class Stay:
    """One dossier at one unit, from arrival to the day it left (None: still there)."""

    nomination_id: int
    unit_id: int
    due_on: date
    left_on: date | None = None


def at(day: date, hour: int) -> datetime:
    """``hour`` in Vietnam time (UTC+7) on ``day``, as an aware UTC datetime."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=hour - 7)


def build(session: Session, rng: random.Random) -> tuple[dict[str, User], list[Reviewer], Campaign]:
    users: dict[str, User] = {}

    def user(name: str) -> User:
        u = User(username=name, full_name=name, email=f"{name}@sim.test", password_hash="x")  # noqa: S106 - never logs in
        session.add(u)
        session.flush()
        users[name] = u
        return u

    create_unit(session, "TLD", "TLĐ", "tong_ldld")
    create_unit(session, "PROV", "LĐLĐ tỉnh", "ldld_tinh", "TLD")
    reviewers = []
    for name in ("rev_prov_a", "rev_prov_b"):
        assign_role(session, user(name), "reviewer", "PROV")
        reviewers.append(Reviewer(users[name], "PROV"))
    assign_role(session, user("chu_tich_prov"), "decider", "PROV")
    for b in range(BRANCHES):
        code = f"BR{b}"
        create_unit(session, code, f"Công đoàn cấp trên {b}", "cd_cap_tren", "PROV")
        assign_role(session, user(f"rev_{code}"), "reviewer", code)
        assign_role(session, user(f"chu_tich_{code}"), "decider", code)
        reviewers.append(Reviewer(users[f"rev_{code}"], code))
        for g in range(GRASSROOTS_PER_BRANCH):
            cs = f"CS{b}_{g}"
            create_unit(session, cs, f"CĐCS {b}.{g}", "cdcs", code)
            assign_role(session, user(f"officer_{cs}"), "officer", cs)
    campaign = Campaign(code="SIM-2025", title="Thi đua năm 2025 (mô phỏng)", year=2025)
    session.add(campaign)
    session.add(
        AwardType(
            campaign=campaign, code="BK", title="Bằng khen LĐLĐ tỉnh",
            nominee_kind="individual", decider_level="ldld_tinh", vote_ratio_num=2,
            vote_ratio_den=3, vote_base="members", notice_days=5,
            days_per_tier=DAYS_PER_TIER, submit_by=date(2025, 11, 20),
        )
    )  # fmt: skip
    # Leaves: a third of the reviewers are away once, for 3 to 8 working days; for two
    # leaves in three a substitute is appointed for exactly those dates.
    calendar = default_calendar()
    for r in reviewers:
        if rng.random() < 1 / 3:
            first = calendar.add_working_days(START, rng.randint(2, 15))
            last = calendar.add_working_days(first, rng.randint(2, 7))
            r.leaves.append((first, last))
            if rng.random() < 2 / 3:
                stand_in = user(f"thay_{r.user.username}")
                assign_role(
                    session, stand_in, "reviewer", r.unit_code,
                    valid_from=first, valid_to=last, acting_for=r.user,
                )  # fmt: skip
                r.substitute[(first, last)] = stand_in
    session.commit()
    return users, reviewers, campaign


def run(count: int, seed: int, url: str) -> dict[str, object]:
    rng = random.Random(seed)
    calendar = default_calendar()
    engine = make_engine(url)
    session = Session(engine)
    users, reviewers, _ = build(session, rng)
    by_unit = {}
    for r in reviewers:
        by_unit.setdefault(r.unit_code, []).append(r)
    unit_ids = {code: uid for code, uid in session.execute(select(Unit.code, Unit.id))}
    codes = {uid: code for code, uid in unit_ids.items()}
    grassroots = [c for c in unit_ids if c.startswith("CS")]

    # Officers submit over the first ten working days.
    submit_day = {i: calendar.add_working_days(START, rng.randint(0, 9)) for i in range(count)}
    origin = {i: rng.choice(grassroots) for i in range(count)}
    ids: dict[int, int] = {}
    stays: dict[int, Stay] = {}  # the current stay of each nomination with a deadline
    done: list[Stay] = []
    ready_on: dict[int, date] = {}  # when the holder will act on it
    acted_for = Counter()
    stats = Counter()
    day = START
    started = time.perf_counter()
    while True:
        report = deadlines.remind(session, now=at(day, 7))
        stats["reminders"] += report.reminders
        stats["escalations"] += report.escalations
        working = calendar.is_working_day(day)
        if working:
            for i in [i for i in range(count) if submit_day[i] == day]:
                officer = users[f"officer_{origin[i]}"]
                nid = nominating.create_nomination(
                    session, officer, campaign="SIM-2025", award_type="BK",
                    nominee_kind="individual", nominee_name=f"Đoàn viên {i}", now=at(day, 8),
                ).id  # fmt: skip
                ids[i] = nid
                _fire(session, nid, "submit", officer, at(day, 9), stays, done, day)
                ready_on[nid] = _delay(calendar, rng, day)
            _act(
                session,
                rng,
                calendar,
                day,
                users,
                by_unit,
                codes,
                stays,
                done,
                ready_on,
                acted_for,
                stats,
            )
        pending = session.scalar(
            select(func.count())
            .select_from(Nomination)
            .where(Nomination.state.in_(["draft", "in_review", "returned"]))
        )
        session.rollback()
        if day > max(submit_day.values()) and pending == 0:
            break
        day += timedelta(days=1)
    elapsed = time.perf_counter() - started

    # Every queued email goes out once (a transport that only counts).
    delivered: list[str] = []
    sent = outbox.deliver(session, lambda m: delivered.append(m["Message-ID"]), "sim@sim.test",
                          now=at(day, 23), limit=1_000_000)  # fmt: skip
    queued = session.scalar(select(func.count()).select_from(OutboxMessage))
    again = outbox.deliver(session, lambda m: delivered.append(m["Message-ID"]), "sim@sim.test",
                           now=at(day, 23), limit=1_000_000)  # fmt: skip

    escalated = {
        (n, u, d)
        for n, u, d in session.execute(
            select(DeadlineAlert.nomination_id, DeadlineAlert.unit_id, DeadlineAlert.due_on).where(
                DeadlineAlert.kind == "escalation"
            )
        )
    }
    told = {
        (n, at)
        for n, at in session.execute(
            select(Notification.nomination_id, Notification.created_at).where(
                Notification.kind == "escalation"
            )
        )
    }
    unheard = session.scalar(
        select(func.count()).select_from(DeadlineAlert).where(DeadlineAlert.kind == "escalation")
    ) - sum(
        1
        for n, at in session.execute(
            select(DeadlineAlert.nomination_id, DeadlineAlert.created_at).where(
                DeadlineAlert.kind == "escalation"
            )
        )
        if (n, at) in told
    )
    overdue = [s for s in done if s.left_on and s.left_on > s.due_on]
    missing = [s for s in overdue if (s.nomination_id, s.unit_id, s.due_on) not in escalated]
    tier_days: dict[str, list[int]] = {}
    for s in done:
        code = codes[s.unit_id]
        level = {"CS": "cdcs (returned)", "BR": "cd_cap_tren", "PR": "ldld_tinh"}[code[:2]]
        tier_days.setdefault(level, []).append(calendar.working_days_between(s.left_on, s.due_on))
    trail_acting = session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.body.like('%"acting_for":"%'))
    )
    session.close()
    engine.dispose()
    return {
        "nominations": count,
        "simulated_days": (day - START).days + 1,
        "last_day": day.isoformat(),
        "stays_with_deadline": len(done),
        "overdue_stays": len(overdue),
        "overdue_without_escalation": len(missing),
        "escalations": stats["escalations"],
        "escalations_reaching_nobody": unheard,
        "reminders": stats["reminders"],
        "returned": stats["return"],
        "rejected": stats["reject"],
        "acted_by_substitutes": sum(acted_for.values()),
        "trail_links_acting_for": trail_acting,
        "emails_queued": queued,
        "emails_sent": sent.sent,
        "emails_sent_on_second_run": again.sent,
        "duplicate_message_ids": len(delivered) - len(set(delivered)),
        "median_working_margin_days": {
            k: statistics.median(vs) for k, vs in sorted(tier_days.items())
        },
        "seconds": round(elapsed, 1),
    }


def _delay(calendar, rng: random.Random, day: date) -> date:
    """When the holder gets to it: mostly within 3 working days, one in ten late."""
    late = rng.random() < 0.1
    return calendar.add_working_days(day, rng.randint(4, 7) if late else rng.randint(0, 3))


def _fire(session, nid, event, actor, now, stays, done, day, **kw) -> None:
    version = changes.nomination_version(session, nid)
    service.fire(session, nid, event, actor, expected_version=version, now=now, **kw)
    n = session.get(Nomination, nid, populate_existing=True)
    if nid in stays:
        stays[nid].left_on = day
        done.append(stays.pop(nid))
    if n.due_on is not None and n.state in ("in_review", "returned"):
        stays[nid] = Stay(nid, n.current_unit_id, n.due_on)
    session.rollback()


def _act(
    session, rng, calendar, day, users, by_unit, codes, stays, done, ready_on, acted_for, stats
):
    hour = 10
    for nid in sorted(stays):
        stay = stays.get(nid)
        if stay is None or ready_on.get(nid, day) > day:
            continue
        code = codes[stay.unit_id]
        if code.startswith("CS"):  # returned: the officer resubmits
            _fire(
                session, nid, "resubmit", users[f"officer_{code}"], at(day, hour), stays, done, day
            )
            ready_on[nid] = _delay(calendar, rng, day)
            continue
        actor = None
        for r in by_unit[code]:
            leave = r.away(day)
            if leave is None:
                actor = r.user
                break
            if leave in r.substitute:
                actor = r.substitute[leave]
                acted_for[r.user.username] += 1
                break
        if actor is None:
            continue  # everyone at this unit is away, nobody stands in: it waits
        roll = rng.random()
        if roll < 0.08:
            event = "return"
            _fire(session, nid, event, actor, at(day, hour), stays, done, day,
                  comment="Đề nghị bổ sung biên bản họp bình xét")  # fmt: skip
            ready_on[nid] = calendar.add_working_days(day, rng.randint(1, 4))
        elif roll < 0.11:
            event = "reject"
            _fire(session, nid, event, actor, at(day, hour), stays, done, day,
                  comment="Không đủ tiêu chuẩn")  # fmt: skip
        else:
            event = "approve"
            _fire(session, nid, event, actor, at(day, hour), stays, done, day)
            ready_on[nid] = _delay(calendar, rng, day)
        stats[event] += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nominations", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("INSTANCE_PATH", tmp)
        url = f"sqlite:///{tmp}/simulation.sqlite3"
        migrate(url)
        result = run(args.nominations, args.seed, url)
    print(f"Deadline simulation: seed {args.seed}, SQLite file")
    print(
        f"machine: {platform.platform()}; {os.cpu_count()} CPUs; Python {platform.python_version()}"
    )
    print(f"date:    {datetime.now(UTC).isoformat(timespec='seconds')}")
    for key, value in result.items():
        print(f"{key:>34}: {value}")
    ok = (
        result["overdue_without_escalation"] == 0
        and result["escalations_reaching_nobody"] == 0
        and result["emails_sent_on_second_run"] == 0
    )
    print("RESULT:", "0 overdue items without an escalation record" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
