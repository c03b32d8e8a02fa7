"""Walking the decision trail's links: one stretch at a time, in this process or in several.

A stretch is checked on its own (each link's hash over its stored bytes, its link to the
row before, its sequence number, its body) and yields what the rest of verification needs:
the digest each record's last link recorded and each nomination's last link and number of
links. Stretches join in order, so a long trail is checked by every processor the machine
has: all of them read one snapshot of the database (exported on PostgreSQL; under SQLite's
WAL the links up to the snapshot's last one cannot change without that being tampering).
One process and several name the same first bad link; at a stretch's edge a gap may be
worded differently.

Workers start from a ``forkserver`` (a web worker's threads are never forked) and connect
with the database URL. Python 3.11's forkserver does not preload the main script, so each
worker imports it again: a script that verifies must keep its work under
``if __name__ == "__main__"`` (``gunicorn`` and ``flask``, which start verifications in
production, are small and do).
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import BigInteger, Connection, LargeBinary, bindparam, func, select, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, configure_mappers
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from workflow.canonical import parse_json
from workflow.models import AuditEvent
from workflow.prepared import Prepared

DOMAIN_TAG = b"cdvn-khen-thuong/audit/v1\x00"
GENESIS_HASH = "0" * 64
# Below this many links, starting processes costs more than it saves.
PARALLEL_FROM = 40_000
MAX_WORKERS = 8  # each holds a database connection for the verification's length
STRETCH = 20_000
BATCH = 5000


class utf8_bytes(FunctionElement[bytes]):
    """A text column's stored UTF-8 bytes: the hash is taken over them, so they need no
    decoding into text and encoding back."""

    type = LargeBinary()
    inherit_cache = True


@compiles(utf8_bytes, "sqlite")
def _sqlite_bytes(element: utf8_bytes, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST({compiler.process(element.clauses, **kw)} AS BLOB)"


@compiles(utf8_bytes, "postgresql")
def _postgresql_bytes(element: utf8_bytes, compiler: SQLCompiler, **kw: Any) -> str:
    return f"convert_to({compiler.process(element.clauses, **kw)}, 'UTF8')"


# Links low..high, a batch at a time: compiled once per database (compiling it for every
# batch was a tenth of a walk), its integers bound by the driver.
_LINKS = Prepared(
    select(
        AuditEvent.seq,
        AuditEvent.nomination_id,
        utf8_bytes(AuditEvent.body),
        AuditEvent.prev_hash,
        AuditEvent.hash,
    )
    .where(
        AuditEvent.seq.between(
            bindparam("low", type_=BigInteger), bindparam("high", type_=BigInteger)
        )
    )
    .order_by(AuditEvent.seq)
    .limit(bindparam("batch"))
)
# Beyond any sequence number either database stores (64-bit integers).
_LOWEST, _HIGHEST = -(2**63), 2**63 - 1
_HASH_OF = select(AuditEvent.hash)
# psycopg's binary format hands bytes over as they are (its text format spells them in hex).
_CURSOR_OPTIONS: dict[str, dict[str, Any]] = {"postgresql": {"binary": True}}
_SNAPSHOT_ID = re.compile(r"[0-9A-F]+-[0-9A-F]+(-[0-9]+)?")


# Configured when this module is imported, not at a process's first query: verification's
# workers fork from a server that imported it, so none configures them again.
configure_mappers()


def link_hash(prev_hash: str, body: str) -> str:
    digest = hashlib.sha256()
    digest.update(DOMAIN_TAG)
    digest.update(prev_hash.encode("ascii"))
    digest.update(body.encode("utf-8"))
    return digest.hexdigest()


def body_object(text: str | bytes) -> dict[str, Any] | None:
    """A link's body as a JSON object, or None if it is not one."""
    try:
        parsed = parse_json(text)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


