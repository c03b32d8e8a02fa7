"""Who is told what, when a nomination moves or a deadline nears.

Notifications (the in-app list) and their emails (the outbox) are written in the same
transaction as the event or reminder that causes them: if the event is rolled back, nobody
is told; if it commits, the message cannot be lost. ``workflow.outbox`` delivers the emails.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Date,
    Insert,
    Integer,
    String,
    Text,
    bindparam,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from workflow.clock import ddmmyyyy, vn_date
from workflow.db import Base
from workflow.models import (
    Decision,
    Nomination,
    Notification,
    RoleAssignment,
    Unit,
    User,
    UtcDateTime,
)
from workflow.prepared import Prepared, connection_of
from workflow.transaction import transaction
from workflow.vocabulary import Role, State

if TYPE_CHECKING:  # the event table names these tellers, so it imports this module
    from workflow.events import EventSpec

FOOTER = (
    "\n\n--\nThư tự động của hệ thống xét duyệt khen thưởng Công đoàn. "
    "Vui lòng không trả lời thư này; hãy mở hồ sơ trong hệ thống để xử lý."
)


Target = tuple[int, tuple[Role, ...]]  # (unit id, roles held there)
Words = tuple[str, str]  # (Vietnamese, English): a notification is stored in both
_NOTIFICATIONS = Base.metadata.tables["notifications"]
_OUTBOX = Base.metadata.tables["outbox"]


@cache
def _notify_statement(targets: int) -> Insert:
    """INSERT … SELECT of one notification per person holding a role at one of ``targets``
    units, built once per number of targets (building SQL costs more than running it)."""
    day = bindparam("day", type_=Date())
    people = (
        select(User.id)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(
            or_(
                *(
                    (RoleAssignment.unit_id == bindparam(f"unit_{i}"))
                    & RoleAssignment.role.in_(bindparam(f"roles_{i}", expanding=True))
                    for i in range(targets)
                )
            ),
            or_(RoleAssignment.valid_from.is_(None), RoleAssignment.valid_from <= day),
            or_(RoleAssignment.valid_to.is_(None), RoleAssignment.valid_to >= day),
            User.is_active.is_(True),
            User.id != bindparam("exclude"),
        )
        .distinct()
        .subquery()
    )
    values = select(
        people.c.id,
        bindparam("nomination_id", type_=Integer()),
        bindparam("kind", type_=String()),
        bindparam("subject", type_=String()),
        bindparam("body", type_=Text()),
        bindparam("subject_en", type_=String()),
        bindparam("body_en", type_=Text()),
        bindparam("at", type_=UtcDateTime()),
    )
    columns = [
        "user_id", "nomination_id", "kind", "subject", "body", "subject_en", "body_en", "created_at"
    ]  # fmt: skip
    return insert(_NOTIFICATIONS).from_select(columns, values)


def _mail_from(told: Any, *conditions: Any) -> Insert:
    """INSERT … SELECT of the emails of the notifications in ``told`` (a table or a CTE)."""
    columns = [
        "notification_id",
        "to_address",
        "subject",
        "body",
        "created_at",
        "attempts",
        "next_attempt_at",
    ]
    greeting = literal("Kính gửi ") + User.full_name + bindparam("text", type_=Text())
    at = told.c.created_at
    rows = (
        select(told.c.id, User.email, told.c.subject, greeting, at, literal(0), at)
        .join(User, User.id == told.c.user_id)
        .where(User.email.is_not(None), User.email != "", *conditions)
    )
    return insert(_OUTBOX).from_select(columns, rows)


_MAIL = Prepared(
    _mail_from(_NOTIFICATIONS, _NOTIFICATIONS.c.id.in_(bindparam("ids", expanding=True)))
)


@cache
def _told(targets: int) -> Prepared:
    """On SQLite: the notifications, answering only their ids (their emails take them)."""
    return Prepared(_notify_statement(targets).returning(_NOTIFICATIONS.c.id))


@cache
def _told_and_mailed(targets: int) -> Prepared:
    """On PostgreSQL both inserts in one round trip: the notifications as a data-modifying
    CTE, their emails as a second one, and the number of people told as the answer."""
    notes = _NOTIFICATIONS.c
    answer = (notes.id, notes.user_id, notes.subject, notes.created_at)  # what the emails read
    told = _notify_statement(targets).returning(*answer).cte("told")
    mailed = _mail_from(told).cte("mailed")
    return Prepared(select(func.count()).select_from(told).add_cte(mailed))


def tell(
    session: Session,
    targets: Sequence[Target],
    nomination_id: int,
    kind: str,
    subject: Words,
    body: Words,
    now: datetime,
    exclude_user_id: int | None = None,
) -> int:
    """Notify every active user holding one of the roles at one of the units on that day
    (substitutes included: whoever can act that day must hear of it), each once, and queue
    an email for those with an address; return how many were told. The app shows the
    message in its reader's language; the email is in Vietnamese, the union's own.

    Two prepared INSERT … SELECT statements whatever the number of people: this runs inside
    every event's transaction (:mod:`workflow.prepared`, no unit of work).
    """
    if not targets:
        return 0
    params: dict[str, Any] = {
        "day": vn_date(now),
        "exclude": exclude_user_id or 0,
        "nomination_id": nomination_id,
        "kind": kind,
        "subject": subject[0][:300],
        "body": body[0],
        "subject_en": subject[1][:300],
        "body_en": body[1],
        "at": now,
    }
    for i, (unit_id, roles) in enumerate(targets):
        params[f"unit_{i}"] = unit_id
        params[f"roles_{i}"] = [r.value for r in roles]
    text = f",\n\n{body[0]}{FOOTER}"
    if connection_of(session).dialect.name == "postgresql":
        return int(_told_and_mailed(len(targets)).scalar(session, params | {"text": text}))
    told = [row[0] for row in _told(len(targets)).rows(session, params)]
    if told:
        _MAIL.execute(session, {"ids": told, "text": text})
    return len(told)


def _due(label: Words, day: date | None) -> Words:
    """A line "Hạn …: dd/mm/yyyy." when there is a deadline, else nothing."""
    if day is None:
        return "", ""
    return f"\n{label[0]}: {ddmmyyyy(day)}.", f"\n{label[1]}: {ddmmyyyy(day)}."


def title(n: Nomination) -> Words:
    """How a message names a nomination in its subject: "Hồ sơ số 12 (Nguyễn Văn A)"."""
    return f"Hồ sơ số {n.id} ({n.nominee_name})", f"Nomination {n.id} ({n.nominee_name})"


def about(n: Nomination) -> Words:
    """What the nomination proposes, to follow "hồ sơ": names keep their capitals."""
    award, name, unit = n.award_type.title, n.nominee_name, n.origin_unit.name
    return f"đề nghị {award} cho {name} ({unit})", f"proposing {award} for {name} ({unit})"


@dataclass(frozen=True)
class Message:
    unit_id: int
    roles: tuple[Role, ...]
    subject: Words
    body: Words


Teller = Callable[[Nomination, Unit, str | None, Decision | None], list[Message]]
"""What an event tells, once it has moved the nomination: (nomination, the unit now holding
it, the comment, the decision signed) -> messages. Each event names its own in
``workflow.events.EVENTS``."""


def _what(n: Nomination) -> Words:
    vi, en = about(n)
    return f"Hồ sơ {vi}", f"The nomination {en}"


def _reason(comment: str | None) -> Words:
    return (f"\nLý do: {comment}", f"\nReason: {comment}") if comment else ("", "")


def _to_officers(n: Nomination, subject: Words, body: Words) -> Message:
    """A message to the proposing CĐCS's officers: most events end there."""
    return Message(n.origin_unit_id, (Role.OFFICER,), subject, body)


