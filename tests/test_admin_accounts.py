"""Administration of existing accounts (issue 18): correct, lock and unlock, add and end a
role — each only inside the administrator's subtree, each a link in the trail."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.factories import PASSWORD
from tests.test_admin_scope import ADMINS, PATHS, admins  # noqa: F401 - the fixture
from tests.web_client import WebClient
from workflow.models import AuditEvent, RoleAssignment, User

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
# The account acted on and where its role is held.
TARGETS = {"officer1": "CS1", "rev_br2": "BR2", "rev_prov": "PROV"}


def changes(session) -> list[str]:
    bodies = session.scalars(select(AuditEvent.body)).all()
    session.rollback()
    return [m.group(1) for b in bodies if (m := re.search(r'"change":"([a-z_]+)"', b))]


def may(admin: str, target_unit: str) -> bool:
    return PATHS.get(target_unit, "/TLD/PROV/").startswith(PATHS[ADMINS[admin]])


@pytest.mark.parametrize("admin", list(ADMINS))
@pytest.mark.parametrize("target", list(TARGETS))
def test_each_account_change_inside_the_admins_subtree_only(app, admins, admin, target):  # noqa: F811
    admins.session.rollback()
    web = WebClient(app, admin)
    allowed = may(admin, TARGETS[target])
    edit = web.post(f"/admin/users/{target}", {"full_name": "Tên Đã Sửa", "email": ""})
    lock = web.post(f"/admin/users/{target}/lock", {"locked": "1"})
    if not allowed:
        assert (edit.status_code, lock.status_code) == (404, 404), (admin, target)
        return
    assert (edit.status_code, lock.status_code) == (302, 302), (admin, target)
    admins.session.expire_all()
    person = admins.session.scalar(select(User).where(User.username == target))
    assert person.full_name == "Tên Đã Sửa"
    assert not person.is_active
    admins.session.rollback()
    assert {"user_edited", "user_locked"} <= set(changes(admins.session))


# The role each target holds at its unit, to add a second one and end it.
SECOND_ROLE = {"officer1": "auditor", "rev_br2": "auditor", "rev_prov": "auditor"}


@pytest.mark.parametrize("admin", list(ADMINS))
@pytest.mark.parametrize("target", list(TARGETS))
def test_reset_add_and_end_roles_inside_the_admins_subtree_only(app, admins, admin, target):  # noqa: F811
    """The rest of the matrix: reset a password, add a role, end a role."""
    admins.session.rollback()
    web = WebClient(app, admin)
    unit = TARGETS[target]
    allowed = may(admin, unit)
    reset = web.post(
        "/admin/users/password", {"username": target, "password": "Mật khẩu tạm 2026!"}
    )
    added = web.post(
        f"/admin/users/{target}/roles", {"role": SECOND_ROLE[target], "unit_code": unit}
    )
    held = admins.session.scalar(
        select(RoleAssignment.id)
        .join(User, User.id == RoleAssignment.user_id)
        .where(User.username == target)
        .order_by(RoleAssignment.id)
    )
    admins.session.rollback()
    ended = web.post(f"/admin/roles/{held}/end", {"valid_to": "2030-12-31"})
    statuses = (reset.status_code, added.status_code, ended.status_code)
    if allowed:
        assert statuses == (302, 302, 302), (admin, target)
        assert {"password_reset", "role_assigned", "role_ended"} <= set(changes(admins.session))
    else:
        assert all(code in (403, 404) for code in statuses), (admin, target, statuses)
        assert not {"password_reset", "role_ended"} & set(changes(admins.session))


def test_a_locked_account_cannot_sign_in_until_unlocked(app, admins):  # noqa: F811
    admins.session.rollback()
    admin = WebClient(app, "admin_prov")
    page = admin.text("/admin/users/officer1")
    assert 'data-confirm="Khóa tài khoản officer1? Người này sẽ không đăng nhập được' in page
    assert "Không thời hạn" in page  # a role held with no end
    assert admin.post("/admin/users/officer1/lock", {"locked": "1"}).status_code == 302
    assert "Đã khóa tài khoản officer1: không đăng nhập được nữa." in admin.text(
        "/admin/users/officer1"
    )
    client = app.test_client()
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)
    ).group(1)
    refused = client.post(
        "/login", data={"username": "officer1", "password": PASSWORD, "csrf_token": token}
    )
    assert refused.status_code != 302
    assert admin.post("/admin/users/officer1/lock", {"locked": "0"}).status_code == 302
    WebClient(app, "officer1")  # signs in again
    assert "user_unlocked" in changes(admins.session)


def test_roles_are_added_and_ended_with_their_history_kept(app, admins):  # noqa: F811
    admins.session.rollback()
    admin = WebClient(app, "admin_prov")
    added = admin.post(
        "/admin/users/rev_br1/roles",
        {"role": "auditor", "unit_code": "BR1", "valid_from": "2026-01-01"},
    )
    assert added.status_code == 302
    held = admins.session.scalars(
        select(RoleAssignment)
        .join(User, User.id == RoleAssignment.user_id)
        .where(User.username == "rev_br1")
    ).all()
    assert sorted(a.role for a in held) == ["auditor", "reviewer"]
    auditor = next(a for a in held if a.role == "auditor").id
    admins.session.rollback()
    ended = admin.post(f"/admin/roles/{auditor}/end", {"valid_to": "2026-06-30"})
    assert ended.status_code == 302
    assert {"role_assigned", "role_ended"} <= set(changes(admins.session))
    outside = WebClient(app, "admin_br1").post(
        "/admin/users/rev_br1/roles", {"role": "reviewer", "unit_code": "PROV"}
    )
    assert outside.status_code == 403
    assert WebClient(app, "officer1").get("/admin/users/rev_br1").status_code == 403


def test_a_role_is_offered_at_the_accounts_own_unit(app, admins):  # noqa: F811
    """ "Thêm vai trò" starts at the unit where the account works, not the tree's first unit
    (the confederation), which an administrator could confirm without noticing."""
    admins.session.rollback()
    page = WebClient(app, "admin_prov").text("/admin/users/officer1")
    unit_list = re.search(r'<select id="a-unit" name="unit_code">(.*?)</select>', page, re.S)
    assert re.findall(r'<option value="([^"]+)" selected>', unit_list[1]) == ["CS1"]


def test_a_refused_role_keeps_what_was_typed(app, admins):  # noqa: F811
    admins.session.rollback()
    admin = WebClient(app, "admin_prov")
    typed = {"role": "auditor", "unit_code": "BR1", "valid_from": "2026-06-30"}
    refused = admin.post("/admin/users/rev_br1/roles", typed | {"valid_to": "2026-01-01"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert '<option value="auditor" selected>' in page
    assert '<option value="BR1" selected>' in page
    assert 'name="valid_from" type="date" value="2026-06-30"' in page
    assert 'name="valid_to" type="date" value="2026-01-01"' in page


def test_a_branch_admin_sees_only_the_roles_of_an_account_inside_their_branch(app, admins):  # noqa: F811
    """An account holding roles in the branch and at the province: the branch's admin saw its
    province role and email, and forms the domain then refused (it is managed above)."""
    from workflow.accounts import assign_role

    both = admins.add_user("both", "reviewer", "BR1")
    assign_role(admins.session, both, "reviewer", "PROV")
    admins.session.commit()
    branch = WebClient(app, "admin_br1")
    page = branch.text("/admin/users/both")
    assert "Đơn vị BR1" in page
    assert "Đơn vị PROV" not in page
    assert "both@congdoan.test" not in page
    assert "còn giữ 1 vai trò ở đơn vị ngoài phạm vi quản trị của bạn" in page
    assert 'name="full_name"' not in page  # no form the domain would refuse
    listed = branch.text("/admin/users")
    row = listed.split("/admin/users/both", 1)[1].split("</tr>", 1)[0]
    assert "và 1 vai trò ngoài phạm vi của bạn" in row
    assert "both@congdoan.test" not in row
    root = WebClient(app, "admin").text("/admin/users/both")
    assert "Đơn vị PROV" in root
    assert "both@congdoan.test" in root
