"""Who is told what, when a nomination moves or a deadline nears.

Notifications (the in-app list) and their emails (the outbox) are written in the same
transaction as the event or reminder that causes them: if the event is rolled back, nobody
is told; if it commits, the message cannot be lost. ``workflow.outbox`` delivers the emails.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from workflow.clock import vn_date
from workflow.models import Nomination, Notification, OutboxMessage, RoleAssignment, Unit, User
from workflow.vocabulary import Event, Role, State

FOOTER = (
    "\n\n--\nThư tự động của hệ thống xét duyệt khen thưởng Công đoàn. "
    "Vui lòng không trả lời thư này; hãy mở hồ sơ trong hệ thống để xử lý."
)


def holders(session: Session, unit_id: int, roles: Iterable[Role], day: date) -> list[User]:
    """Active users holding one of ``roles`` at the unit on ``day``, substitutes included:
    whoever can act on the inbox that day is who must hear about it."""
    return list(
        session.scalars(
            select(User)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(
                RoleAssignment.unit_id == unit_id,
                RoleAssignment.role.in_([r.value for r in roles]),
                or_(RoleAssignment.valid_from.is_(None), RoleAssignment.valid_from <= day),
                or_(RoleAssignment.valid_to.is_(None), RoleAssignment.valid_to >= day),
                User.is_active.is_(True),
            )
            .order_by(User.id)
            .distinct()
        )
    )


def queue(
    session: Session,
    users: Iterable[User],
    nomination: Nomination | None,
    kind: str,
    subject: str,
    body: str,
    now: datetime,
) -> int:
    """One notification per user (each once), and an email for those with an address."""
    count = 0
    for user in {u.id: u for u in users}.values():
        note = Notification(
            user_id=user.id,
            nomination_id=nomination.id if nomination else None,
            kind=kind,
            subject=subject[:300],
            body=body,
            created_at=now,
        )
        session.add(note)
        if user.email:
            session.flush()
            session.add(
                OutboxMessage(
                    notification_id=note.id,
                    to_address=user.email,
                    subject=subject[:300],
                    body=f"Kính gửi {user.full_name},\n\n{body}{FOOTER}",
                    created_at=now,
                    attempts=0,
                    next_attempt_at=now,
                )
            )
        count += 1
    return count


def ddmmyyyy(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def _due(label: str, day: date | None) -> str:
    """A line "Hạn …: dd/mm/yyyy." when there is a deadline, else nothing."""
    return f"\n{label}: {ddmmyyyy(day)}." if day else ""


def title(n: Nomination) -> str:
    """How a message names a nomination in its subject: "Hồ sơ số 12 (Nguyễn Văn A)"."""
    return f"Hồ sơ số {n.id} ({n.nominee_name})"


def about(n: Nomination) -> str:
    """What the nomination proposes, to follow "hồ sơ": names keep their capitals."""
    return f"đề nghị {n.award_type.title} cho {n.nominee_name} ({n.origin_unit.name})"


@dataclass(frozen=True)
class Message:
    unit_id: int
    roles: tuple[Role, ...]
    subject: str
    body: str


def _messages(
    n: Nomination, event: Event, unit: Unit, comment: str | None, decision: str | None
) -> list[Message]:
    """What each event tells, and to whom (roles at a unit)."""
    what = f"Hồ sơ {about(n)}"
    reason = f"\nLý do: {comment}" if comment else ""
    officers = (n.origin_unit_id, (Role.OFFICER,))
    if n.state == State.IN_REVIEW and event in (Event.SUBMIT, Event.APPROVE, Event.RESUBMIT):
        return [
            Message(
                n.current_unit_id,
                (Role.REVIEWER,),
                f"{title(n)} chờ thẩm định",
                f"{what} đã được chuyển đến {unit.name}.{_due('Hạn xử lý', n.due_on)}",
            )
        ]
    if n.state == State.UNDER_COUNCIL and event is Event.APPROVE:
        return [
            Message(
                n.current_unit_id,
                (Role.COUNCIL,),
                f"{title(n)} chờ Hội đồng Thi đua - Khen thưởng xét",
                f"{what} đã được chuyển đến Hội đồng Thi đua - Khen thưởng của {unit.name}.",
            )
        ]
    if event is Event.RETURN:
        return [
            Message(
                *officers,
                f"{title(n)} bị trả lại để bổ sung",
                f"{what} đã bị trả lại để bổ sung.{reason}{_due('Hạn gửi lại', n.due_on)}",
            )
        ]
    if event is Event.REJECT:
        return [
            Message(
                *officers,
                f"{title(n)} không được đề nghị tiếp",
                f"{what} không được đề nghị tiếp.{reason}",
            )
        ]
    if event is Event.VOTE and n.state == State.ON_NOTICE:
        notice = f"Danh sách được công khai đến hết ngày {ddmmyyyy(n.notice_ends_on)}."
        return [
            Message(
                *officers,
                f"{title(n)} được Hội đồng thông qua",
                f"{what} đã được Hội đồng thông qua. {notice}",
            ),
            Message(
                n.current_unit_id,
                (Role.DECIDER,),
                f"{title(n)} chờ ký quyết định",
                f"{what} đã được Hội đồng thông qua. {notice} Sau thời hạn này có thể ký quyết định.",
            ),
        ]
    if event is Event.VOTE:
        return [
            Message(
                *officers,
                f"{title(n)} không đạt tỷ lệ biểu quyết",
                f"{what} không đạt tỷ lệ biểu quyết của Hội đồng.",
            )
        ]
    if event is Event.OBJECT:
        return [
            Message(
                n.current_unit_id,
                (Role.COUNCIL, Role.DECIDER),
                f"Có ý kiến phản ánh về {title(n)}",
                f"Trong thời gian công khai có ý kiến phản ánh về hồ sơ {about(n)}.{reason}",
            )
        ]
    if event is Event.DECIDE:
        return [
            Message(
                *officers,
                f"{title(n)} đã được khen thưởng",
                f"{what} đã được khen thưởng theo Quyết định số {decision}.",
            )
        ]
    if event is Event.REVOKE:
        return [
            Message(
                *officers,
                f"Quyết định khen thưởng {title(n)} bị hủy bỏ",
                f"Quyết định khen thưởng đối với hồ sơ {about(n)} đã bị hủy bỏ.{reason}",
            )
        ]
    if event is Event.WITHDRAW and n.current_unit_id != n.origin_unit_id:
        return [
            Message(
                n.current_unit_id,
                (Role.REVIEWER, Role.COUNCIL),
                f"{title(n)} đã được rút",
                f"{what} đã được đơn vị đề nghị rút lại.",
            )
        ]
    return []


def after_event(
    session: Session,
    nomination: Nomination,
    event: Event,
    actor: User,
    now: datetime,
    comment: str | None = None,
    decision: str | None = None,
) -> None:
    """Tell the people concerned what the event did (never the one who did it)."""
    day = vn_date(now)
    for m in _messages(nomination, event, nomination.current_unit, comment, decision):
        users = [u for u in holders(session, m.unit_id, m.roles, day) if u.id != actor.id]
        queue(session, users, nomination, event.value, m.subject, m.body, now)


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
    result = session.execute(query.values(read_at=now))
    session.commit()
    return int(result.rowcount)  # type: ignore[attr-defined]
