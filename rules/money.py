"""Amounts of money: the bonus that goes with an award, and how Vietnamese write it."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, Decimal

from rules.params import lookup

ROUND_TO = 10_000


def vnd(amount: int) -> str:
    """1800000 → '1.800.000 đ' (Vietnamese thousands separator)."""
    return f"{amount:,}".replace(",", ".") + " đ"


def bonus_amount(coefficient: Decimal | str, decision_date: date) -> int:
    """Coefficient × lương cơ sở in force on the decision date, rounded up to 10,000 VND.

    Decree 98/2023: the amount is rounded up ("làm tròn số lên hàng chục nghìn đồng").
    """
    base = Decimal(lookup("luong_co_so", decision_date).value)
    raw = Decimal(coefficient) * base
    steps = (raw / ROUND_TO).to_integral_value(rounding=ROUND_CEILING)
    return int(steps) * ROUND_TO
