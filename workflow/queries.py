"""Read models for lists and detail pages: what a user may see, in few queries."""

from __future__ import annotations

import json
import statistics
from collections import Counter, namedtuple
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, and_, bindparam, extract, false, func, or_, select
from sqlalchemy.orm import Session, aliased, defaultload, defer, joinedload

from workflow import audit, deadlines
from workflow.accounts import active_assignments
from workflow.campaigns import known_titles
from workflow.clock import campaign_year, parse_iso_utc, vn_date
from workflow.errors import InvalidInput
from workflow.folding import fold
from workflow.models import (
    MAX_ID,
    AuditEvent,
    AwardType,
    Campaign,
    Decision,
    Nomination,
    Unit,
    User,
)
from workflow.prepared import Prepared
from workflow.units import name_on
from workflow.visibility import (
    Reader,
    arguments,
    can_see,
    condition,
    seats,
    shape,
    visible_filter,
)
from workflow.vocabulary import Event, Level, Role, State

Item = TypeVar("Item")


@dataclass(frozen=True)
class Page(Generic[Item]):
    items: list[Item]
    next_cursor: str | None


PAGE_MAX = 200
# Where each role acts on what is pending at its unit.
PENDING_FOR = {
    Role.REVIEWER: (State.IN_REVIEW,),
    Role.COUNCIL: (State.UNDER_COUNCIL, State.ON_NOTICE),
    Role.DECIDER: (State.ON_NOTICE, State.AWARDED),
}


def parse_cursor(cursor: str | None) -> int | None:
    if cursor in (None, ""):
        return None
    if not (cursor.isascii() and cursor.isdigit()) or len(cursor) > 12:
        raise InvalidInput(
            "Con trỏ trang không hợp lệ.", "Invalid page cursor.", {"cursor": "invalid"}
        )
    after = int(cursor)
    # Every key is below a cursor beyond the largest: the list from its newest (PostgreSQL
    # refuses to compare its integer keys with a larger number).
    return None if after > MAX_ID else after


# What a list row or a nomination's page shows beside the nomination, in the same query.
_SHOWN_WITH = (
    joinedload(Nomination.origin_unit, innerjoin=True),
    joinedload(Nomination.current_unit, innerjoin=True),
    joinedload(Nomination.award_type, innerjoin=True),
    joinedload(Nomination.campaign, innerjoin=True),
)


# What no list shows, read and parsed for every row otherwise: the rules' stored answers, and
# the campaign's plan (some 14 KB of JSON, repeated on every row of the join).
_NOT_LISTED = (
    defer(Nomination.checks_at_submit),
    defer(Nomination.checks_latest),
    defaultload(Nomination.campaign).defer(Campaign.definition),
)


def visible_nomination(
    session: Session, actor: User, nomination_id: int, day: date
) -> Nomination | None:
    """One nomination with its units, award and campaign (one query, not five), if the actor
    may see it."""
    n = session.scalars(
        select(Nomination).options(*_SHOWN_WITH).where(Nomination.id == nomination_id)
    ).one_or_none()
    return n if n is not None and can_see(actor, n, day) else None


_origin, _current = aliased(Unit), aliased(Unit)
# A list row as the API shows it, plain: the nomination's own columns under their names, and
# the codes of its campaign, award and units. Building objects and their joined objects for
# every row was the larger part of an inbox request (issue 19); pages that show names and
# titles read objects.
_ROWS = select(
    Nomination.id,
    Nomination.state,
    Nomination.version,
    Nomination.nominee_kind,
    Nomination.nominee_name,
    Nomination.nominee,
    Nomination.facts,
    Nomination.achievements,
    Nomination.route_codes,
    Nomination.vote,
    Nomination.notice_ends_on,
    Nomination.decision_id,
    Nomination.rule_set_version,
    Nomination.created_at,
    Nomination.updated_at,
    Campaign.code.label("campaign_code"),
    AwardType.code.label("award_type_code"),
    _origin.code.label("origin_unit_code"),
    _current.code.label("current_unit_code"),
).select_from(
    Nomination.__table__.join(Campaign, Campaign.id == Nomination.campaign_id)
    .join(AwardType, AwardType.id == Nomination.award_type_id)
    .join(_origin, _origin.id == Nomination.origin_unit_id)
    .join(_current, _current.id == Nomination.current_unit_id)
)


NominationRow = namedtuple("NominationRow", _ROWS.selected_columns.keys())  # type: ignore[misc]
"""A row of :data:`_ROWS`, read by the driver."""


