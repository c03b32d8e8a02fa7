"""Deadlines in working days, reminders and escalations, and emails that never go twice.

A real SMTP server (aiosmtpd) receives what ``outbox send`` delivers.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import smtplib
import socket
import subprocess
import sys
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select, update

from tests.factories import PROJECT_ROOT
from tests.web_client import WebClient
from workflow import audit, deadlines, notify, outbox, queries
from workflow.models import AwardType, DeadlineAlert, Nomination, Notification, OutboxMessage

SENDER = "khenthuong@congdoan.test"


class Inbox:
    """An SMTP server that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"

    def to(self, address: str) -> list[str]:
        return [str(m["Subject"]) for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp():
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd's readiness check needs a real one)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def transport_to(port: int) -> outbox.Transport:
    settings = outbox.SmtpSettings("127.0.0.1", port, SENDER, security="none")
    return outbox.smtp_transport(settings)


def set_days(world, code: str = "BK", days: int | None = 3, submit_by: date | None = None) -> None:
    world.session.execute(
        update(AwardType)
        .where(AwardType.code == code)
        .values(days_per_tier=days, submit_by=submit_by)
    )
    world.session.commit()


def at(day: date, hour: int = 2) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def pending(session) -> int:
    return session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
    )


def test_each_tier_gets_working_days_that_skip_weekends_and_tet(world):
    set_days(world, days=3)
    nid = world.nominate()
    world.now = at(date(2026, 2, 13))  # the Friday before Tết Bính Ngọ
    world.fire(nid, "submit", "officer1")
    assert world.session.get(Nomination, nid).due_on == date(2026, 2, 25)
    world.now = at(date(2026, 2, 24))
    world.fire(nid, "return", "rev_br1", comment="Thiếu biên bản họp bình xét")
    assert world.session.get(Nomination, nid).due_on == date(2026, 2, 27)  # 3 days to correct
    world.fire(nid, "resubmit", "officer1")
    world.now = at(date(2026, 4, 28))
    world.fire(nid, "approve", "rev_br1")  # arrives at the province before 30/4 – 1/5
    assert world.session.get(Nomination, nid).due_on == date(2026, 5, 5)  # 29/4, 4/5, 5/5


def test_a_draft_is_due_on_the_campaigns_submit_by_date(world):
    set_days(world, days=3, submit_by=date(2025, 11, 20))
    nid = world.nominate()
    assert world.session.get(Nomination, nid).due_on == date(2025, 11, 20)


def test_lists_flag_overdue_and_due_soon_in_working_days():
    friday = date(2026, 2, 13)
    assert deadlines.flag(date(2026, 2, 12), friday) == "overdue"
    assert deadlines.flag(date(2026, 2, 24), friday) == "soon"  # Tết: 2 working days away
    assert deadlines.flag(date(2026, 2, 25), friday) is None
    assert deadlines.flag(None, friday) is None


def test_events_tell_the_next_actors_by_email_in_vietnamese(world, smtp):
    inbox, port = smtp
    set_days(world, days=5)
    nid = world.nominate(name="Nguyễn Thị Hòa")
    world.fire(nid, "submit", "officer1")
    world.fire(nid, "return", "rev_br1", comment="Bổ sung báo cáo thành tích")
    report = outbox.deliver(world.session, transport_to(port), SENDER, now=world.tick())
    assert report == outbox.DeliveryReport(sent=2, retried=0, failed=0)
    assert inbox.to("rev_br1@congdoan.test") == [f"Hồ sơ số {nid} (Nguyễn Thị Hòa) chờ thẩm định"]
    assert inbox.to("officer1@congdoan.test") == [
        f"Hồ sơ số {nid} (Nguyễn Thị Hòa) bị trả lại để bổ sung"
    ]
    returned = next(m for m in inbox.messages if m["To"] == "officer1@congdoan.test")
    body = returned.get_content()
    assert "Kính gửi Officer1," in body
    assert "Lý do: Bổ sung báo cáo thành tích" in body
    assert "Hạn gửi lại: 10/11/2025" in body  # five working days after Monday 3/11
    assert returned["Message-ID"].startswith("<outbox-")
    assert outbox.deliver(world.session, transport_to(port), SENDER, now=world.tick()).sent == 0
    assert len(inbox.messages) == 2
    mine = notify.recent(world.session, world.user("officer1"))
    assert [n.kind for n in mine] == ["return"]


