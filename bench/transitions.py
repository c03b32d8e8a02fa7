"""Benchmark (not a test): audited nomination transitions per second.

Every transition the service makes is one database transaction that locks the nomination,
appends a link to the SHA-256 audit chain and bumps the version. This measures what that
costs and compares it with what it could cost:

* service: ``workflow.service.fire`` on SQLite (file, WAL) and on PostgreSQL, on an award
  with eligibility rules (checked at submit, each approval and the vote);
* raw SQL: the same statements written by hand and run on the driver (sqlite3, psycopg), no
  SQLAlchemy on the timed path: the floor for this schema (it checks no rules);
* naive: raw SQL, but a new ``transitions.Machine`` built for every transition;
* on PostgreSQL, service and raw SQL again from 4 and 16 processes at once on different
  nominations: whether ``fire`` scales with clients as the database does;
* SpiffWorkflow: a four-task BPMN process whose state is serialised and stored after
  every step, the usual way an engine persists a long-running process.

Run from the project root: ``.venv/bin/python bench/transitions.py [--quick]
[--no-postgres] [--json PATH]``. PostgreSQL is found as the tests find it,
``TEST_POSTGRES_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``); scratch
databases are created beside it and dropped at the end.
"""

from __future__ import annotations

import argparse
import io
import itertools
import json
import multiprocessing
import os
import platform
import re
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext, redirect_stderr
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

