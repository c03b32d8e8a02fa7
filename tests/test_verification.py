"""Verifying the trail as a job (issue 19): no web request runs it, its page shows the last run
(when, by whom, how far, what it found), and a run reads one snapshot without holding writers
back."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.api_client import ApiClient
from tests.factories import World
from tests.tampering import tamper
from tests.web_client import WebClient
from workflow import audit, chain, verification
from workflow.models import AuditEvent


@pytest.fixture
def held(monkeypatch):
    """The verification's walk, paused after its first link until released."""
    paused, release = threading.Event(), threading.Event()
    real = audit.verify

    def walk(session, anchor=None, progress=None):
        def moved(checked: int) -> None:
            progress(checked)
            paused.set()
            assert release.wait(30)

        return real(session, anchor, progress=moved)

    monkeypatch.setattr(chain, "BATCH", 1)
    monkeypatch.setattr(verification.audit, "verify", walk)
    return paused, release


def finished(world: World, timeout: float = 30) -> dict:
    """The last run once it has finished: its columns (read before the session lets go)."""
    for _ in range(int(timeout / 0.05)):
        world.session.expire_all()
        run = verification.latest(world.session)
        shown = (
            {c: getattr(run, c) for c in ("ok", "started_by", "checked", "total", "finished_at")}
            if run
            else {}
        )
        world.session.rollback()
        if shown.get("finished_at") is not None:
            return shown
        threading.Event().wait(0.05)
    raise AssertionError("the verification did not finish")


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_page_starts_a_run_and_never_runs_it_itself(app, world: World, held):
    paused, release = held
    world.to_council(world.nominate())
    world.session.rollback()
    auditor = WebClient(app, "auditor_prov")
    assert auditor.post("/audit/verify").status_code == 302  # answered while the walk is paused
    assert paused.wait(30)
    page = auditor.text("/audit")
    assert "Đang kiểm tra: 1 / " in page
    assert 'http-equiv="refresh"' in page
    assert ", do Auditor_Prov." in page  # who started it, by name
    release.set()
    run = finished(world)
    assert (run["ok"], run["started_by"], run["checked"]) == (True, "auditor_prov", run["total"])
    assert "Nhật ký toàn vẹn" in auditor.text("/audit")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_a_run_holds_no_writer_back(app, world: World, held):
    """On SQLite a run reads under WAL without the write lock; on PostgreSQL from one
    snapshot: an event fired meanwhile neither waits nor makes the run see a half state."""
    paused, release = held
    nid = world.nominate()
    world.session.rollback()
    run_id = verification.start(world.session, world.user("auditor_prov"))[0].id
    engine = world.session.get_bind()
    world.session.rollback()  # the test's own session lets the database go
    walker = threading.Thread(target=verification.run, args=(engine, run_id))
    walker.start()
    assert paused.wait(30)
    world.fire(nid, "submit", "officer1")  # a write while the run is part-way
    release.set()
    walker.join(30)
    assert finished(world)["ok"]
    again = verification.start(world.session, None)[0].id
    world.session.rollback()
    assert verification.run(engine, again).ok


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_broken_chain_is_reported_with_its_first_bad_link(app, world: World):
    world.to_council(world.nominate())
    seq = world.session.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)).all()[2]
    world.session.rollback()
    tamper(
        world.session.get_bind(), "UPDATE audit_events SET body = '{}' WHERE seq = :seq", seq=seq
    )
    report = ApiClient(app.test_client(), "auditor_prov").verify_trail()
    assert (report["status"], report["ok"], report["first_bad_seq"]) == ("failed", False, seq)
    page = WebClient(app, "auditor_prov").text("/audit")
    assert f"Bản ghi hỏng đầu tiên: #{seq}" in page


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_run_that_died_with_its_process_shows_as_interrupted(app, world: World):
    run, new = verification.start(world.session, world.user("auditor_prov"))
    assert new
    later = run.moved_at + verification.STALE + timedelta(minutes=1)
    assert verification.status(run, later) == "interrupted"
    again, new = verification.start(world.session, world.user("auditor_prov"), now=later)
    assert new
    assert again.id != run.id
    world.session.rollback()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_only_auditors_and_admins_start_a_run(app, world: World):
    world.session.rollback()
    assert WebClient(app, "officer1").post("/audit/verify").status_code == 403
    assert ApiClient(app.test_client(), "officer1").post("/audit/verify").status_code == 403
    assert ApiClient(app.test_client(), "auditor_prov").get("/audit/verify").json == {
        "status": "never"
    }
