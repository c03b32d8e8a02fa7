"""API bearer tokens: random, stored only as a hash, expiring, revocable."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow.clock import utcnow
from workflow.models import ApiToken, User
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


def resolve(
    session: Session, token: str, now: datetime | None = None
) -> tuple[User, ApiToken] | None:
    """The active user behind a token, or None when unknown, expired or revoked."""
    now = now or utcnow()
    row = session.scalar(select(ApiToken).where(ApiToken.digest == _digest(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return user, row


def revoke(session: Session, row: ApiToken, now: datetime | None = None) -> None:
    with transaction(session):
        row.revoked_at = now or utcnow()
