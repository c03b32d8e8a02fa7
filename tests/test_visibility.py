"""Lists, counts and the dashboard filter with ``visible_filter``; opening one nomination asks
``can_see``. Both must draw the same line for every role, or a list would show what its page
then refuses (or hide what a user may open)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tests.factories import USERS
from tests.test_checks_index import campaign_with_history
from workflow.models import Nomination
from workflow.visibility import can_see, seats, visible_filter

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


def test_a_token_lists_and_opens_what_its_user_may(world):
    """The API reads with the roles read beside the token, not the user's objects: the same
    seats and the same inbox, on either side of a substitute's window."""
    from workflow import queries, tokens

    campaign_with_history(world, 7)
    world.add_substitute()
    session = world.session
    for name in [*USERS, "stand_in"]:
        user = world.user(name)
        token, _ = tokens.issue(session, user, now=world.now)
        bearer = tokens.resolve(session, token, now=world.now)
        assert bearer is not None
        assert bearer.id == user.id
        for day in (date(2025, 10, 31), date(2025, 11, 1), date(2025, 11, 30), date(2025, 12, 1)):
            assert seats(bearer, day) == seats(user, day), (name, day)
            for rows in (False, True):
                as_user = queries.inbox(session, user, day, rows=rows).items
                as_bearer = queries.inbox(session, bearer, day, rows=rows).items
                assert [n.id for n in as_bearer] == [n.id for n in as_user], (name, day)
            may_open = {n.id for n in session.scalars(select(Nomination)) if can_see(user, n, day)}
            assert every_listed(session, bearer, day) == may_open, (name, day)


def every_listed(session, reader, day):
    """Every page of the API's list."""
    from workflow import queries

    ids, cursor = set(), None
    while True:
        page = queries.list_nominations(session, reader, day, rows=True, cursor=cursor, limit=200)
        ids |= {n.id for n in page.items}
        if page.next_cursor is None:
            return ids
        cursor = page.next_cursor
