"""Who may know that a nomination exists.

A draft (never submitted) is private to its CĐCS and to auditors and admins above it.
Once submitted, every unit on the path from the origin to the root may see it.
"""

from __future__ import annotations

from datetime import date

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
    origin = aliased(Unit)
    below, everything_below, own_units = [], [], []
    for a in active_assignments(actor, day):
        under = origin.path.startswith(a.unit.path)
        below.append(under)
        if a.role in READ_EVERYTHING_BELOW:
            everything_below.append(under)
        else:
            own_units.append(a.unit_id)
    if not below:
        return false()
    in_subtrees = Nomination.origin_unit_id.in_(select(origin.id).where(or_(*below)))
    if not own_units:
        return in_subtrees
    seen = [Nomination.route.is_not(None), Nomination.origin_unit_id.in_(own_units)]
    if everything_below:
        seen.append(Nomination.origin_unit_id.in_(select(origin.id).where(or_(*everything_below))))
    return and_(in_subtrees, or_(*seen))
