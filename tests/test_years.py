"""Year after year: several units sign decisions from 2023 to 2027, driven by the service's
clock (every call takes ``now``). Numbers restart at 01 each January and never collide, the
first decision of each year succeeds, bonuses follow the lương cơ sở of the signing day, and
titles granted in earlier years count in later ones.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.databases import migrate, migrate_down
from tests.factories import CAMPAIGNS, World
from tests.test_documents import docx_text
from workflow import audit, campaigns, checks, decisions, nominating, signing
from workflow.clock import VIETNAM
from workflow.documents import render
from workflow.documents.decision import decision_document
from workflow.errors import NotEligible
from workflow.models import Decision, Nomination

ALL_YES = {"members": 9, "present": 9, "yes": 9, "no": 0, "abstain": 0}
# Lương cơ sở by the decrees, written out here independently of rules/params.py.
BASE_SALARY = [
    (date(2019, 7, 1), 1_490_000),
    (date(2023, 7, 1), 1_800_000),
    (date(2024, 7, 1), 2_340_000),
]
# Signing days of each unit's decisions in a year: the first working day of January, the
# middle of the year and the last day of the year (the 31/12 → 01/01 boundary).
SIGNING_DAYS = [(1, 2), (6, 15), (12, 31)]


def base_salary(day: date) -> int:
    return [amount for start, amount in BASE_SALARY if start <= day][-1]


def at(day: date, hour: int = 9) -> datetime:
    """An instant on a Vietnamese calendar day (09:00 in Hà Nội is 02:00 UTC)."""
    return datetime.combine(day, time(hour), tzinfo=VIETNAM)


def campaign_of(year: int) -> dict[str, Any]:
    """The province's campaign of one year: CSTĐ cơ sở decided by the branch, CSTĐ tỉnh and
    a Bằng khen decided by the province."""
    catalogue = campaigns.load_catalogue(
        campaigns.read_yaml(CAMPAIGNS / "catalogue.yaml"), "catalogue"
    )
    raw = {
        "code": f"TD-{year}",
        "title": f"Thi đua năm {year}",
        "issuer": {"code": "PROV", "name": "Đơn vị PROV", "level": "ldld_tinh"},
        "year": year,
        "awards": [
            {
                "code": "CSTDCS",
                "rules": [{"rule": "R-DISCIPLINE"}, {"rule": "R-CSTDCS"}],
                "vote": {"ratio": "2/3", "base": "present"},
            },
            {"code": "CSTD_TINH"},
            {"code": "BK_LDLD", "rules": [{"rule": "R-DISCIPLINE"}]},
        ],
    }
    return campaigns.validate(raw, f"TD-{year}", catalogue)


def facts(year: int) -> dict[str, Any]:
    """Outstanding every year since 2020, with a province-scope initiative each year."""
    return {
        "ratings": {str(y): "HTXSNV" for y in range(2020, year + 1)},
        "initiatives": [
            {"title": f"Sáng kiến {y}", "year": y, "scope": "tinh", "recognized_by": "HĐ tỉnh"}
            for y in range(2020, year + 1)
        ],
        "discipline": [],
    }


class Years:
    """The factory's tree with a council and a decider at the branch BR1 too."""

    def __init__(self, world: World) -> None:
        self.world = world
        world.add_user("council_br1", "council", "BR1")
        world.add_user("decider_br1", "decider", "BR1")
        for year in range(2022, 2028):
            campaigns.import_campaign(world.session, campaign_of(year))
        world.session.commit()

    def propose(self, campaign_year: int, award: str, name: str, key: str, day: date) -> int:
        """Created and carried to public notice in the days before ``day``'s signing."""
        w = self.world
        w.now = at(day - timedelta(days=14))
        nid = nominating.create_nomination(
            w.session,
            w.user("officer1"),
            campaign=f"TD-{campaign_year}",
            award_type=award,
            nominee_kind="individual",
            nominee_name=name,
            nominee={"key": key},
            facts=facts(campaign_year),
            now=w.tick(),
        ).id
        w.fire(nid, "submit", "officer1")
        w.fire(nid, "approve", "rev_br1")
        deciding = "br1" if award == "CSTDCS" else "prov"
        if deciding == "prov":
            w.fire(nid, "approve", "rev_prov")
        w.fire(nid, "vote", f"council_{deciding}", vote=ALL_YES)
        return nid

    def sign(self, ids: list[int], who: str, day: date) -> Decision:
        return signing.sign_decision(
            self.world.session,
            self.world.user(who),
            nomination_ids=ids,
            signed_on=day,
            now=at(day, 10),
        )


@pytest.fixture
def years(world: World) -> Years:
    return Years(world)


