"""Working days: the shipped holiday calendar, the deadline arithmetic, and validation.

Concrete dates are checked against the official schedules cited in workflow/holidays.yaml;
the properties run over 2022–2028, across covered and uncovered years alike.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.workdays import (
    HOLIDAYS_FILE,
    WEEKDAYS,
    CalendarDay,
    CalendarError,
    DayKind,
    WorkCalendar,
    default_calendar,
    load,
)

SHIPPED: dict[str, Any] = yaml.safe_load(HOLIDAYS_FILE.read_text(encoding="utf-8"))
SHIPPED_KINDS: dict[date, str] = {item["date"]: item["kind"] for item in SHIPPED["days"]}
CALENDAR = default_calendar()
DATES = st.dates(date(2022, 6, 1), date(2028, 6, 30))
COUNTS = st.integers(0, 60)
PROPERTY = settings(max_examples=300, deadline=None)


def calendar_data(*days: dict[str, Any], **top: Any) -> dict[str, Any]:
    """A small valid calendar covering 2030 (no holidays) with ``days`` and ``top`` changed."""
    data: dict[str, Any] = {
        "weekly_rest_days": ["saturday", "sunday"],
        "covered_years": [2030],
        "statutory_fixed_days": [{"month": 1, "day": 1, "name": "Tết Dương lịch", "source": "t"}],
        "days": list(days),
    }
    return data | top


def entry(day: str, kind: str = "holiday", **extra: Any) -> dict[str, Any]:
    return {"date": day, "kind": kind, "name": "Ngày thử", "source": "test", **extra}


def reference_is_working(day: date) -> bool:
    """The shipped data read directly, day by day: what the precomputed index must agree with."""
    kind = SHIPPED_KINDS.get(day)
    return kind == "makeup_working_day" or (kind is None and day.weekday() < 5)


# ---- the shipped calendar ---------------------------------------------------------------


def test_shipped_calendar_loads_once_and_says_where_each_day_comes_from() -> None:
    assert default_calendar() is CALENDAR
    assert CALENDAR.covered_years == {2024, 2025, 2026}
    assert CALENDAR.weekly_rest_days == {5, 6}
    assert all(day.source and day.name and day.confirmed for day in CALENDAR.days)


@pytest.mark.parametrize("year", sorted(SHIPPED["covered_years"]))
def test_each_covered_year_has_the_eleven_holidays_of_art_112(year: int) -> None:
    """1 Tết Dương lịch + 5 Tết + Giỗ Tổ + 30/4 + 1/5 + 2 Quốc khánh: a forgotten day fails."""
    holidays = [d for d in CALENDAR.days if d.day.year == year and d.kind == DayKind.HOLIDAY]
    assert len(holidays) == 11
    for fixed in CALENDAR.statutory_days:
        assert SHIPPED_KINDS.get(date(year, fixed.month, fixed.day)) == "holiday"


def test_calendar_is_frozen_hashable_data() -> None:
    CALENDAR.add_working_days(date(2026, 2, 13), 3)  # fills the per-year cache
    fresh = WorkCalendar.from_dict(SHIPPED)
    assert fresh == CALENDAR
    assert hash(fresh) == hash(CALENDAR)
    with pytest.raises(FrozenInstanceError):
        CALENDAR.covered_years = frozenset()  # type: ignore[misc]


@pytest.mark.parametrize(
    ("received", "n", "due"),
    [
        # An ordinary week: the day of receipt does not count (Mon 1, Tue 2, Wed 3).
        (date(2025, 3, 7), 3, date(2025, 3, 12)),
        # Last working day before Tết Bính Ngọ (off 14–22/02/2026): Mon 23, Tue 24, Wed 25.
        (date(2026, 2, 13), 3, date(2026, 2, 25)),
        # Tết Ất Tỵ: off 25/01–02/02/2025.
        (date(2025, 1, 24), 1, date(2025, 2, 3)),
        # Tết Giáp Thìn: off 08–14/02/2024, two of them nghỉ bù.
        (date(2024, 2, 7), 1, date(2024, 2, 15)),
        # Tết Dương lịch 2026: 01/01 off, Friday 02/01 swapped for Saturday 10/01.
        (date(2025, 12, 31), 1, date(2026, 1, 5)),
        (date(2026, 1, 8), 2, date(2026, 1, 10)),
        # 30/4 – 1/5/2025: Friday 02/05 swapped for Saturday 26/04.
        (date(2025, 4, 25), 1, date(2025, 4, 26)),
        (date(2025, 4, 29), 1, date(2025, 5, 5)),
        # 30/4 – 1/5/2024: Monday 29/04 swapped for Saturday 04/05.
        (date(2024, 4, 26), 1, date(2024, 5, 2)),
        (date(2024, 5, 3), 1, date(2024, 5, 4)),
        # Giỗ Tổ 2026 on Sunday 26/04: nghỉ bù on Monday 27/04.
        (date(2026, 4, 24), 1, date(2026, 4, 28)),
        # Quốc khánh: 2–3/09/2024; 1–2/09/2025; 1–2/09/2026 with Monday 31/08 swapped.
        (date(2024, 8, 30), 1, date(2024, 9, 4)),
        (date(2025, 8, 29), 1, date(2025, 9, 3)),
        (date(2026, 8, 28), 1, date(2026, 9, 3)),
        (date(2026, 8, 21), 1, date(2026, 8, 22)),
    ],
)
def test_deadlines_on_real_schedules(received: date, n: int, due: date) -> None:
    assert CALENDAR.add_working_days(received, n) == due
    assert CALENDAR.working_days_between(received, due) == n
    assert CALENDAR.working_days_between(due, received) == -n


def test_zero_days_is_the_day_itself_or_the_next_working_day() -> None:
    assert CALENDAR.add_working_days(date(2026, 1, 9), 0) == date(2026, 1, 9)
    assert CALENDAR.add_working_days(date(2026, 1, 10), 0) == date(2026, 1, 10)  # làm bù
    assert CALENDAR.add_working_days(date(2026, 1, 1), 0) == date(2026, 1, 5)
    assert CALENDAR.add_working_days(date(2026, 2, 14), 0) == date(2026, 2, 23)


def test_weekends_holidays_and_makeup_days() -> None:
    assert not CALENDAR.is_working_day(date(2025, 3, 8))  # Saturday
    assert not CALENDAR.is_working_day(date(2025, 3, 9))  # Sunday
    assert CALENDAR.is_working_day(date(2025, 3, 10))
    assert not CALENDAR.is_working_day(date(2026, 2, 17))  # mùng 1 Tết Bính Ngọ
    assert CALENDAR.is_working_day(date(2026, 8, 22))  # Saturday làm bù
    assert not CALENDAR.is_working_day(date(2026, 8, 31))  # swapped Monday


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="n must be >= 0"):
        CALENDAR.add_working_days(date(2026, 1, 5), -1)


# ---- years without a schedule -------------------------------------------------------------


def test_uncovered_years_keep_the_fixed_date_holidays_with_nghi_bu() -> None:
    assert CALENDAR.uncovered_years([2026, 2027]) == (2027,)
    assert not CALENDAR.is_working_day(date(2027, 1, 1))
    assert not CALENDAR.is_working_day(date(2027, 4, 30))
    assert not CALENDAR.is_working_day(date(2027, 5, 3))  # nghỉ bù: 1/5/2027 is a Saturday
    assert not CALENDAR.is_working_day(date(2027, 9, 2))
    # Unknown until the Government decides: the second Quốc khánh day and Tết Đinh Mùi.
    assert CALENDAR.is_working_day(date(2027, 9, 3))
    assert CALENDAR.is_working_day(date(2027, 2, 8))


def test_nghi_bu_rule_matches_past_schedules() -> None:
    """2023: 1/1 was a Sunday, Monday 2/1 off; 2022: 30/4 and 1/5 a weekend, 2–3/5 off."""
    assert not CALENDAR.is_working_day(date(2023, 1, 2))
    assert CALENDAR.is_working_day(date(2023, 1, 3))
    assert not CALENDAR.is_working_day(date(2022, 5, 2))
    assert not CALENDAR.is_working_day(date(2022, 5, 3))
    assert CALENDAR.is_working_day(date(2022, 5, 4))


def test_uncovered_years_lists_each_year_once_in_order() -> None:
    assert CALENDAR.uncovered_years([2027, 2026, 2023, 2027]) == (2023, 2027)
    assert CALENDAR.uncovered_years(range(2024, 2027)) == ()


# ---- properties -----------------------------------------------------------------------------


@PROPERTY
@given(DATES, st.integers(1, 60))
def test_between_inverts_add(start: date, n: int) -> None:
    assert CALENDAR.working_days_between(start, CALENDAR.add_working_days(start, n)) == n


@PROPERTY
@given(DATES, st.integers(1, 60))
def test_one_more_day_is_strictly_later(start: date, n: int) -> None:
    """From n = 1 on; n = 0 and n = 1 coincide when the dossier arrives on a day off."""
    assert CALENDAR.add_working_days(start, n + 1) > CALENDAR.add_working_days(start, n)


@PROPERTY
@given(DATES, COUNTS)
def test_a_deadline_is_a_working_day_after_receipt(start: date, n: int) -> None:
    due = CALENDAR.add_working_days(start, n)
    assert CALENDAR.is_working_day(due)
    assert due > start if n else due >= start


@PROPERTY
@given(DATES)
def test_zero_days_on_a_day_off_is_one_day(start: date) -> None:
    expected = start if CALENDAR.is_working_day(start) else CALENDAR.add_working_days(start, 1)
    assert CALENDAR.add_working_days(start, 0) == expected


@PROPERTY
@given(DATES, DATES, DATES)
def test_between_is_antisymmetric_and_additive(a: date, b: date, c: date) -> None:
    between = CALENDAR.working_days_between
    assert between(a, b) == -between(b, a)
    assert between(a, c) == between(a, b) + between(b, c)


@PROPERTY
@given(DATES, st.integers(0, 30))
def test_add_agrees_with_counting_day_by_day(start: date, n: int) -> None:
    day = start + timedelta(days=1) if n else start
    remaining = max(n, 1)
    while True:
        if CALENDAR.is_working_day(day):
            remaining -= 1
            if remaining == 0:
                break
        day += timedelta(days=1)
    assert CALENDAR.add_working_days(start, n) == day


@PROPERTY
@given(st.dates(date(2024, 1, 1), date(2026, 12, 31)))
def test_index_agrees_with_the_data(day: date) -> None:
    assert CALENDAR.is_working_day(day) == reference_is_working(day)


@PROPERTY
@given(st.dates(date(2030, 1, 2), date(2030, 11, 30)), st.integers(0, 20))
def test_without_holidays_only_weekends_are_skipped(start: date, n: int) -> None:
    plain = WorkCalendar.from_dict(calendar_data())
    due = plain.add_working_days(start, n)
    assert due.weekday() < 5
    weekdays = sum(
        (start + timedelta(days=i)).weekday() < 5 for i in range(1, (due - start).days + 1)
    )
    assert plain.working_days_between(start, due) == weekdays


# ---- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (calendar_data(entry("2030-05-02"), entry("2030-05-02")), "2030-05-02: listed 2 times"),
        (
            calendar_data(entry("2030-05-02", "makeup_working_day")),
            "must be a weekly rest day (saturday, sunday), but it is a thursday",
        ),
        (
            calendar_data(entry("2030-05-04", "compensatory_day_off")),
            "must be a working weekday, but it is a saturday",
        ),
        (calendar_data(entry("2030-05-02", "nghi_le")), "unknown kind 'nghi_le'"),
        (calendar_data(entry("2031-01-02")), "2031 is not in covered_years [2030]"),
        (calendar_data(entry("2030-05-02", confirmed=False)), "confirmed: false needs a note"),
        (calendar_data(entry("2030-02-30")), "date '2030-02-30' is not a date"),
        (calendar_data(entry("2030-05-02", note=7)), "name, source and note must be text"),
        (calendar_data({"date": "2030-05-02", "kind": "holiday"}), "missing key 'name'"),
        (calendar_data(years=[2030]), "(root): unknown key 'years'"),
        (calendar_data(weekly_rest_days=["sabado"]), "unknown day 'sabado'"),
        (calendar_data(weekly_rest_days=list(WEEKDAYS)), "every day of the week"),
        (
            calendar_data(
                statutory_fixed_days=[{"month": 2, "day": 29, "name": "x", "source": "y"}]
            ),
            "29/2 is not a day of every year",
        ),
        ([], "(root): expected a mapping"),
    ],
)
def test_invalid_calendars_are_refused_with_the_reason(data: Any, message: str) -> None:
    with pytest.raises(CalendarError) as caught:
        WorkCalendar.from_dict(data, "test.yaml")
    assert message in str(caught.value)
    assert "test.yaml" in str(caught.value)


def test_every_problem_is_reported_at_once() -> None:
    data = calendar_data(
        entry("2030-05-02", "nghi_le"),
        entry("2031-01-02"),
        entry("2030-05-03"),
        entry("2030-05-03"),
    )
    with pytest.raises(ValueError, match="invalid holiday calendar") as caught:
        WorkCalendar.from_dict(data)
    assert isinstance(caught.value, CalendarError)
    assert len(caught.value.problems) == 3


def test_an_unconfirmed_day_with_a_note_is_a_day_off() -> None:
    data = calendar_data(entry("2030-11-25", confirmed=False, note="expected, no notice yet"))
    calendar = WorkCalendar.from_dict(data)
    assert not calendar.is_working_day(date(2030, 11, 25))


def test_the_constructor_validates_too() -> None:
    stray = CalendarDay(date(2031, 1, 2), DayKind.HOLIDAY, "Ngày thử", "test")
    with pytest.raises(CalendarError, match="2031 is not in covered_years"):
        WorkCalendar(frozenset({5, 6}), frozenset({2030}), (stray,), ())


def test_load_reports_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(CalendarError, match="cannot read the file"):
        load(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("days: [\n", encoding="utf-8")
    with pytest.raises(CalendarError, match="YAML syntax"):
        load(broken)


@pytest.mark.parametrize(
    ("today", "shown"),
    [("2026-11-01", False), ("2026-11-02", True), ("2026-12-31", True), ("2027-01-01", True)],
)
def test_administration_pages_warn_while_next_years_schedule_is_missing(
    app, world, monkeypatch, today: str, shown: bool
) -> None:
    """From the day a deadline set today could run into a year with no schedule (60 days
    ahead), every administration page says so; the remind command says it too."""
    from tests.web_client import WebClient

    assert 2027 not in default_calendar().covered_years  # the day this test must change
    monkeypatch.setenv("KHENTHUONG_NOW", f"{today}T03:00:00+00:00")
    world.session.rollback()
    page = WebClient(app, "admin").text("/admin/units")
    assert ("Lịch nghỉ lễ, Tết năm 2027 chưa có trong hệ thống" in page) is shown
    refused = WebClient(app, "officer1").get("/admin/units")  # not theirs to act on
    assert "Lịch nghỉ lễ, Tết năm 2027" not in refused.get_data(as_text=True)
    world.add_user("admin_br1", "admin", "BR1")  # a branch's admin cannot add a schedule
    world.session.commit()
    assert "Lịch nghỉ lễ" not in WebClient(app, "admin_br1").text("/admin/units")
    reminded = app.test_cli_runner().invoke(args=["remind"])
    assert ("lịch nghỉ lễ năm 2027 chưa có" in reminded.output) is shown
