"""Units, users and role assignments: the who-and-where every permission reads, and the
administration that changes them (each change one transaction, vouched for by the chain).
Password policy and hashing: :mod:`workflow.passwords`."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from workflow import audit
from workflow.clock import check_days, utcnow, vn_date
from workflow.errors import InvalidInput, NotAllowed, NotFound
from workflow.folding import fold
from workflow.inputs import clean_line
from workflow.models import ApiToken, Campaign, RoleAssignment, Unit, User
from workflow.passwords import check_password, hash_password, verify_password
from workflow.transaction import checked_again_on_conflict, transaction
from workflow.vocabulary import Level, Role

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")

# --- sessions and passwords --------------------------------------------------------------


def end_sessions(
    session: Session,
    user: User,
    *,
    revoke_tokens: bool,
    keep_token: ApiToken | None = None,
    now: datetime | None = None,
) -> None:
    """End every session of ``user`` on every host: the generation their cookies carry no
    longer matches. With ``revoke_tokens``, their API tokens end too (all but ``keep_token``).
    """
    with transaction(session):
        user.session_generation = (user.session_generation or 0) + 1
        if revoke_tokens:
            revoke = update(ApiToken).where(
                ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)
            )
            if keep_token is not None:
                revoke = revoke.where(ApiToken.id != keep_token.id)
            session.execute(revoke.values(revoked_at=now or utcnow()))
        session.flush()


# The refusal's details when the current password given is wrong (what throttling counts).
WRONG_CURRENT_PASSWORD = {"current_password": "wrong"}  # an error code  # nosec B105


def change_password(
    session: Session,
    user: User,
    current: str,
    new: str,
    *,
    keep_token: ApiToken | None = None,
) -> None:
    """The user changes their own password: the current one is required, the new one follows
    the policy and differs from it. Every other session and token ends."""
    with transaction(session):
        if not verify_password(user, current):
            raise InvalidInput(
                "Mật khẩu hiện tại không đúng.",
                "The current password is wrong.",
                WRONG_CURRENT_PASSWORD,
            )
        if new == current:
            raise InvalidInput(
                "Mật khẩu mới phải khác mật khẩu hiện tại.",
                "The new password must differ from the current one.",
                {"password": "unchanged"},  # an error code, not a password  # nosec B105
            )
        check_password(new, user.username, user.full_name)
        user.password_hash = hash_password(new)
        user.must_change_password = False
        end_sessions(session, user, revoke_tokens=True, keep_token=keep_token)
        audit.record_change(session, "password_changed", user.username, utcnow(), user)


def reset_password(session: Session, admin: User, username: str, new: str, day: date) -> None:
    """An administrator gives a user a temporary password: it follows the policy, the user
    must change it at their next login, and all their sessions and tokens end. The admin's
    subtree holds every unit where the user has a role (an account without a role needs a
    root administrator)."""
    with transaction(session):
        user = managed_user(session, admin, username, day)
        check_password(new, user.username, user.full_name)
        user.password_hash = hash_password(new)
        user.must_change_password = True
        end_sessions(session, user, revoke_tokens=True)
        audit.record_change(session, "password_reset", admin.username, utcnow(), user)


def deactivate(session: Session, user: User, actor: User | None = None) -> None:
    """The account can no longer sign in: its sessions and tokens end now on every host, and
    stay ended if it is ever reactivated. The caller checks who may do it."""
    with transaction(session):
        user.is_active = False
        end_sessions(session, user, revoke_tokens=True)
        audit.record_change(session, "user_deactivated", who(actor), utcnow(), user)


def unit_by_code(session: Session, code: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise NotFound(f"Không có đơn vị mã '{code}'.", f"No unit with code '{code}'.")
    return unit


def unit_typed(session: Session, typed: str) -> Unit:
    """The unit a person picked in a field that suggests units by name: its code, or its
    name typed out in full (without diacritics or capitals too)."""
    text = " ".join(typed.split())
    unit = session.scalar(select(Unit).where(Unit.code == text))
    if unit is None:
        named = [u for u in session.scalars(select(Unit)) if fold(u.name) == fold(text)]
        unit = named[0] if len(named) == 1 else None
    if unit is None:
        said = text if len(text) <= 200 else text[:200] + "…"  # a unit's name is 200 at most
        raise NotFound(
            f"Không có đơn vị «{said}»: hãy chọn một đơn vị trong danh sách gợi ý.",
            f"No unit '{said}': pick one from the suggestions.",
        )
    return unit


def require_open(unit: Unit) -> None:
    """A unit closed by a merge takes no new unit, role or member."""
    if unit.closed_on is not None:
        raise InvalidInput(
            f"Đơn vị {unit.code} đã sáp nhập vào đơn vị khác từ {unit.closed_on:%d/%m/%Y}.",
            f"Unit {unit.code} was merged into another on {unit.closed_on}.",
            {"unit": "closed"},
        )


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


# What a unit prints after its documents' numbers when none is given; admins set the real one.
DEFAULT_ABBREVIATION = {
    Level.TONG_LDLD: "TLĐ",
    Level.LDLD_TINH: "LĐLĐ",
    Level.CD_CAP_TREN: "CĐ",
    Level.CDCS: "CĐCS",
}
_ABBREVIATION_SYMBOLS = frozenset("-&.")


def clean_unit_name(text: str | None) -> str:
    """The unit's name as stored (one line, NFC), 200 characters at most as its column."""
    return clean_line(text, "name", ("Tên đơn vị", "Unit name"), 200, required=True)


