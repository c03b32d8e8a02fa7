"""What real use broke: who hears of a return, facts with a typo, quotas, substitutes,
withdrawn drafts, retried creations, Vietnamese dates."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from tests.api_client import ApiClient
from tests.factories import CAMPAIGN, CAMPAIGNS, World
from tests.web_client import WebClient
from workflow import (
    account_changes,
    audit,
    campaigns,
    clock,
    council,
    imports,
    nominating,
    queries,
)
from workflow.accounts import create_unit
from workflow.errors import InvalidInput, NotEligible, NotFound
from workflow.models import Nomination, Notification, Unit

IMPORT_LIST = (CAMPAIGNS.parent / "tests" / "fixtures" / "list-mixed.xlsx").read_bytes()


def told(world: World, nomination_id: int) -> dict[str, list[str]]:
    """Subjects of the notifications about one nomination, by username."""
    rows = world.session.execute(
        select(Notification.user_id, Notification.subject).where(
            Notification.nomination_id == nomination_id
        )
    ).all()
    names = {u.id: name for name, u in world.users.items()}
    out: dict[str, list[str]] = {}
    for user_id, subject in rows:
        out.setdefault(names[user_id], []).append(subject)
    return out


def test_a_return_from_the_second_tier_tells_the_first_tier_not_the_officer(world: World) -> None:
    nid = world.nominate()
    world.fire(nid, "submit", "officer1")
    world.fire(nid, "approve", "rev_br1")
    before = told(world, nid)
    world.fire(nid, "return", "rev_prov", comment="Thiếu biên bản bình xét của chi nhánh.")
    after = told(world, nid)
    new = {who: after[who][len(before.get(who, [])) :] for who in after}
    assert new["rev_br1"] == [f"Hồ sơ số {nid} (Nguyễn Văn Thử) được trả lại để thẩm định lại"]
    assert not new.get("officer1")

    world.fire(nid, "return", "rev_br1", comment="Bổ sung biên bản.")
    assert told(world, nid)["officer1"][-1].endswith("bị trả lại để bổ sung")


def test_an_unknown_fact_key_is_refused_naming_it(world: World) -> None:
    with pytest.raises(InvalidInput) as refused:
        world.nominate(facts={"rating": {"2025": "HTXSNV"}})
    assert refused.value.details["unknown_keys"] == ["rating"]
    assert "rating" in refused.value.message("vi")
    assert world.session.scalar(select(func.count()).select_from(Nomination)) == 0


def test_facts_a_campaign_declares_are_accepted_with_their_type(world: World) -> None:
    raw = campaigns.read_yaml(CAMPAIGNS / "2017-cdvc-daklak.yaml")
    raw |= {
        "code": "EXTRA",
        "extra_facts": [{"key": "so_nha", "label": "Số nhà", "type": "integer"}],
    }
    catalogue = campaigns.load_catalogue(campaigns.read_yaml(CAMPAIGNS / "catalogue.yaml"), "c")
    campaigns.import_campaign(world.session, campaigns.validate(raw, "EXTRA", catalogue))
    world.session.commit()
    award = raw["awards"][0]["code"]

    def create(facts: dict) -> int:
        return nominating.create_nomination(
            world.session,
            world.user("officer1"),
            campaign="EXTRA",
            award_type=award,
            nominee_kind="individual",
            nominee_name="Vũ Thị Nhà",
            facts=facts,
        ).id

    assert create({"so_nha": 5})
    with pytest.raises(InvalidInput):
        create({"so_nha": "năm"})


def test_a_declared_quota_is_enforced_even_without_its_rule(world: World) -> None:
    catalogue = campaigns.load_catalogue(campaigns.read_yaml(CAMPAIGNS / "catalogue.yaml"), "c")
    raw = {
        "code": "QUOTA",
        "title": "Chuyên đề",
        "issuer": {"code": "PROV", "name": "PROV", "level": "ldld_tinh"},
        "year": 2025,
        "awards": [{"code": "BK_LDLD", "rules": [], "quota": {"per_unit": 1}}],
    }
    definition = campaigns.validate(raw, "QUOTA", catalogue)
    assert [r["rule"] for r in definition["awards"][0]["rules"]] == ["R-QUOTA"]
    campaigns.import_campaign(world.session, definition)
    world.session.commit()

    ids = [
        nominating.create_nomination(
            world.session,
            world.user("officer1"),
            campaign="QUOTA",
            award_type="BK_LDLD",
            nominee_kind="individual",
            nominee_name=name,
            now=world.tick(),
        ).id
        for name in ("Người Một", "Người Hai")
    ]
    world.fire(ids[0], "submit", "officer1")
    with pytest.raises(NotEligible) as refused:
        world.fire(ids[1], "submit", "officer1")
    assert "tối đa 1" in refused.value.message("vi")


@pytest.fixture
def thematic(world: World) -> dict[str, tuple[str, str]]:
    """A TLĐ thematic Bằng khen (≤ 4 per LĐLĐ tỉnh as it forwards, ≤ 300 nationwide) and
    five provinces, each with a CĐCS: province code → (its officer, its reviewer)."""
    catalogue = campaigns.load_catalogue(campaigns.read_yaml(CAMPAIGNS / "catalogue.yaml"), "c")
    raw = {
        "code": "CD2025",
        "title": "Chuyên đề Giỏi việc nước, đảm việc nhà",
        "issuer": {"code": "TLD", "name": "TLĐ", "level": "tong_ldld"},
        "year": 2025,
        "awards": [{"code": "BK_TLD_CHUYEN_DE", "catalogue": "BK_TLD_CHUYEN_DE"}],
    }
    campaigns.import_campaign(world.session, campaigns.validate(raw, "CD2025", catalogue))
    people = {"PROV": ("officer4", "rev_prov")}
    for i in range(1, 5):
        create_unit(world.session, f"P{i}", f"Liên đoàn Lao động tỉnh P{i}", "ldld_tinh", "TLD")
        create_unit(world.session, f"P{i}CS", f"Công đoàn cơ sở P{i}", "cdcs", f"P{i}")
        world.add_user(f"officer_p{i}", "officer", f"P{i}CS")
        world.add_user(f"rev_p{i}", "reviewer", f"P{i}")
        people[f"P{i}"] = (f"officer_p{i}", f"rev_p{i}")
    world.session.commit()
    return people


def _propose(world: World, officer: str, name: str) -> int:
    nid = nominating.create_nomination(
        world.session,
        world.user(officer),
        campaign="CD2025",
        award_type="BK_TLD_CHUYEN_DE",
        nominee_kind="individual",
        nominee_name=name,
        facts={"discipline": [], "achievement_ref": f"GVNĐVN-{officer}-{name}"},
        now=world.tick(),
    ).id
    world.fire(nid, "submit", officer)
    return nid


def test_a_fifth_thematic_proposal_is_refused_when_its_province_forwards_it(
    world: World, thematic: dict[str, tuple[str, str]]
) -> None:
    """Acceptance (issue 14): the quota binds the LĐLĐ tỉnh as it forwards, not the CĐCS."""
    officer, reviewer = thematic["PROV"]
    ids = [_propose(world, officer, f"Người {i}") for i in range(1, 6)]  # all five submitted
    for nid in ids[:4]:
        world.fire(nid, "approve", reviewer)
    with pytest.raises(NotEligible) as refused:
        world.fire(ids[4], "approve", reviewer)
    message = refused.value.message("vi")
    assert "R-QUOTA" in str(refused.value.details)
    assert "chuyển 5 hồ sơ hình thức này; tối đa 4" in message
    assert world.session.get(Nomination, ids[4]).current_unit.code == "PROV"  # still there


def test_five_proposals_from_five_provinces_all_pass(
    world: World, thematic: dict[str, tuple[str, str]]
) -> None:
    for province, (officer, reviewer) in thematic.items():
        nid = _propose(world, officer, f"Người của {province}")
        assert world.fire(nid, "approve", reviewer).current_unit == "TLD"


@pytest.mark.parametrize(
    ("dates", "acting_for", "problem"),
    [
        ({"valid_from": date(2025, 11, 1)}, "rev_br1", "required_for_substitute"),
        ({}, "rev_br1", "required_for_substitute"),
        ({"valid_from": date(2025, 11, 1), "valid_to": date(2025, 11, 30)}, "rev_br2", "role_not_held"),
        ({"valid_from": date(2025, 11, 1), "valid_to": date(2025, 11, 30)}, "officer1", "role_not_held"),
    ],
)  # fmt: skip
def test_a_substitute_acts_for_someone_holding_that_role_there_for_a_bounded_window(
    world: World, dates: dict, acting_for: str, problem: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        world.add_user("stand_in", "reviewer", "BR1", acting_for=world.user(acting_for), **dates)
    assert problem in refused.value.details.values()


def test_a_substitute_beyond_the_principals_own_dates_is_refused(world: World) -> None:
    world.add_user("leaving", "reviewer", "BR2", valid_to=date(2025, 11, 15))
    with pytest.raises(InvalidInput):
        world.add_user(
            "stand_in",
            "reviewer",
            "BR2",
            valid_from=date(2025, 11, 1),
            valid_to=date(2025, 11, 30),
            acting_for=world.user("leaving"),
        )
    world.session.rollback()
    world.add_user(
        "stand_in",
        "reviewer",
        "BR2",
        valid_from=date(2025, 11, 1),
        valid_to=date(2025, 11, 15),
        acting_for=world.user("leaving"),
    )


def test_periods_dated_before_1900_or_after_2100_are_refused_not_a_500(world: World) -> None:
    """A substitute from 0001-01-01 had no day before it (an OverflowError, a 500); a role or
    a council seat "until 31/12/9999" is a typing error that no list would ever close."""
    far = {"valid_from": date(1, 1, 1), "valid_to": date(2025, 11, 30)}
    with pytest.raises(InvalidInput) as refused:
        world.add_user("stand_in", "reviewer", "BR1", acting_for=world.user("rev_br1"), **far)
    assert refused.value.details == {"valid_from": "out_of_range"}
    world.session.rollback()
    admin, held = world.user("admin"), world.user("rev_br1").assignments[0]
    with pytest.raises(InvalidInput) as refused:
        account_changes.end_role(world.session, admin, held.id, date(9999, 12, 31))
    assert refused.value.message("vi") == "Đến ngày: ngày phải từ 01/01/1900 đến 31/12/2100."
    world.session.rollback()
    seat = world.seat_council(size=3)[2]
    with pytest.raises(InvalidInput) as refused:
        council.end_member(world.session, admin, seat.id, date(9999, 12, 31))
    assert refused.value.details == {"valid_to": "out_of_range"}
    world.session.rollback()
    province = world.session.scalars(select(Unit).where(Unit.code == "PROV")).one()
    with pytest.raises(InvalidInput):
        council.add_member(world.session, admin, province, full_name="Ngô Văn Xa",
                           position="Ủy viên", duty="member", valid_from=date(1, 1, 1))  # fmt: skip
    world.session.rollback()
    assert world.session.get_one(type(held), held.id).valid_to is None
    assert world.session.get_one(type(seat), seat.id).valid_to is None


def test_a_withdrawn_draft_stays_private_to_its_cdcs(app, world: World) -> None:
    hidden = world.nominate(name="Rút Khi Còn Nháp")
    world.fire(hidden, "withdraw", "officer1")
    shown = world.nominate(name="Đã Gửi Rồi Rút")
    world.fire(shown, "submit", "officer1")
    world.fire(shown, "withdraw", "officer1")
    route = world.session.execute(
        text("SELECT route IS NULL FROM nominations WHERE id = :id"), {"id": hidden}
    ).scalar_one()
    assert route  # SQL NULL, not the JSON value null

    day = clock.vn_date(world.now)
    for who in ("rev_br1", "rev_prov"):
        listed = queries.list_nominations(world.session, world.user(who), day).items
        assert [n.id for n in listed] == [shown]
        world.session.rollback()  # SQLite: a read transaction holds the write lock
        api = ApiClient(app.test_client(), who)
        assert [n["id"] for n in api.get("/nominations").json["items"]] == [shown]
        assert api.get(f"/nominations/{hidden}").status_code == 404
        sheet = load_workbook(io.BytesIO(WebClient(app, who).get("/nominations.xlsx").data)).active
        names = [row[1] for row in sheet.iter_rows(values_only=True)]
        assert "Đã Gửi Rồi Rút" in names
        assert "Rút Khi Còn Nháp" not in names
    mine = queries.list_nominations(world.session, world.user("officer1"), day).items
    assert {n.id for n in mine} == {hidden, shown}


@pytest.mark.parametrize("bad", ["null", "[]", '{"a": 1}'])
def test_the_database_refuses_a_route_that_is_neither_null_nor_a_list(world: World, bad) -> None:
    nid = world.nominate()
    column = "CAST(:r AS JSONB)" if world.session.bind.dialect.name == "postgresql" else ":r"
    with pytest.raises(DatabaseError):
        world.session.execute(
            text(f"UPDATE nominations SET route = {column} WHERE id = :id"), {"r": bad, "id": nid}
        )
    world.session.rollback()


def test_a_create_retried_with_the_same_key_creates_once(app, world: World) -> None:
    api = ApiClient(app.test_client(), "officer1")
    body = {
        "campaign": CAMPAIGN,
        "award_type": "BK0",
        "nominee": {"kind": "individual", "name": "Nguyễn Thị Một Lần"},
        "facts": {},
        "achievements": "",
    }
    first = api.post("/nominations", json=body, headers={"Idempotency-Key": "tao-1"})
    again = api.post("/nominations", json=body, headers={"Idempotency-Key": "tao-1"})
    assert first.status_code == again.status_code == 201
    assert first.json["id"] == again.json["id"]
    assert world.session.scalar(select(func.count()).select_from(Nomination)) == 1
    world.session.rollback()  # SQLite: a read transaction holds the write lock
    other = api.post(
        "/nominations",
        json={**body, "nominee": {"kind": "individual", "name": "Người Khác"}},
        headers={"Idempotency-Key": "tao-1"},
    )
    assert other.status_code == 422
    assert api.post("/nominations", json=body).status_code == 201  # no key: a new one


def test_an_import_confirmation_retried_with_the_same_key_gets_the_first_answer(
    app, world: World
) -> None:
    batch_id = imports.preview(
        world.session,
        world.user("officer1"),
        campaign=CAMPAIGN,
        content=IMPORT_LIST,
        filename="ds.xlsx",
    ).id
    world.session.commit()
    api = ApiClient(app.test_client(), "officer1")
    path = f"/imports/{batch_id}/confirm"
    first = api.post(path, headers={"Idempotency-Key": "nhap-1"})
    again = api.post(path, headers={"Idempotency-Key": "nhap-1"})
    assert first.status_code == again.status_code == 201
    assert first.json == again.json
    assert len(first.json["created"]) == 3
    assert api.post(path).status_code == 409  # without the key: already imported


def test_dates_shown_are_vietnamese_calendar_days() -> None:
    morning = datetime(2026, 11, 29, 23, 14, tzinfo=UTC)  # 30/11 06:14 in Vietnam
    assert clock.ddmmyyyy(morning) == "30/11/2026"
    assert clock.ddmmyyyy(date(2026, 11, 29)) == "29/11/2026"
    assert clock.ddmmyyyy(None, "—") == "—"


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE nominations SET state = 'awarded' WHERE id = :id",
        "UPDATE nominations SET decision_id = NULL WHERE id = :id",
        "UPDATE nominations SET notice_ends_on = NULL WHERE id = :id",
        "UPDATE nominations SET notice_ends_on = '2025-12-01' WHERE id = :other",
    ],
)
def test_the_database_ties_a_state_to_its_columns(world: World, change: str) -> None:
    """Awarded or revoked iff a decision; on notice iff a notice end date."""
    on_notice = world.nominate()
    world.to_notice(on_notice)
    awarded = world.nominate(name="Người Được Khen")
    world.to_notice(awarded)
    world.sign([awarded])
    target = awarded if "decision_id" in change else on_notice
    params = {"id": target, "other": world.nominate(name="Nháp")}
    with pytest.raises(DatabaseError):
        world.session.execute(text(change), params)
    world.session.rollback()


def test_ending_a_role_ends_the_substitutions_that_lean_on_it(world: World) -> None:
    """A substitute for a reviewer who left kept returning nominations "acting for" someone
    who no longer held the role. Ending the role ends theirs the same day, in the trail."""
    world.add_substitute()  # for rev_br1, 01/11–30/11/2025
    nid = world.nominate()
    world.fire(nid, "submit", "officer1")
    held = next(a for a in world.user("rev_br1").assignments if a.acting_for_id is None)
    left = world.now.date()
    account_changes.end_role(world.session, world.user("admin"), held.id, left, now=world.tick())
    substitution = world.user("stand_in").assignments[0]
    assert substitution.valid_to == left
    world.tick(days=1)
    with pytest.raises(NotFound):  # no longer theirs to see, let alone to approve
        world.fire(nid, "approve", "stand_in")
    world.session.rollback()
    assert audit.verify(world.session).ok  # the shortened substitution is vouched for too


def test_ending_a_role_before_a_substitution_begins_removes_it(world: World) -> None:
    """Its last day would fall before its first, which the database refuses (a 500)."""
    world.add_substitute()  # for rev_br1, 01/11–30/11/2025
    held = next(a for a in world.user("rev_br1").assignments if a.acting_for_id is None)
    admin = world.user("admin")
    account_changes.end_role(world.session, admin, held.id, date(2025, 10, 20), now=world.tick())
    world.session.expire_all()
    assert world.user("stand_in").assignments == []
    assert audit.verify(world.session).ok


def test_a_substitution_left_from_before_acts_only_while_its_principal_holds_the_role(
    world: World,
) -> None:
    """Roles ended before their ends reached substitutions left these open in the database:
    they give nothing once the principal's own role has ended."""
    world.add_substitute()
    nid = world.nominate()
    world.fire(nid, "submit", "officer1")
    held = next(a for a in world.user("rev_br1").assignments if a.acting_for_id is None)
    held.valid_to = world.now.date()  # as an end recorded before this release
    world.session.commit()
    assert world.user("stand_in").assignments[0].valid_to == date(2025, 11, 30)
    world.tick(days=1)
    with pytest.raises(NotFound):
        world.fire(nid, "approve", "stand_in")
