"""The decision trail: an append-only SHA-256 hash chain over canonical JSON bodies.

Any change to a row (body, link, hash, sequence), a deleted row, or a nomination whose
state no longer matches its last event is found by :func:`verify`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from workflow import chain, records
from workflow.canonical import canonical_json
from workflow.chain import GENESIS_HASH, link_hash
from workflow.clock import iso_utc
from workflow.db import Base
from workflow.models import AuditEvent, AuditHead, Blob, Nomination
from workflow.prepared import Prepared

DELETED = "deleted"  # a link's record digest for a row it removed (an attachment taken out)


_HEAD_FOR_UPDATE = Prepared(
    select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1).with_for_update()
)
_EVENTS = Base.metadata.tables["audit_events"]
_HEAD = Base.metadata.tables["audit_head"]
_INSERT_LINK = Prepared(
    insert(_EVENTS).values(
        {name: bindparam(name) for name in ("seq", "nomination_id", "body", "prev_hash", "hash")}
    )
)
_MOVE_HEAD = Prepared(
    update(_HEAD).where(_HEAD.c.id == 1).values(seq=bindparam("seq"), hash=bindparam("hash"))
)


def append(
    session: Session, nomination_id: int | None, at: datetime, fields: dict[str, Any]
) -> int:
    """Add the next link and return its sequence number.

    Must run inside the transaction that made the change it records. Locking the single
    head row serialises appends, so sequence numbers have no gaps and no forks; the lock is
    held until the commit, so callers append last.
    """
    [(prev_seq, prev_hash)] = _HEAD_FOR_UPDATE.rows(session)
    seq = int(prev_seq) + 1
    body = canonical_json({**fields, "seq": seq, "at": iso_utc(at), "nomination_id": nomination_id})
    link = {
        "seq": seq,
        "nomination_id": nomination_id,
        "body": body,
        "prev_hash": prev_hash,
        "hash": link_hash(prev_hash, body),
    }
    _INSERT_LINK.execute(session, link)
    _MOVE_HEAD.execute(session, link)
    return seq


def record_change(
    session: Session,
    change: str,
    actor: str,
    at: datetime,
    *changed: Base,
    removed: tuple[str, ...] = (),
) -> int:
    """A link vouching for records changed outside a nomination's events (a unit, a user, a
    role, a campaign version, a signed decision), in the transaction that changed them;
    ``removed`` names the records it deleted (``"memberships/7"``)."""
    session.flush()
    vouched = records.digests(*changed) | dict.fromkeys(removed, DELETED)
    return append(session, None, at, {"change": change, "actor": actor, "records": vouched})


def vouch_for_all(
    session: Session, at: datetime, batch: int = 500, tables: Sequence[str] | None = None
) -> int:
    """Links vouching for every record as it is now, ``batch`` records a link; how many links.

    Run once, when the chain starts covering records (a database upgraded from a version
    whose chain covered nominations' events only): from then on every change adds its own.
    """
    written, pending = 0, {}
    for key, body in records.current(session, tables=tables):
        pending[key] = records.digest(body)
        if len(pending) == batch:
            append(session, None, at, {"change": "baseline", "actor": "system", "records": pending})
            written, pending = written + 1, {}
    if pending:
        append(session, None, at, {"change": "baseline", "actor": "system", "records": pending})
        written += 1
    return written


def trail(session: Session, nomination_id: int) -> list[dict[str, Any]]:
    """One nomination's events, oldest first, each with its sequence and hashes."""
    rows = session.scalars(
        select(AuditEvent).where(AuditEvent.nomination_id == nomination_id).order_by(AuditEvent.seq)
    )
    return [{**json.loads(r.body), "prev_hash": r.prev_hash, "hash": r.hash} for r in rows]


@dataclass
class VerifyReport:
    ok: bool = True
    checked: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS_HASH
    first_bad_seq: int | None = None
    problems: list[str] = field(default_factory=list)

    def fail(self, seq: int, problem: str, *, chain: bool = True) -> None:
        """Record a problem; a broken chain names its own row before any stale nomination."""
        self.ok = False
        if self.first_bad_seq is None or (chain and seq < self.first_bad_seq):
            self.first_bad_seq = seq
        self.problems.append(f"#{seq}: {problem}")

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "head_seq": self.head_seq,
            "head_hash": self.head_hash,
            "first_bad_seq": self.first_bad_seq,
            "problems": self.problems,
        }


