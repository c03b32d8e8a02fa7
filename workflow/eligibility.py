"""The seam where eligibility rules plug into the workflow.

The service asks :func:`blocking_problems` before an event that moves a nomination
forward; every registered check may return problems, and may put in ``recorded`` the
nomination's columns the event is to write with its move (what the rules said at submit).
The rules package registers its checks here, so the workflow never needs to know which rules
exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from workflow.events import EVENTS
from workflow.models import Nomination
from workflow.vocabulary import Event


@dataclass(frozen=True)
class Problem:
    rule: str
    message_vi: str
    message_en: str
    blocking: bool = True


# (session, nomination, event, today in Vietnam, columns to record) -> problems
EligibilityCheck = Callable[[Session, Nomination, Event, date, dict[str, Any]], list[Problem]]

_checks: list[EligibilityCheck] = []


def register(check: EligibilityCheck) -> EligibilityCheck:
    """Add a check (usable as a decorator); registering the same check twice is a no-op."""
    if check not in _checks:
        _checks.append(check)
    return check


def unregister(check: EligibilityCheck) -> None:
    if check in _checks:
        _checks.remove(check)


def blocking_problems(
    session: Session,
    nomination: Nomination,
    event: Event,
    today: date,
    recorded: dict[str, Any] | None = None,
) -> list[Problem]:
    """The problems that stop ``event``. ``recorded`` receives the columns the checks want
    written with the event's move: the event writes them in its one UPDATE (a change left
    on the object would cost a flush of the unit of work besides, issue 19)."""
    if not EVENTS[event.value].checked:  # only events moving it towards an award
        return []
    into = {} if recorded is None else recorded
    found = [p for check in _checks for p in check(session, nomination, event, today, into)]
    return [p for p in found if p.blocking]
