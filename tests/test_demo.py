"""The demo is dated around today: loaded on any day (the clock set by KHENTHUONG_NOW), it
takes dossiers, and every role can finish its main task through the pages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import demo_definition
from tests.web_client import WebClient
from workflow import changes, demo
from workflow.clock import (
    NOW_VARIABLE,
    parse_iso_utc,
    parse_now,
    reset_override,
    utcnow,
    vn_date,
)
from workflow.council import roster
from workflow.db import Base
from workflow.models import (
    AuditEvent,
    AwardType,
    Campaign,
    Decision,
    Nomination,
    RoleAssignment,
    Unit,
)
from workflow.vocabulary import Role, State

# Today (30/11/2026), the first day of a year (this year's decision signed that very day)
# and mid-January (the year-end review of last year's campaign still open).
DAYS = ["2026-11-30", "2027-01-01", "2027-01-15"]
PASS_VOTE = {"members": 9, "present": 9, "yes": 9, "no": 0, "abstain": 0}


@pytest.fixture(params=DAYS)
def today(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[date]:
    monkeypatch.setenv(NOW_VARIABLE, request.param)
    reset_override()
    yield date.fromisoformat(request.param)
    reset_override()


class DemoClient(WebClient):
    """A browser logged in with the demo's shared password."""

    def __init__(self, app: Any, username: str) -> None:
        self.client = app.test_client()
        self.token = self._token("/login")
        response = self.client.post(
            "/login",
            data={"username": username, "password": demo.DEMO_PASSWORD, "csrf_token": self.token},
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        self.token = self._token("/")


def seed(app: Any) -> str:
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return str(result.output)


def snapshot(session: Session) -> dict[str, Any]:
    """Every table's row count and the head of the trail: what "changes nothing" means."""
    counts = {
        t.name: session.scalar(select(func.count()).select_from(t))
        for t in Base.metadata.sorted_tables
    }
    head = session.scalar(select(func.max(AuditEvent.seq)))
    versions = sorted(session.execute(select(Nomination.id, Nomination.state, Nomination.version)))
    session.rollback()  # SQLite: a reading transaction holds the write lock until it ends
    return {"counts": counts, "head": head, "nominations": versions}


def named(session: Session, name: str) -> int:
    nid = session.scalar(select(Nomination.id).where(Nomination.nominee_name == name))
    session.rollback()
    assert nid is not None, name
    return nid


def state_of(session: Session, nid: int) -> tuple[str, str]:
    n = session.get_one(Nomination, nid)
    found = (n.state, n.current_unit.code)
    session.rollback()
    return found


def test_the_clock_reads_the_variable_and_keeps_flowing(monkeypatch):
    from web.config import from_environment

    instant = parse_now("2027-01-15T09:00+07:00")
    monkeypatch.setenv(NOW_VARIABLE, "2027-01-15T09:00+07:00")
    reset_override()
    try:
        first, second = utcnow(), utcnow()
        assert instant <= first <= second < instant + timedelta(minutes=1)
        assert vn_date(parse_now("2027-01-01")) == date(2027, 1, 1)  # a date: its start, in VN
        assert parse_now("2027-01-01T08:00") == parse_now("2027-01-01T01:00Z")  # no offset: VN
        monkeypatch.setenv(NOW_VARIABLE, "15/01/2027")
        with pytest.raises(ValueError, match=NOW_VARIABLE):
            from_environment()  # the app stops at start-up, not at its first request
        monkeypatch.delenv(NOW_VARIABLE)
        assert abs(utcnow() - datetime.now(UTC)) < timedelta(seconds=5)  # the real time again
    finally:
        reset_override()


def test_the_demo_is_dated_around_today_and_loads_once(today, app, session):
    first = seed(app)
    assert today.strftime("%d/%m/%Y") in first
    loaded = snapshot(session)
    second = seed(app)
    assert "đã có sẵn" in second
    assert snapshot(session) == loaded

    assert set(session.scalars(select(Nomination.state))) == {s.value for s in State}
    # Nothing happened after now, and the nominations' history is in the order it happened
    # (units, users and campaigns are recorded as the demo is loaded, ahead of that history).
    links = [
        json.loads(body)
        for body in session.scalars(select(AuditEvent.body).order_by(AuditEvent.seq))
    ]
    assert max(parse_iso_utc(link["at"]) for link in links) <= utcnow()
    history = [parse_iso_utc(link["at"]) for link in links if link["nomination_id"] is not None]
    assert history == sorted(history)
    assert max(session.scalars(select(Decision.signed_on))) <= today
    # The province signed last year and this year, each numbered from 01 again.
    province = session.scalar(select(Unit.id).where(Unit.code == "LDLD-DLK"))
    numbered = session.execute(
        select(Decision.year, Decision.serial).where(Decision.unit_id == province)
    ).all()
    assert sorted(numbered) == [(today.year - 1, 1), (today.year, 1)]
    # Its council's minutes count the members its roster has.
    seats = len(roster(session, province, today))
    votes = [link["data"]["vote"] for link in links if link.get("event") == "vote"]
    assert votes
    assert {v["members"] for v in votes} == {seats}
    # A campaign takes dossiers today.
    code, due = demo.open_campaign(demo_definition(), today)
    campaign = session.scalar(select(Campaign).where(Campaign.code == code))
    assert campaign is not None
    assert due is not None
    assert due > today
    assert all(a.submit_by is None or a.submit_by >= due for a in campaign.award_types)
    session.rollback()


def test_every_unit_on_a_route_can_finish_it(today, app, session):
    """From each officer's CĐCS, every award of the open campaign reaches a deciding unit with
    a council and a decider, through units that each have a reviewer."""
    seed(app)
    code, _ = demo.open_campaign(demo_definition(), today)
    awards = session.scalars(select(AwardType).join(Campaign).where(Campaign.code == code)).all()
    assignments = session.scalars(select(RoleAssignment)).all()
    roles_at: dict[int, set[str]] = {}
    for a in assignments:
        if a.active_on(today):
            roles_at.setdefault(a.unit_id, set()).add(a.role)
    origins = {a.unit for a in assignments if a.role == Role.OFFICER}
    assert {o.code for o in origins} == {"CDCS-SKHDT", "CDCS-THPT-BMT"}
    for origin in origins:
        for award in awards:
            route, codes = changes.compute_route(session, origin, award)
            for unit_id, unit_code in zip(route, codes, strict=True):
                assert Role.REVIEWER in roles_at.get(unit_id, set()), (award.code, unit_code)
            assert {Role.COUNCIL, Role.DECIDER} <= roles_at[route[-1]], (award.code, codes)
    session.rollback()


def test_each_role_finishes_its_main_task_through_the_pages(today, app, session):
    seed(app)
    code, _ = demo.open_campaign(demo_definition(), today)
    year = session.scalar(select(Campaign.year).where(Campaign.code == code))
    session.rollback()

    # The officer creates a nomination, submits it, and resubmits the one returned to them.
    officer = DemoClient(app, "canbo.skhdt")
    assert "Tên người được đề nghị" in officer.text(f"/nominations/new?award={code}/BK_LDLD")
    initiative = {"scope": "co_so", "benefit_vnd": "20000000", "recognized_by": "HĐ sáng kiến"}
    created = officer.post(
        "/nominations/new",
        {
            "award": f"{code}/BK_LDLD",
            "nominee_name": "Võ Thị Thanh Tâm",
            "achievements": "Hoàn thành xuất sắc nhiệm vụ hai năm liền.",
            "facts.ratings.present": "1",
            f"facts.ratings.{year - 1}": "HTXSNV",
            f"facts.ratings.{year}": "HTXSNV",
            "facts.initiatives.present": "1",
            **{f"facts.initiatives.0.{k}": v for k, v in initiative.items()},
            "facts.initiatives.0.title": "Số hóa sổ đoàn viên",
            "facts.initiatives.0.year": str(year - 1),
            **{f"facts.initiatives.1.{k}": v for k, v in initiative.items()},
            "facts.initiatives.1.title": "Biểu mẫu thi đua trực tuyến",
            "facts.initiatives.1.year": str(year),
            "facts.discipline.present": "1",
            "facts.achievement_ref": f"BC-{year}-VTTT",
        },
    )
    assert created.status_code == 302, created.get_data(as_text=True)
    new = int(created.headers["Location"].rsplit("/", 1)[1])
    assert officer.act(new, "submit").status_code == 302
    assert state_of(session, new) == (State.IN_REVIEW, "CDVC-DLK")
    returned = named(session, "Phạm Thị Dung")
    assert "Thiếu biên bản họp bình xét" in officer.text(f"/nominations/{returned}")
    assert officer.act(returned, "resubmit").status_code == 302

    # Reviewers at each tier approve what waits in their inbox.
    cdvc = DemoClient(app, "thamdinh.cdvc")
    assert "Võ Thị Thanh Tâm" in cdvc.text("/inbox")
    assert cdvc.act(new, "approve").status_code == 302
    bmt, niê = DemoClient(app, "thamdinh.bmt"), named(session, "H'Hen Niê")
    assert bmt.act(niê, "approve").status_code == 302
    province = DemoClient(app, "thamdinh.ldld")
    for nid in (new, niê, named(session, "Lê Văn Cường")):
        assert province.act(nid, "approve").status_code == 302
    assert state_of(session, new) == (State.UNDER_COUNCIL, "LDLD-DLK")
    kim = named(session, "Lý Thị Kim")
    assert DemoClient(app, "thamdinh.tld").act(kim, "approve").status_code == 302
    assert state_of(session, kim) == (State.UNDER_COUNCIL, "TLD")

    # Councils vote: the province's, the CĐVC's (LĐTT) and the TLĐ's.
    for council, nid in (
        ("hoidong.ldld", new),
        ("hoidong.ldld", named(session, "Hoàng Văn Em")),
        ("hoidong.cdvc", named(session, "Mai Văn Phúc")),
        ("hoidong.tld", kim),
    ):
        assert DemoClient(app, council).act(nid, "vote", **PASS_VOTE).status_code == 302
        assert state_of(session, nid)[0] == State.ON_NOTICE

    # The decider signs today for the nomination whose public notice is over.
    decider = DemoClient(app, "lanhdao.ldld")
    ready = named(session, "Vũ Thị Phương")
    form = decider.text("/decisions/new")
    assert "Vũ Thị Phương" in form
    assert f'value="{today.isoformat()}"' in form  # the pages' today is the clock's
    signed = decider.post(
        "/decisions/new", {"nomination_ids": str(ready), "signed_on": today.isoformat()}
    )
    assert signed.status_code == 302, signed.get_data(as_text=True)
    decision_id = int(signed.headers["Location"].rsplit("/", 1)[1])
    decision = session.get_one(Decision, decision_id)
    assert (decision.year, decision.signed_on) == (today.year, today)
    number = decision.number
    session.rollback()
    assert number in decider.text(f"/decisions/{decision_id}")
    assert state_of(session, ready)[0] == State.AWARDED

    # The auditor verifies the whole trail and reads one nomination's.
    auditor = DemoClient(app, "kiemtoan.ldld")
    assert "Nhật ký toàn vẹn" in auditor.verify_trail()
    trail = auditor.text(f"/nominations/{ready}/trail.csv")
    assert re.search(r"\bdecide\b", trail)

    # The administrator opens the admin pages.
    admin = DemoClient(app, "admin")
    assert "LDLD-DLK" in admin.text("/admin/units")
    assert "lanhdao.tld" in admin.text("/admin/users")
    assert code in admin.text("/admin/campaigns")
    assert "issuer:" in admin.text(f"/admin/campaigns/{code}.yaml")
    session.rollback()
