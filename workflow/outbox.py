"""Delivering the outbox: each email sent once, a refused one retried later with back-off.

A message is first *claimed* (attempts + 1, next attempt pushed past a lease) and that is
committed before talking to the mail server; it is marked sent right after the server
accepted it. So a sender that crashes before sending leaves the message to be retried when
the lease ends (nothing lost), and two senders never take the same message. The one window
left is a crash between the server's "250 OK" and our commit: the message may then go out a
second time with the same Message-ID, which mail systems use to drop duplicates.
"""

from __future__ import annotations

import os
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.header import Header
from email.message import Message
from email.mime.text import MIMEText
from email.utils import format_datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from workflow.clock import utcnow
from workflow.models import OutboxMessage
from workflow.transaction import end_reading, transaction

LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 8  # then the message is marked failed for an administrator to look at
BACKOFF_CAP = timedelta(hours=6)


class MailConfigError(ValueError):
    """The SMTP settings in the environment are missing or malformed."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    security: str = "starttls"  # "starttls", "ssl" or "none" (a relay on localhost)
    timeout: float = 20.0

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> SmtpSettings:
        env = os.environ if env is None else env
        host = env.get("SMTP_HOST", "").strip()
        sender = env.get("MAIL_FROM", "").strip()
        if not host or not sender:
            raise MailConfigError(
                "Chưa cấu hình gửi thư: cần SMTP_HOST và MAIL_FROM (xem README).\n"
                "Mail is not configured: SMTP_HOST and MAIL_FROM are required (see README)."
            )
        security = env.get("SMTP_SECURITY", "starttls").strip().lower()
        port = env.get("SMTP_PORT", "").strip() or {"ssl": "465", "none": "25"}.get(security, "587")
        if security not in ("starttls", "ssl", "none") or not (port.isascii() and port.isdigit()):
            raise MailConfigError(
                "SMTP_SECURITY phải là starttls, ssl hoặc none; SMTP_PORT phải là số.\n"
                "SMTP_SECURITY must be starttls, ssl or none; SMTP_PORT must be a number."
            )
        return cls(
            host=host,
            port=int(port),
            sender=sender,
            username=env.get("SMTP_USER") or None,
            password=env.get("SMTP_PASSWORD") or None,
            security=security,
        )


Transport = Callable[[Message], None]


def smtp_transport(settings: SmtpSettings) -> Transport:
    """Send one message per connection: simple, and a broken connection fails one message."""

    def send(message: Message) -> None:
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if settings.security == "ssl":
            smtp = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=settings.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with smtp:
            if settings.security == "starttls":
                smtp.starttls(context=context)
            if settings.username:
                smtp.login(settings.username, settings.password or "")
            smtp.send_message(message)

    return send


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8 … minutes after each failure, at most BACKOFF_CAP."""
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), BACKOFF_CAP)


def compose(row: OutboxMessage, sender: str) -> Message:
    """The email as sent. The subject is encoded with ``email.header.Header``: the modern
    header folder of Python 3.11 drops the space between two encoded words, which turns
    "bị trả lại" into "bịtrả lại" in Vietnamese subjects."""
    message = MIMEText(row.body, "plain", "utf-8")
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = Header(row.subject, "utf-8")  # type: ignore[assignment]
    message["Date"] = format_datetime(row.created_at)
    # The same id on every attempt, so a receiving system can drop a duplicate delivery.
    domain = sender.rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<outbox-{row.id}.{row.created_at:%Y%m%d%H%M%S}@{domain}>"
    return message


@dataclass(frozen=True)
class DeliveryReport:
    sent: int
    retried: int
    failed: int


def deliver(
    session: Session,
    transport: Transport,
    sender: str,
    now: datetime | None = None,
    limit: int = 500,
) -> DeliveryReport:
    """Send what is due at ``now``; return how many went, will be retried, or gave up.

    Each claim lasts LEASE from the moment it is taken (the run's clock moves on while it
    sends), and a run stops taking new messages after half a lease, so a slow run and the
    next cron run never hold the same message at once.
    """
    now = now or utcnow()
    started = time.monotonic()
    due = list(
        session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.failed_at.is_(None),
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )
    end_reading(session)
    sent = retried = failed = 0
    for message_id in due:
        elapsed = timedelta(seconds=time.monotonic() - started)
        if elapsed > LEASE / 2:
            break  # the rest waits for the next run
        at = now + elapsed
        claimed = _claim(session, message_id, sender, at)
        if claimed is None:
            continue  # another sender took it
        attempts, message = claimed
        try:
            transport(message)
        except Exception as err:
            gave_up = attempts >= MAX_ATTEMPTS
            with transaction(session):
                session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == message_id)
                    .values(
                        last_error=f"{type(err).__name__}: {err}"[:2000],
                        next_attempt_at=at + backoff(attempts),
                        failed_at=at if gave_up else None,
                    )
                )
            failed += gave_up
            retried += not gave_up
            continue
        with transaction(session):
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == message_id)
                .values(sent_at=at, last_error=None)
            )
        sent += 1
    return DeliveryReport(sent, retried, failed)


def _claim(
    session: Session, message_id: int, sender: str, at: datetime
) -> tuple[int, Message] | None:
    """Take the message for this sender: committed before sending, so a crash loses nothing;
    the email is composed first so no transaction stays open while the server is talked to."""
    with transaction(session):
        claimed = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.failed_at.is_(None),
                OutboxMessage.next_attempt_at <= at,
            )
            .values(attempts=OutboxMessage.attempts + 1, next_attempt_at=at + LEASE)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return None  # another sender took it: nothing was changed
        row = session.get_one(OutboxMessage, message_id, populate_existing=True)
        return row.attempts, compose(row, sender)


def pending_count(session: Session) -> int:
    count = session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))
    )
    end_reading(session)
    return count or 0
