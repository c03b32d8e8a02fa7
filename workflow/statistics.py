"""Award statistics for a unit's subtree and a year: what union reports ask for (số liệu thi đua,
khen thưởng) — counts and money by award, deciding level, nominee kind, gender and unit, the
share of women and of workers directly producing, against the previous year.

Everything is counted in the database in one grouped query per year (a province holds
hundreds of thousands of nominations); money is the bonus of each group (coefficient ×
lương cơ sở on the signing day), so it is computed once per group, never per award.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from workflow.accounts import active_assignments
from workflow.amounts import amount_for
from workflow.errors import NotFound
from workflow.models import AwardType, Campaign, Decision, Nomination, Unit, User
from workflow.vocabulary import State

AWARDED = (State.AWARDED.value,)  # revoked awards no longer count


@dataclass
class Tally:
    """Awards and their money."""

    count: int = 0
    money: int = 0

    def add(self, count: int, money: int) -> None:
        self.count += count
        self.money += money


@dataclass
class YearFigures:
    year: int
    total: Tally = field(default_factory=Tally)
    by_award: dict[str, Tally] = field(default_factory=dict)  # award title → tally
    by_level: dict[str, Tally] = field(default_factory=dict)  # deciding level → tally
    by_kind: dict[str, Tally] = field(default_factory=dict)  # individual / collective
    by_unit: dict[int, Tally] = field(default_factory=dict)  # the root's child unit → tally
    individuals: int = 0
    women: int = 0
    gender_unknown: int = 0
    direct_workers: int = 0

    def share(self, part: int) -> float | None:
        """Part of the individuals awarded, in percent (None when there were none)."""
        return round(100 * part / self.individuals, 1) if self.individuals else None

    def women_share(self) -> float | None:
        """Women among the individuals whose gender is recorded (None when nobody's is: not
        0 %, which would say there were no women)."""
        known = self.individuals - self.gender_unknown
        return round(100 * self.women / known, 1) if known else None


@dataclass(frozen=True)
class Statistics:
    root: Unit
    children: dict[int, Unit]  # the units one level below the root, shown as rows
    this_year: YearFigures
    last_year: YearFigures
    campaign_code: str | None
    award_code: str | None


def _may_see(actor: User, unit: Unit, day: date) -> bool:
    return any(unit.path.startswith(a.unit.path) for a in active_assignments(actor, day))


def roots_of(actor: User, day: date) -> list[Unit]:
    """The units whose statistics the actor reads by default: where they hold a role."""
    found = {a.unit_id: a.unit for a in active_assignments(actor, day)}
    return sorted(found.values(), key=lambda u: u.path)


def award_statistics(
    session: Session,
    actor: User,
    day: date,
    root: Unit,
    year: int,
    campaign_code: str | None = None,
    award_code: str | None = None,
) -> Statistics:
    """The statistics of ``root``'s subtree for ``year`` (and the year before, to compare)."""
    if not _may_see(actor, root, day):
        raise NotFound("Không có số liệu của đơn vị này.", "No statistics for this unit.")
    if (
        campaign_code
        and session.scalar(select(Campaign.id).where(Campaign.code == campaign_code)) is None
    ):
        # Else every campaign's figures would read as this one's (a link typed by hand).
        raise NotFound(
            f"Không có đợt thi đua «{campaign_code}».", f"No campaign «{campaign_code}»."
        )
    children = {u.id: u for u in session.scalars(select(Unit).where(Unit.parent_id == root.id))}
    this_year, last_year = _figures(session, root, children, year, campaign_code, award_code)
    return Statistics(root, children, this_year, last_year, campaign_code, award_code)


def _figures(
    session: Session,
    root: Unit,
    children: dict[int, Unit],
    year: int,
    campaign_code: str | None,
    award_code: str | None,
) -> tuple[YearFigures, YearFigures]:
    """Both years from one grouped query on narrow keys (ids), named afterwards: the
    database groups integers, Python looks up a few hundred names."""
    subtree = session.execute(
        select(Unit.id, Unit.path).where(Unit.path.startswith(root.path, autoescape=True))
    )
    child_of = {
        uid: next((cid for cid, c in children.items() if path.startswith(c.path)), None)
        for uid, path in subtree
    }
    gender = Nomination.facts["gender"].as_string()
    worker = Nomination.facts["direct_worker"].as_boolean()
    keys = (
        Campaign.year,
        Nomination.award_type_id,
        Nomination.nominee_kind,
        gender,
        worker,
        Nomination.origin_unit_id,
        Nomination.decision_id,
    )
    origin = aliased(Unit)
    query = (
        select(*keys, func.count())
        .join(Campaign, Campaign.id == Nomination.campaign_id)
        .join(origin, origin.id == Nomination.origin_unit_id)
        .where(
            Nomination.state.in_(AWARDED),
            Campaign.year.in_((year, year - 1)),
            origin.path.startswith(root.path, autoescape=True),
        )
        .group_by(*keys)
    )
    if campaign_code:
        query = query.where(Campaign.code == campaign_code)
    if award_code:
        query = query.where(
            Nomination.award_type_id.in_(select(AwardType.id).where(AwardType.code == award_code))
        )
    groups = session.execute(query).all()
    award_ids = {g[1] for g in groups}
    awards = {
        a.id: a for a in session.scalars(select(AwardType).where(AwardType.id.in_(award_ids)))
    }
    decision_ids = {g[6] for g in groups}
    signed = {
        did: day
        for did, day in session.execute(
            select(Decision.id, Decision.signed_on).where(Decision.id.in_(decision_ids))
        )
    }
    figures = {year: YearFigures(year), year - 1: YearFigures(year - 1)}
    # First fold the groups by what money and the breakdowns need (a few hundred keys), then
    # name and price each key once.
    folded: Counter[tuple[int, int, int, str, int | None]] = Counter()
    for y, award_id, kind, sex, direct, origin_id, decision_id, count in groups:
        folded[(y, award_id, decision_id, kind, child_of.get(origin_id))] += count
        if kind == "individual":
            f = figures[y]
            f.individuals += count
            if sex == "female":
                f.women += count
            elif sex != "male":
                f.gender_unknown += count
            if direct:
                f.direct_workers += count
    money_of: dict[tuple[str | None, date], int] = {}
    for (y, award_id, decision_id, kind, child), count in folded.items():
        award = awards[award_id]
        price = (award.bonus_coefficient, signed[decision_id])
        if price not in money_of:
            money_of[price] = amount_for(*price) or 0
        money = money_of[price] * count
        f = figures[y]
        f.total.add(count, money)
        f.by_award.setdefault(award.title, Tally()).add(count, money)
        f.by_level.setdefault(award.decider_level, Tally()).add(count, money)
        f.by_kind.setdefault(kind, Tally()).add(count, money)
        if child is not None:
            f.by_unit.setdefault(child, Tally()).add(count, money)
    return figures[year], figures[year - 1]
