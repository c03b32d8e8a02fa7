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

    Each unit subquery stands alone (no reference to the nomination being filtered), so the
    database reads the units once and hashes them: a reviewer's dashboard over 100,000
    nominations used to re-run it for every row (issue 19)."""
    origin = aliased(Unit)
    everything_below, sent_below, own_units = [], [], []
    for a in active_assignments(actor, day):
        if a.role in READ_EVERYTHING_BELOW:
            everything_below.append(origin.path.startswith(a.unit.path))
        else:
            sent_below.append(origin.path.startswith(a.unit.path))
            own_units.append(a.unit_id)
    clauses: list[ColumnElement[bool]] = []
    if everything_below:
        units = select(origin.id).where(or_(*everything_below)).scalar_subquery()
        clauses.append(Nomination.origin_unit_id.in_(units))
    if sent_below:
        units = select(origin.id).where(or_(*sent_below)).scalar_subquery()
        clauses.append(and_(Nomination.route.is_not(None), Nomination.origin_unit_id.in_(units)))
        clauses.append(Nomination.origin_unit_id.in_(own_units))
    return or_(*clauses) if clauses else false()
