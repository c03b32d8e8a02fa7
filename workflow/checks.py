"""Eligibility checks: gather a nomination's context from the database, run its rules.

Registered with :mod:`workflow.eligibility` on import, so ``submit``, ``resubmit`` and
``approve`` are refused while a blocking rule fails. At submit the results and the
rule-set version are stored on the nomination, so reviewers can see what changed since.
"""

from __future__ import annotations

import gc
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from rules import (
    Aggregates,
    Context,
    Prior,
    Result,
    Target,
    evaluate_all,
    reads_counts,
    reads_history,
)
from rules.results import Severity, Status
from workflow import eligibility
from workflow.campaigns import coded_titles, known_titles
from workflow.clock import utcnow, vn_date
from workflow.db import Base
from workflow.eligibility import Problem
from workflow.errors import NotFound
from workflow.models import AwardType, Campaign, Nomination, Unit
from workflow.prepared import Prepared
from workflow.transaction import transaction
from workflow.vocabulary import Event, Level, State

# States in which a nomination still counts as proposed (for quotas and double awards).
# Plain strings: enum member lookups are slow on the bulk path (Python 3.11).
ACTIVE = frozenset(
    s.value for s in (State.IN_REVIEW, State.UNDER_COUNCIL, State.ON_NOTICE, State.AWARDED)
)
AWARDED = State.AWARDED.value
IN_REVIEW = State.IN_REVIEW.value
UNITS = select(Unit.id, Unit.level, Unit.name)


class Subject(Protocol):
    """What rules need of a nomination (a Nomination row, or a lighter row in bulk checks)."""

    @property
    def id(self) -> int: ...
    @property
    def state(self) -> str: ...
    @property
    def origin_unit_id(self) -> int: ...
    @property
    def nominee_key(self) -> str: ...
    @property
    def facts(self) -> dict[str, Any]: ...
    @property
    def current_unit_id(self) -> int: ...
    @property
    def route(self) -> list[int] | None: ...
    @property
    def submitted_on(self) -> date | None: ...


@dataclass(slots=True)  # not frozen: frozen init is twice as slow on the bulk path
class Probe:
    id: int
    state: str
    origin_unit_id: int
    nominee_key: str
    facts: dict[str, Any]
    current_unit_id: int
    route: list[int] | None
    submitted_on: date | None = None


@dataclass(frozen=True)
class Light:
    """The few columns of another nomination that rules need to know about."""

    id: int
    award: str
    origin_unit_id: int
    state: str
    nominee_key: str
    achievement_ref: str | None
    year: int
    decider_level: str
    category: str


def _forwarded_by(origin: int, current: int, route: list[int] | None) -> list[int]:
    """The units that have sent a nomination on: its origin once it left, and each unit of
    its route below the one holding it."""
    if not route or current == origin:
        return []
    below = route.index(current) if current in route else 0
    return [origin, *route[:below]]


