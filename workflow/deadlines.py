"""Deadlines counted in working days, and the daily reminder run.

A nomination carries ``due_on``: the day the unit holding it should have acted. It is set
when a tier receives it (``days_per_tier`` working days, holidays excluded by
``workflow.workdays``), when it is returned for correction (the same number of days to
resubmit), and for a draft it is the campaign's submit-by date.

``remind`` (a daily cron: ``flask --app wsgi remind``) queues a reminder the working day
before a deadline and, once it has passed, an escalation to the unit's head and to the
parent unit. Each is recorded in ``deadline_alerts`` under a unique key (nomination, unit,
deadline, kind), so a second run the same day, or a run after a crash, queues nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from rules.process import DEADLINE_RULE
from workflow import notify, transaction
from workflow.clock import ddmmyyyy, utcnow, vn_date
from workflow.models import AwardType, DeadlineAlert, Nomination, Unit
from workflow.vocabulary import Role, State
from workflow.workdays import default_calendar

REMIND_BEFORE = 1  # working days before the deadline
DUE_SOON = 2  # working days: "sắp đến hạn" in lists
WATCHED = (State.DRAFT, State.RETURNED, State.IN_REVIEW)
ESCALATED = (State.RETURNED, State.IN_REVIEW)  # an overdue draft simply misses the campaign


class Clock(StrEnum):
    """How an event moves the deadline of the tier that holds the nomination."""

    RESTART = "restart"  # a tier receives it, or gets it back: its own days start
    KEEP = "keep"  # an edit or a file added: the clock keeps running
    STOP = "stop"  # nobody is waiting on a tier any more


def due_after(
    award: AwardType, clock: Clock, state: str, current: date | None, today: date
) -> date | None:
    """The deadline once an event (moving the clock as ``clock`` says) leaves it in ``state``.

    A draft always runs to the campaign's submit-by date; only a tier reviewing it, or the
    CĐCS correcting it, has a clock of its own.
    """
    if state == State.DRAFT:
        return award.submit_by
    if clock is Clock.STOP or state not in (State.IN_REVIEW, State.RETURNED):
        return None
    if clock is Clock.KEEP:
        return current
    if award.days_per_tier:
        return default_calendar().add_working_days(today, award.days_per_tier)
    return award.submit_by if state == State.RETURNED else None


def missed_filing(n: Nomination, today: date) -> date | None:
    """The filing deadline a draft has let pass, when its award's rules refuse a late one
    (R-DEADLINE, blocking): the page says so and offers no send button."""
    award = n.award_type
    due = award.submit_by
    if n.state != State.DRAFT or due is None or due >= today:
        return None
    refusing = any(
        r.get("rule") == DEADLINE_RULE and r.get("severity", "blocking") == "blocking"
        for r in award.rules or ()
    )  # as a warning, the rule lets it go
    return due if refusing else None


def soon_until(today: date) -> date:
    """The last due day that counts as "due soon" (DUE_SOON working days ahead)."""
    return default_calendar().add_working_days(today, DUE_SOON)


def flag(due_on: date | None, today: date) -> str | None:
    """'overdue', 'soon' (within DUE_SOON working days) or None, as lists show it."""
    if due_on is None:
        return None
    if due_on < today:
        return "overdue"
    return "soon" if due_on <= soon_until(today) else None


@dataclass(frozen=True)
class RemindReport:
    reminders: int
    escalations: int
    notifications: int


def remind(session: Session, now: datetime | None = None) -> RemindReport:
    """Queue today's reminders and escalations; safe to run any number of times a day.

    Two runs at the same moment (cron on two hosts) collide on the alerts' unique key: the
    one that loses rolls back and runs once more, and then finds everything already queued.
    """
    now = now or utcnow()
    once = partial(_remind_once, session, now)
    return transaction.run(session, once, on_conflict=once)


def _remind_once(session: Session, now: datetime) -> RemindReport:
    today = vn_date(now)
    horizon = default_calendar().add_working_days(today, REMIND_BEFORE)
    candidates = list(
        session.scalars(
            select(Nomination)
            .options(
                joinedload(Nomination.award_type),
                joinedload(Nomination.origin_unit),
                joinedload(Nomination.current_unit),
            )
            .where(
                Nomination.due_on.is_not(None),
                Nomination.due_on <= horizon,
                Nomination.state.in_([s.value for s in WATCHED]),
            )
            .order_by(Nomination.id)
        )
    )
    done = _already_alerted(session, [n.id for n in candidates])
    counts = {"reminder": 0, "escalation": 0, "notifications": 0}
    for n in candidates:
        kind = _kind(n, today)
        if kind is None or (n.id, n.current_unit_id, n.due_on, kind) in done:
            continue
        session.add(
            DeadlineAlert(
                nomination_id=n.id,
                unit_id=n.current_unit_id,
                due_on=n.due_on,
                kind=kind,
                created_at=now,
            )
        )
        counts[kind] += 1
        counts["notifications"] += _tell(session, n, kind, today, now)
    return RemindReport(counts["reminder"], counts["escalation"], counts["notifications"])


def _kind(n: Nomination, today: date) -> str | None:
    if n.due_on is None:
        return None
    if n.due_on >= today:
        return "reminder"
    return "escalation" if n.state in ESCALATED else None


def _already_alerted(session: Session, ids: list[int]) -> set[tuple[int, int, date, str]]:
    found: set[tuple[int, int, date, str]] = set()
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(
                DeadlineAlert.nomination_id,
                DeadlineAlert.unit_id,
                DeadlineAlert.due_on,
                DeadlineAlert.kind,
            ).where(DeadlineAlert.nomination_id.in_(ids[start : start + 500]))
        )
        found.update((a, b, c, d) for a, b, c, d in rows)
    return found


def _tell(session: Session, n: Nomination, kind: str, today: date, now: datetime) -> int:
    unit: Unit = n.current_unit
    due = ddmmyyyy(n.due_on, "—")
    (title, title_en), (about, about_en) = notify.title(n), notify.about(n)
    acting = Role.REVIEWER if n.state == State.IN_REVIEW else Role.OFFICER
    if kind == "reminder":
        task, task_en = (
            ("thẩm định", "reviewed") if acting is Role.REVIEWER else ("gửi đề nghị", "sent")
        )
        return notify.tell(
            session,
            [(unit.id, (acting,))],
            n.id,
            kind,
            (
                f"Nhắc hạn: {title} cần {task}, hạn chót hết ngày {due}",
                f"Reminder: {title_en} must be {task_en} by the end of {due}",
            ),
            (
                f"Hạn {task} hồ sơ {about} tại {unit.name} là hết ngày {due}.",
                f"The nomination {about_en} must be {task_en} at {unit.name} by the end of {due}.",
            ),
            now,
        )
    late = default_calendar().working_days_between(n.due_on, today) if n.due_on else 0
    subject = (
        f"Quá hạn: {title} chưa được xử lý tại {unit.name}",
        f"Overdue: {title_en} has not been handled at {unit.name}",
    )
    body = (
        f"Hồ sơ {about} đã quá hạn xử lý tại {unit.name} (hạn hết ngày {due}, "
        f"quá {late} ngày làm việc). Đề nghị đôn đốc hoặc phân công người thay thế.",
        f"The nomination {about_en} is overdue at {unit.name} (due by the end of {due}, "
        f"{late} working day(s) late). Please follow it up or assign a substitute.",
    )
    # The unit's head (its decider) and the parent unit's reviewers and decider; if none of
    # them has an account, the administrators of the unit or above: it always reaches someone.
    targets: list[notify.Target] = [(unit.id, (Role.DECIDER,))]
    if unit.parent_id is not None:
        targets.append((unit.parent_id, (Role.REVIEWER, Role.DECIDER)))
    told = notify.tell(session, targets, n.id, kind, subject, body, now)
    for unit_id in reversed(unit.ancestor_ids):
        if told:
            break
        told = notify.tell(session, [(unit_id, (Role.ADMIN,))], n.id, kind, subject, body, now)
    return told
