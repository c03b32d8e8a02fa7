"""The event table (workflow/events.py) is the one place an event is described.

Acceptance (issue 12): an event added at run time to the event table and the transition
table, and nowhere else, reaches the API schema, the detail page's form, the diagram and the
permission check, with its role and its reason flag; whom it notifies, how it moves the
deadline and whether eligibility is checked come from its row too. An event or state the
table does not give a role to is denied, never handed a default role.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from tests.api_client import ApiClient
from tests.web_client import WebClient
from web.api.schemas import EventInSchema
from web.forms import DATA_READERS
from workflow import audit, eligibility, events, machine, notify
from workflow.deadlines import Clock
from workflow.eligibility import Problem
from workflow.errors import NotAllowed, NotEligible, ReasonRequired
from workflow.events import EVENTS, EventSpec
from workflow.models import Nomination
from workflow.permissions import role_for
from workflow.vocabulary import Event, Labelled, Role, State


class Extra(Labelled):
    """Stand-ins for new vocabulary members (their public names and labels): an event that
    would join ``workflow.vocabulary.Event``, and a state."""

    SUSPEND = ("suspend", "Tạm dừng xét", "Suspend")
    PAUSED = ("paused", "Tạm dừng", "Paused")  # a state the drawing has no cell for


def told_the_officers(n, unit, comment, decision):
    return [notify.Message(n.origin_unit_id, (Role.OFFICER,), ("Tạm dừng xét", "Suspended"),
                           (comment or "", comment or ""))]  # fmt: skip


@pytest.fixture
def suspend(monkeypatch):
    """ "suspend": a reviewer keeps a nomination in review, with a reason; the CĐCS is told
    and the tier's deadline keeps running. The machine is rebuilt from the longer table;
    monkeypatch puts both tables and the machine back."""
    spec = EventSpec(
        Extra.SUSPEND,  # type: ignore[arg-type]
        {State.IN_REVIEW: Role.REVIEWER},
        told_the_officers,
        Clock.KEEP,
        reason=True,
    )
    transitions = [
        *machine.TRANSITIONS,
        {"trigger": Extra.SUSPEND, "source": State.IN_REVIEW, "dest": State.IN_REVIEW},
    ]
    monkeypatch.setitem(EVENTS, "suspend", spec)
    monkeypatch.setattr(machine, "TRANSITIONS", transitions)
    monkeypatch.setattr(machine, "MACHINE", machine.build(transitions))
    return spec


@pytest.fixture
def app(suspend, app):
    """The app is made after the tables are patched: each app builds its OpenAPI document
    from the event table when it is created (requests read the table every time)."""
    return app


@pytest.fixture
def in_review(world):
    nid = world.nominate()
    world.fire(nid, "submit", "officer1")  # now at BR1, where rev_br1 reviews
    return nid


def test_the_api_schema_offers_it_with_its_role_and_reason(client):
    spec = client.get("/api/v1/openapi.json").json
    event = spec["components"]["schemas"]["EventIn"]["properties"]["event"]
    assert "suspend" in event["enum"]
    assert "decide" not in event["enum"]  # only by signing a decision
    assert event["x-events"]["suspend"] == {
        "roles": {"in_review": "reviewer"},
        "reason_required": True,
        "data": [],
    }
    assert "suspend: reviewer in in_review; reason required" in event["description"]
    assert EventInSchema().load({"event": "suspend", "version": 1})["event"] == "suspend"


def test_the_detail_page_offers_it_to_a_reviewer_with_a_required_reason(app, world, in_review):
    reviewer, officer = WebClient(app, "rev_br1"), WebClient(app, "officer1")
    page = reviewer.text(f"/nominations/{in_review}")
    assert 'name="event" value="suspend"' in page
    assert re.search(r'<textarea id="c-suspend" name="comment"[^>]* required>', page)
    assert "Tạm dừng xét" in page
    assert 'value="suspend"' not in officer.text(f"/nominations/{in_review}")
    assert reviewer.act(in_review, "suspend").status_code == 422  # no reason
    assert reviewer.act(in_review, "suspend", comment="Chờ xác minh").status_code == 302
    assert "Tạm dừng xét" in reviewer.text(f"/nominations/{in_review}")  # in the trail


def test_the_api_fires_it_for_a_reviewer_only_and_only_with_a_reason(client, world, in_review):
    assert ApiClient(client, "officer1").event(in_review, "suspend", comment="x").status_code == 403
    reviewer = ApiClient(client, "rev_br1")
    assert reviewer.event(in_review, "suspend").status_code == 422
    done = reviewer.event(in_review, "suspend", comment="Chờ xác minh")
    assert (done.status_code, done.json["state"]) == (200, "in_review")


def test_the_diagram_draws_it(client, suspend):
    assert "    in_review --> in_review: suspend" in machine.mermaid().splitlines()
    page = client.get("/help").get_data(as_text=True)
    loop = f"{Event.APPROVE.vi} / {Event.RETURN.vi} / Tạm dừng xét</text>"
    assert loop in page  # the label of the in-review loop of the drawing
    assert "<td>Tạm dừng xét</td>" in page  # the table of transitions


def test_the_drawing_places_a_state_it_has_no_cell_for(client, monkeypatch):
    paused = Extra.PAUSED
    monkeypatch.setattr(
        machine,
        "TRANSITIONS",
        [
            *machine.TRANSITIONS,
            {"trigger": Extra.SUSPEND, "source": State.IN_REVIEW, "dest": paused},
        ],
    )
    page = client.get("/help").get_data(as_text=True)
    assert page.count("<rect") == len(State) + 1
    assert ">Tạm dừng</text>" in page


def test_the_permission_check_reads_its_role_and_reason(world, in_review, suspend):
    assert role_for("suspend", State.IN_REVIEW) is Role.REVIEWER
    with pytest.raises(NotAllowed):
        role_for("suspend", State.DRAFT)
    with pytest.raises(NotAllowed):
        world.fire(in_review, "suspend", "officer1", comment="Chờ xác minh")
    with pytest.raises(ReasonRequired):
        world.fire(in_review, "suspend", "rev_br1")
    assert events.needing_reason() >= {"suspend", "return", "reject", "object", "revoke"}
    out = world.fire(in_review, "suspend", "rev_br1", comment="Chờ xác minh")
    assert (out.state, out.current_unit) == ("in_review", "BR1")
    assert audit.trail(world.session, in_review)[-1]["event"] == "suspend"


def test_a_state_the_table_gives_no_role_is_denied_not_given_a_default(world, monkeypatch):
    """Before the table, an event with no branch fell through to the decider's role."""
    reject = EVENTS[Event.REJECT]
    monkeypatch.setitem(
        EVENTS, "reject", dataclasses.replace(reject, roles={State.IN_REVIEW: Role.REVIEWER})
    )
    nid = world.nominate()
    world.to_council(nid)
    for who in ("council_prov", "decider_prov"):
        with pytest.raises(NotAllowed):
            world.fire(nid, "reject", who, comment="Không đạt")
    with pytest.raises(NotAllowed):
        role_for("no_such_event", State.IN_REVIEW)


