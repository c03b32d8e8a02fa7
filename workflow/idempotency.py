"""Idempotency keys: a retried request gets the first answer and changes nothing.

The answer is remembered in the transaction of the change it describes. A retry finds it
(:func:`replayed`); a retry racing the first request loses on the record's unique key and,
once that transaction is rolled back, replays what the winner committed (:func:`once`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import transaction
from workflow.errors import IdempotencyKeyReused
from workflow.models import IdempotencyRecord, User

T = TypeVar("T")


def request_hash(payload: dict[str, Any]) -> str:
    """A fingerprint of what the caller asked, whatever it contains (even invalid input)."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def replayed(session: Session, actor: User, key: str, fingerprint: str) -> dict[str, Any] | None:
    """The answer first given to this key, or None if it is new; refused if the key was
    used for a different request (a client bug that must not be answered as a success)."""
    record = session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.user_id == actor.id, IdempotencyRecord.key == key
        )
    )
    if record is None:
        return None
    if record.request_hash != fingerprint:
        raise IdempotencyKeyReused(
            "Khóa chống gửi trùng này đã được dùng cho một yêu cầu khác.",
            "This idempotency key was already used for a different request.",
            {"idempotency_key": key},
        )
    return dict(record.response)


def remember(
    session: Session,
    actor: User,
    key: str,
    fingerprint: str,
    response: dict[str, Any],
    now: datetime,
) -> None:
    """Keep the answer for retries, in the same transaction as the change it describes."""
    session.add(
        IdempotencyRecord(
            user_id=actor.id, key=key, request_hash=fingerprint, response=response, created_at=now
        )
    )
    session.flush()


def once(
    session: Session,
    actor: User,
    key: str | None,
    fingerprint: str,
    work: Callable[[], T],
    answer: Callable[[dict[str, Any]], T],
) -> T:
    """``work()`` as one transaction; if it collides with a concurrent first use of ``key``
    (the only unique key such a request can break), the first request's answer instead,
    rebuilt by ``answer`` from what :func:`remember` kept. ``work`` checks :func:`replayed`
    itself, at the point where a retry must see the first request's record."""
    if key is None:
        return transaction.run(session, work)

    def first() -> T | None:
        found = replayed(session, actor, key, fingerprint)
        return None if found is None else answer(found)

    return transaction.run(session, work, on_conflict=first)