@dataclass
class CampaignIndex:
    """Aggregates over a campaign and over everything ever awarded, built in two queries."""

    by_unit_award: Counter[tuple[int, str]] = field(default_factory=Counter)
    granted: dict[str, list[Prior]] = field(default_factory=lambda: defaultdict(list))
    # achievement → the awarded nominations claiming it
    granted_refs: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    by_nominee: dict[str, list[Light]] = field(default_factory=lambda: defaultdict(list))
    targets: tuple[Target, ...] | None = None  # the campaign's, built once
    by_award: Counter[str] = field(default_factory=Counter)  # active proposals per award
    forwarded: Counter[tuple[int, str]] = field(default_factory=Counter)  # (unit, award)
    units: dict[int, tuple[str, str]] = field(default_factory=dict)  # id → (level, name)

    def aggregates(self, n: Subject, award: AwardType, year: int) -> Aggregates:
        key = (n.origin_unit_id, award.code)
        counted_self = 0 if n.state in ACTIVE else 1
        others = [
            o.award
            for o in self.by_nominee.get(n.nominee_key, [])
            if o.id != n.id
            and o.year == year
            and o.decider_level == award.decider_level
            and o.state in ACTIVE
            and _category_clash(o.category, award.category)
        ]
        tier, tier_count = self._tier(n, award)
        return Aggregates(
            proposals_from_unit=self.by_unit_award[key] + counted_self,
            unit_ldtt=self.by_unit_award[(n.origin_unit_id, "LDTT")],
            unit_cstdcs=self.by_unit_award[(n.origin_unit_id, "CSTDCS")]
            + (counted_self if award.code == "CSTDCS" else 0),
            granted_achievements=self._refs_granted_to_others(n),
            other_category_same_level=tuple(sorted(others)),
            tier=self.units[tier][1] if tier is not None else "",
            tier_kind=Level(award.quota_level).vi if award.quota_level else "",
            forwarded_by_tier=tier_count,
            proposed_nationwide=self.by_award[award.code] + counted_self,
        )

    def _tier(self, n: Subject, award: AwardType) -> tuple[int | None, int | None]:
        """The unit of the quota's level on the nomination's path, and what it has forwarded
        of this award counting this one from the moment its reviewers hold it; (None, None)
        without a tier quota, (unit, None) before the nomination reaches that unit."""
        if award.quota_level is None or award.quota_per_unit is None:
            return None, None
        path = [n.origin_unit_id, *(n.route or [])]
        tier = next((u for u in path if self.units[u][0] == award.quota_level), None)
        if tier is None:
            return None, None
        if tier in _forwarded_by(n.origin_unit_id, n.current_unit_id, n.route):
            return tier, self.forwarded[(tier, award.code)] + (0 if n.state in ACTIVE else 1)
        if n.current_unit_id == tier and n.state == IN_REVIEW:  # being forwarded now
            return tier, self.forwarded[(tier, award.code)] + 1
        return tier, None

    def _refs_granted_to_others(self, n: Subject) -> frozenset[str]:
        """Of the achievements rewarded elsewhere, the one this nomination claims (if any)."""
        own = n.facts.get("achievement_ref")
        if not isinstance(own, str):
            return frozenset()
        owners = self.granted_refs.get(own, ())
        return frozenset({own}) if any(owner != n.id for owner in owners) else frozenset()


def _category_clash(a: str, b: str) -> bool:
    return {a, b} == {"comprehensive", "thematic"}


_LIGHT = (
    select(
        Nomination.id,
        AwardType.code,
        Nomination.origin_unit_id,
        Nomination.state,
        Nomination.nominee_key,
        Nomination.facts["achievement_ref"].as_string(),
        Campaign.year,
        AwardType.decider_level,
        AwardType.category,
        Nomination.campaign_id,
        Nomination.current_unit_id,
        Nomination.route,
    )
    .join(AwardType, AwardType.id == Nomination.award_type_id)
    .join(Campaign, Campaign.id == Nomination.campaign_id)
)


def _remember(index: CampaignIndex, light: Light) -> None:
    """What every index keeps of a nomination: its nominee's proposals and past awards."""
    index.by_nominee[light.nominee_key].append(light)
    if light.state == AWARDED:
        index.granted[light.nominee_key].append(Prior(light.award, light.year, False))
        if light.achievement_ref:
            index.granted_refs[light.achievement_ref].add(light.id)


def _tiered(session: Session, campaign_id: int) -> bool:
    """Tier quotas need every unit's level and what each has forwarded; most campaigns have none."""
    return (
        session.scalar(
            select(AwardType.id)
            .where(AwardType.campaign_id == campaign_id, AwardType.quota_level.is_not(None))
            .limit(1)
        )
        is not None
    )


def build_index(session: Session, campaign_id: int) -> CampaignIndex:
    """The whole campaign and everything ever awarded: for passes over every nomination."""
    index = CampaignIndex()
    rows = session.execute(
        _LIGHT.where((Nomination.campaign_id == campaign_id) | (Nomination.state == AWARDED))
    )
    tiered = _tiered(session, campaign_id)
    if tiered:
        index.units = {uid: (level, name) for uid, level, name in session.execute(UNITS)}
    for r in rows:
        light = Light(*r[:9])
        if r[9] == campaign_id and light.state in ACTIVE:
            index.by_unit_award[(light.origin_unit_id, light.award)] += 1
            index.by_award[light.award] += 1
            if tiered:
                for unit in _forwarded_by(light.origin_unit_id, r[10], r[11]):
                    index.forwarded[(unit, light.award)] += 1
        _remember(index, light)
    return index


