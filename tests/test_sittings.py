"""The council's sitting: a whole list voted at once, the register, and what a revocation
leaves to recover."""

from __future__ import annotations

import html
import re
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import PASS_VOTE
from tests.test_documents import docx_text
from tests.web_client import WebClient
from workflow import audit, recovery, register, sittings
from workflow.clock import utcnow, vn_date
from workflow.db import make_engine
from workflow.documents.batches import council_meetings
from workflow.errors import IllegalTransition, InvalidInput, NotAllowed, NotFound
from workflow.models import AuditEvent, AwardType, Nomination, Sitting, User
from workflow.vocabulary import State

PASSING = {"yes": 8, "no": 1, "abstain": 0}  # 8 of 9 members: over 2/3 and 9/10 is not
FAILING = {"yes": 5, "no": 4, "abstain": 0}


@pytest.fixture
def listed(world):
    """Three nominations awaiting the province's council, and its roster."""
    ids = [world.nominate(name=f"Người Thứ {i}") for i in range(1, 4)]
    for nid in ids:
        world.to_council(nid)
    members = world.seat_council()
    return ids, [m.id for m in members]


def open_(world, members, ids=None, who="council_prov"):
    return sittings.open_sitting(
        world.session,
        world.user(who),
        unit_id=world.user("council_prov").assignments[0].unit_id,
        campaign_id=world.session.scalar(select(Nomination.campaign_id).limit(1)),
        held_on=world.now.date(),
        place="Hội trường LĐLĐ tỉnh",
        present=members,
        nomination_ids=ids,
        now=world.tick(),
    )


def states(world, ids):
    world.session.expire_all()
    return [world.session.get(Nomination, nid).state for nid in ids]


def test_closing_a_sitting_votes_the_whole_list_with_one_link_each(world, listed):
    ids, members = listed
    sitting = open_(world, members)
    assert [item.nomination_id for item in sitting.items] == ids
    tallies = {ids[0]: PASSING, ids[1]: PASSING, ids[2]: FAILING}
    sittings.record_tallies(
        world.session, world.user("council_prov"), sitting.id, tallies,
        expected_version=1, now=world.tick(),
    )  # fmt: skip
    closed = sittings.close_sitting(
        world.session, world.user("council_prov"), sitting.id, expected_version=2,
        now=world.tick(),
    )  # fmt: skip
    assert closed.passed == ids[:2]
    assert closed.failed == ids[2:]
    assert states(world, ids) == [State.ON_NOTICE, State.ON_NOTICE, State.REJECTED]
    assert closed.sitting.number == "01/BB-HĐTĐKT"
    for nid in ids:
        vote = audit.trail(world.session, nid)[-1]
        assert vote["event"] == "vote"
        assert vote["data"]["sitting"] == sitting.id
        assert vote["data"]["vote"]["members"] == 9
        assert vote["data"]["vote"]["present"] == 9
    assert audit.verify(world.session).ok


def test_only_the_secretary_opens_a_sitting(world, listed):
    _, members = listed
    with pytest.raises(NotAllowed):
        open_(world, members, who="rev_prov")
    world.add_user("council_two", "council", "PROV")
    with pytest.raises(NotAllowed, match="secretary"):
        open_(world, members, who="council_two")


@pytest.mark.parametrize(
    ("held_on", "says"),
    [
        (date(1, 1, 1), "Ngày họp: ngày phải từ 01/01/1900"),
        (date(1900, 1, 1), "Ngày họp 01/01/1900: bạn chưa là thư ký Hội đồng vào ngày đó"),
    ],
)
def test_a_sitting_dated_before_its_secretary_sat_is_refused_for_its_date(
    world, listed, held_on, says
):
    """Not "only the secretary opens a sitting", said to the secretary."""
    _, members = listed
    with pytest.raises(InvalidInput) as err:
        sittings.open_sitting(
            world.session, world.user("council_prov"),
            unit_id=world.user("council_prov").assignments[0].unit_id,
            campaign_id=world.session.scalar(select(Nomination.campaign_id).limit(1)),
            held_on=held_on, place="Hội trường", present=members, nomination_ids=None,
            now=world.tick(),
        )  # fmt: skip
    assert says in err.value.message_vi
    assert "held_on" in err.value.details


