"""Signing a decision: the only way a nomination is ``decide``d. The decider's unit numbers
the decision (``05/QĐ-LĐLĐ``), and every listed nomination becomes awarded, or none does."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from workflow import audit, changes, notify, numbering, queries, register
from workflow.clock import ddmmyyyy, utcnow, vn_date
from workflow.errors import IllegalTransition, InvalidInput, NotAllowed
from workflow.events import EVENTS
from workflow.models import Decision, Nomination, Unit, User
from workflow.numbering import DocumentKind
from workflow.permissions import acting_assignment
from workflow.transaction import transaction
from workflow.vocabulary import Event, State

DECIDE = EVENTS[Event.DECIDE.value]
SIGNER = DECIDE.roles[State.ON_NOTICE]  # who signs: the event table's role for deciding


def may_sign_on(nomination: Nomination, day: date) -> bool:
    """A nomination on notice can be decided from the day its notice ends (the objections
    window is then closed)."""
    return nomination.notice_ends_on is not None and day >= nomination.notice_ends_on


@dataclass(frozen=True)
class SigningChoices:
    """What a decider sees when assembling a decision: the nominations signable today, and
    those still on notice with the day each becomes signable."""

    ready: list[Nomination]
    waiting: list[Nomination]


def signing_choices(session: Session, actor: User, day: date) -> SigningChoices:
    on_notice = queries.on_notice(session, actor, day, roles=(SIGNER,))
    return SigningChoices(
        ready=[n for n in on_notice if may_sign_on(n, day)],
        waiting=[n for n in on_notice if not may_sign_on(n, day)],
    )


def sign_decision(
    session: Session,
    actor: User,
    *,
    nomination_ids: list[int],
    signed_on: date,
    now: datetime | None = None,
) -> Decision:
    """Number and sign a decision; every listed nomination becomes awarded, or none does."""
    with transaction(session):
        return _sign(session, actor, nomination_ids, signed_on, now or utcnow())


def _sign(
    session: Session, actor: User, nomination_ids: list[int], signed_on: date, now: datetime
) -> Decision:
    today = vn_date(now)
    if not nomination_ids:
        raise InvalidInput(
            "Chưa chọn hồ sơ nào để ký quyết định.",
            "No nomination was chosen for the decision.",
            {"nomination_ids": "empty_or_duplicate"},
        )
    repeated = sorted(n for n, times in Counter(nomination_ids).items() if times > 1)
    if repeated:
        listed = ", ".join(map(str, repeated[:10]))
        raise InvalidInput(
            f"Danh sách hồ sơ có hồ sơ lặp lại: số {listed}.",
            f"The list of nominations repeats no. {listed}.",
            {"nomination_ids": "empty_or_duplicate"},
        )
    if signed_on > today:
        raise InvalidInput(
            "Ngày ký không được sau ngày hôm nay.",
            "The signing date cannot be in the future.",
            {"signed_on": "future"},
        )
    nominations = [
        changes.load_for_update(session, nid, actor, today) for nid in sorted(nomination_ids)
    ]
    units = {n.current_unit_id for n in nominations}
    problems: dict[str, str] = {}
    waiting_vi, waiting_en = [], []
    for n in nominations:
        if n.state != State.ON_NOTICE:
            problems[str(n.id)] = f"state_{n.state}"
            waiting_vi.append(f"số {n.id} không ở giai đoạn công khai")
            waiting_en.append(f"no. {n.id} is not on public notice")
        elif not may_sign_on(n, signed_on):
            problems[str(n.id)] = f"notice_until_{n.notice_ends_on}"
            waiting_vi.append(f"số {n.id} chỉ ký được từ ngày {ddmmyyyy(n.notice_ends_on)}")
            waiting_en.append(f"no. {n.id} can be signed from {ddmmyyyy(n.notice_ends_on)}")
    if problems:
        raise IllegalTransition(
            "Chỉ ký quyết định cho hồ sơ đã hết thời hạn công khai: " + "; ".join(waiting_vi) + ".",
            "Only nominations whose public notice has ended can be decided: "
            + "; ".join(waiting_en)
            + ".",
            problems,
        )
    if len(units) != 1:
        raise InvalidInput(
            "Một quyết định chỉ gồm hồ sơ của cùng một đơn vị quyết định.",
            "One decision covers nominations of a single deciding unit.",
            {"nomination_ids": "several_units"},
        )
    unit_id = units.pop()
    assignment = acting_assignment(actor, SIGNER, unit_id, today)
    if assignment is None:
        raise NotAllowed(
            "Chỉ người có thẩm quyền ký quyết định của đơn vị mới ký được.",
            "Only a decider of the deciding unit may sign.",
            {"required_role": SIGNER.value},
        )
    unit = session.get_one(Unit, unit_id)
    serial = numbering.next_serial(session, unit_id, DocumentKind.DECISION, signed_on.year)
    decision = Decision(
        unit_id=unit_id,
        year=signed_on.year,
        serial=serial,
        number=numbering.document_number(serial, DocumentKind.DECISION, unit),
        signed_on=signed_on,
        signer_id=actor.id,
        created_at=now,
    )
    session.add(decision)
    session.flush()
    for n in nominations:
        before, to_unit = changes.apply(
            session, n, Event.DECIDE, today, now, changes={"decision_id": decision.id}
        )
        changes.record(
            session,
            n,
            actor,
            assignment,
            Event.DECIDE,
            before,
            to_unit,
            now,
            None,
            {"decision": decision.number, "signed_on": signed_on.isoformat()},
        )
        notify.after_event(session, n, DECIDE, actor, now, decision=decision)
    entries = register.enter(session, decision, nominations)
    session.expire(decision, ["nominations"])  # now listed by their decision_id
    audit.record_change(session, "decision_signed", actor.username, now, decision, *entries)
    return decision
