"""Builders shared by the rule tests: a Context from facts, and the parts facts are made of.

Facts follow the documented JSON-like format (string year keys in ``ratings`` and
``grades``, lists of dicts for ``initiatives``, ``prior_titles`` and ``discipline``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from rules import Context, Prior

YEAR = 2024
LAST_DAY_2003_LAW = date(2023, 12, 31)
FIRST_DAY_2022_LAW = date(2024, 1, 1)
RECOGNISED_BY = "Hội đồng sáng kiến cơ sở"


def ctx(
    facts: Mapping[str, Any] | None = None,
    year: int = YEAR,
    reference: date | None = None,
    **kw: Any,
) -> Context:
    """A Context for ``year``; the reference date defaults to 31/12 of that year."""
    kw.setdefault("award", "TEST")
    return Context(
        facts=dict(facts or {}),
        year=year,
        reference_date=reference or date(year, 12, 31),
        **kw,
    )


def initiative(
    year: int,
    scope: str = "co_so",
    benefit: int = 0,
    recognized_by: str = RECOGNISED_BY,
    title: str = "Cải tiến quy trình",
) -> dict[str, Any]:
    return {
        "title": title,
        "year": year,
        "scope": scope,
        "benefit_vnd": benefit,
        "recognized_by": recognized_by,
    }


def unrecognised(year: int, scope: str = "co_so", benefit: int = 0) -> dict[str, Any]:
    return initiative(year, scope, benefit, recognized_by="")


def declared(award: str, *years: int) -> list[dict[str, Any]]:
    """``prior_titles`` entries the nominee declared."""
    return [{"award_type": award, "year": y} for y in years]


def granted(award: str, *years: int) -> tuple[Prior, ...]:
    """Titles granted in the system (``Context.granted``)."""
    return tuple(Prior(award, y, False) for y in years)


def rated(**by_year: str) -> dict[str, str]:
    """``rated(y2023="HTXSNV")`` → ``{"2023": "HTXSNV"}`` (string year keys)."""
    return {key.removeprefix("y"): rating for key, rating in by_year.items()}


def clean_person(**overrides: Any) -> dict[str, Any]:
    """An individual who passes every exclusion; override what a test is about."""
    facts: dict[str, Any] = {
        "ratings": {},
        "initiatives": [],
        "prior_titles": [],
        "discipline": [],
        "registered": True,
        "absent_days": 0,
        "months_employed": 12,
        "is_leader": False,
        "education": "college",
        "gender": "female",
        "achievement_ref": "TT-2024-001",
    }
    facts.update(overrides)
    return facts
