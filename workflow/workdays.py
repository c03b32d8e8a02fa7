"""Working days (ngày làm việc) for deadlines, from a holiday calendar kept as data.

Deadlines between union tiers are counted in working days of the civil-service schedule
(cán bộ, công chức, viên chức), which the union offices follow. Which days are off changes
every year by a Government notice (Tết, the second Quốc khánh day, day swaps), so the
calendar is data in ``workflow/holidays.yaml`` and never code; docs/holidays.md says where
each year comes from and how to add the next one.

Every working day of a year is computed once, as a sorted tuple of ordinals; a deadline is
then a binary search and an index, because it is computed for every nomination that
reaches a tier (tens of thousands in a batch import).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import yaml

HOLIDAYS_FILE = Path(__file__).with_name("holidays.yaml")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TOP_KEYS = {"weekly_rest_days", "covered_years", "statutory_fixed_days", "days"}
_DAY_REQUIRED = {"date", "kind", "name", "source"}
_DAY_KEYS = _DAY_REQUIRED | {"confirmed", "note"}
_STATUTORY_KEYS = {"month", "day", "name", "source"}


class CalendarError(ValueError):
    """The holiday calendar is invalid; the message lists every problem found."""

    def __init__(self, source: str, problems: list[str]) -> None:
        listing = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"Lịch ngày nghỉ không hợp lệ / invalid holiday calendar ({source}):\n{listing}"
        )
        self.source = source
        self.problems = problems


class DayKind(StrEnum):
    HOLIDAY = "holiday"  # ngày nghỉ lễ, tết (Labour Code 2019, art. 112)
    MAKEUP_WORKING_DAY = "makeup_working_day"  # ngày làm bù: a weekly rest day that is worked
    COMPENSATORY_DAY_OFF = "compensatory_day_off"  # nghỉ bù, or the day off of a swap


_KINDS = tuple(kind.value for kind in DayKind)


@dataclass(frozen=True)
class CalendarDay:
    """One dated entry of the calendar, with the document that decided it."""

    day: date
    kind: DayKind
    name: str
    source: str
    confirmed: bool = True
    note: str = ""


@dataclass(frozen=True)
class StatutoryDay:
    """A fixed-date holiday of the Labour Code: all that is known of a year with no notice."""

    month: int
    day: int
    name: str
    source: str


@dataclass(frozen=True)
class WorkCalendar:
    """The civil-service week plus dated exceptions; immutable, hashable, validated.

    Build it with :func:`default_calendar`, :func:`load` or :meth:`from_dict`; the
    constructor checks the rules that hold between entries and raises :class:`CalendarError`.
    """

    weekly_rest_days: frozenset[int]  # date.weekday() numbers: 5, 6 = Saturday, Sunday
    covered_years: frozenset[int]
    days: tuple[CalendarDay, ...]
    statutory_days: tuple[StatutoryDay, ...]
    _off: frozenset[int] = field(init=False, repr=False, compare=False)
    _makeup: frozenset[int] = field(init=False, repr=False, compare=False)
    # Filled per year on first use; a cache, not state: equality and hash ignore it, and two
    # threads racing on a year only compute the same tuple twice.
    _by_year: dict[int, tuple[int, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        problems = _check(self.weekly_rest_days, self.covered_years, self.days, self.statutory_days)
        if problems:
            raise CalendarError("WorkCalendar(...)", problems)
        off = {d.day.toordinal() for d in self.days if d.kind != DayKind.MAKEUP_WORKING_DAY}
        makeup = {d.day.toordinal() for d in self.days if d.kind == DayKind.MAKEUP_WORKING_DAY}
        object.__setattr__(self, "_off", frozenset(off))
        object.__setattr__(self, "_makeup", frozenset(makeup))

    @classmethod
    def from_dict(cls, raw: Any, source: str = "<dict>") -> WorkCalendar:
        """The calendar described by ``raw`` (the YAML's structure; dates as dates or ISO text)."""
        if not isinstance(raw, dict):
            raise CalendarError(source, ["(root): expected a mapping"])
        problems: list[str] = []
        problems += [f"(root): unknown key '{k}'" for k in sorted(map(str, set(raw) - _TOP_KEYS))]
        problems += [f"(root): missing key '{k}'" for k in sorted(_TOP_KEYS - set(raw))]
        rest = _rest_days(raw.get("weekly_rest_days", []), problems)
        years = _years(raw.get("covered_years", []), problems)
        statutory = _statutory_days(raw.get("statutory_fixed_days", []), problems)
        days = _days(raw.get("days", []), problems)
        problems += _check(rest, years, days, statutory)  # on what parsed, to report all at once
        if problems:
            raise CalendarError(source, problems)
        return cls(rest, years, days, statutory)

    def is_working_day(self, day: date) -> bool:
        ordinals, ordinal = self._working_ordinals(day.year), day.toordinal()
        index = bisect_left(ordinals, ordinal)
        return index < len(ordinals) and ordinals[index] == ordinal

    def add_working_days(self, start: date, n: int) -> date:
        """The date that is ``n`` working days after ``start`` (n >= 0).

        The day a tier receives a dossier does not count: counting starts the next day, as
        the Civil Code 2015 (art. 147) counts any period in days, so a dossier received on a
        Friday with 3 working days is due on Wednesday (Monday 1, Tuesday 2, Wednesday 3),
        whatever hour it arrived. The result is always a working day.

        ``n == 0`` gives ``start`` if it is a working day, else the next working day: a
        same-day deadline on a day off falls due when the office next works (art. 148).
        """
        if n < 0:
            raise ValueError(f"n must be >= 0 working days, got {n}")
        year = start.year
        ordinals = self._working_ordinals(year)
        if n == 0:
            index = bisect_left(ordinals, start.toordinal())
        else:
            index = bisect_right(ordinals, start.toordinal()) + n - 1
        while index >= len(ordinals):
            index -= len(ordinals)
            year += 1
            ordinals = self._working_ordinals(year)
        return date.fromordinal(ordinals[index])

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end], negative if ``end`` is before ``start``.

        The same convention as :meth:`add_working_days` (the start day never counts), so
        ``working_days_between(s, add_working_days(s, n)) == n`` for every n >= 1: the days
        a tier took over a dossier received on ``start`` and answered on ``end``.
        """
        if end < start:
            return -self.working_days_between(end, start)
        whole_years = sum(len(self._working_ordinals(y)) for y in range(start.year, end.year))
        return whole_years + self._rank(end) - self._rank(start)

    def uncovered_years(self, years: Iterable[int]) -> tuple[int, ...]:
        """The years among ``years`` with no schedule, ascending: what the admin must be told.

        In a year not covered only the Labour Code's fixed-date holidays (and their nghỉ bù)
        are off: Tết, Giỗ Tổ Hùng Vương, the second Quốc khánh day and any swap are unknown
        and counted as working days, so deadlines there may fall too early.
        """
        return tuple(sorted({y for y in years if y not in self.covered_years}))

    def _rank(self, day: date) -> int:
        """Working days from 1 January of ``day``'s year up to and including ``day``."""
        return bisect_right(self._working_ordinals(day.year), day.toordinal())

    def _working_ordinals(self, year: int) -> tuple[int, ...]:
        """Every working day of ``year`` as an ordinal, ascending; computed once per year."""
        cached = self._by_year.get(year)
        if cached is None:
            if year in self.covered_years:
                off, makeup = self._off, self._makeup
            else:
                off, makeup = self._statutory_off(year), frozenset()
            first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
            cached = tuple(
                o
                for o in range(first, last + 1)
                if o in makeup or (o not in off and _weekday(o) not in self.weekly_rest_days)
            )
            self._by_year[year] = cached
        return cached

    def _statutory_off(self, year: int) -> frozenset[int]:
        """The fixed-date holidays of an uncovered year, with nghỉ bù (Labour Code art. 111(3)).

        A holiday on a weekly rest day gives the next working day off; two in a row on a
        weekend (30/4 and 1/5) give the next two, as in 2022. The second Quốc khánh day is
        left out: the law lets the Government put it before or after 2/9.
        """
        holidays = sorted(date(year, s.month, s.day).toordinal() for s in self.statutory_days)
        off = set(holidays)
        for ordinal in holidays:
            if _weekday(ordinal) in self.weekly_rest_days:
                substitute = ordinal + 1
                while substitute in off or _weekday(substitute) in self.weekly_rest_days:
                    substitute += 1
                off.add(substitute)
        return frozenset(off)


