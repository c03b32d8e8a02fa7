"""Reorganising the union tree: a unit renamed, moved under another parent, merged into
another, or split in two. CĐCS reorganise often, yet a decision signed before must still read
with the names of its day, and nobody's history may be lost: each change keeps in
``unit_history`` what the unit was until the day before, and is a link in the trail.

A unit with nominations still on their way (drafts included) is not moved, merged or split:
their route runs through its parents of the day; they are settled (decided, withdrawn) first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import audit
from workflow.accounts import (
    clean_abbreviation,
    clean_unit_name,
    create_unit,
    require_admin,
    require_open,
    unit_by_code,
    units_below,
)
from workflow.clock import EARLIEST_DAY, utcnow, vn_date
from workflow.db import Base
from workflow.errors import InvalidInput
from workflow.models import (
    Member,
    Membership,
    Nomination,
    RoleAssignment,
    Unit,
    UnitHistory,
    User,
)
from workflow.transaction import transaction
from workflow.vocabulary import Level, Role, State, UnitChange

SETTLED = (State.AWARDED, State.REJECTED, State.WITHDRAWN, State.REVOKED)


def name_on(unit: Unit, day: date) -> tuple[str, str]:
    """The unit's name and abbreviation as they were on ``day``."""
    for past in unit.history:
        if day <= past.valid_to:
            return past.name, past.abbreviation
    return unit.name, unit.abbreviation


def _day(unit: Unit, day: date, today: date) -> date:
    """A change takes effect today or on a past day after the unit's last change."""
    if day < EARLIEST_DAY:
        raise InvalidInput(
            f"Ngày hiệu lực không được trước {EARLIEST_DAY:%d/%m/%Y}.",
            f"The day it takes effect cannot be before {EARLIEST_DAY.isoformat()}.",
            {"on": "too_early"},
        )
    if day > today:
        raise InvalidInput(
            "Ngày hiệu lực không được sau hôm nay.",
            "The day it takes effect cannot be after today.",
            {"on": "future"},
        )
    last = unit.history[-1].valid_to if unit.history else None
    if last is not None and day <= last:
        raise InvalidInput(
            f"Ngày hiệu lực phải sau lần thay đổi trước ({last + timedelta(days=1):%d/%m/%Y}).",
            f"It must take effect after the previous change ({last + timedelta(days=1)}).",
            {"on": "before_last_change"},
        )
    return day


def _remember(
    session: Session, unit: Unit, change: UnitChange, day: date, merged_into: Unit | None = None
) -> UnitHistory:
    past = UnitHistory(
        unit_id=unit.id,
        change=change.value,
        name=unit.name,
        abbreviation=unit.abbreviation,
        parent_id=unit.parent_id,
        valid_to=day - timedelta(days=1),
        merged_into_id=merged_into.id if merged_into else None,
    )
    session.add(past)
    session.flush()
    session.expire(unit, ["history"])
    return past


def _changing(session: Session, admin: User, code: str, today: date) -> Unit:
    """The open unit ``code``, if ``admin`` administers it."""
    unit = unit_by_code(session, code)
    require_admin(admin, today, within=unit)
    require_open(unit)
    return unit


def _subtree(session: Session, unit: Unit) -> list[Unit]:
    return list(
        session.scalars(
            select(Unit).where(Unit.path.startswith(unit.path, autoescape=True)).order_by(Unit.path)
        )
    )


def _require_settled(session: Session, unit: Unit) -> None:
    inside = select(Unit.id).where(Unit.path.startswith(unit.path, autoescape=True))
    waiting = session.scalars(
        select(Nomination.id)
        .where(
            Nomination.origin_unit_id.in_(inside),
            Nomination.state.not_in([s.value for s in SETTLED]),
        )
        .order_by(Nomination.id)
        .limit(11)
    ).all()
    if waiting:
        shown = ", ".join(str(i) for i in waiting[:10]) + (", …" if len(waiting) > 10 else "")
        raise InvalidInput(
            f"Đơn vị {unit.code} còn hồ sơ chưa xong (số {shown}): xử lý xong hoặc rút trước.",
            f"Unit {unit.code} still has nominations under way (no. {shown}); settle them first.",
            {"unit": "nominations_under_way"},
        )