def test_numbers_restart_each_january_and_amounts_follow_the_signing_day(years: Years) -> None:
    signed: list[tuple[Decision, int, date]] = []
    for year in range(2023, 2028):
        for month, day_of_month in SIGNING_DAYS:
            day = date(year, month, day_of_month)
            campaign_year = year - 1 if month == 1 else year
            for who, award in (("decider_br1", "CSTDCS"), ("decider_prov", "BK_LDLD")):
                nid = years.propose(campaign_year, award, f"Người {who} {day}", f"{who}-{day}", day)
                signed.append((years.sign([nid], who, day), nid, day))

    session = years.world.session
    for decision, _, day in signed:
        unit = "BR1" if decision.unit.code == "BR1" else "PROV"
        serial = [d for d, _ in SIGNING_DAYS].index(day.month) + 1
        assert decision.number == f"{serial:02d}/QĐ-{unit}"
        assert (decision.year, decision.signed_on) == (day.year, day)
    stored = session.execute(select(Decision.unit_id, Decision.year, Decision.serial)).all()
    assert len(stored) == len(set(stored)) == 5 * 3 * 2

    officer = years.world.user("auditor_prov")
    for decision, _, day in signed:
        view = decisions.decision_view(session, officer, decision.id, day)
        assert view.total == base_salary(day)  # coefficient 1.0 × lương cơ sở that day
    amounts = {day: base_salary(day) for _, _, day in signed}
    assert amounts[date(2023, 1, 2)] == 1_490_000
    assert amounts[date(2023, 12, 31)] == 1_800_000
    assert amounts[date(2024, 6, 15)] == 1_800_000
    assert amounts[date(2027, 1, 2)] == 2_340_000


def test_the_first_decision_of_january_follows_the_last_of_december(years: Years) -> None:
    last = years.propose(2026, "BK_LDLD", "Trần Văn Cuối", "cuoi", date(2026, 12, 31))
    first = years.propose(2026, "BK_LDLD", "Lê Thị Đầu", "dau", date(2027, 1, 1))
    assert years.sign([last], "decider_prov", date(2026, 12, 31)).number == "01/QĐ-PROV"
    assert years.sign([first], "decider_prov", date(2027, 1, 1)).number == "01/QĐ-PROV"
    again = years.propose(2026, "BK_LDLD", "Phạm Văn Hai", "hai", date(2027, 1, 1))
    assert years.sign([again], "decider_prov", date(2027, 1, 1)).number == "02/QĐ-PROV"


def test_titles_granted_in_earlier_years_count_later(years: Years) -> None:
    """CSTĐ cấp tỉnh needs CSTĐ cơ sở three years running: granted here in January 2024,
    2025 and 2026 for 2023–2025, nothing declared by hand."""
    for year in (2023, 2024, 2025):
        day = date(year + 1, 1, 2)
        nid = years.propose(year, "CSTDCS", "Nguyễn Thị Ánh Tuyết", "DV-001", day)
        years.sign([nid], "decider_br1", day)
    late = years.propose(2025, "CSTDCS", "Hồ Văn Mới", "DV-002", date(2026, 1, 5))
    years.sign([late], "decider_br1", date(2026, 1, 5))

    day = date(2026, 3, 2)
    tuyen = years.propose(2025, "CSTD_TINH", "Nguyễn Thị Ánh Tuyết", "DV-001", day)
    assert years.sign([tuyen], "decider_prov", day).number == "01/QĐ-PROV"
    with pytest.raises(NotEligible) as refused:
        years.propose(2025, "CSTD_TINH", "Hồ Văn Mới", "DV-002", day)
    assert "2023, 2024" in refused.value.message("vi")


LAW_2003 = "Căn cứ Luật Thi đua, khen thưởng ngày 26 tháng 11 năm 2003"
LAW_2022 = "Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15"
DECREE_91 = "Căn cứ Nghị định số 91/2017/NĐ-CP"
DECREE_98 = "Căn cứ Nghị định số 98/2023/NĐ-CP"
QUY_CHE_1689 = "Căn cứ Quyết định số 1689/QĐ-TLĐ ngày 12 tháng 11 năm 2019"
QUY_CHE_999 = "Căn cứ Quyết định số 999/QĐ-TLĐ ngày 29 tháng 5 năm 2024"


@pytest.mark.parametrize(
    ("day", "cited", "not_cited"),
    [
        pytest.param(date(2023, 12, 31), (LAW_2003, DECREE_91, QUY_CHE_1689),
                     (LAW_2022, DECREE_98, QUY_CHE_999), id="last-day-of-the-2003-law"),
        pytest.param(date(2024, 1, 1), (LAW_2022, DECREE_98, QUY_CHE_1689),
                     (LAW_2003, DECREE_91, QUY_CHE_999), id="first-day-of-the-2022-law"),
        pytest.param(date(2024, 5, 28), (LAW_2022, QUY_CHE_1689), (QUY_CHE_999,),
                     id="last-day-of-quy-che-1689"),
        pytest.param(date(2024, 5, 29), (LAW_2022, QUY_CHE_999), (QUY_CHE_1689,),
                     id="first-day-of-quy-che-999"),
    ],
)  # fmt: skip
def test_a_decision_cites_the_instruments_in_force_on_its_signing_day(
    years: Years, day: date, cited: tuple[str, ...], not_cited: tuple[str, ...]
) -> None:
    nid = years.propose(2023, "BK_LDLD", "Nguyễn Thị Ánh Tuyết", f"bases-{day}", day)
    decision = years.sign([nid], "decider_prov", day)
    session = years.world.session
    document = decision_document(session, years.world.user("decider_prov"), decision.id, day)
    text = docx_text(render(document, "docx")[0])
    for line in cited:
        assert line in text, line
    for line in not_cited:
        assert line not in text, line


