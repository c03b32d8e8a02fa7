"""Rules about the proposal itself: quotas, one reward per achievement, deadlines."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from rules.context import Context
from rules.params import DECREE_91, HD_1217, LAST_DAY_2003_LAW, LAW_2022, Params
from rules.registry import Verdict, rule
from rules.results import ClauseStatus, Source

PARTIAL, UNCONFIRMED = ClauseStatus.PARTIAL, ClauseStatus.UNCONFIRMED

EXEMPT_FROM_DOUBLE_AWARD = ("periodic", "ad_hoc")  # sơ kết / tổng kết chuyên đề, đột xuất


@rule("R-QUOTA", ("Số lượng đề nghị", "Number of proposals"), [],
      Source("Kế hoạch của đợt; với Bằng khen chuyên đề TLĐ: QĐ 1689/QĐ-TLĐ 2019, Điều 15 (≤ 4 "
             "mỗi LĐLĐ tỉnh, ≤ 300 toàn quốc)", status=PARTIAL,
             note="Các ngoại lệ của Điều 15 (trang nguồn bị cắt) chưa được mã hóa."),
      counts=True)  # fmt: skip
def quota(ctx: Context, _: Params) -> Verdict:
    """Per proposing unit, or per unit of ``quota_level`` counted as it forwards, and the
    campaign's nationwide cap."""
    agg, limit, national = ctx.aggregates, ctx.quota, ctx.quota_nationwide
    parts_vi: list[str] = []
    parts_en: list[str] = []
    ok = True
    if limit is not None and ctx.quota_level is None:
        ok = agg.proposals_from_unit <= limit
        parts_vi.append(f"Đơn vị đề nghị {agg.proposals_from_unit} hồ sơ; tối đa {limit}")
        parts_en.append(f"The unit proposes {agg.proposals_from_unit}; at most {limit}")
    elif limit is not None and agg.forwarded_by_tier is None:
        parts_vi.append(f"Tối đa {limit} hồ sơ do mỗi {agg.tier_kind or ctx.quota_level} chuyển "
                        f"lên; được đếm khi {agg.tier or 'đơn vị đó'} chuyển hồ sơ này")  # fmt: skip
        parts_en.append(f"At most {limit} per {ctx.quota_level} unit, counted as it forwards")
    elif limit is not None:
        ok = agg.forwarded_by_tier is not None and agg.forwarded_by_tier <= limit
        parts_vi.append(
            f"{agg.tier} chuyển {agg.forwarded_by_tier} hồ sơ hình thức này; tối đa {limit}"
        )
        parts_en.append(f"{agg.tier} forwards {agg.forwarded_by_tier}; at most {limit}")
    if national is not None:
        ok = ok and agg.proposed_nationwide <= national
        parts_vi.append(f"toàn quốc {agg.proposed_nationwide} hồ sơ; tối đa {national}")
        parts_en.append(f"nationwide {agg.proposed_nationwide}; at most {national}")
    if not parts_vi:
        parts_vi.append("Không giới hạn số lượng")
        parts_en.append("No limit")
    return Verdict(
        ok,
        "; ".join(parts_vi) + ".",
        "; ".join(parts_en) + ".",
        {"proposed": agg.proposals_from_unit, "limit": limit, "level": ctx.quota_level,
         "tier": agg.tier or None, "forwarded_by_tier": agg.forwarded_by_tier,
         "nationwide": agg.proposed_nationwide, "nationwide_limit": national},
    )  # fmt: skip


@rule("R-CSTDCS-QUOTA", ("Tỷ lệ CSTĐ cơ sở trên số LĐTT", "Grassroots Emulation Fighters as a share of Advanced Workers"), [],
      Source("NĐ 91/2017/NĐ-CP, Điều 9 khoản 3", DECREE_91, LAST_DAY_2003_LAW),
      params=["cstdcs.quota_ratio"], counts=True)  # fmt: skip
