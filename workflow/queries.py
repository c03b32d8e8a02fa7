"""Read models for lists and detail pages: what a user may see, in few queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from workflow import audit
from workflow.errors import NotFound
from workflow.models import AwardType, Nomination, Unit, User
from workflow.visibility import can_see, visible_filter
from workflow.vocabulary import State


@dataclass(frozen=True)
class NominationRow:
    id: int
    nominee_name: str
    award_title: str
    state: State
    origin_unit: str
    current_unit: str
    updated_at: datetime


def visible_nominations(
    session: Session, actor: User, day: date, limit: int = 200
) -> list[NominationRow]:
    origin, current = aliased(Unit), aliased(Unit)
    rows = session.execute(
        select(
            Nomination.id,
            Nomination.nominee_name,
            AwardType.title,
            Nomination.state,
            origin.name,
            current.name,
            Nomination.updated_at,
        )
        .join(AwardType, AwardType.id == Nomination.award_type_id)
        .join(origin, origin.id == Nomination.origin_unit_id)
        .join(current, current.id == Nomination.current_unit_id)
        .where(visible_filter(actor, day))
        .order_by(Nomination.updated_at.desc(), Nomination.id.desc())
        .limit(limit)
    ).all()
    return [NominationRow(r[0], r[1], r[2], State(r[3]), r[4], r[5], r[6]) for r in rows]


def nomination_view(session: Session, actor: User, nomination_id: int, day: date) -> dict[str, Any]:
    nomination = session.get(Nomination, nomination_id)
    if nomination is None or not can_see(actor, nomination, day):
        raise NotFound(
            f"Không tìm thấy hồ sơ số {nomination_id}.", f"Nomination {nomination_id} not found."
        )
    return {
        "nomination": nomination,
        "state": State(nomination.state),
        "trail": audit.trail(session, nomination_id),
    }