def _reparent(session: Session, unit: Unit, parent: Unit, day: date) -> list[Base]:
    """``unit`` and its subtree now hang under ``parent``; what changed, for the trail."""
    if parent.path.startswith(unit.path):
        raise InvalidInput(
            "Không chuyển đơn vị về dưới chính nó.",
            "A unit cannot move under itself.",
            {"parent_code": "inside"},
        )
    if Level(parent.level).depth >= Level(unit.level).depth:
        raise InvalidInput(
            "Đơn vị cấp trên phải ở cấp cao hơn.",
            "The parent must be at a higher level.",
            {"parent_code": "level"},
        )
    require_open(parent)
    changed: list[Base] = [_remember(session, unit, UnitChange.MOVED, day)]
    old, new = unit.path, f"{parent.path}{unit.id}/"
    for below in _subtree(session, unit):
        below.path = new + below.path[len(old) :]
        changed.append(below)
    unit.parent = parent
    return changed


def rename(
    session: Session,
    admin: User,
    code: str,
    name: str,
    abbreviation: str | None,
    on: date,
    now: datetime | None = None,
) -> Unit:
    """A new name (and abbreviation) from ``on``; documents of earlier days keep the old."""
    now = now or utcnow()
    with transaction(session):
        unit = _changing(session, admin, code, vn_date(now))
        day = _day(unit, on, vn_date(now))
        new_name = clean_unit_name(name)
        new_abbreviation = clean_abbreviation(abbreviation or unit.abbreviation)
        if (new_name, new_abbreviation) == (unit.name, unit.abbreviation):
            raise InvalidInput(
                "Tên mới giống tên hiện tại.", "The new name is the current one.", {"name": "same"}
            )
        past = _remember(session, unit, UnitChange.RENAMED, day)
        unit.name, unit.abbreviation = new_name, new_abbreviation
        audit.record_change(session, "unit_renamed", admin.username, now, unit, past)
        return unit


def move(
    session: Session,
    admin: User,
    code: str,
    parent_code: str,
    on: date,
    now: datetime | None = None,
) -> Unit:
    """The unit (with everything below it) hangs under another parent from ``on``."""
    now = now or utcnow()
    with transaction(session):
        unit = _changing(session, admin, code, vn_date(now))
        parent = unit_by_code(session, parent_code)
        require_admin(admin, vn_date(now), within=parent)
        if unit.parent_id == parent.id:
            raise InvalidInput(
                "Đơn vị đã ở dưới đơn vị cấp trên này.",
                "The unit is already under this parent.",
                {"parent_code": "same"},
            )
        day = _day(unit, on, vn_date(now))
        _require_settled(session, unit)
        changed = _reparent(session, unit, parent, day)
        audit.record_change(session, "unit_moved", admin.username, now, *changed)
        return unit


def _move_members(
    session: Session, source: Unit, target: Unit, day: date, ids: list[int] | None
) -> list[Base]:
    """Members of ``source`` (those of ``ids``, or all) belong to ``target`` from ``day``."""
    query = select(Membership).where(
        Membership.unit_id == source.id,
        (Membership.valid_to.is_(None)) | (Membership.valid_to >= day),
    )
    wanted = None if ids is None else set(ids)  # picked among the unit's: no list is too long
    changed: list[Base] = []
    for held in session.scalars(query.order_by(Membership.id)):
        if wanted is not None and held.member_id not in wanted:
            continue
        if held.valid_from >= day:
            held.unit_id = target.id
            changed.append(held)
            continue
        held.valid_to, until = day - timedelta(days=1), held.valid_to
        joined = Membership(member_id=held.member_id, unit_id=target.id, valid_from=day)
        joined.valid_to = until
        session.add(joined)
        changed += [held, joined]
    session.flush()
    return changed


def merge(
    session: Session, admin: User, code: str, into_code: str, on: date, now: datetime | None = None
) -> Unit:
    """``code`` joins ``into_code`` from ``on``: its members and the units below it move
    there, the roles held at it end the day before, and it closes (its past stays readable)."""
    now = now or utcnow()
    with transaction(session):
        unit = _changing(session, admin, code, vn_date(now))
        target = _changing(session, admin, into_code, vn_date(now))
        if unit.id == target.id or unit.level != target.level or target.path.startswith(unit.path):
            raise InvalidInput(
                "Chỉ sáp nhập vào một đơn vị khác cùng cấp.",
                "A unit merges only into another unit of the same level.",
                {"into": "level"},
            )
        day = _day(unit, on, vn_date(now))
        _require_settled(session, unit)
        changed: list[Base] = [_remember(session, unit, UnitChange.MERGED, day, target)]
        for child in session.scalars(select(Unit).where(Unit.parent_id == unit.id)).all():
            if child.closed_on is None:
                changed += _reparent(session, child, target, day)
        changed += _move_members(session, unit, target, day, None)
        for held in session.scalars(
            select(RoleAssignment).where(
                RoleAssignment.unit_id == unit.id,
                (RoleAssignment.valid_to.is_(None)) | (RoleAssignment.valid_to >= day),
            )
        ):
            if held.valid_from is not None and held.valid_from >= day:
                raise InvalidInput(
                    f"Vai trò của tài khoản bắt đầu từ {held.valid_from:%d/%m/%Y} tại {code}: "
                    "kết thúc vai trò đó trước khi sáp nhập.",
                    f"A role at {code} starts on {held.valid_from}: end it before the merge.",
                    {"on": "role_after_merge"},
                )
            held.valid_to = day - timedelta(days=1)
            changed.append(held)
        audit.record_change(session, "unit_merged", admin.username, now, *changed)
        return target