def test_a_crash_between_queueing_and_sending_loses_nothing_and_duplicates_nothing(world, smtp):
    inbox, port = smtp
    ids = [world.nominate(name=f"Người {i}") for i in range(3)]
    for nid in ids:
        world.fire(nid, "submit", "officer1")  # three emails queued with the events
    deliver_for_real = transport_to(port)
    calls = []

    def crash_on_second(message):
        calls.append(message["Subject"])
        if len(calls) == 2:
            raise SystemExit("killed")  # the process dies after claiming message 2
        deliver_for_real(message)

    now = world.tick()
    with pytest.raises(SystemExit):
        outbox.deliver(world.session, crash_on_second, SENDER, now=now)
    world.session.rollback()
    assert len(inbox.messages) == 1
    assert outbox.deliver(world.session, deliver_for_real, SENDER, now=now).sent == 1
    # The run claims nothing after half a lease of its own (real) time, however slow the
    # mail server, so the crashed claim has surely lapsed a lease and a half after it began.
    later = now + outbox.LEASE * 3 / 2 + timedelta(seconds=1)
    assert outbox.deliver(world.session, deliver_for_real, SENDER, now=later).sent == 1
    assert sorted(str(m["Subject"]) for m in inbox.messages) == sorted(
        f"Hồ sơ số {nid} (Người {i}) chờ thẩm định" for i, nid in enumerate(ids)
    )
    assert outbox.deliver(world.session, deliver_for_real, SENDER, now=later).sent == 0


def test_a_refused_message_is_retried_with_back_off_then_given_up(world):
    nid = world.nominate()
    world.fire(nid, "submit", "officer1")

    def refuse(message):
        raise smtplib.SMTPRecipientsRefused({message["To"]: (450, b"mailbox busy")})

    now = world.tick()
    assert outbox.deliver(world.session, refuse, SENDER, now=now).retried == 1
    assert outbox.deliver(world.session, refuse, SENDER, now=now).retried == 0  # not due yet
    row = world.session.scalar(select(OutboxMessage))
    assert timedelta(minutes=1) <= row.next_attempt_at - now < timedelta(minutes=1, seconds=1)
    assert "mailbox busy" in row.last_error
    for attempt in range(2, outbox.MAX_ATTEMPTS + 1):
        now += outbox.backoff(attempt - 1) + timedelta(seconds=1)  # the run's own clock moved
        report = outbox.deliver(world.session, refuse, SENDER, now=now)
    assert report == outbox.DeliveryReport(sent=0, retried=0, failed=1)
    world.session.rollback()
    assert world.session.scalar(select(OutboxMessage)).failed_at - now < timedelta(seconds=1)


def test_remind_warns_before_the_deadline_then_escalates_once(world, smtp):
    inbox, port = smtp
    set_days(world, days=2)
    world.add_user("chu_tich_br1", "decider", "BR1")  # the unit's head
    nid = world.nominate(name="Trần Văn Bảo")
    world.fire(nid, "submit", "officer1")  # Monday 3/11/2025: due Wednesday 5/11
    send = transport_to(port)

    def run(day: date) -> deadlines.RemindReport:
        report = deadlines.remind(world.session, now=at(day))
        outbox.deliver(world.session, send, SENDER, now=at(day, 3))
        return report

    assert run(date(2025, 11, 3)) == deadlines.RemindReport(0, 0, 0)
    assert run(date(2025, 11, 4)).reminders == 1
    assert run(date(2025, 11, 4)) == deadlines.RemindReport(0, 0, 0)  # twice: nothing twice
    assert run(date(2025, 11, 5)) == deadlines.RemindReport(0, 0, 0)  # already reminded
    escalated = run(date(2025, 11, 6))
    assert (escalated.escalations, escalated.notifications) == (1, 3)
    assert run(date(2025, 11, 7)) == deadlines.RemindReport(0, 0, 0)
    assert inbox.to("rev_br1@congdoan.test") == [
        f"Hồ sơ số {nid} (Trần Văn Bảo) chờ thẩm định",
        f"Nhắc hạn: Hồ sơ số {nid} (Trần Văn Bảo) cần thẩm định, hạn chót hết ngày 05/11/2025",
    ]
    overdue = f"Quá hạn: Hồ sơ số {nid} (Trần Văn Bảo) chưa được xử lý tại Đơn vị BR1"
    assert inbox.to("rev_prov@congdoan.test") == [overdue]  # the parent unit
    assert inbox.to("decider_prov@congdoan.test") == [overdue]
    assert inbox.to("chu_tich_br1@congdoan.test") == [overdue]
    assert (
        "quá 1 ngày"
        in next(m for m in inbox.messages if m["To"] == "rev_prov@congdoan.test").get_content()
    )
    kinds = world.session.scalars(select(DeadlineAlert.kind).order_by(DeadlineAlert.id)).all()
    assert kinds == ["reminder", "escalation"]


