"""The council's vote threshold: yes / base ≥ ratio, in integers."""

from __future__ import annotations


def vote_passes(yes: int, members: int, present: int, ratio: tuple[int, int], base: str) -> bool:
    """``base`` is 'members' (all council members) or 'present'; a tie at the ratio passes."""
    num, den = ratio
    counted = members if base == "members" else present
    return counted > 0 and yes * den >= num * counted
