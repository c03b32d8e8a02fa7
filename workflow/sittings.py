"""A sitting of a council: the whole list of a campaign voted at once.

The council's secretary opens a sitting on a date with the members present and the list
under consideration (every nomination awaiting the council at the unit in the campaign, or
those chosen), records each ballot's tally as the count goes (secret ballot: only tallies
are kept), and closes it. Closing votes the whole list in one transaction: each nomination
gets the same ``vote`` event, audit link and notification as a vote recorded alone (the
sitting of one that small units keep using), the minutes are numbered, and any nomination
that moved meanwhile makes the whole closing a conflict, so none is voted twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from workflow import audit, changes, council, eligibility, events, notify, numbering
from workflow.clock import check_days, utcnow, vn_date
from workflow.errors import IllegalTransition, InvalidInput, NotAllowed, NotEligible, NotFound
from workflow.inputs import clean_line
from workflow.models import Campaign, CouncilMember, Nomination, Sitting, SittingItem, User
from workflow.numbering import DocumentKind
from workflow.permissions import acting_assignment
from workflow.transaction import transaction
from workflow.vocabulary import Event, State
from workflow.votes import WRITTEN, VoteRecord

VOTE = events.EVENTS[Event.VOTE.value]
VOTER = VOTE.roles[State.UNDER_COUNCIL]  # the council, by the event table
TALLY = ("yes", "no", "abstain", *WRITTEN)
MINUTES_CODE = "HĐTĐKT"  # the minutes are the council's: "03/BB-HĐTĐKT"


def _secretary(
    session: Session, actor: User, unit_id: int, day: date, today: date | None = None
) -> CouncilMember:
    """The actor's seat as the council's secretary on ``day`` (with the council role).

    A secretary today who was not yet one on the day typed is told the day is wrong, not
    that they may not open a sitting (a sitting dated 01/01/1900 said so)."""
    seat = _seat(session, actor, unit_id, day)
    if (
        seat is None
        and today is not None
        and day != today
        and _seat(session, actor, unit_id, today)
    ):
        raise InvalidInput(
            f"Ngày họp {day:%d/%m/%Y}: bạn chưa là thư ký Hội đồng vào ngày đó; hãy ghi đúng ngày"
            " họp.",
            f"Sitting day {day:%d/%m/%Y}: you were not the council's secretary on that day;"
            " enter the day the council met.",
            {"held_on": "not_secretary_that_day"},
        )
    if seat is None:
        raise NotAllowed(
            "Chỉ thư ký Hội đồng Thi đua - Khen thưởng của đơn vị mở và ghi kết quả phiên họp.",
            "Only the council's secretary opens and records a sitting.",
            {"required_role": VOTER.value, "duty": "secretary"},
        )
    return seat


def _seat(session: Session, actor: User, unit_id: int, day: date) -> CouncilMember | None:
    """The actor's secretary seat on ``day``, with the council role that day; None if none."""
    seat = next(
        (
            m
            for m in council.roster(session, unit_id, day)
            if m.duty == "secretary" and m.user_id == actor.id
        ),
        None,
    )
    if seat is None or acting_assignment(actor, VOTER, unit_id, day) is None:
        return None
    return seat


def awaiting(session: Session, unit_id: int, campaign_id: int) -> list[Nomination]:
    """The nominations awaiting the unit's council in the campaign, oldest first."""
    return list(
        session.scalars(
            select(Nomination)
            .where(
                Nomination.current_unit_id == unit_id,
                Nomination.state == State.UNDER_COUNCIL,
                Nomination.campaign_id == campaign_id,
            )
            .order_by(Nomination.id)
        )
    )


def campaigns_awaiting(session: Session, unit_id: int) -> list[tuple[Campaign, int]]:
    """The campaigns with nominations awaiting the unit's council, and how many (one query),
    newest first."""
    rows = session.execute(
        select(Campaign, func.count())
        .join(Nomination, Nomination.campaign_id == Campaign.id)
        .where(Nomination.current_unit_id == unit_id, Nomination.state == State.UNDER_COUNCIL)
        .group_by(Campaign.id)
        .order_by(Campaign.year.desc(), Campaign.code)
    ).all()
    return [(campaign, count) for campaign, count in rows]