def test_a_wrong_tally_names_its_nomination_and_nothing_is_kept(world, listed):
    ids, members = listed
    sitting = open_(world, members)
    with pytest.raises(InvalidInput) as err:
        sittings.record_tallies(
            world.session, world.user("council_prov"), sitting.id,
            {ids[0]: PASSING, ids[1]: {"yes": 8, "no": 2, "abstain": 0}},
            expected_version=1, now=world.tick(),
        )  # fmt: skip
    assert f"hồ sơ số {ids[1]}" in err.value.message_vi
    assert str(ids[0]) not in err.value.details
    world.session.expire_all()
    assert all(item.tally is None for item in world.session.get(Sitting, sitting.id).items)


def test_a_sitting_cannot_close_before_every_ballot_is_counted(world, listed):
    ids, members = listed
    sitting = open_(world, members)
    sittings.record_tallies(
        world.session, world.user("council_prov"), sitting.id, {ids[0]: PASSING},
        expected_version=1, now=world.tick(),
    )  # fmt: skip
    with pytest.raises(InvalidInput, match=str(ids[1])):
        sittings.close_sitting(
            world.session, world.user("council_prov"), sitting.id, expected_version=2,
            now=world.tick(),
        )  # fmt: skip
    assert states(world, ids) == [State.UNDER_COUNCIL] * 3


def test_a_nomination_is_on_one_open_sitting_at_a_time(world, listed):
    ids, members = listed
    open_(world, members, ids=ids[:2])
    with pytest.raises(IllegalTransition) as err:
        open_(world, members, ids=ids[1:])
    assert f"số {ids[1]} (phiên" in err.value.message_vi
    assert open_(world, members, ids=ids[2:]).items[0].nomination_id == ids[2]