# Shapes are few, and a Prepared keeps its plans on the dialect for good: none is evicted.
@cache
def _one_visible(flags: tuple[bool, ...]) -> Prepared:
    return Prepared(_ROWS.where(Nomination.id == bindparam("id"), condition(flags)))


def visible_row(session: Session, actor: Reader, nomination_id: int, day: date) -> Any:
    """One nomination as the API answers it (a :class:`NominationRow`), if the actor may see
    it: the lists' condition, which ``tests/test_visibility.py`` holds to :func:`can_see`,
    run on the driver (building and compiling it each time was most of an API read)."""
    held = seats(actor, day)
    found = _one_visible(shape(held)).rows(session, {"id": nomination_id, **arguments(held)})
    return NominationRow(*found[0]) if found else None


def _window(cursor: str | None, limit: int) -> tuple[int, int]:
    """Keyset pagination, newest first: the largest id a page may show, and its size."""
    after = parse_cursor(cursor)
    return (MAX_ID if after is None else after - 1), min(max(limit, 1), PAGE_MAX)


def _paged(found: list[Item], size: int) -> Page[Item]:
    """A page from up to ``size + 1`` rows read (one more says a next page exists)."""
    items = found[:size]
    return Page(items, str(items[-1].id) if len(found) > size and items else None)  # type: ignore[attr-defined]


def _page(
    session: Session,
    where: list[ColumnElement[bool]],
    params: dict[str, Any],
    cursor: str | None,
    limit: int,
) -> Page[Nomination]:
    """Nominations with what lists show beside them: one query whatever the page size."""
    upto, size = _window(cursor, limit)
    query = (
        select(Nomination)
        .where(*where, Nomination.id <= upto)
        .options(*_SHOWN_WITH, *_NOT_LISTED)
        .order_by(Nomination.id.desc())
        .limit(size + 1)
    )
    return _paged(list(session.scalars(query, params)), size)


def _listed(where: list[ColumnElement[bool]]) -> Prepared:
    """A list's rows of :data:`_ROWS`, run on the driver for any cursor and page size."""
    return Prepared(
        _ROWS.where(*where, Nomination.id <= bindparam("upto"))
        .order_by(Nomination.id.desc())
        .limit(bindparam("size"))
    )


def _row_page(
    session: Session, listed: Prepared, params: dict[str, Any], cursor: str | None, limit: int
) -> Page[Any]:
    """A page of :class:`NominationRow`: building, compiling and typing the ORM statement
    for every request was most of an API list's cost (issue 19)."""
    upto, size = _window(cursor, limit)
    found = listed.rows(session, {**params, "upto": upto, "size": size + 1})
    return _paged([NominationRow(*row) for row in found], size)


def _filtered(given: frozenset[str]) -> list[ColumnElement[bool]]:
    """The lists' common filters among ``given``, their values as parameters of the same
    names; ``unit`` is a unit's code: nominations proposed by it or by any unit below it."""
    where: list[ColumnElement[bool]] = []
    if "campaign" in given:
        where.append(Nomination.campaign.has(Campaign.code == bindparam("campaign")))
    if "year" in given:
        where.append(Nomination.campaign.has(Campaign.year == bindparam("year")))
    if "award_type" in given:
        where.append(Nomination.award_type.has(AwardType.code == bindparam("award_type")))
    if "unit" in given:
        chosen = select(Unit.path).where(Unit.code == bindparam("unit")).scalar_subquery()
        where.append(Nomination.origin_unit.has(Unit.path.startswith(chosen)))
    return where


def _given(**values: Any) -> dict[str, Any]:
    """The filters a caller chose (an empty one is none)."""
    return {name: value for name, value in values.items() if value not in (None, "")}


@dataclass(frozen=True)
class Choices:
    """What the lists' filters offer the actor: pickers, never code boxes."""

    campaigns: list[tuple[str, str]]  # code, title; newest first
    years: list[int]
    awards: list[tuple[str, str]]  # code, title
    units: list[tuple[str, str, int]]  # code, name, depth below the actor's own unit


