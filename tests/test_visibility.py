"""Lists, counts and the dashboard filter with ``visible_filter``; opening one nomination asks
``can_see``. Both must draw the same line for every role, or a list would show what its page
then refuses (or hide what a user may open)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.factories import USERS
from tests.test_checks_index import campaign_with_history
from workflow.models import Nomination
from workflow.visibility import can_see, visible_filter

DAY = date(2025, 11, 20)


def test_every_role_lists_exactly_the_nominations_it_may_open(world):
    campaign_with_history(world, 7)
    session = world.session
    nominations = session.scalars(select(Nomination)).all()
    assert {n.route is None for n in nominations} == {True, False}
    for name in USERS:
        actor = world.user(name)
        listed = set(session.scalars(select(Nomination.id).where(visible_filter(actor, DAY))))
        may_open = {n.id for n in nominations if can_see(actor, n, DAY)}
        assert listed == may_open, name
    assert listed, "the last user (an administrator at the top) sees everything"