def _in_campaign_or_awarded() -> Any:
    return (Nomination.campaign_id == bindparam("campaign")) | (Nomination.state == AWARDED)


# An event's statements, built once (constructing them cost as much as running them); each
# starts from an index: the proposing unit's, and the award's with its state.
_FROM_UNIT = Prepared(
    select(AwardType.code, func.count())
    .select_from(Nomination)
    .join(AwardType, AwardType.id == Nomination.award_type_id)
    .where(
        Nomination.origin_unit_id == bindparam("origin"),
        Nomination.campaign_id == bindparam("campaign"),
        Nomination.state.in_(ACTIVE),
    )
    .group_by(AwardType.code)
)
_OF_AWARD = Prepared(
    select(func.count()).where(
        Nomination.award_type_id.in_(
            select(AwardType.id).where(
                AwardType.campaign_id == bindparam("campaign"), AwardType.code == bindparam("code")
            )
        ),
        Nomination.state.in_(ACTIVE),
    )
)
_SAME_NOMINEE = Prepared(
    _LIGHT.where(_in_campaign_or_awarded(), Nomination.nominee_key == bindparam("nominee_key"))
)
_SAME_NOMINEE_OR_CLAIM = Prepared(
    _LIGHT.where(
        _in_campaign_or_awarded(),
        (Nomination.nominee_key == bindparam("nominee_key"))
        | (
            (Nomination.state == AWARDED)
            & (Nomination.facts["achievement_ref"].as_string() == bindparam("ref"))
        ),
    )
)
_FORWARDING = Prepared(
    select(Nomination.origin_unit_id, Nomination.current_unit_id, Nomination.route)
    .join(AwardType, AwardType.id == Nomination.award_type_id)
    .where(
        Nomination.campaign_id == bindparam("campaign"),
        Nomination.state.in_(ACTIVE),
        AwardType.code == bindparam("code"),
    )
)
_PATH_UNITS = Prepared(UNITS.where(Unit.id.in_(bindparam("path", expanding=True))))


def index_for(session: Session, n: Subject, award: AwardType) -> CampaignIndex:
    """What one nomination's rules read, and nothing more: its unit's and its award's active
    proposals counted by the database (when a rule of the award reads them), its nominee's
    proposals and awards and the awards claiming its achievement (when one reads those).
    Every event checks one nomination; reading the whole campaign for it made each approval
    cost a scan of the province (issue 19). For ``n``, its rules answer as over
    :func:`build_index`, and where they read the same, the two are equal
    (tests/test_checks_index.py)."""
    index = CampaignIndex()
    counts, history = reads_counts(award.rules or ()), reads_history(award.rules or ())
    tiered = award.quota_level is not None and award.quota_per_unit is not None
    if counts or history or tiered:
        session.flush()  # what an ORM query's autoflush did: the reads see the session's changes
    scope = {"campaign": award.campaign_id, "code": award.code, "origin": n.origin_unit_id}
    if counts:  # else no rule asks, and counting grows with the campaign
        for code, count in _FROM_UNIT.rows(session, scope):
            index.by_unit_award[(n.origin_unit_id, code)] = count
        index.by_award[award.code] = _OF_AWARD.scalar(session, scope)
    if history:  # else no rule reads past the dossier's own facts
        own_ref = (n.facts or {}).get("achievement_ref")
        related = {"campaign": award.campaign_id, "nominee_key": n.nominee_key}
        if isinstance(own_ref, str):
            rows = _SAME_NOMINEE_OR_CLAIM.rows(session, related | {"ref": own_ref})
        else:
            rows = _SAME_NOMINEE.rows(session, related)
        for r in rows:
            _remember(index, Light(*r[:9]))
    if tiered:
        path = [n.origin_unit_id, *(n.route or [])]
        index.units = {
            uid: (level, name) for uid, level, name in _PATH_UNITS.rows(session, {"path": path})
        }
        for origin, current, route in _FORWARDING.rows(session, scope):
            for unit in _forwarded_by(origin, current, route):
                index.forwarded[(unit, award.code)] += 1
    return index


def campaign_targets(campaign: Campaign) -> tuple[Target, ...]:
    return tuple(
        Target(
            t["key"],
            t["label"],
            t["comparison"],
            int(t["threshold"]),
            t.get("unit") or "",
            t.get("binds") or "issuer",
        )
        for t in (campaign.definition or {}).get("targets", [])
    )


