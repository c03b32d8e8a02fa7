"""The emulation year run three times for one CĐCS: registration in January, evaluation in
December, proposals read from the registry (issue 15)."""

from __future__ import annotations

import copy
import io
import json
import re
import unicodedata
from datetime import date, datetime, time
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tests.factories import World, demo_definition
from workflow import audit, campaigns, emulation_year, member_import, members, nominating
from workflow.campaign_schema import CampaignSchema
from workflow.clock import VIETNAM, utcnow, vn_date
from workflow.errors import InvalidInput, NotAllowed, NotFound
from workflow.folding import fold
from workflow.models import AuditEvent, Member, Nomination, Registration, Unit

ALL_YES = {"members": 9, "present": 9, "yes": 9, "no": 0, "abstain": 0}
TUYET = members.NewMember("DV-0001", "Nguyễn Thị Ánh Tuyết", birth_date=date(1985, 4, 12),
                          gender="female", position="Chuyên viên")  # fmt: skip
OUTSTANDING = {"rating": "HTXSNV", "absent_days": 0, "months_employed": 12}


def at(day: date) -> datetime:
    return datetime.combine(day, time(9), tzinfo=VIETNAM)


def plan(
    year: int, offered: tuple[str, ...] = ("CSTDCS", "BK_LDLD"), late_accepted: bool = False
) -> dict[str, Any]:
    """The demo plan in ``year``, offering CSTĐ cơ sở and the province's Bằng khen (or the
    ``offered`` titles); a year's Bằng khen may be proposed until the end of March after it
    (its CSTĐ cơ sở come first). With ``late_accepted``, a registration after 25 January
    counts (R-REGISTERED's parameter)."""
    moved = copy.deepcopy(demo_definition())
    moved |= {"code": f"TD-{year}", "title": f"Thi đua năm {year}", "year": year,
              "reference_date": date(year, 12, 31), "registration_by": date(year, 1, 25)}  # fmt: skip
    moved["periods"] = []
    moved["awards"] = [
        a | {"deadlines": {"submit_by": date(year + 1, 3, 31), "days_per_tier": 5}}
        for a in moved["awards"]
        if a["code"] in offered
    ]
    if late_accepted:
        accepting = {"rule": "R-REGISTERED", "params": {"registration.late_accepted": True}}
        for award in moved["awards"]:
            award["rules"] = [
                accepting if spec["rule"] == "R-REGISTERED" else spec for spec in award["rules"]
            ]
    return campaigns.validate(CampaignSchema().dump(moved), f"test {year}", {})


@pytest.fixture
def cdcs(world: World) -> World:
    for name, role in (("council_br1", "council"), ("decider_br1", "decider")):
        world.add_user(name, role, "BR1")
    return world


def through(world: World, outcome_id: int, year: int) -> None:
    """A CSTĐ cơ sở proposal of CS1 decided by BR1 in December of ``year``."""
    world.now = at(date(year, 12, 6))
    world.fire(outcome_id, "submit", "officer1")
    world.fire(outcome_id, "approve", "rev_br1")
    world.fire(outcome_id, "vote", "council_br1", vote=ALL_YES)
    world.sign([outcome_id], who="decider_br1", days_later=10)


def plan_in_january(world: World, *offered: str, late_accepted: bool = False) -> None:
    """The 2026 plan (offering ``offered``, by default plan()'s) imported on 05/01/2026,
    the world's clock left on that day."""
    world.now = at(date(2026, 1, 5))
    definition = plan(2026, offered or ("CSTDCS", "BK_LDLD"), late_accepted)
    campaigns.import_campaign(
        world.session, definition, actor=world.user("admin"), now=world.tick()
    )


def tuyet_in_2026(world: World, registered: bool = True, late_accepted: bool = False) -> Member:
    """The 2026 plan imported in January (taking late registrations if ``late_accepted``),
    Tuyết in CS1's register and (unless not ``registered``) registered for CSTĐ cơ sở on
    05/01/2026."""
    officer = world.user("officer1")
    plan_in_january(world, late_accepted=late_accepted)
    member = members.add_member(
        world.session, officer, "CS1", TUYET, date(2020, 1, 1), now=world.tick()
    )
    if registered:
        emulation_year.register(
            world.session, officer, "TD-2026", "CSTDCS", [member.id], now=world.tick()
        )
    return member


def offered(world: World, campaign: str, day: date) -> dict[str, Any]:
    return {
        o.award.code: o
        for o in emulation_year.offers(world.session, world.user("officer1"), "CS1", campaign, day)
    }


def test_three_years_of_one_cdcs_offer_bang_khen_from_titles_nobody_typed(cdcs):
    world = cdcs
    member = None
    for year in (2025, 2026, 2027):
        world.now = at(date(year, 1, 5))
        campaigns.import_campaign(
            world.session, plan(year), actor=world.user("admin"), now=world.tick()
        )
        if member is None:
            member = members.add_member(
                world.session, world.user("officer1"), "CS1", TUYET, date(2020, 1, 1),
                now=world.tick(),
            )  # fmt: skip
        world.now = at(date(year, 1, 10))
        (registration,) = emulation_year.register(
            world.session, world.user("officer1"), f"TD-{year}", "CSTDCS", [member.id],
            now=world.tick(),
        )  # fmt: skip
        assert not registration.late
        world.now = at(date(year, 12, 3))
        members.record_year(
            world.session, world.user("officer1"), member.id, year, OUTSTANDING, now=world.tick()
        )
        offers = offered(world, f"TD-{year}", world.now.date())
        assert "CSTDCS" in offers, offers
        if year == 2026:
            assert "BK_LDLD" not in offers  # 2026's CSTĐ cơ sở is not granted yet
        (outcome,) = emulation_year.propose(
            world.session,
            world.user("officer1"),
            "CS1",
            f"TD-{year}",
            [(member.id, "CSTDCS"), (member.id, "CSTDCS")],
            now=world.tick(),
        )  # fmt: skip  (ticked twice: one draft)
        with pytest.raises(InvalidInput) as again:
            emulation_year.propose(
                world.session, world.user("officer1"), "CS1", f"TD-{year}",
                [(member.id, "CSTDCS")], now=world.tick(),
            )  # fmt: skip
        assert again.value.details == {"pick": "already_nominated"}
        through(world, outcome.id, year)
        if year == 2026:
            # January of the third year: 2026's Bằng khen, from the titles of 2025 and 2026.
            world.now = at(date(2027, 1, 15))
            bang_khen = offered(world, "TD-2026", world.now.date())["BK_LDLD"]
            r_bk = next(r for r in bang_khen.results if r.rule == "R-BK-74")
            assert r_bk.values["cstdcs_years"] == [2025, 2026]
            assert r_bk.values["alternative"] == "cstdcs"
            (proposal,) = emulation_year.propose(
                world.session, world.user("officer1"), "CS1", "TD-2026",
                [(member.id, "BK_LDLD")], now=world.tick(),
            )  # fmt: skip
            facts = world.session.get(Nomination, proposal.id).facts
            assert "prior_titles" not in facts
            assert facts["ratings"] == {"2025": "HTXSNV", "2026": "HTXSNV"}
    history = members.titles(world.session, member)
    assert [(t.year, t.award_title) for t in history] == [
        (2025, "Chiến sĩ thi đua cơ sở"),
        (2026, "Chiến sĩ thi đua cơ sở"),
        (2027, "Chiến sĩ thi đua cơ sở"),
    ]


