"""Dated parameters: every number a rule uses, with the dates it is in force and its source.

Rules never hard-code thresholds; they ask :func:`value` for the one in force on the
campaign's reference date. A campaign may override a parameter for its own awards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any


@dataclass(frozen=True)
class Param:
    name: str
    value: Any
    source: str
    valid_from: date | None = None
    valid_to: date | None = None

    def in_force(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


D = date
LAW_2022 = D(2024, 1, 1)
LAST_DAY_2003_LAW = D(2023, 12, 31)

PARAMS: tuple[Param, ...] = (
    # Ratings that count as "hoàn thành tốt nhiệm vụ trở lên" (Law 2022 art. 24(1)).
    Param("ldtt.ratings", ("HTXSNV", "HTTNV"), "Luật TĐKT 2022, Điều 24 khoản 1"),
    # Before 2024 a CSTĐ cơ sở needed an initiative; from 2024 HTXSNV alone may do.
    Param("cstdcs.initiative_mandatory", True, "Luật TĐKT 2003, Điều 23", None, LAST_DAY_2003_LAW),
    Param("cstdcs.initiative_mandatory", False, "Luật TĐKT 2022, Điều 23", LAW_2022),
    # CSTĐ cơ sở at most 15 % of the unit's LĐTT (ND 91/2017 k.3 Đ.9), until 31/12/2023.
    Param("cstdcs.quota_ratio", Decimal("0.15"), "NĐ 91/2017/NĐ-CP, Điều 9 khoản 3", None,
          LAST_DAY_2003_LAW),
    Param("cstd_tinh.consecutive_years", 3, "Luật TĐKT 2022, Điều 22; NĐ 98/2023"),
    Param("bk74.consecutive_years", 2, "Luật TĐKT 2022, Điều 74 khoản 1 điểm d", LAW_2022),
    Param("bk74.initiatives", 2, "Luật TĐKT 2022, Điều 74 khoản 1 điểm d", LAW_2022),
    Param("bk_tld.initiatives", 2, "QĐ 1689/QĐ-TLĐ 2019, Điều 14 khoản 1"),
    Param("ldst.threshold.basic", 80_000_000, "QĐ 1564/QĐ-TLĐ 2014, Điều 16"),
    Param("ldst.threshold.basic_3y_sum", 120_000_000, "QĐ 1564/QĐ-TLĐ 2014, Điều 16"),
    Param("ldst.threshold.graduate", 150_000_000, "QĐ 1564/QĐ-TLĐ 2014, Điều 16"),
    Param("ldst.threshold.leader", 200_000_000, "QĐ 1564/QĐ-TLĐ 2014, Điều 16"),
    Param("exclusion.absent_days", 40, "Quy chế CĐCS (mẫu Lâm Đồng 2021)"),
    Param("exclusion.months_employed", 10, "Quy chế CĐCS (mẫu Lâm Đồng 2021)"),
    Param("exclusion.discipline_levels", ("khien_trach", "canh_cao", "ha_bac", "cach_chuc",
                                          "buoc_thoi_viec"), "Luật TĐKT 2022; quy chế CĐCS"),
    Param("cdcs.months_operating", 12, "HD 1294/HD-TLĐ 2019"),
    Param("cdcs.months_operating_reorganised", 6, "HD 1294/HD-TLĐ 2019"),
    Param("atvsld.min_score", 96, "HD 168/HD-TLĐ 2015"),
    # Lương cơ sở (base salary) in VND, by date.
    Param("luong_co_so", 1_490_000, "NĐ 38/2019/NĐ-CP", D(2019, 7, 1), D(2023, 6, 30)),
    Param("luong_co_so", 1_800_000, "NĐ 24/2023/NĐ-CP", D(2023, 7, 1), D(2024, 6, 30)),
    Param("luong_co_so", 2_340_000, "NĐ 73/2024/NĐ-CP", D(2024, 7, 1)),
)  # fmt: skip


class MissingParameter(LookupError):
    """No value of this parameter is in force on that date (the table has a gap)."""


@cache
def lookup(name: str, day: date) -> Param:
    """The parameter in force on ``day`` (cached: the table is fixed for the process)."""
    for param in PARAMS:
        if param.name == name and param.in_force(day):
            return param
    raise MissingParameter(f"no parameter '{name}' in force on {day.isoformat()}")


def value(name: str, day: date, overrides: dict[str, Any] | None = None) -> Any:
    """The value in force on ``day``; a campaign's own override wins."""
    found = overrides[name] if overrides and name in overrides else lookup(name, day).value
    # A list parameter overridden by one string means a list of one, not of its letters.
    return (found,) if isinstance(found, str) else found


def version_data() -> list[dict[str, Any]]:
    """The table as data, so a rule-set version can hash it."""
    return [
        {"name": p.name, "value": str(p.value), "from": str(p.valid_from), "to": str(p.valid_to)}
        for p in PARAMS
    ]
