"""Random facts in the documented format against every registered rule.

Each fact is absent, present as None, or present with a random value of the documented
type (empty lists and dicts included); years lie around the campaign year, reference dates
on both sides of 01/01/2024. Whatever the facts, a rule returns a JSON-serialisable
Result and says ``unknown`` exactly when a fact it needs is missing.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from rules import (
    RULES,
    Aggregates,
    Context,
    Prior,
    Result,
    Severity,
    Status,
    Target,
    evaluate,
)
from rules.collective import COMPARE
from rules.money import bonus_amount
from rules.vote import vote_passes
from tests.rule_facts import FIRST_DAY_2022_LAW, LAST_DAY_2003_LAW, declared, initiative

RATINGS = ("HTXSNV", "HTTNV", "HTNV", "KHTNV")
SCOPES = ("co_so", "tinh", "toan_quoc")
AWARDS = ("CSTDCS", "BK_LDLD", "LDTT", "CSTD_TINH", "BK_TLD", "LDST")
LEVELS = ("khien_trach", "canh_cao", "ha_bac", "cach_chuc", "buoc_thoi_viec", "nhac_nho")
EDUCATION = ("university", "postgraduate", "college", "intermediate", "high_school")
GRADES = ("hoan_thanh_xuat_sac", "hoan_thanh_tot", "hoan_thanh", "khong_hoan_thanh")
CATEGORIES = ("comprehensive", "thematic", "periodic", "ad_hoc")
REFS = ("SK-1", "SK-2", "TT-2024-001", "")
TARGET_KEYS = ("dv_moi", "kpcd", "nu_cong")
BENEFITS = st.one_of(
    st.sampled_from([0, 40_000_000, 79_999_999, 80_000_000, 150_000_000, 200_000_000]),
    st.integers(0, 300_000_000),
)
ABSENT = object()
SETTINGS = settings(max_examples=300, deadline=None)


def year_keyed(years: st.SearchStrategy[int], values: tuple[str, ...]) -> st.SearchStrategy[Any]:
    """A dict with string year keys, as ``ratings`` and ``grades`` are documented."""
    return st.dictionaries(years.map(str), st.sampled_from(values), max_size=4)


def fact_strategies(year: int) -> dict[str, st.SearchStrategy[Any]]:
    # Years around the campaign year, most often in the windows the rules look at.
    years = st.one_of(st.integers(year - 2, year), st.integers(year - 4, year + 1))
    window = range(year - 2, year + 1)
    text = st.text(max_size=10)
    full_initiative = st.fixed_dictionaries(
        {
            "title": text,
            "year": years,
            "scope": st.sampled_from(SCOPES),
            "benefit_vnd": BENEFITS,
            "recognized_by": st.sampled_from(["", "Hội đồng sáng kiến cơ sở", "Sở KH&CN"]),
        }
    )
    # Rows with some keys left out: the rules must not trip over them either.
    partial_initiative = st.fixed_dictionaries(
        {},
        optional={
            "title": text,
            "year": years,
            "scope": st.sampled_from(SCOPES),
            "benefit_vnd": BENEFITS,
            "recognized_by": text,
        },
    )
    prior = st.fixed_dictionaries({"award_type": st.sampled_from(AWARDS), "year": years})
    recognised = st.builds(initiative, st.sampled_from(window), st.sampled_from(SCOPES), BENEFITS)
    # A nominee with every title the rules look for, so the passing paths are reached too.
    decorated = [*declared("CSTDCS", *window), *declared("BK_LDLD", year - 1)]
    discipline = st.fixed_dictionaries({"year": years, "level": st.sampled_from(LEVELS)})
    return {
        # individuals
        "ratings": st.one_of(
            year_keyed(years, RATINGS),
            st.fixed_dictionaries({}, optional={str(y): st.sampled_from(RATINGS) for y in window}),
            st.just({str(y): "HTXSNV" for y in window}),
        ),
        "initiatives": st.one_of(
            st.lists(st.one_of(full_initiative, partial_initiative), max_size=5),
            st.lists(recognised, min_size=1, max_size=4),
        ),
        "prior_titles": st.one_of(st.lists(prior, max_size=5), st.just(decorated)),
        "discipline": st.lists(discipline, max_size=3),
        "registered": st.booleans(),
        "absent_days": st.one_of(st.integers(38, 41), st.integers(0, 400)),
        "months_employed": st.integers(0, 12),
        "is_leader": st.booleans(),
        "education": st.sampled_from(EDUCATION),
        "gender": st.sampled_from(["female", "male"]),
        "achievement_ref": st.sampled_from(REFS),
        # collectives
        "grades": year_keyed(years, GRADES),
        "months_operating": st.integers(0, 36),
        "reorganized": st.booleans(),
        "targets": st.dictionaries(st.sampled_from(TARGET_KEYS), st.integers(-2, 20), max_size=3),
        "fatal_accidents": st.one_of(st.just(0), st.integers(0, 3)),
        "serious_incidents": st.one_of(st.just(0), st.integers(0, 3)),
        "training_months": st.integers(0, 12),
        "training_result": st.sampled_from(["xuat_sac", "gioi", "kha", "trung_binh"]),
        "score": st.one_of(st.sampled_from([95, 96, 100]), st.integers(0, 100)),
    }


@st.composite
def facts_for(draw: st.DrawFn, year: int) -> dict[str, Any]:
    """Each documented fact: absent (1 in 6), None (1 in 6) or a random value."""
    facts: dict[str, Any] = {}
    for name, strategy in fact_strategies(year).items():
        roll = draw(st.integers(0, 5))
        value = ABSENT if roll == 0 else None if roll == 1 else draw(strategy)
        if value is not ABSENT:
            facts[name] = value
    return facts


REFERENCE_DATES = st.one_of(
    st.sampled_from([LAST_DAY_2003_LAW, FIRST_DAY_2022_LAW]),
    st.dates(date(2015, 1, 1), date(2031, 12, 31)),
)


@st.composite
def contexts(draw: st.DrawFn) -> Context:
    year = draw(st.integers(2015, 2030))
    reference = draw(st.one_of(REFERENCE_DATES, st.just(date(year, 12, 31))))
    priors = st.builds(Prior, st.sampled_from(AWARDS), st.integers(year - 3, year), st.just(False))
    target = st.builds(
        Target,
        key=st.sampled_from(TARGET_KEYS),
        label=st.text(min_size=1, max_size=10),
        comparison=st.sampled_from(sorted(COMPARE)),
        threshold=st.integers(0, 15),
        unit=st.sampled_from(["", "%", " người"]),
    )
    aggregates = st.builds(
        Aggregates,
        proposals_from_unit=st.integers(0, 30),
        unit_ldtt=st.integers(0, 60),
        unit_cstdcs=st.integers(0, 15),
        granted_achievements=st.frozensets(st.sampled_from(REFS)),
        other_category_same_level=st.lists(st.sampled_from(AWARDS), max_size=2).map(tuple),
    )
    days = st.dates(date(year, 1, 1), date(year + 1, 3, 31))
    return Context(
        facts=draw(facts_for(year)),
        year=year,
        reference_date=reference,
        award=draw(st.sampled_from(AWARDS)),
        category=draw(st.sampled_from(CATEGORIES)),
        granted=tuple(draw(st.lists(priors, max_size=4))),
        aggregates=draw(aggregates),
        targets=tuple(draw(st.lists(target, max_size=3))),
        quota=draw(st.none() | st.integers(0, 10)),
        deadline=draw(st.none() | days),
        today=draw(st.none() | days),
    )


def missing_needs(rule_id: str, c: Context) -> list[str]:
    return [name for name in RULES[rule_id].needs if c.facts.get(name) is None]


@SETTINGS
@given(contexts(), st.sampled_from(list(Severity)))
def test_every_rule_answers_and_is_unknown_exactly_when_a_need_is_missing(
    c: Context, severity: Severity
) -> None:
    """Manual review when no clause is in force; otherwise unknown exactly when a fact the
    rule needs is missing; otherwise pass or fail under the clause in force."""
    before = copy.deepcopy(dict(c.facts))
    for rule_id, r in RULES.items():
        result = evaluate(rule_id, c, severity)
        assert isinstance(result, Result), rule_id
        assert result.rule == rule_id
        assert result.severity == severity, rule_id
        clause = r.clause_on(c.reference_date)
        missing = missing_needs(rule_id, c)
        if clause is None:
            assert (result.status, result.values) == (Status.MANUAL, {"manual": True}), rule_id
        elif missing:
            assert result.status == Status.UNKNOWN, rule_id
            assert result.values["missing"] == missing, rule_id
        else:
            assert result.status in (Status.PASS, Status.FAIL), (rule_id, result.values)
            assert result.source == clause, rule_id
        assert result.message_vi, rule_id
        assert result.message_en, rule_id
        as_dict = result.as_dict()
        assert json.loads(json.dumps(as_dict, ensure_ascii=False)) == as_dict, rule_id
        assert result == evaluate(rule_id, c, severity), f"{rule_id} is not deterministic"
    assert dict(c.facts) == before, "a rule changed the facts"


@SETTINGS
@given(contexts(), st.dates(date(2017, 1, 1), date(2027, 12, 31)))
def test_no_rule_passes_on_a_date_none_of_its_clauses_covers(c: Context, day: date) -> None:
    """Issue 14: a rule never passes because its clause is not in force; at most one clause
    applies on any day."""
    c = replace(c, reference_date=day)
    for rule_id, r in RULES.items():
        in_force = [clause for clause in r.clauses if clause.in_force(day)]
        assert len(in_force) <= 1, rule_id
        result = evaluate(rule_id, c)
        if not in_force:
            assert result.status == Status.MANUAL, (rule_id, day)
        if result.status == Status.PASS:
            assert result.source == in_force[0], (rule_id, day)


@SETTINGS
@given(contexts())
def test_the_2022_regime_is_never_stricter_for_cstdcs(c: Context) -> None:
    """Whoever is CSTĐ cơ sở under the 2003 law is also CSTĐ cơ sở under the 2022 law."""
    old = evaluate("R-CSTDCS", replace(c, reference_date=LAST_DAY_2003_LAW))
    new = evaluate("R-CSTDCS", replace(c, reference_date=FIRST_DAY_2022_LAW))
    assert old.status != Status.PASS or new.status == Status.PASS, (old.values, new.values)


@SETTINGS
@given(contexts())
def test_a_rule_answers_without_what_it_does_not_declare_it_reads(c: Context) -> None:
    """An event reads the nominee's other proposals and awards only for a rule declaring
    ``history``, and counts proposals only for one declaring ``counts``
    (``workflow.checks.index_for``): any other rule must answer the same without them."""
    agg = c.aggregates
    without_history = replace(
        c,
        granted=(),
        aggregates=replace(agg, granted_achievements=frozenset(), other_category_same_level=()),
    )
    without_counts = replace(
        c, aggregates=replace(agg, proposals_from_unit=0, unit_ldtt=0, unit_cstdcs=0)
    )
    for rule_id, r in RULES.items():
        if not r.history:
            assert evaluate(rule_id, without_history) == evaluate(rule_id, c), rule_id
        if not r.counts:
            assert evaluate(rule_id, without_counts) == evaluate(rule_id, c), rule_id


# Any value a campaign might write for a parameter: the kinds must refuse what rules can't read.
ANY_VALUE = st.one_of(
    st.integers(-3, 12),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True).map(str),
    st.booleans(),
    st.none(),
    st.sampled_from(RATINGS + GRADES + LEVELS + ("", "0.15", "1e999", "NaN")),
    st.text(max_size=5),
    st.lists(st.sampled_from(RATINGS + LEVELS) | st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
PARAMETERISED = sorted(rule_id for rule_id, r in RULES.items() if r.params)


@SETTINGS
@given(contexts(), st.sampled_from(PARAMETERISED), st.data())
def test_every_override_a_campaign_may_set_leaves_the_rule_answering(
    c: Context, rule_id: str, data: st.DataObject
) -> None:
    """What ``RuleSpecSchema`` lets through (each parameter's kind accepts it) never makes a
    rule raise; a value it refuses is never needed to reach the rule."""
    overrides = {}
    for name, kind in RULES[rule_id].params.items():
        if data.draw(st.booleans(), label=f"override {name}"):
            overrides[name] = data.draw(ANY_VALUE.filter(kind.accepts), label=name)
    result = evaluate(rule_id, c, Severity.BLOCKING, overrides)
    assert result.status in set(Status), rule_id
    assert json.loads(json.dumps(result.as_dict(), ensure_ascii=False)) == result.as_dict()


INITIATIVE_RULES = sorted(rule_id for rule_id, r in RULES.items() if "initiatives" in r.reads)


@SETTINGS
@given(contexts(), st.sampled_from(SCOPES), BENEFITS)
def test_one_more_recognised_initiative_never_turns_a_pass_into_a_fail(
    c: Context, scope: str, benefit: int
) -> None:
    assume(isinstance(c.facts.get("initiatives"), list))
    added = [*c.facts["initiatives"], initiative(c.year, scope, benefit)]
    more = replace(c, facts={**c.facts, "initiatives": added})
    for rule_id in INITIATIVE_RULES:
        if evaluate(rule_id, c).status == Status.PASS:
            assert evaluate(rule_id, more).status == Status.PASS, rule_id


@settings(max_examples=200, deadline=None)
@given(
    st.decimals(min_value=0, max_value=10, places=2),
    st.dates(date(2019, 7, 1), date(2030, 12, 31)),
)
def test_bonus_is_the_product_rounded_up_to_ten_thousand(coefficient: Decimal, day: date) -> None:
    base = (
        1_490_000 if day < date(2023, 7, 1) else 1_800_000 if day < date(2024, 7, 1) else 2_340_000
    )
    amount = bonus_amount(coefficient, day)
    exact = Fraction(coefficient) * base
    assert amount % 10_000 == 0
    assert exact <= amount < exact + 10_000
    assert bonus_amount(str(coefficient), day) == amount


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 30),
    st.integers(1, 30),
    st.integers(1, 30),
    st.sampled_from([(1, 2), (2, 3), (90, 100), (3, 4)]),
    st.sampled_from(["members", "present"]),
)
def test_vote_is_a_ratio_of_the_chosen_base(
    yes: int, members: int, present: int, ratio: tuple[int, int], base: str
) -> None:
    counted = members if base == "members" else present
    expected = Fraction(yes, counted) >= Fraction(*ratio)
    assert vote_passes(yes, members, present, ratio, base) is expected