def test_a_member_who_registered_but_falls_short_is_listed_with_the_reason(cdcs):
    """Registered for CSTĐ cơ sở, absent 50 days: not offered, and the page says why instead
    of leaving the officer to guess."""
    world = cdcs
    officer = world.user("officer1")
    member = tuyet_in_2026(world)
    world.now = at(date(2026, 12, 3))
    away = OUTSTANDING | {"absent_days": 50}
    members.record_year(world.session, officer, member.id, 2026, away, now=world.tick())
    day = world.now.date()
    assert "CSTDCS" not in offered(world, "TD-2026", day)
    found = emulation_year.offers(world.session, officer, "CS1", "TD-2026", day, shortfalls=True)
    (short,) = [o for o in found if not o.qualifies]
    assert short.award.code == "CSTDCS"
    assert [r.rule for r in short.refusing] == ["R-ABSENCE"]
    assert "50" in short.refusing[0].message_vi


@pytest.mark.parametrize("late_accepted", [True, False])
def test_a_member_who_qualifies_but_did_not_register_is_named_not_left_out(
    app, cdcs, monkeypatch, late_accepted
):
    """An outstanding year, no registration: CSTĐ cơ sở was silently missing from the offers;
    the page now says who would qualify but for registering, and whether registering now
    (late) would still count. One who falls short on another rule too is not listed there
    (registering would not make them qualify)."""
    world = cdcs
    officer = world.user("officer1")
    tuyet = tuyet_in_2026(world, registered=False, late_accepted=late_accepted)
    other = members.NewMember("DV-0002", "Lê Văn Bình", birth_date=date(1980, 2, 3), gender="male")
    binh = members.add_member(
        world.session, officer, "CS1", other, date(2020, 1, 1), now=world.tick()
    )
    world.now = at(date(2026, 12, 3))
    members.record_year(world.session, officer, tuyet.id, 2026, OUTSTANDING, now=world.tick())
    away = OUTSTANDING | {"absent_days": 50}
    members.record_year(world.session, officer, binh.id, 2026, away, now=world.tick())
    day = world.now.date()
    assert "CSTDCS" not in offered(world, "TD-2026", day)
    found = emulation_year.offers(world.session, officer, "CS1", "TD-2026", day, shortfalls=True)
    missing = "registration" if late_accepted else "registration_closed"
    assert [(o.member.full_name, o.award.code, o.qualifies, o.missing) for o in found] == [
        ("Nguyễn Thị Ánh Tuyết", "CSTDCS", False, missing)
    ]
    world.session.commit()
    monkeypatch.setenv("KHENTHUONG_NOW", "2026-12-03T03:00:00+00:00")
    from tests.web_client import WebClient

    page = WebClient(app, "officer1").text("/emulation/TD-2026")
    heading = (
        "Đủ điều kiện nhưng chưa đăng ký thi đua"
        if late_accepted
        else "Đủ điều kiện nhưng không đăng ký thi đua trước hạn 25/01/2026"
    )
    listed = page.split(heading, 1)[1]
    assert "Nguyễn Thị Ánh Tuyết — Chiến sĩ thi đua cơ sở" in listed
    assert "Lê Văn Bình" not in listed
    assert "Đã đăng ký nhưng chưa đủ điều kiện" not in page


def test_a_late_registration_is_accepted_and_marked(cdcs):
    world = cdcs
    world.now = at(date(2026, 1, 5))
    campaigns.import_campaign(
        world.session, plan(2026), actor=world.user("admin"), now=world.tick()
    )
    member = members.add_member(
        world.session, world.user("officer1"), "CS1", TUYET, date(2020, 1, 1), now=world.tick()
    )
    world.now = at(date(2026, 1, 26))
    (late,) = emulation_year.register(
        world.session, world.user("officer1"), "TD-2026", "CSTDCS", [member.id], now=world.tick()
    )
    assert late.late
    campaign = campaigns.campaign_by_code(world.session, "TD-2026")
    seen = emulation_year.registrations(
        world.session, world.user("rev_prov"), campaign, world.now.date()
    )
    assert [r.member_id for r in seen] == [member.id]


def test_a_registration_date_moved_by_a_new_version_marks_each_registration_again(cdcs):
    """The federation extends registration to 15/02: one made on 01/02 was late under the
    first plan and is in time under the plan as it now stands (and late again if the date
    goes back); the trail vouches for each mark changed, and still verifies."""
    world = cdcs
    tuyet = tuyet_in_2026(world, registered=False)
    world.now = at(date(2026, 2, 1))
    (made,) = emulation_year.register(
        world.session, world.user("officer1"), "TD-2026", "CSTDCS", [tuyet.id], now=world.tick()
    )
    assert made.late
    for due, late in ((date(2026, 2, 15), False), (date(2026, 1, 25), True)):
        moved = plan(2026) | {"registration_by": due}
        campaigns.import_campaign(world.session, moved, actor=world.user("admin"), now=world.tick())
        world.session.refresh(made)
        assert made.late is late
        last = json.loads(
            world.session.scalar(select(AuditEvent.body).order_by(AuditEvent.seq.desc()).limit(1))
        )
        assert last["change"] == "registrations_remarked"
        assert f"registrations/{made.id}" in last["records"]
    assert audit.verify(world.session).ok


@pytest.mark.parametrize(
    ("registered_on", "late_accepted", "offered_"),
    [(date(2026, 1, 25), False, True), (date(2026, 1, 26), False, False),
     (date(2026, 1, 26), True, True)],
)  # fmt: skip
def test_a_late_registration_counts_only_where_the_plan_accepts_it(
    cdcs, registered_on, late_accepted, offered_
):
    """Registered by 25/01 (the brief, R-REGISTERED): a registration the next day was
    recorded as late, yet counted as one made in time. It now counts only where the plan
    says so, and the reason names it (the nomination's facts carry the mark to the
    reviewers)."""
    world = cdcs
    officer = world.user("officer1")
    tuyet = tuyet_in_2026(world, registered=False, late_accepted=late_accepted)
    world.now = at(registered_on)
    emulation_year.register(
        world.session, officer, "TD-2026", "CSTDCS", [tuyet.id], now=world.tick()
    )
    world.now = at(date(2026, 12, 3))
    members.record_year(world.session, officer, tuyet.id, 2026, OUTSTANDING, now=world.tick())
    day = world.now.date()
    found = emulation_year.offers(world.session, officer, "CS1", "TD-2026", day, shortfalls=True)
    (cstd,) = [o for o in found if o.award.code == "CSTDCS"]
    assert cstd.qualifies is offered_
    said = next(r.message_vi for r in cstd.results if r.rule == "R-REGISTERED")
    late = registered_on > date(2026, 1, 25)
    assert ("sau hạn" in said) is late
    if not offered_:
        assert cstd.missing == ""  # not "not registered": registering again changes nothing
        assert [r.rule for r in cstd.refusing] == ["R-REGISTERED"]
        return
    (made,) = emulation_year.propose(
        world.session, officer, "CS1", "TD-2026", [(tuyet.id, "CSTDCS")], now=world.tick()
    )
    facts = world.session.get(Nomination, made.id).facts
    assert facts.get("registered_late", False) is late


