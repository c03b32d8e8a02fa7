"""Who may act on a nomination: the role each event needs (read from the event table,
:mod:`workflow.events`), and the assignment that grants it.

Seeing a nomination is :mod:`workflow.visibility`'s; administration's reach is
:mod:`workflow.accounts`'s (``require_admin``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from workflow.accounts import active_assignments, unit_by_code
from workflow.deadlines import missed_filing
from workflow.errors import InvalidInput, NotAllowed
from workflow.events import EVENTS
from workflow.machine import allowed_events
from workflow.models import Nomination, RoleAssignment, User
from workflow.vocabulary import Event, Role, State

EDITABLE_STATES = tuple(State(s) for s in EVENTS[Event.EDIT].roles)


def role_for(event: str, state: str) -> Role:
    """The role that fires ``event`` on a nomination in ``state``, as the event table says.

    An event, or a state, the table does not give a role to is refused: nobody may fire it.
    """
    spec = EVENTS.get(event)
    role = spec.roles.get(state) if spec is not None else None
    if role is None:
        name = spec.vi if spec is not None else event
        raise NotAllowed(
            f"Không ai được '{name}' hồ sơ ở trạng thái '{State(state).vi}'.",
            f"Nobody may '{spec.en if spec is not None else event}' a nomination that is "
            f"'{State(state).en}'.",
            {"event": str(event), "state": str(state)},
        )
    return role


def acting_unit(nomination: Nomination, role: Role) -> int:
    """Where ``role`` must be held to act: officers at the origin, the others where it is."""
    return nomination.origin_unit_id if role is Role.OFFICER else nomination.current_unit_id


def acting_assignment(actor: User, role: Role, unit_id: int, day: date) -> RoleAssignment | None:
    """The assignment that lets ``actor`` act; their own role wins over a substitution."""
    matching = [
        a for a in active_assignments(actor, day) if a.role == role and a.unit_id == unit_id
    ]
    matching.sort(key=lambda a: a.acting_for_id is not None)
    return matching[0] if matching else None


def officer_assignment(
    session: Session, actor: User, unit_code: str | None, day: date
) -> RoleAssignment:
    """The grassroots-officer role through which ``actor`` proposes (for ``unit_code`` when
    they are an officer at several units)."""
    officer_roles = [a for a in active_assignments(actor, day) if a.role == Role.OFFICER]
    if unit_code is not None:
        unit = unit_by_code(session, unit_code)
        officer_roles = [a for a in officer_roles if a.unit_id == unit.id]
    if not officer_roles:
        raise NotAllowed(
            "Chỉ cán bộ công đoàn cơ sở mới lập được hồ sơ đề nghị cho đơn vị mình.",
            "Only a grassroots officer may create a nomination for their own unit.",
            {"required_role": Role.OFFICER.value},
        )
    if len({a.unit_id for a in officer_roles}) > 1:
        raise InvalidInput(
            "Bạn là cán bộ ở nhiều đơn vị: hãy chọn đơn vị đề nghị.",
            "You are an officer at several units: choose the proposing unit.",
            {"unit": "required"},
        )
    return sorted(officer_roles, key=lambda a: a.acting_for_id is not None)[0]


def available_events(actor: User, nomination: Nomination, day: date) -> list[Event]:
    """The events this actor may fire on this nomination now (what the UI offers); those
    fired only through another operation (``decide``: signing a decision) are left out, and
    so is sending a draft whose filing deadline has passed (its rule would refuse it)."""
    found: list[Event] = []
    closed = missed_filing(nomination, day) is not None
    for name in sorted(allowed_events(nomination.state)):
        spec = EVENTS.get(name)
        if spec is None or not spec.direct or nomination.state not in spec.roles:
            continue
        if closed and spec.event is Event.SUBMIT:
            continue
        role = spec.roles[nomination.state]
        if acting_assignment(actor, role, acting_unit(nomination, role), day) is not None:
            found.append(spec.event)
    return found


def may_edit(actor: User, nomination: Nomination, day: date) -> bool:
    """A draft or returned nomination, and ``actor`` an officer of its origin."""
    return nomination.state in EDITABLE_STATES and (
        acting_assignment(actor, Role.OFFICER, nomination.origin_unit_id, day) is not None
    )