def clean_abbreviation(text: str) -> str:
    """The abbreviation as printed: NFC, upper case; letters (Đ included), digits, '-', '&', '.'."""
    abbreviation = unicodedata.normalize("NFC", text).strip().upper()
    if not (
        0 < len(abbreviation) <= 20
        and abbreviation[0].isalnum()
        and all(c.isalnum() or c in _ABBREVIATION_SYMBOLS for c in abbreviation)
    ):
        raise InvalidInput(
            "Tên viết tắt của đơn vị gồm chữ cái (có thể có dấu, như LĐLĐ), số, '-', '&', '.' "
            "(tối đa 20 ký tự).",
            "A unit's abbreviation has letters (Vietnamese ones too, as in LĐLĐ), digits, '-', "
            "'&', '.' (20 at most).",
            {"abbreviation": "invalid"},
        )
    return abbreviation


@checked_again_on_conflict
def _require_issuer_free(session: Session, actor: User, code: str) -> None:
    """A campaign whose issuer is not a unit here (the Tổng Liên đoàn's plan) reaches every
    unit, and only a root administrator may change it; a unit given the issuer's code would
    narrow the plan to that unit and hand it to whoever administers it."""
    title = session.scalar(select(Campaign.title).where(Campaign.issuer_code == code).limit(1))
    if title is None:
        return
    if administers_root(actor, vn_date(utcnow())):
        return
    raise NotAllowed(
        f"Mã '{code}' là đơn vị ban hành đợt thi đua «{title}»: chỉ quản trị viên cấp cao nhất "
        "được tạo đơn vị mang mã này.",
        f"'{code}' is the issuer of the campaign «{title}»: only a top-level administrator may "
        "create a unit with this code.",
        {"code": "campaign_issuer"},
    )


def create_unit(
    session: Session,
    code: str,
    name: str,
    level: str,
    parent_code: str | None = None,
    abbreviation: str | None = None,
    actor: User | None = None,
) -> Unit:
    """Add a unit under its parent; a child sits exactly one level below or deeper."""
    with transaction(session):
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
        if parent is not None:
            require_open(parent)
        if actor is not None:
            require_admin(actor, vn_date(utcnow()), parent)
        if actor is not None:
            _require_issuer_free(session, actor, code)
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
        unit = Unit(
            code=code,
            name=clean_unit_name(name),
            abbreviation=clean_abbreviation(abbreviation or DEFAULT_ABBREVIATION[lvl]),
            level=lvl.value,
            parent=parent,
        )
        session.add(unit)
        session.flush()
        unit.path = f"{parent.path if parent else '/'}{unit.id}/"
        audit.record_change(session, "unit_created", who(actor), utcnow(), unit)
        return unit


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A sign-in name: it is typed at sign-in, shown in links (/admin/users/<name>) and in the trail.
USERNAME_PATTERN = r"^[A-Za-z0-9._-]{1,80}$"
_USERNAME = re.compile(USERNAME_PATTERN, re.ASCII)


