"""Each seed campaign run end to end with the clock in its own year (issue 14, acceptance 2).

A CĐCS proposes someone for one of the campaign's awards; each tier approves; the deciding
unit's council votes, the notice runs out and its decider signs in December of the campaign's
year. The decision must cite the law, decree and union Quy chế in force that day, pay the
lương cơ sở of that day and word Article 1 by the kind of award. Expected lines are written out
here from the sources (sources.md §0, §6; the decrees on lương cơ sở), not read from the code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.factories import CAMPAIGNS, World
from tests.test_documents import docx_text
from workflow import campaigns, nominating, signing
from workflow.clock import VIETNAM
from workflow.documents import render
from workflow.documents.decision import decision_document
from workflow.facts import needed_facts
from workflow.models import Unit

CATALOGUE = CAMPAIGNS / "catalogue.yaml"
ALL_YES = {"members": 9, "present": 9, "yes": 9, "no": 0, "abstain": 0}

LAW_2003 = "Căn cứ Luật Thi đua, khen thưởng ngày 26 tháng 11 năm 2003"
DECREE_91 = "Căn cứ Nghị định số 91/2017/NĐ-CP ngày 31 tháng 7 năm 2017"
CHARTER = "Căn cứ Điều lệ Công đoàn Việt Nam"
QC_1564 = "Căn cứ Quyết định số 1564/QĐ-TLĐ ngày 24 tháng 12 năm 2014"
QC_1689 = "Căn cứ Quyết định số 1689/QĐ-TLĐ ngày 12 tháng 11 năm 2019"
LATER = ("06/2022/QH15", "98/2023/NĐ-CP", "999/QĐ-TLĐ")  # none may be cited before 2024


@dataclass(frozen=True)
class SeedRun:
    file: str
    award: str
    decider: str  # the deciding unit in the test tree: BR1 (cấp trên) or PROV (tỉnh)
    names: dict[str, str]  # test unit code → the name it takes for this campaign
    signed_on: date
    expected: tuple[str, ...]  # lines (or fragments) the decision must say


RUNS = [
    SeedRun(
        "2017-cdvc-daklak.yaml", "CSTDCS", "BR1",
        {"PROV": "Liên đoàn Lao động tỉnh Đắk Lắk", "BR1": "Công đoàn Viên chức tỉnh Đắk Lắk",
         "CS1": "Công đoàn cơ sở Trường THPT Buôn Ma Thuột"},
        date(2017, 12, 15),
        (LAW_2003, DECREE_91, CHARTER, QC_1564,
         "BAN THƯỜNG VỤ CÔNG ĐOÀN VIÊN CHỨC TỈNH ĐẮK LẮK",
         'Điều 1. Công nhận danh hiệu "Chiến sĩ thi đua cơ sở" cho 01 cá nhân',
         "1.300.000 đ",  # 1.0 × 1,300,000 (NĐ 47/2017, from 01/07/2017)
         "TM. BAN THƯỜNG VỤ"),
    ),
    SeedRun(
        "2017-ldld-caobang.yaml", "GVNDVN", "PROV",
        {"PROV": "Liên đoàn Lao động tỉnh Cao Bằng", "BR1": "Liên đoàn Lao động huyện Hòa An",
         "CS1": "Công đoàn cơ sở Trường Tiểu học Hòa An"},
        date(2017, 12, 20),
        (LAW_2003, DECREE_91, CHARTER, QC_1564,
         "BAN THƯỜNG VỤ LIÊN ĐOÀN LAO ĐỘNG TỈNH CAO BẰNG",
         'Điều 1. Công nhận danh hiệu "Giỏi việc nước, đảm việc nhà" cho 01 cá nhân'),
    ),
    SeedRun(
        "2020-ldld-backan.yaml", "BK_LDLD", "PROV",
        {"PROV": "Liên đoàn Lao động tỉnh Bắc Kạn", "BR1": "Công đoàn Viên chức tỉnh Bắc Kạn",
         "CS1": "Công đoàn cơ sở Sở Y tế Bắc Kạn"},
        date(2020, 12, 15),
        (LAW_2003, DECREE_91, CHARTER, QC_1689,
         "Điều 1. Tặng Bằng khen của Ban Chấp hành Liên đoàn Lao động tỉnh Bắc Kạn cho 01 cá "
         "nhân",
         "1.490.000 đ"),  # 1.0 × 1,490,000 (NĐ 38/2019)
    ),
    SeedRun(
        "2022-cdvc-binhdinh.yaml", "GK_CDCTT", "BR1",
        {"PROV": "Liên đoàn Lao động tỉnh Bình Định", "BR1": "Công đoàn Viên chức tỉnh Bình Định",
         "CS1": "Công đoàn cơ sở Trường THPT Quy Nhơn"},
        date(2022, 12, 15),
        (LAW_2003, DECREE_91, CHARTER, QC_1689,
         "Điều 1. Tặng Giấy khen của Ban Chấp hành Công đoàn Viên chức tỉnh Bình Định cho 01 cá "
         "nhân",
         "450.000 đ"),  # 0.3 × 1,490,000 = 447,000, rounded up to 450,000
    ),
    SeedRun(
        "2023-cdcs-skhdt-langson.yaml", "GK_CDCTT", "BR1",
        {"PROV": "Liên đoàn Lao động tỉnh Lạng Sơn", "BR1": "Công đoàn Viên chức tỉnh Lạng Sơn",
         "CS1": "Công đoàn cơ sở Sở Kế hoạch và Đầu tư tỉnh Lạng Sơn"},
        date(2023, 12, 15),
        (LAW_2003, DECREE_91, CHARTER, QC_1689,
         "Điều 1. Tặng Giấy khen của Ban Chấp hành Công đoàn Viên chức tỉnh Lạng Sơn cho 01 cá "
         "nhân",
         "540.000 đ"),  # 0.3 × 1,800,000 (NĐ 24/2023, from 01/07/2023)
    ),
]  # fmt: skip


def at(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=VIETNAM)


def facts_for(award: Any, year: int, ref: str) -> dict[str, Any]:
    """A worthy nominee's facts, limited to what the award's rules ask."""
    worthy: dict[str, Any] = {
        "ratings": {str(y): "HTXSNV" for y in range(year - 2, year + 1)},
        "initiatives": [
            {"title": f"Sáng kiến {y}", "year": y, "scope": "co_so", "benefit_vnd": 1,
             "recognized_by": "Hội đồng sáng kiến cơ sở"}
            for y in (year - 1, year)
        ],
        "discipline": [],
        "registered": True,
        "absent_days": 0,
        "months_employed": 12,
        "gender": "female",
        "achievement_ref": ref,
        "is_leader": False,
        "education": "university",
    }  # fmt: skip
    asked = {f.name for f in needed_facts(award)}
    return {name: value for name, value in worthy.items() if name in asked}


class SeedWorld:
    def __init__(self, world: World, run: SeedRun) -> None:
        self.world, self.run = world, run
        session = world.session
        for unit in session.scalars(select(Unit).where(Unit.code.in_(run.names))):
            unit.name = run.names[unit.code]
        world.add_user("council_br1", "council", "BR1")
        world.add_user("decider_br1", "decider", "BR1")
        self.campaign = campaigns.import_campaign(
            session, campaigns.load_file(CAMPAIGNS / run.file, CATALOGUE)
        )
        session.commit()
        self.year = self.campaign.year
        world.now = at(date(self.year, 11, 1))

    def award(self, code: str) -> Any:
        return next(a for a in self.campaign.award_types if a.code == code)

    def propose(self, code: str, name: str, ref: str) -> int:
        w = self.world
        nid = nominating.create_nomination(
            w.session,
            w.user("officer1"),
            campaign=self.campaign.code,
            award_type=code,
            nominee_kind="individual",
            nominee_name=name,
            facts=facts_for(self.award(code), self.year, ref),
            now=w.tick(),
        ).id
        w.fire(nid, "submit", "officer1")
        return nid

    def carry_to_decision(self, nid: int) -> Any:
        w, decider = self.world, self.run.decider.lower()
        w.fire(nid, "approve", "rev_br1")
        if decider == "prov":
            w.fire(nid, "approve", "rev_prov")
        w.fire(nid, "vote", f"council_{decider}", vote=ALL_YES)
        day = self.run.signed_on
        return signing.sign_decision(
            w.session, w.user(f"decider_{decider}"), nomination_ids=[nid], signed_on=day,
            now=at(day),
        )  # fmt: skip


@pytest.mark.parametrize("run", RUNS, ids=[r.file.removesuffix(".yaml") for r in RUNS])
def test_each_seed_campaign_signs_a_decision_of_its_own_years_regime(
    world: World, run: SeedRun
) -> None:
    seed = SeedWorld(world, run)
    if run.award == "CSTDCS":
        # Decree 91/2017 k.3 Đ.9: CSTĐ cơ sở ≤ 15 % of the unit's LĐTT; 7 LĐTT allow one.
        for i in range(7):
            seed.propose("LDTT", f"Lao động tiên tiến {i}", f"ldtt-{i}")
    nid = seed.propose(run.award, "Nguyễn Thị Ánh Tuyết", f"{run.file}-1")
    decision = seed.carry_to_decision(nid)
    assert decision.signed_on == run.signed_on
    decider = world.user(f"decider_{run.decider.lower()}")
    document = decision_document(world.session, decider, decision.id, run.signed_on + timedelta(1))
    text = docx_text(render(document, "docx")[0])
    for line in run.expected:
        assert line in text, line
    for later in LATER:
        assert later not in text, later
    assert "Nguyễn Thị Ánh Tuyết" in text
