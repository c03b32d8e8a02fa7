"""Award statistics against counts computed here, independently, from a generated province
(issue 17, acceptance 1): four union levels and the collectives (tổ công đoàn) below the
CĐCS, 2,000 nominations over two years."""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert, select

from workflow import statistics
from workflow.accounts import create_unit
from workflow.models import AwardType, Campaign, Decision, Nomination, Unit

SIGNED = {2024: date(2024, 12, 16), 2025: date(2025, 12, 15)}
BASE = 2_340_000  # lương cơ sở from 01/07/2024 (NĐ 73/2024): both signing days
# code → (title, deciding level, bonus coefficient, nominee kind)
AWARDS = {
    "BKP": ("Bằng khen của Ban Chấp hành LĐLĐ tỉnh", "ldld_tinh", "1.0", "individual"),
    "GKB": ("Giấy khen của Ban Chấp hành Công đoàn cấp trên", "cd_cap_tren", None, "individual"),
    "COP": ("Cờ thi đua của LĐLĐ tỉnh", "ldld_tinh", "1.5", "collective"),
}
MONEY = {"1.0": BASE, "1.5": 3_510_000, None: 0}


@dataclass(frozen=True)
class Made:
    year: int
    award: str
    cdcs: int
    state: str
    gender: str | None
    direct: bool


def generated(
    world, count: int = 2000, districts: int = 3, per_district: int = 4
) -> tuple[list[Made], dict[int, int]]:
    """The province's tree grown by ``districts`` × ``per_district`` CĐCS, the nominations;
    and each CĐCS's district (the province's child it counts under)."""
    session = world.session
    for d in range(districts):
        create_unit(session, f"D{d:02d}", f"Huyện {d}", "cd_cap_tren", "PROV")
        for c in range(per_district):
            create_unit(session, f"D{d:02d}C{c:02d}", f"CĐCS {d}.{c}", "cdcs", f"D{d:02d}")
    session.commit()
    units = {u.code: u for u in session.scalars(select(Unit))}
    district_of = {
        u.id: units[code[:3]].id for code, u in units.items() if len(code) == 6 and code[0] == "D"
    }
    district_of |= {units[c].id: units[p].id for c, p in (("CS1", "BR1"), ("CS2", "BR1"),
                                                         ("CS3", "BR2"))}  # fmt: skip
    district_of[units["CS4"].id] = units["CS4"].id  # directly under the province
    prov = units["PROV"].id
    awards: dict[tuple[int, str], int] = {}
    campaigns: dict[int, int] = {}
    for year in SIGNED:
        campaign = Campaign(code=f"S{year}", title=f"Thi đua {year}", year=year)
        session.add(campaign)
        session.flush()
        campaigns[year] = campaign.id
        for code, (title, level, coefficient, kind) in AWARDS.items():
            award = AwardType(
                campaign_id=campaign.id, code=code, title=title, nominee_kind=kind,
                decider_level=level, vote_ratio_num=2, vote_ratio_den=3, vote_base="members",
                notice_days=5, bonus_coefficient=coefficient,
            )  # fmt: skip
            session.add(award)
            session.flush()
            awards[(year, code)] = award.id
    decider = world.user("decider_prov").id
    decisions = {}
    for year, signed_on in SIGNED.items():
        decision = Decision(unit_id=prov, year=year, serial=1, number="01/QĐ-PROV",
                            signed_on=signed_on, signer_id=decider,
                            created_at=datetime(year, 12, 20, tzinfo=UTC))  # fmt: skip
        session.add(decision)
        session.flush()
        decisions[year] = decision.id
    rng = random.Random(17)
    made, rows = [], []
    now = datetime(2025, 12, 20, tzinfo=UTC)
    for i in range(count):
        year = rng.choice(tuple(SIGNED))
        award = rng.choice(tuple(AWARDS))
        kind = AWARDS[award][3]
        cdcs = rng.choice(tuple(district_of))
        state = rng.choices(("awarded", "revoked", "rejected", "draft"), (70, 5, 10, 15))[0]
        gender = rng.choice(("female", "male", None)) if kind == "individual" else None
        direct = kind == "individual" and rng.random() < 0.3
        made.append(Made(year, award, cdcs, state, gender, direct))
        decided = state in ("awarded", "revoked")
        facts = {k: v for k, v in (("gender", gender), ("direct_worker", direct or None)) if v}
        rows.append({
            "campaign_id": campaigns[year], "award_type_id": awards[(year, award)],
            "origin_unit_id": cdcs, "current_unit_id": prov if decided else cdcs, "state": state,
            "nominee_kind": kind, "nominee_name": f"N {i}", "nominee_search": f"n {i}",
            "nominee_key": f"k{i}", "nominee": {}, "facts": facts, "achievements": "",
            "route": [prov] if decided else None, "route_codes": ["PROV"] if decided else None,
            "decision_id": decisions[year] if decided else None, "version": 1,
            "created_by_id": decider, "created_at": now, "updated_at": now,
        })  # fmt: skip
    for start in range(0, len(rows), 5000):
        session.execute(insert(Nomination), rows[start : start + 5000])
    session.commit()
    return made, district_of


