"""Time in one place: UTC instants for the trail, Vietnamese calendar dates for people.

Everything that needs "now" (web pages, the API, the CLI, the domain's defaults) asks
:func:`utcnow`, so one environment variable, ``KHENTHUONG_NOW``, can put the whole app on
another day: a demo stays current, and a test can stand on 01/01 of a new year.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, date, datetime, timedelta, timezone
from time import monotonic

from workflow.errors import InvalidInput
from workflow.vocabulary import FIELD_LABELS

# Vietnam has used UTC+7 without daylight saving since 1975; a fixed offset needs no tzdata.
VIETNAM = timezone(timedelta(hours=7), "ICT")
# No record here is dated before: a member's birth, a unit's reorganisation. A day typed far
# earlier is a typing error (and 0001-01-01 has no day before it to end a period on).
EARLIEST_DAY = date(1900, 1, 1)
# Nor after: a role or a council seat "until 31/12/9999" is a typing error, and date.max has
# no day after it to start the next period on.
LATEST_DAY = date(2100, 12, 31)

NOW_VARIABLE = "KHENTHUONG_NOW"
# (the variable's text, the instant it names, monotonic() when this process first read it)
_override: tuple[str, datetime, float] | None = None
_override_lock = threading.Lock()


def parse_now(text: str) -> datetime:
    """A ``KHENTHUONG_NOW`` value as an aware instant. A date alone means the start of that
    day in Vietnam and a date-time without an offset is Vietnamese time: whoever sets it
    thinks in local days, as every deadline does."""
    try:
        instant = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{NOW_VARIABLE}={text!r} is neither an ISO date nor an ISO date-time "
            "(e.g. 2027-01-15 or 2027-01-15T09:00+07:00)"
        ) from None
    return instant if instant.tzinfo else instant.replace(tzinfo=VIETNAM)


def utcnow() -> datetime:
    """Now, as an aware UTC instant.

    With ``KHENTHUONG_NOW`` set: that instant plus the real time elapsed since this process
    first read it, so time still flows and events keep their order. The variable is looked
    up on every call (a dictionary read) and parsed once per value, so a test can set it
    with ``monkeypatch.setenv`` and start its clock again with :func:`reset_override`.
    """
    text = os.environ.get(NOW_VARIABLE, "").strip()
    if not text:
        return datetime.now(UTC)
    _, instant, read_at = _read(text)
    return (instant + timedelta(seconds=monotonic() - read_at)).astimezone(UTC)


def _read(text: str) -> tuple[str, datetime, float]:
    global _override
    override = _override
    if override is None or override[0] != text:
        with _override_lock:  # two threads reading it first must not start two clocks
            override = _override
            if override is None or override[0] != text:
                override = _override = (text, parse_now(text), monotonic())
    return override


def reset_override() -> None:
    """Forget the value read, so the next :func:`utcnow` starts again at the instant it names."""
    global _override
    with _override_lock:
        _override = None


def start_clock() -> datetime:
    """Read ``KHENTHUONG_NOW`` at start-up: a malformed value stops the app there rather than
    at its first request, and an overridden clock runs from the moment the process starts."""
    return utcnow()


def vn_date(instant: datetime) -> date:
    """The calendar date in Vietnam at an instant (deadlines and validity are local dates)."""
    return instant.astimezone(VIETNAM).date()


def iso_utc(instant: datetime) -> str:
    """Fixed-precision UTC timestamp, so the same instant always hashes the same."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso_utc(text: str) -> datetime:
    """The inverse of :func:`iso_utc`."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def ddmmyyyy(value: date | datetime | None, empty: str = "") -> str:
    """How people read a day: dd/mm/yyyy of a date, or of an instant's Vietnamese calendar day
    (an instant at 30/11 06:14 in Vietnam is still 29/11 in UTC)."""
    if value is None:
        return empty
    day = vn_date(value) if isinstance(value, datetime) else value
    return day.strftime("%d/%m/%Y")


def vn_time(instant: datetime, seconds: bool = False) -> str:
    """An instant as read in Vietnam: "30/11/2026 06:14" (with ":SS" for the trail's exports)."""
    return instant.astimezone(VIETNAM).strftime(
        "%d/%m/%Y %H:%M:%S" if seconds else "%d/%m/%Y %H:%M"
    )


def check_days(**days: date | None) -> None:
    """Refuse a day typed into a period (a role's, a council seat's) outside
    EARLIEST_DAY–LATEST_DAY, naming each field, before it is stored or computed with."""
    wrong = {
        name: "out_of_range"
        for name, day in days.items()
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY
    }
    if wrong:
        named = [FIELD_LABELS.get(name, (name, name)) for name in wrong]
        vi, en = (", ".join(label[i] for label in named) for i in (0, 1))
        raise InvalidInput(
            f"{vi}: ngày phải từ {EARLIEST_DAY:%d/%m/%Y} đến {LATEST_DAY:%d/%m/%Y}.",
            f"{en}: dates must be from {EARLIEST_DAY.isoformat()} to {LATEST_DAY.isoformat()}.",
            wrong,
        )


def campaign_year(today: date) -> int:
    """The emulation year taking dossiers today: last year's in January and February (its
    year-end review is still open, as in practice), this year's from March on. What a page
    about "the year" opens on, until its reader picks another."""
    return today.year - 1 if today.month <= 2 else today.year
