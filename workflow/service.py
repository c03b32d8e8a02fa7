"""The event pipeline: every move of a nomination through the workflow goes through ``fire``.

Each call is one transaction (:mod:`workflow.transaction`) that either commits everything
(the move, its audit link, the version bump, the notifications, the idempotency record) or
nothing. Creation and editing: :mod:`workflow.nominating`; signing a decision (the only way
to ``decide``): :mod:`workflow.signing`; who may fire what: :mod:`workflow.permissions`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from workflow import changes, eligibility, events, idempotency, notify
from workflow import checks as _campaign_rules  # noqa: F401 - registers the campaign rules
from workflow.changes import Outcome
from workflow.clock import utcnow, vn_date
from workflow.errors import (
    IllegalTransition,
    InvalidInput,
    NotAllowed,
    NotEligible,
    ReasonRequired,
    WorkflowError,
)
from workflow.events import EventSpec
from workflow.machine import allowed_events
from workflow.models import User
from workflow.permissions import acting_assignment, acting_unit, role_for
from workflow.transaction import transaction
from workflow.vocabulary import Event, State

MAX_COMMENT = 4000


def _clean_comment(comment: str | None, event: EventSpec) -> str | None:
    text = (comment or "").strip()
    if event.reason and not text:
        raise ReasonRequired(
            f"Thao tác «{event.vi}» cần ghi rõ lý do.",
            f"'{event.en}' needs a reason.",
            {"comment": "required"},
        )
    if len(text) > MAX_COMMENT:
        raise InvalidInput(
            f"Nội dung quá dài (tối đa {MAX_COMMENT} ký tự).",
            f"The comment is too long ({MAX_COMMENT} characters at most).",
            {"comment": "too_long"},
        )
    return text or None


def _listed(sentences: Iterable[str]) -> str:
    """Each rule's sentence in one list: "a; b." (they end in a full stop each: "a.; b.")."""
    return "; ".join(s.rstrip(".") for s in sentences) + "."


def fire(
    session: Session,
    nomination_id: int,
    event: str,
    actor: User,
    *,
    expected_version: int,
    comment: str | None = None,
    idempotency_key: str | None = None,
    now: datetime | None = None,
    **data: Any,
) -> Outcome:
    """Apply one event: permission, eligibility, transition, audit link, version bump.

    ``expected_version`` is the version the caller last saw (optimistic locking).
    ``idempotency_key`` makes retries safe: the first answer is returned again.
    """
    now = now or utcnow()
    spec = events.EVENTS.get(event)
    if spec is None:
        raise InvalidInput(
            f"Không có thao tác '{event}'.", f"Unknown event '{event}'.", {"event": "unknown"}
        )
    if not spec.direct:
        raise InvalidInput(
            "Thao tác này chỉ thực hiện qua tạo hồ sơ hoặc ký quyết định.",
            "This event happens only by creating a nomination or signing a decision.",
            {"event": "not_direct"},
        )
    # Only a request that may be retried is fingerprinted (the key's record keeps it).
    fingerprint = ""
    if idempotency_key is not None:
        fingerprint = idempotency.request_hash(
            {
                "id": nomination_id,
                "event": spec.name,
                "version": expected_version,
                "comment": comment,
                "data": data,
            }
        )
    return idempotency.once(
        session,
        actor,
        idempotency_key,
        fingerprint,
        lambda: _fire(
            session,
            nomination_id,
            spec,
            actor,
            expected_version,
            comment,
            idempotency_key,
            fingerprint,
            now,
            data,
        ),
        lambda first: Outcome(**first),
    )