def collective_targets(campaign: Campaign) -> tuple[Target, ...]:
    """The targets a collective reports its results against (its nomination form asks them)."""
    return tuple(t for t in campaign_targets(campaign) if t.binds == "each_collective")


def context_for(
    n: Subject,
    award: AwardType,
    campaign: Campaign,
    index: CampaignIndex,
    today: date,
    event: Event | None = None,
) -> Context:
    if index.targets is None:
        index.targets = campaign_targets(campaign)
    at_submit = event in (None, Event.SUBMIT, Event.RESUBMIT)
    return Context(
        facts=n.facts or {},
        year=campaign.year,
        reference_date=campaign.reference_date or date(campaign.year, 12, 31),
        award=award.code,
        category=award.category,
        # In one order whatever order the rows came in: a rule names the first title it finds.
        granted=tuple(
            sorted(
                (p for p in index.granted.get(n.nominee_key, []) if p.year <= campaign.year),
                key=lambda p: (p.year, p.award),
            )
        ),
        aggregates=index.aggregates(n, award, campaign.year),
        targets=index.targets,
        quota=award.quota_per_unit,
        quota_level=award.quota_level,
        quota_nationwide=award.quota_nationwide,
        deadline=award.submit_by if at_submit else None,
        today=today,
        submitted_on=n.submitted_on,
    )


def run_checks(
    session: Session,
    n: Nomination,
    today: date,
    event: Event | None = None,
    index: CampaignIndex | None = None,
) -> list[Result]:
    award = n.award_type
    if not award.rules:
        return []
    campaign = n.campaign
    index = index or index_for(session, n, award)
    return evaluate_all(award.rules, context_for(n, award, campaign, index, today, event))


@dataclass(frozen=True)
class CheckReport:
    """``eligible``: no rule fails. ``to_review``: the rules that could not answer (a fact
    missing, or no clause in force on the date), so an eligible report with any is shown as
    needing a person's review, never as "đủ điều kiện"."""

    eligible: bool
    to_review: list[str]
    rule_set_version: str | None
    results: list[Result]
    at_submit: list[dict[str, Any]] | None
    changed_since_submit: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "eligible": self.eligible,
            "to_review": self.to_review,
            "rule_set_version": self.rule_set_version,
            "results": [r.as_dict() for r in self.results],
            "changed_since_submit": self.changed_since_submit,
        }


def report(session: Session, n: Nomination, today: date | None = None) -> CheckReport:
    """The checks re-run now, beside what they said at submit."""
    results = run_checks(session, n, today or vn_date(utcnow()))
    before = {r["rule"]: r["status"] for r in n.checks_at_submit or []}
    changed = sorted(
        r.rule for r in results if r.rule in before and before[r.rule] != r.status.value
    )
    return CheckReport(
        eligible=not any(r.blocks for r in results),
        to_review=[r.rule for r in results if r.status in (Status.UNKNOWN, Status.MANUAL)],
        rule_set_version=n.award_type.rule_set_version,
        results=results,
        at_submit=n.checks_at_submit,
        changed_since_submit=changed,
    )


@eligibility.register
def campaign_rules(
    session: Session, n: Nomination, event: Event, today: date, recorded: dict[str, Any]
) -> list[Problem]:
    if not n.award_type.rules:
        return []
    results = run_checks(session, n, today, event)
    sending = event in (Event.SUBMIT, Event.RESUBMIT)
    if sending:  # what the rules said when it was sent, written with the move
        recorded["rule_set_version"] = n.award_type.rule_set_version
        recorded["checks_at_submit"] = [r.as_dict() for r in results]
    return refusals(results, sending)


def refusals(results: list[Result], sending: bool) -> list[Problem]:
    """The rules' answers that stop an event: a failing blocking rule, and when sending, one
    that could not answer for want of a fact."""
    return [
        Problem(r.rule, r.message_vi, r.message_en, blocking=True)
        for r in results
        if r.blocks or (sending and _missing_facts(r))
    ]