def test_the_registrys_late_mark_is_kept_whatever_the_form_or_list_says(app, cdcs, monkeypatch):
    """A registration the registry marks late cannot be declared in time: not by unticking
    the mark on the draft's form, nor by a list whose row names the member and says
    "registered". A nominee the registry holds no registration for keeps what was declared."""
    world = cdcs
    officer = world.user("officer1")
    tuyet = tuyet_in_2026(world, registered=False, late_accepted=True)
    world.now = at(date(2026, 1, 26))
    emulation_year.register(
        world.session, officer, "TD-2026", "CSTDCS", [tuyet.id], now=world.tick()
    )
    world.now = at(date(2026, 12, 3))
    members.record_year(world.session, officer, tuyet.id, 2026, OUTSTANDING, now=world.tick())
    (made,) = emulation_year.propose(
        world.session, officer, "CS1", "TD-2026", [(tuyet.id, "CSTDCS")], now=world.tick()
    )
    draft = world.session.get(Nomination, made.id)
    declared = {**draft.facts, "registered": True, "registered_late": False}
    nominating.update_nomination(
        world.session, made.id, officer, expected_version=made.version,
        changes={"facts": declared}, now=world.tick(),
    )  # fmt: skip
    world.session.refresh(draft)
    assert draft.facts["registered_late"] is True
    world.session.commit()
    monkeypatch.setenv("KHENTHUONG_NOW", "2026-12-03T03:00:00+00:00")
    from tests.web_client import WebClient

    officer_page = WebClient(app, "officer1")
    form = officer_page.text(f"/nominations/{made.id}/edit")
    assert "theo sổ đăng ký thi đua của đơn vị" in form  # shown, not the form's to change
    assert 'name="facts.registered_late"' not in form
    checked = officer_page.post(
        f"/nominations/{made.id}/edit",
        {"preview": "1", "award": "TD-2026/CSTDCS", "nominee_name": TUYET.full_name,
         "facts.registered.present": "1", "facts.registered_late.present": "1"},
    ).get_data(as_text=True)  # fmt: skip
    assert "Đăng ký thi đua năm 2026 sau hạn; kế hoạch nhận đăng ký muộn." in checked
    listed = nominating.create_nominations(
        world.session, officer, campaign="TD-2026", now=world.tick(),
        specs=[
            nominating.NewNomination("CSTDCS", "individual", TUYET.full_name,
                                     {"key": tuyet.code}, {"registered": True}),
            nominating.NewNomination("CSTDCS", "individual", "Người Chưa Có Trong Sổ",
                                     {"key": "DV-KHONG-CO"}, {"registered": True}),
        ],
    )  # fmt: skip
    from_list, unknown = (world.session.get(Nomination, o.id).facts for o in listed)
    assert from_list["registered_late"] is True
    assert unknown == {"registered": True}


def test_a_lists_check_reads_the_registrys_late_mark_as_its_drafts_will(cdcs):
    """A list's row naming a member the registry marks late, and saying "registered": the
    check before importing says what sending the draft will, that it was made late."""
    from tests.test_imports import filled, preview_in

    world = cdcs
    officer = world.user("officer1")
    tuyet = tuyet_in_2026(world, registered=False)
    world.now = at(date(2026, 1, 26))
    emulation_year.register(
        world.session, officer, "TD-2026", "CSTDCS", [tuyet.id], now=world.tick()
    )
    row = {"Họ và tên / Tên tập thể (*)": TUYET.full_name, "Mã hình thức khen thưởng (*)": "CSTDCS",
           "Số CCCD / mã đoàn viên": tuyet.code, "Đăng ký thi đua": "Có"}  # fmt: skip
    (checked,) = preview_in(world, filled(world, [row], "TD-2026"), "TD-2026").rows["rows"]
    assert any(s == "fail" and "sau hạn" in vi for s, vi, _ in checked["rules"])


def test_a_collective_is_offered_its_titles_without_a_members_rating(cdcs):
    """Only a title of the year's emulation (registered for) waits for the year's rating: a
    collective's, whose rules read its grade and targets, is offered without one."""
    world = cdcs
    officer = world.user("officer1")
    plan_in_january(world, "CSTDCS", "TTLDTT")
    team = members.NewMember("TT-0001", "Phòng Kế hoạch", kind="collective")
    members.add_member(world.session, officer, "CS1", team, date(2020, 1, 1), now=world.tick())
    day = date(2026, 12, 3)
    assert "TTLDTT" in offered(world, "TD-2026", day)
    assert "CSTDCS" not in offered(world, "TD-2026", day)


def test_a_phones_card_leaves_out_the_titles_for_the_other_kind_of_nominee(app, cdcs, monkeypatch):
    """At 390 px each member is a card of every title: a person's card listed the
    collectives' titles too, each "—", and the page ran to 16,000 px. Those cells are marked
    for the card to leave out (the wide table keeps its columns)."""
    world = cdcs
    plan_in_january(world, "CSTDCS", "TTLDTT")
    officer = world.user("officer1")
    team = members.NewMember("TT-0001", "Phòng Kế hoạch", kind="collective")
    members.add_member(world.session, officer, "CS1", team, date(2020, 1, 1), now=world.tick())
    members.add_member(world.session, officer, "CS1", TUYET, date(2020, 1, 1), now=world.tick())
    world.session.commit()
    monkeypatch.setenv("KHENTHUONG_NOW", "2026-01-06T03:00:00+00:00")
    from tests.web_client import WebClient

    page = WebClient(app, "officer1").text("/emulation/TD-2026")
    grid = page.split('<table class="tally cards">', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r'<td data-label="([^"]+)"( class="na")?>', grid)
    titles = {
        c.code: c.title for c in campaigns.campaign_by_code(world.session, "TD-2026").award_types
    }
    world.session.rollback()
    assert sorted(cells) == sorted([
        (titles["CSTDCS"], ' class="na"'), (titles["TTLDTT"], ""),  # the collective's row
        (titles["CSTDCS"], ""), (titles["TTLDTT"], ' class="na"'),  # the person's
    ])  # fmt: skip


