"""Dated parameters: every number a rule uses, with the dates it is in force and its source.

Rules never hard-code thresholds: each rule declares the parameters it reads
(``@rule(..., params=(...))``) and reads them through a :class:`Params` reader, which gives
the value in force on the campaign's reference date, or the campaign's own override. A
parameter's :class:`Kind` is derived from its values here, so a campaign override can be
checked when the campaign is validated rather than fail (or silently pass) every nomination.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from rules import words


def within(day: date, valid_from: date | None, valid_to: date | None) -> bool:
    """Whether ``day`` falls in a validity period (an open end is unbounded): the one test
    for dated parameters, rule clauses and legal bases."""
    return (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to)


@dataclass(frozen=True)
class Param:
    name: str
    value: Any
    source: str
    valid_from: date | None = None
    valid_to: date | None = None

    def in_force(self, day: date) -> bool:
        return within(day, self.valid_from, self.valid_to)


D = date
DAY = timedelta(days=1)  # a clause ends the day before the next one begins
LAW_2022 = D(2024, 1, 1)
LAST_DAY_2003_LAW = D(2023, 12, 31)
# Decree 91/2017 (31/07/2017; taken as in force from that day) detailed the 2003 law until
# Decree 98/2023 replaced it on 01/01/2024.
DECREE_91 = D(2017, 7, 31)
# The union's Quy chế khen thưởng, each replaced by the next on the day it was signed
# (sources.md §0): 1564/QĐ-TLĐ, 2106/QĐ-TLĐ, 1689/QĐ-TLĐ, 999/QĐ-TLĐ.
QUY_CHE_1564 = D(2014, 12, 24)
QUY_CHE_2106 = D(2017, 12, 28)
QUY_CHE_1689 = D(2019, 11, 12)
QUY_CHE_999 = D(2024, 5, 29)
HD_1294 = D(2019, 8, 14)  # CĐCS grading guidance
HD_1217 = D(2016, 8, 11)  # "toàn diện" vs "chuyên đề" in one year
HD_196 = D(2015, 2, 12)  # "Giỏi việc nước, đảm việc nhà"
HD_149 = D(2015, 2, 4)  # Kỷ niệm chương "Vì sự nghiệp xây dựng tổ chức Công đoàn"

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
    Param("bk74.consecutive_years", 2, "NĐ 91/2017/NĐ-CP, Điều 39 khoản 1", DECREE_91,
          LAST_DAY_2003_LAW),
    Param("bk74.consecutive_years", 2, "Luật TĐKT 2022, Điều 74 khoản 1 điểm d", LAW_2022),
    Param("bk74.initiatives", 2, "NĐ 91/2017/NĐ-CP, Điều 39 khoản 1", DECREE_91,
          LAST_DAY_2003_LAW),
    Param("bk74.initiatives", 2, "Luật TĐKT 2022, Điều 74 khoản 1 điểm d", LAW_2022),
    # Two consecutive CSTĐ cơ sở titles suffice from 2024; before, only the HTXSNV route.
    Param("bk74.cstdcs_alternative", False, "NĐ 91/2017/NĐ-CP, Điều 39 khoản 1", DECREE_91,
          LAST_DAY_2003_LAW),
    Param("bk74.cstdcs_alternative", True, "Luật TĐKT 2022, Điều 74 khoản 1 điểm d", LAW_2022),
    Param("bk_tld.initiatives", 2, "QĐ 1689/QĐ-TLĐ 2019, Điều 14 khoản 1"),
    Param("ldst.threshold.basic", 80_000_000, "QĐ 1564/QĐ-TLĐ 2014, Điều 16"),
    Param("ldst.threshold.basic_3y_sum", 120_000_000, "QĐ 1564/QĐ-TLĐ 2014, Điều 16"),
    Param("ldst.threshold.graduate", 150_000_000, "QĐ 1564/QĐ-TLĐ 2014, Điều 16"),
    Param("ldst.threshold.leader", 200_000_000, "QĐ 1564/QĐ-TLĐ 2014, Điều 16"),
    Param("exclusion.absent_days", 40, "Quy chế CĐCS (mẫu Lâm Đồng 2021)"),
    # Registered by 25/01 (schools 20/10): a later registration counts only where the plan
    # says so (the award's rule spec sets it true).
    Param("registration.late_accepted", False, "Hướng dẫn 64/LĐLĐ huyện Lý Nhân 2018"),
    Param("exclusion.months_employed", 10, "Quy chế CĐCS (mẫu Lâm Đồng 2021)"),
    # "Kỷ luật từ khiển trách trở lên" and administrative sanctions (Lâm Đồng 2021, rule 16).
    Param("exclusion.discipline_levels", ("khien_trach", "canh_cao", "ha_bac", "keo_dai_nang_luong",
                                          "giang_chuc", "cach_chuc", "buoc_thoi_viec", "sa_thai",
                                          "xu_phat_hanh_chinh"), "Quy chế CĐCS (mẫu Lâm Đồng 2021)"),
    Param("cdcs.months_operating", 12, "HD 1294/HD-TLĐ 2019"),
    Param("cdcs.months_operating_reorganised", 6, "HD 1294/HD-TLĐ 2019"),
    Param("atvsld.min_score", 96, "HD 168/HD-TLĐ 2015"),
    # Absent council members vote in writing, counted against all members (ND 91/2017 k.8
    # Đ.45); the brief finds no rule before it, and none confirmed after 2024.
    Param("vote.absent_in_writing", False, "Không có căn cứ trong tài liệu (trước NĐ 91/2017)",
          None, DECREE_91 - DAY),
    Param("vote.absent_in_writing", True, "NĐ 91/2017/NĐ-CP, Điều 45 khoản 8", DECREE_91,
          LAST_DAY_2003_LAW),
    Param("vote.absent_in_writing", True,
          "Chưa xác nhận từ 2024 (NĐ 98/2023); áp dụng như NĐ 91/2017, Điều 45 khoản 8", LAW_2022),
    # A provincial federation's council: at most 9 members (QĐ 2106/QĐ-TLĐ 2017, Điều 35).
    Param("council.max_members", 9, "QĐ 2106/QĐ-TLĐ 2017, Điều 35", QUY_CHE_2106),
    # Lương cơ sở (base salary) in VND, by date: the decree that set each rate.
    Param("luong_co_so", 1_210_000, "NĐ 47/2016/NĐ-CP", D(2016, 5, 1), D(2017, 6, 30)),
    Param("luong_co_so", 1_300_000, "NĐ 47/2017/NĐ-CP", D(2017, 7, 1), D(2018, 6, 30)),
    Param("luong_co_so", 1_390_000, "NĐ 72/2018/NĐ-CP", D(2018, 7, 1), D(2019, 6, 30)),
    Param("luong_co_so", 1_490_000, "NĐ 38/2019/NĐ-CP", D(2019, 7, 1), D(2023, 6, 30)),
    Param("luong_co_so", 1_800_000, "NĐ 24/2023/NĐ-CP", D(2023, 7, 1), D(2024, 6, 30)),
    Param("luong_co_so", 2_340_000, "NĐ 73/2024/NĐ-CP", D(2024, 7, 1)),
)  # fmt: skip


# The CĐCS grades, lowest first (HD 1294/HD-TLĐ 2019).
CDCS_GRADES = tuple(reversed(words.GRADES))


@dataclass(frozen=True)
class Kind:
    """What a value of a parameter may be, in words for messages and docs/campaigns.md."""

    vi: str
    en: str
    accepts: Callable[[Any], bool]


def _whole(low: int, high: int | None = None) -> Callable[[Any], bool]:
    """Whole numbers in a range; ``True`` is an int to Python, but as a number it is a mistake."""
    return lambda v: (
        isinstance(v, int) and not isinstance(v, bool) and low <= v and (high is None or v <= high)
    )


def _ratio(v: Any) -> bool:
    """A number or numeric string ("0.15") from 0 to 1: rules read it as ``Decimal(str(v))``."""
    if isinstance(v, bool) or not isinstance(v, int | float | Decimal | str):
        return False
    try:
        return Decimal(0) <= Decimal(str(v)) <= Decimal(1)
    except InvalidOperation:  # "abc"; "NaN" compares as an error, too
        return False


def _texts(v: Any) -> bool:
    """A list of strings, or one string meaning a list of one."""
    items = [v] if isinstance(v, str) else v
    return (
        isinstance(items, list | tuple) and bool(items) and all(isinstance(i, str) for i in items)
    )


# Bounded, so that no accepted override can break a rule: a count of years is looped over,
# and a huge ratio would be multiplied out into a number with millions of digits.
NUMBER = Kind("số nguyên không âm", "integer ≥ 0", _whole(0))
YEARS = Kind("số nguyên từ 1 đến 10", "integer from 1 to 10", _whole(1, 10))
BOOLEAN = Kind("true hoặc false", "boolean", lambda v: isinstance(v, bool))
RATIO = Kind("số thập phân từ 0 đến 1", "decimal from 0 to 1", _ratio)
TEXTS = Kind("danh sách chuỗi", "list of text", _texts)
NARROWER = {"cstd_tinh.consecutive_years": YEARS, "bk74.consecutive_years": YEARS}
"""Dated parameters whose kind is narrower than their values' type says."""