def split(
    session: Session,
    admin: User,
    code: str,
    new_code: str,
    new_name: str,
    abbreviation: str | None,
    on: date,
    member_ids: list[int],
    child_codes: list[str],
    now: datetime | None = None,
) -> Unit:
    """A new unit beside ``code`` (same parent, same level) takes the members and the units
    below it that are named, from ``on``; the rest stay."""
    now = now or utcnow()
    with transaction(session):
        unit = _changing(session, admin, code, vn_date(now))
        if unit.parent is None:
            raise InvalidInput(
                "Không chia tách đơn vị gốc.", "The root unit is not split.", {"code": "root"}
            )
        if not member_ids and not child_codes:
            raise InvalidInput(
                "Chọn ít nhất một đoàn viên hoặc đơn vị trực thuộc chuyển sang đơn vị mới.",
                "Pick at least one member or unit below to go to the new unit.",
                {"members": "required"},
            )
        day = _day(unit, on, vn_date(now))
        _require_settled(session, unit)
        created = create_unit(
            session, new_code, new_name, unit.level, unit.parent.code, abbreviation, actor=admin
        )
        changed: list[Base] = [_remember(session, unit, UnitChange.SPLIT, day)]
        for child_code in child_codes:
            child = unit_by_code(session, child_code)
            if child.parent_id != unit.id:
                raise InvalidInput(
                    f"{child_code} không trực thuộc {code}.",
                    f"{child_code} is not directly below {code}.",
                    {"units": "not_below"},
                )
            changed += _reparent(session, child, created, day)
        moved = _move_members(session, unit, created, day, member_ids)
        if len({m.member_id for m in moved if isinstance(m, Membership)}) != len(set(member_ids)):
            raise InvalidInput(
                f"Có đoàn viên được chọn không thuộc {code} vào ngày đó.",
                f"A member picked did not belong to {code} that day.",
                {"members": "not_member"},
            )
        changed += moved
        audit.record_change(session, "unit_split", admin.username, now, created, *changed)
        return created


def open_grassroots(session: Session) -> list[Unit]:
    """Every CĐCS no merge has closed, by name: where a member may move (the move form's
    picker, so an officer need not know a unit's code)."""
    merged = select(UnitHistory.id).where(
        UnitHistory.unit_id == Unit.id, UnitHistory.change == UnitChange.MERGED.value
    )
    return list(
        session.scalars(
            select(Unit).where(Unit.level == Level.CDCS.value, ~merged.exists()).order_by(Unit.name)
        )
    )


def managed_open(session: Session, admin: User, day: date) -> list[Unit]:
    """The units of the admin's subtrees that no merge has closed: what a picker offers."""
    return [u for u in units_below(session, admin, Role.ADMIN, day) if u.closed_on is None]


def possible_parents(session: Session, admin: User, day: date) -> list[Unit]:
    """Where the admin may add a unit: an open unit of a level that has levels below it."""
    lowest = list(Level)[-1]
    return [u for u in managed_open(session, admin, day) if u.level != lowest]


@dataclass(frozen=True)
class Choices:
    """What the administrator may pick when reorganising ``unit``: only open units of their
    own subtrees, and for a split the members and units now directly in it."""

    parents: list[Unit]
    peers: list[Unit]
    children: list[Unit]
    members: list[Member]


def choices(session: Session, admin: User, unit: Unit, day: date) -> Choices:
    managed = managed_open(session, admin, day)
    depth = Level(unit.level).depth
    outside = [u for u in managed if not u.path.startswith(unit.path)]
    members = session.scalars(
        select(Member)
        .join(Membership, Membership.member_id == Member.id)
        .where(
            Membership.unit_id == unit.id,
            Membership.valid_from <= day,
            (Membership.valid_to.is_(None)) | (Membership.valid_to >= day),
        )
        .order_by(Member.search, Member.id)
    ).all()
    return Choices(
        parents=[u for u in outside if Level(u.level).depth < depth and u.id != unit.parent_id],
        peers=[u for u in outside if u.level == unit.level],
        children=[u for u in managed if u.parent_id == unit.id],
        members=list(members),
    )
