"""The nomination state machine: one ``transitions.Machine`` for every nomination.

The machine is built once, with no models attached (``model=None``) and
``auto_transitions=False``; each event is fired on a short-lived :class:`Step` that
carries one nomination's position on its route. The table below is the single
definition the service runs and the help page draws; who fires each event, with which
reason and data, is the event table beside it (:mod:`workflow.events`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from transitions import Machine

from workflow.vocabulary import Event, State

TRANSITIONS: list[dict[str, Any]] = [
    {
        "trigger": Event.SUBMIT,
        "source": State.DRAFT,
        "dest": State.IN_REVIEW,
        "after": "enter_first_tier",
    },
    {
        "trigger": Event.APPROVE,
        "source": State.IN_REVIEW,
        "dest": State.UNDER_COUNCIL,
        "conditions": "at_deciding_unit",
    },
    {
        "trigger": Event.APPROVE,
        "source": State.IN_REVIEW,
        "dest": State.IN_REVIEW,
        "unless": "at_deciding_unit",
        "after": "move_up",
    },
    {
        "trigger": Event.RETURN,
        "source": State.IN_REVIEW,
        "dest": State.RETURNED,
        "conditions": "at_first_tier",
        "after": "back_to_origin",
    },
    {
        "trigger": Event.RETURN,
        "source": State.IN_REVIEW,
        "dest": State.IN_REVIEW,
        "unless": "at_first_tier",
        "after": "move_down",
    },
    {
        "trigger": Event.RESUBMIT,
        "source": State.RETURNED,
        "dest": State.IN_REVIEW,
        "after": "enter_first_tier",
    },
    {
        "trigger": Event.REJECT,
        "source": [State.IN_REVIEW, State.UNDER_COUNCIL],
        "dest": State.REJECTED,
    },
    {
        "trigger": Event.WITHDRAW,
        "source": [State.DRAFT, State.RETURNED, State.IN_REVIEW],
        "dest": State.WITHDRAWN,
        "after": "back_to_origin",
    },
    {
        "trigger": Event.VOTE,
        "source": State.UNDER_COUNCIL,
        "dest": State.ON_NOTICE,
        "conditions": "vote_passes",
    },
    {
        "trigger": Event.VOTE,
        "source": State.UNDER_COUNCIL,
        "dest": State.REJECTED,
        "unless": "vote_passes",
    },
    {"trigger": Event.OBJECT, "source": State.ON_NOTICE, "dest": State.UNDER_COUNCIL},
    {"trigger": Event.DECIDE, "source": State.ON_NOTICE, "dest": State.AWARDED},
    {"trigger": Event.REVOKE, "source": State.AWARDED, "dest": State.REVOKED},
]


@dataclass
class Step:
    """One nomination as the machine sees it: its state and its place on the route.

    ``route`` lists unit ids from the origin's parent up to the deciding unit.
    """

    state: str
    unit_id: int
    origin_unit_id: int
    route: list[int]
    vote_passes: bool = False

    @property
    def position(self) -> int:
        return self.route.index(self.unit_id) if self.unit_id in self.route else -1

    @property
    def at_deciding_unit(self) -> bool:
        return self.position == len(self.route) - 1

    @property
    def at_first_tier(self) -> bool:
        return self.position == 0

    def enter_first_tier(self) -> None:
        self.unit_id = self.route[0]

    def move_up(self) -> None:
        self.unit_id = self.route[self.position + 1]

    def move_down(self) -> None:
        self.unit_id = self.route[self.position - 1]

    def back_to_origin(self) -> None:
        self.unit_id = self.origin_unit_id


def build(transitions: list[dict[str, Any]]) -> Machine:
    """The machine for a transition table (who may fire each event: :mod:`workflow.events`)."""
    return Machine(
        model=None,
        states=[s.value for s in State],
        initial=State.DRAFT.value,
        transitions=[
            {
                **t,
                "trigger": t["trigger"].value,
                "source": [s.value for s in t["source"]]
                if isinstance(t["source"], list)
                else t["source"].value,
                "dest": t["dest"].value,
            }
            for t in transitions
        ],
        auto_transitions=False,
    )


MACHINE = build(TRANSITIONS)


def allowed_events(state: str) -> set[str]:
    # A plain str: transitions would read an Enum member by its name, not its value.
    return set(MACHINE.get_triggers(str(state)))


def ends_it(event: str) -> bool:
    """Whether ``event`` ends a nomination for good: every state it leads to allows nothing
    more (rejected, withdrawn, revoked). The pages ask before such an event."""
    ends = {str(t["dest"]) for t in TRANSITIONS if t["trigger"] == event}
    return bool(ends) and not any(allowed_events(state) for state in ends)


def run(step: Step, event: str) -> None:
    """Fire ``event`` on ``step``; the caller has checked the event is allowed in its state."""
    if not MACHINE.events[event].trigger(step):
        raise RuntimeError(f"no transition for {event} from {step.state}")


def mermaid() -> str:
    """The state diagram of the machine that actually runs, as Mermaid source."""
    lines = ["stateDiagram-v2", f"    [*] --> {State.DRAFT.value}"]
    for t in TRANSITIONS:
        sources = t["source"] if isinstance(t["source"], list) else [t["source"]]
        guard = t.get("conditions") or (f"not {t['unless']}" if t.get("unless") else "")
        label = t["trigger"].value + (f" [{guard}]" if guard else "")
        lines += [f"    {s.value} --> {t['dest'].value}: {label}" for s in sources]
    lines += [f"    {s.value} --> [*]" for s in (State.REJECTED, State.WITHDRAWN, State.REVOKED)]
    return "\n".join(lines)
