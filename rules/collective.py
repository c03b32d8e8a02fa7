"""Rules for collectives: CĐCS grading, campaign targets, occupational safety."""

from __future__ import annotations

import operator
from collections.abc import Callable
from decimal import Decimal

from rules import words
from rules.context import Context
from rules.params import CDCS_GRADES, HD_1294, Params
from rules.registry import Verdict, rule
from rules.results import ClauseStatus, Source

PARTIAL = ClauseStatus.PARTIAL

COMPARE: dict[str, Callable[[int | Decimal, int], bool]] = {  # a report's 95.5 %
    ">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq,
}  # fmt: skip
GRADES = CDCS_GRADES  # lowest first


@rule("R-CDCS-OPERATING", ("Thời gian hoạt động của CĐCS", "Months the grassroots union has operated"), ["months_operating"],
      Source("HD 1294/HD-TLĐ 2019 (xếp loại CĐCS)", HD_1294),
      params=["cdcs.months_operating", "cdcs.months_operating_reorganised"])  # fmt: skip
def months_operating(ctx: Context, p: Params) -> Verdict:
    reorganised = bool(ctx.facts.get("reorganized"))
    key = "cdcs.months_operating_reorganised" if reorganised else "cdcs.months_operating"
    need = int(p(key))
    months = int(ctx.facts["months_operating"])
    why = " (sau chia tách, sáp nhập)" if reorganised else ""
    return Verdict(
        months >= need,
        f"CĐCS hoạt động {months} tháng; cần từ {need} tháng{why} mới được xếp loại.",
        f"Operating {words.how_many(months, 'month')}; needs {need}{' after a reorganisation' if reorganised else ''}.",
        {"months_operating": months, "minimum": need},
    )


@rule("R-CDCS-GRADE", ("Xếp loại CĐCS", "Grassroots union rating"), ["grades"], Source("HD 1294/HD-TLĐ 2019", HD_1294),
      params=["min_grade"])  # fmt: skip
def grade(ctx: Context, p: Params) -> Verdict:
    minimum = str(p("min_grade"))
    if minimum not in GRADES:
        minimum = GRADES[-1]  # a mistyped parameter asks for the most, never for less
    got = (ctx.facts["grades"] or {}).get(str(ctx.year))
    ok = got in GRADES and GRADES.index(got) >= GRADES.index(minimum)
    return Verdict(
        ok,
        f"Xếp loại CĐCS năm {ctx.year}: {words.vi(words.GRADES, got) if got else 'chưa có'}; "
        f"cần {words.vi(words.GRADES, minimum)} trở lên.",
        f"Grade for {ctx.year}: {words.en(words.GRADES, got) if got else 'missing'}; "
        f"needs {words.en(words.GRADES, minimum)} or better.",
        {"grade": got, "minimum": minimum},
    )


@rule("R-TARGETS", ("Chỉ tiêu thi đua của kế hoạch", "The plan's emulation targets"), ["targets"],
      Source("Kế hoạch phát động thi đua của đợt"))  # fmt: skip
def targets(ctx: Context, _: Params) -> Verdict:
    """Only the targets that bind each collective; the issuer's overall goals are reported."""
    achieved = ctx.facts["targets"] or {}
    missed, unreported = [], []
    for t in ctx.targets:
        if t.binds != "each_collective":
            continue
        got = achieved.get(t.key)
        if not isinstance(got, int) or isinstance(got, bool):
            unreported.append(t.label)
        elif not COMPARE[t.comparison](got, t.threshold):
            missed.append(f"{t.label}: đạt {got}{t.unit}, cần {t.requirement}")
    problems = missed + [f"{label}: chưa báo cáo" for label in unreported]
    return Verdict(
        not problems,
        "Đạt tất cả chỉ tiêu của kế hoạch." if not problems else "Chưa đạt: " + "; ".join(problems),
        "All campaign targets met." if not problems else f"{len(problems)} targets not met.",
        {"missed": missed, "unreported": unreported},
    )


@rule("R-ATVSLD", ("An toàn, vệ sinh lao động", "Occupational safety and health"), ["fatal_accidents", "serious_incidents", "score"],
      Source("HD 168/HD-TLĐ 2015 (Xanh - Sạch - Đẹp, bảo đảm ATVSLĐ)", status=PARTIAL,
             note="Thiếu điều kiện đã được khen về phong trào này năm trước."),
      params=["atvsld.min_score"])  # fmt: skip
def occupational_safety(ctx: Context, p: Params) -> Verdict:
    floor = int(p("atvsld.min_score"))
    deaths = int(ctx.facts["fatal_accidents"])
    incidents = int(ctx.facts["serious_incidents"])
    score = int(ctx.facts["score"])
    return Verdict(
        deaths == 0 and incidents == 0 and score >= floor,
        f"Năm {ctx.year}: {deaths} vụ tai nạn lao động chết người (cần 0), {incidents} sự cố kỹ "
        f"thuật nghiêm trọng, cháy, nổ (cần 0), điểm chấm {score} (cần từ {floor}).",
        f"{ctx.year}: {words.how_many(deaths, 'fatal accident')}, "
        f"{words.how_many(incidents, 'serious incident')} (need 0), score "
        f"{score} (needs ≥ {floor}).",
        {"fatal_accidents": deaths, "serious_incidents": incidents, "score": score,
         "min_score": floor},
    )  # fmt: skip
