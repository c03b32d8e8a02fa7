"""Who may know that a nomination exists.

A draft (never submitted) is private to its CĐCS and to auditors and admins above it.
Once submitted, every unit on the path from the origin to the root may see it.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.orm import aliased

from workflow.accounts import active_assignments
from workflow.models import Nomination, Unit, User
from workflow.vocabulary import Role

READ_EVERYTHING_BELOW = frozenset({Role.AUDITOR, Role.ADMIN})


def can_see(actor: User, nomination: Nomination, day: date) -> bool:
    origin_path = nomination.origin_unit.path
    for a in active_assignments(actor, day):
        if not origin_path.startswith(a.unit.path):
            continue
        if a.unit_id == nomination.origin_unit_id or a.role in READ_EVERYTHING_BELOW:
            return True
        if nomination.route is not None:
            return True
    return False


def visible_filter(actor: User, day: date) -> ColumnElement[bool]:
    """The same rule as :func:`can_see`, as a WHERE clause for listing queries.

    First the units below any of the actor's (an indexed condition the database starts from,
    the units read once: no subquery refers to the row being filtered), then, for a role that
    sees only what was sent up, whether it was sent. A district reviewer's dashboard reads the
    district's nominations, not the province's (issue 19)."""
    return condition(seats(actor, day))


Seats = tuple[tuple[str, bool, int], ...]
"""What visibility depends on: for each of a user's seats that day, its unit's path, whether
the role sees everything below it, and its unit's id."""


def seats(actor: User, day: date) -> Seats:
    return tuple(
        sorted(
            {
                (a.unit.path, a.role in READ_EVERYTHING_BELOW, a.unit_id)
                for a in active_assignments(actor, day)
            }
        )
    )


# The units below the actor's, in the condition's subqueries: one alias for every condition
# (a fresh alias per request made SQLAlchemy rebuild its columns each time).
_ORIGIN = aliased(Unit)


@lru_cache(maxsize=4096)
def condition(held: Seats) -> ColumnElement[bool]:
    """:func:`visible_filter` for one set of seats: it depends on nothing else, so it is
    built once per process for each set. Building it was a third of an API read of one
    nomination (issue 19)."""
    below, everything_below, own_units = [], [], []
    for path, sees_everything, unit_id in held:
        under = _ORIGIN.path.startswith(path)
        below.append(under)
        if sees_everything:
            everything_below.append(under)
        else:
            own_units.append(unit_id)
    if not below:
        return false()
    in_subtrees = Nomination.origin_unit_id.in_(select(_ORIGIN.id).where(or_(*below)))
    if not own_units:
        return in_subtrees
    seen = [Nomination.route.is_not(None), Nomination.origin_unit_id.in_(own_units)]
    if everything_below:
        seen.append(Nomination.origin_unit_id.in_(select(_ORIGIN.id).where(or_(*everything_below))))
    return and_(in_subtrees, or_(*seen))
