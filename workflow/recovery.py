"""What a revocation leaves to do: the bonus to pay back and the certificate to hand back
(Law on Emulation and Commendation 2022, art. 86), tracked at the deciding unit until
both are marked done; each mark is a link in the trail."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from workflow import audit
from workflow.accounts import active_assignments
from workflow.amounts import award_amount
from workflow.clock import utcnow, vn_date
from workflow.db import Base
from workflow.errors import InvalidInput, NotFound
from workflow.inputs import clean_line
from workflow.models import Nomination, Recovery, User
from workflow.transaction import transaction
from workflow.vocabulary import Role

KEEPERS = frozenset({Role.DECIDER, Role.AUDITOR})  # who sees and marks what is recovered
Returned = Literal["money", "certificate"]


def after_revoke(session: Session, nomination: Nomination, day: date) -> tuple[Base, ...]:
    """Open the recovery of a revoked award (the revocation's own link vouches for it)."""
    signed_on = nomination.decision.signed_on if nomination.decision else day
    recovery = Recovery(
        nomination_id=nomination.id,
        unit_id=nomination.current_unit_id,
        amount=award_amount(nomination, signed_on),
        opened_on=day,
        note="",
    )
    session.add(recovery)
    session.flush()
    return (recovery,)


def _visible(actor: User, day: date) -> list[str]:
    """Paths under which the actor keeps recoveries: a decider their unit, an auditor below."""
    return [a.unit.path for a in active_assignments(actor, day) if a.role in KEEPERS]


def recoveries(session: Session, actor: User, day: date) -> list[Recovery]:
    """Recoveries of the actor's units (open first, newest first)."""
    paths = _visible(actor, day)
    if not paths:
        return []
    rows = session.scalars(
        select(Recovery)
        .options(joinedload(Recovery.nomination).joinedload(Nomination.current_unit))
        .order_by(Recovery.opened_on.desc(), Recovery.id.desc())
    )
    seen = [r for r in rows if any(r.nomination.current_unit.path.startswith(p) for p in paths)]
    return sorted(seen, key=lambda r: r.done)


def markable_units(actor: User, day: date) -> set[int]:
    """The units whose recoveries the actor marks done: where they are the decider (an
    auditor reads them, and is not offered a form they may not use)."""
    return {a.unit_id for a in active_assignments(actor, day) if a.role == Role.DECIDER}


def for_nomination(session: Session, nomination_id: int) -> Recovery | None:
    return session.scalar(select(Recovery).where(Recovery.nomination_id == nomination_id))


def mark(
    session: Session,
    actor: User,
    recovery_id: int,
    what: Returned,
    on: date,
    note: str = "",
    now: datetime | None = None,
) -> Recovery:
    """Mark the money paid back or the certificate handed back on ``on``, by the deciding
    unit's decider."""
    now = now or utcnow()
    today = vn_date(now)
    with transaction(session):
        recovery = session.get(Recovery, recovery_id)
        if recovery is None or recovery.unit_id not in markable_units(actor, today):
            raise NotFound("Không có việc thu hồi này.", "No such recovery.")
        if on > today:
            raise InvalidInput(
                "Ngày thu hồi không được sau hôm nay.",
                "The day cannot be in the future.",
                {"on": "future"},
            )
        if on < recovery.opened_on:
            raise InvalidInput(
                f"Ngày thu hồi không được trước ngày hủy bỏ ({recovery.opened_on:%d/%m/%Y}).",
                f"The day cannot be before the revocation ({recovery.opened_on:%d/%m/%Y}).",
                {"on": "before_revocation"},
            )
        if what == "money":
            if recovery.amount is None:
                raise InvalidInput(
                    "Danh hiệu này không kèm tiền thưởng.",
                    "This award carried no bonus.",
                    {"what": "no_money"},
                )
            recovery.money_back_on = on
        else:
            recovery.certificate_back_on = on
        written = clean_line(note, "note", ("Ghi chú", "Note"), 300)
        if written:
            recovery.note = written
        audit.record_change(session, f"recovered_{what}", actor.username, now, recovery)
        return recovery
