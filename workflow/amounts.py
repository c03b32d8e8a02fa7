"""The money that goes with an award: one function for pages, documents, exports and the trail."""

from __future__ import annotations

from datetime import date

from rules.money import bonus_amount
from rules.params import MissingParameter
from workflow.models import Nomination


def amount_for(coefficient: str | None, signed_on: date) -> int | None:
    """Coefficient × lương cơ sở on the signing date, or None when the award carries no cash
    (or no base salary is known for that day)."""
    try:
        return bonus_amount(coefficient, signed_on) if coefficient else None
    except MissingParameter:
        return None


def award_amount(nomination: Nomination, signed_on: date) -> int | None:
    """The bonus paid with this nomination's award if signed on that day."""
    return amount_for(nomination.award_type.bonus_coefficient, signed_on)