def filter_choices(session: Session, actor: User, day: date) -> Choices:
    """The campaigns, years and awards there are, and the units of the actor's subtrees."""
    campaigns = session.execute(
        select(Campaign.code, Campaign.title).order_by(Campaign.year.desc(), Campaign.code)
    ).all()
    years = sorted(set(session.scalars(select(Campaign.year))), reverse=True)
    awards = known_titles(session)
    roots = [a.unit for a in active_assignments(actor, day)]
    units: dict[str, tuple[str, str, int]] = {}
    for root in sorted(roots, key=lambda u: u.path):
        below = session.execute(
            select(Unit.code, Unit.name, Unit.path)
            .where(Unit.path.startswith(root.path, autoescape=True))
            .order_by(Unit.path)
            .limit(5000)
        )
        for code, name, path in below:
            depth = path.count("/") - root.path.count("/")
            units.setdefault(code, (code, name, depth))
    return Choices([(c, t) for c, t in campaigns], years, awards, list(units.values()))


def list_nominations(
    session: Session,
    actor: Reader,
    day: date,
    *,
    state: str | None = None,
    campaign: str | None = None,
    award_type: str | None = None,
    unit: str | None = None,
    year: int | None = None,
    q: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
    rows: bool = False,
) -> Page[Any]:
    """What the actor may see, filtered; ``unit`` is the proposing (origin) unit's code and
    ``q`` a part of the nominee's name, compared without diacritics or case ("anh tuyet"
    finds "Nguyễn Thị Ánh Tuyết", typed composed or decomposed). ``rows``: plain rows of the
    API's columns instead of nominations."""
    held = seats(actor, day)
    text = _like_escaped(fold(q[:100])) if q and q.strip() else None
    given = _given(state=state, campaign=campaign, award_type=award_type, unit=unit, year=year)
    if text is not None:
        given["text"] = text
    params = {**arguments(held), **given}
    if rows:
        return _row_page(session, _list_rows(shape(held), frozenset(given)), params, cursor, limit)
    return _page(session, _list_where(shape(held), frozenset(given)), params, cursor, limit)


def _like_escaped(text: str) -> str:
    """``text`` for a LIKE with ``/`` as its escape: its wildcards are letters."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _list_where(flags: tuple[bool, ...], given: frozenset[str]) -> list[ColumnElement[bool]]:
    where = [condition(flags), *_filtered(given)]
    if "state" in given:
        where.append(Nomination.state == bindparam("state"))
    if "text" in given:
        where.append(Nomination.nominee_search.contains(bindparam("text"), escape="/"))
    return where


@cache  # as _one_visible
def _list_rows(flags: tuple[bool, ...], given: frozenset[str]) -> Prepared:
    """One statement per shape of seats and set of filters, built once per process."""
    return _listed(_list_where(flags, given))


def inbox(
    session: Session,
    actor: Reader,
    day: date,
    *,
    campaign: str | None = None,
    award_type: str | None = None,
    unit: str | None = None,
    year: int | None = None,
    due_by: date | None = None,
    cursor: str | None = None,
    limit: int = 50,
    rows: bool = False,
) -> Page[Any]:
    """What is waiting for the actor: pending at a unit where they hold the acting role.
    ``rows``: plain rows of the API's columns instead of nominations."""
    duty = sorted(
        {
            (a.unit_id, tuple(s.value for s in states))
            for a in actor.assignments
            for role, states in PENDING_FOR.items()
            if a.role == role and a.active_on(day)
        }
    )
    waiting = tuple(states for _, states in duty)
    given = _given(campaign=campaign, award_type=award_type, unit=unit, year=year, due_by=due_by)
    params = {**{f"duty_{i}": unit_id for i, (unit_id, _) in enumerate(duty)}, **given}
    if rows:
        return _row_page(session, _inbox_rows(waiting, frozenset(given)), params, cursor, limit)
    return _page(session, _inbox_where(waiting, frozenset(given)), params, cursor, limit)


def _inbox_where(
    waiting: tuple[tuple[str, ...], ...], given: frozenset[str]
) -> list[ColumnElement[bool]]:
    """``waiting``: for each unit where the actor acts (parameter ``duty_<i>``), the states
    waiting for them there."""
    clauses = [
        (Nomination.current_unit_id == bindparam(f"duty_{i}")) & Nomination.state.in_(states)
        for i, states in enumerate(waiting)
    ]
    where = [or_(*clauses) if clauses else false(), *_filtered(given)]
    if "due_by" in given:
        where.append(Nomination.due_on <= bindparam("due_by"))
    return where


@cache  # as _one_visible
def _inbox_rows(waiting: tuple[tuple[str, ...], ...], given: frozenset[str]) -> Prepared:
    """One statement per shape of duties and set of filters, built once per process."""
    return _listed(_inbox_where(waiting, given))


