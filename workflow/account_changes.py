"""Administration beyond creation: correct an account, lock and unlock it, add a role and end
one. Each change reaches only the administrator's own subtree (every unit where the account
holds a role must lie in it) and is a link in the trail."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import audit
from workflow.accounts import (
    EMAIL,
    assign_role,
    covered_until,
    end_sessions,
    managed_user,
    require_admin,
    unit_by_code,
)
from workflow.clock import check_days, utcnow, vn_date
from workflow.errors import InvalidInput, NotFound
from workflow.inputs import clean_line
from workflow.models import RoleAssignment, User
from workflow.transaction import transaction
from workflow.vocabulary import Role


def edit_user(
    session: Session,
    admin: User,
    username: str,
    full_name: str,
    email: str | None,
    now: datetime | None = None,
) -> User:
    """Correct the name people see and where notifications are mailed."""
    now = now or utcnow()
    with transaction(session):
        user = managed_user(session, admin, username, vn_date(now))
        user.full_name = clean_line(full_name, "full_name", ("Họ và tên", "Full name"), 200,
                                    required=True)  # fmt: skip
        address = (email or "").strip() or None
        if address is not None and (len(address) > 254 or not EMAIL.match(address)):
            raise InvalidInput(
                f"Địa chỉ thư '{address}' không hợp lệ.", f"'{address}' is not a valid address.",
                {"email": "invalid"},
            )  # fmt: skip
        user.email = address
        audit.record_change(session, "user_edited", admin.username, now, user)
        return user


def set_locked(
    session: Session, admin: User, username: str, locked: bool, now: datetime | None = None
) -> User:
    """Lock an account (it cannot sign in; its sessions and tokens end at once) or unlock it
    (it signs in again with its password; the ended sessions stay ended)."""
    now = now or utcnow()
    with transaction(session):
        user = managed_user(session, admin, username, vn_date(now))
        if user.id == admin.id and locked:
            raise InvalidInput(
                "Không tự khóa tài khoản của mình.", "You cannot lock your own account.",
                {"username": "self"},
            )  # fmt: skip
        user.is_active = not locked
        if locked:
            end_sessions(session, user, revoke_tokens=True)
        audit.record_change(
            session, "user_locked" if locked else "user_unlocked", admin.username, now, user
        )
        return user


def add_role(
    session: Session,
    admin: User,
    username: str,
    role: str,
    unit_code: str,
    valid_from: date | None = None,
    valid_to: date | None = None,
    now: datetime | None = None,
) -> RoleAssignment:
    """A further role for an existing account, at a unit of the admin's subtree."""
    now = now or utcnow()
    with transaction(session):
        user = managed_user(session, admin, username, vn_date(now))
        require_admin(admin, vn_date(now), within=unit_by_code(session, unit_code))
        return assign_role(
            session, user, role, unit_code, valid_from=valid_from, valid_to=valid_to, actor=admin
        )


def end_role(
    session: Session, admin: User, assignment_id: int, last_day: date, now: datetime | None = None
) -> RoleAssignment:
    """The role ends after ``last_day`` (history keeps it: who acted when stays readable)."""
    now = now or utcnow()
    with transaction(session):
        assignment = session.get(RoleAssignment, assignment_id)
        if assignment is None:
            raise NotFound("Không có vai trò này.", "No such role.")
        require_admin(admin, vn_date(now), within=assignment.unit)
        check_days(valid_to=last_day)
        if assignment.valid_from is not None and last_day < assignment.valid_from:
            raise InvalidInput(
                "Ngày kết thúc không được trước ngày bắt đầu.",
                "The last day cannot be before the first.",
                {"valid_to": "before_valid_from"},
            )
        assignment.valid_to = last_day
        audit.record_change(session, "role_ended", admin.username, now, assignment)
        _end_substitutions(session, admin, assignment, now)
        return assignment


def _end_substitutions(session: Session, admin: User, ended: RoleAssignment, now: datetime) -> None:
    """Whoever acts for the holder of an ended role stops when the role stops: a substitute
    acts only for someone who holds the role (``accounts._check_substitution``), and kept
    returning nominations for a reviewer who had left. One not begun is removed (its dates
    could not be ordered). Each change is a link too."""
    if ended.acting_for_id is not None:
        return
    leaning = session.scalars(
        select(RoleAssignment).where(
            RoleAssignment.acting_for_id == ended.user_id,
            RoleAssignment.role == ended.role,
            RoleAssignment.unit_id == ended.unit_id,
        )
    ).all()
    principal = ended.user
    for substitution in leaning:
        first = substitution.valid_from or date.min
        last = covered_until(principal, Role(ended.role), ended.unit_id, first)
        if last < first:  # not begun, and now never to: nothing acted under it
            key = f"role_assignments/{substitution.id}"
            session.delete(substitution)
            session.flush()
            audit.record_change(session, "role_ended", admin.username, now, removed=(key,))
        elif substitution.valid_to is None or last < substitution.valid_to:
            substitution.valid_to = last
            audit.record_change(session, "role_ended", admin.username, now, substitution)
