"""Rules for individuals: titles, Bằng khen, Bằng Lao động sáng tạo and exclusions."""

from __future__ import annotations

from rules import words
from rules.context import Context
from rules.money import vnd
from rules.params import (
    DAY,
    DECREE_91,
    HD_149,
    HD_196,
    LAST_DAY_2003_LAW,
    LAW_2022,
    QUY_CHE_999,
    QUY_CHE_1564,
    QUY_CHE_1689,
    QUY_CHE_2106,
    Params,
)
from rules.registry import Verdict, rule
from rules.results import ClauseStatus, Source
from rules.words import DISCIPLINE, en, vi

LOCAL, PARTIAL, UNCONFIRMED = ClauseStatus.LOCAL, ClauseStatus.PARTIAL, ClauseStatus.UNCONFIRMED

CSTDCS = {"CSTDCS"}
LDTT = {"LDTT"}


def _rating_text(rating: str | None) -> str:
    return rating or "chưa có"


def _ldtt_ok(ctx: Context, p: Params, year: int) -> tuple[bool, str | None, tuple[str, ...]]:
    allowed = tuple(p("ldtt.ratings"))
    rating = ctx.rating(year)
    return rating in allowed, rating, allowed


GOOD_TRAINING = ("kha", "gioi", "xuat_sac")  # "khá" or better (HD 1217/HD-TLĐ 2016)


def _trained(ctx: Context) -> int:
    """Months of training in the year that count (a result of "khá" or better)."""
    good = ctx.facts.get("training_result") in GOOD_TRAINING
    return int(ctx.facts.get("training_months") or 0) if good else 0


@rule("R-LDTT", ("Lao động tiên tiến", "Advanced Worker (Lao động tiên tiến)"), ["ratings"],
      [Source("Luật TĐKT 2003, Điều 24", None, LAST_DAY_2003_LAW, UNCONFIRMED,
              "Văn bản năm 2003 chưa đối chiếu; áp dụng tiêu chí hoàn thành tốt nhiệm vụ trở lên."),
       Source("Luật TĐKT 2022, Điều 24 khoản 1", LAW_2022)],
      params=["ldtt.ratings"], optional=["training_months", "training_result"])  # fmt: skip
def lao_dong_tien_tien(ctx: Context, p: Params) -> Verdict:
    ok, rating, allowed = _ldtt_ok(ctx, p, ctx.year)
    good_or_better = set(allowed) == {"HTTNV", "HTXSNV"}
    need = "HTTNV trở lên" if good_or_better else " hoặc ".join(allowed)
    need_en = (
        f"'{en(words.RATINGS, 'HTTNV')}' or better"
        if good_or_better
        else " or ".join(en(words.RATINGS, a) for a in allowed)
    )
    if _trained(ctx) >= 12:  # a year of training with "khá" or better counts as LĐTT
        return Verdict(
            True,
            f"Năm {ctx.year} đi học 12 tháng, kết quả từ khá: tính tương đương Lao động tiên "
            "tiến (HD 1217/HD-TLĐ 2016).",
            f"{ctx.year}: 12 months of training rated good or better count as Advanced Worker (LĐTT).",
            {"year": ctx.year, "rating": rating, "allowed": list(allowed), "training": True},
        )
    return Verdict(
        ok,
        f"Xếp loại năm {ctx.year}: {_rating_text(rating)}; cần {need}.",
        f"Rating for {ctx.year}: {en(words.RATINGS, rating) if rating else 'missing'}; needs "
        f"{need_en}.",
        {"year": ctx.year, "rating": rating, "allowed": list(allowed)},
    )


# Initiatives are optional: none declared counts as none, and from 2024 HTXSNV alone suffices.
@rule("R-CSTDCS", ("Chiến sĩ thi đua cơ sở", "Grassroots Emulation Fighter"), ["ratings"],
      [Source("Luật TĐKT 2003, Điều 23", None, LAST_DAY_2003_LAW),
       Source("Luật TĐKT 2022, Điều 23", LAW_2022)],
      params=["cstdcs.initiative_mandatory", "ldtt.ratings"], optional=["initiatives"])  # fmt: skip