def test_a_new_stay_at_the_next_tier_gets_its_own_reminders(world):
    set_days(world, days=1)
    nid = world.nominate()
    world.fire(nid, "submit", "officer1")
    assert deadlines.remind(world.session, now=at(date(2025, 11, 4))).reminders == 1
    world.now = at(date(2025, 11, 4), 3)
    world.fire(nid, "approve", "rev_br1")
    assert deadlines.remind(world.session, now=at(date(2025, 11, 5))).reminders == 1


def test_the_substitute_sees_the_inbox_is_told_and_the_trail_says_acting_for(world):
    world.add_substitute()
    nid = world.nominate()
    world.fire(nid, "submit", "officer1")
    told = world.session.scalars(
        select(Notification.user_id).where(Notification.nomination_id == nid)
    ).all()
    assert world.user("stand_in").id in told
    day = world.now.date()
    assert [n.id for n in queries.inbox(world.session, world.user("stand_in"), day).items] == [nid]
    world.fire(nid, "approve", "stand_in")
    last = audit.trail(world.session, nid)[-1]
    assert (last["actor"], last["acting_for"]) == ("stand_in", "rev_br1")
    after = date(2025, 12, 1)
    assert queries.inbox(world.session, world.user("stand_in"), after).items == []


def test_cli_remind_and_outbox_send_twice_change_nothing_the_second_time(
    app, world, smtp, monkeypatch
):
    inbox, port = smtp
    nid = world.nominate()
    world.fire(nid, "submit", "officer1")
    world.session.execute(
        update(Nomination).where(Nomination.id == nid).values(due_on=date(2020, 1, 1))
    )
    world.session.commit()
    world.session.rollback()
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(port))
    monkeypatch.setenv("SMTP_SECURITY", "none")
    monkeypatch.setenv("MAIL_FROM", SENDER)
    runner = app.test_cli_runner()

    def state() -> tuple:
        """Everything the two commands write: alerts, notifications, outbox rows as they stand."""
        rows = (
            world.session.execute(select(DeadlineAlert.id, DeadlineAlert.kind)).all(),
            world.session.execute(select(Notification.id, Notification.kind)).all(),
            world.session.execute(
                select(OutboxMessage.id, OutboxMessage.attempts, OutboxMessage.sent_at)
            ).all(),
        )
        world.session.rollback()
        return rows

    first = runner.invoke(args=["remind"])
    assert "1 báo quá hạn" in first.output, first.output
    after_remind = state()
    assert "0 lời nhắc, 0 báo quá hạn" in runner.invoke(args=["remind"]).output
    assert state() == after_remind
    sent = runner.invoke(args=["outbox", "send"])
    assert sent.exit_code == 0, sent.output
    assert "Còn chờ: 0" in sent.output
    count = len(inbox.messages)
    assert count == 3  # rev_br1 (arrival), rev_prov and decider_prov (escalation)
    after_send = state()
    assert "Đã gửi 0 thư" in runner.invoke(args=["outbox", "send"]).output
    assert len(inbox.messages) == count
    assert state() == after_send
    monkeypatch.delenv("SMTP_HOST")
    missing = runner.invoke(args=["outbox", "send"])
    assert missing.exit_code == 2
    assert "Chưa cấu hình gửi thư" in missing.output


