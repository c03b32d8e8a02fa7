"""An event's rules read only what concerns its nomination (``checks.index_for``), and must see
exactly what the whole-campaign index (``checks.build_index``) shows for that nomination: the
same counts per unit and award, the same earlier awards, the same claimed achievements, the same
tier quotas — over a campaign of every state, shared nominees and a year of awards before it.
An award none of whose rules counts proposals is not counted for, one none of whose rules reads
its nominee's history is not read it; its rules answer the same."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert, select

from rules import evaluate_all, reads_counts, reads_history
from workflow import checks
from workflow.models import AwardType, Campaign, Decision, Nomination, Unit
from workflow.vocabulary import Event

STATES = ("draft", "in_review", "returned", "under_council", "on_notice", "awarded", "rejected",
          "withdrawn", "revoked")  # fmt: skip
# code -> (category, deciding level, tier quota level, rules)
COUNTED = [{"rule": "R-DISCIPLINE"}, {"rule": "R-QUOTA"}, {"rule": "R-CSTDCS-QUOTA"}]
HISTORY = [{"rule": "R-ONE-ACHIEVEMENT", "severity": "warning"}, {"rule": "R-NO-DOUBLE-SAME-LEVEL"}]
AWARDS = {
    "LDTT": ("comprehensive", "cd_cap_tren", None, COUNTED + HISTORY),
    "CSTDCS": ("comprehensive", "cd_cap_tren", None, COUNTED + HISTORY),
    "BK": ("thematic", "ldld_tinh", "cd_cap_tren", COUNTED),
    "CSTD_TINH": ("comprehensive", "ldld_tinh", None, [{"rule": "R-DISCIPLINE"}, *HISTORY]),
    "GK": ("comprehensive", "ldld_tinh", None, [{"rule": "R-DISCIPLINE"}]),
}
TODAY = date(2025, 11, 20)


def campaign_with_history(world, seed: int) -> Campaign:
    """Last year's awards and this year's campaign, nominees shared between them at random."""
    session, rng = world.session, random.Random(seed)
    units = {u.code: u for u in session.scalars(select(Unit))}
    origins = [units[c] for c in ("CS1", "CS2", "CS3", "CS4")]
    decider = world.user("decider_prov").id
    made = {}
    for year in (2024, 2025):
        campaign = Campaign(code=f"IDX{year}", title=f"Thi đua {year}", year=year)
        session.add(campaign)
        session.flush()
        awards = {}
        for code, (category, level, tier, rules) in AWARDS.items():
            award = AwardType(
                campaign_id=campaign.id, code=code, title=code, nominee_kind="individual",
                decider_level=level, vote_ratio_num=1, vote_ratio_den=2, vote_base="present",
                notice_days=3, category=category, quota_level=tier,
                quota_per_unit=2 if tier else None, rules=rules,
            )  # fmt: skip
            session.add(award)
            session.flush()
            awards[code] = award.id
        decision = Decision(unit_id=units["PROV"].id, year=year, serial=1, number=f"{year}/QĐ",
                            signed_on=date(year, 12, 1), signer_id=decider,
                            created_at=datetime(year, 12, 1, tzinfo=UTC))  # fmt: skip
        session.add(decision)
        session.flush()
        rows = []
        for i in range(160):
            origin = rng.choice(origins)
            route = [a for a in reversed(origin.ancestor_ids[:-1])][:2]
            state = rng.choice(STATES)
            sent = state not in ("draft", "returned") and route
            current = rng.choice(route) if sent and state != "awarded" else origin.id
            if state in ("awarded", "revoked"):
                current = route[-1] if route else origin.id
            facts = {"discipline": []}
            if rng.random() < 0.2:
                facts["achievement_ref"] = f"SK-{rng.randrange(6)}"
            rows.append({
                "campaign_id": campaign.id, "award_type_id": awards[rng.choice(tuple(AWARDS))],
                "origin_unit_id": origin.id, "current_unit_id": current, "state": state,
                "nominee_kind": "individual", "nominee_name": f"N {i}",
                "nominee_search": f"n {i}", "nominee_key": f"k{rng.randrange(40)}", "nominee": {},
                "facts": facts, "achievements": "",
                "route": route if sent else None,
                "route_codes": [str(u) for u in route] if sent else None,
                "decision_id": decision.id if state in ("awarded", "revoked") else None,
                "notice_ends_on": TODAY if state == "on_notice" else None, "version": 1,
                "created_by_id": decider, "created_at": datetime(year, 5, 1, tzinfo=UTC),
                "updated_at": datetime(year, 5, 1, tzinfo=UTC),
            })  # fmt: skip
        session.execute(insert(Nomination), rows)
        made[year] = campaign
    session.commit()
    return made[2025]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_one_nominations_index_shows_what_the_whole_campaigns_shows(world, seed):
    campaign = campaign_with_history(world, seed)
    session = world.session
    whole = checks.build_index(session, campaign.id)
    nominations = session.scalars(
        select(Nomination).where(Nomination.campaign_id == campaign.id).order_by(Nomination.id)
    ).all()
    assert len(nominations) == 160
    partial = 0
    for n in nominations:
        award = n.award_type
        for event in (Event.SUBMIT, Event.APPROVE):
            expected = checks.context_for(n, award, campaign, whole, TODAY, event)
            focused = checks.index_for(session, n, award)
            seen = checks.context_for(n, award, campaign, focused, TODAY, event)
            if reads_counts(award.rules) and reads_history(award.rules):
                assert seen == expected, n.id
            else:
                partial += 1
                if not reads_counts(award.rules):  # itself: no rule asks for others
                    assert seen.aggregates.proposed_nationwide <= 1
                if not reads_history(award.rules):  # nor for its nominee's other proposals
                    assert seen.granted == ()
                assert evaluate_all(award.rules, seen) == evaluate_all(award.rules, expected)
    assert 0 < partial < 2 * len(nominations)


def test_a_form_checked_before_saving_sees_its_units_proposals(world):
    campaign = campaign_with_history(world, 4)
    session = world.session
    award = session.scalar(
        select(AwardType).where(AwardType.campaign_id == campaign.id, AwardType.code == "LDTT")
    )
    unit = session.scalar(select(Unit).where(Unit.code == "CS1"))
    probe = checks.Probe(0, "draft", unit.id, "", {"discipline": []}, unit.id, None)
    whole = checks.build_index(session, campaign.id)
    expected = checks.context_for(probe, award, campaign, whole, TODAY)
    focused = checks.index_for(session, probe, award)
    assert checks.context_for(probe, award, campaign, focused, TODAY) == expected
    assert expected.aggregates.proposals_from_unit >= 1