WARNED_AHEAD = timedelta(days=60)  # deadlines set today run this far into next year


def calendar_gaps(today: date) -> tuple[int, ...]:
    """The years this day's deadlines may reach whose schedule is missing: the next year's is
    announced in the autumn, so the administrator is warned from November."""
    return default_calendar().uncovered_years({today.year, (today + WARNED_AHEAD).year})


@cache
def default_calendar() -> WorkCalendar:
    """The calendar of ``workflow/holidays.yaml``, read and validated once per process."""
    return load(HOLIDAYS_FILE)


def load(path: Path) -> WorkCalendar:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CalendarError(str(path), [f"cannot read the file: {exc.strerror}"]) from None
    except yaml.YAMLError as exc:
        raise CalendarError(str(path), [f"YAML syntax: {exc}"]) from None
    return WorkCalendar.from_dict(raw, str(path))


def _weekday(ordinal: int) -> int:
    """``date.weekday()`` of an ordinal without building the date (day 1 was a Monday)."""
    return (ordinal - 1) % 7


def _check(
    rest: frozenset[int],
    covered_years: frozenset[int],
    days: tuple[CalendarDay, ...],
    statutory_days: tuple[StatutoryDay, ...],
) -> list[str]:
    """The rules between entries: what a typo in a date or a kind would break."""
    rest_names = ", ".join(WEEKDAYS[d] for d in sorted(rest))
    problems: list[str] = []
    if len(rest) == len(WEEKDAYS):
        problems.append("weekly_rest_days: every day of the week is a rest day")
    counts = Counter(d.day for d in days)
    problems += [
        f"{day}: listed {n} times; a date has one entry" for day, n in counts.items() if n > 1
    ]
    for entry in days:
        label = f"{entry.day} ({entry.name})"
        weekday = WEEKDAYS[entry.day.weekday()]
        if entry.day.year not in covered_years:
            problems.append(
                f"{label}: {entry.day.year} is not in covered_years {sorted(covered_years)}"
            )
        if entry.kind == DayKind.MAKEUP_WORKING_DAY and entry.day.weekday() not in rest:
            problems.append(
                f"{label}: a makeup_working_day (ngày làm bù) must be a weekly rest day ({rest_names}), but it is a {weekday}"
            )
        if entry.kind == DayKind.COMPENSATORY_DAY_OFF and entry.day.weekday() in rest:
            problems.append(
                f"{label}: a compensatory_day_off must be a working weekday, but it is a {weekday}"
            )
        if not entry.name.strip() or not entry.source.strip():
            problems.append(f"{entry.day}: name and source must not be empty")
        if not entry.confirmed and not entry.note.strip():
            problems.append(f"{label}: confirmed: false needs a note saying what is unconfirmed")
    keys = Counter((s.month, s.day) for s in statutory_days)
    problems += [
        f"statutory_fixed_days: {d}/{m} listed twice" for (m, d), n in keys.items() if n > 1
    ]
    return problems