def _fire(
    session: Session,
    nomination_id: int,
    spec: EventSpec,
    actor: User,
    expected_version: int,
    comment: str | None,
    idempotency_key: str | None,
    fingerprint: str,
    now: datetime,
    data: dict[str, Any],
) -> Outcome:
    today = vn_date(now)
    event = spec.event
    # Lock first: a concurrent retry then sees the committed idempotency record below.
    nomination = changes.load_for_update(session, nomination_id, actor, today)
    if idempotency_key is not None:
        first = idempotency.replayed(session, actor, idempotency_key, fingerprint)
        if first is not None:
            return Outcome(**first)
    changes.check_version(nomination, expected_version)
    if spec.name not in allowed_events(nomination.state):
        state = State(nomination.state)
        raise IllegalTransition(
            f"Không thể «{event.vi}» hồ sơ ở trạng thái «{state.vi}».",
            f"Cannot '{event.en}' a nomination that is '{state.en}'.",
            {"state": state.value, "event": spec.name},
        )
    role = role_for(spec.name, nomination.state)
    assignment = acting_assignment(actor, role, acting_unit(nomination, role), today)
    if assignment is None:
        raise NotAllowed(
            f"Bạn không có quyền «{event.vi}» hồ sơ này (cần vai trò «{role.vi}» tại đơn vị đang giữ hồ sơ).",
            f"You may not '{event.en}' this nomination (needs the '{role.en}' role at its unit).",
            {"required_role": role.value},
        )
    clean_comment = _clean_comment(comment, spec)
    event_data = events.check_data(spec, data, nomination.award_type, today)
    moved: dict[str, Any] = {}  # columns the event writes besides those the machine moves
    problems = eligibility.blocking_problems(session, nomination, event, today, moved)
    if problems:
        raise NotEligible(
            "Hồ sơ chưa đủ điều kiện: " + _listed(p.message_vi for p in problems),
            "The nomination is not eligible: " + _listed(p.message_en for p in problems),
            [
                {"rule": p.rule, "message_vi": p.message_vi, "message_en": p.message_en}
                for p in problems
            ],
        )
    if event is Event.SUBMIT:
        moved["route"], moved["route_codes"] = changes.compute_route(
            session, nomination.origin_unit, nomination.award_type
        )
        moved["submitted_on"] = today
    before, to_unit = changes.apply(
        session, nomination, event, today, now, event_data if event is Event.VOTE else None, moved
    )
    opened = spec.follow_up(session, nomination, today) if spec.follow_up else ()
    # Before the link: appending it locks the trail's head until the commit, so whatever
    # else the event writes goes first and every other event waits as little as it can.
    notify.after_event(session, nomination, spec, actor, now, clean_comment)
    outcome = changes.record(
        session,
        nomination,
        actor,
        assignment,
        event,
        before,
        to_unit,
        now,
        clean_comment,
        event_data,
        also=opened,
    )
    if idempotency_key is not None:
        idempotency.remember(session, actor, idempotency_key, fingerprint, outcome.as_dict(), now)
    session.flush()
    return outcome


GROUP = 100  # events a bulk action commits together


def fire_many(
    session: Session,
    actor: User,
    event: Event,
    items: list[tuple[int, int]],
    now: datetime | None = None,
) -> list[tuple[int, Outcome | WorkflowError]]:
    """The event on each (id, version) on its own: every one is checked, one refusal stops
    none (a reviewer's bulk approval, an officer submitting an imported list).

    Group commit: up to ``GROUP`` events share a transaction, each in a savepoint of its own,
    so a refused one leaves nothing behind while the others pay for one commit (one fsync on
    SQLite) instead of one each. A failure that is not a refusal rolls back its group only
    (the groups before it stay), and is raised."""
    results: list[tuple[int, Outcome | WorkflowError]] = []
    for start in range(0, len(items), GROUP):
        with transaction(session):
            for nomination_id, version in items[start : start + GROUP]:
                try:
                    with session.begin_nested():
                        outcome = fire(
                            session, nomination_id, event.value, actor,
                            expected_version=version, now=now,
                        )  # fmt: skip
                    results.append((nomination_id, outcome))
                except WorkflowError as err:
                    results.append((nomination_id, err))
    return results
