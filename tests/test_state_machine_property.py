"""Random events by random users over a small tree, checked against an independent oracle.

The oracle below restates the rules from the issue in the plainest way; the service must
agree with it on every step, the trail must verify after every step, and each
nomination's version must equal its number of trail events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import AWARD_TYPES, FAIL_VOTE, PASS_VOTE, UNITS, USERS, build_world
from workflow import audit, service, signing
from workflow.clock import vn_date
from workflow.errors import (
    IllegalTransition,
    InvalidInput,
    NotAllowed,
    NotFound,
    ReasonRequired,
    StaleVersion,
    WorkflowError,
)
from workflow.models import AuditEvent, Nomination

T = TypeVar("T")
PARENT = {code: parent for code, _, parent in UNITS}
LEVEL = {code: level for code, level, _ in UNITS}
EVENTS = ["submit", "approve", "return", "resubmit", "reject", "withdraw", "vote", "object",
          "revoke", "teleport"]  # fmt: skip
LEGAL = {
    "submit": {"draft"}, "approve": {"in_review"}, "return": {"in_review"},
    "resubmit": {"returned"}, "reject": {"in_review", "under_council"},
    "withdraw": {"draft", "returned", "in_review"}, "vote": {"under_council"},
    "object": {"on_notice"}, "revoke": {"awarded"},
}  # fmt: skip
NEEDS_REASON = {"return", "reject", "object", "revoke"}
OFFICERS = sorted(u for u, (role, _) in USERS.items() if role == "officer")


def ancestors(code: str) -> list[str]:
    chain = []
    while code is not None:
        chain.append(code)
        code = PARENT[code]
    return chain


@dataclass
class Expected:
    """What the oracle believes about one nomination."""

    origin: str
    award: str
    state: str = "draft"
    unit: str = ""
    route: list[str] | None = None
    version: int = 1
    notice_ends: object = None

    def __post_init__(self) -> None:
        self.unit = self.origin


def route_for(origin: str, award: str) -> list[str] | None:
    level = AWARD_TYPES[award][1]
    route = []
    for code in ancestors(origin)[1:]:
        route.append(code)
        if LEVEL[code] == level:
            return route
    return None


def visible(user: str, n: Expected) -> bool:
    role, unit = USERS[user]
    if unit not in ancestors(n.origin):
        return False
    return unit == n.origin or role in ("auditor", "admin") or n.route is not None


def required(event: str, n: Expected) -> tuple[str, str]:
    if event in ("submit", "resubmit", "withdraw"):
        return "officer", n.origin
    if event in ("approve", "return") or (event == "reject" and n.state == "in_review"):
        return "reviewer", n.unit
    if event in ("reject", "vote", "object"):
        return "council", n.unit
    return "decider", n.unit


def vote_passes(award: str, vote: dict[str, int]) -> bool:
    _, _, (num, den), base, _ = AWARD_TYPES[award]
    return Fraction(vote["yes"], vote[base]) >= Fraction(num, den)


def predict(user, n, event, stale, comment, vote) -> type[WorkflowError] | None:
    """The error the service must raise, in the order the rules are checked; None if allowed."""
    if event not in LEGAL:
        return InvalidInput
    if not visible(user, n):
        return NotFound
    if stale:
        return StaleVersion
    if n.state not in LEGAL[event]:
        return IllegalTransition
    if USERS[user] != required(event, n):
        return NotAllowed
    if event in NEEDS_REASON and not comment:
        return ReasonRequired
    if event == "submit" and route_for(n.origin, n.award) is None:
        return InvalidInput
    return None


def apply(n: Expected, event: str, vote: dict[str, int], today, notice_days: int) -> None:
    if event == "submit":
        n.route = route_for(n.origin, n.award)
    route = n.route or []
    if event in ("submit", "resubmit"):
        n.state, n.unit = "in_review", route[0]
    elif event == "approve":
        pos = route.index(n.unit)
        if pos == len(route) - 1:
            n.state = "under_council"
        else:
            n.unit = route[pos + 1]
    elif event == "return":
        pos = route.index(n.unit)
        if pos == 0:
            n.state, n.unit = "returned", n.origin
        else:
            n.unit = route[pos - 1]
    elif event == "withdraw":
        n.state, n.unit = "withdrawn", n.origin
    elif event == "reject":
        n.state = "rejected"
    elif event == "vote":
        n.state = "on_notice" if vote_passes(n.award, vote) else "rejected"
        if n.state == "on_notice":
            n.notice_ends = today + timedelta(days=notice_days)
    elif event == "object":
        n.state = "under_council"
    elif event == "revoke":
        n.state = "revoked"
    n.version += 1


def attempt(action: Callable[[], T]) -> tuple[T | None, WorkflowError | None]:
    try:
        return action(), None
    except WorkflowError as err:
        return None, err


class NominationMachine(RuleBasedStateMachine):
    session_factory = None  # set per test run

    nominations = Bundle("nominations")

    @initialize()
    def setup(self) -> None:
        self.session: Session = type(self).session_factory()
        self.world = build_world(self.session)
        self.expected: dict[int, Expected] = {}

    def teardown(self) -> None:
        self.session.close()

    @rule(
        target=nominations,
        user=st.one_of(st.sampled_from(OFFICERS), st.sampled_from(sorted(USERS))),
        award=st.sampled_from(["BK", "GK", "BKTLD"]),
    )
    def create(self, user: str, award: str):
        role, unit = USERS[user]
        try:
            nid = self.world.nominate(user, award)
        except NotAllowed:
            assert role != "officer"
            return -1
        assert role == "officer"
        self.expected[nid] = Expected(origin=unit, award=award)
        return nid

    @rule(
        nid=nominations,
        event=st.sampled_from(EVENTS),
        stale=st.sampled_from([False, False, False, True]),
        comment=st.sampled_from([None, "Lý do cụ thể", "Lý do cụ thể"]),
        vote=st.sampled_from([PASS_VOTE, FAIL_VOTE]),
        data=st.data(),
    )
    def fire(self, nid, event, stale, comment, vote, data) -> None:
        if nid < 0:
            return
        n = self.expected[nid]
        # Half the time the user who holds the needed role where it is needed, else anyone.
        rightful = [
            u for u, place in USERS.items() if event in LEGAL and place == required(event, n)
        ]
        user = data.draw(
            st.one_of(st.sampled_from(rightful or sorted(USERS)), st.sampled_from(sorted(USERS)))
        )
        extra = {"vote": vote} if event == "vote" else {}
        if event == "revoke":
            extra = {"ground": "fraud"}
        expected_error = predict(user, n, event, stale, comment, vote)
        now = self.world.tick()
        out, error = attempt(
            lambda: service.fire(
                self.session, nid, event, self.world.user(user),
                expected_version=n.version - 1 if stale else n.version,
                comment=comment, now=now, **extra,
            )
        )  # fmt: skip
        assert type(error) is (expected_error or type(None)), (user, event, n, error)
        if error is not None:
            return
        apply(n, event, vote, vn_date(now), AWARD_TYPES[n.award][4])
        assert (out.state, out.current_unit, out.version) == (n.state, n.unit, n.version)

    @rule(
        user=st.sampled_from(["decider_prov", "decider_tld", "council_prov", "rev_br1"]),
        picked=st.lists(nominations, min_size=1, max_size=3, unique=True),
        days=st.integers(min_value=0, max_value=8),
    )
    def sign(self, user, picked, days) -> None:
        ids = [nid for nid in picked if nid >= 0]
        if not ids:
            return
        now = self.world.tick(days=days)
        today = vn_date(now)
        targets = [self.expected[nid] for nid in ids]
        if not all(visible(user, n) for n in targets):
            expected_error: type[WorkflowError] | None = NotFound
        elif any(n.state != "on_notice" or today < n.notice_ends for n in targets):
            expected_error = IllegalTransition
        elif len({n.unit for n in targets}) > 1:
            expected_error = InvalidInput
        elif USERS[user] != ("decider", targets[0].unit):
            expected_error = NotAllowed
        else:
            expected_error = None
        _, error = attempt(
            lambda: signing.sign_decision(
                self.session, self.world.user(user), nomination_ids=ids, signed_on=today, now=now
            )
        )
        assert type(error) is (expected_error or type(None)), (user, ids, error)
        if error is not None:
            return
        for n in targets:
            n.state, n.version = "awarded", n.version + 1

    @invariant()
    def trail_verifies_and_versions_count_events(self) -> None:
        if not hasattr(self, "session"):
            return
        self.session.rollback()
        report = audit.verify(self.session)
        assert report.ok, report.problems
        counts = dict(
            self.session.execute(
                select(AuditEvent.nomination_id, func.count()).group_by(AuditEvent.nomination_id)
            ).all()
        )
        for nid, state, version in self.session.execute(
            select(Nomination.id, Nomination.state, Nomination.version)
        ):
            events_after_creation = counts[nid] - 1
            assert version - 1 == events_after_creation
            assert (state, version) == (self.expected[nid].state, self.expected[nid].version)
        self.session.rollback()


@pytest.mark.slow
def test_random_events_never_break_the_rules(backend) -> None:
    from tests.databases import engine_for

    engines = []

    def session_factory() -> Session:
        engine = next(engine_for(backend.fresh_url()))
        engines.append(engine)
        return Session(engine)

    NominationMachine.session_factory = staticmethod(session_factory)
    examples = 40 if backend.name == "sqlite" else 20
    try:
        run_state_machine_as_test(
            NominationMachine,
            settings=settings(
                max_examples=examples,
                stateful_step_count=30,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )
    finally:
        for engine in engines:
            engine.dispose()
