"""The batches documents are made of, read from the audit trail.

A proposal letter (tờ trình) covers what one unit sent up to its parent; the minutes cover
what the council of one unit voted. Both are facts of the trail, not of the current state
(a nomination forwarded last week may since have moved on), so they are read from the
audit events. Each event body is canonical JSON, so a unit's code appears in it as the
exact text ``"from_unit":"CODE"``: the database filters on that text, Python confirms.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, joinedload

from workflow.clock import parse_iso_utc, vn_date
from workflow.models import AuditEvent, Campaign, Nomination, Sitting, Unit
from workflow.vocabulary import Event

FORWARDING = frozenset({Event.SUBMIT.value, Event.RESUBMIT.value, Event.APPROVE.value})


@dataclass(frozen=True)
class Step:
    """One audited event of a nomination and the Vietnamese date it happened on."""

    nomination: Nomination
    event: dict[str, Any]
    day: date


@dataclass(frozen=True)
class Batch:
    """What a unit handled on one day in one campaign (one proposal letter, one meeting).
    A meeting held as a sitting is one batch of its own, named by its numbered minutes:
    two sittings on one day are two sets of minutes."""

    unit: Unit
    campaign: Campaign
    day: date
    count: int
    sitting_id: int | None = None
    minutes_number: str | None = None


def sitting_of(step: Step) -> tuple[int, str] | None:
    """The sitting that recorded a vote (its id and minutes number), if one did."""
    data = step.event.get("data") or {}
    return (data["sitting"], data.get("minutes") or "") if "sitting" in data else None


def _steps(session: Session, unit: Unit, marker: str, campaign_id: int | None) -> list[Step]:
    """Events whose body contains ``marker``, of nominations from the unit's subtree (only
    those can pass through it), oldest first."""
    origin = aliased(Unit)
    query = (
        select(AuditEvent.body, Nomination)
        .join(Nomination, Nomination.id == AuditEvent.nomination_id)
        .join(origin, origin.id == Nomination.origin_unit_id)
        .where(
            origin.path.startswith(unit.path, autoescape=True),
            AuditEvent.body.contains(marker, autoescape=True),
        )
        .options(
            joinedload(Nomination.award_type),
            joinedload(Nomination.origin_unit),
            joinedload(Nomination.campaign),
        )
        .order_by(AuditEvent.seq)
    )
    if campaign_id is not None:
        query = query.where(Nomination.campaign_id == campaign_id)
    steps = []
    for body, nomination in session.execute(query):
        event = json.loads(body)
        steps.append(Step(nomination, event, vn_date(parse_iso_utc(event["at"]))))
    return steps


def _forwardings(session: Session, unit: Unit, campaign_id: int | None) -> list[Step]:
    """Every time the unit sent a nomination up: the CĐCS's submit or resubmit, a tier's
    approve that moved it to the next tier (approving at the deciding unit moves nothing)."""
    marker = f'"from_unit":{json.dumps(unit.code)}'
    return [
        step
        for step in _steps(session, unit, marker, campaign_id)
        if step.event["event"] in FORWARDING
        and step.event["from_unit"] == unit.code
        and step.event["to_unit"] != unit.code
    ]


def _votes(session: Session, unit: Unit, campaign_id: int | None) -> list[Step]:
    """Every vote the unit's council recorded (``"unit"`` is where the actor acted)."""
    marker = f'"unit":{json.dumps(unit.code)}'
    return [
        step
        for step in _steps(session, unit, marker, campaign_id)
        if step.event["event"] == Event.VOTE and step.event["unit"] == unit.code
    ]


def _latest(steps: list[Step], on: date | None) -> list[Step]:
    """The last step per nomination (on that day, if given), in nomination order."""
    latest = {s.nomination.id: s for s in steps if on is None or s.day == on}
    return [latest[nid] for nid in sorted(latest)]


def forwarded(session: Session, unit: Unit, campaign_id: int, on: date | None = None) -> list[Step]:
    """The batch a proposal letter lists: each nomination the unit sent up in the campaign
    (on day ``on`` only, if given), at its latest sending."""
    return _latest(_forwardings(session, unit, campaign_id), on)


def voted(session: Session, unit: Unit, campaign_id: int, on: date | None = None) -> list[Step]:
    """The votes minutes record: each nomination's latest vote by the unit's council in the
    campaign (on day ``on`` only, if given; a re-vote after an objection replaces the first)."""
    return _latest(_votes(session, unit, campaign_id), on)


def _by_day(unit: Unit, steps: list[Step], by_sitting: bool = False) -> list[Batch]:
    groups: dict[tuple[int, date, tuple[int, str] | None], set[int]] = defaultdict(set)
    campaigns: dict[int, Campaign] = {}
    for step in steps:
        campaign = step.nomination.campaign
        campaigns[campaign.id] = campaign
        sitting = sitting_of(step) if by_sitting else None
        groups[(campaign.id, step.day, sitting)].add(step.nomination.id)
    ordered = sorted(
        groups.items(), key=lambda g: (g[0][1], g[0][0], g[0][2] or (0, "")), reverse=True
    )
    return [
        Batch(unit, campaigns[cid], day, len(ids), *(sitting or (None, None)))
        for (cid, day, sitting), ids in ordered
    ]


def forwarded_batches(session: Session, unit: Unit) -> list[Batch]:
    """One entry per campaign and day the unit sent nominations up, newest first."""
    return _by_day(unit, _forwardings(session, unit, None))


def council_meetings(session: Session, unit: Unit) -> list[Batch]:
    """One entry per campaign and day the unit's council voted, and per sitting, newest
    first. A sitting is dated as its minutes are, the day it was held (its votes are recorded
    when it closes, which may be the next day, or the next year)."""
    batches = _by_day(unit, _votes(session, unit, None), by_sitting=True)
    ids = [b.sitting_id for b in batches if b.sitting_id is not None]
    held: dict[int | None, date] = {}
    if ids:
        rows = session.execute(select(Sitting.id, Sitting.held_on).where(Sitting.id.in_(ids)))
        held.update((sitting_id, day) for sitting_id, day in rows)
    dated = [replace(b, day=held.get(b.sitting_id, b.day)) for b in batches]
    return sorted(dated, key=lambda b: (b.day, b.campaign.id, b.sitting_id or 0), reverse=True)