def test_a_title_asking_for_titles_held_before_may_be_registered_for(cdcs):
    """Registering asks only the rules reading who a member is: one reading the titles they
    hold (R-CSTD-TQ, two CSTĐ cấp tỉnh before) was asked over none and refused everyone."""
    world = cdcs
    world.now = at(date(2026, 1, 5))
    definition = plan(2026, ("CSTDCS",))
    definition["awards"][0]["rules"].append({"rule": "R-CSTD-TQ"})
    campaigns.import_campaign(
        world.session, definition, actor=world.user("admin"), now=world.tick()
    )
    officer = world.user("officer1")
    tuyet = members.add_member(
        world.session, officer, "CS1", TUYET, date(2020, 1, 1), now=world.tick()
    )
    registered = emulation_year.register(
        world.session, officer, "TD-2026", "CSTDCS", [tuyet.id], now=world.tick()
    )
    assert [r.member_id for r in registered] == [tuyet.id]


def test_the_page_says_when_a_registration_is_recorded_late(app, cdcs, monkeypatch):
    """Ticked after the plan's day, a registration is kept, marked late: the officer is told
    so when it is saved, not only in the export."""
    world = cdcs
    tuyet = tuyet_in_2026(world, registered=False).id
    world.session.commit()
    monkeypatch.setenv("KHENTHUONG_NOW", "2026-01-27T03:00:00+00:00")
    from tests.web_client import WebClient

    officer = WebClient(app, "officer1")
    saved = officer.post("/emulation/TD-2026/registration", {"register-CSTDCS": str(tuyet)})
    assert saved.status_code == 302
    page = officer.text("/emulation/TD-2026")
    assert "1 đăng ký được ghi là muộn (sau hạn 25/01/2026)" in page
    again = officer.post("/emulation/TD-2026/registration", {"register-CSTDCS": str(tuyet)})
    assert "đều đã đăng ký từ trước" in officer.text(again.headers["Location"])
    for nothing in ({}, {"register-NOPE": str(tuyet)}):  # nothing ticked, or no such title
        refused = officer.post("/emulation/TD-2026/registration", nothing)
        assert refused.status_code == 422
        assert "Chưa đánh dấu ai để đăng ký" in refused.get_data(as_text=True)
        assert "Đã ghi danh sách" not in refused.get_data(as_text=True)


def test_a_title_for_women_is_not_offered_to_a_man_at_registration(app, cdcs, monkeypatch):
    """Giỏi việc nước, đảm việc nhà is for women (R-WOMAN): a man's row offers no box for it,
    and registering him (a crafted form, a sheet) is refused saying why."""
    world = cdcs
    world.now = at(date(2026, 1, 5))
    campaigns.import_campaign(
        world.session, plan(2026, ("CSTDCS", "GVNDVN")), actor=world.user("admin"), now=world.tick()
    )
    officer = world.user("officer1")
    woman = members.add_member(
        world.session, officer, "CS1", TUYET, date(2020, 1, 1), now=world.tick()
    )
    him = members.NewMember("DV-0002", "Trần Văn Nam", birth_date=date(1980, 2, 3), gender="male")
    man = members.add_member(world.session, officer, "CS1", him, date(2020, 1, 1), now=world.tick())
    other = members.NewMember("DV-0003", "Lê Văn Ba", birth_date=date(1981, 3, 4), gender="male")
    second = members.add_member(
        world.session, officer, "CS1", other, date(2020, 1, 1), now=world.tick()
    )
    with pytest.raises(InvalidInput, match="Cannot register for") as refused:
        emulation_year.register(
            world.session, officer, "TD-2026", "GVNDVN", [man.id, second.id], now=world.tick()
        )
    # Every one refused is named at once, not the first only.
    assert refused.value.details == {
        "member_ids": [man.id, second.id],
        "rules": ["R-WOMAN", "R-WOMAN"],
    }
    said = refused.value.message_vi
    assert "Trần Văn Nam (DV-0002)" in said
    assert "Lê Văn Ba (DV-0003)" in said
    assert "dành cho nữ đoàn viên" in said
    assert emulation_year.register(
        world.session, officer, "TD-2026", "GVNDVN", [woman.id], now=world.tick()
    )
    ids = (woman.id, man.id)
    world.session.commit()
    monkeypatch.setenv("KHENTHUONG_NOW", "2026-01-06T03:00:00+00:00")
    from tests.web_client import WebClient

    page = WebClient(app, "officer1").text("/emulation/TD-2026")
    assert f'name="register-GVNDVN" value="{ids[1]}"' not in page
    assert f'name="register-CSTDCS" value="{ids[1]}"' in page
    assert f'name="register-CSTDCS" value="{ids[0]}"' in page
    # A crafted form ticking both for him: refused whole, not half saved.
    crafted = WebClient(app, "officer1").post(
        "/emulation/TD-2026/registration",
        {"register-CSTDCS": str(ids[1]), "register-GVNDVN": str(ids[1])},
    )
    assert crafted.status_code == 422
    odd = WebClient(app, "officer1").post(
        "/emulation/TD-2026/registration", {"register-CSTDCS": "²"}
    )
    assert odd.status_code == 400  # not "Đã ghi" over nothing recorded
    registered = world.session.scalars(select(Registration.member_id)).all()
    world.session.rollback()
    assert registered == [ids[0]]


def test_a_member_who_moves_keeps_one_history(cdcs):
    world = cdcs
    officer1, officer2 = world.user("officer1"), world.user("officer2")
    world.now = at(date(2025, 1, 5))
    member = members.add_member(
        world.session, officer1, "CS1", TUYET, date(2020, 1, 1), now=world.tick()
    )
    world.now = at(date(2025, 12, 5))
    members.record_year(world.session, officer1, member.id, 2025, OUTSTANDING, now=world.tick())
    world.now = at(date(2026, 3, 1))
    members.move(world.session, officer1, member.id, "CS2", date(2026, 3, 1), now=world.tick())
    world.now = at(date(2026, 12, 5))
    members.record_year(world.session, officer2, member.id, 2026, OUTSTANDING, now=world.tick())
    day = world.now.date()
    moved = members.visible(world.session, officer2, member.id, day)
    assert [y.year for y in members.years_of(world.session, officer2, moved, day)] == [2025, 2026]
    before = members.visible(world.session, officer1, member.id, day)
    assert [y.year for y in members.years_of(world.session, officer1, before, day)] == [2025]
    with pytest.raises(NotAllowed):
        members.record_year(world.session, officer1, member.id, 2026, OUTSTANDING, now=world.tick())
    with pytest.raises(NotFound):
        members.visible(world.session, world.user("officer3"), member.id, day)