def who(actor: User | None) -> str:
    """How a link names who made a change: a username, or the server's own commands."""
    return actor.username if actor is not None else "system"


@checked_again_on_conflict
def create_user(
    session: Session,
    username: str,
    full_name: str,
    password: str,
    email: str | None = None,
    actor: User | None = None,
    *,
    allow_demo_password: bool = False,
) -> User:
    """A user; without an ``email`` they see their notifications in the app only.

    The password follows :func:`check_password`; only the demo loader passes
    ``allow_demo_password=True``, to give its accounts the published demo password."""
    with transaction(session):
        if not _USERNAME.fullmatch(username):
            raise InvalidInput(
                "Tên đăng nhập gồm 1–80 ký tự: chữ không dấu, chữ số, dấu chấm, gạch ngang, "
                "gạch dưới.",
                "A username is 1–80 characters: letters without accents, digits, '.', '-', '_'.",
                {"username": "invalid"},
            )
        full_name = clean_line(
            full_name, "full_name", ("Họ và tên", "Full name"), 200, required=True
        )
        email = (email or "").strip() or None
        if email is not None and (len(email) > 254 or not EMAIL.match(email)):
            raise InvalidInput(
                f"Địa chỉ thư '{email}' không hợp lệ.",
                f"'{email}' is not a valid email address.",
                {"email": "invalid"},
            )
        taken = select(User.id).where(func.lower(User.username) == username.lower())
        if session.scalar(taken) is not None:  # one sign-in name, however it is capitalised
            raise InvalidInput(
                f"Tên đăng nhập '{username}' đã có.",
                f"Username '{username}' is taken.",
                {"username": "taken"},
            )
        check_password(password, username, full_name, allow_demo_password=allow_demo_password)
        user = User(
            username=username,
            full_name=full_name,
            email=email,
            password_hash=hash_password(password),
        )
        session.add(user)
        audit.record_change(session, "user_created", who(actor), utcnow(), user)
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
    actor: User | None = None,
) -> RoleAssignment:
    """Give a role at a unit. Officers sit at a CĐCS; reviewers and deciders above it."""
    with transaction(session):
        try:
            r = Role(role)
        except ValueError:
            raise InvalidInput(
                f"Vai trò '{role}' không hợp lệ.", f"Unknown role '{role}'.", {"role": "invalid"}
            ) from None
        unit = unit_by_code(session, unit_code)
        require_open(unit)
        at_cdcs = unit.level == Level.CDCS
        if (r is Role.OFFICER and not at_cdcs) or (
            r in (Role.REVIEWER, Role.COUNCIL, Role.DECIDER) and at_cdcs
        ):
            raise InvalidInput(
                f"Vai trò '{r.vi}' không đặt được ở đơn vị cấp '{Level(unit.level).vi}'.",
                f"Role '{r.en}' cannot be held at a '{Level(unit.level).en}' unit.",
                {"role": "level"},
            )
        check_days(valid_from=valid_from, valid_to=valid_to)
        if valid_from and valid_to and valid_from > valid_to:
            raise InvalidInput(
                "Ngày bắt đầu phải trước ngày kết thúc.",
                "The start date must not be after the end date.",
                {"valid_to": "before_valid_from"},
            )
        if acting_for is not None:
            _check_substitution(user, r, unit, valid_from, valid_to, acting_for)
        assignment = RoleAssignment(
            user=user,
            role=r.value,
            unit=unit,
            valid_from=valid_from,
            valid_to=valid_to,
            acting_for=acting_for,
        )
        session.add(assignment)
        audit.record_change(session, "role_assigned", who(actor), utcnow(), assignment)
        return assignment