def test_the_table_covers_the_machine_and_the_readers_cover_the_table():
    for t in machine.TRANSITIONS:
        sources = t["source"] if isinstance(t["source"], list) else [t["source"]]
        for source in sources:
            assert source in EVENTS[t["trigger"]].roles, (t["trigger"], source)
    assert set(events.direct()) == set(machine.MACHINE.events) - {Event.DECIDE}
    assert set(events.data_fields()) <= set(EventInSchema().fields)
    assert set(events.data_fields()) <= set(DATA_READERS)


def test_it_tells_whom_its_row_names_and_moves_the_deadline_as_its_row_says(
    world, in_review, suspend
):
    due = world.session.get(Nomination, in_review).due_on
    world.fire(in_review, "suspend", "rev_br1", comment="Chờ xác minh")
    told = notify.recent(world.session, world.user("officer1"))
    assert [(n.kind, n.subject) for n in told][:1] == [("suspend", "Tạm dừng xét")]
    world.session.expire_all()
    assert world.session.get(Nomination, in_review).due_on == due  # KEEP: the clock runs on

    EVENTS["suspend"] = dataclasses.replace(suspend, clock=Clock.STOP)
    world.fire(in_review, "suspend", "rev_br1", comment="Lần hai")
    world.session.expire_all()
    assert world.session.get(Nomination, in_review).due_on is None


def test_eligibility_is_checked_only_for_the_events_its_row_marks(world, in_review, suspend):
    def always_missing(session, nomination, event, today, recorded):
        return [Problem("R-X", "Thiếu xếp loại", "Rating missing")]

    eligibility.register(always_missing)
    try:
        world.fire(in_review, "suspend", "rev_br1", comment="Chờ")  # not checked
        EVENTS["suspend"] = dataclasses.replace(suspend, checked=True)
        with pytest.raises(NotEligible):
            world.fire(in_review, "suspend", "rev_br1", comment="Chờ")
    finally:
        eligibility.unregister(always_missing)