def test_an_evaluation_moves_with_its_member(cdcs):
    """The year-end review recorded at CS1, then a move to CS2: CS2's year page reads it (the
    record did, the page showed empty boxes)."""
    world = cdcs
    officer1 = world.user("officer1")
    world.now = at(date(2025, 1, 5))
    member = members.add_member(
        world.session, officer1, "CS1", TUYET, date(2020, 1, 1), now=world.tick()
    )
    world.now = at(date(2025, 12, 5))
    members.record_year(world.session, officer1, member.id, 2025, OUTSTANDING, now=world.tick())
    members.move(world.session, officer1, member.id, "CS2", date(2025, 12, 5), now=world.tick())
    cs2 = [
        m.id
        for m in emulation_year.unit_members(world.session, world.unit("CS2").id, date(2025, 12, 5))
    ]
    assert [(y.member_id, y.rating) for y in members.years_in(world.session, cs2, 2025)] == [
        (member.id, "HTXSNV")
    ]
    cs1 = [
        m.id
        for m in emulation_year.unit_members(world.session, world.unit("CS1").id, date(2025, 12, 5))
    ]
    assert members.years_in(world.session, cs1, 2025) == []


def test_a_move_takes_the_new_unit_by_its_code_or_its_name(cdcs):
    """The field suggests units by name; a name typed out in full was refused as a code."""
    world = cdcs
    officer1 = world.user("officer1")
    world.now = at(date(2025, 1, 5))
    member = members.add_member(
        world.session, officer1, "CS1", TUYET, date(2020, 1, 1), now=world.tick()
    )
    name = world.session.scalar(select(Unit.name).where(Unit.code == "CS2"))
    world.now = at(date(2025, 3, 1))
    moved = members.move(
        world.session, officer1, member.id, f"  {fold(name).upper()} ", date(2025, 3, 1),
        now=world.tick(),
    )  # fmt: skip
    assert members.current_unit(moved, date(2025, 3, 1)).code == "CS2"
    with pytest.raises(NotFound) as err:
        members.move(world.session, world.user("officer2"), member.id, "Không Có", date(2025, 3, 1),
                     now=world.tick())  # fmt: skip
    assert "hãy chọn một đơn vị trong danh sách gợi ý" in err.value.message_vi


def test_a_member_added_to_the_wrong_unit_today_is_moved_the_same_day(cdcs):
    """Added today at CS1 by mistake: moved to CS2 today, the member was never CS1's (a move
    dated today was refused as before the joining, and tomorrow as after today)."""
    world = cdcs
    officer1 = world.user("officer1")
    world.now = at(date(2025, 3, 1))
    member = members.add_member(
        world.session, officer1, "CS1", TUYET, date(2025, 3, 1), now=world.tick()
    )
    moved = members.move(
        world.session, officer1, member.id, "CS2", date(2025, 3, 1), now=world.tick()
    )
    assert [(m.unit.code, m.valid_from, m.valid_to) for m in moved.memberships] == [
        ("CS2", date(2025, 3, 1), None)
    ]
    assert audit.verify(world.session).ok


def test_a_member_belongs_to_a_grassroots_union_only(cdcs):
    """Moved up to the federation, a member was out of every officer's reach for good."""
    world = cdcs
    world.now = at(date(2025, 3, 1))
    member = members.add_member(
        world.session, world.user("officer1"), "CS1", TUYET, date(2020, 1, 1), now=world.tick()
    )
    for unit in ("TLD", "BR1"):
        with pytest.raises(InvalidInput) as refused:
            members.move(world.session, world.user("admin"), member.id, unit, date(2025, 3, 1),
                         now=world.tick())  # fmt: skip
        assert refused.value.details == {"unit": "not_grassroots"}
    with pytest.raises(InvalidInput, match="not a grassroots union"):
        members.add_member(world.session, world.user("admin"), "BR1",
                           members.NewMember("DV-0009", "Ai Đó"), date(2020, 1, 1), now=world.tick())  # fmt: skip


def test_a_move_dated_before_the_member_joined_says_so(cdcs):
    """Not "only the unit's officer may record this", said to that officer."""
    world = cdcs
    officer1 = world.user("officer1")
    world.now = at(date(2025, 1, 5))
    member = members.add_member(
        world.session, officer1, "CS1", TUYET, date(2020, 1, 1), now=world.tick()
    )
    for day, says in (
        (date(1, 1, 1), "Ngày hiệu lực: ngày phải từ 01/01/1900"),
        (date(2019, 12, 31), "Ngày 31/12/2019 đoàn viên chưa thuộc đơn vị nào"),
        (date(2101, 1, 1), "Ngày hiệu lực: ngày phải từ 01/01/1900"),
        (date(2025, 1, 6), "Ngày chuyển không được sau hôm nay"),  # the day after today
    ):
        with pytest.raises(InvalidInput) as err:
            members.move(world.session, officer1, member.id, "CS2", day, now=world.tick())
        assert says in err.value.message_vi
        assert "on" in err.value.details


def test_a_member_or_a_year_out_of_any_real_range_is_refused(world):
    """A birth or joining day after today (or before 1900) would hide the member from every
    year's page; a benefit beyond 10^15 đồng no JSON reader keeps exact. Each path refuses it,
    the API's, the pages' and the import's alike, because the domain does."""
    officer = world.user("officer1")
    world.now = at(date(2026, 12, 1))
    for birth, joined, field in (
        (None, date(2026, 12, 2), "joined_on"),
        (date(1, 1, 1), date(2020, 1, 1), "birth_date"),
        (date(2027, 1, 1), date(2020, 1, 1), "birth_date"),
    ):
        spec = members.NewMember("DV-9", "Trần Văn Xa", birth_date=birth)
        with pytest.raises(InvalidInput) as refused:
            members.add_member(world.session, officer, "CS1", spec, joined, now=world.tick())
        assert refused.value.details == {field: "out_of_range"}
    member = members.add_member(
        world.session, officer, "CS1", TUYET, date(2020, 1, 1), now=world.tick()
    )
    huge = {"title": "Sáng kiến", "scope": "co_so", "benefit_vnd": 10**20}
    with pytest.raises(InvalidInput) as refused:
        members.record_year(
            world.session, officer, member.id, 2026, {"initiatives": [huge]}, now=world.tick()
        )
    assert refused.value.details == {"initiatives": "invalid"}
    for year in (2027, 2099, 1899):  # 2099's initiative was counted by 2026's rules
        with pytest.raises(InvalidInput) as refused:
            members.record_year(world.session, officer, member.id, year, {}, now=world.tick())
        assert refused.value.details == {"year": "out_of_range"}
    members.record_year(world.session, officer, member.id, 2026, {}, now=world.tick())
    assert world.session.scalar(select(func.count()).select_from(Member)) == 1