def _check_substitution(
    user: User,
    role: Role,
    unit: Unit,
    valid_from: date | None,
    valid_to: date | None,
    principal: User,
) -> None:
    """A substitute acts for someone who holds that very role there, for a bounded window:
    otherwise "acting for" would hand out a role nobody gave, for ever."""
    if valid_from is None or valid_to is None:
        raise InvalidInput(
            "Người làm thay cần có ngày bắt đầu và ngày kết thúc.",
            "A substitution needs a start and an end date.",
            {"valid_to" if valid_from else "valid_from": "required_for_substitute"},
        )
    if principal.id == user.id:
        raise InvalidInput(
            "Không thể làm thay chính mình.",
            "A user cannot act for themselves.",
            {"acting_for": "self"},
        )
    if covered_until(principal, role, unit.id, valid_from) >= valid_to:
        return
    raise InvalidInput(
        f"'{principal.username}' không giữ vai trò '{role.vi}' tại {unit.code} trong suốt thời "
        f"gian làm thay ({valid_from:%d/%m/%Y}–{valid_to:%d/%m/%Y}).",
        f"'{principal.username}' does not hold the '{role.en}' role at {unit.code} for the whole "
        f"substitution ({valid_from:%d/%m/%Y}–{valid_to:%d/%m/%Y}).",
        {"acting_for": "role_not_held"},
    )


def covered_until(principal: User, role: Role, unit_id: int, first_day: date) -> date:
    """The last day of the unbroken stretch from ``first_day`` on which ``principal`` holds
    the role at the unit themselves (the day before ``first_day`` when they do not hold it
    then): how long someone may act for them."""
    held = sorted(
        (a.valid_from or date.min, a.valid_to or date.max)
        for a in principal.assignments
        if a.role == role and a.unit_id == unit_id and a.acting_for_id is None
    )
    until = first_day - timedelta(days=1)
    for start, end in held:
        if start > until + timedelta(days=1):
            break
        until = max(until, end)
    return until


@checked_again_on_conflict
def create_user_with_roles(
    session: Session,
    username: str,
    full_name: str,
    password: str,
    roles: list[dict[str, Any]],
    email: str | None = None,
    actor: User | None = None,
) -> User:
    """A user and their dated role assignments (``role``, ``unit_code``, ``valid_from``,
    ``valid_to``, ``acting_for``), all in one transaction.

    ``actor`` (None: the server's own commands) must administer every unit named, and only
    an administrator of a root unit may create an account holding no role."""
    with transaction(session):
        if actor is not None:
            day = vn_date(utcnow())
            for role in roles:
                require_admin(actor, day, unit_by_code(session, role["unit_code"]))
            if not roles:
                require_admin(actor, day, None)
        user = create_user(session, username, full_name, password, email, actor)
        for role in roles:
            assign_role(
                session,
                user,
                role["role"],
                role["unit_code"],
                valid_from=role.get("valid_from"),
                valid_to=role.get("valid_to"),
                acting_for=user_named(session, role.get("acting_for")),
                actor=actor,
            )
        return user


@checked_again_on_conflict
def create_admin(
    session: Session, username: str, full_name: str, password: str, unit_code: str | None = None
) -> str:
    """An administrator at ``unit_code``, by default the root unit (created as TLĐ in an
    empty tree); the server's own command, so nobody else's reach is checked. Returns the
    code of the unit administered."""
    with transaction(session):
        if unit_code is None:
            root = session.scalars(select(Unit).where(Unit.parent_id.is_(None))).first()
            if root is None:
                root = create_unit(
                    session, "TLD", "Tổng Liên đoàn Lao động Việt Nam", Level.TONG_LDLD.value
                )
            unit_code = root.code
        user = create_user(session, username, full_name, password)
        assign_role(session, user, Role.ADMIN.value, unit_code)
    return unit_code


def active_assignments(user: User, day: date) -> list[RoleAssignment]:
    """The roles ``user`` holds that day; a substitution only while the person it stands in
    for holds the role themselves (one ended before roles' ends reached substitutions)."""
    return [a for a in user.assignments if a.active_on(day) and _principal_holds(a, day)]