def chien_si_thi_dua_co_so(ctx: Context, p: Params) -> Verdict:
    must_innovate = bool(p("cstdcs.initiative_mandatory"))
    ldtt, rating, _ = _ldtt_ok(ctx, p, ctx.year)
    count = len(ctx.initiatives(range(ctx.year, ctx.year + 1)))
    outstanding = rating == "HTXSNV"
    ok = ldtt and (count >= 1 if must_innovate else outstanding or count >= 1)
    ldtt_en = "Advanced Worker (LĐTT)"
    if must_innovate:
        need_vi, need_en = (
            "đạt LĐTT và có ít nhất 1 sáng kiến",
            f"{ldtt_en} and at least 1 initiative",
        )
    else:
        need_vi = "đạt LĐTT và (HTXSNV hoặc ít nhất 1 sáng kiến)"
        need_en = f"{ldtt_en} and ('{en(words.RATINGS, 'HTXSNV')}' or at least 1 initiative)"
    rated_en = f"'{en(words.RATINGS, rating)}'" if rating else "missing"
    return Verdict(
        ok,
        f"Năm {ctx.year}: xếp loại {_rating_text(rating)}, {count} sáng kiến được công nhận; "
        f"cần {need_vi}.",
        f"{ctx.year}: rating {rated_en}, {words.how_many(count, 'recognised initiative')}; "
        f"needs {need_en}.",
        {
            "year": ctx.year,
            "rating": rating,
            "initiatives": count,
            "initiative_mandatory": must_innovate,
        },
    )


@rule("R-CSTD-TINH", ("Chiến sĩ thi đua cấp tỉnh", "Provincial Emulation Fighter"), ["initiatives"],
      [Source("Luật TĐKT 2003, Điều 22; NĐ 91/2017/NĐ-CP", None, LAST_DAY_2003_LAW, UNCONFIRMED,
              "Văn bản năm 2003 chưa đối chiếu; áp dụng tiêu chí 3 năm CSTĐ cơ sở liên tục."),
       Source("Luật TĐKT 2022, Điều 22; NĐ 98/2023/NĐ-CP", LAW_2022)],
      params=["cstd_tinh.consecutive_years"], optional=["prior_titles"], history=True)  # fmt: skip
def chien_si_thi_dua_tinh(ctx: Context, p: Params) -> Verdict:
    n = int(p("cstd_tinh.consecutive_years"))
    years = range(ctx.year - n + 1, ctx.year + 1)
    held = {y: ctx.held(CSTDCS, y) for y in years}
    missing_years = [y for y, p in held.items() if p is None]
    scoped = len(ctx.initiatives(years, "tinh"))
    ok = not missing_years and scoped >= 1
    declared = [y for y, p in held.items() if p is not None and p.declared]
    return Verdict(
        ok,
        f"Cần CSTĐ cơ sở {n} năm liên tục ({years[0]}–{years[-1]}) và sáng kiến phạm vi tỉnh; "
        f"thiếu các năm: {', '.join(map(str, missing_years)) or 'không'}; "
        f"sáng kiến phạm vi tỉnh: {scoped}"
        + (f" (tự khai các năm {', '.join(map(str, declared))})" if declared else "")
        + ".",
        f"Needs CSTĐ cơ sở in {n} consecutive years ({years[0]}–{years[-1]}) and a province-scope "
        f"initiative; missing years: {words.years(missing_years)}; province-scope initiatives: {scoped}.",
        {
            "missing_years": missing_years,
            "declared_years": declared,
            "province_initiatives": scoped,
        },
    )


CSTD_TINH = {"CSTD_TINH"}


@rule("R-CSTD-TQ", ("Chiến sĩ thi đua toàn quốc", "National Emulation Fighter"), [],
      [Source("Luật TĐKT 2003, Điều 21; NĐ 91/2017/NĐ-CP", None, LAST_DAY_2003_LAW, UNCONFIRMED,
              "Văn bản năm 2003 chưa đối chiếu; áp dụng tiêu chí 2 lần liên tục CSTĐ cấp tỉnh."),
       Source("Luật TĐKT 2022, Điều 21", LAW_2022)],
      params=["cstd_tinh.consecutive_years"], optional=["initiatives", "prior_titles"], history=True)  # fmt: skip
