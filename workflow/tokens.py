"""API bearer tokens: random, stored only as a hash, expiring, revocable."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from rules.params import within
from workflow.clock import utcnow
from workflow.models import ApiToken, RoleAssignment, Unit, User
from workflow.prepared import Prepared
from workflow.transaction import transaction

TOKEN_LIFETIME = timedelta(hours=8)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(session: Session, user: User, now: datetime | None = None) -> tuple[str, datetime]:
    """A new token for ``user``; the caller sees it once, the database keeps its hash."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    expires = now + TOKEN_LIFETIME
    with transaction(session):
        session.add(
            ApiToken(user_id=user.id, digest=_digest(token), created_at=now, expires_at=expires)
        )
    return token, expires


@dataclass(frozen=True)
class Place:
    """A unit as a read needs it: where it sits in the tree."""

    path: str


@dataclass(frozen=True)
class Held:
    """One of the bearer's role assignments, as reads need it (``visibility.Seat``)."""

    role: str
    unit_id: int
    unit: Place
    valid_from: date | None
    valid_to: date | None

    def active_on(self, day: date) -> bool:
        return within(day, self.valid_from, self.valid_to)


@dataclass(frozen=True)
class Bearer:
    """Who a valid token speaks for (``id`` is the user's), with their roles: what an API
    read needs to list and open what they may see (``visibility.Reader``). Loading the user
    and the roles as objects was a sixth of an API read (issue 19); a request that acts
    loads the user by ``id``."""

    id: int
    token_id: int
    must_change_password: bool
    assignments: tuple[Held, ...]


# One round trip on the driver: the token, its user and the user's roles with their units'
# paths (one row per role).
_BEARER = Prepared(
    select(
        User.id,
        User.is_active,
        User.must_change_password,
        ApiToken.id,
        ApiToken.expires_at,
        ApiToken.revoked_at,
        RoleAssignment.role,
        RoleAssignment.unit_id,
        Unit.path,
        RoleAssignment.valid_from,
        RoleAssignment.valid_to,
    )
    .select_from(
        ApiToken.__table__.join(User.__table__, User.id == ApiToken.user_id)
        .outerjoin(RoleAssignment.__table__, RoleAssignment.user_id == User.id)
        .outerjoin(Unit.__table__, Unit.id == RoleAssignment.unit_id)
    )
    .where(ApiToken.digest == bindparam("digest"))
)


def resolve(session: Session, token: str, now: datetime | None = None) -> Bearer | None:
    """Who a token speaks for, or None when it is unknown, expired or revoked, or its user
    is no longer active."""
    now = now or utcnow()
    rows = _BEARER.rows(session, {"digest": _digest(token)})
    if not rows:
        return None
    user_id, is_active, must_change_password, token_id, expires_at, revoked_at = rows[0][:6]
    if revoked_at is not None or expires_at <= now or not is_active:
        return None
    held = tuple(
        Held(role, unit_id, Place(path), valid_from, valid_to)
        for *_, role, unit_id, path, valid_from, valid_to in rows
        if role is not None
    )
    return Bearer(user_id, token_id, must_change_password, held)


def revoke(session: Session, row: ApiToken, now: datetime | None = None) -> None:
    with transaction(session):
        row.revoked_at = now or utcnow()
