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
    """The same rule as :func:`can_see`, as a WHERE clause for listing queries."""
    origin = aliased(Unit)
    clauses = []
    for a in active_assignments(actor, day):
        below = origin.path.startswith(a.unit.path)
        if a.role in READ_EVERYTHING_BELOW:
            clauses.append(below)
        else:
            clauses.append(
                or_(
                    Nomination.origin_unit_id == a.unit_id,
                    and_(below, Nomination.route.is_not(None)),
                )
            )
    if not clauses:
        return false()
    subtree = select(origin.id).where(or_(*clauses))
    return Nomination.origin_unit_id.in_(subtree.scalar_subquery())