def test_a_list_sent_before_the_filing_deadline_stays_on_time_in_january(world: World) -> None:
    """Sent in December before the deadline of 15/12: on 04/01 its page, the campaign's
    re-check and a resubmission after a return all hold the deadline against the day it was
    sent (they held it against the day they ran, and every such nomination read "quá hạn").
    A draft still faces the deadline on the day it would be sent."""
    raw = campaign_of(2026)
    raw["awards"] = [
        {**award, "rules": [{"rule": "R-DEADLINE"}], "deadlines": {"submit_by": date(2026, 12, 15)}}
        if award["code"] == "BK_LDLD" else award
        for award in raw["awards"]
    ]  # fmt: skip
    campaigns.import_campaign(world.session, raw)
    world.session.commit()

    def proposed(name: str, day: date) -> int:
        world.now = at(day)
        return nominating.create_nomination(
            world.session, world.user("officer1"), campaign="TD-2026", award_type="BK_LDLD",
            nominee_kind="individual", nominee_name=name, facts={}, now=world.tick(),
        ).id  # fmt: skip

    on_time, returned, late = (
        proposed(n, date(2026, 12, 15)) for n in ("Đúng Hạn", "Trả Lại", "Muộn")
    )
    world.fire(on_time, "submit", "officer1")
    world.fire(returned, "submit", "officer1")
    world.fire(returned, "return", "rev_br1", comment="Bổ sung bản thành tích")
    assert world.session.get_one(Nomination, on_time).submitted_on == date(2026, 12, 15)

    world.now = at(date(2027, 1, 4))
    deadline = {
        r.rule: r
        for r in checks.report(
            world.session, world.session.get_one(Nomination, on_time), date(2027, 1, 4)
        ).results
    }["R-DEADLINE"]
    assert deadline.status.value == "pass"
    assert deadline.message_vi == "Hạn nộp 15/12/2026; đã gửi ngày 15/12/2026."
    world.fire(returned, "resubmit", "officer1")  # corrected after the deadline: still on time
    with pytest.raises(NotEligible, match="Due 15/12/2026; today 04/01/2027"):
        world.fire(late, "submit", "officer1")  # first sent on 04/01: late
    world.session.rollback()
    rechecked = {
        row.nomination_id: row
        for row in checks.recheck_campaign(world.session, "TD-2026", date(2027, 1, 4))
    }
    assert rechecked[on_time].eligible
    assert rechecked[returned].eligible
    assert not rechecked[late].eligible


# SQLite's downgrade rebuilds the table by reflection, which cannot read the username index.
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_nominations_sent_before_the_upgrade_take_the_day_of_their_first_submit(
    world: World, db_url: str
) -> None:
    """The column is filled from the trail on upgrade: the first "submit" link, read as a
    Vietnamese day (18:30 UTC on 06/11 is already 07/11 in Hà Nội); a draft stays unsent."""
    sent, draft = world.nominate(name="Gửi Đêm"), world.nominate(name="Còn Nháp")
    world.now = datetime(2026, 11, 6, 18, 30, tzinfo=UTC)
    world.fire(sent, "submit", "officer1")
    world.fire(sent, "return", "rev_br1", comment="Bổ sung")
    world.now = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    world.fire(sent, "resubmit", "officer1")
    world.session.commit()
    world.session.close()
    migrate_down(db_url, "a1b2c3d4e5f6")
    migrate(db_url)
    days = dict(world.session.execute(select(Nomination.id, Nomination.submitted_on)).all())
    assert days[sent] == date(2026, 11, 7)
    assert days[draft] is None
    assert audit.verify(world.session).ok


@pytest.mark.parametrize(
    ("today", "first"),
    [(date(2027, 1, 4), 2026), (date(2027, 2, 28), 2026), (date(2027, 3, 1), 2027)],
)
def test_the_new_nomination_form_offers_the_year_taking_dossiers_first(
    years: Years, today: date, first: int
) -> None:
    """In January the officer proposes last year's year-end awards: they come first, not the
    new year's campaign imported early; from March the new year's do."""
    offered = campaigns.offered_awards(years.world.session, today, [years.world.unit("CS1")])
    assert offered[0][0].year == first
    shown = [c.year for c, _ in offered]
    assert shown == [first] * shown.count(first) + sorted(
        (y for y in shown if y != first), reverse=True
    )
