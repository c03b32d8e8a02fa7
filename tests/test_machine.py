"""The machine definition itself: one machine, no unguarded shortcuts, one diagram."""

from __future__ import annotations

from pathlib import Path

from workflow.events import EVENTS
from workflow.machine import MACHINE, TRANSITIONS, Step, allowed_events, ends_it, mermaid, run
from workflow.vocabulary import Event, State

README = Path(__file__).resolve().parent.parent / "README.md"


def test_no_automatic_to_state_events_and_no_models_attached():
    assert not any(name.startswith("to_") for name in MACHINE.events)
    assert MACHINE.models == []
    assert set(MACHINE.events) == {e.value for e in Event} - {Event.CREATE, Event.EDIT}


def test_terminal_states_allow_nothing_but_revocation_of_an_award():
    assert allowed_events(State.REJECTED) == set()
    assert allowed_events(State.WITHDRAWN) == set()
    assert allowed_events(State.REVOKED) == set()
    assert allowed_events(State.AWARDED) == {"revoke"}


def test_steps_move_along_the_route():
    step = Step(state="draft", unit_id=9, origin_unit_id=9, route=[5, 3, 1])
    run(step, "submit")
    run(step, "approve")
    assert (step.state, step.unit_id) == ("in_review", 3)
    run(step, "return")
    run(step, "return")
    assert (step.state, step.unit_id) == ("returned", 9)


def test_readme_shows_the_diagram_of_the_machine_that_runs():
    assert f"```mermaid\n{mermaid()}\n```" in README.read_text(encoding="utf-8")


def test_the_help_page_draws_every_state_and_transition(client):
    page = client.get("/help").get_data(as_text=True)
    assert page.count("<rect") == len(State)
    for event in {t["trigger"] for t in TRANSITIONS}:
        assert Event(event).vi in page
    for state in State:
        assert state.vi in page
    assert "stateDiagram-v2" not in page  # the diagram's source (state codes) is not for users


def test_the_events_that_end_a_nomination_for_good_are_those_the_pages_ask_about():
    assert {e for e in EVENTS if ends_it(e)} == {"reject", "withdraw", "revoke"}
