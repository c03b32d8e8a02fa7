"""Time in one place: UTC instants for the trail, Vietnamese calendar dates for people."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

# Vietnam has used UTC+7 without daylight saving since 1975; a fixed offset needs no tzdata.
VIETNAM = timezone(timedelta(hours=7), "ICT")


def utcnow() -> datetime:
    return datetime.now(UTC)


def vn_date(instant: datetime) -> date:
    """The calendar date in Vietnam at an instant (deadlines and validity are local dates)."""
    return instant.astimezone(VIETNAM).date()


def iso_utc(instant: datetime) -> str:
    """Fixed-precision UTC timestamp, so the same instant always hashes the same."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso_utc(text: str) -> datetime:
    """The inverse of :func:`iso_utc`."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