def test_the_in_app_list_shows_unread_first_and_marks_them_read(app, world):
    nid = world.nominate(name="Lê Thị Thu")
    world.fire(nid, "submit", "officer1")
    world.session.rollback()
    reviewer = WebClient(app, "rev_br1")
    page = reviewer.text("/notifications")
    assert f"Hồ sơ số {nid} (Lê Thị Thu) chờ thẩm định" in page
    assert '<span class="badge">1' in page
    assert reviewer.post("/notifications/read").status_code == 302
    assert '<span class="badge">' not in reviewer.text("/notifications")
    assert "Chưa có thông báo nào." in WebClient(app, "rev_br2").text("/notifications")


def test_a_notification_reads_in_the_readers_language_and_mails_in_vietnamese(app, world):
    """Kept in both languages: the English page and an English API client read English;
    the Vietnamese page and the email stay Vietnamese; a notification written before English
    was kept reads as written."""
    from tests.api_client import ApiClient

    nid = world.nominate(name="Lê Thị Thu")
    world.fire(nid, "submit", "officer1")
    world.fire(nid, "return", "rev_br1", comment="Thiếu bản thành tích")
    old = Notification(user_id=world.user("officer1").id, kind="submit", subject="Thư cũ",
                       body="Chỉ có tiếng Việt", created_at=world.tick())  # fmt: skip
    world.session.add(old)
    world.session.commit()
    officer = WebClient(app, "officer1")
    assert f"Hồ sơ số {nid} (Lê Thị Thu) bị trả lại để bổ sung" in officer.text("/notifications")
    officer.post("/lang", {"lang": "en", "next": "/notifications"})
    page = officer.text("/notifications")
    assert f"Nomination {nid} (Lê Thị Thu) returned for correction" in page
    assert "Reason: Thiếu bản thành tích" in page
    assert "Thư cũ" in page
    api = ApiClient(app.test_client(), "officer1")
    english = api.get("/notifications", headers={"Accept-Language": "en"}).json
    assert f"Nomination {nid} (Lê Thị Thu) returned for correction" in [
        n["subject"] for n in english
    ]
    mailed = world.session.scalars(select(OutboxMessage.subject)).all()
    assert f"Hồ sơ số {nid} (Lê Thị Thu) bị trả lại để bổ sung" in mailed


def test_the_council_the_decider_and_the_officer_hear_of_each_later_step(world, smtp):
    inbox, port = smtp
    nid = world.nominate(name="Phan Thị Yến")
    world.to_notice(nid)
    signed_on = world.sign([nid]).signed_on
    other = world.nominate(name="Lý Văn Tài")
    world.fire(other, "submit", "officer1")
    world.fire(other, "reject", "rev_br1", comment="Chưa đủ tiêu chuẩn")
    outbox.deliver(world.session, transport_to(port), SENDER, now=world.tick())
    title = f"Hồ sơ số {nid} (Phan Thị Yến)"
    assert inbox.to("council_prov@congdoan.test") == [
        f"{title} chờ Hội đồng Thi đua - Khen thưởng xét"
    ]
    assert inbox.to("decider_prov@congdoan.test") == [f"{title} chờ ký quyết định"]
    to_sign = next(m for m in inbox.messages if m["To"] == "decider_prov@congdoan.test")
    assert to_sign.get_content().count("quyết định") == 1  # when it can be signed: said once
    assert inbox.to("officer1@congdoan.test") == [
        f"{title} được Hội đồng thông qua",
        f"{title} đã được khen thưởng",
        f"Hồ sơ số {other} (Lý Văn Tài) không được đề nghị tiếp",
    ]
    awarded = [m for m in inbox.messages if "khen thưởng" in str(m["Subject"])][-1]
    assert "cho Phan Thị Yến (Đơn vị CS1)" in awarded.get_content()  # names keep capitals
    # numbers restart every January: the day signed says which decision it is
    assert f"Quyết định số 01/QĐ-PROV ngày {signed_on:%d/%m/%Y}." in awarded.get_content()


def test_a_bad_notification_id_is_refused_and_reads_nothing(app, world):
    nid = world.nominate()
    world.fire(nid, "submit", "officer1")
    world.session.rollback()
    reviewer = WebClient(app, "rev_br1")
    assert reviewer.post("/notifications/read", {"id": "²"}).status_code == 400
    assert '<span class="badge">1' in reviewer.text("/notifications")


