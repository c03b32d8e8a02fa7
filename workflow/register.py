"""The register of awards (sổ theo dõi khen thưởng) a deciding unit keeps, one per year.

Each award gets the next entry number of its unit's register in the transaction that signs
its decision, so the register is complete and gapless by construction; a revoked award keeps
its entry and is marked, as a paper register keeps a struck-through line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from workflow import numbering
from workflow.amounts import award_amount
from workflow.documents.access import DECISION_ROLES, may_take, require
from workflow.errors import NotFound
from workflow.models import Decision, Nomination, RegisterEntry, Unit, User
from workflow.numbering import DocumentKind
from workflow.units import name_on
from workflow.vocabulary import State


def enter(
    session: Session, decision: Decision, nominations: list[Nomination]
) -> list[RegisterEntry]:
    """The decision's awards, numbered in the register of its unit and year (in id order)."""
    ordered = sorted(nominations, key=lambda n: n.id)
    last = numbering.next_serial(
        session, decision.unit_id, DocumentKind.REGISTER, decision.year, count=len(ordered)
    )
    entries = [
        RegisterEntry(
            unit_id=decision.unit_id,
            year=decision.year,
            entry_no=last - len(ordered) + index,
            nomination_id=n.id,
            decision_id=decision.id,
        )
        for index, n in enumerate(ordered, start=1)
    ]
    session.add_all(entries)
    return entries


def printed(entry_no: int, year: int) -> str:
    """An entry as the register, its files and the certificates write it: "125/2026"."""
    return f"{entry_no}/{year}"


@dataclass(frozen=True)
class RegisterLine:
    entry: str  # as printed: "125/2026"
    nomination_id: int
    nominee_name: str
    nominee_kind: str
    position: str
    unit_name: str
    award_title: str
    decision_id: int
    decision_number: str
    signed_on: date
    amount: int | None
    revoked: bool


def may_read(actor: User, unit: Unit, day: date) -> bool:
    """Whether the actor reads the unit's register (its decider, council or an auditor above):
    the council's page links it only for them."""
    return may_take(actor, unit, DECISION_ROLES, day)


def entries_of(
    session: Session, actor: User, unit: Unit, year: int, day: date
) -> list[RegisterLine]:
    """The unit's register for ``year``, for its decider, council or an auditor above."""
    require(actor, unit, DECISION_ROLES, day, NotFound("Không có sổ này.", "No such register."))
    rows = session.scalars(
        select(RegisterEntry)
        .where(RegisterEntry.unit_id == unit.id, RegisterEntry.year == year)
        .options(
            joinedload(RegisterEntry.decision),
            joinedload(RegisterEntry.nomination).joinedload(Nomination.award_type),
            joinedload(RegisterEntry.nomination).joinedload(Nomination.origin_unit),
        )
        .order_by(RegisterEntry.entry_no)
    )
    return [
        RegisterLine(
            printed(e.entry_no, e.year),
            e.nomination_id,
            e.nomination.nominee_name,
            e.nomination.nominee_kind,
            str((e.nomination.nominee or {}).get("position", "")),
            name_on(e.nomination.origin_unit, e.decision.signed_on)[0],
            e.nomination.award_type.title,
            e.decision_id,
            e.decision.number,
            e.decision.signed_on,
            award_amount(e.nomination, e.decision.signed_on),
            e.nomination.state == State.REVOKED,
        )
        for e in rows
    ]


def entry_numbers(session: Session, decision_id: int) -> dict[int, str]:
    """Each award of a decision by nomination: its entry as printed ("125/2026")."""
    rows = session.execute(
        select(RegisterEntry.nomination_id, RegisterEntry.entry_no, RegisterEntry.year).where(
            RegisterEntry.decision_id == decision_id
        )
    )
    return {nid: printed(no, year) for nid, no, year in rows}


def years_of(session: Session, unit_id: int, today: date, asked: int | None = None) -> list[int]:
    """The years the unit's register has entries in, this year and the year ``asked`` for
    (the list shows the year the page is headed with), newest first."""
    years = set(
        session.scalars(
            select(RegisterEntry.year).where(RegisterEntry.unit_id == unit_id).distinct()
        )
    )
    return sorted(years | {today.year, asked or today.year}, reverse=True)