# Run as a script, this folder heads sys.path, where this file would shadow the `transitions`
# library that the workflow imports; the project root, which has to be there, takes its place.
sys.path.remove(str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import flask_migrate
from psycopg.types.json import Jsonb
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import (
    JSON,
    Engine,
    create_engine,
    make_url,
    select,
    text,
)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from transitions import Machine

from web import create_app
from web.extensions import db
from workflow import audit, changes, nominating, records, service
from workflow.accounts import assign_role, create_unit
from workflow.clock import iso_utc, vn_date
from workflow.db import Base, make_engine
from workflow.machine import TRANSITIONS, Step, run
from workflow.models import AwardType, Campaign, User
from workflow.passwords import hash_password
from workflow.transaction import transaction
from workflow.vocabulary import State

BPMN_FILE = Path(__file__).resolve().parent / "approval.bpmn"
BPMN_PROCESS = "nomination_approval"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TARGET_RATE = 3000.0  # audited transitions per second on SQLite (issue 2)
PASSWORD = "bench password, never used to log in"  # noqa: S105 - scratch data

# A deep route: CS's nominations climb BR -> PROV -> TLD before the TLD council votes.
UNITS = [
    ("TLD", "tong_ldld", None),
    ("PROV", "ldld_tinh", "TLD"),
    ("BR", "cd_cap_tren", "PROV"),
    ("CS", "cdcs", "BR"),
]
USERS = {  # username -> (role, unit code)
    "officer": ("officer", "CS"),
    "rev_br": ("reviewer", "BR"),
    "rev_prov": ("reviewer", "PROV"),
    "rev_tld": ("reviewer", "TLD"),
    "council_tld": ("council", "TLD"),
}
CAMPAIGN = "BENCH"
AWARD = "BKTLD"  # decided at tong_ldld, so three approve steps
NOTICE_DAYS = 7
# Checked at submit, at each approval and at the vote, as a real award's rules are.
RULES = [{"rule": "R-ABSENCE"}, {"rule": "R-MONTHS-EMPLOYED"}, {"rule": "R-DISCIPLINE"}]
FACTS = {"absent_days": 3, "months_employed": 12, "discipline": []}
PASS_VOTE = {"members": 9, "present": 9, "yes": 9, "no": 0, "abstain": 0}
# (event, username, keyword data for fire) from draft to on_notice.
SCRIPT: list[tuple[str, str, dict[str, Any]]] = [
    ("submit", "officer", {}),
    ("approve", "rev_br", {}),
    ("approve", "rev_prov", {}),
    ("approve", "rev_tld", {}),
    ("vote", "council_tld", {"vote": PASS_VOTE}),
]
# The same happy path in the BPMN process: user task id -> data its performer enters.
SPIFF_TASK_DATA: dict[str, dict[str, Any]] = {
    "submit": {"actor": "officer"},
    "approve_tier1": {"actor": "rev_br"},
    "approve_tier2": {"actor": "rev_prov"},
    "council_vote": {"actor": "council_tld", "vote": PASS_VOTE},
}
START = datetime(2025, 11, 3, 1, 0, tzinfo=UTC)
NOMINATIONS = Base.metadata.tables["nominations"]


@dataclass(frozen=True)
class Settings:
    """How much to measure: ``repeats`` timed runs of ``per_run`` transitions each."""

    repeats: int
    per_run: int
    warmups: int = 1

    @property
    def runs(self) -> int:
        return self.warmups + self.repeats


FULL = Settings(repeats=5, per_run=1500)
QUICK = Settings(repeats=3, per_run=100)


@dataclass(frozen=True)
class World:
    """What the timed loops need from the populated database, loaded before timing."""

    users: dict[str, User]
    nomination_ids: list[int]
    route: list[int]
    route_codes: list[str]
    unit_codes: dict[int, str]


@dataclass(frozen=True)
class Ratio:
    """``numerator`` ÷ ``denominator`` (a variant's median, or a fixed rate)."""

    label: str
    numerator: str
    denominator: str | float
    target: float | None  # None: shown for information


RATIOS = [
    Ratio("service/SQLite vs the 3,000/s target", "service/SQLite", TARGET_RATE, 1.0),
    Ratio("service/SQLite ÷ SpiffWorkflow", "service/SQLite", "SpiffWorkflow/SQLite", 2.0),
    Ratio(
        "service/PostgreSQL ÷ raw SQL/PostgreSQL", "service/PostgreSQL", "raw SQL/PostgreSQL", None
    ),
    Ratio(
        "service ×16 ÷ raw SQL ×16 (PostgreSQL)",
        "service ×16/PostgreSQL",
        "raw SQL ×16/PostgreSQL",
        0.4,
    ),
    Ratio(
        "service ×16 ÷ service ×1 (PostgreSQL)",
        "service ×16/PostgreSQL",
        "service/PostgreSQL",
        None,
    ),
    Ratio(
        "raw SQL ×16 ÷ raw SQL ×1 (PostgreSQL)",
        "raw SQL ×16/PostgreSQL",
        "raw SQL/PostgreSQL",
        None,
    ),
    Ratio("service/SQLite ÷ raw SQL/SQLite", "service/SQLite", "raw SQL/SQLite", None),
    Ratio("service/SQLite ÷ naive/SQLite", "service/SQLite", "naive/SQLite", None),
    Ratio("service/PostgreSQL ÷ naive/PostgreSQL", "service/PostgreSQL", "naive/PostgreSQL", None),
]


class Clock:
    """Fixed, strictly increasing instants, so every run hashes the same kind of bodies."""

    def __init__(self) -> None:
        self._ticks = itertools.count(1)

    def __call__(self) -> datetime:
        return START + timedelta(milliseconds=next(self._ticks))


def measure(settings: Settings, run_batch: Callable[[int], int]) -> list[float]:
    """Transitions per second of each timed run; ``run_batch(i)`` does run i, says how many."""
    for batch in range(settings.warmups):
        run_batch(batch)
    rates = []
    for batch in range(settings.warmups, settings.runs):
        started = time.perf_counter()
        done = run_batch(batch)
        rates.append(done / (time.perf_counter() - started))
    return rates


# --- databases -------------------------------------------------------------------------


def migrate(url: str) -> None:
    """Build the schema with the project's real Alembic migration (triggers included).

    Alembic's INFO lines (to stderr, six times a run) would bury the progress lines; a failed
    migration still raises.
    """
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context(), redirect_stderr(io.StringIO()):
        flask_migrate.upgrade()
        db.engine.dispose()


def postgres_unreachable(admin_url: str) -> str | None:
    """None if PostgreSQL answers, else why not (the PostgreSQL variants are then skipped)."""
    engine = create_engine(admin_url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        return str(exc.orig).strip().splitlines()[0]
    finally:
        engine.dispose()
    return None


@contextmanager
def scratch_postgres(admin_url: str) -> Iterator[str]:
    """A new empty database beside ``admin_url``, dropped on the way out, even on error."""
    name = f"khenthuong_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield admin_url.rsplit("/", 1)[0] + f"/{name}"
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@contextmanager
def migrated_engine(url: str) -> Iterator[Engine]:
    """An application engine (WAL, busy_timeout, BEGIN IMMEDIATE on SQLite) on a new schema."""
    migrate(url)
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def populate(session: Session, nominations: int, password_hash: str, clock: Clock) -> World:
    """The unit tree, one user per role, the award and ``nominations`` drafts (untimed).

    Every record is vouched for by the chain, as the app's own operations do, so that
    ``audit verify`` accepts the database afterwards."""
    with transaction(session):
        units = {}
        for code, level, parent in UNITS:
            units[code] = create_unit(session, code, f"Đơn vị {code}", level, parent)
        award = AwardType(
            campaign=Campaign(code=CAMPAIGN, title="Thi đua năm 2025", year=2025),
            code=AWARD,
            title="Bằng khen Tổng Liên đoàn",
            nominee_kind="individual",
            decider_level="tong_ldld",
            vote_ratio_num=9,
            vote_ratio_den=10,
            vote_base="members",
            notice_days=NOTICE_DAYS,
            rules=RULES,
        )
        session.add(award)
        audit.record_change(session, "campaign_version", "bench", START, award.campaign)
        users = {}
        for name, (role, unit) in USERS.items():
            users[name] = User(username=name, full_name=name.title(), password_hash=password_hash)
            session.add(users[name])
            audit.record_change(session, "user_created", "bench", START, users[name])
            assign_role(session, users[name], role, unit)
    ids = [
        nominating.create_nomination(
            session,
            users["officer"],
            campaign=CAMPAIGN,
            award_type=AWARD,
            nominee_kind="individual",
            nominee_name=f"Đoàn viên số {i}",
            facts=FACTS,
            now=clock(),
        ).id
        for i in range(nominations)
    ]
    route, route_codes = changes.compute_route(session, units["CS"], award)
    return World(
        users=users,
        nomination_ids=ids,
        route=route,
        route_codes=route_codes,
        unit_codes={unit.id: code for code, unit in units.items()},
    )


def verify_chain(session: Session) -> None:
    """Every variant must leave a chain the service's verifier accepts, or it is not comparable."""
    report = audit.verify(session)
    if not report.ok:
        raise RuntimeError(f"audit chain broken after the run: {report.problems[:3]}")


# --- variants on the workflow schema ---------------------------------------------------


def bench_service(engine: Engine, settings: Settings, password_hash: str) -> list[float]:
    """The real entry point, one ``fire`` per transition, versions tracked from its answers.

    The session is configured as the web app's is (``expire_on_commit=False``, web/extensions.py),
    so the acting user is not reloaded after every commit.
    """
    clock = Clock()
    per_batch = settings.per_run // len(SCRIPT)
    with Session(engine, expire_on_commit=False) as session:
        world = populate(session, per_batch * settings.runs, password_hash, clock)

        def batch(index: int) -> int:
            for nomination_id in world.nomination_ids[index * per_batch : (index + 1) * per_batch]:
                version = 1
                for event, who, data in SCRIPT:
                    version = service.fire(
                        session,
                        nomination_id,
                        event,
                        world.users[who],
                        expected_version=version,
                        now=clock(),
                        **data,
                    ).version
            return per_batch * len(SCRIPT)

        rates = measure(settings, batch)
        verify_chain(session)
    return rates


# Where a hand-written transition goes: (nomination row, event, route) -> (state, unit id).
Decide = Callable[[dict[str, Any], str, list[int]], tuple[str, int]]
NOMINATION_COLUMNS = ("id", *records.FIELDS["nominations"])
JSON_COLUMNS = frozenset(
    name for name in NOMINATION_COLUMNS if isinstance(NOMINATIONS.c[name].type, JSON)
)


@dataclass(frozen=True)
class RawStatements:
    """The statements ``fire`` issues for one transition, as the driver takes them (no
    SQLAlchemy on the timed path: this is the database's floor for our schema)."""

    dialect: str
    begin: str | None
    lock_nomination: str
    lock_head: str
    insert_event: str
    update_head: str
    update_nomination: str

    @classmethod
    def for_dialect(cls, dialect: str) -> RawStatements:
        # SQLite has no row locks: BEGIN IMMEDIATE takes the write lock, as make_engine does.
        lock = " FOR UPDATE" if dialect == "postgresql" else ""

        def spelled(sql: str) -> str:  # sqlite3 takes :name, psycopg %(name)s
            return re.sub(r":(\w+)", r"%(\1)s", sql) if dialect == "postgresql" else sql

        return cls(
            dialect=dialect,
            begin="BEGIN IMMEDIATE" if dialect == "sqlite" else None,
            # Every column the link's digest covers (the service holds them all as well).
            lock_nomination=spelled(
                f"SELECT {', '.join(NOMINATION_COLUMNS)} FROM nominations WHERE id = :id{lock}"
            ),
            lock_head=f"SELECT seq, hash FROM audit_head WHERE id = 1{lock}",
            insert_event=spelled(
                "INSERT INTO audit_events (seq, nomination_id, body, prev_hash, hash)"
                " VALUES (:seq, :nomination_id, :body, :prev_hash, :hash)"
            ),
            update_head=spelled("UPDATE audit_head SET seq = :seq, hash = :hash WHERE id = 1"),
            update_nomination=spelled(
                "UPDATE nominations SET state = :state, current_unit_id = :unit_id,"
                " route = :route, route_codes = :route_codes, vote = COALESCE(:vote, vote),"
                " notice_ends_on = COALESCE(:notice_ends_on, notice_ends_on),"
                " version = :version, updated_at = :updated_at WHERE id = :id"
            ),
        )

    def row(self, values: tuple[Any, ...]) -> dict[str, Any]:
        """A nomination row as the service reads it (SQLite hands JSON columns as text)."""
        row = dict(zip(NOMINATION_COLUMNS, values, strict=True))
        if self.dialect == "sqlite":
            for name in JSON_COLUMNS:
                if row[name] is not None:
                    row[name] = json.loads(row[name])
        return row

    def stored(self, value: Any) -> Any:
        """A value as this driver stores it in our columns (what the ORM types would send)."""
        if value is None:
            return None
        if isinstance(value, datetime):
            naive = value.astimezone(UTC).replace(tzinfo=None)
            return naive if self.dialect == "postgresql" else f"{naive:%Y-%m-%d %H:%M:%S.%f}"
        if isinstance(value, date):
            return value if self.dialect == "postgresql" else value.isoformat()
        if isinstance(value, dict | list):
            return Jsonb(value) if self.dialect == "postgresql" else json.dumps(value)
        return value


def raw_transition(
    db: Any,
    sql: RawStatements,
    world: World,
    nomination_id: int,
    expected_version: int,
    decide: Decide,
    now: datetime,
) -> int:
    """One audited transition in one transaction, on the driver; returns the new version."""
    cursor = db.cursor()
    if sql.begin:
        cursor.execute(sql.begin)
    cursor.execute(sql.lock_nomination, {"id": nomination_id})
    row = sql.row(cursor.fetchone())
    if row["version"] != expected_version:
        raise RuntimeError(
            f"nomination {nomination_id}: version {row['version']}, not {expected_version}"
        )
    event, who, data = SCRIPT[row["version"] - 1]  # version 1 is the draft, before step 0
    route = row["route"] or world.route  # frozen at submit, as the service does
    to_state, to_unit = decide(row, event, route)
    vote = data.get("vote")
    role, unit = USERS[who]
    cursor.execute(sql.lock_head)
    head_seq, head_hash = cursor.fetchone()
    seq, version = head_seq + 1, row["version"] + 1
    notice_ends_on = (
        vn_date(now) + timedelta(days=NOTICE_DAYS) if to_state == State.ON_NOTICE else None
    )
    after = row | {
        "state": to_state,
        "current_unit_id": to_unit,
        "route": route,
        "route_codes": world.route_codes,
        "vote": vote if vote is not None else row["vote"],
        "notice_ends_on": notice_ends_on or row["notice_ends_on"],
        "version": version,
    }
    body = audit.canonical_json(
        {
            "event": event,
            "actor": who,
            "acting_for": None,
            "role": role,
            "unit": unit,
            "from_state": row["state"],
            "to_state": to_state,
            "from_unit": world.unit_codes[row["current_unit_id"]],
            "to_unit": world.unit_codes[to_unit],
            "to_unit_id": to_unit,
            "version": version,
            "comment": None,
            # The service weighs the vote against the award; 9 yes of 9 passes any threshold.
            "data": {"vote": vote, "passes": True} if vote else {},
            "records": {
                f"nominations/{nomination_id}": records.digest_of(
                    "nominations", nomination_id, after
                )
            },
            "seq": seq,
            "at": iso_utc(now),
            "nomination_id": nomination_id,
        }
    )
    link = audit.link_hash(head_hash, body)
    cursor.execute(
        sql.insert_event,
        {"seq": seq, "nomination_id": nomination_id, "body": body, "prev_hash": head_hash,
         "hash": link},
    )  # fmt: skip
    cursor.execute(sql.update_head, {"seq": seq, "hash": link})
    cursor.execute(
        sql.update_nomination,
        {
            "id": nomination_id,
            "state": to_state,
            "unit_id": to_unit,
            "route": sql.stored(route),
            "route_codes": sql.stored(world.route_codes),
            "vote": sql.stored(vote),
            "notice_ends_on": sql.stored(notice_ends_on),
            "version": version,
            "updated_at": sql.stored(now),
        },
    )
    db.commit()
    return version


def planned_decide(world: World) -> Decide:
    """The destinations of the script worked out once (by the real machine, untimed).

    The raw variant then just looks them up: no state machine on the timed path.
    """
    cs = next(unit_id for unit_id, code in world.unit_codes.items() if code == "CS")
    step = Step(State.DRAFT.value, cs, cs, list(world.route), vote_passes=True)
    plan: dict[tuple[str, str, int], tuple[str, int]] = {}
    for event, _who, _data in SCRIPT:
        before = (event, step.state, step.unit_id)
        run(step, event)
        plan[before] = (step.state, step.unit_id)

    def decide(row: dict[str, Any], event: str, _route: list[int]) -> tuple[str, int]:
        return plan[(event, row["state"], row["current_unit_id"])]

    return decide


def string_transitions() -> list[dict[str, Any]]:
    """``TRANSITIONS`` with enum members as plain strings, as workflow/machine.py builds it."""

    def name(value: Any) -> Any:
        return [member.value for member in value] if isinstance(value, list) else value.value

    return [
        {**t, "trigger": t["trigger"].value, "source": name(t["source"]), "dest": t["dest"].value}
        for t in TRANSITIONS
    ]


STATES = [state.value for state in State]
STRING_TRANSITIONS = string_transitions()


def naive_decide(row: dict[str, Any], event: str, route: list[int]) -> tuple[str, int]:
    """What people do wrong: a brand new ``Machine`` around every record, for every event."""
    record = Step(
        row["state"], row["current_unit_id"], row["origin_unit_id"], route, vote_passes=True
    )
    Machine(
        model=record,
        states=STATES,
        transitions=STRING_TRANSITIONS,
        auto_transitions=False,
        initial=record.state,
    )
    record.trigger(event)  # Machine gave the record its trigger()
    return record.state, record.unit_id


def bench_raw(engine: Engine, settings: Settings, password_hash: str, naive: bool) -> list[float]:
    """Raw SQL per transition; ``naive`` decides with a new Machine instead of the plan."""
    clock = Clock()
    per_batch = settings.per_run // len(SCRIPT)
    with Session(engine) as session:
        world = populate(session, per_batch * settings.runs, password_hash, clock)
    decide = naive_decide if naive else planned_decide(world)
    sql = RawStatements.for_dialect(engine.dialect.name)
    pooled = engine.raw_connection()
    try:
        db = pooled.driver_connection

        def batch(index: int) -> int:
            for nomination_id in world.nomination_ids[index * per_batch : (index + 1) * per_batch]:
                version = 1
                for _step in SCRIPT:
                    version = raw_transition(
                        db, sql, world, nomination_id, version, decide, clock()
                    )
            return per_batch * len(SCRIPT)

        rates = measure(settings, batch)
    finally:
        pooled.close()
    with Session(engine) as session:
        verify_chain(session)
    return rates


# --- PostgreSQL with several processes ------------------------------------------------------


def in_processes(
    url: str, slices: list[list[int]], work: Callable[[Engine, list[int]], int]
) -> float:
    """Transitions per second of ``len(slices)`` processes, each doing ``work`` on its own
    nominations with its own engine, timed from a common start to the last one's end."""
    context = multiprocessing.get_context("fork")
    ready = context.Barrier(len(slices) + 1)
    answers = context.Queue()

    def child(ids: list[int]) -> None:
        engine = make_engine(url)
        try:
            with engine.connect():  # the pool keeps this connection for the timed part
                pass
            ready.wait()
            started = time.monotonic()
            done = work(engine, ids)
            answers.put((started, time.monotonic(), done))
        except BaseException as exc:
            answers.put(exc)
            raise
        finally:
            engine.dispose()

    processes = [context.Process(target=child, args=(ids,)) for ids in slices]
    for process in processes:
        process.start()
    ready.wait()
    results = [answers.get() for _ in processes]
    for process in processes:
        process.join()
    failures = [r for r in results if isinstance(r, BaseException)]
    if failures:
        raise RuntimeError(f"a benchmark process failed: {failures[0]!r}")
    first, last = min(r[0] for r in results), max(r[1] for r in results)
    return sum(r[2] for r in results) / (last - first)


def bench_processes(
    engine: Engine, settings: Settings, password_hash: str, processes: int, raw: bool
) -> list[float]:
    """``processes`` clients on different nominations at once (PostgreSQL): the service's
    ``fire``, or the raw statements beside it as the anchor."""
    clock = Clock()
    per_batch = settings.per_run // len(SCRIPT)
    with Session(engine, expire_on_commit=False) as session:
        world = populate(session, per_batch * settings.runs, password_hash, clock)
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    decide = planned_decide(world)
    sql = RawStatements.for_dialect(engine.dialect.name)

    def work(child_engine: Engine, ids: list[int]) -> int:
        # Each process its own instants: bodies differ, the chain stays strictly ordered by seq.
        tick = Clock()
        if raw:
            pooled = child_engine.raw_connection()
            try:
                for nomination_id in ids:
                    version = 1
                    for _step in SCRIPT:
                        version = raw_transition(
                            pooled.driver_connection, sql, world, nomination_id, version, decide,
                            tick(),
                        )  # fmt: skip
            finally:
                pooled.close()
            return len(ids) * len(SCRIPT)
        with Session(child_engine, expire_on_commit=False) as session:
            users = {u.username: u for u in session.scalars(select(User))}
            for role in (r for u in users.values() for r in u.assignments):
                role.unit.code  # noqa: B018 - loaded before timing, as a warm web worker has them
            for nomination_id in ids:
                version = 1
                for event, who, data in SCRIPT:
                    version = service.fire(
                        session, nomination_id, event, users[who], expected_version=version,
                        now=tick(), **data,
                    ).version  # fmt: skip
        return len(ids) * len(SCRIPT)

    rates = []
    for index in range(settings.runs):
        ids = world.nomination_ids[index * per_batch : (index + 1) * per_batch]
        rate = in_processes(url, [ids[i::processes] for i in range(processes)], work)
        if index >= settings.warmups:
            rates.append(rate)
    with Session(make_engine(url)) as session:
        verify_chain(session)
    return rates


# --- SpiffWorkflow -----------------------------------------------------------------------


def bench_spiff(engine: Engine, settings: Settings) -> list[float]:
    """A BPMN engine's way: after each completed user task, store the serialised workflow."""
    parser = BpmnParser()
    parser.add_bpmn_file(str(BPMN_FILE))
    spec = parser.get_spec(BPMN_PROCESS)
    serializer = BpmnWorkflowSerializer()
    with engine.begin() as conn:
        conn.execute(
            text("CREATE TABLE workflow_instances (id INTEGER PRIMARY KEY, state TEXT NOT NULL)")
        )
    save = text(
        "INSERT INTO workflow_instances (id, state) VALUES (:id, :state)"
        " ON CONFLICT (id) DO UPDATE SET state = excluded.state"
    )
    per_batch = settings.per_run // len(SPIFF_TASK_DATA)
    with engine.connect() as conn:

        def batch(index: int) -> int:
            done = 0
            for instance in range(index * per_batch, (index + 1) * per_batch):
                workflow = BpmnWorkflow(spec)
                workflow.do_engine_steps()
                while (
                    task := workflow.get_next_task(state=TaskState.READY, manual=True)
                ) is not None:
                    task.set_data(**SPIFF_TASK_DATA[task.task_spec.name])
                    task.run()
                    workflow.do_engine_steps()
                    conn.execute(
                        save, {"id": instance, "state": serializer.serialize_json(workflow)}
                    )
                    conn.commit()
                    done += 1
                if not workflow.is_completed():
                    raise RuntimeError(f"workflow {instance} did not finish")
            return done

        return measure(settings, batch)


# --- running and reporting ------------------------------------------------------------------

Bench = Callable[[Engine, Settings, str], list[float]]
WORKFLOW_VARIANTS: list[tuple[str, Bench]] = [
    ("service", bench_service),
    ("raw SQL", partial(bench_raw, naive=False)),
    ("naive", partial(bench_raw, naive=True)),
]
# Several clients at once, on different nominations: PostgreSQL only (SQLite has one writer).
PARALLEL_VARIANTS: list[tuple[str, Bench]] = [
    (f"{variant} ×{n}", partial(bench_processes, processes=n, raw=raw))
    for n in (4, 16)
    for variant, raw in (("service", False), ("raw SQL", True))
]


def run_all(settings: Settings, postgres_url: str | None) -> dict[str, list[float]]:
    """Every variant, each on a fresh database of its own so none inherits another's rows."""
    password_hash = hash_password(PASSWORD)  # argon2 is slow on purpose: once for all users
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-transitions-") as tmp:
        backends: dict[str, Callable[[], AbstractContextManager[str]]] = {
            "SQLite": lambda: nullcontext(f"sqlite:///{Path(tmp) / uuid.uuid4().hex}.sqlite3")
        }
        if postgres_url is not None:
            backends["PostgreSQL"] = lambda: scratch_postgres(postgres_url)
        for backend, new_database in backends.items():
            parallel = PARALLEL_VARIANTS if backend == "PostgreSQL" else []
            for variant, bench in WORKFLOW_VARIANTS + parallel:
                name = f"{variant}/{backend}"
                print(f"running {name} ...", file=sys.stderr, flush=True)
                with new_database() as url, migrated_engine(url) as engine:
                    results[name] = bench(engine, settings, password_hash)
        print("running SpiffWorkflow/SQLite ...", file=sys.stderr, flush=True)
        engine = make_engine(f"sqlite:///{Path(tmp) / 'spiff.sqlite3'}")
        try:
            results["SpiffWorkflow/SQLite"] = bench_spiff(engine, settings)
        finally:
            engine.dispose()
    return results


def machine() -> dict[str, Any]:
    """Enough to tell whether two reports came from comparable machines."""
    cpuinfo = Path("/proc/cpuinfo")
    models = [
        line.split(":", 1)[1].strip()
        for line in (cpuinfo.read_text().splitlines() if cpuinfo.exists() else [])
        if line.startswith("model name")
    ]
    return {
        "platform": platform.platform(),
        "cpu": models[0] if models else platform.processor() or platform.machine(),
        "cpu_count": os.cpu_count(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def scaling(medians: dict[str, float]) -> dict[str, Any]:
    """Whether ``fire`` scales with clients as the raw statements do (issue 19): its gain from
    1 to 16 processes over the anchor's gain, in one run."""
    names = ("service ×16/PostgreSQL", "service/PostgreSQL", "raw SQL ×16/PostgreSQL",
             "raw SQL/PostgreSQL")  # fmt: skip
    value = None
    if all(name in medians for name in names):
        fire16, fire1, raw16, raw1 = (medians[name] for name in names)
        value = (fire16 / fire1) / (raw16 / raw1)
    return {
        "label": "scaling ×16: service's gain ÷ raw SQL's",
        "value": value,
        "target": 0.8,
        "met": None if value is None else value >= 0.8,
    }


def build_report(
    settings: Settings, results: dict[str, list[float]], postgres: str
) -> dict[str, Any]:
    medians = {name: statistics.median(rates) for name, rates in results.items()}
    ratios = []
    for ratio in RATIOS:
        numerator = medians.get(ratio.numerator)
        denominator = (
            medians.get(ratio.denominator)
            if isinstance(ratio.denominator, str)
            else ratio.denominator
        )
        value = None if numerator is None or denominator is None else numerator / denominator
        ratios.append(
            {
                "label": ratio.label,
                "value": value,
                "target": ratio.target,
                "met": None if value is None or ratio.target is None else value >= ratio.target,
            }
        )
    ratios.append(scaling(medians))
    return {
        "machine": machine(),
        "settings": {**asdict(settings), "postgres": postgres},
        "variants": {
            name: {"median": medians[name], "runs": rates} for name, rates in results.items()
        },
        "ratios": ratios,
    }


def print_report(report: dict[str, Any]) -> None:
    info, settings = report["machine"], report["settings"]
    print("\nAudited nomination transitions per second (bench/transitions.py)")
    print(f"machine:  {info['platform']}; {info['cpu_count']} CPUs ({info['cpu']})")
    print(f"python:   {info['python']}")
    print(f"date:     {info['date']}")
    print(
        f"runs:     median of {settings['repeats']} timed runs of {settings['per_run']}"
        f" transitions, after {settings['warmups']} warm-up run(s)"
    )
    print(f"postgres: {settings['postgres']}\n")
    print(f"{'variant':<24}{'median/s':>10}   each run/s")
    for name, variant in report["variants"].items():
        runs = " ".join(f"{rate:,.0f}" for rate in variant["runs"])
        print(f"{name:<24}{variant['median']:>10,.0f}   {runs}")
    print(f"\n{'ratio':<42}{'value':>8}   target")
    for ratio in report["ratios"]:
        if ratio["value"] is None:
            print(f"{ratio['label']:<42}{'skipped':>8}")
            continue
        verdict = (
            "(informative)"
            if ratio["target"] is None
            else f"≥ {ratio['target']:g}  {'met' if ratio['met'] else 'NOT MET'}"
        )
        print(f"{ratio['label']:<42}{ratio['value']:>7.2f}×   {verdict}")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small counts, a smoke run")
    parser.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL variants")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write results as JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    settings = QUICK if args.quick else FULL
    postgres_url: str | None = None
    if args.no_postgres:
        postgres = "skipped (--no-postgres)"
    else:
        url = os.environ.get("TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)
        shown = make_url(url).render_as_string(hide_password=True)
        reason = postgres_unreachable(url)
        if reason is None:
            postgres_url, postgres = url, f"scratch databases beside {shown}"
        else:
            postgres = f"skipped: {shown} is unreachable ({reason})"
            print(f"PostgreSQL {postgres}", file=sys.stderr)
    report = build_report(settings, run_all(settings, postgres_url), postgres)
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