def chien_si_thi_dua_toan_quoc(ctx: Context, p: Params) -> Verdict:
    """Two consecutive CSTĐ cấp tỉnh titles (one per cycle of the provincial title's years)
    and an initiative with nationwide effect in that time."""
    cycle = int(p("cstd_tinh.consecutive_years"))
    latest = next(
        (y for y in range(ctx.year, ctx.year - cycle, -1) if ctx.held(CSTD_TINH, y)), None
    )
    before = latest is not None and ctx.held(CSTD_TINH, latest - cycle) is not None
    years = range(ctx.year - 2 * cycle + 1, ctx.year + 1)
    national = len(ctx.initiatives(years, "toan_quoc"))
    ok = before and national >= 1
    held = [y for y in range(ctx.year - 2 * cycle + 1, ctx.year + 1) if ctx.held(CSTD_TINH, y)]
    return Verdict(
        ok,
        f"Cần 2 lần liên tục CSTĐ cấp tỉnh (mỗi lần {cycle} năm) và sáng kiến phạm vi toàn quốc; "
        f"CSTĐ cấp tỉnh các năm: {', '.join(map(str, held)) or 'không'}; "
        f"sáng kiến phạm vi toàn quốc: {national}.",
        f"Needs two consecutive provincial CSTĐ titles ({cycle}-year cycles) and a nationwide "
        f"initiative; provincial titles in: {words.years(held)}; nationwide initiatives: {national}.",
        {"cstd_tinh_years": held, "national_initiatives": national},
    )


@rule("R-NVL-ONCE", ("Giải thưởng Nguyễn Văn Linh chỉ tặng một lần", "Nguyễn Văn Linh Award given once only"), [],
      [Source("QĐ 2106/QĐ-TLĐ 2017, Điều 18", QUY_CHE_2106, QUY_CHE_1689 - DAY),
       Source("QĐ 1689/QĐ-TLĐ 2019, QĐ 999/QĐ-TLĐ 2024", QUY_CHE_1689, None, UNCONFIRMED,
              "Chưa đọc được văn bản; áp dụng quy định của QĐ 2106/QĐ-TLĐ 2017.")],
      optional=["prior_titles"], history=True)  # fmt: skip
@rule("R-KNC-ONCE", ("Kỷ niệm chương chỉ tặng một lần", "Commemorative medal given once only"), [],
      Source("HD 149/HD-TLĐ 2015 (Kỷ niệm chương)", HD_149, None, UNCONFIRMED,
             "Suy ra từ điều kiện \"chưa được tặng\"; văn bản hướng dẫn chưa đối chiếu."),
      optional=["prior_titles"], history=True)  # fmt: skip
def once_only(ctx: Context, _: Params) -> Verdict:
    """An award given once in a lifetime: refused when already held, in the system or declared."""
    held = sorted({p.year for p in ctx.priors() if p.award == ctx.award})
    return Verdict(
        not held,
        "Chưa được tặng hình thức này." if not held
        else f"Đã được tặng hình thức này (năm {', '.join(map(str, held))}); chỉ tặng một lần.",
        "Not awarded before." if not held else f"Already awarded in {words.years(held)}; given once only.",
        {"held_in": held},
    )  # fmt: skip


@rule("R-BK-74", ("Bằng khen cấp bộ, ngành, tỉnh (cá nhân)", "Ministry, sector or province certificate of merit (individual)"), ["ratings", "initiatives"],
      [Source("NĐ 91/2017/NĐ-CP, Điều 39 khoản 1", DECREE_91, LAST_DAY_2003_LAW, UNCONFIRMED,
              "Văn bản chưa đối chiếu: chỉ kiểm tra tiêu chuẩn HTXSNV 2 năm liên tục với 2 sáng "
              "kiến; các tiêu chuẩn thành tích xuất sắc khác do Hội đồng xem xét."),
       Source("Luật TĐKT 2022, Điều 74 khoản 1 điểm d", LAW_2022, None, PARTIAL,
              "Chỉ điểm d; các điểm a–c do Hội đồng xem xét.")],
      params=["bk74.consecutive_years", "bk74.initiatives", "bk74.cstdcs_alternative"],
      optional=["prior_titles"], history=True)  # fmt: skip
