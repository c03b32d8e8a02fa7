"""Who may know that a nomination exists.

A draft (never submitted) is private to its CĐCS and to auditors and admins above it.
Once submitted, every unit on the path from the origin to the root may see it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import Any, Protocol

from sqlalchemy import ColumnElement, String, and_, bindparam, false, or_, select
from sqlalchemy.orm import aliased

from workflow.accounts import active_assignments
from workflow.models import Nomination, Unit, User
from workflow.vocabulary import Role

READ_EVERYTHING_BELOW = frozenset({Role.AUDITOR, Role.ADMIN})


class _Placed(Protocol):
    @property
    def path(self) -> str: ...


class Seat(Protocol):
    """A role held at a unit, as a read needs it."""

    @property
    def role(self) -> str: ...

    @property
    def unit_id(self) -> int: ...

    @property
    def unit(self) -> _Placed: ...

    def active_on(self, day: date) -> bool: ...


class Reader(Protocol):
    """Whoever lists or opens nominations: a :class:`~workflow.models.User`, or the bearer of
    an API token (``tokens.Bearer``: the roles read with the token, no object loaded)."""

    @property
    def assignments(self) -> Sequence[Seat]: ...


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


def visible_filter(actor: Reader, day: date) -> ColumnElement[bool]:
    """The same rule as :func:`can_see`, as a WHERE clause for listing queries.

    First the units below any of the actor's (an indexed condition the database starts from,
    the units read once: no subquery refers to the row being filtered), then, for a role that
    sees only what was sent up, whether it was sent. A district reviewer's dashboard reads the
    district's nominations, not the province's (issue 19)."""
    held = seats(actor, day)
    return _built(shape(held), arguments(held))


Seats = tuple[tuple[str, bool, int], ...]
"""What visibility depends on: for each of a user's seats that day, its unit's path, whether
the role sees everything below it, and its unit's id."""


def seats(actor: Reader, day: date) -> Seats:
    return tuple(
        sorted(
            {
                (a.unit.path, a.role in READ_EVERYTHING_BELOW, a.unit_id)
                for a in actor.assignments
                if a.active_on(day)
            }
        )
    )


def shape(held: Seats) -> tuple[bool, ...]:
    """What the condition's SQL depends on: for each seat, whether it sees everything below."""
    return tuple(sees_everything for _, sees_everything, _ in held)


def arguments(held: Seats) -> dict[str, Any]:
    """The values of :func:`condition`'s parameters for these seats."""
    values: dict[str, Any] = {f"seat_{i}": path for i, (path, _, _) in enumerate(held)}
    own = [unit_id for _, sees_everything, unit_id in held if not sees_everything]
    if own:
        values["seat_units"] = own
    return values


# The units below the actor's, in the condition's subqueries: one alias for every condition
# (a fresh alias per request made SQLAlchemy rebuild its columns each time).
_ORIGIN = aliased(Unit)


@lru_cache(maxsize=256)
def condition(flags: tuple[bool, ...]) -> ColumnElement[bool]:
    """:func:`visible_filter` for seats of one :func:`shape`, with the paths and units as
    parameters (:func:`arguments`): a handful of shapes, so it is built once per process, and
    a statement holding it is compiled once. Building it for every request was a third of an
    API read of one nomination (issue 19)."""
    return _built(flags, None)


def _built(flags: tuple[bool, ...], values: dict[str, Any] | None) -> ColumnElement[bool]:
    """The condition, its parameters given ``values`` (a statement's own) or left open."""

    def parameter(name: str, **kind: Any) -> Any:
        if values is None:
            return bindparam(name, **kind)
        return bindparam(name, values[name], unique=True, **kind)

    if not flags:
        return false()
    below, everything_below = [], []
    for i, sees_everything in enumerate(flags):
        under = _ORIGIN.path.startswith(parameter(f"seat_{i}", type_=String))
        below.append(under)
        if sees_everything:
            everything_below.append(under)
    in_subtrees = Nomination.origin_unit_id.in_(select(_ORIGIN.id).where(or_(*below)))
    if all(flags):
        return in_subtrees
    seen = [
        Nomination.route.is_not(None),
        Nomination.origin_unit_id.in_(parameter("seat_units", expanding=True)),
    ]
    if everything_below:
        seen.append(Nomination.origin_unit_id.in_(select(_ORIGIN.id).where(or_(*everything_below))))
    return and_(in_subtrees, or_(*seen))