def open_sitting(
    session: Session,
    actor: User,
    *,
    unit_id: int,
    campaign_id: int,
    held_on: date,
    place: str,
    present: list[int],
    chair_id: int | None = None,
    nomination_ids: list[int] | None = None,
    now: datetime | None = None,
) -> Sitting:
    """Open a sitting on the chosen list (``None``: everything awaiting the council)."""
    now = now or utcnow()
    with transaction(session):
        return _open(
            session, actor, unit_id, campaign_id, held_on, place, present, chair_id,
            nomination_ids, now,
        )  # fmt: skip


def _open(
    session: Session,
    actor: User,
    unit_id: int,
    campaign_id: int,
    held_on: date,
    place: str,
    present: list[int],
    chair_id: int | None,
    nomination_ids: list[int] | None,
    now: datetime,
) -> Sitting:
    today = vn_date(now)
    if held_on > today:
        raise InvalidInput(
            "Ngày họp không được sau ngày hôm nay.",
            "The sitting cannot be dated in the future.",
            {"held_on": "future"},
        )
    check_days(held_on=held_on)
    secretary = _secretary(session, actor, unit_id, held_on, today)
    members = council.roster(session, unit_id, held_on)
    seats = {m.id: m for m in members}
    if not present or any(mid not in seats for mid in present):
        raise InvalidInput(
            "Cần chọn các thành viên có mặt trong danh sách Hội đồng của ngày họp.",
            "Choose the members present from the council of the sitting's day.",
            {"present": "not_members"},
        )
    chair = chair_id or next((m.id for m in members if m.duty == "chair"), None)
    if chair is None or chair not in present:
        raise InvalidInput(
            "Người chủ trì phải là thành viên Hội đồng có mặt.",
            "The chair must be a council member who is present.",
            {"chair_id": "not_present"},
        )
    listed = _listed(session, unit_id, campaign_id, nomination_ids)
    _require_arrived(listed, held_on)
    sitting = Sitting(
        unit_id=unit_id,
        campaign_id=campaign_id,
        held_on=held_on,
        place=clean_line(place, "place", ("Địa điểm", "Place"), 300, required=True),
        status="open",
        chair_id=chair,
        secretary_id=secretary.id,
        members=len(members),
        present=sorted(set(present)),
        opened_by_id=actor.id,
        opened_at=now,
        version=1,
    )
    session.add(sitting)
    session.flush()
    items = [
        SittingItem(sitting_id=sitting.id, nomination_id=n.id, position=index)
        for index, n in enumerate(listed, start=1)
    ]
    session.add_all(items)
    audit.record_change(session, "sitting_opened", actor.username, now, sitting, *items)
    return sitting


def _require_arrived(listed: list[Nomination], held_on: date) -> None:
    """A council examines what has reached it: minutes dated before a nomination arrived (its
    last event, which brought it to the council) would be numbered and dated in a year the
    council never saw it."""
    arrived = {n.id: vn_date(n.updated_at) for n in listed}
    early = sorted(nid for nid, day in arrived.items() if day > held_on)
    if early:
        latest = max(arrived.values())
        named = ", ".join(map(str, early[:10])) + (", …" if len(early) > 10 else "")
        raise InvalidInput(
            f"Ngày họp ({held_on:%d/%m/%Y}) trước ngày hồ sơ đến Hội đồng (số {named}; hồ sơ "
            f"đến muộn nhất ngày {latest:%d/%m/%Y}).",
            f"The sitting ({held_on.isoformat()}) is dated before nominations reached the "
            f"council (no. {named}; the last arrived on {latest.isoformat()}).",
            {"held_on": "before_arrival"},
        )