@dataclass(frozen=True)
class Dashboard:
    overdue: int
    due_soon: int
    by_state: list[tuple[State, int]]
    in_review_by_level: list[tuple[Level, int]]
    median_days_by_level: list[tuple[Level, float]]
    total: int


WIDE_VIEW = 5000  # nominations seen: beyond, the dashboard's waits come from the latest links


def dashboard(
    session: Session,
    actor: User,
    day: date,
    trail_limit: int = 2000,
    year: int | None = None,
) -> Dashboard:
    """Counts by state and by tier, what is overdue or due soon, and the median time a
    nomination waits at each tier over the latest ``trail_limit`` events; of the campaigns
    of ``year`` only, when given (a second year's counts otherwise add to the first's).

    Counted in the database in one pass over the visible nominations (a condition, never a
    list of ids: a province's auditor sees more nominations than PostgreSQL takes
    parameters); the units' levels are joined in Python (a few hundred units)."""
    seen = visible_filter(actor, day)
    if year is not None:
        seen = and_(
            seen, Nomination.campaign_id.in_(select(Campaign.id).where(Campaign.year == year))
        )
    waiting = Nomination.state.in_([s.value for s in deadlines.ESCALATED])
    counted = session.execute(
        select(
            Nomination.current_unit_id,
            Nomination.state,
            func.count(),
            func.count().filter(waiting, Nomination.due_on < day),
            func.count().filter(waiting, Nomination.due_on.between(day, deadlines.soon_until(day))),
        )
        .where(seen)
        .group_by(Nomination.current_unit_id, Nomination.state)
    ).all()
    units = session.execute(select(Unit.id, Unit.code, Unit.level)).all()
    level_of = {unit_id: level for unit_id, _, level in units}
    states: Counter[str] = Counter()
    tiers: Counter[str] = Counter()
    overdue = due_soon = 0
    for unit_id, state, count, late, soon in counted:
        states[state] += count
        overdue, due_soon = overdue + late, due_soon + soon
        if state == State.IN_REVIEW:
            tiers[level_of[unit_id]] += count
    levels = {code: level for _, code, level in units}
    dwell: dict[str, list[float]] = {}
    arrived: dict[int, tuple[str, datetime]] = {}
    mine = select(Nomination.id).where(seen)
    if sum(states.values()) <= WIDE_VIEW:
        trail = select(AuditEvent.body).where(AuditEvent.nomination_id.in_(mine))
    else:
        # Whoever sees a province finds their latest events among the trail's latest links:
        # a range of the primary key read backwards, not every visible nomination's whole
        # trail (``+ 0`` keeps the planner off the per-nomination index).
        newest = select(func.max(AuditEvent.seq)).scalar_subquery()
        trail = select(AuditEvent.body).where(
            AuditEvent.seq > newest - 10 * trail_limit, (AuditEvent.nomination_id + 0).in_(mine)
        )
    latest = session.scalars(trail.order_by(AuditEvent.seq.desc()).limit(trail_limit)).all()
    for body in reversed(latest):
        event = json.loads(body)
        at = parse_iso_utc(event["at"])
        nid = event["nomination_id"]
        if nid in arrived:
            unit, since = arrived.pop(nid)
            dwell.setdefault(levels.get(unit, ""), []).append((at - since).total_seconds() / 86400)
        if event["to_state"] == State.IN_REVIEW:
            arrived[nid] = (event["to_unit"], at)
    order = list(Level)
    return Dashboard(
        overdue=overdue,
        due_soon=due_soon,
        by_state=[(s, states[s.value]) for s in State if states[s.value]],
        in_review_by_level=[(lvl, tiers[lvl.value]) for lvl in order if tiers[lvl.value]],
        median_days_by_level=[
            (lvl, round(statistics.median(dwell[lvl.value]), 1))
            for lvl in order
            if dwell.get(lvl.value)
        ],
        total=sum(states.values()),
    )


def on_notice(
    session: Session,
    actor: User,
    day: date,
    roles: tuple[Role, ...] = (Role.COUNCIL, Role.DECIDER),
) -> list[Nomination]:
    """On public notice at the units where the actor holds one of ``roles`` (the notice list;
    with the decider role alone, what the decider can sign)."""
    units = [a.unit_id for a in active_assignments(actor, day) if a.role in roles]
    return list(
        session.scalars(
            select(Nomination)
            .options(joinedload(Nomination.award_type), joinedload(Nomination.origin_unit))
            .where(Nomination.current_unit_id.in_(units), Nomination.state == State.ON_NOTICE)
            .order_by(Nomination.notice_ends_on, Nomination.id)
        )
    )


