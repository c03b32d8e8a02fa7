"""The rule registry and the one way a rule is evaluated.

A rule declares the facts it needs; when one is missing the result is ``unknown`` and
the rule body never runs. It also declares the parameters it reads: the registry hands it
a reader limited to those, and a campaign may override those and no others
(``workflow/campaign_schema.py`` checks each override against :attr:`Rule.params`).

A rule is a set of dated clauses (its sources), so the regimes before and from 2024 live side
by side: on the reference date exactly one clause applies, or none does and the rule answers
"cần xem xét thủ công" (manual review), never a pass. docs/rules.md is generated from them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import Any

from rules.context import Context
from rules.params import Kind, Params, kind
from rules.results import Result, Severity, Source, Status

FACT_LABELS: dict[str, tuple[str, str]] = {  # how a rule's message names a missing fact
    "serious_incidents": (
        "số sự cố kỹ thuật nghiêm trọng, cháy, nổ",
        "serious incidents, fires, explosions",
    ),
    "training_months": ("số tháng đi học", "months in training"),
    "training_result": ("kết quả học tập", "training result"),
    "ratings": ("xếp loại đánh giá", "ratings"),
    "initiatives": ("sáng kiến", "initiatives"),
    "prior_titles": ("danh hiệu đã đạt", "titles held"),
    "discipline": ("kỷ luật", "disciplinary actions"),
    "registered": ("đăng ký thi đua", "emulation registration"),
    "registered_late": ("đăng ký sau hạn", "late registration"),
    "absent_days": ("số ngày nghỉ", "days of absence"),
    "months_employed": ("số tháng công tác", "months worked"),
    "is_leader": ("chức vụ lãnh đạo", "leadership position"),
    "education": ("trình độ đào tạo", "education level"),
    "grades": ("xếp loại công đoàn cơ sở", "grassroots union ratings"),
    "months_operating": ("số tháng hoạt động", "months operating"),
    "targets": ("kết quả chỉ tiêu", "results against targets"),
    "fatal_accidents": ("số vụ tai nạn lao động chết người", "fatal work accidents"),
    "score": ("điểm chấm thi đua", "emulation score"),
    "achievement_ref": ("số hiệu báo cáo thành tích", "achievement report number"),
    "gender": ("giới tính", "gender"),
}


@dataclass(slots=True)  # not frozen: frozen init is twice as slow on the bulk path
class Verdict:
    ok: bool
    message_vi: str
    message_en: str
    values: dict[str, Any] = field(default_factory=dict)


Check = Callable[[Context, Params], Verdict]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    title_en: str
    needs: tuple[str, ...]
    clauses: tuple[Source, ...]  # in date order, none overlapping
    check: Check
    params: Mapping[str, Kind] = field(default_factory=dict)  # what a campaign may override
    optional: tuple[str, ...] = ()  # facts it reads when given; missing, they count as none
    counts: bool = False  # reads how many proposals its unit or the campaign made
    history: bool = False  # reads its nominee's other proposals and awards in the system

    @property
    def reads(self) -> tuple[str, ...]:
        """Every fact the rule reads: what its form asks for."""
        return self.needs + self.optional

    def clause_on(self, day: date) -> Source | None:
        """The clause in force on ``day``; None when no clause is known for it."""
        for clause in self.clauses:
            if clause.in_force(day):
                return clause
        return None


def _in_date_order(rule_id: str, clauses: Sequence[Source]) -> tuple[Source, ...]:
    """The clauses sorted; two in force on one day would make the answer depend on order."""
    ordered = sorted(clauses, key=lambda c: c.valid_from or date.min)
    for earlier, later in pairwise(ordered):
        if (
            earlier.valid_to is None
            or later.valid_from is None
            or earlier.valid_to >= later.valid_from
        ):
            raise ValueError(
                f"rule {rule_id}: clauses '{earlier.clause}' and '{later.clause}' overlap"
            )
    return tuple(ordered)


RULES: dict[str, Rule] = {}
# Looked up once: enum member access is slow on Python 3.11, and evaluate() is the hot path.
PASS, FAIL, UNKNOWN, MANUAL = Status.PASS, Status.FAIL, Status.UNKNOWN, Status.MANUAL


def rule(
    rule_id: str,
    titles: tuple[str, str],
    needs: Iterable[str],
    source: Source | Sequence[Source],
    params: Iterable[str] = (),
    optional: Iterable[str] = (),
    counts: bool = False,
    history: bool = False,
) -> Callable[[Check], Check]:
    """Register a rule with its ``titles`` (Vietnamese, English) and its clause, or its dated
    clauses; ``params`` names every parameter
    it reads (their kinds come from ``rules/params.py``, so an unknown name fails here, at
    import). A clause's own test differs from another's only through dated parameters. A fact
    in ``needs`` missing makes the answer unknown; one in ``optional`` missing counts as none.
    ``counts``: the rule reads how many proposals its unit or the campaign made, which the
    database counts for each event only where an award has such a rule (:func:`reads_counts`).
    ``history``: the rule reads what its nominee was proposed for or awarded in the system
    (``Context.granted``, ``Aggregates.granted_achievements`` and
    ``other_category_same_level``), which an event reads only where a rule asks
    (:func:`reads_history`)."""
    kinds = {name: kind(name) for name in params}
    clauses = _in_date_order(rule_id, [source] if isinstance(source, Source) else source)

    def register(check: Check) -> Check:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        RULES[rule_id] = Rule(
            rule_id, *titles, tuple(needs), clauses, check, kinds, tuple(optional),
            counts=counts, history=history,
        )  # fmt: skip
        return check

    return register


def evaluate(
    rule_id: str,
    ctx: Context,
    severity: Severity = Severity.BLOCKING,
    overrides: Mapping[str, Any] | None = None,
) -> Result:
    """One rule's result; ``overrides`` are its spec's ``params`` (over ``ctx.params``)."""
    r = RULES[rule_id]
    day = ctx.reference_date
    clause = r.clause_on(day)
    if clause is None:
        return Result(
            r.id, MANUAL, severity,
            f"{r.title}: chưa có căn cứ áp dụng cho ngày {day:%d/%m/%Y}; cần xem xét thủ công.",
            f"{r.title_en}: no legal basis known for {day:%d/%m/%Y}; a person must review it.",
            Source(f"— ({day:%d/%m/%Y})"), {"manual": True},  # the message says why, in both
        )  # fmt: skip
    missing = [name for name in r.needs if ctx.facts.get(name) is None]
    if missing:
        labels = [FACT_LABELS.get(m, (m, m)) for m in missing]
        return Result(
            r.id, UNKNOWN, severity,
            f"{r.title}: thiếu thông tin ({', '.join(vi for vi, _ in labels)}).",
            f"{r.title_en}: missing information ({', '.join(en for _, en in labels)}).",
            clause, {"missing": missing},
        )  # fmt: skip
    given = {**ctx.params, **overrides} if overrides else ctx.params
    verdict = r.check(ctx, Params(r.id, r.params, day, given))
    message_vi, message_en = verdict.message_vi, verdict.message_en
    uncounted = ctx.unrecognised() if "initiatives" in r.reads else 0
    if uncounted:  # else "sáng kiến: 0" beside one typed in, with no word why
        message_vi += f" Chưa tính {uncounted} sáng kiến chưa ghi cơ quan công nhận."
        message_en += f" {uncounted} initiative(s) without a recognising body not counted."
    return Result(
        r.id, PASS if verdict.ok else FAIL, severity, message_vi, message_en, clause, verdict.values
    )


def reads_counts(specs: Iterable[Mapping[str, Any]]) -> bool:
    """Whether any of an award's rules reads how many proposals were made: counting an award's
    proposals across a province for every event of an award that never asks would grow each
    event with the campaign (issue 19)."""
    return any(RULES[spec["rule"]].counts for spec in specs if spec["rule"] in RULES)


def reads_history(specs: Iterable[Mapping[str, Any]]) -> bool:
    """Whether any of an award's rules reads its nominee's other proposals and awards: most
    awards' rules read only the dossier's facts, and their events need not look further."""
    return any(RULES[spec["rule"]].history for spec in specs if spec["rule"] in RULES)


def evaluate_all(specs: Iterable[Mapping[str, Any]], ctx: Context) -> list[Result]:
    """Run an award type's rules: each spec is {rule, severity?, params?}."""
    return [
        evaluate(spec["rule"], ctx, Severity(spec.get("severity", "blocking")), spec.get("params"))
        for spec in specs
    ]
