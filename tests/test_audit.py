"""The decision trail proves itself: any change behind the application's back is found."""

from __future__ import annotations

import gc
import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tests.databases import migrate, migrate_down
from tests.tampering import tamper
from workflow import anchor, audit, chain, dossier, records
from workflow.canonical import canonical_json
from workflow.chain import link_hash
from workflow.db import snapshot_engine
from workflow.errors import IntegrityBroken, InvalidInput
from workflow.models import AuditEvent, Nomination


@pytest.fixture
def trail_world(world):
    """Three nominations with a dozen events between them."""
    ids = [world.nominate() for _ in range(3)]
    world.fire(ids[0], "submit", "officer1")
    world.to_notice(ids[1])
    world.fire(ids[2], "withdraw", "officer1")
    assert audit.verify(world.session).ok
    world.session.rollback()
    return world, ids


def middle_seq(session) -> int:
    """A link of a nomination's trail, in the middle of them."""
    seqs = session.scalars(
        select(AuditEvent.seq).where(AuditEvent.nomination_id.is_not(None)).order_by(AuditEvent.seq)
    ).all()
    return seqs[len(seqs) // 2]


def verify_after(world, workers: int = 1):
    """Verify as a run does: several processes share a snapshot (repeatable read)."""
    world.session.rollback()
    if workers == 1:
        return audit.verify(world.session, workers=1)
    with Session(snapshot_engine(world.session.get_bind())) as reading:
        return audit.verify(reading, workers=workers)


@pytest.fixture
def pools(monkeypatch) -> list[int]:
    """Verification walks in two processes from five links on, in stretches of four; the
    worker counts of the pools it started."""
    started: list[int] = []

    class Counted(chain.ProcessPoolExecutor):
        def __init__(self, workers, **options):
            started.append(workers)
            super().__init__(workers, **options)

    monkeypatch.setattr(chain, "ProcessPoolExecutor", Counted)
    monkeypatch.setattr(chain, "PARALLEL_FROM", 0)
    monkeypatch.setattr(chain, "STRETCH", 4)
    return started


@pytest.fixture(params=[1, 2], ids=["one process", "two processes"])
def workers(request, pools) -> int:
    """Verification in this process, or its walk split among two more in stretches of four
    links (a long trail's way, on a short one)."""
    return request.param


def test_canonical_json_is_stable_and_refuses_floats():
    assert canonical_json({"b": 1, "a": "Đắk Lắk"}) == '{"a":"Đắk Lắk","b":1}'
    with pytest.raises(TypeError):
        canonical_json({"ratio": 0.9})


def test_an_intact_trail_verifies(trail_world):
    world, _ = trail_world
    report = audit.verify(world.session)
    assert report.ok
    assert report.checked == report.head_seq
    assert report.first_bad_seq is None
    moves = select(AuditEvent.seq).where(AuditEvent.nomination_id.is_not(None))
    assert len(world.session.scalars(moves).all()) == 9  # 3 creations + 6 moves


# Changes to one audit row (:seq), as someone with direct database access would make them.
ROW_CHANGES = {
    "body": "UPDATE audit_events SET body = replace(body, 'officer1', 'officer2') WHERE seq = :seq",
    "prev_hash": "UPDATE audit_events SET prev_hash = :fake WHERE seq = :seq",
    "hash": "UPDATE audit_events SET hash = :fake WHERE seq = :seq",
    "nomination_id": "UPDATE audit_events SET nomination_id = NULL WHERE seq = :seq",
    "seq": "UPDATE audit_events SET seq = seq + 1000 WHERE seq = :seq",
    "delete": "DELETE FROM audit_events WHERE seq = :seq",
}


@pytest.mark.parametrize("change", ROW_CHANGES.values(), ids=ROW_CHANGES.keys())
def test_any_change_to_an_audit_row_is_found_at_its_sequence(trail_world, engine, change, workers):
    world, _ = trail_world
    seq = middle_seq(world.session)
    world.session.rollback()
    tamper(engine, change, seq=seq, fake="f" * 64)
    report = verify_after(world, workers)
    assert not report.ok
    assert report.first_bad_seq == seq


def test_deleting_the_last_rows_is_found(trail_world, engine, workers):
    world, _ = trail_world
    last = world.session.scalar(select(func.max(AuditEvent.seq)))
    world.session.rollback()
    tamper(engine, "DELETE FROM audit_events WHERE seq >= :s", s=last - 1)
    report = verify_after(world, workers)
    assert not report.ok
    assert report.first_bad_seq == last - 1


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE nominations SET state = 'under_council', notice_ends_on = NULL WHERE id = :nid",
        "UPDATE nominations SET version = version + 1 WHERE id = :nid",
        "UPDATE nominations SET current_unit_id = origin_unit_id WHERE id = :nid",
    ],
    ids=["state", "version", "unit"],
)
def test_a_nomination_changed_behind_the_back_is_found(trail_world, engine, change, workers):
    world, ids = trail_world
    target = ids[1]
    last_seq = max(e["seq"] for e in audit.trail(world.session, target))
    world.session.rollback()
    tamper(engine, change, nid=target)
    report = verify_after(world, workers)
    assert not report.ok
    assert report.first_bad_seq == last_seq


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_events SET body = '{}' WHERE seq = 1", "DELETE FROM audit_events WHERE seq = 1"],
)
def test_the_database_refuses_to_change_audit_rows(trail_world, engine, statement):
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_events SET body = '{}'", "DELETE FROM audit_events"]
)
def test_the_trail_upgraded_without_its_hash_index_keeps_every_link_and_its_guard(
    trail_world, db_url, engine, statement
):
    """The upgrade that drops the hash's unique index rebuilds the table on SQLite: every link
    is kept, the chain still verifies, and the database still refuses to change a link."""
    world, _ = trail_world
    before = world.session.execute(select(AuditEvent.seq, AuditEvent.hash)).all()
    world.session.close()
    migrate_down(db_url, "c3d4e5f6a7b8")
    migrate(db_url)
    assert world.session.execute(select(AuditEvent.seq, AuditEvent.hash)).all() == before
    assert audit.verify(world.session).ok
    world.session.rollback()
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text(statement))


