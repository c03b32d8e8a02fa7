"""Reorganising units on the administration pages: each change only inside the administrator's
subtree (the authorization matrix), a refusal keeps what was typed, a closed unit is marked."""

from __future__ import annotations

import re

import pytest

from tests.factories import World
from tests.test_admin_accounts import changes
from tests.test_admin_scope import ADMINS, PATHS, admins  # noqa: F401 - the fixture
from tests.web_client import WebClient
from workflow import units
from workflow.errors import NotAllowed

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


# Each administrator, each action, on a unit inside or outside their subtree (issue 18, acc. 4):
# the unit acted on, the other units the action reaches (which must be administered too), the
# form, and the change the trail then records.
ACTIONS = {
    "rename": ("CS1", [], {"name": "Tên mới"}, "unit_renamed"),
    "move": ("CS1", ["BR2"], {"parent_code": "BR2"}, "unit_moved"),
    "merge": ("CS1", ["CS2"], {"into_code": "CS2"}, "unit_merged"),
    "split": ("BR1", ["PROV"], {"new_code": "BR1X", "new_name": "Tách", "child_codes": "CS1"},
              "unit_split"),
}  # fmt: skip
WHERE = PATHS | {"CS2": "/TLD/PROV/BR1/CS2/"}


def today_of(web: WebClient, code: str) -> str:
    """The app's today, as the page offers it (the latest day a change may take effect)."""
    return re.search(
        r'name="on" type="date" required max="([0-9-]+)"', web.text(f"/admin/units/{code}")
    ).group(1)


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("admin", list(ADMINS))
def test_each_unit_change_inside_the_admins_subtree_only(app, admins, admin, action):  # noqa: F811
    admins.session.rollback()
    web = WebClient(app, admin)
    target, reach, form, change = ACTIONS[action]
    home = WHERE[ADMINS[admin]]
    if not WHERE[target].startswith(home):
        assert web.post(f"/admin/units/{target}/{action}", form).status_code == 404
        return
    answer = web.post(f"/admin/units/{target}/{action}", form | {"on": today_of(web, target)})
    if all(WHERE[code].startswith(home) for code in reach):
        assert answer.status_code == 302, (admin, action, answer.get_data(as_text=True)[:2000])
        assert change in changes(admins.session)
    else:
        assert answer.status_code == 403, (admin, action)
        assert change not in changes(admins.session)


def test_a_refused_change_keeps_what_was_typed(app, world: World) -> None:
    world.session.rollback()
    web = WebClient(app, "admin")
    answer = web.post("/admin/units/BR1/split", {"new_code": "BR1X", "new_name": "Công đoàn Khối Mới",
                                                 "abbreviation": "CĐKM", "on": "2999-01-01",
                                                 "child_codes": "CS2"})  # fmt: skip
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "sau hôm nay" in page
    for typed in ('value="BR1X"', 'value="Công đoàn Khối Mới"', 'value="CĐKM"',
                  'value="2999-01-01"', 'value="CS2" checked'):  # fmt: skip
        assert typed in page, typed


def test_a_closed_unit_is_marked_and_offered_nowhere(app, world: World) -> None:
    now = world.tick()
    units.merge(world.session, world.user("admin"), "CS1", "CS2", now.date(), now=now)
    world.session.rollback()
    web = WebClient(app, "admin")
    tree = web.text("/admin/units")
    assert "đã sáp nhập" in tree
    assert 'value="CS1"' not in web.text("/admin/units/CS3")
    with pytest.raises(NotAllowed):
        units.rename(world.session, world.user("officer2"), "CS2", "X", None, now.date(), now=now)