def verify(
    session: Session,
    anchor: dict[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> VerifyReport:
    """Walk the whole chain, then compare every record and nomination with what it recorded.

    With an ``anchor`` (a head recorded earlier, kept outside the database), also prove that
    the chain still passes through that exact link. ``progress`` hears the links checked so
    far. A long chain is walked by ``workers`` processes (one per processor by default: see
    :mod:`workflow.chain`) while this one digests the records as they are now.
    """
    report = VerifyReport()
    records_now: dict[str, str | None] = {}

    def digest_records() -> None:
        for key, body in records.current(session):
            records_now[key] = records.quick_digest(body)

    with chain.cycles_uncollected():
        walked = chain.walk_all(session, digest_records, progress, workers)
    for seq, problem in walked.problems:
        report.fail(seq, problem)
    report.checked, report.head_seq, report.head_hash = (
        walked.checked,
        walked.end_seq,
        walked.end_hash,
    )
    if anchor is not None and walked.end_seq >= anchor["seq"]:
        anchored = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == anchor["seq"]))
        if anchored != anchor["hash"]:
            report.fail(anchor["seq"], "the chain no longer passes through the anchored head")

    head = session.get(AuditHead, 1)
    if head is None or (head.seq, head.hash) != (report.head_seq, report.head_hash):
        report.fail(report.head_seq + 1, "the recorded head differs from the last row (rows lost)")
    if anchor is not None and report.head_seq < anchor["seq"]:
        report.fail(report.head_seq + 1, "rows up to the anchor are missing")

    _check_nominations(session, report, walked)
    _check_records(session, report, records_now, walked.vouched)
    _check_files(session, report)
    return report


def _check_records(
    session: Session,
    report: VerifyReport,
    records_now: dict[str, str | None],
    vouched: dict[str, str],
) -> None:
    """Each audited row as it is now against the digest its last link recorded. A quick
    digest that differs gets a second look with the one spelling before a record is called
    changed (see :func:`records.quick_digest`)."""
    wrong, second_look = {}, {}
    for key, quick in records_now.items():
        recorded = vouched.get(key)
        if recorded is None:
            report.fail(report.head_seq + 1, f"{key} is not in the chain", chain=False)
        elif recorded == DELETED:
            wrong[key] = "was removed by link #{seq} but exists"
        elif quick != recorded:
            second_look[key] = recorded
    if second_look:
        tables = sorted({key.split("/")[0] for key in second_look})
        for key, body in records.current(session, tables=tables):
            if key in second_look and records.digest(body) != second_look[key]:
                wrong[key] = "differs from what link #{seq} recorded"
    for key in vouched.keys() - records_now.keys():
        if vouched[key] != DELETED:
            wrong[key] = "recorded by link #{seq} no longer exists"
    recorded_by = _last_links(session, set(wrong)) if wrong else {}
    for key in sorted(wrong):
        seq = recorded_by.get(key, report.head_seq + 1)
        report.fail(seq, f"{key} {wrong[key].format(seq=seq)}", chain=False)


def _last_links(session: Session, keys: set[str]) -> dict[str, int]:
    """The last link recording each of ``keys``: a second walk, taken only when records
    differ (the first keeps no sequence numbers, to stay fast)."""
    found: dict[str, int] = {}
    quoted = [(key, f'"{key}"'.encode()) for key in keys]
    for chunk in chain.links(session.connection(), 1, None):
        for seq, _nomination, body, _prev, _hash in chunk:
            candidates = [key for key, text in quoted if text in body]
            if not candidates:
                continue
            vouches = (chain.body_object(body) or {}).get("records")
            if isinstance(vouches, dict):
                found.update((key, seq) for key in candidates if key in vouches)
    return found


def _check_files(session: Session, report: VerifyReport) -> None:
    """Each stored file's bytes against the SHA-256 it is stored under (and vouched for by
    its attachment's link)."""
    last = ""
    while True:
        chunk = session.execute(
            select(Blob.sha256, Blob.data).where(Blob.sha256 > last).order_by(Blob.sha256).limit(50)
        ).all()
        if not chunk:
            return
        for sha256, data in chunk:
            if hashlib.sha256(data).hexdigest() != sha256:
                report.fail(report.head_seq + 1, f"blobs/{sha256} content changed", chain=False)
        last = chunk[-1][0]


def _check_nominations(session: Session, report: VerifyReport, walked: chain.Stretch) -> None:
    """Each nomination against its last link: state, version (= its number of links), unit."""
    current = session.execute(
        select(Nomination.id, Nomination.state, Nomination.version, Nomination.current_unit_id)
    )
    for nomination_id, state, version, unit_id in current:
        if nomination_id not in walked.last_links:
            problem = f"nomination {nomination_id} has no events"
            report.fail(report.head_seq + 1, problem, chain=False)
            continue
        seq, to_state, to_version, to_unit_id = walked.last_links[nomination_id]
        if to_state != state:
            problem = f"nomination {nomination_id} is '{state}', its trail says otherwise"
            report.fail(seq, problem, chain=False)
        if to_version != version or walked.counts[nomination_id] != version:
            problem = f"nomination {nomination_id} version {version} disagrees with its trail"
            report.fail(seq, problem, chain=False)
        if to_unit_id != unit_id:
            problem = f"nomination {nomination_id} is at another unit than its trail says"
            report.fail(seq, problem, chain=False)


def since_return(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Of a nomination's trail, what the officer changed after it was last returned: the
    edits (each field before and after) and the files added, oldest first; empty if it was
    never returned."""
    returned = [i for i, e in enumerate(events) if e.get("event") == "return"]
    if not returned:
        return []
    return [e for e in events[returned[-1] + 1 :] if e.get("event") == "edit"]