def nobody(
    n: Nomination, unit: Unit, comment: str | None, decision: Decision | None
) -> list[Message]:
    return []


def arrived(
    n: Nomination, unit: Unit, comment: str | None, decision: Decision | None
) -> list[Message]:
    """Sent up a tier: its reviewers, or its council once the reviews are done."""
    (t, t_en), (w, w_en) = title(n), _what(n)
    if n.state == State.IN_REVIEW:
        due, due_en = _due(("Hạn xử lý", "Due"), n.due_on)
        return [
            Message(
                n.current_unit_id,
                (Role.REVIEWER,),
                (f"{t} chờ thẩm định", f"{t_en} awaits review"),
                (
                    f"{w} đã được chuyển đến {unit.name}.{due}",
                    f"{w_en} has been sent to {unit.name}.{due_en}",
                ),
            )
        ]
    if n.state == State.UNDER_COUNCIL:
        return [
            Message(
                n.current_unit_id,
                (Role.COUNCIL,),
                (
                    f"{t} chờ Hội đồng Thi đua - Khen thưởng xét",
                    f"{t_en} awaits the Emulation and Commendation Council",
                ),
                (
                    f"{w} đã được chuyển đến Hội đồng Thi đua - Khen thưởng của {unit.name}.",
                    f"{w_en} has been sent to the Emulation and Commendation Council of "
                    f"{unit.name}.",
                ),
            )
        ]
    return []