def notice_board(
    session: Session, actor: User, day: date
) -> tuple[list[Nomination], list[Nomination]]:
    """The notice list split on ``day``: still on notice (until the day their notice ends),
    and those whose notice has ended, from that day on signable, waiting for the decision
    (they are no longer "đang công khai", though their state is the same)."""
    items = on_notice(session, actor, day)
    still = [n for n in items if n.notice_ends_on is None or n.notice_ends_on > day]
    return still, [n for n in items if n not in still]


_TRAIL_UNITS = ("unit", "from_unit", "to_unit")
_TRAIL_PEOPLE = ("actor", "acting_for")


def full_names(session: Session, usernames: Iterable[str]) -> dict[str, str]:
    """Each username's person, as pages name them (a username no account has is left out)."""
    wanted = set(usernames)
    rows = session.execute(
        select(User.username, User.full_name).where(User.username.in_(wanted))
    ).all()
    return dict(rows)


def campaign_years(session: Session, today: date) -> list[int]:
    """The years a campaign is of, newest first, with the year under review today: what a
    year picker offers (not the eight years before today, most of them empty)."""
    years = set(session.scalars(select(Campaign.year).distinct())) | {campaign_year(today)}
    return sorted(years, reverse=True)


def decision_years(session: Session, today: date) -> list[int]:
    """The years decisions were signed in, newest first, with this year."""
    signed = session.scalars(select(extract("year", Decision.signed_on)).distinct())
    return sorted({int(y) for y in signed} | {today.year}, reverse=True)


def nominee_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Each nomination's nominee, for a result that lists them by number (the caller passes
    only nominations its user may see)."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(Nomination.id, Nomination.nominee_name).where(Nomination.id.in_(wanted))
    )
    return {nid: name for nid, name in rows}


def units_by_code(session: Session, codes: Iterable[str]) -> dict[str, Unit]:
    wanted = set(codes)
    return {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_(wanted)))}


def readable_trail(session: Session, nomination_id: int) -> list[dict[str, Any]]:
    """A nomination's trail as people read it: beside each username and unit code its link
    recorded, the person's full name and the unit's name on the event's day (a unit renamed
    since is shown as it was). The codes stay: they are what the link vouches for."""
    trail = audit.trail(session, nomination_id)
    units = units_by_code(session, (e[k] for e in trail for k in _TRAIL_UNITS if e.get(k)))
    people = full_names(session, (e[k] for e in trail for k in _TRAIL_PEOPLE if e.get(k)))
    for e in trail:
        e["file_change"] = _file_change(e)
        day = vn_date(parse_iso_utc(e["at"]))
        for key in _TRAIL_UNITS:
            unit = units.get(e.get(key) or "")
            e[f"{key}_name"] = name_on(unit, day)[0] if unit else e.get(key)
        for key in _TRAIL_PEOPLE:
            e[f"{key}_name"] = people.get(e.get(key) or "", e.get(key))
    return trail


def _file_change(entry: dict[str, Any]) -> str | None:
    """A file added to or taken out of the dossier is recorded as an edit: say which."""
    data = entry.get("data") or {}
    if entry["event"] != Event.EDIT.value:
        return None
    if data.get("attachment"):
        return "attached"
    return "removed" if data.get("removed_attachment") else None


# The states a person puts a nomination in with a reason the page shows at its top.
_SAID_WHY = (State.RETURNED, State.REJECTED, State.REVOKED, State.WITHDRAWN)


def stated_reason(trail: list[dict[str, Any]], state: str) -> dict[str, Any] | None:
    """The event of ``trail`` that left the nomination in ``state``, when its actor gave a
    reason (returned, rejected, revoked, withdrawn, or sent back down a tier and still in
    review there: the tier below must read why as the proposing unit would); None otherwise."""
    if state == State.IN_REVIEW:
        last = trail[-1] if trail and trail[-1].get("event") == Event.RETURN else None
    elif state in _SAID_WHY:
        last = next((e for e in reversed(trail) if e.get("to_state") == state), None)
    else:
        return None
    return last if last is not None and last.get("comment") else None


def route_names(session: Session, nomination: Nomination) -> list[str]:
    """The names of the units a nomination goes through above its origin, in order."""
    ids = nomination.route or []
    names: dict[int, str] = dict(
        session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids))).all()
    )
    return [names[i] for i in ids if i in names]
