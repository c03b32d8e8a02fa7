"""Verifying the whole trail as a job, never inside a web request: over 200,000 links it takes
seconds, and a request that long ties up a web worker (under load, one was killed). A page, the
API or the CLI starts a run; it reads one snapshot of the database without holding writers
back (a long trail is walked by one process per processor, all on that snapshot:
:mod:`workflow.chain`), writes its progress as it goes, and keeps its result in
``verifications`` for anyone who may audit to read: when, by whom, how far, what it found."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from workflow import audit
from workflow.accounts import require_role
from workflow.clock import utcnow, vn_date
from workflow.db import snapshot_engine
from workflow.models import AuditEvent, User, Verification
from workflow.transaction import end_reading, transaction
from workflow.vocabulary import Role

# A run whose progress has not moved for this long was interrupted (its process ended).
STALE = timedelta(minutes=10)
KEPT_PROBLEMS = 100


def status(run: Verification, now: datetime | None = None) -> str:
    """'running', 'interrupted', 'ok', 'failed' (the chain is broken) or 'error' (the run
    itself stopped on an error)."""
    if run.finished_at is None:
        return "interrupted" if (now or utcnow()) - run.moved_at > STALE else "running"
    if run.error:
        return "error"
    return "ok" if run.ok else "failed"


def latest(session: Session) -> Verification | None:
    return session.scalar(select(Verification).order_by(Verification.id.desc()).limit(1))


def start(
    session: Session, actor: User | None, now: datetime | None = None, join: bool = True
) -> tuple[Verification, bool]:
    """A new run, or (``join``) the one already running, since two at once would only
    compete; whether it is new. ``actor`` None: the server's own command line."""
    now = now or utcnow()
    if actor is not None:
        require_role(actor, {Role.AUDITOR, Role.ADMIN}, vn_date(now))
    with transaction(session):
        last = latest(session)
        if join and last is not None and status(last, now) == "running":
            return last, False
        run = Verification(
            started_at=now,
            started_by=actor.username if actor is not None else "system",
            moved_at=now,
            total=session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
        )
        session.add(run)
        session.flush()
        return run, True


def run(engine: Engine, run_id: int, anchor: dict[str, Any] | None = None) -> audit.VerifyReport:
    """Carry out a started run (in a background thread, or the CLI's own process)."""
    with Session(snapshot_engine(engine)) as reading, Session(engine) as writing:

        def moved(checked: int) -> None:
            with transaction(writing):
                writing.execute(
                    update(Verification)
                    .where(Verification.id == run_id)
                    .values(checked=checked, moved_at=utcnow())
                )

        try:
            report = audit.verify(reading, anchor, progress=moved)
        except Exception as err:
            end_reading(reading)
            with transaction(writing):
                writing.execute(
                    update(Verification)
                    .where(Verification.id == run_id)
                    .values(finished_at=utcnow(), error=f"{type(err).__name__}: {err}"[:2000])
                )
            raise
        end_reading(reading)
        with transaction(writing):
            writing.execute(
                update(Verification)
                .where(Verification.id == run_id)
                .values(
                    finished_at=utcnow(), moved_at=utcnow(), checked=report.checked,
                    ok=report.ok, head_seq=report.head_seq, head_hash=report.head_hash,
                    first_bad_seq=report.first_bad_seq,
                    problems=report.problems[:KEPT_PROBLEMS],
                )
            )  # fmt: skip
        return report