def test_a_nomination_voted_alone_meanwhile_makes_the_closing_a_conflict(world, listed):
    ids, members = listed
    sitting = open_(world, members)
    sittings.record_tallies(
        world.session, world.user("council_prov"), sitting.id, dict.fromkeys(ids, PASSING),
        expected_version=1, now=world.tick(),
    )  # fmt: skip
    world.fire(ids[1], "vote", "council_prov", vote=PASS_VOTE)  # a sitting of one
    with pytest.raises(IllegalTransition, match=str(ids[1])):
        sittings.close_sitting(
            world.session, world.user("council_prov"), sitting.id, expected_version=2,
            now=world.tick(),
        )  # fmt: skip
    assert states(world, ids) == [State.UNDER_COUNCIL, State.ON_NOTICE, State.UNDER_COUNCIL]
    votes = world.session.scalars(
        select(AuditEvent.body).where(AuditEvent.nomination_id == ids[1])
    ).all()
    assert sum('"event":"vote"' in body for body in votes) == 1


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_two_secretaries_opening_sittings_on_one_list_at_once(world, listed, db_url):
    """Each opens a sitting on the same nominations at the same moment: one wins, the other
    is told they are taken; closing the winner votes each nomination once."""
    ids, members = listed
    world.session.rollback()
    engine = make_engine(db_url, pool_size=4, max_overflow=0)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def compete() -> None:
        with Session(engine) as session:
            actor = session.scalar(select(User).where(User.username == "council_prov"))
            session.rollback()
            barrier.wait()
            try:
                sittings.open_sitting(
                    session, actor, unit_id=actor.assignments[0].unit_id,
                    campaign_id=session.scalar(select(Nomination.campaign_id).limit(1)),
                    held_on=vn_date(utcnow()), place="Hội trường", present=members,
                )  # fmt: skip
                results.append("opened")
            except IllegalTransition:
                results.append("conflict")

    threads = [threading.Thread(target=compete) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["conflict", "opened"]
    with Session(engine) as session:
        listed_once = session.scalars(select(Sitting)).one().items
        assert sorted(item.nomination_id for item in listed_once) == ids
    engine.dispose()


def test_signing_enters_each_award_in_the_register_numbered_per_year(world, listed):
    ids, members = listed
    sitting = open_(world, members)
    sittings.record_tallies(
        world.session, world.user("council_prov"), sitting.id, dict.fromkeys(ids, PASSING),
        expected_version=1, now=world.tick(),
    )  # fmt: skip
    sittings.close_sitting(
        world.session, world.user("council_prov"), sitting.id, expected_version=2,
        now=world.tick(),
    )  # fmt: skip
    first = world.sign(ids[:2])
    second = world.sign(ids[2:])
    assert register.entry_numbers(world.session, first.id) == {ids[0]: "1/2025", ids[1]: "2/2025"}
    assert register.entry_numbers(world.session, second.id) == {ids[2]: "3/2025"}
    lines = register.entries_of(
        world.session, world.user("decider_prov"), first.unit, 2025, world.now.date()
    )
    assert [line.entry for line in lines] == ["1/2025", "2/2025", "3/2025"]
    assert audit.verify(world.session).ok


def test_a_revocation_opens_what_is_to_be_recovered_until_marked(app, world, monkeypatch):
    award = world.session.scalars(select(AwardType).where(AwardType.code == "BK0")).one()
    award.bonus_coefficient = "1.0"
    audit.record_change(world.session, "campaign_version", "test", world.tick(), award.campaign)
    world.session.commit()
    nid = world.nominate(award="BK0")
    world.to_council(nid)
    world.fire(nid, "vote", "council_prov", vote=PASS_VOTE)
    world.sign([nid], days_later=1)
    world.fire(nid, "revoke", "decider_prov", comment="Khai man thành tích", ground="fraud")
    opened = recovery.for_nomination(world.session, nid)
    assert opened is not None
    assert not opened.done
    decider = world.user("decider_prov")
    assert [r.id for r in recovery.recoveries(world.session, decider, world.now.date())] == [
        opened.id
    ]
    assert opened.amount == 2_340_000  # 1.0 × lương cơ sở on the signing day
    with pytest.raises(InvalidInput, match="before the revocation"):
        recovery.mark(
            world.session, decider, opened.id, "certificate", date(1, 1, 1), now=world.tick()
        )
    opened_id = opened.id
    world.session.rollback()  # SQLite: a reading transaction holds the write lock too
    monkeypatch.setenv("KHENTHUONG_NOW", f"{world.now.date().isoformat()}T03:00:00+00:00")
    refused = WebClient(app, "decider_prov").post(
        f"/recoveries/{opened_id}", {"what": "money", "on": "2024-01-01"}
    )
    assert refused.status_code == 422
    assert 'value="2024-01-01"' in refused.get_data(as_text=True)
    read_only = WebClient(app, "auditor_prov").text("/recoveries")
    assert "Chưa thu hồi" in read_only
    assert f"/recoveries/{opened_id}" not in read_only  # no form the auditor may not use
    day = world.now.date()
    recovery.mark(world.session, decider, opened.id, "certificate", day, now=world.tick())
    assert not recovery.for_nomination(world.session, nid).done
    recovery.mark(world.session, decider, opened.id, "money", day, now=world.tick())
    assert recovery.for_nomination(world.session, nid).done
    assert audit.verify(world.session).ok
    with pytest.raises(NotFound):
        recovery.mark(
            world.session, world.user("auditor_prov"), opened.id, "certificate",
            world.now.date(), now=world.tick(),
        )  # fmt: skip


def test_two_sittings_on_one_day_are_two_sets_of_minutes_and_a_vote_alone_a_third(
    app, world, listed
):
    """/documents lists each sitting with its own numbered minutes, not one joined file; a
    vote cast outside a sitting that day is in the day's minutes, and only it."""
    ids, members = listed
    alone = world.nominate(name="Người Bầu Riêng")
    world.to_council(alone)
    council = world.user("council_prov")
    for nid in ids[:2]:
        sitting = open_(world, members, ids=[nid])
        sittings.record_tallies(world.session, council, sitting.id, {nid: PASSING},
                                expected_version=1, now=world.tick())  # fmt: skip
        sittings.close_sitting(world.session, council, sitting.id, expected_version=2,
                               now=world.tick())  # fmt: skip
    world.fire(alone, "vote", "council_prov", vote=PASS_VOTE)
    world.session.rollback()
    secretary = WebClient(app, "council_prov")
    page = secretary.text("/documents")
    minutes = page.split('id="council-minutes"', 1)[1]
    assert "Biên bản số 01/BB-HĐTĐKT" in minutes
    assert "Biên bản số 02/BB-HĐTĐKT" in minutes
    held = [s.id for s in world.session.scalars(select(Sitting).order_by(Sitting.id))]
    world.session.rollback()
    for sitting_id in held:
        assert f"/sittings/{sitting_id}/minutes.pdf" in minutes
    day_link = re.search(r'href="([^"]*/minutes\.docx\?day=[^"]+)"', minutes)
    assert day_link
    day_minutes = docx_text(secretary.get(html.unescape(day_link[1])).get_data())
    assert "Người Bầu Riêng" in day_minutes
    assert "Người Thứ 1" not in day_minutes


def test_a_list_of_unknown_nominations_is_named_in_a_few(world, listed):
    _, members = listed
    bogus = list(range(900_001, 900_031))
    with pytest.raises(InvalidInput) as err:
        open_(world, members, ids=bogus)
    assert err.value.message_vi.endswith(
        "; không phải: " + ", ".join(map(str, bogus[:10])) + ", …."
    )
    assert len(err.value.details["nomination_ids"]) == 30


def test_a_sitting_is_not_dated_before_its_nominations_reached_the_council(world, listed):
    """Minutes dated the day before the list arrived (31/12 for what came on 01/01) would be
    numbered and dated in a year the council never saw it; the day it arrived is fine."""
    ids, members = listed
    arrived = world.now.date()
    with pytest.raises(InvalidInput) as early:
        sittings.open_sitting(
            world.session, world.user("council_prov"),
            unit_id=world.user("council_prov").assignments[0].unit_id,
            campaign_id=world.session.scalar(select(Nomination.campaign_id).limit(1)),
            held_on=arrived - timedelta(days=1), place="Hội trường", present=members,
            nomination_ids=ids, now=world.tick(),
        )  # fmt: skip
    assert early.value.details == {"held_on": "before_arrival"}
    assert f"hồ sơ đến muộn nhất ngày {arrived:%d/%m/%Y}" in early.value.message_vi
    world.session.rollback()
    assert open_(world, members, ids).held_on == arrived


def test_minutes_are_listed_on_the_day_the_sitting_was_held(world, listed):
    """Held on 31/12 and closed on 01/01: the documents list dates it as its minutes do."""
    ids, members = listed
    council = world.user("council_prov")
    sitting = open_(world, members, ids=ids[:1])
    held_on = sitting.held_on
    sittings.record_tallies(world.session, council, sitting.id, {ids[0]: PASSING},
                            expected_version=1, now=world.tick())  # fmt: skip
    world.now += timedelta(days=1)
    sittings.close_sitting(world.session, council, sitting.id, expected_version=2,
                           now=world.tick())  # fmt: skip
    [meeting] = council_meetings(world.session, world.unit("PROV"))
    assert (meeting.sitting_id, meeting.day) == (sitting.id, held_on)
