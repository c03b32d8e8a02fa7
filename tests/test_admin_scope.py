"""Administration reaches the administrator's own subtree: units, accounts and campaigns,
on the API and the pages alike; a campaign already in flight keeps its rules."""

from __future__ import annotations

import io
import itertools

import pytest
import yaml
from sqlalchemy import func, select

from tests.api_client import ApiClient
from tests.factories import PASSWORD, World, catalogue
from tests.factories import issued_definition as definition
from tests.web_client import WebClient
from workflow import audit, campaigns, nominating
from workflow.errors import InvalidInput, NotAllowed, NotEligible
from workflow.models import Nomination, Unit

ADMINS = {"admin": "TLD", "admin_prov": "PROV", "admin_br1": "BR1", "admin_cs1": "CS1"}
PATHS = {"TLD": "/TLD/", "PROV": "/TLD/PROV/", "BR1": "/TLD/PROV/BR1/", "BR2": "/TLD/PROV/BR2/"}
PATHS |= {"CS1": "/TLD/PROV/BR1/CS1/", "CS3": "/TLD/PROV/BR2/CS3/"}
CHILD_LEVEL = {None: "tong_ldld", "PROV": "cd_cap_tren", "BR1": "cdcs", "BR2": "cdcs"}
ROLE_AT = {"PROV": "reviewer", "BR1": "reviewer", "BR2": "reviewer", "CS1": "officer", "CS3": "officer"}  # fmt: skip
ISSUERS = ["TLD", "PROV", "BR1", "BR2", "CS1"]
counter = itertools.count()


def inside(admin: str, target: str | None) -> bool:
    """The expected answer: the target lies in the admin's subtree (a new root: root admins)."""
    home = PATHS[ADMINS[admin]]
    return home == "/TLD/" if target is None else PATHS[target].startswith(home)


@pytest.fixture
def admins(world: World) -> World:
    for name, unit in ADMINS.items():
        if name != "admin":
            world.add_user(name, "admin", unit)
    return world


def api_cells(app, admin: str) -> list[tuple[str, bool, int]]:
    api = ApiClient(app.test_client(), admin)
    cells = []
    for parent, level in CHILD_LEVEL.items():
        body = {"code": f"U{next(counter)}", "name": "Đơn vị mới", "level": level}
        answer = api.post("/units", json=body | {"parent_code": parent})
        cells.append((f"unit under {parent}", inside(admin, parent), answer.status_code))
    for unit, role in ROLE_AT.items():
        body = {
            "username": f"u{next(counter)}",
            "full_name": "Người Mới",
            "password": PASSWORD,
            "roles": [{"role": role, "unit_code": unit}],
        }
        answer = api.post("/users", json=body)
        cells.append((f"{role} at {unit}", inside(admin, unit), answer.status_code))
    for issuer in ISSUERS:
        answer = api.post("/campaigns", json=definition(issuer))
        cells.append((f"campaign of {issuer}", inside(admin, issuer), answer.status_code))
    return cells


def page_cells(app, admin: str) -> list[tuple[str, bool, int]]:
    web = WebClient(app, admin)
    cells = []
    for parent, level in CHILD_LEVEL.items():
        form = {"code": f"P{next(counter)}", "name": "Đơn vị mới", "level": level}
        answer = web.post("/admin/units", form | {"parent_code": parent or ""})
        cells.append((f"unit under {parent}", inside(admin, parent), answer.status_code))
    for unit, role in ROLE_AT.items():
        form = {
            "username": f"p{next(counter)}",
            "full_name": "Người Mới",
            "password": PASSWORD,
            "role": role,
            "unit_code": unit,
        }
        answer = web.post("/admin/users", form)
        cells.append((f"{role} at {unit}", inside(admin, unit), answer.status_code))
    for issuer in ISSUERS:
        text = yaml.safe_dump(definition(issuer), allow_unicode=True).encode()
        answer = web.post(
            "/admin/campaigns", {"definition": (io.BytesIO(text), "dot-thi-dua.yaml")}
        )
        cells.append((f"campaign of {issuer}", inside(admin, issuer), answer.status_code))
        typed = web.post("/admin/campaigns/edit", {"definition": text.decode()})
        cells.append((f"campaign typed for {issuer}", inside(admin, issuer), typed.status_code))
    return cells