class StallingInbox(Inbox):
    """Holds the first message without answering, as a slow server would; it is not delivered."""

    def __init__(self) -> None:
        super().__init__()
        self.stalled = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if not self.stalled.is_set():
            self.stalled.set()
            await asyncio.sleep(20)
            return "451 try again later"
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.slow
def test_a_sender_killed_mid_delivery_loses_nothing_and_sends_nothing_twice(
    world, db_url, tmp_path, monkeypatch
):
    ids = [world.nominate(name=f"Người {i}") for i in range(3)]
    for nid in ids:
        world.fire(nid, "submit", "officer1")
    world.session.rollback()
    inbox = StallingInbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    env = {
        **os.environ, "DATABASE_URL": db_url, "INSTANCE_PATH": str(tmp_path),
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_SECURITY": "none",
        "MAIL_FROM": SENDER,
    }  # fmt: skip
    send = [sys.executable, "-m", "flask", "--app", "wsgi", "outbox", "send"]
    try:
        proc = subprocess.Popen(send, cwd=PROJECT_ROOT, env=env)
        assert inbox.stalled.wait(timeout=60), "the sender never reached the server"
        proc.kill()  # SIGKILL: no cleanup, no rollback by the process itself
        proc.wait(timeout=30)
        # The killed run had claimed its first message; once the claim lapses it is due again.
        world.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.sent_at.is_(None))
            .values(next_attempt_at=datetime(2000, 1, 1, tzinfo=UTC))
        )
        world.session.commit()
        again = subprocess.run(
            send, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False
        )
        assert again.returncode == 0, again.stderr
        third = subprocess.run(
            send, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False
        )
        assert "Đã gửi 0 thư" in third.stdout
    finally:
        controller.stop()
    assert sorted(str(m["Subject"]) for m in inbox.messages) == sorted(
        f"Hồ sơ số {nid} (Người {i}) chờ thẩm định" for i, nid in enumerate(ids)
    )


def test_an_objection_tells_the_officer_the_nomination_went_back_not_what_was_said(world):
    nid = world.nominate(name="Phan Thị Yến")
    world.to_notice(nid)
    world.fire(nid, "object", "council_prov", comment="Người tố cáo: Nguyễn Văn A")
    officer = world.user("officer1")
    (note,) = [n for n in notify.recent(world.session, officer) if n.kind == "object"]
    assert note.subject == f"Hồ sơ số {nid} (Phan Thị Yến) được Hội đồng xem xét lại"
    assert "Nguyễn Văn A" not in note.body


def test_a_revocation_names_the_decision_it_undoes(world):
    """Decision numbers restart each year: "the decision" alone did not say which."""
    nid = world.nominate(name="Phan Thị Yến")
    world.to_notice(nid)
    signed = world.sign([nid])
    number, day = signed.number, f"{signed.signed_on:%d/%m/%Y}"
    world.fire(nid, "revoke", "decider_prov", comment="Kê khai gian dối", ground="fraud")
    told = world.session.scalars(
        select(Notification).where(Notification.nomination_id == nid, Notification.kind == "revoke")
    ).first()
    assert f"theo Quyết định số {number} ngày {day} đã bị hủy bỏ." in told.body
    assert f"by Decision No. {number} of {day} was revoked." in told.body_en


@pytest.mark.parametrize(
    ("severity", "day", "missed"),
    [("blocking", date(2025, 11, 20), False), ("blocking", date(2025, 11, 21), True),
     ("warning", date(2025, 11, 21), False)],
)  # fmt: skip
def test_a_draft_has_missed_its_filing_only_where_the_deadline_refuses(severity, day, missed):
    """A deadline kept as a warning lets the draft go: its page must still offer to send it."""
    from types import SimpleNamespace

    award = SimpleNamespace(
        submit_by=date(2025, 11, 20), rules=[{"rule": "R-DEADLINE", "severity": severity}]
    )
    draft = SimpleNamespace(state="draft", award_type=award)
    assert (deadlines.missed_filing(draft, day) is not None) is missed