def one_of(choices: tuple[str, ...]) -> Kind:
    listed = ", ".join(choices)
    return Kind(
        f"một trong {listed}", f"one of {listed}", lambda v: isinstance(v, str) and v in choices
    )


@dataclass(frozen=True)
class Undated:
    """A parameter with no dated value: only a campaign sets it, else ``default`` applies.

    Kept apart from :data:`PARAMS` so the rule-set version (which hashes that table) of every
    campaign stays what it was."""

    name: str
    kind: Kind
    default: Any
    source: str


UNDATED = {
    u.name: u
    for u in (Undated("min_grade", one_of(CDCS_GRADES), "hoan_thanh_tot", "HD 1294/HD-TLĐ 2019"),)
}


def _kind_of(value: Any) -> Kind:
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return NUMBER
    if isinstance(value, Decimal):  # the table's only decimals are ratios
        return RATIO
    if isinstance(value, tuple):
        return TEXTS
    raise TypeError(f"no kind for a parameter value {value!r}")


@cache
def kind(name: str) -> Kind:
    """The kind of a parameter: declared when undated, else that of its dated values (which
    must agree, or an override valid on one date would break the rule on another)."""
    if name in UNDATED:
        return UNDATED[name].kind
    kinds = {_kind_of(p.value) for p in PARAMS if p.name == name}
    if not kinds:
        raise ValueError(f"parameter '{name}' is not in rules/params.py")
    if len(kinds) > 1:
        raise ValueError(f"the dated values of parameter '{name}' are of different kinds")
    return NARROWER.get(name, kinds.pop())


