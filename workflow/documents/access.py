"""Who may take each generated document away.

A document lists a whole batch, so it follows the roles that handle the batch at its unit
rather than the per-nomination visibility: the decision goes to the decider and council of
the issuing unit, the proposal letter to whoever forwarded the batch (the CĐCS officer or
the tier's reviewer), the minutes to the council and decider. Auditors read everything in
their subtree, so an auditor at or above the unit may take any of them.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from workflow.accounts import active_assignments, units_below
from workflow.errors import NotFound
from workflow.models import Unit, User
from workflow.vocabulary import Role

DECISION_ROLES = frozenset({Role.DECIDER, Role.COUNCIL})
PROPOSAL_ROLES = frozenset({Role.OFFICER, Role.REVIEWER})
MINUTES_ROLES = frozenset({Role.COUNCIL, Role.DECIDER})


def may_take(actor: User, unit: Unit, roles: frozenset[Role], day: date) -> bool:
    """One of ``roles`` at the unit itself, or auditor at or above it, on ``day``."""
    for a in active_assignments(actor, day):
        if a.role in roles and a.unit_id == unit.id:
            return True
        if a.role == Role.AUDITOR and unit.path.startswith(a.unit.path):
            return True
    return False


def require(actor: User, unit: Unit, roles: frozenset[Role], day: date, missing: NotFound) -> None:
    """Refuse as ``missing`` (a 404: whether the document exists is not told) unless
    :func:`may_take` allows it."""
    if not may_take(actor, unit, roles, day):
        raise missing


def audited_units(session: Session, actor: User, day: date) -> list[Unit]:
    """The units an auditor may look into (theirs and everything below), in tree order."""
    return units_below(session, actor, Role.AUDITOR, day)


def units_with(actor: User, roles: frozenset[Role], day: date) -> list[Unit]:
    """The units where the actor holds one of ``roles`` (where their batches come from)."""
    found = {a.unit_id: a.unit for a in active_assignments(actor, day) if a.role in roles}
    return sorted(found.values(), key=lambda u: u.path)