def bang_khen_dieu_74(ctx: Context, p: Params) -> Verdict:
    n = int(p("bk74.consecutive_years"))
    need = int(p("bk74.initiatives"))
    either = bool(p("bk74.cstdcs_alternative"))  # from 2024: two CSTĐ cơ sở titles suffice
    years = range(ctx.year - n + 1, ctx.year + 1)
    cstd_years = [y for y in years if ctx.held(CSTDCS, y)]
    first = either and len(cstd_years) == n
    outstanding = [y for y in years if ctx.rating(y) == "HTXSNV"]
    count = len(ctx.initiatives(years))
    second = len(outstanding) == n and count >= need
    route_vi = f"HTXSNV {n} năm liên tục với ít nhất {need} sáng kiến"
    route_en = f"HTXSNV in {n} consecutive years with ≥ {need} initiatives"
    if either:
        route_vi = f"CSTĐ cơ sở {n} năm liên tục, hoặc {route_vi}"
        route_en = f"CSTĐ cơ sở in {n} consecutive years, or {route_en}"
    return Verdict(
        first or second,
        f"Cần {route_vi}; CSTĐ cơ sở các năm: {', '.join(map(str, cstd_years)) or 'không'}; "
        f"HTXSNV các năm: {', '.join(map(str, outstanding)) or 'không'}; "
        f"sáng kiến {years[0]}–{years[-1]}: {count}.",
        f"Needs {route_en}; CSTĐ years: {words.years(cstd_years)}; "
        f"HTXSNV years: {words.years(outstanding)}; "
        f"initiatives: {count}.",
        {"cstdcs_years": cstd_years, "htxsnv_years": outstanding, "initiatives": count,
         "alternative": "cstdcs" if first else "htxsnv" if second else None},
    )  # fmt: skip


@rule("R-BK-TLD", ("Bằng khen Tổng Liên đoàn (cá nhân)", "Confederation certificate of merit (individual)"), ["ratings", "initiatives"],
      [Source("QĐ 1689/QĐ-TLĐ 2019, Điều 14 khoản 1", QUY_CHE_1689, QUY_CHE_999 - DAY, PARTIAL,
              "Trang nguồn bị cắt sau tiêu chuẩn 1.2; có thể còn tiêu chuẩn khác."),
       Source("QĐ 999/QĐ-TLĐ 2024", QUY_CHE_999, None, UNCONFIRMED,
              "Chưa đọc được văn bản; áp dụng tiêu chuẩn của QĐ 1689/QĐ-TLĐ 2019.")],
      params=["bk_tld.initiatives"], optional=["prior_titles"], history=True)  # fmt: skip
def bang_khen_tld(ctx: Context, p: Params) -> Verdict:
    need = int(p("bk_tld.initiatives"))
    years = range(ctx.year - 1, ctx.year + 1)
    outstanding = [y for y in years if ctx.rating(y) == "HTXSNV"]
    count = len(ctx.initiatives(years))
    provincial = ctx.held({"BK_LDLD"}, ctx.year - 1)
    ok = len(outstanding) == 2 and count >= need and provincial is not None
    return Verdict(
        ok,
        f"Cần HTXSNV năm {years[0]} và {years[1]}, ít nhất {need} sáng kiến, và Bằng khen LĐLĐ tỉnh "
        f"năm {ctx.year - 1}; HTXSNV các năm: {words.years(outstanding, 'không')}; "
        f"sáng kiến: {count}; Bằng khen LĐLĐ tỉnh {ctx.year - 1}: "
        f"{'có' + (' (tự khai)' if provincial.declared else '') if provincial else 'không'}.",
        f"Needs HTXSNV in {years[0]} and {years[1]}, ≥ {need} initiatives and a provincial Bằng khen "
        f"in {ctx.year - 1}; HTXSNV years: {words.years(outstanding)}; initiatives: {count}; "
        f"provincial Bằng khen: {'yes' if provincial else 'no'}.",
        {
            "htxsnv_years": outstanding,
            "initiatives": count,
            "provincial_bang_khen": bool(provincial),
        },
    )