def returned(
    n: Nomination, unit: Unit, comment: str | None, decision: Decision | None
) -> list[Message]:
    (t, t_en), (w, w_en), (why, why_en) = title(n), _what(n), _reason(comment)
    if n.state == State.IN_REVIEW:
        # Sent back one tier, not to the CĐCS: the reviewers there must look at it again.
        due, due_en = _due(("Hạn xử lý", "Due"), n.due_on)
        return [
            Message(
                n.current_unit_id,
                (Role.REVIEWER,),
                (f"{t} được trả lại để thẩm định lại", f"{t_en} returned for another review"),
                (
                    f"{w} đã được cấp trên trả lại {unit.name} để thẩm định lại.{why}{due}",
                    f"{w_en} was returned to {unit.name} by the tier above for another review."
                    f"{why_en}{due_en}",
                ),
            )
        ]
    due, due_en = _due(("Hạn gửi lại", "Send again by"), n.due_on)
    return [
        _to_officers(
            n,
            (f"{t} bị trả lại để bổ sung", f"{t_en} returned for correction"),
            (
                f"{w} đã bị trả lại để bổ sung.{why}{due}",
                f"{w_en} was returned for correction.{why_en}{due_en}",
            ),
        )
    ]


def rejected(
    n: Nomination, unit: Unit, comment: str | None, decision: Decision | None
) -> list[Message]:
    (t, t_en), (w, w_en), (why, why_en) = title(n), _what(n), _reason(comment)
    return [
        _to_officers(
            n,
            (f"{t} không được đề nghị tiếp", f"{t_en} was rejected"),
            (f"{w} không được đề nghị tiếp.{why}", f"{w_en} was rejected.{why_en}"),
        )
    ]


def voted(
    n: Nomination, unit: Unit, comment: str | None, decision: Decision | None
) -> list[Message]:
    """Passed: the CĐCS and the decider (who may sign once the notice ends); failed: the CĐCS."""
    (t, t_en), (w, w_en) = title(n), _what(n)
    if n.state != State.ON_NOTICE:
        return [
            _to_officers(
                n,
                (f"{t} không đạt tỷ lệ biểu quyết", f"{t_en} did not pass the council's vote"),
                (
                    f"{w} không đạt tỷ lệ biểu quyết của Hội đồng.",
                    f"{w_en} did not reach the council's required majority.",
                ),
            )
        ]
    ends = ddmmyyyy(n.notice_ends_on)
    # The day the notice ends is the first the decision may be signed (workflow/signing.py).
    notice = (
        f"Danh sách được công khai; hết hạn công khai ngày {ends}, từ ngày đó ký được quyết định."
    )
    notice_en = (
        f"The list is on public notice; the notice ends on {ends}, when the decision can be signed."
    )
    return [
        _to_officers(
            n,
            (f"{t} được Hội đồng thông qua", f"{t_en} passed the council"),
            (
                f"{w} đã được Hội đồng thông qua. {notice}",
                f"{w_en} passed the council. {notice_en}",
            ),
        ),
        Message(
            n.current_unit_id,
            (Role.DECIDER,),
            (f"{t} chờ ký quyết định", f"{t_en} awaits your decision"),
            (
                f"{w} đã được Hội đồng thông qua. {notice}",
                f"{w_en} passed the council. {notice_en}",
            ),
        ),
    ]


