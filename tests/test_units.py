"""Reorganising the union tree (issue 18): rename, move, merge and split — each dated, each a
link in the trail, each only inside the administrator's subtree; earlier decisions keep the
names of their day."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.factories import PASS_VOTE, World
from tests.test_admin_accounts import changes
from tests.test_admin_scope import ADMINS, PATHS, admins  # noqa: F401 - the fixture
from tests.test_documents import docx_text
from workflow import audit, members, units
from workflow.accounts import assign_role
from workflow.decisions import view_of
from workflow.documents import render
from workflow.documents.decision import decision_document
from workflow.errors import InvalidInput
from workflow.models import Decision, Membership, RoleAssignment, Unit

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def unit(world: World, code: str) -> Unit:
    world.session.expire_all()
    return world.session.scalar(select(Unit).where(Unit.code == code))


def add_member(world: World, code: str, unit_code: str = "CS1") -> int:
    spec = members.NewMember(code, f"Đoàn viên {code}")
    added = members.add_member(
        world.session, world.user("admin"), unit_code, spec, date(2020, 1, 1), now=world.tick()
    )
    return added.id


def memberships(world: World, member_id: int) -> list[tuple[str, date, date | None]]:
    world.session.expire_all()
    rows = world.session.scalars(
        select(Membership).where(Membership.member_id == member_id).order_by(Membership.valid_from)
    )
    return [(m.unit.code, m.valid_from, m.valid_to) for m in rows]


def awarded(world: World) -> Decision:
    nid = world.nominate(award="BK0")
    world.to_council(nid)
    world.fire(nid, "vote", "council_prov", vote=PASS_VOTE)
    return world.sign([nid])


def test_a_decision_keeps_the_names_of_its_day(world: World) -> None:
    decision = awarded(world)
    signed_on = decision.signed_on
    admin = world.user("admin")
    now = world.tick(days=1)
    for code, name in (("CS1", "Công đoàn Sở Mới"), ("PROV", "Liên đoàn Lao động tỉnh Mới")):
        units.rename(world.session, admin, code, name, None, now.date(), now=now)

    assert [line.unit_name for line in view_of(decision).lines] == ["Đơn vị CS1"]
    document = decision_document(world.session, world.user("decider_prov"), decision.id, now.date())
    text = docx_text(render(document, "docx")[0])
    assert "ĐƠN VỊ PROV" in text
    assert "TỈNH MỚI" not in text.upper()
    cs1 = unit(world, "CS1")
    assert cs1.name == "Công đoàn Sở Mới"
    assert units.name_on(cs1, signed_on) == ("Đơn vị CS1", "CS1")
    assert units.name_on(cs1, now.date()) == ("Công đoàn Sở Mới", "CS1")
    assert {"unit_renamed"} <= set(changes(world.session))
    assert audit.verify(world.session).ok


def test_a_move_takes_the_subtree_and_waits_for_nominations_under_way(world: World) -> None:
    admin = world.user("admin")
    draft = world.nominate(award="BK")
    now = world.tick()
    with pytest.raises(InvalidInput, match=str(draft)):
        units.move(world.session, admin, "CS1", "BR2", now.date(), now=now)
    world.fire(draft, "withdraw", "officer1")
    now = world.tick()
    units.move(world.session, admin, "CS1", "BR2", now.date(), now=now)
    cs1 = unit(world, "CS1")
    assert cs1.parent.code == "BR2"
    assert cs1.path.startswith(unit(world, "BR2").path)
    assert cs1.history[-1].parent.code == "BR1"
    with pytest.raises(InvalidInput):  # under itself, or a level not above it
        units.move(world.session, admin, "BR2", "CS3", now.date(), now=now)
    assert "unit_moved" in changes(world.session)
    assert audit.verify(world.session).ok


def test_a_merge_moves_members_ends_roles_and_closes_the_unit(world: World) -> None:
    admin = world.user("admin")
    staying = add_member(world, "DV-1")
    now = world.tick(days=2)
    units.merge(world.session, admin, "CS1", "CS2", now.date(), now=now)
    eve = now.date() - timedelta(days=1)
    assert memberships(world, staying) == [
        ("CS1", date(2020, 1, 1), eve),
        ("CS2", now.date(), None),
    ]
    cs1 = unit(world, "CS1")
    assert cs1.closed_on == now.date()
    assert cs1.history[-1].merged_into.code == "CS2"
    ended = world.session.scalar(select(RoleAssignment).where(RoleAssignment.unit_id == cs1.id))
    assert ended.valid_to == eve
    with pytest.raises(InvalidInput, match="merged"):
        assign_role(world.session, world.user("officer2"), "officer", "CS1")
    with pytest.raises(InvalidInput, match="merged"):
        units.rename(world.session, admin, "CS1", "Tên khác", None, now.date(), now=now)
    assert "unit_merged" in changes(world.session)
    assert audit.verify(world.session).ok


def test_a_split_takes_the_members_picked_and_leaves_the_others(world: World) -> None:
    admin = world.user("admin")
    going, staying = add_member(world, "DV-1"), add_member(world, "DV-2")
    now = world.tick(days=2)
    created = units.split(world.session, admin, "CS1", "CS1B", "Công đoàn Phòng Mới", None,
                          now.date(), [going], [], now=now)  # fmt: skip
    assert (created.parent.code, created.level) == ("BR1", "cdcs")
    assert memberships(world, going)[-1] == ("CS1B", now.date(), None)
    assert memberships(world, staying) == [("CS1", date(2020, 1, 1), None)]
    with pytest.raises(InvalidInput):  # someone who is not a member there
        units.split(world.session, admin, "CS2", "CS2B", "Mới", None, now.date(), [staying], [],
                    now=now)  # fmt: skip
    assert "unit_split" in changes(world.session)
    assert audit.verify(world.session).ok


def test_a_change_cannot_be_dated_after_today_or_before_the_last_one(world: World) -> None:
    admin = world.user("admin")
    now = world.tick()
    with pytest.raises(InvalidInput, match="after today"):
        units.rename(world.session, admin, "CS1", "Mới", None, now.date() + timedelta(days=1),
                     now=now)  # fmt: skip
    units.rename(world.session, admin, "CS1", "Mới", None, now.date(), now=now)
    with pytest.raises(InvalidInput, match="previous change"):
        units.rename(world.session, admin, "CS1", "Mới nữa", None, now.date() - timedelta(days=3),
                     now=now)  # fmt: skip


def test_a_change_dated_before_1900_or_a_split_of_70000_picks_is_refused_not_a_500(
    world: World,
) -> None:
    """0001-01-01 has no day before it to end the old name on (an OverflowError), and 70,000
    picked ids were one IN list over PostgreSQL's 65,535 parameters."""
    admin = world.user("admin")
    now = world.tick()
    with pytest.raises(InvalidInput) as refused:
        units.rename(world.session, admin, "CS1", "Mới", None, date(1, 1, 1), now=now)
    assert refused.value.details == {"on": "too_early"}
    add_member(world, "DV-1")
    with pytest.raises(InvalidInput) as refused:
        units.split(world.session, admin, "CS1", "CS1B", "Mới", None, now.date(),
                    list(range(1, 70_001)), [], now=now)  # fmt: skip
    assert refused.value.details == {"members": "not_member"}
    assert world.session.scalar(select(Unit).where(Unit.code == "CS1B")) is None