@rule("R-LDST", ("Bằng Lao động sáng tạo", "Creative Labour certificate"), ["initiatives", "education", "is_leader"],
      [Source("QĐ 1564/QĐ-TLĐ 2014, Điều 16", QUY_CHE_1564, QUY_CHE_2106 - DAY),
       Source("QĐ 2106/QĐ-TLĐ 2017, QĐ 1689/QĐ-TLĐ 2019, QĐ 999/QĐ-TLĐ 2024", QUY_CHE_2106,
              None, UNCONFIRMED, "Chưa đọc được văn bản; áp dụng mức của QĐ 1564/QĐ-TLĐ 2014.")],
      params=["ldst.threshold.leader", "ldst.threshold.graduate", "ldst.threshold.basic",
              "ldst.threshold.basic_3y_sum"])  # fmt: skip
def lao_dong_sang_tao(ctx: Context, p: Params) -> Verdict:
    recognised = ctx.initiatives(range(ctx.year - 2, ctx.year + 1))
    this_year = [int(i.get("benefit_vnd") or 0) for i in recognised if i.get("year") == ctx.year]
    best = max(this_year, default=0)
    if ctx.facts["is_leader"]:
        # Or a management solution recognised at province (or ministry) level that year.
        profile, threshold = "lãnh đạo, quản lý", int(p("ldst.threshold.leader"))
        managed = ctx.initiatives(range(ctx.year, ctx.year + 1), "tinh")
        ok = best >= threshold or bool(managed)
        detail = (f"giá trị làm lợi cao nhất năm {ctx.year}: {vnd(best)}; giải pháp được công "
                  f"nhận cấp tỉnh trở lên: {len(managed)}")  # fmt: skip
    elif ctx.facts["education"] in ("university", "postgraduate"):
        profile, threshold = "đại học trở lên", int(p("ldst.threshold.graduate"))
        ok, detail = best >= threshold, f"giá trị làm lợi cao nhất năm {ctx.year}: {vnd(best)}"
    else:
        profile, threshold = "cao đẳng trở xuống", int(p("ldst.threshold.basic"))
        three = int(p("ldst.threshold.basic_3y_sum"))
        per_year = {y: sum(int(i.get("benefit_vnd") or 0) for i in recognised if i.get("year") == y)
                    for y in range(ctx.year - 2, ctx.year + 1)}  # fmt: skip
        every_year = all(amount > 0 for amount in per_year.values())
        total = sum(per_year.values())
        ok = best >= threshold or (every_year and total >= three)
        detail = (f"giá trị cao nhất năm {ctx.year}: {vnd(best)}; tổng 3 năm liên tục: "
                  f"{vnd(total)} (cần {vnd(three)})")  # fmt: skip
    return Verdict(
        ok,
        f"Đối tượng {profile}: cần giải pháp làm lợi từ {vnd(threshold)}"
        + (
            " hoặc giải pháp quản lý được công nhận cấp tỉnh trở lên"
            if profile.startswith("lãnh")
            else ""
        )
        + f"; {detail}.",
        f"Profile '{profile}': needs a solution worth ≥ {threshold} VND; best this year {best} VND.",
        {"profile": profile, "threshold": threshold, "best": best},
    )


@rule("R-ABSENCE", ("Số ngày nghỉ trong năm", "Days of absence in the year"), ["absent_days"],
      Source("Quy chế thi đua CĐCS (mẫu TTYT Lâm Hà, Lâm Đồng 2021)", status=LOCAL),
      params=["exclusion.absent_days"])  # fmt: skip
def absence(ctx: Context, p: Params) -> Verdict:
    limit = int(p("exclusion.absent_days"))
    days = int(ctx.facts["absent_days"])
    return Verdict(
        days < limit,
        f"Nghỉ {days} ngày làm việc trong năm {ctx.year} (không kể thai sản); phải dưới {limit} ngày.",
        f"Absent {words.how_many(days, 'working day')} in {ctx.year} (maternity excluded); must be "
        f"under {limit}.",
        {"absent_days": days, "limit": limit},
    )


@rule("R-REGISTERED", ("Đăng ký thi đua đầu năm", "Registered for emulation at the start of the year"), ["registered"],
      Source("Hướng dẫn 64/LĐLĐ huyện Lý Nhân 2018; QĐ 113/QĐ-LĐLĐ Hà Nam", status=LOCAL,
             note="Hạn đăng ký là của kế hoạch (mặc định 25/01; trường học 20/10): ngày đăng ký "
                  "được sổ ghi lại, hoặc cán bộ khai trên hồ sơ."),
      params=["registration.late_accepted"], optional=["registered_late"])  # fmt: skip