@pytest.mark.parametrize("admin", list(ADMINS))
def test_each_admin_acts_inside_their_subtree_only(app, admins: World, admin: str) -> None:
    for surface, cells in (("api", api_cells(app, admin)), ("page", page_cells(app, admin))):
        for cell, allowed, status in cells:
            expected = {"api": 201, "page": 302}[surface] if allowed else 403
            assert status == expected, (surface, admin, cell, status)


def test_an_officer_cannot_create_accounts(app, admins: World) -> None:
    api = ApiClient(app.test_client(), "officer1")
    body = {"username": "moi", "full_name": "Người Mới", "password": PASSWORD}
    assert api.post("/users", json=body).status_code == 403
    assert api.post("/users", json=body | {"roles": []}).status_code == 403
    assert WebClient(app, "officer1").get("/admin/users").status_code == 403


def test_an_admin_sees_only_the_accounts_of_their_subtree(app, admins: World) -> None:
    page = WebClient(app, "admin_br1").text("/admin/users")
    assert "officer1" in page
    assert "rev_br1" in page
    for outside in ("officer3", "rev_prov", "decider_tld", "admin_prov"):
        assert outside not in page
    assert "officer3@congdoan.test" not in page


def test_a_sub_unit_admin_cannot_replace_the_provinces_campaign(admins: World) -> None:
    session = admins.session
    campaigns.import_campaign(
        session, campaigns.validate(definition("PROV", "TINH"), "t", catalogue())
    )
    session.commit()
    emptied = definition("CS1", "TINH", ratio="1/100")  # the same code, issued "by" the CĐCS
    with pytest.raises(NotAllowed):
        campaigns.import_campaign(
            session, campaigns.validate(emptied, "t", catalogue()), admins.user("admin_cs1")
        )
    session.rollback()
    assert session.scalar(select(Unit.id).where(Unit.code == "CS1"))


def test_a_nomination_in_flight_keeps_its_campaign_versions_outcome(admins: World) -> None:
    """A stricter rule and a lower vote ratio imported mid-way change new nominations only."""
    session = admins.session
    first = definition("PROV", "TINH")
    first["awards"][0]["rules"] = []
    campaigns.import_campaign(session, campaigns.validate(first, "t", catalogue()))
    session.commit()

    def propose(name: str) -> int:
        return nominating.create_nomination(
            session,
            admins.user("officer1"),
            campaign="TINH",
            award_type="BK_LDLD",
            nominee_kind="individual",
            nominee_name=name,
            facts={"discipline": [{"year": 2025, "level": "canh_cao"}]},
            now=admins.tick(),
        ).id

    early = propose("Người Sớm")
    admins.fire(early, "submit", "officer1")
    stricter = definition("PROV", "TINH", ratio="9/10")
    campaign = campaigns.import_campaign(
        session, campaigns.validate(stricter, "t", catalogue()), admins.user("admin_prov")
    )
    session.commit()
    assert campaign.version == 2

    admins.fire(early, "approve", "rev_br1")
    admins.fire(early, "approve", "rev_prov")
    two_thirds = {"members": 9, "present": 9, "yes": 6, "no": 3, "abstain": 0}
    assert admins.fire(early, "vote", "council_prov", vote=two_thirds).state == "on_notice"

    late = propose("Người Muộn")
    with pytest.raises(NotEligible):  # the new version's rule: a reprimand this year
        admins.fire(late, "submit", "officer1")
    versions = session.scalars(
        select(Nomination.award_type_id).where(Nomination.id.in_([early, late]))
    ).all()
    assert len(set(versions)) == 2
    assert session.scalar(select(func.count()).select_from(Nomination)) == 2

    # The late draft follows version 2 already: there is nothing to adopt.
    with pytest.raises(InvalidInput):
        nominating.adopt_current_version(
            session, late, admins.user("officer1"), expected_version=admins.version(late)
        )