def rewrite_history(engine, session) -> None:
    """The strongest attack: change one body and recompute every later link and the head."""
    rows = session.execute(select(AuditEvent.seq, AuditEvent.body).order_by(AuditEvent.seq)).all()
    session.rollback()
    prev = audit.GENESIS_HASH
    statements = []
    for seq, body in rows:
        if seq == 2:
            data = json.loads(body)
            data["comment"] = "rewritten"
            body = canonical_json(data)
        new_hash = link_hash(prev, body)
        statements.append((seq, body, prev, new_hash))
        prev = new_hash
    for seq, body, prev_hash, new_hash in statements:
        tamper(
            engine,
            "UPDATE audit_events SET body = :b, prev_hash = :p, hash = :h WHERE seq = :s",
            b=body, p=prev_hash, h=new_hash, s=seq,
        )  # fmt: skip
    tamper(engine, "UPDATE audit_head SET hash = :h", h=prev)


def test_an_anchor_kept_outside_proves_history_was_not_rewritten(trail_world, engine, tmp_path):
    world, _ = trail_world
    key = anchor.load_or_create_key(tmp_path / "anchor.pem")
    kept = tmp_path / "anchor.json"
    kept.write_text(json.dumps(anchor.make_anchor(world.session, key)))
    world.session.rollback()
    signed = anchor.read_anchor(kept, key)
    assert audit.verify(world.session, anchor=signed).ok

    rewrite_history(engine, world.session)
    assert audit.verify(world.session).ok  # a consistent forgery passes the chain alone
    world.session.rollback()
    report = audit.verify(world.session, anchor=signed)
    assert not report.ok
    assert report.first_bad_seq == signed["seq"]


def test_a_forged_anchor_is_refused(trail_world, tmp_path: Path):
    world, _ = trail_world
    key = anchor.load_or_create_key(tmp_path / "k.pem")
    other = anchor.load_or_create_key(tmp_path / "other.pem")
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(anchor.make_anchor(world.session, other)))
    with pytest.raises(InvalidInput):
        anchor.read_anchor(forged, key)
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(InvalidInput):
        anchor.read_anchor(tmp_path / "broken.json", key)