def _principal_holds(assignment: RoleAssignment, day: date) -> bool:
    if assignment.acting_for_id is None:  # one's own role: the relationship is not loaded
        return True
    principal = assignment.acting_for
    return principal is None or any(
        held.acting_for_id is None
        and held.role == assignment.role
        and held.unit_id == assignment.unit_id
        and held.active_on(day)
        for held in principal.assignments
    )


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


def administered(actor: User, day: date) -> list[Unit]:
    """The units whose subtrees ``actor`` administers that day."""
    return [a.unit for a in active_assignments(actor, day) if a.role == Role.ADMIN]


def administers_root(actor: User, day: date) -> bool:
    """Whether ``actor`` administers a root unit that day: the top level, which keeps what
    has no unit of its own (a plan issued from outside, the holiday schedule)."""
    return any(u.parent_id is None for u in administered(actor, day))


def administers(actor: User, unit: Unit, day: date) -> bool:
    """Whether ``unit`` lies in a subtree ``actor`` administers that day."""
    return any(unit.path.startswith(u.path) for u in administered(actor, day))


def roles_administered(actor: User, user: User, day: date) -> list[RoleAssignment]:
    """The roles of ``user`` held inside ``actor``'s subtrees: what their account page shows
    a branch administrator (the others are managed above them)."""
    return [a for a in user.assignments if administers(actor, a.unit, day)]


def managed_user(session: Session, admin: User, username: str, day: date) -> User:
    """The account, if every unit where it holds a role is in the admin's subtree.

    Whoever is not an administrator is refused before any account is looked up, and an
    account with no role the admin can see is "not found" as one that does not exist: what
    the answer tells is only what the admin's own account list shows."""
    units = administered(admin, day)
    if not units:
        require_admin(admin, day, within=None)
    user = session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    seen = user is not None and (
        bool(roles_administered(admin, user, day))
        or (not user.assignments and any(u.parent_id is None for u in units))
    )
    if user is None or not seen:
        raise NotFound(f"Không có tài khoản '{username}'.", f"No user '{username}'.")
    for unit in {a.unit.id: a.unit for a in user.assignments}.values() or [None]:
        require_admin(admin, day, within=unit)
    return user


def require_admin(actor: User, day: date, within: Unit | None) -> None:
    """Administration reaches the administrator's own subtree only; what has no unit above
    it (a new root unit) needs an administrator of a root unit."""
    for unit in administered(actor, day):
        if within is None and unit.parent_id is None:
            return
        if within is not None and within.path.startswith(unit.path):
            return
    where = within.code if within is not None else "gốc"
    raise NotAllowed(
        f"Thao tác này cần quyền quản trị tại đơn vị {where} hoặc cấp trên.",
        f"This needs an administrator of {within.code if within else 'a root unit'} or above.",
        {"required_role": Role.ADMIN.value, "unit": within.code if within else None},
    )


def users_administered(session: Session, actor: User, day: date) -> list[User]:
    """The accounts an administrator manages: those holding a role inside their subtrees
    (a root administrator also sees accounts that hold no role yet)."""
    units = administered(actor, day)
    if not units:
        return []
    inside = or_(*(Unit.path.startswith(u.path, autoescape=True) for u in units))
    held = select(RoleAssignment.user_id).join(Unit).where(inside)
    query = select(User).where(User.id.in_(held))
    if any(u.parent_id is None for u in units):
        query = select(User).where(or_(User.id.in_(held), ~User.assignments.any()))
    return list(
        session.scalars(
            query.options(selectinload(User.assignments).joinedload(RoleAssignment.unit)).order_by(
                User.username
            )
        )
    )


def units_below(session: Session, actor: User, role: Role, day: date) -> list[Unit]:
    """The units where ``actor`` holds ``role`` and everything below them, in tree order."""
    paths = [a.unit.path for a in active_assignments(actor, day) if a.role == role]
    if not paths:
        return []
    return list(
        session.scalars(
            select(Unit)
            .where(or_(*(Unit.path.startswith(p, autoescape=True) for p in paths)))
            .options(selectinload(Unit.history))  # whether each is closed, in one query
            .order_by(Unit.path)
        )
    )
