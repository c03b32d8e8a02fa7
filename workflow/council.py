"""A unit's Hội đồng Thi đua - Khen thưởng: who sits on it on a given day.

The council is formed by the unit's executive (Ban Thường vụ) for a term; its office enters
the members here, so administration of the unit keeps the roster. A sitting reads the
roster of its day: the number of members a vote is counted against, who may be present,
who chairs and who takes the minutes.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import audit
from workflow.accounts import require_admin
from workflow.clock import check_days, utcnow, vn_date
from workflow.errors import InvalidInput, NotFound
from workflow.inputs import clean_line
from workflow.models import CouncilMember, Unit, User
from workflow.transaction import transaction

DUTIES = {"chair": "Chủ tịch Hội đồng", "secretary": "Thư ký Hội đồng", "member": "Thành viên"}
DUTIES_EN = {"chair": "Chair", "secretary": "Secretary", "member": "Member"}


def roster(session: Session, unit_id: int, day: date) -> list[CouncilMember]:
    """The members on ``day``: the chair first, then the secretary, then by name."""
    members = session.scalars(select(CouncilMember).where(CouncilMember.unit_id == unit_id)).all()
    order = list(DUTIES)
    return sorted(
        (m for m in members if m.active_on(day)),
        key=lambda m: (order.index(m.duty), m.full_name, m.id),
    )


def all_members(session: Session, unit_id: int) -> list[CouncilMember]:
    """Every seat the unit's council has had, newest term first (the roster's history)."""
    return list(
        session.scalars(
            select(CouncilMember)
            .where(CouncilMember.unit_id == unit_id)
            .order_by(CouncilMember.valid_from.desc(), CouncilMember.id)
        )
    )


def add_member(
    session: Session,
    actor: User,
    unit: Unit,
    *,
    full_name: str,
    position: str,
    duty: str,
    valid_from: date,
    username: str | None = None,
    now: datetime | None = None,
) -> CouncilMember:
    """Seat a member from ``valid_from``; one chair and one secretary at a time."""
    now = now or utcnow()
    with transaction(session):
        require_admin(actor, vn_date(now), unit)
        check_days(valid_from=valid_from)
        if duty not in DUTIES:
            raise InvalidInput(
                "Nhiệm vụ trong Hội đồng phải là Chủ tịch, Thư ký hoặc Thành viên.",
                "The duty must be chair, secretary or member.",
                {"duty": "unknown"},
            )
        name = clean_line(full_name, "full_name", ("Họ và tên", "Full name"), 200, required=True)
        user = session.scalar(select(User).where(User.username == username)) if username else None
        # An account of the council's own units only: one elsewhere is "unknown" as one that
        # does not exist (the form told a branch admin which accounts the province had).
        if user is not None and not any(
            a.unit.path.startswith(unit.path) for a in user.assignments
        ):
            user = None
        if username and user is None:
            raise InvalidInput(
                f"Không có tài khoản '{username}'.",
                f"No account '{username}'.",
                {"username": "unknown"},
            )
        if duty != "member":
            taken = [m for m in roster(session, unit.id, valid_from) if m.duty == duty]
            if taken:
                raise InvalidInput(
                    f"Hội đồng đã có {DUTIES[duty].lower()} ({taken[0].full_name}); hãy kết "
                    "thúc nhiệm vụ của người đó trước.",
                    f"The council already has a {DUTIES_EN[duty].lower()}; end that seat first.",
                    {"duty": "taken"},
                )
        member = CouncilMember(
            unit_id=unit.id,
            full_name=name,
            position=clean_line(position, "position", ("Chức vụ", "Position"), 200),
            duty=duty,
            user_id=user.id if user else None,
            valid_from=valid_from,
        )
        session.add(member)
        audit.record_change(session, "council_member_seated", actor.username, now, member)
        return member


def end_member(
    session: Session, actor: User, member_id: int, last_day: date, now: datetime | None = None
) -> CouncilMember:
    """End a seat on ``last_day`` (the member stays in the minutes of earlier sittings)."""
    now = now or utcnow()
    with transaction(session):
        member = session.get(CouncilMember, member_id)
        if member is None:
            raise NotFound("Không có thành viên này.", "No such council member.")
        require_admin(actor, vn_date(now), session.get_one(Unit, member.unit_id))
        check_days(valid_to=last_day)
        if last_day < member.valid_from:
            raise InvalidInput(
                "Ngày kết thúc không được trước ngày bắt đầu.",
                "The last day cannot be before the first.",
                {"valid_to": "before_valid_from"},
            )
        member.valid_to = last_day
        audit.record_change(session, "council_member_ended", actor.username, now, member)
        return member
