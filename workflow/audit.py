"""The decision trail: an append-only SHA-256 hash chain over canonical JSON bodies.

Any change to a row (body, link, hash, sequence), a deleted row, or a nomination whose
state no longer matches its last event is found by :func:`verify`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session

from workflow import records
from workflow.canonical import canonical_json
from workflow.clock import iso_utc
from workflow.db import Base
from workflow.models import AuditEvent, AuditHead, Blob, Nomination

DOMAIN_TAG = b"cdvn-khen-thuong/audit/v1\x00"
GENESIS_HASH = "0" * 64
DELETED = "deleted"  # a link's record digest for a row it removed (an attachment taken out)


def link_hash(prev_hash: str, body: str) -> str:
    digest = hashlib.sha256()
    digest.update(DOMAIN_TAG)
    digest.update(prev_hash.encode("ascii"))
    digest.update(body.encode("utf-8"))
    return digest.hexdigest()


_HEAD_FOR_UPDATE = select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1).with_for_update()
_INSERT_LINK = insert(Base.metadata.tables["audit_events"])
_HEAD = Base.metadata.tables["audit_head"]
_MOVE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == 1)
    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)


def append(
    session: Session, nomination_id: int | None, at: datetime, fields: dict[str, Any]
) -> int:
    """Add the next link and return its sequence number.

    Must run inside the transaction that made the change it records. Locking the single
    head row serialises appends, so sequence numbers have no gaps and no forks.
    """
    conn = session.connection()
    prev_seq, prev_hash = conn.execute(_HEAD_FOR_UPDATE).one()
    seq = prev_seq + 1
    body = canonical_json({**fields, "seq": seq, "at": iso_utc(at), "nomination_id": nomination_id})
    new_hash = link_hash(prev_hash, body)
    conn.execute(
        _INSERT_LINK,
        {
            "seq": seq,
            "nomination_id": nomination_id,
            "body": body,
            "prev_hash": prev_hash,
            "hash": new_hash,
        },
    )
    conn.execute(_MOVE_HEAD, {"new_seq": seq, "new_hash": new_hash})
    return seq


def record_change(session: Session, change: str, actor: str, at: datetime, *changed: Base) -> int:
    """A link vouching for records changed outside a nomination's events (a unit, a user, a
    role, a campaign version, a signed decision), in the transaction that changed them."""
    session.flush()
    return append(
        session,
        None,
        at,
        {"change": change, "actor": actor, "records": records.digests(*changed)},
    )


def vouch_for_all(
    session: Session, at: datetime, batch: int = 500, tables: Sequence[str] | None = None
) -> int:
    """Links vouching for every record as it is now, ``batch`` records a link; how many links.

    Run once, when the chain starts covering records (a database upgraded from a version
    whose chain covered nominations' events only): from then on every change adds its own.
    """
    written, pending = 0, {}
    for key, digest in records.current(session, tables=tables):
        pending[key] = digest
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


_LINKS = select(
    AuditEvent.seq, AuditEvent.nomination_id, AuditEvent.body, AuditEvent.prev_hash, AuditEvent.hash
).order_by(AuditEvent.seq)


def _links(session: Session, batch: int) -> Iterator[Sequence[Any]]:
    """The chain in batches of plain tuples, read on the session's connection (no ORM rows:
    a walk over 100,000 links)."""
    conn, last = session.connection(), 0
    while True:
        chunk = conn.execute(_LINKS.where(AuditEvent.seq > last).limit(batch)).fetchall()
        if not chunk:
            return
        yield chunk
        last = chunk[-1][0]


def verify(
    session: Session,
    anchor: dict[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
    batch: int = 5000,
) -> VerifyReport:
    """Walk the whole chain, then compare every nomination with its last event.

    With an ``anchor`` (a head recorded earlier, kept outside the database), also prove that
    the chain still passes through that exact link. ``progress`` hears the links checked so
    far after each batch. Each link's hash is taken over its stored bytes; a body is read as
    JSON (never re-serialised: the hash already binds it) for what the other checks need;
    a nomination's link is kept as text, and parsed again only if it is its last.
    """
    report = VerifyReport()
    expected_seq, prev = 1, GENESIS_HASH
    last_event: dict[int, tuple[int, str]] = {}  # nomination -> (seq, body) of its last link
    event_counts: dict[int, int] = {}
    vouched: dict[str, tuple[int, str]] = {}  # record key -> (seq, digest) of its last link
    anchor_seq = anchor["seq"] if anchor is not None else -1
    sha256, tag, parse, counts_get = hashlib.sha256, DOMAIN_TAG, _parse, event_counts.get
    for chunk in _links(session, batch):
        for seq, nomination_id, body, prev_hash, row_hash in chunk:
            if seq != expected_seq:
                report.fail(expected_seq, f"sequence gap: expected {expected_seq}, found {seq}")
            if prev_hash != prev:
                report.fail(seq, "prev_hash does not link to the previous row")
            if sha256(tag + prev_hash.encode() + body.encode()).hexdigest() != row_hash:
                report.fail(seq, "hash does not match the body")
            if nomination_id is not None:
                last_event[nomination_id] = (seq, body)
                event_counts[nomination_id] = counts_get(nomination_id, 0) + 1
            parsed = parse(body)
            if parsed is None:
                report.fail(seq, "body is not a JSON object")
            else:
                if parsed.get("seq") != seq:
                    report.fail(seq, "sequence number differs from the body")
                if parsed.get("nomination_id") != nomination_id:
                    report.fail(seq, "nomination_id differs from the body")
                if vouches := parsed.get("records"):
                    for key, digest in vouches.items():
                        vouched[key] = (seq, digest)
            if seq == anchor_seq and row_hash != anchor["hash"]:  # type: ignore[index]
                report.fail(seq, "the chain no longer passes through the anchored head")
            expected_seq, prev = seq + 1, row_hash
        report.checked += len(chunk)
        report.head_seq, report.head_hash = expected_seq - 1, prev
        if progress is not None:
            progress(report.checked)

    head = session.get(AuditHead, 1)
    if head is None or (head.seq, head.hash) != (report.head_seq, report.head_hash):
        report.fail(report.head_seq + 1, "the recorded head differs from the last row (rows lost)")
    if anchor is not None and report.head_seq < anchor["seq"]:
        report.fail(report.head_seq + 1, "rows up to the anchor are missing")

    _check_nominations(session, report, last_event, event_counts)
    _check_records(session, report, vouched)
    _check_files(session, report)
    return report


def _check_records(
    session: Session, report: VerifyReport, vouched: dict[str, tuple[int, str]]
) -> None:
    """Each audited row as it is now against the digest its last link recorded."""
    seen = set()
    for key, digest in records.current(session):
        seen.add(key)
        if key not in vouched:
            report.fail(report.head_seq + 1, f"{key} is not in the chain", chain=False)
        elif vouched[key][1] == DELETED:
            seq = vouched[key][0]
            report.fail(seq, f"{key} was removed by link #{seq} but exists", chain=False)
        elif vouched[key][1] != digest:
            seq = vouched[key][0]
            report.fail(seq, f"{key} differs from what link #{seq} recorded", chain=False)
    for key in sorted(vouched.keys() - seen):
        if vouched[key][1] == DELETED:
            continue
        seq = vouched[key][0]
        report.fail(seq, f"{key} recorded by link #{seq} no longer exists", chain=False)


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


def _parse(body: str) -> dict[str, Any] | None:
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        try:
            parsed = json.loads(body)
        except ValueError:
            return None
    return parsed if isinstance(parsed, dict) else None


def _check_nominations(
    session: Session,
    report: VerifyReport,
    last_event: dict[int, tuple[int, str]],
    event_counts: dict[int, int],
) -> None:
    current = session.execute(
        select(Nomination.id, Nomination.state, Nomination.version, Nomination.current_unit_id)
    ).all()
    for nomination_id, state, version, unit_id in current:
        if nomination_id not in last_event:
            problem = f"nomination {nomination_id} has no events"
            report.fail(report.head_seq + 1, problem, chain=False)
            continue
        seq, text = last_event[nomination_id]
        body = _parse(text) or {}
        if body.get("to_state") != state:
            problem = f"nomination {nomination_id} is '{state}', its trail says otherwise"
            report.fail(seq, problem, chain=False)
        if body.get("version") != version or event_counts[nomination_id] != version:
            problem = f"nomination {nomination_id} version {version} disagrees with its trail"
            report.fail(seq, problem, chain=False)
        if body.get("to_unit_id") != unit_id:
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
