"""The workflow as users live it: each tier's moves, and every refusal with its reason."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from tests.factories import FAIL_VOTE, PASS_VOTE
from workflow import audit, eligibility, nominating, service
from workflow.eligibility import Problem
from workflow.errors import (
    IdempotencyKeyReused,
    IllegalTransition,
    InvalidInput,
    NotAllowed,
    NotEligible,
    NotFound,
    ReasonRequired,
    StaleVersion,
)
from workflow.models import AuditEvent, Nomination, Unit
from workflow.vocabulary import Event


def unit_code(world, nid):
    n = world.session.get(Nomination, nid)
    world.session.refresh(n)
    return world.session.get(Unit, n.current_unit_id).code


def test_full_path_with_a_return_down_two_tiers(world):
    nid = world.nominate()
    assert world.fire(nid, "submit", "officer1").current_unit == "BR1"
    assert world.fire(nid, "approve", "rev_br1").current_unit == "PROV"
    back = world.fire(nid, "return", "rev_prov", comment="Thiếu biên bản họp")
    assert (back.state, back.current_unit) == ("in_review", "BR1")
    back = world.fire(nid, "return", "rev_br1", comment="Bổ sung biên bản")
    assert (back.state, back.current_unit) == ("returned", "CS1")
    assert world.fire(nid, "resubmit", "officer1").current_unit == "BR1"
    world.fire(nid, "approve", "rev_br1")
    assert world.fire(nid, "approve", "rev_prov").state == "under_council"
    out = world.fire(nid, "vote", "council_prov", vote=PASS_VOTE)
    assert out.state == "on_notice"
    decision = world.sign([nid])
    n = world.session.get(Nomination, nid)
    assert n.state == "awarded"
    assert decision.number == "01/QĐ-PROV"
    events = [e["event"] for e in audit.trail(world.session, nid)]
    assert events == ["create", "submit", "approve", "return", "return", "resubmit",
                      "approve", "approve", "vote", "decide"]  # fmt: skip
    assert n.version == len(events) + 0  # version 1 at creation, +1 per later event


def test_route_is_frozen_at_submit_and_short_when_a_cdcs_sits_under_the_province(world):
    nid = world.nominate("officer4")
    out = world.fire(nid, "submit", "officer4")
    assert (out.state, out.current_unit) == ("in_review", "PROV")
    assert world.fire(nid, "approve", "rev_prov").state == "under_council"
    route = world.session.get(Nomination, nid).route
    assert route == [world.session.scalar(select(Unit.id).where(Unit.code == "PROV"))]


def test_an_award_decided_at_the_first_tier_goes_to_its_council_at_once(world):
    nid = world.nominate(award="GK")
    world.fire(nid, "submit", "officer1")
    assert world.fire(nid, "approve", "rev_br1").state == "under_council"


def test_national_award_climbs_to_the_confederation(world):
    nid = world.nominate(award="BKTLD")
    world.to_council(nid)
    assert unit_code(world, nid) == "TLD"
    assert world.fire(nid, "approve", "rev_tld").state == "under_council"


@pytest.mark.parametrize("event", ["return", "reject"])
def test_return_and_reject_need_a_reason(world, event):
    nid = world.nominate()
    world.fire(nid, "submit", "officer1")
    with pytest.raises(ReasonRequired):
        world.fire(nid, event, "rev_br1", comment="   ")
    assert world.version(nid) == 2  # nothing written


def test_failing_vote_rejects_and_passing_vote_opens_the_notice(world):
    a, b = world.nominate(), world.nominate()
    world.to_council(a)
    world.to_council(b)
    assert world.fire(a, "vote", "council_prov", vote=FAIL_VOTE).state == "rejected"
    assert world.fire(b, "vote", "council_prov", vote=PASS_VOTE).state == "on_notice"
    n = world.session.get(Nomination, b)
    assert n.vote == PASS_VOTE
    assert n.notice_ends_on == world.now.date() + timedelta(days=5)


@pytest.mark.parametrize(
    ("yes", "state"),
    [(6, "on_notice"), (5, "rejected")],  # 2/3 of 9 members is 6: the threshold itself passes
)
def test_vote_threshold_counts_all_members(world, yes, state):
    nid = world.nominate()
    world.to_council(nid)
    vote = {"members": 9, "present": 7, "yes": yes, "no": 7 - yes, "abstain": 0}
    assert world.fire(nid, "vote", "council_prov", vote=vote).state == state


@pytest.mark.parametrize(
    "vote",
    [
        None,
        {"members": 9, "present": 10, "yes": 9, "no": 0, "abstain": 0},
        {"members": 9, "present": 9, "yes": 8, "no": 2, "abstain": 0},
        {"members": 9, "present": 9, "yes": 8.5, "no": 0, "abstain": 0},
        {"members": 9, "present": 9, "yes": -1, "no": 0, "abstain": 0},
        {"members": 9, "present": 9, "yes": 9, "no": 0},
    ],
)
def test_inconsistent_votes_are_refused(world, vote):
    nid = world.nominate()
    world.to_council(nid)
    with pytest.raises(InvalidInput):
        world.fire(nid, "vote", "council_prov", vote=vote)
    assert world.session.get(Nomination, nid).state == "under_council"


def test_objection_during_notice_returns_to_council(world):
    nid = world.nominate()
    world.to_notice(nid)
    with pytest.raises(ReasonRequired):
        world.fire(nid, "object", "council_prov")
    out = world.fire(nid, "object", "council_prov", comment="Có đơn phản ánh về thành tích")
    assert out.state == "under_council"
    assert world.session.get(Nomination, nid).notice_ends_on is None


def test_decide_only_through_a_signed_decision_after_the_notice(world):
    nid = world.nominate()
    world.to_notice(nid)
    with pytest.raises(InvalidInput):
        world.fire(nid, "decide", "decider_prov")
    with pytest.raises(IllegalTransition):
        world.sign([nid], days_later=1)  # notice lasts 5 days
    assert world.session.get(Nomination, nid).state == "on_notice"
    assert world.sign([nid], days_later=5).number.endswith("/QĐ-PROV")


def test_signing_is_all_or_nothing(world):
    ready, not_ready = world.nominate(), world.nominate()
    world.to_notice(ready)
    world.to_council(not_ready)
    seq_before = world.session.scalar(select(func.max(AuditEvent.seq)))
    with pytest.raises(IllegalTransition) as err:
        world.sign([ready, not_ready])
    assert set(err.value.details) == {str(not_ready)}
    assert world.session.get(Nomination, ready).state == "on_notice"
    assert world.session.scalar(select(func.max(AuditEvent.seq))) == seq_before


def test_decision_numbers_count_per_unit_and_year(world):
    ids = [world.nominate() for _ in range(3)]
    for nid in ids:
        world.to_notice(nid)
    first = world.sign(ids[:1])
    second = world.sign(ids[1:])
    assert [first.number, second.number] == ["01/QĐ-PROV", "02/QĐ-PROV"]
    assert len(second.nominations) == 2


def test_only_the_decider_of_the_deciding_unit_signs(world):
    nid = world.nominate()
    world.to_notice(nid)
    for who in ("council_prov", "decider_tld", "rev_prov"):
        with pytest.raises((NotAllowed, NotFound)):
            world.sign([nid], who=who)


def test_revoke_needs_a_legal_ground_and_a_reason(world):
    nid = world.nominate()
    world.to_notice(nid)
    world.sign([nid])
    with pytest.raises(InvalidInput):
        world.fire(nid, "revoke", "decider_prov", comment="Sai phạm", ground="dislike")
    with pytest.raises(ReasonRequired):
        world.fire(nid, "revoke", "decider_prov", ground="fraud")
    out = world.fire(nid, "revoke", "decider_prov", comment="Kê khai gian dối", ground="fraud")
    assert out.state == "revoked"
    assert audit.trail(world.session, nid)[-1]["data"] == {"ground": "fraud"}


def test_withdraw_by_the_origin_officer_only(world):
    nid = world.nominate()
    world.fire(nid, "submit", "officer1")
    with pytest.raises(NotAllowed):
        world.fire(nid, "withdraw", "rev_br1")
    with pytest.raises(NotFound):
        world.fire(nid, "withdraw", "officer2")  # a sibling CĐCS cannot even see it
    out = world.fire(nid, "withdraw", "officer1")
    assert (out.state, out.current_unit) == ("withdrawn", "CS1")


def test_illegal_transitions_are_refused(world):
    nid = world.nominate()
    with pytest.raises(IllegalTransition):
        world.fire(nid, "approve", "officer1")
    with pytest.raises(IllegalTransition):
        world.fire(nid, "resubmit", "officer1")
    with pytest.raises(InvalidInput):
        world.fire(nid, "teleport", "officer1")


def test_reviewer_acts_only_where_the_nomination_is(world):
    nid = world.nominate()
    world.fire(nid, "submit", "officer1")
    with pytest.raises(NotAllowed):
        world.fire(nid, "approve", "rev_prov")  # pending at BR1, not PROV
    with pytest.raises(NotFound):
        world.fire(nid, "approve", "rev_br2")  # another branch
    with pytest.raises(NotAllowed):
        world.fire(nid, "approve", "auditor_prov")  # auditors read, never act


def test_drafts_are_private_to_their_cdcs(world):
    nid = world.nominate()
    with pytest.raises(NotFound):
        world.fire(nid, "approve", "rev_br1")


def test_stale_version_is_refused_and_changes_nothing(world):
    nid = world.nominate()
    world.fire(nid, "submit", "officer1")
    with pytest.raises(StaleVersion):
        world.fire(nid, "approve", "rev_br1", expected_version=1)
    assert world.version(nid) == 2


def test_same_idempotency_key_returns_the_first_result(world):
    nid = world.nominate()
    first = world.fire(nid, "submit", "officer1", expected_version=1, idempotency_key="k-1")
    again = world.fire(nid, "submit", "officer1", expected_version=1, idempotency_key="k-1")
    assert again == first
    assert len(audit.trail(world.session, nid)) == 2
    with pytest.raises(IdempotencyKeyReused):
        world.fire(nid, "withdraw", "officer1", expected_version=2, idempotency_key="k-1")


def test_substitute_acts_during_their_dates_and_the_trail_says_for_whom(world):
    world.add_substitute()
    nid = world.nominate()
    world.fire(nid, "submit", "officer1")
    world.fire(nid, "approve", "stand_in")
    last = audit.trail(world.session, nid)[-1]
    assert (last["actor"], last["acting_for"], last["role"]) == ("stand_in", "rev_br1", "reviewer")
    other = world.nominate()
    world.fire(other, "submit", "officer1")
    world.now = world.now.replace(month=12, day=2)
    with pytest.raises(NotFound):  # the substitution has ended
        world.fire(other, "approve", "stand_in")


def test_eligibility_problems_block_with_every_reason(world):
    def two_problems(session, nomination, event, today, recorded):
        return [
            Problem("R-A", "Thiếu xếp loại", "Rating missing"),
            Problem("R-B", "Chưa đăng ký thi đua", "Not registered"),
            Problem("R-C", "Chỉ cảnh báo", "Only a warning", blocking=False),
        ]

    eligibility.register(two_problems)
    try:
        nid = world.nominate()
        with pytest.raises(NotEligible) as err:
            world.fire(nid, "submit", "officer1")
        assert [d["rule"] for d in err.value.details] == ["R-A", "R-B"]
        assert world.session.get(Nomination, nid).state == "draft"
    finally:
        eligibility.unregister(two_problems)


def test_every_event_records_who_where_and_what(world):
    nid = world.nominate()
    world.fire(nid, "submit", "officer1")
    world.fire(nid, "return", "rev_br1", comment="Bổ sung hồ sơ")
    last = audit.trail(world.session, nid)[-1]
    assert {k: last[k] for k in ("event", "actor", "role", "unit", "from_state", "to_state",
                                 "from_unit", "to_unit", "comment", "version")} == {
        "event": "return", "actor": "rev_br1", "role": "reviewer", "unit": "BR1",
        "from_state": "in_review", "to_state": "returned", "from_unit": "BR1",
        "to_unit": "CS1", "comment": "Bổ sung hồ sơ", "version": 3,
    }  # fmt: skip
    assert last["at"] == world.now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def test_creation_is_checked_and_audited(world):
    with pytest.raises(NotAllowed):
        world.nominate("rev_br1")
    with pytest.raises(InvalidInput):
        world.nominate(award="NOPE")
    with pytest.raises(InvalidInput):
        world.nominate(name="  ")
    with pytest.raises(InvalidInput):
        nominating.create_nomination(
            world.session, world.user("officer1"), campaign="C2025", award_type="CO",
            nominee_kind="individual", nominee_name="X",
        )  # fmt: skip
    nid = world.nominate()
    assert audit.trail(world.session, nid)[0]["event"] == "create"
    assert audit.verify(world.session).ok


def test_a_name_with_control_characters_is_refused_and_names_are_stored_composed(world):
    with pytest.raises(InvalidInput) as err:
        world.nominate(name="Lê\x01Văn")
    assert err.value.details == {"nominee.name": "invalid_characters"}
    nid = world.nominate(name=unicodedata.normalize("NFD", "  Lê   Văn Tám "))
    assert world.session.get(Nomination, nid).nominee_name == "Lê Văn Tám"


def test_a_bulk_action_commits_its_events_together_and_a_refusal_leaves_nothing(world):
    """Group commit (issue 19): the events of a bulk action share one commit, each in its own
    savepoint; a refused one (here a stale version) changes nothing, the others all land."""
    ids = [world.nominate() for _ in range(5)]
    for nid in ids:
        world.fire(nid, "submit", "officer1")
    world.session.commit()
    commits = []

    def committed(connection) -> None:
        commits.append(connection)

    engine = world.session.get_bind()
    event.listen(engine, "commit", committed)
    items = [(nid, 2) for nid in ids[:4]] + [(ids[4], 1)]  # the last one's version is stale
    results = service.fire_many(world.session, world.user("rev_br1"), Event.APPROVE, items)
    event.remove(engine, "commit", committed)
    assert len(commits) == 1
    assert [type(r).__name__ for _, r in results] == ["Outcome"] * 4 + ["StaleVersion"]
    world.session.expire_all()
    assert [world.version(nid) for nid in ids] == [3, 3, 3, 3, 2]
    assert audit.verify(world.session).ok


def test_a_nominee_of_the_wrong_kind_is_refused_saying_whom_the_award_is_for(world):
    with pytest.raises(InvalidInput) as err:
        nominating.create_nomination(
            world.session, world.user("officer1"), campaign="C2025", award_type="BK",
            nominee_kind="collective", nominee_name="Tổ Công đoàn Phòng Kế toán",
        )  # fmt: skip
    assert err.value.message_vi.endswith("chỉ dành cho cá nhân.")
    assert err.value.details == {"nominee.kind": "award_type_needs_individual"}