def sheet(rows: list[tuple[Any, ...]]) -> bytes:

    wb = Workbook()
    ws = wb.active
    ws.append(("Mã đoàn viên", "Họ và tên", "Ngày sinh", "Giới tính", "Chức vụ", "Mã đơn vị"))
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_an_import_finds_a_name_written_without_diacritics_as_a_duplicate(cdcs):
    world = cdcs
    officer = world.user("officer1")
    first = sheet([("DV-1", "Nguyễn Thị Ánh Tuyết", "12/04/1985", "Nữ", "Kế toán", "CS1"),
                   ("DV-2", "Trần Văn Bình", date(1990, 1, 2), "Nam", "", "CS1")])  # fmt: skip
    report = member_import.import_members(world.session, officer, first, date(2025, 1, 1))
    assert (report.created, report.known, report.duplicates) == (2, 0, [])
    nfd = unicodedata.normalize("NFD", "NGUYEN THI ANH TUYET")
    again = sheet([("DV-1", "Nguyễn Thị Ánh Tuyết", "12/04/1985", "Nữ", "", "CS1"),
                   ("DV-9", nfd, "12/04/1985", "Nữ", "", "CS1"),
                   ("DV-10", "Nguyen Thi Anh Tuyet", "13/04/1985", "Nữ", "", "CS1")])  # fmt: skip
    report = member_import.import_members(world.session, officer, again, date(2025, 1, 1))
    assert report.known == 1
    assert report.duplicates == [(3, nfd, "DV-1")]  # the same person under another code
    assert report.created == 1  # another birth date: another person
    assert audit.verify(world.session).ok


def test_a_bad_row_imports_nothing_and_is_named(cdcs):
    world = cdcs
    bad = sheet([("DV-1", "Nguyễn Thị Ánh Tuyết", "31/02/1985", "Nữ", "", "CS1"),
                 ("DV-2", "Trần Văn Bình", "", "Nam", "", "CS3")])  # fmt: skip
    with pytest.raises(InvalidInput) as err:
        member_import.import_members(world.session, world.user("officer1"), bad, date(2025, 1, 1))
    assert "dòng 2: ngày sinh" in err.value.message_vi
    assert "dòng 3: không có đơn vị 'CS3'" in err.value.message_vi
    assert "row 2: invalid birth date (write dd/mm/yyyy); row 3: no unit 'CS3'" in (
        err.value.message_en
    )
    world.session.rollback()
    assert world.session.scalar(select(func.count()).select_from(Member)) == 0


def test_one_code_given_to_two_people_in_a_file_is_named_not_dropped(cdcs):
    """The second row was counted as "already in the register" and silently left out."""
    world = cdcs
    twice = sheet([("DV-30", "Nguyễn Văn An", "01/01/1980", "Nam", "", "CS1"),
                   ("dv-30", "Lê Thị Bích", "02/02/1982", "Nữ", "", "CS1")])  # fmt: skip
    with pytest.raises(InvalidInput) as err:
        member_import.import_members(world.session, world.user("officer1"), twice, date(2025, 1, 1))
    assert "dòng 3: mã dv-30 trùng với dòng 2 của tệp" in err.value.message_vi
    world.session.rollback()
    assert world.session.scalar(select(func.count()).select_from(Member)) == 0


def _damaged(content: bytes, old: bytes, new: bytes) -> bytes:
    """The workbook with its first sheet's XML edited: it opens, and fails as its rows are read."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(old, new, 1)
            dst.writestr(item, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("old", "new"),
    [(b'r="A2"', b'r="ZZZZZZZZ2"'), (b"</row>", b'<c r="G1" t="n"><v>abc</v></c></row>')],
)
def test_a_sheet_damaged_inside_a_sound_workbook_is_refused_not_a_500(cdcs, old, new):
    world = cdcs
    good = sheet([("DV-1", "Nguyễn Thị Ánh Tuyết", "12/04/1985", "Nữ", "", "CS1")])
    with pytest.raises(InvalidInput):
        member_import.import_members(
            world.session, world.user("officer1"), _damaged(good, old, new), date(2025, 1, 1)
        )
    world.session.rollback()
    assert world.session.scalar(select(func.count()).select_from(Member)) == 0


def test_declared_titles_count_for_the_rules_and_are_marked(cdcs):
    world = cdcs
    world.now = at(date(2026, 1, 5))
    campaigns.import_campaign(
        world.session, plan(2026), actor=world.user("admin"), now=world.tick()
    )
    officer = world.user("officer1")
    member = members.add_member(
        world.session, officer, "CS1", TUYET, date(2020, 1, 1), now=world.tick()
    )
    members.declare_title(
        world.session, officer, member.id, award_code="CSTDCS",
        award_title="Chiến sĩ thi đua cơ sở", year=2025, decision="12/QĐ-CĐVC ngày 20/12/2025",
        now=world.tick(),
    )  # fmt: skip
    world.now = at(date(2026, 12, 3))
    members.record_year(world.session, officer, member.id, 2026, OUTSTANDING, now=world.tick())
    history = members.titles(world.session, member)
    assert [(t.year, t.declared) for t in history] == [(2025, True)]
    facts = emulation_year.facts_for(
        world.session, member, campaigns.campaign_by_code(world.session, "TD-2026"), "BK_LDLD"
    )
    assert facts["prior_titles"] == [{"award_type": "CSTDCS", "year": 2025}]


def test_two_records_of_one_person_merge_keeping_both_histories(cdcs):
    world = cdcs
    officer1, officer2, admin = world.user("officer1"), world.user("officer2"), world.user("admin")
    world.now = at(date(2025, 12, 5))
    old = members.add_member(
        world.session, officer1, "CS1", TUYET, date(2020, 1, 1), now=world.tick()
    )
    members.record_year(world.session, officer1, old.id, 2025, OUTSTANDING, now=world.tick())
    world.now = at(date(2026, 12, 5))
    again = members.NewMember("CS2-0007", "Nguyen Thi Anh Tuyet", birth_date=date(1985, 4, 12))
    new = members.add_member(
        world.session, officer2, "CS2", again, date(2026, 3, 1), now=world.tick()
    )
    members.record_year(world.session, officer2, new.id, 2026, OUTSTANDING, now=world.tick())
    with pytest.raises(NotFound):  # officer1 does not see CS2's record
        members.merge(world.session, officer1, new.id, old.id, now=world.tick())
    with pytest.raises(NotAllowed):  # the reviewer above both sees them but does not write
        members.merge(world.session, world.user("rev_br1"), new.id, old.id, now=world.tick())
    kept = members.merge(world.session, admin, new.id, old.id, now=world.tick())
    day = world.now.date()
    assert [y.year for y in members.years_of(world.session, admin, kept, day)] == [2025, 2026]
    assert [m.unit.code for m in kept.memberships] == ["CS1", "CS2"]
    # One unit at a time: the older record's membership ends where the kept one's begins.
    assert [(m.valid_from, m.valid_to) for m in kept.memberships] == [
        (date(2020, 1, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), None),
    ]
    with pytest.raises(NotFound):
        members.visible(world.session, admin, old.id, day)  # merged: found under the kept one
    assert audit.verify(world.session).ok


def test_a_unit_a_member_left_cannot_merge_them_into_its_own_record(cdcs):
    """CS1 still sees a member who moved to CS2 (their history there); merging that record
    into one of CS1's took the member, their evaluations and titles away from CS2."""
    world = cdcs
    officer1, officer2 = world.user("officer1"), world.user("officer2")
    world.now = at(date(2026, 1, 5))
    mine = members.add_member(
        world.session, officer1, "CS1", TUYET, date(2020, 1, 1), now=world.tick()
    )
    other = members.NewMember("DV-0099", "Trần Văn Bình", birth_date=date(1980, 2, 3))
    moved = members.add_member(
        world.session, officer1, "CS1", other, date(2020, 1, 1), now=world.tick()
    )
    world.now = at(date(2026, 6, 1))
    members.move(world.session, officer1, moved.id, "CS2", date(2026, 6, 1), now=world.tick())
    world.now = at(date(2026, 12, 5))
    members.record_year(world.session, officer2, moved.id, 2026, OUTSTANDING, now=world.tick())
    day = world.now.date()
    assert members.visible(world.session, officer1, moved.id, day)  # its history at CS1
    with pytest.raises(NotAllowed):
        members.merge(world.session, officer1, mine.id, moved.id, now=world.tick())
    still = members.visible(world.session, officer2, moved.id, day)
    assert still.merged_into_id is None
    assert [m.unit.code for m in still.memberships] == ["CS1", "CS2"]
    assert [y.year for y in members.years_of(world.session, officer2, still, day)] == [2026]


