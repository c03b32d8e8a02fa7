"""The event table: what each event is, beside the transition table that says where it goes.

:data:`EVENTS` holds, per event, the role that fires it in each state, whether it needs a
reason, the data it carries besides its comment (and how each datum is checked), whether it
can be fired directly, and its labels (those of its :class:`~workflow.vocabulary.Event`
member). Everything else reads it: the permission check (``permissions.role_for``,
``available_events``, ``EDITABLE_STATES``), the reason and data checks of the event pipeline
(``service.fire``), the API's event field, the web form, the detail page's reason fields, the
help page, the eligibility check, the notifications and the deadlines. An event or a state
the table does not name is refused, never given a default role.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from marshmallow import fields, validate
from sqlalchemy.orm import Session

from workflow import notify, recovery
from workflow.db import Base
from workflow.deadlines import Clock
from workflow.errors import InvalidInput
from workflow.models import AwardType, Nomination
from workflow.vocabulary import Event, RevocationGround, Role, State
from workflow.votes import VoteCountsSchema, VoteRecord, check_council_size

Carrier = Callable[[Any, AwardType, date], dict[str, Any]]
"""How a datum is checked: (the value sent, the award, the day in Vietnam) -> what the trail
records (rules that depend on the date, such as who may vote in writing, are those of that day)."""

FollowUp = Callable[[Session, Nomination, date], tuple[Base, ...]]
"""What an event leaves to do, opened in its transaction: (session, the nomination moved, the
day) -> the records opened, which the event's audit link vouches for."""


@dataclass(frozen=True)
class Datum:
    """One datum an event carries besides its comment: how a caller sends it (the field the
    API's event schema is built with) and how it is checked."""

    field: fields.Field[Any]
    check: Carrier


def _vote(value: Any, award_type: AwardType, day: date) -> dict[str, Any]:
    vote = VoteRecord.parse(value)
    check_council_size(vote, award_type, day)
    return {"vote": vote.as_dict(), "passes": vote.passes(award_type, day)}


def _ground(value: Any, award_type: AwardType, day: date) -> dict[str, Any]:
    try:
        ground = RevocationGround(str(value))
    except ValueError:
        raise InvalidInput(
            "Cần chọn một trong bốn căn cứ hủy bỏ của Luật Thi đua, khen thưởng 2022.",
            "Choose one of the four revocation grounds of the 2022 law.",
            {"ground": [g.value for g in RevocationGround]},
        ) from None
    return {"ground": ground.value}


VOTE = Datum(fields.Nested(VoteCountsSchema, load_default=None, allow_none=True), _vote)
GROUND = Datum(
    fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf([g.value for g in RevocationGround]),
    ),
    _ground,
)


@dataclass(frozen=True)
class EventSpec:
    """One row of the table.

    ``roles`` maps each state the event may be fired in to the role that fires it there
    (officers act at the origin, every other role where the nomination is). ``data`` maps
    each field the event carries to its check. ``direct`` is false for the events that only
    happen through another operation (creating, editing, signing a decision). ``checked``
    events move a nomination towards an award, so its eligibility is checked first.
    ``tells`` says who is notified, ``clock`` how the deadline of the tier holding it moves,
    ``follow_up`` what it leaves to do (a revocation: the bonus and certificate to recover).
    """

    event: Event
    roles: Mapping[str, Role]
    tells: notify.Teller
    clock: Clock
    reason: bool = False
    data: Mapping[str, Datum] = field(default_factory=dict)
    direct: bool = True
    checked: bool = False
    follow_up: FollowUp | None = None

    @property
    def name(self) -> str:
        return str(self.event.value)

    @property
    def vi(self) -> str:
        return self.event.vi

    @property
    def en(self) -> str:
        return self.event.en

    def label(self, lang: str = "vi") -> str:
        return self.event.label(lang)


def _officer(*states: State) -> dict[str, Role]:
    return dict.fromkeys(states, Role.OFFICER)


EVENTS: dict[str, EventSpec] = {
    spec.name: spec
    for spec in (
        # Created through permissions.officer_assignment, in no state yet.
        EventSpec(Event.CREATE, {}, notify.nobody, Clock.RESTART, direct=False),
        EventSpec(
            Event.EDIT, _officer(State.DRAFT, State.RETURNED), notify.nobody, Clock.KEEP,
            direct=False,
        ),
        EventSpec(
            Event.SUBMIT, _officer(State.DRAFT), notify.arrived, Clock.RESTART, checked=True
        ),
        EventSpec(
            Event.APPROVE, {State.IN_REVIEW: Role.REVIEWER}, notify.arrived, Clock.RESTART,
            checked=True,
        ),
        EventSpec(
            Event.RETURN, {State.IN_REVIEW: Role.REVIEWER}, notify.returned, Clock.RESTART,
            reason=True,
        ),
        EventSpec(
            Event.RESUBMIT, _officer(State.RETURNED), notify.arrived, Clock.RESTART, checked=True
        ),
        EventSpec(
            Event.REJECT,
            {State.IN_REVIEW: Role.REVIEWER, State.UNDER_COUNCIL: Role.COUNCIL},
            notify.rejected,
            Clock.STOP,
            reason=True,
        ),
        EventSpec(
            Event.WITHDRAW,
            _officer(State.DRAFT, State.RETURNED, State.IN_REVIEW),
            notify.withdrawn,
            Clock.STOP,
        ),
        EventSpec(
            Event.VOTE, {State.UNDER_COUNCIL: Role.COUNCIL}, notify.voted, Clock.STOP,
            data={"vote": VOTE}, checked=True,
        ),
        EventSpec(
            Event.OBJECT, {State.ON_NOTICE: Role.COUNCIL}, notify.objected, Clock.STOP,
            reason=True,
        ),
        # Only by signing a decision (workflow.signing).
        EventSpec(
            Event.DECIDE, {State.ON_NOTICE: Role.DECIDER}, notify.decided, Clock.STOP,
            direct=False,
        ),
        EventSpec(
            Event.REVOKE, {State.AWARDED: Role.DECIDER}, notify.revoked, Clock.STOP,
            reason=True, data={"ground": GROUND}, follow_up=recovery.after_revoke,
        ),
    )
}  # fmt: skip


def needing_reason() -> frozenset[str]:
    """The events that must carry a reason (the comment)."""
    return frozenset(name for name, spec in EVENTS.items() if spec.reason)


def direct() -> list[str]:
    """The events a caller may fire itself, in the table's order."""
    return [name for name, spec in EVENTS.items() if spec.direct]


def data_fields() -> dict[str, fields.Field[Any]]:
    """Every field some event carries besides its comment, as a caller sends it."""
    return {name: datum.field for spec in EVENTS.values() for name, datum in spec.data.items()}


def label(name: str, lang: str = "vi") -> str:
    """An event's label; a name the table no longer holds (an old trail) is shown as is."""
    spec = EVENTS.get(name)
    return spec.label(lang) if spec else name


def check_data(
    spec: EventSpec, data: Mapping[str, Any], award_type: AwardType, day: date
) -> dict[str, Any]:
    """Check what an event carries besides its comment; return it as the trail records it."""
    unexpected = sorted(set(data) - set(spec.data))
    if unexpected:
        raise InvalidInput(
            f"Thao tác '{spec.vi}' không nhận các trường: {', '.join(unexpected)}.",
            f"'{spec.en}' does not take: {', '.join(unexpected)}.",
            dict.fromkeys(unexpected, "unexpected"),
        )
    checked: dict[str, Any] = {}
    for name, datum in spec.data.items():
        checked.update(datum.check(data.get(name), award_type, day))
    return checked
