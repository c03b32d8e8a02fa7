"""A signed decision as people read it: who is awarded what, and how much money goes with it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select, true
from sqlalchemy.orm import Session, joinedload, selectinload

from rules.money import vnd_words
from workflow.amounts import award_amount
from workflow.errors import NotFound
from workflow.models import Decision, Nomination, User
from workflow.units import name_on
from workflow.visibility import can_see, visible_filter
from workflow.vocabulary import State


@dataclass(frozen=True)
class DecisionLine:
    nomination_id: int
    nominee_name: str
    position: str
    unit_name: str
    award_title: str
    amount: int | None  # None: no cash attached to this award (or no base salary that day)
    nominee_kind: str  # "individual" or "collective"
    revoked: bool = False  # revoked since: still on the decision as signed, no certificate


@dataclass(frozen=True)
class DecisionView:
    decision: Decision
    lines: list[DecisionLine]
    total: int
    total_words: str
    # The nominations the reader may open: a decision of the province lists those of every
    # CĐCS, and a CĐCS officer sees only its own (the others are named, not linked).
    openable: frozenset[int] = frozenset()


def visible_decision(session: Session, actor: User, decision_id: int, day: date) -> Decision:
    """The decision if it covers a nomination ``actor`` may see; "not found" otherwise."""
    decision = session.get(Decision, decision_id)
    if decision is None or not any(can_see(actor, n, day) for n in decision.nominations):
        raise NotFound(
            f"Không có quyết định số {decision_id}.", f"Decision {decision_id} not found."
        )
    return decision


def decision_view(session: Session, actor: User, decision_id: int, day: date) -> DecisionView:
    decision = visible_decision(session, actor, decision_id, day)
    openable = frozenset(n.id for n in decision.nominations if can_see(actor, n, day))
    return replace(view_of(decision), openable=openable)


def view_of(decision: Decision) -> DecisionView:
    """The list with each bonus and the total, whoever asks: the page shows it after its
    visibility check, the signed document (workflow/documents) after its own."""
    lines = []
    for n in sorted(decision.nominations, key=lambda n: n.id):
        amount = award_amount(n, decision.signed_on)
        lines.append(
            DecisionLine(
                n.id,
                n.nominee_name,
                str((n.nominee or {}).get("position", "")),
                name_on(n.origin_unit, decision.signed_on)[0],
                n.award_type.title,
                amount,
                n.nominee_kind,
                n.state == State.REVOKED,
            )
        )
    total = sum(line.amount or 0 for line in lines)
    return DecisionView(decision, lines, total, vnd_words(total))


def visible_decisions(
    session: Session, actor: User, day: date, limit: int = 500, year: int | None = None
) -> list[DecisionView]:
    """The decisions covering a nomination the actor may see (signed in ``year``, if given),
    newest first, with totals."""
    seen = select(Nomination.decision_id).where(
        Nomination.decision_id.is_not(None), visible_filter(actor, day)
    )
    decisions = session.scalars(
        select(Decision)
        .where(Decision.id.in_(seen), Decision.year == year if year else true())
        .options(
            selectinload(Decision.nominations).options(
                joinedload(Nomination.award_type), joinedload(Nomination.origin_unit)
            ),
            joinedload(Decision.unit),
            joinedload(Decision.signer),
        )
        .order_by(Decision.signed_on.desc(), Decision.id.desc())
        .limit(limit)
    )
    return [view_of(d) for d in decisions]