def _rest_days(raw: Any, problems: list[str]) -> frozenset[int]:
    if not isinstance(raw, list):
        problems.append("weekly_rest_days: expected a list of weekday names")
        return frozenset()
    unknown = [name for name in raw if name not in WEEKDAYS]
    problems += [
        f"weekly_rest_days: unknown day '{name}' (use {', '.join(WEEKDAYS)})" for name in unknown
    ]
    return frozenset(WEEKDAYS.index(name) for name in raw if name in WEEKDAYS)


def _years(raw: Any, problems: list[str]) -> frozenset[int]:
    if not isinstance(raw, list) or not all(_is_int(y) for y in raw):
        problems.append("covered_years: expected a list of years")
        return frozenset()
    return frozenset(raw)


def _statutory_days(raw: Any, problems: list[str]) -> tuple[StatutoryDay, ...]:
    if not isinstance(raw, list):
        problems.append("statutory_fixed_days: expected a list")
        return ()
    found = []
    for index, item in enumerate(raw):
        where = f"statutory_fixed_days[{index}]"
        if not _has_keys(item, _STATUTORY_KEYS, _STATUTORY_KEYS, where, problems):
            continue
        month, day = item["month"], item["day"]
        if not _every_year(month, day):
            problems.append(f"{where}: {day}/{month} is not a day of every year")
            continue
        if not isinstance(item["name"], str) or not isinstance(item["source"], str):
            problems.append(f"{where}: name and source must be text")
            continue
        found.append(StatutoryDay(month, day, item["name"], item["source"]))
    return tuple(found)


def _days(raw: Any, problems: list[str]) -> tuple[CalendarDay, ...]:
    if not isinstance(raw, list):
        problems.append("days: expected a list")
        return ()
    found = []
    for index, item in enumerate(raw):
        where = f"days[{index}]"
        if not _has_keys(item, _DAY_REQUIRED, _DAY_KEYS, where, problems):
            continue
        day = _date(item["date"])
        if day is None:
            problems.append(f"{where}: date '{item['date']}' is not a date (YYYY-MM-DD)")
        where = f"{where} {item['date']}"
        if item["kind"] not in _KINDS:
            problems.append(
                f"{where}: unknown kind '{item['kind']}' (expected one of {', '.join(_KINDS)})"
            )
        name, source, note = item["name"], item["source"], item.get("note", "")
        if not all(isinstance(text, str) for text in (name, source, note)):
            problems.append(f"{where}: name, source and note must be text")
        confirmed = item.get("confirmed", True)
        if not isinstance(confirmed, bool):
            problems.append(f"{where}: confirmed must be true or false")
        if day is not None and item["kind"] in _KINDS:
            found.append(CalendarDay(day, DayKind(item["kind"]), name, source, confirmed, note))
    return tuple(found)


def _has_keys(
    item: Any, required: set[str], allowed: set[str], where: str, problems: list[str]
) -> bool:
    if not isinstance(item, dict):
        problems.append(f"{where}: expected a mapping")
        return False
    missing = sorted(required - set(item))
    problems += [f"{where}: missing key '{k}'" for k in missing]
    problems += [f"{where}: unknown key '{k}'" for k in sorted(map(str, set(item) - allowed))]
    return not missing


def _date(value: Any) -> date | None:
    """YAML gives dates; dicts built in code may give ISO text. A datetime is not a day."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _every_year(month: Any, day: Any) -> bool:
    if not (_is_int(month) and _is_int(day)):
        return False
    try:
        date(2001, month, day)  # not a leap year: 29/2 is no yearly holiday
    except ValueError:
        return False
    return True


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