def test_a_duplicate_added_in_the_same_unit_merges_into_one_membership(cdcs):
    """Two open memberships listed the person twice in every grid of the year."""
    world = cdcs
    officer1 = world.user("officer1")
    world.now = at(date(2026, 12, 1))
    first = members.add_member(
        world.session, officer1, "CS1", TUYET, date(2020, 3, 1), now=world.tick()
    )
    again = members.NewMember("CS1-0011", "nguyen thi anh tuyet", birth_date=date(1985, 4, 12))
    with pytest.raises(InvalidInput) as refused:  # the same person typed twice, most likely
        members.add_member(world.session, officer1, "CS1", again, date(2026, 1, 1))
    assert refused.value.details == {"full_name": "likely_duplicate", "held": first.code}
    duplicate = members.add_member(
        world.session, officer1, "CS1", again, date(2026, 1, 1), now=world.tick(),
        namesake_ok=True,
    )  # fmt: skip
    kept = members.merge(world.session, officer1, first.id, duplicate.id, now=world.tick())
    assert [(m.unit.code, m.valid_from, m.valid_to) for m in kept.memberships] == [
        ("CS1", date(2020, 3, 1), None)
    ]
    assert audit.verify(world.session).ok  # the membership taken out is vouched for


def test_a_citizen_id_is_sealed_masked_and_whole_only_to_the_units_officer(cdcs):
    world = cdcs
    with_id = members.NewMember("DV-0001", "Nguyễn Thị Ánh Tuyết", cccd="066 185 001 234")
    member = members.add_member(
        world.session, world.user("officer1"), "CS1", with_id, date(2020, 1, 1)
    )
    stored = world.session.scalar(select(Member.cccd_sealed).where(Member.id == member.id))
    assert "066185001234" not in stored
    day = vn_date(utcnow())
    assert members.cccd_shown(world.user("officer1"), member, day) == "066185001234"
    assert members.cccd_shown(world.user("rev_br1"), member, day) == "••••••••1234"
    assert members.cccd_shown(world.user("auditor_prov"), member, day) == "••••••••1234"
    with pytest.raises(InvalidInput):
        members.add_member(
            world.session, world.user("officer1"), "CS1",
            members.NewMember("DV-0002", "Trần Văn Bình", cccd="12345"), date(2020, 1, 1),
        )  # fmt: skip


def test_registering_closes_when_the_emulation_year_is_over(cdcs):
    """On 31/12 a (late) registration is still a pledge for the year; on 01/01 the year is
    over and registering for it is refused, saying why."""
    world = cdcs
    world.now = at(date(2026, 1, 5))
    campaigns.import_campaign(
        world.session, plan(2026), actor=world.user("admin"), now=world.tick()
    )
    first, second = (
        members.add_member(
            world.session, world.user("officer1"), "CS1", members.NewMember(code, name),
            date(2020, 1, 1), now=world.tick(),
        ).id
        for code, name in (("DV-31", "Người Cuối Năm"), ("DV-01", "Người Đầu Năm"))
    )  # fmt: skip
    officer = world.user("officer1")
    world.now = at(date(2026, 12, 31))
    (kept,) = emulation_year.register(world.session, officer, "TD-2026", "CSTDCS", [first],
                                      now=world.tick())  # fmt: skip
    assert kept.late
    world.now = at(date(2027, 1, 1))
    with pytest.raises(InvalidInput) as refused:
        emulation_year.register(world.session, officer, "TD-2026", "CSTDCS", [second],
                                now=world.tick())  # fmt: skip
    assert refused.value.details == {"campaign": "year_over"}
    assert "Năm thi đua 2026 đã kết thúc" in refused.value.message_vi


def test_a_title_declared_by_its_name_or_its_code_in_any_capitals_counts_by_its_code(cdcs):
    """The rules count titles by code: "cstdcs" or "Chiến sĩ thi đua cơ sở" typed is stored
    as CSTDCS; a title no campaign here offered is kept as typed."""
    world = cdcs
    world.now = at(date(2026, 1, 5))
    campaigns.import_campaign(world.session, plan(2026), actor=world.user("admin"))
    member = members.add_member(
        world.session, world.user("officer1"), "CS1", TUYET, date(2020, 1, 1), now=world.tick()
    )
    officer = world.user("officer1")
    for year, typed in ((2021, "cstdcs"), (2022, " Chiến sĩ  thi đua cơ sở "), (2023, "BK_TTG")):
        members.declare_title(world.session, officer, member.id, award_code=typed,
                              award_title="Danh hiệu", year=year, decision="01/QĐ",
                              now=world.tick())  # fmt: skip
    declared = {d.year: d.award_code for d in members.declared_of(world.session, member.id)}
    assert declared == {2021: "CSTDCS", 2022: "CSTDCS", 2023: "BK_TTG"}
    assert ("CSTDCS", "Chiến sĩ thi đua cơ sở") in campaigns.known_titles(
        world.session, "individual"
    )
    assert all(
        code not in dict(campaigns.known_titles(world.session, "individual"))
        for code, _ in campaigns.known_titles(world.session, "collective")
    )