def test_a_returned_nomination_adopts_the_new_version_by_an_audited_act(admins: World) -> None:
    session = admins.session
    campaigns.import_campaign(
        session, campaigns.validate(definition("PROV", "TINH"), "t", catalogue())
    )
    session.commit()
    nid = nominating.create_nomination(
        session,
        admins.user("officer1"),
        campaign="TINH",
        award_type="BK_LDLD",
        nominee_kind="individual",
        nominee_name="Người Trả Lại",
        facts={"discipline": []},
        now=admins.tick(),
    ).id
    admins.fire(nid, "submit", "officer1")
    admins.fire(nid, "return", "rev_br1", comment="Bổ sung hồ sơ")
    campaigns.import_campaign(
        session, campaigns.validate(definition("PROV", "TINH", ratio="3/4"), "t", catalogue())
    )
    session.commit()
    before = session.get(Nomination, nid).award_type_id
    nominating.adopt_current_version(
        session, nid, admins.user("officer1"), expected_version=admins.version(nid)
    )
    moved = session.get(Nomination, nid)
    assert moved.award_type_id != before
    assert (moved.award_type.vote_ratio_num, moved.award_type.vote_ratio_den) == (3, 4)
    last = audit.trail(session, nid)[-1]
    assert last["event"] == "edit"
    assert last["data"]["campaign_version"] == 2
    assert audit.verify(session).ok


def test_the_campaign_editor_checks_as_an_import_and_keeps_what_was_typed(
    app, admins: World
) -> None:
    web = WebClient(app, "admin")
    typed = definition(ISSUERS[0])
    text = yaml.safe_dump(typed, allow_unicode=True)
    broken = text.replace("year:", "year: hai nghìn #", 1)
    refused = web.post("/admin/campaigns/edit", {"definition": broken})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "year" in page
    assert "hai nghìn" in page  # the text stays in the editor
    assert web.post("/admin/campaigns/edit", {"definition": text}).status_code == 302
    code = typed["code"]
    editor = web.text(f"/admin/campaigns/{code}/edit")
    assert f"code: {code}" in editor
    assert web.get("/admin/campaigns/NO-SUCH/edit").status_code == 404


def test_a_campaign_stored_without_an_issuer_is_replaced_by_a_root_admin_only(
    admins: World,
) -> None:
    """Such a plan reaches every unit; a CĐCS's admin could take it over by importing the
    same code "issued" by their CĐCS, the stored issuer's check being skipped."""
    session = admins.session
    stored = campaigns.import_campaign(
        session, campaigns.validate(definition("PROV", "TINH"), "t", catalogue())
    )
    stored.issuer_code = None  # as plans imported before issuers were recorded
    session.commit()
    taken = definition("CS1", "TINH", ratio="1/100")
    with pytest.raises(NotAllowed) as refused:
        campaigns.import_campaign(
            session, campaigns.validate(taken, "t", catalogue()), admins.user("admin_cs1")
        )
    assert "()" not in refused.value.message("vi")
    session.rollback()
    campaigns.import_campaign(
        session, campaigns.validate(taken, "t", catalogue()), admins.user("admin")
    )


