"""Amounts of money: the bonus that goes with an award, and how Vietnamese write it."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_CEILING, Decimal

from rules.params import lookup
from rules.words import grouped

ROUND_TO = 10_000


def vnd(amount: int, lang: str = "vi") -> str:
    """1800000 → '1.800.000 đ' ('1,800,000 đ' for an English reader)."""
    return grouped(amount, lang) + " đ"


def bonus_amount(coefficient: Decimal | str, decision_date: date) -> int:
    """Coefficient × lương cơ sở in force on the decision date, rounded up to 10,000 VND.

    Decree 98/2023: the amount is rounded up ("làm tròn số lên hàng chục nghìn đồng").
    """
    base = Decimal(lookup("luong_co_so", decision_date).value)
    raw = Decimal(coefficient) * base
    steps = (raw / ROUND_TO).to_integral_value(rounding=ROUND_CEILING)
    return int(steps) * ROUND_TO


DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
SCALES = ("", "nghìn", "triệu", "tỷ")


def _three(n: int, leading: bool) -> list[str]:
    """Words for 0–999; ``leading`` is False when a higher group precedes (full form)."""
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or not leading:
        words += [DIGITS[hundreds], "trăm"]
    if tens > 1:
        words += [DIGITS[tens], "mươi"]
        if units == 1:
            words.append("mốt")
        elif units == 5:
            words.append("lăm")
        elif units:
            words.append(DIGITS[units])
    elif tens == 1:
        words.append("mười")
        if units:
            words.append("lăm" if units == 5 else DIGITS[units])
    elif units:
        if words:
            words.append("linh")
        words.append(DIGITS[units])
    return words


def vnd_words(amount: int) -> str:
    """An amount in Vietnamese words, as written on decisions: 540000 → 'Năm trăm bốn mươi nghìn đồng'."""
    if not 0 <= amount < 10**12:
        raise ValueError("amount out of range (0 to under a thousand billion đồng)")
    if amount == 0:
        return "Không đồng"
    groups: list[int] = []
    while amount:
        amount, group = divmod(amount, 1000)
        groups.append(group)
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        if groups[index]:
            words += _three(groups[index], leading=not words)
            words += [SCALES[index]] if SCALES[index] else []
    text = " ".join(words)
    return text[0].upper() + text[1:] + " đồng"
