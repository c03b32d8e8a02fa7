"""A campaign reaches the units of its issuer: one federation's plan is not offered to another's
grassroots unions, nor can they propose, register or import in it; a plan whose issuer is not
a unit here (the Tổng Liên đoàn's, imported by a root administrator) reaches every unit."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.factories import World, catalogue, issued_definition
from tests.test_emulation_year import TUYET
from tests.test_imports import FIXTURES
from tests.web_client import WebClient
from workflow import campaigns, emulation_year, imports, members, nominating
from workflow.errors import InvalidInput
from workflow.models import ImportBatch, Nomination

# campaign code -> its issuer: BR1 holds CS1 and CS2, BR2 holds CS3
ISSUED = {"OF-BR1": "BR1", "OF-BR2": "BR2", "OF-ELSEWHERE": "LDLD-KHAC"}


@pytest.fixture
def issued(world: World) -> World:
    for code, issuer in ISSUED.items():
        definition = campaigns.validate(issued_definition(issuer, code), code, catalogue())
        campaigns.import_campaign(world.session, definition, world.user("admin"), world.tick())
    world.session.commit()
    return world


def offered_to(world: World, unit: str) -> set[str]:
    today = world.now.date()
    return {c.code for c, _ in campaigns.offered_awards(world.session, today, [world.unit(unit)])}


def test_each_cdcs_is_offered_the_plans_launched_above_it(issued: World) -> None:
    assert offered_to(issued, "CS1") == {"C2025", "OF-BR1", "OF-ELSEWHERE"}
    assert offered_to(issued, "CS3") == {"C2025", "OF-BR2", "OF-ELSEWHERE"}
    assert offered_to(issued, "CS4") == {"C2025", "OF-ELSEWHERE"}
    officer = [issued.unit("CS1")]
    listed = {c.code for c in campaigns.offering_awards(issued.session, officer)}
    assert listed == {"OF-BR1", "OF-ELSEWHERE"} | ({"C2025"} & listed)
    assert "OF-BR2" in {c.code for c in campaigns.offering_awards(issued.session)}


def propose(world: World, officer: str, campaign: str) -> int:
    return nominating.create_nomination(
        world.session,
        world.user(officer),
        campaign=campaign,
        award_type="BK_LDLD",
        nominee_kind="individual",
        nominee_name="Lê Thị Hồng",
        now=world.tick(),
    ).id


def test_a_proposal_in_another_branchs_plan_is_refused_and_nothing_written(issued: World) -> None:
    before = issued.session.scalar(select(func.count()).select_from(Nomination))
    with pytest.raises(InvalidInput) as refused:
        propose(issued, "officer1", "OF-BR2")
    issued.session.rollback()
    assert refused.value.details == {"campaign": "not_for_unit"}
    assert "do Đơn vị BR2 phát động, không áp dụng cho Đơn vị CS1" in refused.value.message_vi
    assert issued.session.scalar(select(func.count()).select_from(Nomination)) == before
    assert propose(issued, "officer3", "OF-BR2")
    assert propose(issued, "officer1", "OF-ELSEWHERE")


def test_a_proposal_in_a_campaign_that_does_not_exist_blames_the_campaign(issued: World) -> None:
    with pytest.raises(InvalidInput) as refused:
        propose(issued, "officer1", "NOPE-2026")
    assert refused.value.details == {"campaign": "unknown"}
    assert "Không có đợt thi đua «NOPE-2026»" in refused.value.message_vi


def test_registering_and_importing_in_another_branchs_plan_are_refused(issued: World) -> None:
    officer = issued.user("officer1")
    member = members.add_member(
        issued.session, officer, "CS1", TUYET, date(2020, 1, 1), now=issued.tick()
    )
    with pytest.raises(InvalidInput, match="does not cover Đơn vị CS1"):
        emulation_year.register(
            issued.session, officer, "OF-BR2", "BK_LDLD", [member.id], now=issued.tick()
        )
    with pytest.raises(InvalidInput, match="does not cover Đơn vị CS1"):
        emulation_year.offers(issued.session, officer, "CS1", "OF-BR2", issued.now.date())
    content = (FIXTURES / "list-mixed.xlsx").read_bytes()
    with pytest.raises(InvalidInput, match="does not cover Đơn vị CS1"):
        imports.preview(
            issued.session, officer, campaign="OF-BR2", content=content, filename="ds.xlsx"
        )
    issued.session.rollback()
    assert issued.session.scalar(select(func.count()).select_from(ImportBatch)) == 0
    assert emulation_year.register(
        issued.session, officer, "OF-BR1", "BK_LDLD", [member.id], now=issued.tick()
    )


def test_the_pages_offer_an_officer_only_the_plans_launched_for_the_cdcs(app, issued) -> None:
    issued.session.rollback()
    first, third = WebClient(app, "officer1"), WebClient(app, "officer3")
    assert 'value="OF-BR2/BK_LDLD"' not in first.text("/nominations/new")
    assert 'value="OF-BR2/BK_LDLD"' in third.text("/nominations/new")
    assert 'value="OF-BR1/BK_LDLD"' in first.text("/nominations/new")
    assert "/emulation/OF-BR2" not in first.text("/emulation")
    assert "/emulation/OF-BR2" in third.text("/emulation")
    assert 'value="OF-BR2"' not in first.text("/imports")
    assert 'value="OF-BR2"' in third.text("/imports")
    refused = first.get("/emulation/OF-BR2")
    assert refused.status_code == 422
    assert "không áp dụng cho" in refused.get_data(as_text=True)