@pytest.fixture
def decided(world):
    """An awarded nomination with a dossier file, under a signed decision."""
    nid = world.nominate(facts={"ratings": {"2025": "HTXSNV"}})
    dossier.attach(
        world.session,
        nid,
        world.user("officer1"),
        expected_version=world.version(nid),
        kind="to_trinh",
        content=b"%PDF-1.4 to trinh",
        now=world.tick(),
    )
    world.to_notice(nid)
    decision = world.sign([nid])
    ids = {"nid": nid, "decision": decision.id, "unit": decision.unit_id}
    assert audit.verify(world.session).ok
    world.session.rollback()
    return world, ids


def json_value(engine) -> str:
    return "CAST(:v AS JSONB)" if engine.dialect.name == "postgresql" else ":v"


TAMPERING = {
    "file bytes": ("UPDATE blobs SET data = :b", "blobs/"),
    "facts": ("UPDATE nominations SET facts = {json} WHERE id = :nid", "nominations/{nid}"),
    "nominee": ("UPDATE nominations SET nominee_name = 'Kẻ Khác' WHERE id = :nid", "nominations/{nid}"),
    "vote": ("UPDATE nominations SET vote = {json} WHERE id = :nid", "nominations/{nid}"),
    "decision signer": ("UPDATE decisions SET signer_id = 1 WHERE id = :d", "decisions/{decision}"),
    "decision date": ("UPDATE decisions SET signed_on = '2025-01-01' WHERE id = :d", "decisions/{decision}"),
    "decision list": ("UPDATE nominations SET decision_id = NULL, state = 'on_notice', notice_ends_on = '2025-12-01' WHERE id = :nid", "decisions/{decision}"),
    "award amount": ("UPDATE award_types SET bonus_coefficient = '9.0'", "campaigns/"),
    "campaign rules": ("UPDATE award_types SET vote_ratio_num = 1, vote_ratio_den = 100", "campaigns/"),
    "role": ("UPDATE role_assignments SET unit_id = :u WHERE role = 'officer'", "role_assignments/"),
    "password": ("UPDATE users SET password_hash = 'x' WHERE username = 'decider_prov'", "users/"),
    "unit": ("UPDATE units SET name = 'Đơn vị giả' WHERE id = :u", "units/{unit}"),
}  # fmt: skip


@pytest.mark.parametrize("what", list(TAMPERING))
def test_a_record_changed_behind_the_back_is_named(decided, engine, what, workers):
    world, ids = decided
    sql, names = TAMPERING[what]
    tamper(
        engine,
        sql.format(json=json_value(engine)),
        nid=ids["nid"],
        d=ids["decision"],
        u=ids["unit"],
        b=b"%PDF-1.4 forged",
        v='{"members": 9, "present": 9, "yes": 9, "no": 0, "abstain": 0, "forged": 1}',
    )
    report = verify_after(world, workers)
    assert not report.ok
    assert any(names.format(**ids) in p for p in report.problems), report.problems


def test_a_changed_file_is_never_served(decided, engine):
    world, ids = decided
    tamper(engine, "UPDATE blobs SET data = :b", b=b"%PDF-1.4 forged")
    world.session.rollback()
    attachment = dossier.attachments(world.session, ids["nid"])[0]
    with pytest.raises(IntegrityBroken):
        dossier.content_of(world.session, ids["nid"], attachment.id)


# What keeps the links numbered 1..n (so two processes walk), and changes beside the chain.
NUMBERED_ALIKE = {
    **{name: ROW_CHANGES[name] for name in ("body", "prev_hash", "hash", "nomination_id")},
    "nomination": "UPDATE nominations SET version = version + 1",
    "record": "UPDATE users SET full_name = 'Người Khác'",
}