def test_an_award_decided_above_the_issuer_is_defined_by_the_deciders_admin_only(
    admins: World,
) -> None:
    """A district's plan may carry the province's Bằng khen, but its criteria and money are the
    province's: a district admin publishing it with no criteria and any bonus is refused."""
    session = admins.session
    loose = definition("BR1", "HUYEN")
    loose["awards"] = [{"code": "BK_LDLD", "rules": [], "vote": {"ratio": "1/100"},
                        "bonus_coefficient": "100", "decider": {"level": "ldld_tinh"}}]  # fmt: skip
    with pytest.raises(NotAllowed) as refused:
        campaigns.import_campaign(
            session, campaigns.validate(loose, "t", catalogue()), admins.user("admin_br1")
        )
    assert refused.value.details == {"required_role": "admin", "decider": "PROV"}
    assert "tiêu chuẩn" in refused.value.message_vi
    session.rollback()
    # As the catalogue defines it, or stricter (a higher ratio): the district lists it.
    listed = definition("BR1", "HUYEN2")
    listed["awards"] = [{"code": "BK_LDLD", "decider": {"level": "ldld_tinh"},
                         "vote": {"ratio": "95/100"}}]  # fmt: skip
    assert campaigns.import_campaign(
        session, campaigns.validate(listed, "t", catalogue()), admins.user("admin_br1")
    )
    session.commit()
    assert campaigns.import_campaign(
        session, campaigns.validate(loose, "t", catalogue()), admins.user("admin_prov")
    )
    session.commit()


def test_a_unit_cannot_take_the_code_of_a_plan_issued_from_outside(app, admins: World) -> None:
    """The Tổng Liên đoàn's plan, imported by a root admin with an issuer that is no unit here,
    reaches every unit; a branch admin creating a unit with that code would narrow it to
    their branch and become its administrator."""
    session = admins.session
    national = definition("TLDVN", "QUOCGIA")
    national["issuer"] |= {"level": "tong_ldld"}
    campaigns.import_campaign(
        session, campaigns.validate(national, "t", catalogue()), admins.user("admin")
    )
    session.commit()
    api = ApiClient(app.test_client(), "admin_br1")
    body = {"code": "TLDVN", "name": "Đơn vị mới", "level": "cdcs", "parent_code": "BR1"}
    refused = api.post("/units", json=body)
    assert refused.status_code == 403
    assert "QUOCGIA" not in refused.json["error"]["message"]  # named by its title
    assert session.scalar(select(Unit.id).where(Unit.code == "TLDVN")) is None
    session.rollback()
    assert ApiClient(app.test_client(), "admin").post("/units", json=body).status_code == 201


def test_an_account_outside_ones_reach_answers_as_one_that_does_not_exist(
    app, admins: World
) -> None:
    """Neither a non-administrator nor a branch administrator learns which accounts exist
    elsewhere, nor where they hold roles."""
    body = {"password": "Kiem-Thu-Mat-Khau-2026!x"}
    officer = ApiClient(app.test_client(), "officer1")
    for name in ("rev_prov", "nobody.here"):
        answer = officer.post(f"/users/{name}/password", json=body)
        assert answer.status_code == 403
        assert answer.json["error"]["details"] == {"required_role": "admin", "unit": None}
    branch = ApiClient(app.test_client(), "admin_br1")
    answers = [branch.post(f"/users/{n}/password", json=body) for n in ("rev_prov", "nobody.here")]
    assert [a.status_code for a in answers] == [404, 404]
    assert answers[0].json["error"]["details"] is None
    web = WebClient(app, "admin_br1")
    assert [web.get(f"/admin/users/{n}").status_code for n in ("rev_prov", "nobody.here")] == [
        404,
        404,
    ]
    assert branch.post("/users/officer1/password", json=body).status_code == 204


def test_a_branch_admin_is_offered_to_edit_only_the_plans_they_may_change(app, admins: World):
    session = admins.session
    for issuer, code in (("PROV", "TINH"), ("BR1", "HUYEN")):
        campaigns.import_campaign(
            session, campaigns.validate(definition(issuer, code), "t", catalogue())
        )
    session.commit()
    page = WebClient(app, "admin_br1").text("/admin/campaigns")
    assert "/admin/campaigns/HUYEN/edit" in page
    assert "/admin/campaigns/TINH/edit" not in page
    assert "/admin/campaigns/TINH/edit" in WebClient(app, "admin_prov").text("/admin/campaigns")