def _listed(
    session: Session, unit_id: int, campaign_id: int, chosen: list[int] | None
) -> list[Nomination]:
    """The list, locked: a second secretary opening a sitting on the same nominations waits,
    then finds them taken."""
    waiting = {n.id: n for n in awaiting(session, unit_id, campaign_id)}
    ids = sorted(waiting) if chosen is None else sorted(set(chosen))
    missing = [nid for nid in ids if nid not in waiting]
    if missing or not ids:
        # A few of them: a list of thousands (a client's bug) would fill the page.
        named = ", ".join(map(str, missing[:10])) + (", …" if len(missing) > 10 else "")
        raise InvalidInput(
            "Danh sách chỉ gồm hồ sơ đang chờ Hội đồng xét trong đợt thi đua"
            + (f"; không phải: {named}." if missing else "; chưa có hồ sơ nào."),
            "The list holds only nominations awaiting the council in the campaign.",
            {"nomination_ids": missing[:100] or "empty"},
        )
    for nid in ids:  # in id order, as every operation locks several nominations
        session.execute(select(Nomination.id).where(Nomination.id == nid).with_for_update()).one()
    taken = session.execute(
        select(SittingItem.nomination_id, Sitting.id)
        .join(Sitting, Sitting.id == SittingItem.sitting_id)
        .where(Sitting.status == "open", SittingItem.nomination_id.in_(ids))
    ).all()
    if taken:
        raise IllegalTransition(
            "Hồ sơ đã có trong phiên họp khác chưa kết thúc: "
            + ", ".join(f"số {nid} (phiên {sid})" for nid, sid in sorted(taken))
            + ".",
            "Already listed in another open sitting: "
            + ", ".join(f"{nid} (sitting {sid})" for nid, sid in sorted(taken))
            + ".",
            {str(nid): f"sitting_{sid}" for nid, sid in taken},
        )
    return [waiting[nid] for nid in ids]


