"""What every change of a nomination does, whoever makes it (an event, an edit, a decision):
lock and load it, check the version the caller saw, move it by the machine in one guarded
UPDATE, and append the audit link that vouches for it as it now is.

The operations themselves: :mod:`workflow.service` (events), :mod:`workflow.nominating`
(creation and editing), :mod:`workflow.signing` (decisions).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import ColumnElement, bindparam, inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from workflow import audit, deadlines, records
from workflow.db import Base
from workflow.errors import InvalidInput, NotFound, StaleVersion
from workflow.events import EVENTS
from workflow.machine import Step, run
from workflow.models import AwardType, Campaign, Nomination, RoleAssignment, Unit, User
from workflow.prepared import Prepared, attached
from workflow.visibility import can_see
from workflow.vocabulary import Event, Level, State


@dataclass(frozen=True)
class Outcome:
    """What an event did, as returned to the caller (and replayed for a retried key)."""

    id: int
    state: str
    version: int
    current_unit: str
    seq: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# What an event locks and reads in one statement: the nomination, its origin (visibility),
# award type and campaign (the rules read its year and targets), by the relationship that
# holds each.
_RELATED = (("origin_unit", Unit), ("award_type", AwardType), ("campaign", Campaign))
_LOCKED = (Nomination, *(model for _, model in _RELATED))


@cache
def _columns(model: type[Base]) -> tuple[tuple[str, ColumnElement[Any]], ...]:
    """Each column attribute of ``model``: its name and its column."""
    return tuple((p.key, p.columns[0]) for p in inspect(model).column_attrs)


@cache
def _locking_statement() -> Prepared:
    """Built once, at the first event (the mappers are configured by then)."""
    # PostgreSQL re-checks these joins against the updated row when a FOR UPDATE waited,
    # and drops the row if a joined key moved: only the award can (load_for_update reads
    # again).
    n, u, a, c = (model.__table__ for model in _LOCKED)
    return Prepared(
        select(*(column for model in _LOCKED for _, column in _columns(model)))
        .select_from(
            n.join(u, u.c.id == n.c.origin_unit_id)
            .join(a, a.c.id == n.c.award_type_id)
            .join(c, c.c.id == n.c.campaign_id)
        )
        .where(n.c.id == bindparam("nomination_id"))
        .with_for_update(of=n)
    )


def _locked(session: Session, nomination_id: int) -> Nomination | None:
    """The nomination and what it is read with, as the session's objects, from one row read
    on the driver (the ORM's loading of it cost a third of an event, issue 19)."""
    rows = _locking_statement().rows(session, {"nomination_id": nomination_id})
    if not rows:
        return None
    values = iter(rows[0])
    nomination, *related = (
        attached(session, model, {name: next(values) for name, _ in _columns(model)})
        for model in _LOCKED
    )
    # Held by the nomination as a joined load holds them: the session keeps its objects
    # only while something refers to them.
    for (name, _), value in zip(_RELATED, related, strict=True):
        set_committed_value(nomination, name, value)
    return cast(Nomination, nomination)


def load_for_update(session: Session, nomination_id: int, actor: User, day: date) -> Nomination:
    """The nomination, locked, if ``actor`` may see it; "not found" otherwise."""
    nomination = _locked(session, nomination_id)
    if nomination is None:
        # Or PostgreSQL dropped it: after waiting for the lock it re-checks the joins against
        # the updated row, and an officer moving it to the campaign's current version changes
        # its award. Read once more, now that nobody else holds it.
        nomination = _locked(session, nomination_id)
    if nomination is None or not can_see(actor, nomination, day):
        raise NotFound(
            f"Không tìm thấy hồ sơ số {nomination_id}.", f"Nomination {nomination_id} not found."
        )
    return nomination


def check_version(nomination: Nomination, expected_version: int) -> None:
    """Refuse a change made on a version other than the one the caller last saw."""
    if nomination.version != expected_version:
        raise StaleVersion(
            "Hồ sơ đã được người khác cập nhật; hãy tải lại trang và thử lại.",
            "The nomination was changed by someone else; reload and try again.",
            {"expected_version": expected_version, "current_version": nomination.version},
        )


def nomination_version(session: Session, nomination_id: int) -> int:
    """The current version, for callers (CLI, demo) that act on the latest state."""
    version = session.scalar(select(Nomination.version).where(Nomination.id == nomination_id))
    if version is None:
        raise NotFound(
            f"Không tìm thấy hồ sơ số {nomination_id}.", f"Nomination {nomination_id} not found."
        )
    return version


def record(
    session: Session,
    nomination: Nomination,
    actor: User,
    assignment: RoleAssignment | None,
    event: Event,
    before: tuple[str | None, str | None],
    to_unit: str,
    now: datetime,
    comment: str | None,
    data: dict[str, Any],
    also: tuple[Base, ...] = (),
    removed: tuple[str, ...] = (),
) -> Outcome:
    """Append the audit link describing a change already applied; say what happened.

    ``before`` is (state, unit code) before the event, (None, None) at creation. The link
    vouches for the nomination as it now is, and for ``also`` (a file added with it).
    """
    seq = audit.append(
        session,
        nomination.id,
        now,
        {
            "event": event.value,
            "actor": actor.username,
            "acting_for": assignment.acting_for.username
            if assignment and assignment.acting_for
            else None,
            "role": assignment.role if assignment else None,
            "unit": assignment.unit.code if assignment else None,
            "from_state": before[0],
            "to_state": nomination.state,
            "from_unit": before[1],
            "to_unit": to_unit,
            "to_unit_id": nomination.current_unit_id,
            "version": nomination.version,
            "comment": comment,
            "data": data,
            "records": records.digests(nomination, *also) | dict.fromkeys(removed, audit.DELETED),
        },
    )
    return Outcome(nomination.id, nomination.state, nomination.version, to_unit, seq)


# Every column an event may change. The UPDATE names only those that change: SQLite then
# leaves alone every index on the others (a decision's, a deadline's), which halved what an
# approval wrote (issue 19).
_NOMINATIONS = Base.metadata.tables["nominations"]
_MUTABLE = frozenset(
    (
        "rule_set_version",  # these two: what the rules said at submit (workflow.checks)
        "checks_at_submit",
        "due_on",
        "submitted_on",
        "state",
        "current_unit_id",
        "route",
        "route_codes",
        "vote",
        "notice_ends_on",
        "decision_id",
        "updated_at",
    )
)


@cache
def _update_statement(names: frozenset[str]) -> Prepared:
    """The UPDATE of ``names`` guarded by the version, built once per set of columns."""
    return Prepared(
        update(_NOMINATIONS)
        .where(
            _NOMINATIONS.c.id == bindparam("b_id"),
            _NOMINATIONS.c.version == bindparam("b_version"),
        )
        .values(
            {name: bindparam(f"b_{name}") for name in sorted(names)}
            | {"version": _NOMINATIONS.c.version + 1}
        )
    )


def _persist(session: Session, nomination: Nomination, changes: dict[str, Any]) -> None:
    """Write the event's changes with one UPDATE … WHERE version = seen, no unit of work.

    The ORM object is then marked as holding the committed values, so nothing is flushed
    twice; a version that moved underneath (it cannot, under the row lock) is refused.
    """
    unknown = changes.keys() - _MUTABLE
    if unknown:
        raise TypeError(f"an event does not write {sorted(unknown)}")
    changed = {name: value for name, value in changes.items() if value != getattr(nomination, name)}
    params = {f"b_{k}": v for k, v in changed.items()} | {
        "b_id": nomination.id,
        "b_version": nomination.version,
    }
    if _update_statement(frozenset(changed)).execute(session, params) != 1:
        raise StaleVersion(
            "Hồ sơ đã được người khác cập nhật; hãy tải lại trang và thử lại.",
            "The nomination was changed by someone else; reload and try again.",
        )
    for name, value in {**changed, "version": nomination.version + 1}.items():
        set_committed_value(nomination, name, value)


_UNITS_ABOVE = Prepared(
    select(Unit.id, Unit.code, Unit.level).where(Unit.id.in_(bindparam("ids", expanding=True)))
)


def compute_route(
    session: Session, origin: Unit, award_type: AwardType
) -> tuple[list[int], list[str]]:
    """Unit ids and codes from the origin's parent up to the unit that decides the award."""
    ancestors = origin.ancestor_ids[:-1]
    units = {
        unit_id: (code, level)
        for unit_id, code, level in _UNITS_ABOVE.rows(session, {"ids": ancestors})
    }
    ids: list[int] = []
    for unit_id in reversed(ancestors):
        ids.append(unit_id)
        code, level = units[unit_id]
        if (award_type.decider_unit_code or None) in (None, code) and (
            award_type.decider_unit_code == code or level == award_type.decider_level
        ):
            return ids, [units[i][0] for i in ids]
    where = award_type.decider_unit_code or Level(award_type.decider_level).vi
    raise InvalidInput(
        f"Không có đơn vị quyết định ({where}) phía trên đơn vị đề nghị.",
        f"No deciding unit ({award_type.decider_unit_code or award_type.decider_level}) above "
        "the proposing unit.",
        {"award_type": "no_deciding_unit"},
    )


def _unit_code(nomination: Nomination, unit_id: int, route: list[int], codes: list[str]) -> str:
    """A unit on the nomination's path (it is always at its origin or on its route)."""
    if unit_id == nomination.origin_unit_id:
        return nomination.origin_unit.code
    return codes[route.index(unit_id)]


def apply(
    session: Session,
    nomination: Nomination,
    event: Event,
    today: date,
    now: datetime,
    vote: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
) -> tuple[tuple[str, str], str]:
    """Run the machine, persist the result; return (state, unit) before and the unit after."""
    changes = dict(changes or {})
    route = changes.get("route", nomination.route) or []
    codes = changes.get("route_codes", nomination.route_codes) or []
    before = (nomination.state, _unit_code(nomination, nomination.current_unit_id, route, codes))
    step = Step(
        nomination.state,
        nomination.current_unit_id,
        nomination.origin_unit_id,
        list(route or []),
        vote_passes=bool(vote and vote["passes"]),
    )
    run(step, event.value)
    changes.update(state=step.state, current_unit_id=step.unit_id, updated_at=now)
    if vote is not None:
        changes["vote"] = vote["vote"]
    changes["due_on"] = deadlines.due_after(
        nomination.award_type, EVENTS[event.value].clock, step.state, nomination.due_on, today
    )
    if step.state == State.ON_NOTICE:
        changes["notice_ends_on"] = today + timedelta(days=nomination.award_type.notice_days)
    elif before[0] == State.ON_NOTICE:
        changes["notice_ends_on"] = None
    to_unit = _unit_code(nomination, step.unit_id, route, codes)
    _persist(session, nomination, changes)
    session.expire(nomination, ["current_unit"])  # reloaded on use: it may have moved
    return before, to_unit
