"""Login throttling shared by every worker and host: attempts are counted in the database.

Within a sliding hour, an account that has failed ``PER_ACCOUNT`` times and an address
that has failed ``PER_ADDRESS`` times are refused before the password is even checked.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from workflow.clock import utcnow
from workflow.models import LoginFailure

WINDOW = timedelta(hours=1)
PER_ACCOUNT = 100
PER_ADDRESS = 1000


def refused(session: Session, username: str, address: str, now: datetime | None = None) -> bool:
    since = (now or utcnow()) - WINDOW
    by_account = session.scalar(
        select(func.count()).where(LoginFailure.username == username, LoginFailure.at > since)
    )
    if (by_account or 0) >= PER_ACCOUNT:
        return True
    by_address = session.scalar(
        select(func.count()).where(LoginFailure.address == address, LoginFailure.at > since)
    )
    return (by_address or 0) >= PER_ADDRESS


def record_failure(
    session: Session, username: str, address: str, now: datetime | None = None
) -> None:
    now = now or utcnow()
    session.add(LoginFailure(username=username[:80], address=address[:64], at=now))
    # Old rows are useless to the window; drop them as we go.
    session.execute(delete(LoginFailure).where(LoginFailure.at <= now - WINDOW))
    session.commit()