def test_statistics_match_counts_made_independently(world):
    made, district_of = generated(world)
    prov = world.session.scalar(select(Unit).where(Unit.code == "PROV"))
    stats = statistics.award_statistics(
        world.session, world.user("auditor_prov"), date(2026, 1, 5), prov, 2025
    )
    for figures in (stats.this_year, stats.last_year):
        mine = [m for m in made if m.year == figures.year and m.state == "awarded"]
        by_award: Counter[str] = Counter(AWARDS[m.award][0] for m in mine)
        money: defaultdict[str, int] = defaultdict(int)
        for m in mine:
            money[AWARDS[m.award][0]] += MONEY[AWARDS[m.award][2]]
        assert {t: (v.count, v.money) for t, v in figures.by_award.items()} == {
            t: (by_award[t], money[t]) for t in by_award
        }
        assert figures.total.count == len(mine)
        assert figures.total.money == sum(money.values())
        levels = Counter(AWARDS[m.award][1] for m in mine)
        assert {lvl: v.count for lvl, v in figures.by_level.items()} == dict(levels)
        units = Counter(district_of[m.cdcs] for m in mine)
        assert {uid: v.count for uid, v in figures.by_unit.items()} == dict(units)
        people = [m for m in mine if AWARDS[m.award][3] == "individual"]
        assert figures.individuals == len(people)
        assert figures.women == sum(m.gender == "female" for m in people)
        assert figures.gender_unknown == sum(m.gender is None for m in people)
        assert figures.direct_workers == sum(m.direct for m in people)
        recorded = [m for m in people if m.gender is not None]
        women = sum(m.gender == "female" for m in recorded)
        assert figures.women_share() == (
            round(100 * women / len(recorded), 1) if recorded else None
        )  # of those whose gender is recorded: "—", not 0 %, when nobody's is
    assert stats.this_year.total.count > 500  # the data is the size it claims


def test_a_unit_below_sees_its_own_subtree_only(world):
    made, district_of = generated(world, count=400)
    d0 = world.session.scalar(select(Unit).where(Unit.code == "D00"))
    world.add_user("rev_d0", "reviewer", "D00")
    stats = statistics.award_statistics(
        world.session, world.user("rev_d0"), date(2026, 1, 5), d0, 2025
    )
    mine = [
        m for m in made if m.year == 2025 and m.state == "awarded" and district_of[m.cdcs] == d0.id
    ]
    assert stats.this_year.total.count == len(mine)
    prov = world.session.scalar(select(Unit).where(Unit.code == "PROV"))
    with pytest.raises(Exception, match="statistics"):
        statistics.award_statistics(
            world.session, world.user("rev_d0"), date(2026, 1, 5), prov, 2025
        )


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_statistics_page_shows_the_figures_and_drills_down(app, world):
    made, _district_of = generated(world, count=300)
    world.session.rollback()
    from tests.web_client import WebClient

    web = WebClient(app, "auditor_prov")
    page = web.get("/statistics?unit=PROV&year=2025")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    awarded = sum(m.year == 2025 and m.state == "awarded" for m in made)
    assert f'data-label="2025">{awarded}</td>' in text
    assert '<meter min="0" max=' in text  # the chart: one meter per row
    assert "unit=D00" in text  # a child unit's own figures, one click away
    assert web.get("/statistics?unit=D00&year=2025").status_code == 200
    assert web.get("/statistics.xlsx?unit=PROV&year=2025").status_code == 200
    assert WebClient(app, "officer1").get("/statistics?unit=PROV").status_code == 404
    assert web.get("/statistics?unit=PROV&year=2025&campaign=XYZ").status_code == 404
    wrong = web.get("/statistics?year=abc")
    assert wrong.status_code == 400
    assert "Năm trong đường dẫn phải từ 2000 đến 2100." in wrong.get_data(as_text=True)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_api_gives_the_same_figures(app, world):
    from tests.api_client import ApiClient

    made, _ = generated(world, count=200)
    world.session.rollback()
    api = ApiClient(app.test_client(), "auditor_prov")
    answer = api.get("/statistics?unit=PROV&year=2025")
    assert answer.status_code == 200
    assert answer.json["this_year"]["total"]["count"] == sum(
        m.year == 2025 and m.state == "awarded" for m in made
    )
    assert set(answer.json["this_year"]["by_unit"]) <= {"BR1", "BR2", "CS4", "D00", "D01", "D02"}
    assert (
        ApiClient(app.test_client(), "officer1").get("/statistics?unit=PROV&year=2025").status_code
        == 404
    )


@pytest.mark.parametrize(
    ("today", "year"),
    [("2026-12-31", 2026), ("2027-01-01", 2026), ("2027-02-28", 2026), ("2027-03-01", 2027)],
)
def test_the_page_opens_on_the_year_whose_review_is_still_open(
    app, world, monkeypatch, today, year
):
    """In January the year-end awards of the year before are being decided: the page opens
    on that year (it opened on an empty new one), and says which year it counts by."""
    from tests.web_client import WebClient

    monkeypatch.setenv("KHENTHUONG_NOW", f"{today}T03:00:00+00:00")
    world.session.rollback()
    text = WebClient(app, "auditor_prov").text("/statistics")
    assert f"Thống kê khen thưởng năm {year}" in text
    assert "không phải năm ký quyết định" in text


def test_the_year_pickers_offer_the_years_that_have_something(app, world, monkeypatch):
    """Not the eight years before today, most of them empty: the campaigns' years (and the
    one under review), the years decisions were signed in (and this one)."""
    from tests.web_client import WebClient

    nid = world.nominate()
    world.to_notice(nid)
    world.sign([nid], days_later=8)  # the test world's campaign is of 2025
    world.session.rollback()
    monkeypatch.setenv("KHENTHUONG_NOW", "2027-06-01T03:00:00+00:00")
    auditor = WebClient(app, "auditor_prov")
    picker = auditor.text("/statistics").split('<select id="year"')[1].split("</select>")[0]
    assert re.findall(r'<option value="(\d+)"', picker) == ["2027", "2025"]
    picker = auditor.text("/decisions").split('<select id="year"')[1].split("</select>")[0]
    assert re.findall(r'<option value="(\d+)"', picker) == ["2027", "2025"]