def cstdcs_quota(ctx: Context, p: Params) -> Verdict:
    # Through str: a ratio written as a YAML number arrives as a float (0.15 → 0.1499…).
    ratio = Decimal(str(p("cstdcs.quota_ratio")))
    ldtt, cstd = ctx.aggregates.unit_ldtt, ctx.aggregates.unit_cstdcs
    limit = int((ratio * ldtt).to_integral_value(rounding=ROUND_FLOOR))
    return Verdict(
        cstd <= limit,
        f"Đơn vị có {cstd} CSTĐ cơ sở trên {ldtt} LĐTT; tối đa {limit} ({ratio * 100:.0f}%).",
        f"{cstd} CSTĐ cơ sở for {ldtt} LĐTT; at most {limit} ({ratio * 100:.0f}%).",
        {"cstdcs": cstd, "ldtt": ldtt, "limit": limit},
    )


@rule("R-ONE-ACHIEVEMENT", ("Một thành tích chỉ khen một lần", "One achievement, one award"), ["achievement_ref"],
      [Source("Luật TĐKT 2003, Điều 6 (nguyên tắc khen thưởng)", None, LAST_DAY_2003_LAW,
              UNCONFIRMED, "Văn bản năm 2003 chưa đối chiếu; áp dụng nguyên tắc của Luật 2022."),
       Source("Luật TĐKT 2022, Điều 6 (nguyên tắc khen thưởng)", LAW_2022)], history=True)  # fmt: skip
def one_achievement(ctx: Context, _: Params) -> Verdict:
    ref = str(ctx.facts["achievement_ref"])
    again = ref in ctx.aggregates.granted_achievements
    return Verdict(
        not again,
        f"Thành tích '{ref}' " + ("đã được khen thưởng; không khen lần nữa." if again
                                  else "chưa được khen thưởng."),
        f"Achievement '{ref}' " + ("was already rewarded." if again else "not rewarded before."),
        {"achievement_ref": ref, "already_rewarded": again},
    )  # fmt: skip


@rule("R-NO-DOUBLE-SAME-LEVEL", ("Không khen toàn diện và chuyên đề cùng cấp trong năm", "No comprehensive and thematic award at one level in one year"), [],
      Source("HD 1217/HD-TLĐ 2016", HD_1217), history=True)  # fmt: skip
def no_double_award(ctx: Context, _: Params) -> Verdict:
    exempt = ctx.category in EXEMPT_FROM_DOUBLE_AWARD
    others = list(ctx.aggregates.other_category_same_level)
    ok = exempt or not others
    return Verdict(
        ok,
        "Khen sơ kết, tổng kết chuyên đề hoặc đột xuất: được khen cùng năm." if exempt else
        (f"Cùng cấp, cùng năm {ctx.year} đã có hình thức khác loại: {', '.join(others)}." if others
         else f"Không có hình thức khen khác loại cùng cấp trong năm {ctx.year}."),
        "Exempt (periodic or ad hoc)." if exempt else
        (f"Another category at the same level in {ctx.year}: {', '.join(others)}." if others
         else "No other category at the same level this year."),
        {"others": others, "exempt": exempt},
    )  # fmt: skip


DEADLINE_RULE = "R-DEADLINE"  # the rule a year's offers set apart once filing has closed


@rule(
    DEADLINE_RULE,
    ("Thời hạn nộp hồ sơ", "Filing deadline"),
    [],
    Source("Kế hoạch / hướng dẫn thi đua"),
)
def deadline(ctx: Context, _: Params) -> Verdict:
    sent = ctx.submitted_on or ctx.today
    if ctx.deadline is None or sent is None:
        return Verdict(True, "Đợt này không đặt hạn nộp.", "No deadline set.", {})
    ok = sent <= ctx.deadline
    when = ("đã gửi ngày", "sent on") if ctx.submitted_on else ("hôm nay", "today")  # unsent
    return Verdict(
        ok,
        f"Hạn nộp {ctx.deadline:%d/%m/%Y}; {when[0]} {sent:%d/%m/%Y}"
        + ("." if ok else " (quá hạn)."),
        f"Due {ctx.deadline:%d/%m/%Y}; {when[1]} {sent:%d/%m/%Y}" + ("." if ok else " (late)."),
        {"deadline": ctx.deadline.isoformat(), "today": sent.isoformat()},
    )