@dataclass
class Stretch:
    """What a walk over some links found; stretches join in order."""

    problems: list[tuple[int, str]] = field(default_factory=list)
    vouched: dict[str, str] = field(default_factory=dict)  # record -> digest last recorded
    # nomination -> (seq, to_state, version, to_unit_id) of its last link
    last_links: dict[int, tuple[int, Any, Any, Any]] = field(default_factory=dict)
    counts: dict[int, int] = field(default_factory=dict)  # nomination -> its links
    checked: int = 0
    end_seq: int = 0
    end_hash: str = GENESIS_HASH

    def join(self, later: Stretch) -> None:
        self.problems += later.problems
        self.vouched.update(later.vouched)
        self.last_links.update(later.last_links)
        for nomination_id, count in later.counts.items():
            self.counts[nomination_id] = self.counts.get(nomination_id, 0) + count
        self.checked += later.checked
        if later.checked:
            self.end_seq, self.end_hash = later.end_seq, later.end_hash


def links(conn: Connection, first: int, last: int | None) -> Iterator[Sequence[Any]]:
    """Links ``first``..``last`` in batches, each link (seq, nomination_id, body as UTF-8
    bytes, prev_hash, hash) as the driver's tuple, on ``conn``'s transaction: a walk over a
    province's trail spends a fifth of its time making rows otherwise."""
    low = first if first > 1 else _LOWEST  # from the start: a link numbered 0 is named too
    high = _HIGHEST if last is None else last
    cursor = conn.connection.cursor(**_CURSOR_OPTIONS.get(conn.dialect.name, {}))
    try:
        while True:
            cursor.execute(
                *_LINKS.arguments(conn.dialect, {"low": low, "high": high, "batch": BATCH})
            )
            chunk = cursor.fetchall()
            if not chunk:
                return
            yield chunk
            if chunk[-1][0] >= high:
                return
            low = chunk[-1][0] + 1
    finally:
        cursor.close()


