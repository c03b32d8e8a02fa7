"""Units, users and role assignments: the who-and-where every permission reads."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.errors import InvalidInput, NotAllowed, NotFound
from workflow.models import RoleAssignment, Unit, User
from workflow.vocabulary import Level, Role

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# A hash of a random string, checked when the user is unknown so timing does not reveal it.
_DUMMY_HASH = _hasher.hash("no such user; constant-time path")
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Mật khẩu phải có ít nhất {MIN_PASSWORD_LENGTH} ký tự.",
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters.",
            {"password": "too_short"},  # an error code, not a password  # nosec B105
        )
    return _hasher.hash(password)


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return user if user is not None and user.is_active else None


def unit_by_code(session: Session, code: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise NotFound(f"Không có đơn vị mã '{code}'.", f"No unit with code '{code}'.")
    return unit


def user_named(session: Session, username: str | None) -> User | None:
    """The user a substitute acts for: None when none is named, refused when unknown."""
    if not username:
        return None
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise InvalidInput(
            f"Không có tài khoản '{username}' để làm thay.",
            f"No user '{username}' to act for.",
            {"acting_for": "unknown"},
        )
    return user


def create_unit(
    session: Session, code: str, name: str, level: str, parent_code: str | None = None
) -> Unit:
    """Add a unit under its parent; a child sits exactly one level below or deeper."""
    if not CODE_PATTERN.match(code):
        raise InvalidInput(
            "Mã đơn vị chỉ gồm chữ không dấu, số, '.', '-', '_' (tối đa 40 ký tự).",
            "A unit code has only ASCII letters, digits, '.', '-', '_' (40 at most).",
            {"code": "invalid"},
        )
    try:
        lvl = Level(level)
    except ValueError:
        raise InvalidInput(
            f"Cấp '{level}' không hợp lệ.", f"Unknown level '{level}'.", {"level": "invalid"}
        ) from None
    if session.scalar(select(Unit.id).where(Unit.code == code)) is not None:
        raise InvalidInput(
            f"Mã đơn vị '{code}' đã tồn tại.", f"Unit code '{code}' exists.", {"code": "taken"}
        )
    parent = unit_by_code(session, parent_code) if parent_code else None
    if parent is None and lvl is not Level.TONG_LDLD:
        raise InvalidInput(
            "Đơn vị này cần có đơn vị cấp trên.",
            "This unit needs a parent.",
            {"parent_code": "required"},
        )
    if parent is not None and Level(parent.level).depth >= lvl.depth:
        raise InvalidInput(
            "Đơn vị cấp trên phải ở cấp cao hơn.",
            "The parent must be at a higher level.",
            {"parent_code": "level"},
        )
    unit = Unit(code=code, name=name, level=lvl.value, parent=parent)
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    return unit


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def create_user(
    session: Session, username: str, full_name: str, password: str, email: str | None = None
) -> User:
    """A user; without an ``email`` they see their notifications in the app only."""
    email = (email or "").strip() or None
    if email is not None and (len(email) > 254 or not EMAIL.match(email)):
        raise InvalidInput(
            f"Địa chỉ thư '{email}' không hợp lệ.",
            f"'{email}' is not a valid email address.",
            {"email": "invalid"},
        )
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise InvalidInput(
            f"Tên đăng nhập '{username}' đã có.",
            f"Username '{username}' is taken.",
            {"username": "taken"},
        )
    user = User(
        username=username, full_name=full_name, email=email, password_hash=hash_password(password)
    )
    session.add(user)
    session.flush()
    return user


def assign_role(
    session: Session,
    user: User,
    role: str,
    unit_code: str,
    *,
    valid_from: date | None = None,
    valid_to: date | None = None,
    acting_for: User | None = None,
) -> RoleAssignment:
    """Give a role at a unit. Officers sit at a CĐCS; reviewers and deciders above it."""
    try:
        r = Role(role)
    except ValueError:
        raise InvalidInput(
            f"Vai trò '{role}' không hợp lệ.", f"Unknown role '{role}'.", {"role": "invalid"}
        ) from None
    unit = unit_by_code(session, unit_code)
    at_cdcs = unit.level == Level.CDCS
    if (r is Role.OFFICER and not at_cdcs) or (
        r in (Role.REVIEWER, Role.COUNCIL, Role.DECIDER) and at_cdcs
    ):
        raise InvalidInput(
            f"Vai trò '{r.vi}' không đặt được ở đơn vị cấp '{Level(unit.level).vi}'.",
            f"Role '{r.en}' cannot be held at a '{Level(unit.level).en}' unit.",
            {"role": "level"},
        )
    if valid_from and valid_to and valid_from > valid_to:
        raise InvalidInput(
            "Ngày bắt đầu phải trước ngày kết thúc.",
            "The start date must not be after the end date.",
            {"valid_to": "before_valid_from"},
        )
    assignment = RoleAssignment(
        user=user,
        role=r.value,
        unit=unit,
        valid_from=valid_from,
        valid_to=valid_to,
        acting_for=acting_for,
    )
    session.add(assignment)
    session.flush()
    return assignment


def create_user_with_roles(
    session: Session,
    username: str,
    full_name: str,
    password: str,
    roles: list[dict[str, Any]],
    email: str | None = None,
) -> User:
    """A user and their dated role assignments (``role``, ``unit_code``, ``valid_from``,
    ``valid_to``, ``acting_for``), all flushed together; the caller commits or rolls back."""
    user = create_user(session, username, full_name, password, email)
    for role in roles:
        assign_role(
            session,
            user,
            role["role"],
            role["unit_code"],
            valid_from=role.get("valid_from"),
            valid_to=role.get("valid_to"),
            acting_for=user_named(session, role.get("acting_for")),
        )
    return user


def active_assignments(user: User, day: date) -> list[RoleAssignment]:
    return [a for a in user.assignments if a.active_on(day)]


def require_role(actor: User, roles: set[Role], day: date, within: Unit | None = None) -> None:
    """Refuse unless ``actor`` holds one of ``roles`` (at ``within`` or above it)."""
    for a in active_assignments(actor, day):
        if a.role in roles and (within is None or within.path.startswith(a.unit.path)):
            return
    names = ", ".join(sorted(r.vi for r in roles))
    raise NotAllowed(
        f"Thao tác này cần vai trò: {names}"
        + (f" (đơn vị {within.code} hoặc cấp trên)." if within else "."),
        f"This needs one of the roles: {', '.join(sorted(r.value for r in roles))}.",
        {"required_role": sorted(r.value for r in roles)},
    )