@pytest.mark.parametrize("change", NUMBERED_ALIKE.values(), ids=NUMBERED_ALIKE.keys())
def test_two_processes_find_what_one_does(trail_world, engine, pools, change):
    world, _ = trail_world
    assert verify_after(world, workers=2).as_dict() == verify_after(world).as_dict()
    seq = middle_seq(world.session)
    world.session.rollback()
    tamper(engine, change, seq=seq, fake="f" * 64)
    several, one = verify_after(world, workers=2), verify_after(world)
    assert not several.ok
    assert several.first_bad_seq == one.first_bad_seq
    assert set(several.problems) == set(one.problems)
    assert pools == [2, 2]


@pytest.mark.parametrize("forged", ["zero", "a billion", "the largest the column holds"])
def test_a_forged_sequence_number_is_named_by_one_walk(trail_world, engine, pools, forged):
    """A number far beyond the last (or before the first) must neither plan the stretches
    (a billion empty ones, or no memory left) nor escape the walk."""
    largest = 2**31 - 1 if engine.dialect.name == "postgresql" else 2**62
    forged = {"zero": 0, "a billion": 1_000_000_000, "the largest the column holds": largest}[
        forged
    ]
    world, _ = trail_world
    seq = middle_seq(world.session)
    world.session.rollback()
    tamper(engine, "UPDATE audit_events SET seq = :forged WHERE seq = :seq", forged=forged, seq=seq)
    report = verify_after(world, workers=2)
    assert not report.ok
    assert report.first_bad_seq == (0 if forged == 0 else seq)  # the forged row itself
    assert pools == []


def test_verification_in_a_thread_leaves_the_cycle_collector_running(trail_world):
    """Pausing it is process-wide: the web process's requests must keep it."""
    world, _ = trail_world
    seen = []
    real_walk = chain.walk

    def walk(*args, **kwargs):
        seen.append(gc.isenabled())
        return real_walk(*args, **kwargs)

    world.session.rollback()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(chain, "walk", walk)
        beside = threading.Thread(target=threading.Event().wait, args=(2,))
        beside.start()
        audit.verify(world.session)
        beside.join()
        world.session.rollback()
        audit.verify(world.session)
    assert seen == [True, False]
    assert gc.isenabled()


@pytest.mark.parametrize(
    "odd",
    [{"weight": 1e-7, "share": 0.1}, {"members": 2**70 + 1}],
    ids=["a float orjson spells otherwise", "an integer beyond 64 bits"],
)
def test_a_record_orjson_spells_otherwise_verifies_and_is_still_checked(world, engine, odd):
    """Values no form accepts today, but a record written by an earlier version may hold."""
    body = {"facts": odd}
    assert records.quick_digest(body) != records.digest(body)
    nid = world.nominate()
    world.session.rollback()

    def store(facts: dict) -> None:
        sql = f"UPDATE nominations SET facts = {json_value(engine)} WHERE id = :nid"
        tamper(engine, sql, v=json.dumps(facts), nid=nid)

    store(odd)
    nomination = world.session.get(Nomination, nid)
    assert json.dumps(nomination.facts, sort_keys=True) == json.dumps(odd, sort_keys=True)
    audit.record_change(world.session, "repair", "admin", world.tick(), nomination)
    world.session.commit()
    assert verify_after(world).ok
    world.session.rollback()
    store({**odd, "extra": 1})
    report = verify_after(world)
    assert any(f"nominations/{nid} differs" in p for p in report.problems), report.problems


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # PostgreSQL refuses NaN
def test_a_nan_stored_where_null_was_recorded_is_found(world, engine):
    """orjson spells NaN and ±Infinity "null": the quick digest must not let them pass."""
    nid = world.nominate()
    world.session.rollback()

    def store(note: str) -> None:
        facts = '{"ratings": {"2025": "HTXSNV"}, "note": ' + note + "}"
        tamper(engine, "UPDATE nominations SET facts = :v WHERE id = :nid", v=facts, nid=nid)

    store("null")
    nomination = world.session.get(Nomination, nid)
    audit.record_change(world.session, "repair", "admin", world.tick(), nomination)
    world.session.commit()
    assert verify_after(world).ok
    for forged in ("NaN", "Infinity", "-Infinity"):
        world.session.rollback()
        store(forged)
        report = verify_after(world)
        assert any(f"nominations/{nid} differs" in p for p in report.problems), forged
