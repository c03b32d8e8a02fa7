"""The rule registry and the one way a rule is evaluated.

A rule declares the facts it needs; when one is missing the result is ``unknown`` and
the rule body never runs. It also declares the parameters it reads: the registry hands it
a reader limited to those, and a campaign may override those and no others
(``workflow/campaign_schema.py`` checks each override against :attr:`Rule.params`). A rule
whose clause is not in force on the reference date passes with a note, so the two regimes
(before and from 2024) live side by side.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from rules.context import Context
from rules.params import Kind, Params, kind
from rules.results import Result, Severity, Source, Status

FACT_LABELS = {
    "ratings": "xếp loại đánh giá",
    "initiatives": "sáng kiến",
    "prior_titles": "danh hiệu đã đạt",
    "discipline": "kỷ luật",
    "registered": "đăng ký thi đua",
    "absent_days": "số ngày nghỉ",
    "months_employed": "số tháng công tác",
    "is_leader": "chức vụ lãnh đạo",
    "education": "trình độ đào tạo",
    "grades": "xếp loại công đoàn cơ sở",
    "months_operating": "số tháng hoạt động",
    "targets": "kết quả chỉ tiêu",
    "fatal_accidents": "số vụ tai nạn lao động chết người",
    "score": "điểm chấm thi đua",
    "achievement_ref": "mã thành tích",
    "gender": "giới tính",
}


@dataclass(slots=True)  # not frozen: frozen init is twice as slow on the bulk path
class Verdict:
    ok: bool
    message_vi: str
    message_en: str
    values: dict[str, Any] = field(default_factory=dict)
    source: Source | None = None  # when the clause depends on the date


Check = Callable[[Context, Params], Verdict]


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    needs: tuple[str, ...]
    source: Source
    check: Check
    params: Mapping[str, Kind] = field(default_factory=dict)  # what a campaign may override


RULES: dict[str, Rule] = {}
# Looked up once: enum member access is slow on Python 3.11, and evaluate() is the hot path.
PASS, FAIL, UNKNOWN = Status.PASS, Status.FAIL, Status.UNKNOWN
WARNING = Severity.WARNING


def rule(
    rule_id: str, title: str, needs: Iterable[str], source: Source, params: Iterable[str] = ()
) -> Callable[[Check], Check]:
    """Register a rule; ``params`` names every parameter it reads (their kinds come from
    ``rules/params.py``, so an unknown name fails here, at import)."""
    kinds = {name: kind(name) for name in params}

    def register(check: Check) -> Check:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        RULES[rule_id] = Rule(rule_id, title, tuple(needs), source, check, kinds)
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
    missing = [name for name in r.needs if ctx.facts.get(name) is None]
    if missing:
        labels = ", ".join(FACT_LABELS.get(m, m) for m in missing)
        return Result(
            r.id, UNKNOWN, severity,
            f"{r.title}: thiếu thông tin ({labels}).",
            f"{r.id}: missing facts ({', '.join(missing)}).",
            r.source, {"missing": missing},
        )  # fmt: skip
    if not r.source.in_force(ctx.reference_date):
        return Result(
            r.id, PASS, WARNING,
            f"{r.title}: không áp dụng vào ngày {ctx.reference_date:%d/%m/%Y}.",
            f"{r.id}: not in force on {ctx.reference_date.isoformat()}.",
            r.source, {"not_in_force": True},
        )  # fmt: skip
    given = {**ctx.params, **overrides} if overrides else ctx.params
    verdict = r.check(ctx, Params(r.id, r.params, ctx.reference_date, given))
    return Result(
        r.id,
        PASS if verdict.ok else FAIL,
        severity,
        verdict.message_vi,
        verdict.message_en,
        verdict.source or r.source,
        verdict.values,
    )


def evaluate_all(specs: Iterable[Mapping[str, Any]], ctx: Context) -> list[Result]:
    """Run an award type's rules: each spec is {rule, severity?, params?}."""
    return [
        evaluate(spec["rule"], ctx, Severity(spec.get("severity", "blocking")), spec.get("params"))
        for spec in specs
    ]