def registered(ctx: Context, p: Params) -> Verdict:
    """A registration after the plan's deadline counts only where the plan accepts it."""
    pledged = ctx.facts["registered"] is True
    late = pledged and ctx.facts.get("registered_late") is True
    if not late:
        return Verdict(
            pledged,
            f"{'Đã' if pledged else 'Chưa'} đăng ký thi đua năm {ctx.year}; chỉ xét người đã đăng ký đầu năm.",
            f"{'Registered' if pledged else 'Not registered'} for {ctx.year}; only registered subjects qualify.",
            {"registered": pledged},
        )
    accepted = bool(p("registration.late_accepted"))
    vi, en = (
        ("kế hoạch nhận đăng ký muộn.", "the plan accepts late registrations.")
        if accepted
        else ("kế hoạch chỉ xét người đăng ký đúng hạn.", "the plan counts only those in time.")
    )
    return Verdict(
        accepted,
        f"Đăng ký thi đua năm {ctx.year} sau hạn; {vi}",
        f"Registered for {ctx.year} after the deadline; {en}",
        {"registered": True, "late": True},
    )


@rule("R-MONTHS-EMPLOYED", ("Thời gian công tác trong năm", "Months worked in the year"), ["months_employed"],
      Source("Quy chế thi đua CĐCS (mẫu TTYT Lâm Hà, Lâm Đồng 2021); HD 1217/HD-TLĐ 2016",
             status=LOCAL),
      params=["exclusion.months_employed"],
      optional=["training_months", "training_result"])  # fmt: skip
def months_employed(ctx: Context, p: Params) -> Verdict:
    """Training under a year with a result of "khá" or better adds to the months worked."""
    need = int(p("exclusion.months_employed"))
    worked = int(ctx.facts["months_employed"])
    trained = _trained(ctx)
    months = min(12, worked + trained)
    studied = f" (gồm {trained} tháng đi học)" if trained else ""
    return Verdict(
        months >= need,
        f"Công tác {months} tháng trong năm {ctx.year}{studied}; cần từ {need} tháng.",
        f"Employed {words.how_many(months, 'month')} in {ctx.year}; needs at least {need}.",
        {"months_employed": months, "minimum": need, "training_months": trained},
    )


@rule("R-DISCIPLINE", ("Không bị kỷ luật trong năm", "No disciplinary action in the year"), ["discipline"],
      Source("Quy chế thi đua CĐCS (mẫu TTYT Lâm Hà, Lâm Đồng 2021)", status=LOCAL),
      params=["exclusion.discipline_levels"])  # fmt: skip
def discipline(ctx: Context, p: Params) -> Verdict:
    levels = set(p("exclusion.discipline_levels"))
    hits = [d.get("level") for d in ctx.facts["discipline"]
            if d.get("year") == ctx.year and d.get("level") in levels]  # fmt: skip
    return Verdict(
        not hits,
        f"Năm {ctx.year}: " + (f"bị {', '.join(vi(DISCIPLINE, h) for h in hits)}." if hits
                               else "không bị kỷ luật từ khiển trách trở lên."),
        f"{ctx.year}: " + (f"disciplined ({', '.join(en(DISCIPLINE, h) for h in hits)})." if hits else "no discipline of reprimand or above."),
        {"discipline": hits},
    )  # fmt: skip


@rule("R-WOMAN", ("Dành cho nữ đoàn viên", "For women members"), ["gender"],
      Source('HD 196/HD-TLĐ 2015 (phong trào "Giỏi việc nước, đảm việc nhà")', HD_196, None,
             PARTIAL, "Chỉ kiểm tra đối tượng; các tiêu chuẩn của hướng dẫn chưa đối chiếu."))  # fmt: skip
def woman(ctx: Context, _: Params) -> Verdict:
    gender = ctx.facts["gender"]
    return Verdict(
        gender == "female",
        "Danh hiệu dành cho nữ đoàn viên; giới tính khai: "
        + {"female": "nữ", "male": "nam"}.get(str(gender), str(gender))
        + ".",
        f"For women members; declared gender: {gender}.",
        {"gender": gender},
    )