def _locked(session: Session, sitting_id: int, expected_version: int) -> Sitting:
    sitting = session.execute(
        select(Sitting)
        .where(Sitting.id == sitting_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if sitting is None:
        raise NotFound(f"Không có phiên họp số {sitting_id}.", f"No sitting {sitting_id}.")
    if sitting.status != "open":
        raise IllegalTransition(
            f"Phiên họp số {sitting_id} đã kết thúc.",
            f"Sitting {sitting_id} is closed.",
            {"status": sitting.status},
        )
    if sitting.version != expected_version:
        raise IllegalTransition(
            "Phiên họp vừa được người khác cập nhật; hãy tải lại trang.",
            "The sitting was changed by someone else; reload the page.",
            {"expected_version": expected_version, "current_version": sitting.version},
        )
    return sitting


def vote_of(sitting: Sitting, tally: dict[str, int]) -> dict[str, int]:
    """A tally with the sitting's attendance: the vote as a nomination records it."""
    return {"members": sitting.members, "present": len(sitting.present), **tally}


def record_tallies(
    session: Session,
    actor: User,
    sitting_id: int,
    tallies: dict[int, dict[str, Any]],
    *,
    expected_version: int,
    now: datetime | None = None,
) -> Sitting:
    """Record the count of each listed ballot given; every tally is checked, and all are
    refused together (each named by its nomination) when one is wrong."""
    now = now or utcnow()
    with transaction(session):
        sitting = _locked(session, sitting_id, expected_version)
        _secretary(session, actor, sitting.unit_id, sitting.held_on)
        items = {item.nomination_id: item for item in sitting.items}
        errors: dict[str, Any] = {}
        messages: list[tuple[str, str]] = []
        for nid, raw in sorted(tallies.items()):
            if nid not in items:
                errors[str(nid)] = "not_listed"
                messages.append((f"hồ sơ số {nid} không có trong phiên họp", f"{nid} not listed"))
                continue
            tally = {name: raw.get(name, 0) for name in TALLY}
            try:
                VoteRecord.parse(vote_of(sitting, tally))
            except InvalidInput as err:
                errors[str(nid)] = err.details
                messages.append((f"hồ sơ số {nid}: {err.message_vi}", f"{nid}: {err.message_en}"))
                continue
            items[nid].tally = tally
        if errors:
            raise InvalidInput(
                "Kết quả kiểm phiếu chưa hợp lệ — " + "; ".join(m[0] for m in messages),
                "Some tallies are inconsistent — " + "; ".join(m[1] for m in messages),
                errors,
            )
        sitting.version += 1
        changed = [items[nid] for nid in tallies]
        audit.record_change(session, "sitting_tallied", actor.username, now, sitting, *changed)
        return sitting


@dataclass(frozen=True)
class Closed:
    sitting: Sitting
    passed: list[int]
    failed: list[int]


def close_sitting(
    session: Session,
    actor: User,
    sitting_id: int,
    *,
    expected_version: int,
    now: datetime | None = None,
) -> Closed:
    """Vote the whole list and number the minutes: all of it, or nothing."""
    now = now or utcnow()
    with transaction(session):
        return _close(session, actor, sitting_id, expected_version, now)


def _close(
    session: Session, actor: User, sitting_id: int, expected_version: int, now: datetime
) -> Closed:
    today = vn_date(now)
    sitting = _locked(session, sitting_id, expected_version)
    _secretary(session, actor, sitting.unit_id, sitting.held_on)
    assignment = acting_assignment(actor, VOTER, sitting.unit_id, today)
    if assignment is None:
        raise NotAllowed(
            "Bạn không còn vai trò Hội đồng tại đơn vị.",
            "You no longer hold the council role at the unit.",
            {"required_role": VOTER.value},
        )
    uncounted = [item.nomination_id for item in sitting.items if item.tally is None]
    if uncounted:
        raise InvalidInput(
            "Chưa ghi kết quả kiểm phiếu của hồ sơ: " + ", ".join(map(str, uncounted)) + ".",
            "Tallies missing for: " + ", ".join(map(str, uncounted)) + ".",
            {"uncounted": uncounted},
        )
    items = sorted(sitting.items, key=lambda item: item.nomination_id)  # lock in id order
    nominations = [
        changes.load_for_update(session, item.nomination_id, actor, today) for item in items
    ]
    moved = {
        str(n.id): n.state
        for n in nominations
        if n.state != State.UNDER_COUNCIL or n.current_unit_id != sitting.unit_id
    }
    if moved:
        raise IllegalTransition(
            "Hồ sơ đã được biểu quyết hoặc đã chuyển đi từ khi mở phiên họp: "
            + ", ".join(sorted(moved, key=int))
            + ". Hãy bỏ các hồ sơ này khỏi danh sách (mở phiên họp mới) rồi kết thúc lại.",
            "Voted or moved since the sitting opened: " + ", ".join(sorted(moved, key=int)) + ".",
            moved,
        )
    voted: list[tuple[SittingItem, Nomination, dict[str, Any]]] = []
    problems: dict[str, list[str]] = {}
    for item, n in zip(items, nominations, strict=True):
        data = events.check_data(
            VOTE, {"vote": vote_of(sitting, item.tally or {})}, n.award_type, today
        )
        found = eligibility.blocking_problems(session, n, Event.VOTE, today)
        if found:
            problems[str(n.id)] = [p.message_vi for p in found]
        voted.append((item, n, data))
    if problems:
        raise NotEligible(
            "Hồ sơ chưa đủ điều kiện: "
            + "; ".join(f"số {nid}: {', '.join(msgs)}" for nid, msgs in problems.items()),
            "Not eligible: " + ", ".join(problems) + ".",
            problems,
        )
    sitting.year = sitting.held_on.year
    sitting.serial = numbering.next_serial(
        session, sitting.unit_id, DocumentKind.MINUTES, sitting.year
    )
    sitting.number = f"{sitting.serial:02d}/{DocumentKind.MINUTES.value}-{MINUTES_CODE}"
    for item, n, data in voted:
        before, to_unit = changes.apply(session, n, Event.VOTE, today, now, data)
        item.passed = bool(data["passes"])
        trail = data | {"sitting": sitting.id, "minutes": sitting.number}
        changes.record(session, n, actor, assignment, Event.VOTE, before, to_unit, now, None, trail)
        notify.after_event(session, n, VOTE, actor, now, None)
    sitting.status = "closed"
    sitting.closed_at = now
    sitting.version += 1
    audit.record_change(session, "sitting_closed", actor.username, now, sitting, *items)
    return Closed(
        sitting,
        [item.nomination_id for item in items if item.passed],
        [item.nomination_id for item in items if not item.passed],
    )


def sitting_for(session: Session, sitting_id: int) -> Sitting:
    """A sitting with its list loaded (the page, the minutes)."""
    sitting = session.scalar(
        select(Sitting)
        .where(Sitting.id == sitting_id)
        .options(selectinload(Sitting.items).selectinload(SittingItem.nomination))
    )
    if sitting is None:
        raise NotFound(f"Không có phiên họp số {sitting_id}.", f"No sitting {sitting_id}.")
    return sitting


def sittings_of(session: Session, unit_ids: list[int]) -> list[Sitting]:
    """The sittings of these units' councils, newest first."""
    return list(
        session.scalars(
            select(Sitting)
            .where(Sitting.unit_id.in_(unit_ids))
            .order_by(Sitting.held_on.desc(), Sitting.id.desc())
        )
    )