def walk(
    conn: Connection,
    first: int = 1,
    last: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Stretch:
    """Check links ``first``..``last``. The link before ``first`` is read for its hash only:
    the stretch before checks that link itself (a missing one links to nothing)."""
    found = Stretch()
    before = conn.scalar(_HASH_OF.where(AuditEvent.seq == first - 1)) if first > 1 else None
    prev: str = GENESIS_HASH if first == 1 else before or ""
    expected_seq, vouched, counts = first, found.vouched, found.counts
    last_links: dict[int, tuple[int, dict[str, Any]]] = {}
    problem, sha256, tag, loads = found.problems.append, hashlib.sha256, DOMAIN_TAG, orjson.loads
    for chunk in links(conn, first, last):
        for seq, nomination_id, body, prev_hash, row_hash in chunk:
            if seq != expected_seq:
                problem((expected_seq, f"sequence gap: expected {expected_seq}, found {seq}"))
            if prev_hash != prev:
                problem((seq, "prev_hash does not link to the previous row"))
            if sha256(tag + prev_hash.encode() + body).hexdigest() != row_hash:
                problem((seq, "hash does not match the body"))
            # orjson alone, not parse_json's exact reading: the hash binds the bytes, and what
            # the walk compares is text, or integers the database holds (an integer beyond 64
            # bits, which orjson makes a float, can only make a comparison fail).
            try:
                parsed = loads(body)
            except orjson.JSONDecodeError:
                parsed = body_object(body)
            if type(parsed) is not dict:
                problem((seq, "body is not a JSON object"))
                parsed = {}
            else:
                if parsed.get("seq") != seq:
                    problem((seq, "sequence number differs from the body"))
                if parsed.get("nomination_id") != nomination_id:
                    problem((seq, "nomination_id differs from the body"))
            if vouches := parsed.get("records"):
                if isinstance(vouches, dict):
                    vouched.update(vouches)
                else:
                    problem((seq, "records is not a JSON object"))
            if nomination_id is not None:
                last_links[nomination_id] = (seq, parsed)
                counts[nomination_id] = counts.get(nomination_id, 0) + 1
            expected_seq, prev = seq + 1, row_hash
        found.checked += len(chunk)
        if progress is not None:
            progress(found.checked)
    if last is not None and expected_seq <= last:
        problem((expected_seq, f"sequence gap: expected {expected_seq}, found none"))
    found.end_seq, found.end_hash = expected_seq - 1, prev
    found.last_links = {
        nomination_id: (
            seq,
            parsed.get("to_state"),
            parsed.get("version"),
            parsed.get("to_unit_id"),
        )
        for nomination_id, (seq, parsed) in last_links.items()
    }
    return found


@contextmanager
def cycles_uncollected() -> Iterator[None]:
    """The cycle collector paused for a walk, when no other thread runs: a walk makes
    millions of short-lived containers without cycles (each body parsed, each record read),
    and the collector would spend a fifth of it looking at them; reference counting still
    frees every one. Pausing it is process-wide, so a web process's verification (a thread
    beside the requests) keeps it running."""
    pause = gc.isenabled() and threading.active_count() == 1
    if pause:
        gc.disable()
    try:
        yield
    finally:
        if pause:
            gc.enable()


_NUMBERING = select(func.count(), func.min(AuditEvent.seq), func.max(AuditEvent.seq))


def walk_all(
    session: Session,
    meanwhile: Callable[[], None],
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> Stretch:
    """Every link of the session's snapshot, in several processes when the trail is long and
    numbered 1..n without a gap (a broken numbering is named by one process, and a forged
    number must not plan the stretches), and the workers can read the same snapshot; then
    ``meanwhile`` runs in this process while they walk (what verification does not need the
    walk's answer for)."""
    conn = session.connection()
    count, low, top = conn.execute(_NUMBERING).one()
    workers = min(workers or min(MAX_WORKERS, _processors()), -(-count // STRETCH))
    if workers < 2 or count < PARALLEL_FROM or (low, top) != (1, count) or not _shared(conn):
        meanwhile()
        return walk(conn, 1, None, progress)
    snapshot = conn.scalar(text("SELECT pg_export_snapshot()")) if _is_pg(conn) else None
    url = conn.engine.url.render_as_string(hide_password=False)
    jobs = [
        (url, snapshot, first, min(first + STRETCH - 1, top))
        for first in range(1, top + 1, STRETCH)
    ]
    context = multiprocessing.get_context("forkserver")
    # Workers fork from a server that imported these: the driver's import and the models'
    # configuration (the first query's) were a third of each worker's walk.
    context.set_forkserver_preload(["workflow.chain", conn.dialect.loaded_dbapi.__name__])
    whole = Stretch()
    # A worker that dies (killed, out of memory) breaks the pool: verification stops on an
    # error instead of waiting for ever.
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        walked = pool.map(_walk_in_worker, jobs)
        meanwhile()
        for found in walked:
            whole.join(found)
            if progress is not None:
                progress(whole.checked)
    return whole


def _processors() -> int:
    """The processors this process may run on (a container's limit, not the host's count)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _is_pg(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def _shared(conn: Connection) -> bool:
    """Whether other processes can read what ``conn`` reads: a SQLite file (its links up to
    the snapshot's last cannot change without tampering), or a PostgreSQL snapshot that can
    be exported (a repeatable-read transaction, as verification's own is)."""
    if _is_pg(conn):
        return conn.get_isolation_level() in ("REPEATABLE READ", "SERIALIZABLE")
    database = conn.engine.url.database or ""
    return database not in ("", ":memory:") and "mode=memory" not in database


def _walk_in_worker(job: tuple[str, str | None, int, int]) -> Stretch:
    """One stretch, in a worker process, on the snapshot the verifying process reads. The
    worker connects with the database URL (options given to the engine apart from it, such
    as a custom ``creator``, do not reach it)."""
    from workflow.db import make_engine, snapshot_engine  # in the worker, once

    url, snapshot, first, last = job
    engine = snapshot_engine(make_engine(url, poolclass=NullPool))
    try:
        with engine.connect() as conn:
            if snapshot is not None:
                if not _SNAPSHOT_ID.fullmatch(snapshot):
                    raise ValueError(f"not a snapshot id: {snapshot!r}")
                conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            with cycles_uncollected():
                return walk(conn, first, last)
    finally:
        engine.dispose()