class MissingParameter(LookupError):
    """No value of this parameter is in force on that date (the table has a gap)."""


class UndeclaredParameter(LookupError):
    """A rule read a parameter it does not declare: a campaign could not override it, and
    docs/campaigns.md would not list it. A programming error, raised wherever it happens."""


@cache
def lookup(name: str, day: date) -> Param:
    """The parameter in force on ``day`` (cached: the table is fixed for the process)."""
    for param in PARAMS:
        if param.name == name and param.in_force(day):
            return param
    raise MissingParameter(f"no parameter '{name}' in force on {day.isoformat()}")


def value(name: str, day: date, overrides: Mapping[str, Any] | None = None) -> Any:
    """The value in force on ``day``; a campaign's own override wins."""
    if overrides and name in overrides:
        found = overrides[name]
    elif name in UNDATED:
        found = UNDATED[name].default
    else:
        found = lookup(name, day).value
    # A list parameter overridden by one string means a list of one, not of its letters.
    return (found,) if isinstance(found, str) and kind(name) is TEXTS else found


class Params:
    """The parameters one rule may read, handed to it by the registry: reading a name the
    rule did not declare raises :class:`UndeclaredParameter`."""

    __slots__ = ("_day", "_declared", "_overrides", "_rule")

    def __init__(
        self, rule: str, declared: Collection[str], day: date, overrides: Mapping[str, Any]
    ) -> None:
        self._rule = rule
        self._declared = declared
        self._day = day
        self._overrides = overrides

    def _check(self, name: str) -> None:
        if name not in self._declared:
            raise UndeclaredParameter(
                f"rule {self._rule} reads parameter '{name}' but declares only "
                f"{sorted(self._declared) or 'none'}"
            )

    def __call__(self, name: str) -> Any:
        """The value in force on the reference date, or the campaign's override."""
        self._check(name)
        return value(name, self._day, self._overrides)

    def dated(self, name: str) -> Param:
        """The table's entry in force (for its source and dates), whatever the override."""
        self._check(name)
        return lookup(name, self._day)


def version_data() -> list[dict[str, Any]]:
    """The table as data, so a rule-set version can hash it."""
    return [
        {"name": p.name, "value": str(p.value), "from": str(p.valid_from), "to": str(p.valid_to)}
        for p in PARAMS
    ]