def objected(
    n: Nomination, unit: Unit, comment: str | None, decision: Decision | None
) -> list[Message]:
    """The council and the decider read the objection; the CĐCS learns its nomination went
    back to the council (not what was said: an objection may name its author)."""
    (t, t_en), (a, a_en), (w, w_en), (why, why_en) = title(n), about(n), _what(n), _reason(comment)
    return [
        Message(
            n.current_unit_id,
            (Role.COUNCIL, Role.DECIDER),
            (f"Có ý kiến phản ánh về {t}", f"An objection to {t_en}"),
            (
                f"Trong thời gian công khai có ý kiến phản ánh về hồ sơ {a}.{why}",
                f"During the public notice an objection was raised to the nomination {a_en}."
                f"{why_en}",
            ),
        ),
        _to_officers(
            n,
            (f"{t} được Hội đồng xem xét lại", f"{t_en} goes back to the council"),
            (
                f"{w} có ý kiến phản ánh trong thời gian công khai và được chuyển lại Hội "
                "đồng Thi đua - Khen thưởng xem xét.",
                f"{w_en} drew an objection during the public notice and goes back to the "
                "Emulation and Commendation Council.",
            ),
        ),
    ]


def decided(
    n: Nomination, unit: Unit, comment: str | None, decision: Decision | None
) -> list[Message]:
    (t, t_en), (w, w_en) = title(n), _what(n)
    (by, by_en) = _by_decision(decision)
    return [
        _to_officers(
            n,
            (f"{t} đã được khen thưởng", f"{t_en} has been awarded"),
            (f"{w} đã được khen thưởng{by}.", f"{w_en} has been awarded{by_en}."),
        )
    ]


def _by_decision(decision: Decision | None) -> Words:
    """ " theo Quyết định số 01/QĐ-LĐLĐ ngày 04/01/2027": numbers restart every January, so
    the number alone names a decision of any year."""
    if decision is None:
        return "", ""
    number, day = decision.number, ddmmyyyy(decision.signed_on)
    return f" theo Quyết định số {number} ngày {day}", f" by Decision No. {number} of {day}"


def revoked(
    n: Nomination, unit: Unit, comment: str | None, decision: Decision | None
) -> list[Message]:
    """Names the decision as the award's message did (its number and date)."""
    (t, t_en), (a, a_en), (why, why_en) = title(n), about(n), _reason(comment)
    (by, by_en) = _by_decision(n.decision)
    return [
        _to_officers(
            n,
            (f"Quyết định khen thưởng {t} bị hủy bỏ", f"The award to {t_en} was revoked"),
            (
                f"Việc khen thưởng hồ sơ {a}{by} đã bị hủy bỏ.{why}",
                f"The award to the nomination {a_en}{by_en} was revoked.{why_en}",
            ),
        )
    ]


def withdrawn(
    n: Nomination, unit: Unit, comment: str | None, decision: Decision | None
) -> list[Message]:
    """Only the tier that had it is told; a draft withdrawn at the CĐCS concerns nobody else."""
    if n.current_unit_id == n.origin_unit_id:
        return []
    (t, t_en), (w, w_en) = title(n), _what(n)
    return [
        Message(
            n.current_unit_id,
            (Role.REVIEWER, Role.COUNCIL),
            (f"{t} đã được rút", f"{t_en} was withdrawn"),
            (
                f"{w} đã được đơn vị đề nghị rút lại.",
                f"{w_en} was withdrawn by the proposing unit.",
            ),
        )
    ]


def after_event(
    session: Session,
    nomination: Nomination,
    spec: EventSpec,
    actor: User,
    now: datetime,
    comment: str | None = None,
    decision: Decision | None = None,
) -> None:
    """Tell the people concerned what the event did (never the one who did it)."""
    for m in spec.tells(nomination, nomination.current_unit, comment, decision):
        targets = [(m.unit_id, m.roles)]
        tell(session, targets, nomination.id, spec.name, m.subject, m.body, now, actor.id)


def recent(session: Session, user: User, limit: int = 50) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .order_by(Notification.read_at.is_not(None), Notification.id.desc())
            .limit(limit)
        )
    )


def unread_count(session: Session, user: User) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        )
        or 0
    )


def mark_read(session: Session, user: User, now: datetime, ids: list[int] | None = None) -> int:
    """Mark the user's own notifications read (all of them when ``ids`` is None)."""
    query = update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)
    )
    if ids is not None:
        query = query.where(Notification.id.in_(ids))
    with transaction(session):
        result = session.execute(query.values(read_at=now))
    return int(result.rowcount)  # type: ignore[attr-defined]
