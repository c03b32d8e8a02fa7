"""Races and crashes: one winner among simultaneous approvals, nothing half-written."""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tests import workers
from tests.databases import migrate
from workflow import audit, signing
from workflow.db import make_engine
from workflow.errors import InvalidInput
from workflow.models import AuditEvent, User

PROJECT_ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def submitted(world) -> tuple[int, int, int]:
    nid = world.nominate()
    out = world.fire(nid, "submit", "officer1")
    seq = world.session.scalar(select(func.max(AuditEvent.seq)))
    world.session.rollback()
    return nid, out.version, seq


def audit_rows(session: Session) -> int:
    count = session.scalar(select(func.count()).select_from(AuditEvent))
    session.rollback()
    return count


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_twenty_threads_approving_at_once_on_postgres(world, db_url):
    nid, version, _ = submitted(world)
    before = audit_rows(world.session)
    engine = make_engine(db_url, pool_size=20, max_overflow=0)
    barrier = threading.Barrier(20)
    results: list[str] = []

    def compete() -> None:
        results.append(workers.fire_as(engine, "rev_br1", nid, "approve", version, barrier.wait))

    threads = [threading.Thread(target=compete) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    engine.dispose()
    assert sorted(results) == ["ok"] + ["stale"] * 19
    assert audit_rows(world.session) == before + 1
    assert audit.verify(world.session).ok


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_several_processes_approving_at_once_on_sqlite(world, db_url):
    nid, version, _ = submitted(world)
    before = audit_rows(world.session)
    context = multiprocessing.get_context("spawn")
    competitors = 6
    barrier = context.Barrier(competitors)
    results = context.Queue()
    processes = [
        context.Process(target=workers.approve_once, args=(db_url, nid, version, barrier, results))
        for _ in range(competitors)
    ]
    for p in processes:
        p.start()
    outcomes = sorted(results.get(timeout=120) for _ in processes)
    for p in processes:
        p.join(timeout=30)
    assert outcomes == ["ok"] + ["stale"] * (competitors - 1)  # never "database is locked"
    assert audit_rows(world.session) == before + 1
    assert audit.verify(world.session).ok


@pytest.mark.parametrize("kill_after", [3, 11, 26])
def test_sigkill_mid_stream_leaves_a_consistent_database(world, db_url, kill_after):
    world.session.rollback()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.workers", db_url],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
    )
    assert proc.stdout is not None
    for _ in range(kill_after):
        assert proc.stdout.readline() == b"committed\n"
    proc.send_signal(signal.SIGKILL)  # most likely in the middle of the next transition
    proc.wait(timeout=30)
    proc.stdout.close()
    report = audit.verify(world.session)
    world.session.rollback()
    assert report.ok, report.problems
    assert report.head_seq >= kill_after
    if world.session.bind.dialect.name == "sqlite":
        check = world.session.connection().exec_driver_sql("PRAGMA integrity_check").scalar()
        world.session.rollback()
        assert check == "ok"


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_decisions_signed_at_once_get_distinct_gapless_numbers(world, db_url):
    ids = []
    for i in range(8):
        nid = world.nominate(name=f"Người {i}")
        world.to_notice(nid)
        ids.append(nid)
    world.session.rollback()
    engine = make_engine(db_url, pool_size=8, max_overflow=0)
    barrier = threading.Barrier(8)
    numbers: list[str] = []

    def sign(nid: int) -> None:
        with Session(engine) as session:
            decider = session.scalar(select(User).where(User.username == "decider_prov"))
            session.rollback()
            barrier.wait()
            decision = signing.sign_decision(
                session, decider, nomination_ids=[nid], signed_on=date(2025, 12, 31)
            )
            numbers.append(decision.number)

    threads = [threading.Thread(target=sign, args=(nid,)) for nid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    engine.dispose()
    assert sorted(numbers) == [f"{i:02d}/QĐ-PROV" for i in range(1, 9)]


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_an_event_waiting_while_the_award_changes_is_told_it_is_stale(world, db_url):
    """Moving a draft to the campaign's current version changes its award type, which an
    event's locking read joins on: PostgreSQL re-checks that join once the lock is free. The
    waiting officer must hear "changed by someone else", never "not found"."""
    nid = world.nominate()
    version = world.version(nid)
    world.session.rollback()
    engine = make_engine(db_url)
    outcome: list[str] = []

    def submit() -> None:
        outcome.append(workers.fire_as(engine, "officer1", nid, "submit", version))

    with engine.begin() as holder:
        holder.execute(text("SELECT id FROM nominations WHERE id = :nid FOR UPDATE"), {"nid": nid})
        waiting = threading.Thread(target=submit)
        waiting.start()
        waiting.join(timeout=1)  # it waits for the lock
        holder.execute(
            text(
                "UPDATE nominations SET version = version + 1, award_type_id = "
                "(SELECT id FROM award_types WHERE code = 'GK' LIMIT 1) WHERE id = :nid"
            ),
            {"nid": nid},
        )
    waiting.join(timeout=30)
    engine.dispose()
    assert outcome == ["stale"]


def _commit_elsewhere(db_url: str, work) -> None:
    """``work(session)`` committed on a connection of its own, as a concurrent request's."""
    engine = make_engine(db_url)
    try:
        with Session(engine) as other:
            work(other)
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_a_username_taken_in_other_capitals_at_the_same_instant_is_refused(
    world, db_url, monkeypatch
):
    """Another request commits "Race.User" between this one's check and its insert: the
    index on lower(username) stops the insert, and the check run again says why."""
    from workflow import accounts

    real_check = accounts.check_password

    def check_then_race(password: str, username: str, *args, **kwargs) -> None:
        if username == "race.user":  # after this request's check found the name free
            _commit_elsewhere(db_url, lambda s: accounts.create_user(
                s, "Race.User", "Người Khác", "correct horse battery staple 9!"))  # fmt: skip
        real_check(password, username, *args, **kwargs)

    monkeypatch.setattr(accounts, "check_password", check_then_race)
    with pytest.raises(InvalidInput) as refused:
        accounts.create_user(
            world.session, "race.user", "Người Này", "correct horse battery staple 9!"
        )
    assert refused.value.details == {"username": "taken"}
    world.session.rollback()
    named = select(User.username).where(func.lower(User.username) == "race.user")
    assert world.session.scalars(named).all() == ["Race.User"]


def test_an_upgrade_names_accounts_that_differ_only_in_capitals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A database from before the index may hold "Thuy" and "thuy" (created at one instant):
    the upgrade stops and names them, and goes through once one is renamed."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    migrate(url, "623eaa4caf2c")
    engine = make_engine(url)
    insert = text(
        "INSERT INTO users (username, full_name, password_hash, is_active) "
        "VALUES (:name, 'Thủy', 'x', 1)"
    )
    with engine.begin() as connection:
        for name in ("Thuy", "thuy", "lan"):
            connection.execute(insert, {"name": name})
    with pytest.raises(SystemExit):  # Flask-Migrate logs the migration's error and exits
        migrate(url)
    assert re.search("chỉ khác nhau chữ hoa/thường.*: thuy$", capsys.readouterr().err, re.M)
    with engine.begin() as connection:
        connection.execute(text("UPDATE users SET username = 'thuy.2' WHERE username = 'thuy'"))
    migrate(url)
    with engine.begin() as connection, pytest.raises(IntegrityError):
        connection.execute(insert, {"name": "LAN"})
    engine.dispose()


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_a_key_taken_between_the_check_and_the_insert_is_refused_not_a_500(
    world, db_url, monkeypatch
):
    """Under READ COMMITTED two requests creating the same account or member both pass the
    "is it free" check; the second insert then meets the unique index. The operation runs once
    more, and its check, now seeing the other's row, refuses it as it always does."""
    from workflow import accounts, members, personal

    real_check, real_seal = accounts.check_password, personal.seal
    raced: list[str] = []

    def check_then_race(password: str, username: str, *args, **kwargs) -> None:
        if not raced:  # after this request's check found the name free
            raced.append(username)
            _commit_elsewhere(db_url, lambda s: accounts.create_user(
                s, username, "Người Khác", "correct horse battery staple 9!"))  # fmt: skip
        real_check(password, username, *args, **kwargs)

    monkeypatch.setattr(accounts, "check_password", check_then_race)
    with pytest.raises(InvalidInput) as refused:
        accounts.create_user_with_roles(
            world.session, "race.user", "Người Này", "correct horse battery staple 9!",
            [{"role": "officer", "unit_code": "CS1"}], actor=world.user("admin"),
        )  # fmt: skip
    assert refused.value.details == {"username": "taken"}
    assert world.session.scalar(select(func.count()).where(User.username == "race.user")) == 1

    def seal_then_race(cccd: str) -> bytes:
        if len(raced) == 1:
            raced.append(cccd)
            officer = lambda s: s.scalar(select(User).where(User.username == "officer1"))  # noqa: E731
            _commit_elsewhere(db_url, lambda s: members.add_member(
                s, officer(s), "CS1", members.NewMember("DV-RACE", "Người Khác"),
                date(2020, 1, 1)))  # fmt: skip
        return real_seal(cccd)

    monkeypatch.setattr(personal, "seal", seal_then_race)
    spec = members.NewMember("DV-RACE", "Người Này", cccd="066185001234")
    with pytest.raises(InvalidInput) as refused:
        members.add_member(world.session, world.user("officer1"), "CS1", spec, date(2020, 1, 1))
    assert refused.value.details == {"code": "taken"}
    world.session.rollback()
    assert audit.verify(world.session).ok
