"""Everything a rule may read, gathered before any rule runs (rules never touch a database)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rules.words import grouped

SCOPES = ("co_so", "tinh", "toan_quoc")  # an initiative's reach, narrowest first


@dataclass(frozen=True)
class Prior:
    """A title held in a year: granted in this system, or declared by the nominee."""

    award: str
    year: int
    declared: bool


COMPARE_VI = {">=": "từ", ">": "trên", "<=": "không quá", "<": "dưới", "==": "bằng"}
COMPARE_EN = {">=": "at least", ">": "over", "<=": "at most", "<": "under", "==": "exactly"}


@dataclass(frozen=True)
class Target:
    """A campaign plan's target. ``binds`` says whom: the issuer as a whole (its overall goal,
    reported, never checked on one collective) or each collective it proposes."""

    key: str
    label: str
    comparison: str  # ">=", ">", "<=", "<", "=="
    threshold: int
    unit: str = ""
    binds: str = "issuer"  # "issuer" | "each_collective"

    @property
    def requirement(self) -> str:
        """'từ 90%', 'bằng 100%': as the form and messages say it."""
        return self.requirement_in("vi")

    def requirement_in(self, lang: str) -> str:
        """'từ 90%' in Vietnamese, 'at least 90%' in English."""
        unit = self.unit if self.unit.startswith("%") or not self.unit else f" {self.unit.strip()}"
        words = COMPARE_EN if lang == "en" else COMPARE_VI
        return f"{words[self.comparison]} {grouped(self.threshold, lang)}{unit}"


@dataclass(slots=True)  # not frozen: frozen init is twice as slow on the bulk path
class Aggregates:
    """Counts over other nominations, computed by the caller in bulk."""

    proposals_from_unit: int = 0  # same award type and proposing unit in the campaign
    unit_ldtt: int = 0  # LĐTT proposed or granted in the unit this year
    unit_cstdcs: int = 0  # CSTĐ cơ sở proposed in the unit this year (this one included)
    granted_achievements: frozenset[str] = frozenset()
    # Awards of the other category (comprehensive vs thematic) for the same nominee at the
    # same deciding level in the same year.
    other_category_same_level: tuple[str, ...] = ()
    # A quota counted at a tier (Context.quota_level): the unit of that level on the route,
    # and what it has forwarded of this award, this one included once it is being forwarded;
    # None while the nomination has not reached that tier.
    tier: str = ""  # the unit's name; empty when the route has not been fixed yet
    tier_kind: str = ""  # the level's name ("LĐLĐ tỉnh"), for messages
    forwarded_by_tier: int | None = None
    proposed_nationwide: int = 0  # this award's proposals in the campaign, this one included


@dataclass(slots=True)  # not frozen: frozen init is twice as slow on the bulk path
class Context:
    facts: Mapping[str, Any]
    year: int
    reference_date: date
    award: str
    category: str = "comprehensive"  # comprehensive | thematic | periodic | ad_hoc
    params: Mapping[str, Any] = field(default_factory=dict)
    granted: tuple[Prior, ...] = ()
    aggregates: Aggregates = field(default_factory=Aggregates)
    targets: tuple[Target, ...] = ()
    quota: int | None = None
    quota_level: str | None = None  # None: per proposing unit; else per unit of that level
    quota_nationwide: int | None = None
    deadline: date | None = None
    today: date | None = None
    submitted_on: date | None = None  # the day it was first sent; None: not yet (it goes today)

    def rating(self, year: int) -> str | None:
        ratings = self.facts.get("ratings") or {}
        value = ratings.get(str(year), ratings.get(year))
        return value if isinstance(value, str) else None

    def initiatives(self, years: range, min_scope: str = "co_so") -> list[Mapping[str, Any]]:
        """Recognised initiatives in those years reaching at least ``min_scope``."""
        floor = SCOPES.index(min_scope)
        return [
            i
            for i in self.facts.get("initiatives") or []
            if i.get("year") in years
            and i.get("recognized_by")
            and i.get("scope") in SCOPES
            and SCOPES.index(i["scope"]) >= floor
        ]

    def unrecognised(self) -> int:
        """Initiatives declared without the body that recognised them: never counted."""
        return sum(1 for i in self.facts.get("initiatives") or [] if not i.get("recognized_by"))

    def priors(self) -> list[Prior]:
        declared = [
            Prior(str(p.get("award_type")), int(p.get("year", 0)), True)
            for p in self.facts.get("prior_titles") or []
            if isinstance(p.get("year"), int)
        ]
        return [*self.granted, *declared]

    def held(self, awards: set[str], year: int) -> Prior | None:
        """The title held that year, preferring one granted in the system over a declared one."""
        found = [p for p in self.priors() if p.award in awards and p.year == year]
        found.sort(key=lambda p: p.declared)
        return found[0] if found else None
