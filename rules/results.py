"""What a rule says: pass, fail or unknown, how much it matters, why, and on what authority."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from rules.params import within


class Status(StrEnum):
    """A rule status (the word "pass" here is not a password)."""

    PASS = "pass"  # noqa: S105  # nosec B105
    FAIL = "fail"
    UNKNOWN = "unknown"  # a fact the rule needs is missing
    MANUAL = "manual"  # no clause of the rule is known for the date: a person must judge


class Severity(StrEnum):
    BLOCKING = "blocking"
    WARNING = "warning"


class ClauseStatus(StrEnum):
    """How faithfully a clause is encoded, as docs/rules.md reports it."""

    IMPLEMENTED = "implemented"  # as the source reads
    PARTIAL = "partial"  # part of the source's test is encoded; the rest is for the reviewer
    UNCONFIRMED = "unconfirmed"  # the source's text was not read: an earlier text's test applied
    LOCAL = "local"  # a local rulebook's rule, applied where a campaign lists it


@dataclass(frozen=True)
class Source:
    """The clause a rule applies, the dates it is in force, and how faithfully it is encoded
    (``note`` says what is missing or unconfirmed)."""

    clause: str
    valid_from: date | None = None
    valid_to: date | None = None
    status: ClauseStatus = ClauseStatus.IMPLEMENTED
    note: str = ""

    def in_force(self, day: date) -> bool:
        return within(day, self.valid_from, self.valid_to)

    def as_dict(self) -> dict[str, Any]:
        return {
            "clause": self.clause,
            "valid_from": self.valid_from.isoformat() if self.valid_from else None,
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "status": self.status.value,
        }


@dataclass(slots=True)  # not frozen: frozen init is twice as slow on the bulk path
class Result:
    rule: str
    status: Status
    severity: Severity
    message_vi: str
    message_en: str
    source: Source
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def blocks(self) -> bool:
        return self.status == "fail" and self.severity == "blocking"

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "status": self.status.value,
            "severity": self.severity.value,
            "message": {"vi": self.message_vi, "en": self.message_en},
            "source": self.source.as_dict(),
            "values": self.values,
        }