def test_in_january_the_years_page_says_the_new_plan_is_not_in_yet(app, cdcs, monkeypatch):
    """January 2027: members register for 2027, whose plan no one has imported yet; the page
    listed 2026 without a word, and officers looked for the new year in vain."""
    from tests.web_client import WebClient

    world = cdcs
    world.now = at(date(2026, 1, 5))
    campaigns.import_campaign(
        world.session, plan(2026), actor=world.user("admin"), now=world.tick()
    )
    world.session.commit()
    monkeypatch.setenv("KHENTHUONG_NOW", "2026-12-31T03:00:00+00:00")
    december = WebClient(app, "officer1").text("/emulation")
    assert "chưa được nhập vào hệ thống" not in december
    monkeypatch.setenv("KHENTHUONG_NOW", "2027-01-01T03:00:00+00:00")
    january = WebClient(app, "officer1").text("/emulation")
    assert "Kế hoạch thi đua năm 2027 chưa được nhập vào hệ thống" in january
    assert "/emulation/TD-2026" in january  # last year's stays, for its year-end review


@pytest.mark.parametrize(("day", "late"), [(date(2027, 3, 31), False), (date(2027, 4, 1), True)])
def test_after_the_filing_deadline_a_member_who_qualifies_is_not_called_short(
    app, cdcs, monkeypatch, day, late
):
    """After the deadline everyone was listed as "registered but not qualifying", the
    deadline their only reason: they qualified; filing had closed."""
    from tests.web_client import WebClient

    world = cdcs
    officer = world.user("officer1")
    tuyet = tuyet_in_2026(world)
    world.now = at(date(2026, 12, 3))
    members.record_year(world.session, officer, tuyet.id, 2026, OUTSTANDING, now=world.tick())
    found = emulation_year.offers(world.session, officer, "CS1", "TD-2026", day, shortfalls=True)
    cstd = [(o.qualifies, o.missing) for o in found if o.award.code == "CSTDCS"]
    assert cstd == ([(False, "deadline")] if late else [(True, "")])
    world.session.commit()
    monkeypatch.setenv("KHENTHUONG_NOW", f"{day.isoformat()}T03:00:00+00:00")
    page = WebClient(app, "officer1").text("/emulation/TD-2026")
    assert ("Đủ điều kiện nhưng đã qua hạn nộp hồ sơ" in page) is late
    if late:
        listed = page.split("Đủ điều kiện nhưng đã qua hạn nộp hồ sơ", 1)[1]
        assert (
            "Nguyễn Thị Ánh Tuyết — Chiến sĩ thi đua cơ sở</strong> (hạn nộp 31/03/2027)" in listed
        )
        assert "Đã đăng ký nhưng chưa đủ điều kiện" not in page


def test_a_registrations_sheet_naming_another_units_member_does_not_tell_they_exist(cdcs):
    """CS2's member code in CS1's sheet answered "no member id N": the code existed, and
    its record's id. It is now as unknown as any code not in CS1's register."""

    world = cdcs
    world.now = at(date(2026, 1, 5))
    campaigns.import_campaign(
        world.session, plan(2026), actor=world.user("admin"), now=world.tick()
    )
    other = members.NewMember("CS2-0001", "Trần Văn Bình", birth_date=date(1980, 2, 3))
    members.add_member(world.session, world.user("officer2"), "CS2", other, date(2020, 1, 1))
    wb = Workbook()
    wb.active.append(("Mã đoàn viên", "Danh hiệu"))
    for code in ("CS2-0001", "KHONG-CO"):
        wb.active.append((code, "CSTDCS"))
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(InvalidInput) as refused:
        emulation_year.register_from_sheet(
            world.session, world.user("officer1"), "TD-2026", out.getvalue(), now=world.tick()
        )
    assert refused.value.details == {"rows": [2, 3]}
    assert (
        "dòng 2: không có mã đoàn viên 'CS2-0001' trong sổ; "
        "dòng 3: không có mã đoàn viên 'KHONG-CO' trong sổ."
    ) in refused.value.message_vi


def test_a_sheet_reads_codes_in_any_capitals_and_names_its_errors_briefly_in_row_order(cdcs):
    world = cdcs
    campaigns.import_campaign(
        world.session, plan(2026), actor=world.user("admin"), now=world.tick()
    )
    officer = world.user("officer1")
    members.add_member(world.session, officer, "CS1", TUYET, date(2020, 1, 1), now=world.tick())

    def sheet(rows: list[tuple[str, str]]) -> bytes:
        wb = Workbook()
        wb.active.append(("Mã đoàn viên", "Danh hiệu"))
        for row in rows:
            wb.active.append(row)
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    bad = [("", "CSTDCS")] + [("DV-0001", "x" * 5000 + str(i)) for i in range(59)]
    bad.insert(0, ("KHONG-CO", "CSTDCS"))  # row 2, found missing only after the others
    with pytest.raises(InvalidInput) as refused:
        emulation_year.register_from_sheet(world.session, officer, "TD-2026", sheet(bad))
    said = refused.value.message_vi
    assert said.startswith("Tệp chưa hợp lệ, chưa ghi đăng ký nào: dòng 2: không có mã đoàn viên")
    assert said.index("dòng 2:") < said.index("dòng 3:") < said.index("dòng 4:")
    assert said.endswith("; và 11 dòng khác.")
    assert len(said) < 50 * 400  # each cell cut short, not 5,000 characters fifty times
    assert refused.value.details == {"rows": list(range(2, 63))}
    world.session.rollback()
    added = emulation_year.register_from_sheet(
        world.session, officer, "TD-2026", sheet([("dv-0001", "CSTDCS")]), now=world.tick()
    )
    assert added == 1


def test_nothing_is_offered_to_a_member_not_yet_evaluated(app, cdcs, monkeypatch):
    """Giấy khen's rules read no rating: a registered member was offered it before the
    year-end review. The offers now wait for the year's rating, and the page names who has
    none yet."""
    from tests.web_client import WebClient

    world = cdcs
    officer = world.user("officer1")
    plan_in_january(world, "CSTDCS", "GK_CDCTT")
    tuyet = members.add_member(
        world.session, officer, "CS1", TUYET, date(2020, 1, 1), now=world.tick()
    )
    emulation_year.register(
        world.session, officer, "TD-2026", "GK_CDCTT", [tuyet.id], now=world.tick()
    )
    world.now = at(date(2026, 12, 3))
    day = world.now.date()
    assert emulation_year.offers(world.session, officer, "CS1", "TD-2026", day, True) == []
    world.session.commit()
    monkeypatch.setenv("KHENTHUONG_NOW", "2026-12-03T03:00:00+00:00")
    page = WebClient(app, "officer1").text("/emulation/TD-2026")
    assert (
        "1 người chưa có kết quả bình xét năm 2026 nên chưa được xét các danh hiệu thi đua của "
        "năm: "
        "Nguyễn Thị Ánh Tuyết" in page
    )
    members.record_year(world.session, officer, tuyet.id, 2026, OUTSTANDING, now=world.tick())
    assert "GK_CDCTT" in offered(world, "TD-2026", day)
    world.session.commit()
    assert "chưa có kết quả bình xét" not in WebClient(app, "officer1").text("/emulation/TD-2026")