def refused_sending(
    session: Session, drafts: dict[int, Nomination], campaign_id: int, today: date
) -> dict[int, list[Problem]]:
    """What the rules would refuse of each of a campaign's drafts sent today (by the caller's
    key), read over one index of the campaign: a list of two hundred drafts is one read, not
    two hundred (:func:`index_for` gives the same answers for one nomination)."""
    index = build_index(session, campaign_id)
    found = {}
    for key, n in drafts.items():
        problems = refusals(run_checks(session, n, today, Event.SUBMIT, index), sending=True)
        if problems:
            found[key] = problems
    return found


def _missing_facts(r: Result) -> bool:
    """A blocking rule that could not answer for want of facts: the CĐCS fills them in before
    sending, so no nomination goes up looking eligible with its rules unanswered."""
    return r.status == Status.UNKNOWN and r.severity == Severity.BLOCKING


@dataclass(frozen=True)
class CheckedRow:
    nomination_id: int
    nominee_name: str
    award: str
    state: str
    eligible: bool
    results: list[Result]


def recheck_campaign(
    session: Session,
    campaign_code: str,
    today: date,
    progress: Callable[[int], None] | None = None,
    batch: int = 5000,
) -> list[CheckedRow]:
    """Re-run every nomination's rules and store the results, in one pass over the campaign.

    The cyclic garbage collector is paused for the pass: it allocates hundreds of
    thousands of small acyclic objects, and repeated full scans of them cost more than
    the rules themselves.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        with transaction(session):  # the stored results of the whole pass, or none
            return _recheck(session, campaign_code, today, progress, batch)
    finally:
        if was_enabled:
            gc.enable()


def _recheck(
    session: Session,
    campaign_code: str,
    today: date,
    progress: Callable[[int], None] | None,
    batch: int,
) -> list[CheckedRow]:
    campaign = session.scalar(select(Campaign).where(Campaign.code == campaign_code))
    if campaign is None:
        raise NotFound(
            f"Không có đợt thi đua '{campaign_code}'.", f"No campaign '{campaign_code}'."
        )
    index = build_index(session, campaign.id)
    awards = {a.id: a for a in campaign.award_types}
    rows: list[CheckedRow] = []
    updates: list[dict[str, Any]] = []
    day = today.isoformat()
    query = (
        select(
            Nomination.id,
            Nomination.award_type_id,
            Nomination.origin_unit_id,
            Nomination.state,
            Nomination.nominee_key,
            Nomination.nominee_name,
            Nomination.facts,
            Nomination.current_unit_id,
            Nomination.route,
            Nomination.submitted_on,
        )
        .where(Nomination.campaign_id == campaign.id)
        .order_by(Nomination.id)
    )
    for chunk in session.execute(query).partitions(batch):
        for nid, award_id, unit_id, state, key, name, facts, current, route, sent in chunk:
            award = awards[award_id]
            probe = Probe(nid, state, unit_id, key, facts or {}, current, route, sent)
            # The filing deadline against the day it was sent; a draft's, against today.
            ctx = context_for(probe, award, campaign, index, today)
            results = evaluate_all(award.rules, ctx) if award.rules else []
            eligible = not any(r.blocks for r in results)
            rows.append(CheckedRow(nid, name, award.code, state, eligible, results))
            # Stored compactly, "RULE:status:severity"; the messages, sources and values are
            # one re-check away (``checks.report``), so the bulk pass writes little.
            stored = [f"{r.rule}:{r.status.value}:{r.severity.value}" for r in results]
            updates.append(
                {"nid": nid, "latest": {"eligible": eligible, "on": day, "results": stored}}
            )
        if progress:
            progress(len(chunk))
    if updates:
        table = Base.metadata.tables["nominations"]
        session.connection().execute(
            update(table)
            .where(table.c.id == bindparam("nid"))
            .values(checks_latest=bindparam("latest")),
            updates,
        )
    return rows


def preview(
    session: Session, award: AwardType, origin_unit_id: int, facts: dict[str, Any], today: date
) -> list[Result]:
    """The rules' answer for facts not yet saved (the form's "check before saving"): the
    titles held coded as saving codes them, so both say the same."""
    if not award.rules:
        return []
    facts = coded_titles(facts, known_titles(session))
    probe = Probe(0, State.DRAFT.value, origin_unit_id, "", facts, origin_unit_id, None)
    index = index_for(session, probe, award)
    return evaluate_all(award.rules, context_for(probe, award, award.campaign, index, today))
