"""Every registered rule, on both sides of each threshold and of each validity date.

Each table row is one :class:`Case`: a rule, the facts and context it sees, and the status
(plus, where it matters, values and message fragments) it must give. The sources are the
domain brief (/work/shared/domain/sources.md, sections 2 and 7) and ``rules/params.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import yaml

from rules import RULES, Aggregates, Result, Severity, Status, Target, evaluate, evaluate_all
from rules.money import bonus_amount, vnd
from rules.params import MissingParameter
from rules.vote import vote_passes
from tests.rule_facts import (
    FIRST_DAY_2022_LAW,
    LAST_DAY_2003_LAW,
    clean_person,
    ctx,
    declared,
    granted,
    initiative,
    rated,
    unrecognised,
)

PASS, FAIL, UNKNOWN = Status.PASS, Status.FAIL, Status.UNKNOWN
WARNING, BLOCKING = Severity.WARNING, Severity.BLOCKING
M = 1_000_000  # a million VND


@dataclass(frozen=True)
class Case:
    rule: str
    name: str
    expect: Status
    facts: dict[str, Any] = field(default_factory=dict)
    year: int = 2024
    reference: date | None = None  # 31/12 of ``year`` unless given
    context: dict[str, Any] = field(default_factory=dict)  # other Context fields
    values: dict[str, Any] = field(default_factory=dict)  # must be a subset of Result.values
    says: tuple[str, ...] = ()  # fragments of the Vietnamese message
    severity: Severity = BLOCKING  # the severity the result must carry


def case(rule: str, name: str, expect: Status, facts: dict[str, Any] | None = None, **kw: Any):
    return pytest.param(Case(rule, name, expect, facts or {}, **kw), id=f"{rule}: {name}")


def run(c: Case) -> Result:
    return evaluate(c.rule, ctx(c.facts, c.year, c.reference, **c.context))


MANUAL = Status.MANUAL
NO_CLAUSE = {"manual": True}

# --- R-LDTT: "hoàn thành tốt nhiệm vụ trở lên" (Law 2022, Art. 24(1)) -------------------------
LDTT = [
    case("R-LDTT", "HTXSNV passes", PASS, {"ratings": rated(y2023="HTXSNV")}, year=2023),
    case("R-LDTT", "HTTNV passes", PASS, {"ratings": rated(y2023="HTTNV")}, year=2023,
         values={"rating": "HTTNV", "allowed": ["HTXSNV", "HTTNV"]}),
    case("R-LDTT", "a year of training rated giỏi counts as LĐTT", PASS,
         {"ratings": {}, "training_months": 12, "training_result": "gioi"}, year=2023,
         values={"training": True}, says=("tính tương đương Lao động tiên tiến",)),
    case("R-LDTT", "11 months of training do not", FAIL,
         {"ratings": {}, "training_months": 11, "training_result": "gioi"}, year=2023),
    case("R-LDTT", "HTNV fails with the actual values", FAIL, {"ratings": rated(y2023="HTNV")},
         year=2023, values={"year": 2023, "rating": "HTNV"},
         says=("Xếp loại năm 2023: HTNV; cần HTTNV trở lên",)),
    case("R-LDTT", "KHTNV fails", FAIL, {"ratings": rated(y2024="KHTNV")}),
    case("R-LDTT", "only another year rated fails", FAIL, {"ratings": rated(y2023="HTXSNV")},
         values={"rating": None}, says=("Xếp loại năm 2024: chưa có",)),
    case("R-LDTT", "empty ratings fail", FAIL, {"ratings": {}}),
]  # fmt: skip

# --- R-CSTDCS: 2003 regime (initiative mandatory) until 31/12/2023, 2022 regime from 2024 ----
OLD, NEW = {"reference": LAST_DAY_2003_LAW}, {"reference": FIRST_DAY_2022_LAW}
CSTDCS = [
    case("R-CSTDCS", "2003: HTXSNV without initiative fails", FAIL,
         {"ratings": rated(y2023="HTXSNV"), "initiatives": []}, year=2023, **OLD,
         values={"initiative_mandatory": True, "initiatives": 0},
         says=("cần đạt LĐTT và có ít nhất 1 sáng kiến",)),
    case("R-CSTDCS", "2003: HTXSNV with an initiative passes", PASS,
         {"ratings": rated(y2023="HTXSNV"), "initiatives": [initiative(2023)]}, year=2023, **OLD),
    case("R-CSTDCS", "2003: HTTNV with an initiative passes", PASS,
         {"ratings": rated(y2023="HTTNV"), "initiatives": [initiative(2023)]}, year=2023, **OLD),
    case("R-CSTDCS", "2003: HTNV with an initiative fails (no LDTT)", FAIL,
         {"ratings": rated(y2023="HTNV"), "initiatives": [initiative(2023)]}, year=2023, **OLD),
    case("R-CSTDCS", "2003: unrecognised initiative does not count", FAIL,
         {"ratings": rated(y2023="HTXSNV"), "initiatives": [unrecognised(2023)]}, year=2023,
         **OLD, values={"initiatives": 0}),
    case("R-CSTDCS", "2003: initiative of another year does not count", FAIL,
         {"ratings": rated(y2023="HTXSNV"), "initiatives": [initiative(2022)]}, year=2023, **OLD),
    case("R-CSTDCS", "2022: HTXSNV alone passes", PASS,
         {"ratings": rated(y2023="HTXSNV"), "initiatives": []}, year=2023, **NEW,
         values={"initiative_mandatory": False},
         says=("đạt LĐTT và (HTXSNV hoặc ít nhất 1 sáng kiến)",)),
    case("R-CSTDCS", "2022: HTXSNV alone passes in 2024", PASS,
         {"ratings": rated(y2024="HTXSNV"), "initiatives": []}),
    case("R-CSTDCS", "2022: HTTNV without initiative fails", FAIL,
         {"ratings": rated(y2024="HTTNV"), "initiatives": []}),
    case("R-CSTDCS", "2022: HTTNV with an initiative passes", PASS,
         {"ratings": rated(y2024="HTTNV"), "initiatives": [initiative(2024)]}),
    case("R-CSTDCS", "2022: HTNV with an initiative fails (no LDTT)", FAIL,
         {"ratings": rated(y2024="HTNV"), "initiatives": [initiative(2024)]}),
    case("R-CSTDCS", "2022: no rating fails", FAIL,
         {"ratings": {}, "initiatives": [initiative(2024)]}),
]  # fmt: skip


def quota_case(name: str, expect: Status, ldtt: int, cstd: int, reference: date, **kw: Any):
    agg = Aggregates(unit_ldtt=ldtt, unit_cstdcs=cstd)
    return case("R-CSTDCS-QUOTA", name, expect, {}, year=reference.year, reference=reference,
                context={"aggregates": agg}, **kw)  # fmt: skip


# --- R-CSTDCS-QUOTA: ≤ floor(15 % × LĐTT) until 31/12/2023 -------------------------------
CSTDCS_QUOTA = [
    quota_case("20 LDTT allow 3", PASS, 20, 3, LAST_DAY_2003_LAW,
               values={"limit": 3, "ldtt": 20, "cstdcs": 3}, says=("tối đa 3 (15%)",)),
    quota_case("20 LDTT: 4 fail", FAIL, 20, 4, LAST_DAY_2003_LAW, values={"limit": 3}),
    quota_case("7 LDTT allow 1 (floor 1.05)", PASS, 7, 1, LAST_DAY_2003_LAW, values={"limit": 1}),
    quota_case("6 LDTT allow 0 (floor 0.9)", FAIL, 6, 1, LAST_DAY_2003_LAW, values={"limit": 0}),
    quota_case("no clause from 2024-01-01: manual review, never a pass", MANUAL, 20, 4,
               FIRST_DAY_2022_LAW, values=NO_CLAUSE,
               says=("chưa có căn cứ áp dụng cho ngày 01/01/2024; cần xem xét thủ công",)),
    quota_case("no clause before Decree 91/2017", MANUAL, 20, 3, date(2017, 7, 30),
               values=NO_CLAUSE),
    quota_case("Decree 91/2017 from its first day", PASS, 20, 3, date(2017, 7, 31)),
]  # fmt: skip

# --- R-CSTD-TINH: CSTĐ cơ sở in Y-2, Y-1, Y and a province-scope initiative ----------------
THREE_DECLARED = declared("CSTDCS", 2022, 2023, 2024)
TINH_INIT = [initiative(2023, "tinh")]
CSTD_TINH = [
    case("R-CSTD-TINH", "3 declared years and a tinh initiative pass", PASS,
         {"prior_titles": THREE_DECLARED, "initiatives": TINH_INIT},
         values={"missing_years": [], "declared_years": [2022, 2023, 2024],
                 "province_initiatives": 1},
         says=("tự khai các năm 2022, 2023, 2024",)),
    case("R-CSTD-TINH", "3 granted years pass, nothing marked declared", PASS,
         {"initiatives": TINH_INIT}, context={"granted": granted("CSTDCS", 2022, 2023, 2024)},
         values={"declared_years": []}),
    case("R-CSTD-TINH", "granted and declared years combine", PASS,
         {"prior_titles": declared("CSTDCS", 2023, 2024), "initiatives": TINH_INIT},
         context={"granted": granted("CSTDCS", 2022)},
         values={"declared_years": [2023, 2024]}, says=("tự khai các năm 2023, 2024",)),
    case("R-CSTD-TINH", "a granted title is preferred to a declared one", PASS,
         {"prior_titles": THREE_DECLARED, "initiatives": TINH_INIT},
         context={"granted": granted("CSTDCS", 2022, 2023)}, values={"declared_years": [2024]}),
    case("R-CSTD-TINH", "toan_quoc initiative is at least tinh", PASS,
         {"prior_titles": THREE_DECLARED, "initiatives": [initiative(2024, "toan_quoc")]}),
    case("R-CSTD-TINH", "missing Y-1 fails", FAIL,
         {"prior_titles": declared("CSTDCS", 2022, 2024), "initiatives": TINH_INIT},
         values={"missing_years": [2023]}, says=("thiếu các năm: 2023",)),
    case("R-CSTD-TINH", "missing Y-2 fails", FAIL,
         {"prior_titles": declared("CSTDCS", 2021, 2023, 2024), "initiatives": TINH_INIT},
         values={"missing_years": [2022]}),
    case("R-CSTD-TINH", "missing Y fails", FAIL,
         {"prior_titles": declared("CSTDCS", 2022, 2023), "initiatives": TINH_INIT},
         values={"missing_years": [2024]}),
    case("R-CSTD-TINH", "another title does not count", FAIL,
         {"prior_titles": [*declared("CSTDCS", 2022, 2024), *declared("BK_LDLD", 2023)],
          "initiatives": TINH_INIT}, values={"missing_years": [2023]}),
    case("R-CSTD-TINH", "co_so initiative is not enough", FAIL,
         {"prior_titles": THREE_DECLARED, "initiatives": [initiative(2024, "co_so")]},
         values={"province_initiatives": 0}),
    case("R-CSTD-TINH", "unrecognised tinh initiative is not enough", FAIL,
         {"prior_titles": THREE_DECLARED, "initiatives": [unrecognised(2024, "tinh")]}),
    case("R-CSTD-TINH", "tinh initiative before the window is not enough", FAIL,
         {"prior_titles": THREE_DECLARED, "initiatives": [initiative(2021, "tinh")]}),
]  # fmt: skip

# --- R-BK-74 (Law 2022, Art. 74(1)(d); from 2024-01-01) ------------------------------------
WORKED = {  # sources.md rule 7 (Bộ Nội vụ): HTXSNV 2023 + 1 SK, HTXSNV 2024 + 1 SK ⇒ eligible
    "ratings": rated(y2023="HTXSNV", y2024="HTXSNV"),
    "initiatives": [initiative(2023), initiative(2024)],
}
BK74 = [
    case("R-BK-74", "worked example from rule 7 passes", PASS, WORKED,
         values={"alternative": "htxsnv", "htxsnv_years": [2023, 2024], "initiatives": 2}),
    case("R-BK-74", "worked example with CSTDCS 2024 passes", PASS,
         {**WORKED, "prior_titles": declared("CSTDCS", 2024)}),
    case("R-BK-74", "HTXSNV both years but one initiative fails", FAIL,
         {**WORKED, "initiatives": [initiative(2024)]}, values={"alternative": None}),
    case("R-BK-74", "two initiatives but HTXSNV only in Y fails", FAIL,
         {**WORKED, "ratings": rated(y2023="HTTNV", y2024="HTXSNV")}),
    case("R-BK-74", "unrecognised second initiative fails", FAIL,
         {**WORKED, "initiatives": [unrecognised(2023), initiative(2024)]}),
    case("R-BK-74", "initiative outside the two years fails", FAIL,
         {**WORKED, "initiatives": [initiative(2022), initiative(2024)]}),
    case("R-BK-74", "CSTDCS two consecutive years passes", PASS,
         {"ratings": rated(y2023="HTTNV", y2024="HTTNV"), "initiatives": [],
          "prior_titles": declared("CSTDCS", 2023, 2024)},
         values={"alternative": "cstdcs", "cstdcs_years": [2023, 2024]}),
    case("R-BK-74", "CSTDCS granted Y-1 and declared Y passes", PASS,
         {"ratings": {}, "initiatives": [], "prior_titles": declared("CSTDCS", 2024)},
         context={"granted": granted("CSTDCS", 2023)}),
    case("R-BK-74", "CSTDCS only in Y fails", FAIL,
         {"ratings": {}, "initiatives": [], "prior_titles": declared("CSTDCS", 2022, 2024)},
         values={"cstdcs_years": [2024]}),
    case("R-BK-74", "failing facts on 2024-01-01 fail", FAIL,
         {**WORKED, "initiatives": [initiative(2024)]}, reference=FIRST_DAY_2022_LAW),
    # Before 2024 (Decree 91/2017, Art. 39(1)): only HTXSNV for 2 years with 2 initiatives.
    case("R-BK-74", "2003 regime: HTXSNV 2022-2023 with an initiative each passes", PASS,
         {"ratings": rated(y2022="HTXSNV", y2023="HTXSNV"),
          "initiatives": [initiative(2022), initiative(2023)]},
         year=2023, reference=LAST_DAY_2003_LAW, values={"alternative": "htxsnv"}),
    case("R-BK-74", "2003 regime: one initiative fails", FAIL,
         {"ratings": rated(y2022="HTXSNV", y2023="HTXSNV"), "initiatives": [initiative(2023)]},
         year=2023, reference=LAST_DAY_2003_LAW),
    case("R-BK-74", "2003 regime: two CSTĐ cơ sở titles alone fail", FAIL,
         {"ratings": rated(y2022="HTTNV", y2023="HTTNV"), "initiatives": [],
          "prior_titles": declared("CSTDCS", 2022, 2023)},
         year=2023, reference=LAST_DAY_2003_LAW, values={"alternative": None}),
    case("R-BK-74", "2022 law: the same two titles pass from 2024-01-01", PASS,
         {"ratings": rated(y2022="HTTNV", y2023="HTTNV"), "initiatives": [],
          "prior_titles": declared("CSTDCS", 2022, 2023)},
         year=2023, reference=FIRST_DAY_2022_LAW, values={"alternative": "cstdcs"}),
    case("R-BK-74", "no clause before Decree 91/2017: manual review", MANUAL,
         {**WORKED, "initiatives": []}, year=2017, reference=date(2017, 7, 30), values=NO_CLAUSE),
]  # fmt: skip

# --- R-BK-TLD: HTXSNV Y-1 and Y, ≥ 2 initiatives, provincial Bằng khen in Y-1 --------------
TLD = {
    "ratings": rated(y2023="HTXSNV", y2024="HTXSNV"),
    "initiatives": [initiative(2023), initiative(2024)],
    "prior_titles": declared("BK_LDLD", 2023),
}
BK_TLD = [
    case("R-BK-TLD", "all pieces (declared BK) pass", PASS, TLD,
         values={"provincial_bang_khen": True, "initiatives": 2}, says=("có (tự khai)",)),
    case("R-BK-TLD", "BK granted in the system passes", PASS, {**TLD, "prior_titles": []},
         context={"granted": granted("BK_LDLD", 2023)}),
    case("R-BK-TLD", "two initiatives in Y pass", PASS,
         {**TLD, "initiatives": [initiative(2024), initiative(2024, "tinh")]}),
    case("R-BK-TLD", "HTTNV in Y-1 fails", FAIL,
         {**TLD, "ratings": rated(y2023="HTTNV", y2024="HTXSNV")}, values={"htxsnv_years": [2024]}),
    case("R-BK-TLD", "HTTNV in Y fails", FAIL,
         {**TLD, "ratings": rated(y2023="HTXSNV", y2024="HTTNV")}),
    case("R-BK-TLD", "one initiative fails", FAIL, {**TLD, "initiatives": [initiative(2024)]},
         values={"initiatives": 1}),
    case("R-BK-TLD", "unrecognised initiative fails", FAIL,
         {**TLD, "initiatives": [initiative(2023), unrecognised(2024)]}),
    case("R-BK-TLD", "initiative before Y-1 fails", FAIL,
         {**TLD, "initiatives": [initiative(2022), initiative(2024)]}),
    case("R-BK-TLD", "no provincial BK fails", FAIL, {**TLD, "prior_titles": []},
         values={"provincial_bang_khen": False}),
    case("R-BK-TLD", "provincial BK in Y instead of Y-1 fails", FAIL,
         {**TLD, "prior_titles": declared("BK_LDLD", 2024)}),
    case("R-BK-TLD", "another title in Y-1 fails", FAIL,
         {**TLD, "prior_titles": declared("CSTDCS", 2023)}),
]  # fmt: skip


def ldst(*initiatives: dict[str, Any], education: str = "college", leader: bool = False):
    return {"initiatives": list(initiatives), "education": education, "is_leader": leader}


COLLEGE, GRADUATE, LEADER = "cao đẳng trở xuống", "đại học trở lên", "lãnh đạo, quản lý"
# --- R-LDST: benefit thresholds by profile (QĐ 1564/QĐ-TLĐ 2014, Điều 16) ------------------
LDST = [
    case("R-LDST", "a leader's management solution recognised by the province passes", PASS,
         ldst(initiative(2024, "tinh"), leader=True), values={"profile": LEADER},
         says=("hoặc giải pháp quản lý được công nhận cấp tỉnh trở lên",)),
    case("R-LDST", "a leader's solution recognised only at cơ sở, worth 1đ, fails", FAIL,
         ldst(initiative(2024, "co_so", benefit=1), leader=True)),
    case("R-LDST", "college 80M passes", PASS, ldst(initiative(2024, benefit=80 * M)),
         values={"profile": COLLEGE, "threshold": 80 * M, "best": 80 * M}),
    case("R-LDST", "college 79,999,999 fails", FAIL, ldst(initiative(2024, benefit=80 * M - 1))),
    case("R-LDST", "college 80M only in Y-1 fails", FAIL, ldst(initiative(2023, benefit=80 * M))),
    case("R-LDST", "college 3 years summing 120M pass", PASS,
         ldst(*(initiative(y, benefit=40 * M) for y in (2022, 2023, 2024))),
         says=("tổng 3 năm liên tục: 120.000.000 đ",)),
    case("R-LDST", "college 3 years summing 120M - 1 fail", FAIL,
         ldst(initiative(2022, benefit=40 * M), initiative(2023, benefit=40 * M),
              initiative(2024, benefit=40 * M - 1))),
    case("R-LDST", "college 120M with a gap year fails", FAIL,
         ldst(initiative(2022, benefit=60 * M), initiative(2024, benefit=60 * M))),
    case("R-LDST", "college 120M with a zero-value year fails", FAIL,
         ldst(initiative(2022, benefit=60 * M), initiative(2023, benefit=0),
              initiative(2024, benefit=60 * M))),
    case("R-LDST", "college 3 years with one unrecognised fail", FAIL,
         ldst(initiative(2022, benefit=40 * M), unrecognised(2023, benefit=40 * M),
              initiative(2024, benefit=40 * M))),
    case("R-LDST", "college unrecognised 80M fails", FAIL, ldst(unrecognised(2024, benefit=80 * M))),
    case("R-LDST", "university 150M passes", PASS,
         ldst(initiative(2024, benefit=150 * M), education="university"),
         values={"profile": GRADUATE, "threshold": 150 * M}),
    case("R-LDST", "university 149,999,999 fails", FAIL,
         ldst(initiative(2024, benefit=150 * M - 1), education="university")),
    case("R-LDST", "university 3-year sum does not apply", FAIL,
         ldst(*(initiative(y, benefit=50 * M) for y in (2022, 2023, 2024)), education="university")),
    case("R-LDST", "postgraduate 150M passes", PASS,
         ldst(initiative(2024, benefit=150 * M), education="postgraduate")),
    case("R-LDST", "leader 200M passes", PASS,
         ldst(initiative(2024, benefit=200 * M), education="university", leader=True),
         values={"profile": LEADER, "threshold": 200 * M}),
    case("R-LDST", "leader 199,999,999 fails", FAIL,
         ldst(initiative(2024, benefit=200 * M - 1), education="university", leader=True)),
    case("R-LDST", "leader with college education needs 200M", FAIL,
         ldst(initiative(2024, benefit=150 * M), leader=True), values={"threshold": 200 * M}),
    case("R-LDST", "leader unrecognised 200M fails", FAIL,
         ldst(unrecognised(2024, benefit=200 * M), leader=True)),
]  # fmt: skip

# --- Exclusions (local CĐCS rules, Lâm Đồng 2021; Hà Nam 2018) ------------------------------
EXCLUSIONS = [
    case("R-ABSENCE", "39 days pass", PASS, {"absent_days": 39}, values={"limit": 40}),
    case("R-ABSENCE", "40 days fail", FAIL, {"absent_days": 40}, says=("phải dưới 40 ngày",)),
    case("R-ABSENCE", "0 days pass", PASS, {"absent_days": 0}),
    case("R-REGISTERED", "registered passes", PASS, {"registered": True}),
    case("R-REGISTERED", "not registered fails", FAIL, {"registered": False}),
    case("R-REGISTERED", "registered after the plan's deadline fails", FAIL,
         {"registered": True, "registered_late": True}, values={"late": True},
         says=("sau hạn; kế hoạch chỉ xét người đăng ký đúng hạn",)),
    case("R-REGISTERED", "late passes where the plan accepts it, and says it was late", PASS,
         {"registered": True, "registered_late": True},
         context={"params": {"registration.late_accepted": True}},
         says=("sau hạn; kế hoạch nhận đăng ký muộn",)),
    case("R-REGISTERED", "registered in time passes", PASS,
         {"registered": True, "registered_late": False}),
    case("R-MONTHS-EMPLOYED", "10 months pass", PASS, {"months_employed": 10}),
    # HD 1217/HD-TLĐ 2016: training under a year, rated "khá" or better, adds to work time.
    case("R-MONTHS-EMPLOYED", "6 months worked and 4 trained (khá) pass", PASS,
         {"months_employed": 6, "training_months": 4, "training_result": "kha"},
         values={"months_employed": 10, "training_months": 4}, says=("gồm 4 tháng đi học",)),
    case("R-MONTHS-EMPLOYED", "training rated trung bình does not count", FAIL,
         {"months_employed": 6, "training_months": 4, "training_result": "trung_binh"}),
    case("R-MONTHS-EMPLOYED", "9 months fail", FAIL, {"months_employed": 9},
         values={"months_employed": 9, "minimum": 10}),
    case("R-DISCIPLINE", "no discipline passes", PASS, {"discipline": []}),
    case("R-DISCIPLINE", "khien_trach in Y fails", FAIL,
         {"discipline": [{"year": 2024, "level": "khien_trach"}]},
         values={"discipline": ["khien_trach"]}),
    case("R-DISCIPLINE", "khien_trach in Y-1 passes", PASS,
         {"discipline": [{"year": 2023, "level": "khien_trach"}]}),
    case("R-DISCIPLINE", "canh_cao in Y fails", FAIL,
         {"discipline": [{"year": 2024, "level": "canh_cao"}]}),
    *(case("R-DISCIPLINE", f"{level} in Y fails", FAIL,
           {"discipline": [{"year": 2024, "level": level}]})
      for level in ("giang_chuc", "keo_dai_nang_luong", "sa_thai", "xu_phat_hanh_chinh")),
    case("R-DISCIPLINE", "buoc_thoi_viec in Y fails", FAIL,
         {"discipline": [{"year": 2024, "level": "buoc_thoi_viec"}]}),
    case("R-DISCIPLINE", "below khien_trach in Y passes", PASS,
         {"discipline": [{"year": 2024, "level": "nhac_nho"}]}),
]  # fmt: skip

# --- Individual extras and proposal rules ---------------------------------------------------
OTHERS = [
    case("R-WOMAN", "female passes", PASS, {"gender": "female"}),
    case("R-WOMAN", "male fails", FAIL, {"gender": "male"}, says=("giới tính khai: nam",)),
    case("R-ONE-ACHIEVEMENT", "new achievement passes", PASS, {"achievement_ref": "SK-7"},
         context={"aggregates": Aggregates(granted_achievements=frozenset({"SK-1"}))}),
    case("R-ONE-ACHIEVEMENT", "already rewarded fails", FAIL, {"achievement_ref": "SK-1"},
         context={"aggregates": Aggregates(granted_achievements=frozenset({"SK-1", "SK-2"}))},
         values={"already_rewarded": True}),
    case("R-NO-DOUBLE-SAME-LEVEL", "nothing else passes", PASS),
    case("R-NO-DOUBLE-SAME-LEVEL", "comprehensive + other category fails", FAIL,
         context={"aggregates": Aggregates(other_category_same_level=("BK_CHUYEN_DE",))},
         values={"others": ["BK_CHUYEN_DE"], "exempt": False}),
    case("R-NO-DOUBLE-SAME-LEVEL", "thematic + other category fails", FAIL,
         context={"category": "thematic",
                  "aggregates": Aggregates(other_category_same_level=("BK_LDLD",))}),
    case("R-NO-DOUBLE-SAME-LEVEL", "periodic is exempt", PASS,
         context={"category": "periodic",
                  "aggregates": Aggregates(other_category_same_level=("BK_LDLD",))},
         values={"exempt": True}),
    case("R-NO-DOUBLE-SAME-LEVEL", "ad_hoc is exempt", PASS,
         context={"category": "ad_hoc",
                  "aggregates": Aggregates(other_category_same_level=("BK_LDLD",))}),
    case("R-QUOTA", "at the limit passes", PASS,
         context={"quota": 4, "aggregates": Aggregates(proposals_from_unit=4)}),
    case("R-QUOTA", "one over fails", FAIL,
         context={"quota": 4, "aggregates": Aggregates(proposals_from_unit=5)},
         values={"proposed": 5, "limit": 4}),
    case("R-QUOTA", "no limit passes", PASS,
         context={"quota": None, "aggregates": Aggregates(proposals_from_unit=500)}),
    case("R-QUOTA", "quota 0 with a proposal fails", FAIL,
         context={"quota": 0, "aggregates": Aggregates(proposals_from_unit=1)}),
]  # fmt: skip


def target_case(op: str, got: int, expect: Status):
    target = Target("dv_moi", "Đoàn viên mới", op, 10, " người", "each_collective")
    return case("R-TARGETS", f"{got} {op} 10", expect, {"targets": {"dv_moi": got}},
                context={"targets": (target,)})  # fmt: skip


KPI = Target("kpcd", "Thu kinh phí công đoàn", ">=", 100, "%", "each_collective")
NEW_MEMBERS = Target("dv_moi", "Đoàn viên mới", ">=", 10, " người", "each_collective")
# The Đắk Lắk plan's "≥ 25 new members" is the CĐVC's overall goal, not each collective's.
ISSUER_GOAL = Target("ket_nap", "Kết nạp đoàn viên mới", ">=", 25, " đoàn viên")
# --- Collective rules ------------------------------------------------------------------------
COLLECTIVE = [
    target_case(">=", 10, PASS), target_case(">=", 9, FAIL),
    target_case(">", 11, PASS), target_case(">", 10, FAIL),
    target_case("<=", 10, PASS), target_case("<=", 11, FAIL),
    target_case("<", 9, PASS), target_case("<", 10, FAIL),
    target_case("==", 10, PASS), target_case("==", 11, FAIL), target_case("==", 9, FAIL),
    case("R-TARGETS", "all met passes", PASS, {"targets": {"kpcd": 100, "dv_moi": 12}},
         context={"targets": (KPI, NEW_MEMBERS)}, values={"missed": [], "unreported": []}),
    case("R-TARGETS", "one missed fails and is named", FAIL,
         {"targets": {"kpcd": 95, "dv_moi": 12}}, context={"targets": (KPI, NEW_MEMBERS)},
         says=("Thu kinh phí công đoàn: đạt 95%, cần từ 100%",)),
    case("R-TARGETS", "unreported target fails", FAIL, {"targets": {"kpcd": 100}},
         context={"targets": (KPI, NEW_MEMBERS)}, values={"unreported": ["Đoàn viên mới"]},
         says=("Đoàn viên mới: chưa báo cáo",)),
    case("R-TARGETS", "a boolean is not a count", FAIL, {"targets": {"dv_moi": True}},
         context={"targets": (NEW_MEMBERS,)}, values={"unreported": ["Đoàn viên mới"]}),
    case("R-TARGETS", "no targets in the plan pass", PASS, {"targets": {}}),
    case("R-TARGETS", "the issuer's overall goal is not checked on a collective", PASS,
         {"targets": {"ket_nap": 3}}, context={"targets": (ISSUER_GOAL,)},
         values={"missed": [], "unreported": []}),
    case("R-TARGETS", "only the collective's own target is", FAIL,
         {"targets": {"ket_nap": 3, "dv_moi": 2}}, context={"targets": (ISSUER_GOAL, NEW_MEMBERS)},
         says=("Đoàn viên mới: đạt 2 người, cần từ 10 người",)),
    case("R-CDCS-OPERATING", "12 months pass", PASS, {"months_operating": 12}),
    case("R-CDCS-OPERATING", "11 months fail", FAIL, {"months_operating": 11},
         values={"minimum": 12}),
    case("R-CDCS-OPERATING", "reorganised 6 months pass", PASS,
         {"months_operating": 6, "reorganized": True}, values={"minimum": 6}),
    case("R-CDCS-OPERATING", "reorganised 5 months fail", FAIL,
         {"months_operating": 5, "reorganized": True}, says=("sau chia tách, sáp nhập",)),
    case("R-CDCS-OPERATING", "not reorganised 6 months fail", FAIL,
         {"months_operating": 6, "reorganized": False}),
    case("R-CDCS-GRADE", "hoan_thanh_tot meets the default", PASS,
         {"grades": {"2024": "hoan_thanh_tot"}}, values={"minimum": "hoan_thanh_tot"}),
    case("R-CDCS-GRADE", "hoan_thanh is below the default", FAIL,
         {"grades": {"2024": "hoan_thanh"}}),
    case("R-CDCS-GRADE", "min xuat_sac: xuat_sac passes", PASS,
         {"grades": {"2024": "hoan_thanh_xuat_sac"}},
         context={"params": {"min_grade": "hoan_thanh_xuat_sac"}}),
    case("R-CDCS-GRADE", "min xuat_sac: tot fails", FAIL, {"grades": {"2024": "hoan_thanh_tot"}},
         context={"params": {"min_grade": "hoan_thanh_xuat_sac"}},
         says=("cần hoàn thành xuất sắc nhiệm vụ trở lên",)),
    case("R-CDCS-GRADE", "min hoan_thanh: hoan_thanh passes", PASS,
         {"grades": {"2024": "hoan_thanh"}}, context={"params": {"min_grade": "hoan_thanh"}}),
    case("R-CDCS-GRADE", "khong_hoan_thanh fails", FAIL,
         {"grades": {"2024": "khong_hoan_thanh"}}, context={"params": {"min_grade": "hoan_thanh"}}),
    case("R-CDCS-GRADE", "grade only for another year fails", FAIL,
         {"grades": {"2023": "hoan_thanh_xuat_sac"}}, values={"grade": None}),
    case("R-ATVSLD", "score 96, no accident passes", PASS,
         {"fatal_accidents": 0, "serious_incidents": 0, "score": 96}),
    case("R-ATVSLD", "score 95 fails", FAIL,
         {"fatal_accidents": 0, "serious_incidents": 0, "score": 95}, values={"min_score": 96}),
    case("R-ATVSLD", "a fatal accident fails", FAIL,
         {"fatal_accidents": 1, "serious_incidents": 0, "score": 100}),
    case("R-ATVSLD", "a fire (a serious incident) fails", FAIL,
         {"fatal_accidents": 0, "serious_incidents": 1, "score": 100},
         says=("1 sự cố kỹ thuật nghiêm trọng, cháy, nổ (cần 0)",)),
]  # fmt: skip

# --- R-CSTD-TQ: two consecutive CSTĐ tỉnh (3-year cycles) and a nationwide initiative ---------
NATIONAL = [initiative(2023, "toan_quoc")]
CSTD_TQ = [
    case("R-CSTD-TQ", "CSTĐ tỉnh 2021 and 2024 with a national initiative pass", PASS,
         {"prior_titles": declared("CSTD_TINH", 2021, 2024), "initiatives": NATIONAL},
         values={"cstd_tinh_years": [2021, 2024], "national_initiatives": 1}),
    case("R-CSTD-TQ", "a granted and a declared title combine", PASS,
         {"prior_titles": declared("CSTD_TINH", 2020), "initiatives": NATIONAL},
         year=2023, context={"granted": granted("CSTD_TINH", 2023)}),
    case("R-CSTD-TQ", "titles not one cycle apart fail", FAIL,
         {"prior_titles": declared("CSTD_TINH", 2022, 2024), "initiatives": NATIONAL}),
    case("R-CSTD-TQ", "a province-scope initiative is not enough", FAIL,
         {"prior_titles": declared("CSTD_TINH", 2021, 2024),
          "initiatives": [initiative(2023, "tinh")]}, values={"national_initiatives": 0}),
    case("R-CSTD-TQ", "nothing declared fails, naming what is missing", FAIL, {},
         says=("CSTĐ cấp tỉnh các năm: không", "sáng kiến phạm vi toàn quốc: 0")),
]  # fmt: skip

# --- R-NVL-ONCE / R-KNC-ONCE: given once in a lifetime ------------------------------------------
ONCE = [
    case("R-KNC-ONCE", "never awarded passes", PASS, {}, context={"award": "KNC_CD"}),
    case("R-KNC-ONCE", "declared before fails", FAIL,
         {"prior_titles": declared("KNC_CD", 2019)}, context={"award": "KNC_CD"},
         values={"held_in": [2019]}, says=("chỉ tặng một lần",)),
    case("R-KNC-ONCE", "another award held does not count", PASS,
         {"prior_titles": declared("BK_LDLD", 2019)}, context={"award": "KNC_CD"}),
    case("R-NVL-ONCE", "granted in the system fails", FAIL, {},
         context={"award": "GT_NVL", "granted": granted("GT_NVL", 2020)}),
    case("R-NVL-ONCE", "never awarded passes", PASS, {}, context={"award": "GT_NVL"}),
    case("R-NVL-ONCE", "no clause before QĐ 2106/2017", MANUAL, {}, year=2017,
         reference=date(2017, 12, 27), context={"award": "GT_NVL"}),
]  # fmt: skip

DUE = date(2024, 10, 20)
DEADLINE = [
    case("R-DEADLINE", "on the day passes", PASS, context={"deadline": DUE, "today": DUE}),
    case("R-DEADLINE", "the day before passes", PASS,
         context={"deadline": DUE, "today": DUE - timedelta(days=1)}),
    case("R-DEADLINE", "the day after fails", FAIL,
         context={"deadline": DUE, "today": DUE + timedelta(days=1)},
         says=("Hạn nộp 20/10/2024; hôm nay 21/10/2024 (quá hạn)",)),
    case("R-DEADLINE", "no deadline passes", PASS, context={"deadline": None, "today": DUE}),
    case("R-DEADLINE", "sent on time and checked after the deadline passes", PASS,
         context={"deadline": DUE, "today": date(2025, 1, 4), "submitted_on": DUE},
         says=("Hạn nộp 20/10/2024; đã gửi ngày 20/10/2024.",)),
    case("R-DEADLINE", "sent late fails whenever checked", FAIL,
         context={"deadline": DUE, "today": DUE, "submitted_on": DUE + timedelta(days=1)}),
]  # fmt: skip

ALL = [*LDTT, *CSTDCS, *CSTDCS_QUOTA, *CSTD_TINH, *CSTD_TQ, *BK74, *BK_TLD, *LDST, *EXCLUSIONS,
       *ONCE, *OTHERS, *COLLECTIVE, *DEADLINE]  # fmt: skip
CASES: list[Case] = [p.values[0] for p in ALL]


@pytest.mark.parametrize("c", ALL)
def test_rule(c: Case) -> None:
    result = run(c)
    assert result.rule == c.rule
    assert result.status == c.expect, (result.message_vi, result.values)
    assert result.severity == c.severity
    assert c.values.items() <= result.values.items(), result.values
    for fragment in c.says:
        assert fragment in result.message_vi
    assert result.message_en


def test_every_rule_has_a_passing_and_a_failing_case() -> None:
    """A newly registered rule without rows in the tables above fails here."""
    covered = {(c.rule, c.expect) for c in CASES}
    missing = [
        (rule_id, status)
        for rule_id in RULES
        for status in (PASS, FAIL)
        if (rule_id, status) not in covered
    ]
    assert not missing, f"rules without table rows: {missing}"
    assert {c.rule for c in CASES} <= set(RULES), "a table names an unregistered rule"


def test_every_rule_counting_titles_held_lets_the_form_ask_for_them() -> None:
    """A rule that looks for a title held (a provincial Bằng khen, earlier CSTĐ titles) reads
    ``prior_titles``, so the nomination form offers the field to declare one: without it an
    officer proposing a Bằng khen TLĐ could never meet the rule."""
    import inspect

    silent = [
        rule_id
        for rule_id, r in RULES.items()
        if any(call in inspect.getsource(r.check) for call in ("ctx.held(", "ctx.priors("))
        and "prior_titles" not in r.reads
    ]
    assert not silent


# --- Missing facts give unknown --------------------------------------------------------------
NEEDY = sorted(rule_id for rule_id, r in RULES.items() if r.needs)


@pytest.mark.parametrize("rule_id", NEEDY)
def test_missing_facts_give_unknown_with_their_names(rule_id: str) -> None:
    result = evaluate(rule_id, ctx({}), WARNING)
    assert result.status == UNKNOWN
    assert result.values["missing"] == list(RULES[rule_id].needs)
    assert result.severity == WARNING  # the caller's severity, not a verdict
    assert "thiếu thông tin" in result.message_vi


PARTIAL = [
    pytest.param("R-LDST", {"initiatives": []}, ["education", "is_leader"], id="LDST-partial"),
    pytest.param("R-LDST", {"initiatives": [], "education": "college", "is_leader": None},
                 ["is_leader"], id="LDST-explicit-None"),
    pytest.param("R-CSTDCS", {"initiatives": []}, ["ratings"], id="CSTDCS-no-ratings"),
    pytest.param("R-ATVSLD", {"score": 99, "serious_incidents": 0}, ["fatal_accidents"],
                 id="ATVSLD-no-accidents"),
    pytest.param("R-REGISTERED", {"registered": None}, ["registered"], id="REGISTERED-None"),
]  # fmt: skip


@pytest.mark.parametrize(("rule_id", "facts", "missing"), PARTIAL)
def test_only_the_missing_facts_are_named(
    rule_id: str, facts: dict[str, Any], missing: list[str]
) -> None:
    result = evaluate(rule_id, ctx(facts))
    assert result.status == UNKNOWN
    assert result.values["missing"] == missing
    assert result.severity == BLOCKING


@pytest.mark.parametrize(
    ("reference", "expect"),
    [pytest.param(FIRST_DAY_2022_LAW, PASS, id="2022-law"),
     pytest.param(LAST_DAY_2003_LAW, FAIL, id="2003-law")],
)  # fmt: skip
def test_cstdcs_with_htxsnv_and_no_initiatives_declared(reference: date, expect: Status) -> None:
    """Issue 14: from 2024 HTXSNV alone suffices, so undeclared initiatives are not a missing
    fact; before, an initiative was required and none declared is none."""
    result = evaluate("R-CSTDCS", ctx({"ratings": rated(y2023="HTXSNV")}, 2023, reference))
    assert result.status == expect


def test_a_clause_in_force_with_facts_missing_is_unknown_and_no_clause_is_manual() -> None:
    result = evaluate("R-BK-74", ctx({}, 2023, LAST_DAY_2003_LAW))
    assert result.status == UNKNOWN
    assert result.values["missing"] == ["ratings", "initiatives"]
    assert evaluate("R-BK-74", ctx({}, 2016, date(2016, 12, 31))).status == MANUAL


def _boundaries() -> list[Any]:
    """Each rule's first day of each clause, and the day before it."""
    return [
        pytest.param(rule_id, clause.valid_from, id=f"{rule_id}: {clause.valid_from}")
        for rule_id, r in sorted(RULES.items())
        for clause in r.clauses
        if clause.valid_from is not None
    ]


@pytest.mark.parametrize(("rule_id", "first_day"), _boundaries())
def test_each_clause_applies_from_its_first_day_and_not_the_day_before(
    rule_id: str, first_day: date
) -> None:
    """The day before a clause begins, the previous clause applies or, if there is none, a
    person must review; never a pass on no authority."""
    r = RULES[rule_id]
    facts = clean_person(
        ratings=rated(y2022="HTXSNV", y2023="HTXSNV", y2024="HTXSNV"),
        initiatives=[initiative(y) for y in (2022, 2023, 2024)],
    )
    for day in (first_day - timedelta(days=1), first_day):
        result = evaluate(rule_id, ctx(facts, day.year, day))
        clause = r.clause_on(day)
        if clause is None:
            assert result.status == MANUAL, day
        else:
            assert result.source == clause, day
            assert result.status != MANUAL, day
    assert r.clause_on(first_day) is not r.clause_on(first_day - timedelta(days=1))


@pytest.mark.parametrize("rule_id", sorted(set(RULES) - set(NEEDY)))
def test_rules_without_needs_never_give_unknown(rule_id: str) -> None:
    assert evaluate(rule_id, ctx({})).status in (PASS, FAIL, MANUAL)
    assert evaluate(rule_id, ctx({}, 2023, LAST_DAY_2003_LAW)).status in (PASS, FAIL)


@pytest.mark.parametrize(
    ("reference", "valid_from", "valid_to"),
    [
        pytest.param(LAST_DAY_2003_LAW, None, LAST_DAY_2003_LAW, id="2003-law"),
        pytest.param(FIRST_DAY_2022_LAW, FIRST_DAY_2022_LAW, None, id="2022-law"),
    ],
)
def test_cstdcs_cites_the_regime_in_force(
    reference: date, valid_from: date | None, valid_to: date | None
) -> None:
    facts = {"ratings": rated(y2023="HTXSNV"), "initiatives": [initiative(2023)]}
    result = evaluate("R-CSTDCS", ctx(facts, 2023, reference))
    assert result.status == PASS
    assert (result.source.valid_from, result.source.valid_to) == (valid_from, valid_to)


# --- evaluate_all: per-rule params and severities --------------------------------------------
def test_evaluate_all_params_override_only_their_own_rule() -> None:
    c = ctx(clean_person(absent_days=35))
    specs = [
        {"rule": "R-ABSENCE", "params": {"exclusion.absent_days": 30}},
        {"rule": "R-ABSENCE"},
    ]
    overridden, default = evaluate_all(specs, c)
    assert (overridden.status, overridden.values["limit"]) == (FAIL, 30)
    assert (default.status, default.values["limit"]) == (PASS, 40)
    assert dict(c.params) == {}


def test_evaluate_all_keeps_order_and_severity() -> None:
    facts = clean_person(ratings=rated(y2024="HTNV"), absent_days=45)
    specs = [
        {"rule": "R-REGISTERED"},
        {"rule": "R-LDTT", "severity": "warning"},
        {"rule": "R-ABSENCE", "severity": "blocking"},
        {"rule": "R-WOMAN", "severity": "warning"},
    ]
    results = evaluate_all(specs, ctx(facts))
    assert [(r.rule, r.status, r.severity, r.blocks) for r in results] == [
        ("R-REGISTERED", PASS, BLOCKING, False),
        ("R-LDTT", FAIL, WARNING, False),  # a warning never blocks
        ("R-ABSENCE", FAIL, BLOCKING, True),
        ("R-WOMAN", PASS, WARNING, False),
    ]


@pytest.mark.parametrize(
    ("params", "grade", "expect"),
    [
        pytest.param({"min_grade": "hoan_thanh_xuat_sac"}, "hoan_thanh_tot", FAIL, id="TTLDXS"),
        pytest.param({"min_grade": "hoan_thanh_tot"}, "hoan_thanh_tot", PASS, id="TTLDTT"),
        pytest.param({}, "hoan_thanh", FAIL, id="default"),
    ],
)
def test_evaluate_all_grade_params(params: dict[str, str], grade: str, expect: Status) -> None:
    spec = {"rule": "R-CDCS-GRADE", "params": params}
    (result,) = evaluate_all([spec], ctx({"grades": {"2024": grade}}))
    assert result.status == expect


def test_evaluate_all_ratings_param_override() -> None:
    spec = {"rule": "R-LDTT", "params": {"ldtt.ratings": ["HTXSNV"]}}
    (result,) = evaluate_all([spec], ctx({"ratings": rated(y2024="HTTNV")}))
    assert result.status == FAIL
    assert "cần HTXSNV" in result.message_vi


def test_evaluate_all_no_clause_asks_for_review_and_does_not_block() -> None:
    """A person judges what no clause covers: shown to reviewers, neither a pass nor a fail."""
    c = ctx({}, reference=FIRST_DAY_2022_LAW, aggregates=Aggregates(unit_ldtt=1, unit_cstdcs=9))
    (result,) = evaluate_all([{"rule": "R-CSTDCS-QUOTA", "severity": "blocking"}], c)
    assert (result.status, result.severity, result.values) == (MANUAL, BLOCKING, NO_CLAUSE)
    assert not result.blocks


def test_evaluate_all_rejects_an_unknown_severity() -> None:
    with pytest.raises(ValueError, match="fatal"):
        evaluate_all([{"rule": "R-ABSENCE", "severity": "fatal"}], ctx({"absent_days": 1}))


# --- Declared parameters: a rule reads only what it declares, so campaigns can be checked ---
RULE_MODULES = ("individual", "collective", "process")


@pytest.fixture
def scratch_registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A copy of the registry, so a throw-away rule never reaches the other tests."""
    import rules.registry

    copy = dict(RULES)
    monkeypatch.setattr(rules.registry, "RULES", copy)
    return copy


def test_a_rule_reading_an_undeclared_parameter_raises(scratch_registry: dict[str, Any]) -> None:
    from rules.params import Params, UndeclaredParameter
    from rules.registry import Verdict, rule
    from rules.results import Source

    @rule("R-SCRATCH", ("Thử", "Scratch"), [], Source("—"), params=["exclusion.absent_days"])
    def scratch(c: Any, p: Params) -> Verdict:
        return Verdict(p("exclusion.absent_days") < p("exclusion.months_employed"), "vi", "en")

    assert scratch_registry["R-SCRATCH"].params.keys() == {"exclusion.absent_days"}
    with pytest.raises(
        UndeclaredParameter, match=r"R-SCRATCH reads parameter 'exclusion\.months_employed'"
    ):
        evaluate("R-SCRATCH", ctx({}))
    overridden = [{"rule": "R-SCRATCH", "params": {"exclusion.months_employed": 1}}]
    with pytest.raises(UndeclaredParameter):  # an override does not make it declared
        evaluate_all(overridden, ctx({}))


def test_the_dated_entry_is_limited_to_the_declaration_too(
    scratch_registry: dict[str, Any],
) -> None:
    from rules.params import Params, UndeclaredParameter
    from rules.registry import Verdict, rule
    from rules.results import Source

    @rule("R-SCRATCH", ("Thử", "Scratch"), [], Source("—"))
    def scratch(c: Any, p: Params) -> Verdict:
        return Verdict(True, p.dated("luong_co_so").source, "en")

    with pytest.raises(UndeclaredParameter, match="declares only none"):
        evaluate("R-SCRATCH", ctx({}))


def test_declaring_a_parameter_that_does_not_exist_fails_at_import(
    scratch_registry: dict[str, Any],
) -> None:
    from rules.registry import rule
    from rules.results import Source

    with pytest.raises(ValueError, match=r"exclusion\.absent_dayz"):
        rule("R-SCRATCH", ("Thử", "Scratch"), [], Source("—"), params=["exclusion.absent_dayz"])
    assert "R-SCRATCH" not in scratch_registry


def test_every_declared_parameter_is_read_by_some_case(monkeypatch: pytest.MonkeyPatch) -> None:
    """A declared parameter no rule reads would be an override that silently does nothing."""
    import rules.registry
    from rules.params import Params

    read: dict[str, set[str]] = {rule_id: set() for rule_id in RULES}

    class Recording(Params):
        __slots__ = ()

        def __call__(self, name: str) -> Any:
            read[self._rule].add(name)
            return super().__call__(name)

    monkeypatch.setattr(rules.registry, "Params", Recording)
    for c in CASES:
        run(c)
    unread = {rule_id: set(r.params) - read[rule_id] for rule_id, r in RULES.items()}
    assert {k: v for k, v in unread.items() if v} == {}


def test_rules_read_parameters_only_through_their_reader() -> None:
    """No rule module imports ``value``/``lookup`` or reads ``ctx.params``: the reader the
    registry hands each rule is the one way in, so its declaration is complete."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "rules"
    for module in RULE_MODULES:
        tree = ast.parse((root / f"{module}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "rules.params":
                assert {a.name for a in node.names}.isdisjoint({"value", "lookup"}), module
            if isinstance(node, ast.Attribute) and node.attr == "params":
                raise AssertionError(f"rules/{module}.py reads .params at line {node.lineno}")


def test_every_default_is_of_its_declared_kind() -> None:
    from rules.params import PARAMS, UNDATED, kind

    declared = {name for r in RULES.values() for name in r.params}
    for p in PARAMS:
        if p.name in declared:
            assert kind(p.name).accepts(p.value), p
    for u in UNDATED.values():
        assert u.kind.accepts(u.default), u


@pytest.mark.parametrize(
    ("name", "good", "bad"),
    [
        pytest.param("exclusion.absent_days", [0, 30, 366], [-1, 3.0, "30", True, None], id="number"),
        pytest.param("bk74.consecutive_years", [1, 2, 10], [0, 11, -2, 10**9], id="years"),
        pytest.param("cstdcs.initiative_mandatory", [True, False], [1, "true", None], id="boolean"),
        pytest.param("cstdcs.quota_ratio", [0.15, "0.15", 0, 1, Decimal("0.2")],
                     [1.5, -0.1, "abc", "NaN", "1e999", float("inf"), True], id="ratio"),
        pytest.param("ldtt.ratings", [["HTXSNV"], "HTXSNV", ("HTXSNV", "HTTNV")],
                     [[], [1], 3, {"a": 1}], id="texts"),
        pytest.param("min_grade", ["hoan_thanh", "hoan_thanh_xuat_sac"],
                     ["tot", ["hoan_thanh"], 1], id="one-of"),
    ],
)  # fmt: skip
def test_each_kind_accepts_what_its_rule_can_read(
    name: str, good: list[Any], bad: list[Any]
) -> None:
    from rules.params import kind

    assert [v for v in good if not kind(name).accepts(v)] == []
    assert [v for v in bad if kind(name).accepts(v)] == []


def test_min_grade_is_read_with_its_default_and_override() -> None:
    spec = {"rule": "R-CDCS-GRADE"}
    facts = {"grades": {"2024": "hoan_thanh"}}
    (default,) = evaluate_all([spec], ctx(facts))
    (lowered,) = evaluate_all([spec | {"params": {"min_grade": "hoan_thanh"}}], ctx(facts))
    assert (default.values["minimum"], default.status) == ("hoan_thanh_tot", FAIL)
    assert (lowered.values["minimum"], lowered.status) == ("hoan_thanh", PASS)


# --- Money (rule 21) --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("coefficient", "decision_date", "amount"),
    [
        pytest.param("0.3", date(2024, 3, 1), 540_000, id="LDTT-rule-21-worked-example"),
        pytest.param("1.0", date(2024, 3, 1), 1_800_000, id="CSTDCS-1.0"),
        pytest.param(Decimal("1.5"), date(2024, 3, 1), 2_700_000, id="TTLDXS-Decimal"),
        pytest.param("0.3", date(2023, 6, 30), 450_000, id="rounded-up-447000"),
        pytest.param("0.3", date(2023, 7, 1), 540_000, id="base-1.8M-from-2023-07-01"),
        pytest.param("0.3", date(2024, 6, 30), 540_000, id="last-day-of-1.8M"),
        pytest.param("0.3", date(2024, 7, 1), 710_000, id="2.34M-702000-rounded-up"),
        pytest.param("1.0", date(2024, 7, 1), 2_340_000, id="CSTDCS-from-2024-07-01"),
        pytest.param("0.8", date(2019, 7, 1), 1_200_000, id="first-day-of-1.49M"),
        # Every seed campaign's year has its rate (NĐ 47/2016, 47/2017, 72/2018).
        pytest.param("0.3", date(2019, 6, 30), 420_000, id="last-day-of-1.39M-417000"),
        pytest.param("0.3", date(2018, 7, 1), 420_000, id="first-day-of-1.39M"),
        pytest.param("0.3", date(2018, 6, 30), 390_000, id="last-day-of-1.3M"),
        pytest.param("1.0", date(2017, 7, 1), 1_300_000, id="first-day-of-1.3M"),
        pytest.param("0.3", date(2017, 6, 30), 370_000, id="last-day-of-1.21M-363000"),
        pytest.param("1.0", date(2016, 5, 1), 1_210_000, id="first-day-of-1.21M"),
    ],
)
def test_bonus_amount(coefficient: str | Decimal, decision_date: date, amount: int) -> None:
    assert bonus_amount(coefficient, decision_date) == amount
    assert amount % 10_000 == 0


def test_bonus_amount_without_a_base_salary_raises() -> None:
    with pytest.raises(MissingParameter, match="luong_co_so"):
        bonus_amount("0.3", date(2016, 4, 30))


@pytest.mark.parametrize(
    ("amount", "text"),
    [(1_800_000, "1.800.000 đ"), (540_000, "540.000 đ"), (999, "999 đ"), (0, "0 đ")],
)
def test_vnd(amount: int, text: str) -> None:
    assert vnd(amount) == text


# --- Council vote ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("yes", "members", "present", "ratio", "base", "passes"),
    [
        pytest.param(6, 9, 9, (2, 3), "members", True, id="2/3-of-9-members-6-yes"),
        pytest.param(5, 9, 9, (2, 3), "members", False, id="2/3-of-9-members-5-yes"),
        pytest.param(5, 9, 7, (2, 3), "members", False, id="members-counts-the-absent"),
        pytest.param(5, 9, 7, (2, 3), "present", True, id="present-5-of-7"),
        pytest.param(4, 9, 7, (2, 3), "present", False, id="present-4-of-7"),
        pytest.param(3, 9, 6, (1, 2), "present", True, id="tie-at-the-ratio-passes"),
        pytest.param(2, 9, 6, (1, 2), "present", False, id="under-half-of-present"),
        pytest.param(9, 9, 9, (90, 100), "members", True, id="90pc-of-9-needs-9"),
        pytest.param(8, 9, 9, (90, 100), "members", False, id="90pc-of-9-8-fails"),
    ],
)
def test_vote_passes(
    yes: int, members: int, present: int, ratio: tuple[int, int], base: str, passes: bool
) -> None:
    assert vote_passes(yes, members, present, ratio, base) is passes


# --- Bugs found while writing these tables (each fails until the rule is fixed) ---------------
def test_quota_ratio_written_as_a_yaml_number_still_allows_3_of_20() -> None:
    """rules/process.py builds ``Decimal(float)``: 0.15 becomes 0.1499…, so floor(0.15 × 20) = 2.

    A campaign overriding the ratio in YAML writes ``0.15``, which ``yaml.safe_load`` gives
    as a float, and ``RuleSpecSchema.params`` passes it through unchanged.
    """
    (spec,) = yaml.safe_load("- {rule: R-CSTDCS-QUOTA, params: {cstdcs.quota_ratio: 0.15}}")
    c = ctx({}, 2023, aggregates=Aggregates(unit_ldtt=20, unit_cstdcs=3))
    (result,) = evaluate_all([spec], c)
    assert result.values["limit"] == 3, (
        f"15% of 20 LĐTT must allow 3 CSTĐ cơ sở, got limit {result.values['limit']} "
        f"({result.message_vi})"
    )
    assert result.status == PASS


def test_a_vote_with_nobody_present_does_not_pass() -> None:
    """rules/vote.py: with base 'present' and present = 0, ``0 * den >= num * 0`` holds.

    ``workflow.votes.VoteRecord.parse`` accepts members=9, present=0, yes=0, so a meeting
    nobody attended approves the award (LĐTT, CSTĐ cơ sở, Giấy khen use base 'present').
    """
    assert vote_passes(0, 9, 0, (1, 2), "present") is False, "0 yes votes of 0 present passed"


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (15, "Mười lăm đồng"),
        (21_000, "Hai mươi mốt nghìn đồng"),
        (105, "Một trăm linh năm đồng"),
        (540_000, "Năm trăm bốn mươi nghìn đồng"),
        (1_015, "Một nghìn không trăm mười lăm đồng"),
        (1_800_000, "Một triệu tám trăm nghìn đồng"),
        (1_001_000, "Một triệu không trăm linh một nghìn đồng"),
        (3_500_000_000, "Ba tỷ năm trăm triệu đồng"),
    ],
)
def test_amounts_in_vietnamese_words(amount, words):
    from rules.money import vnd_words

    assert vnd_words(amount) == words


def test_an_initiative_without_a_recognising_body_is_said_not_counted() -> None:
    """Else the officer reads "sáng kiến: 1" beside the two typed in, and no word why."""
    facts = {**WORKED, "initiatives": [unrecognised(2023), initiative(2024)]}
    result = run(Case("R-BK-74", "one unrecognised", FAIL, facts))
    assert result.message_vi.endswith(
        "sáng kiến 2023–2024: 1. Chưa tính 1 sáng kiến chưa ghi cơ quan công nhận."
    )
    assert "1 initiative(s) without a recognising body not counted." in result.message_en
    assert "Chưa tính" not in run(Case("R-BK-74", "all recognised", PASS, WORKED)).message_vi


@pytest.mark.parametrize(
    ("rule", "facts", "expect", "english"),
    [
        ("R-ABSENCE", {"absent_days": 1}, PASS, "Absent 1 working day in"),
        ("R-ABSENCE", {"absent_days": 2}, PASS, "Absent 2 working days in"),
        ("R-MONTHS-EMPLOYED", {"months_employed": 1}, FAIL, "Employed 1 month in"),
        ("R-MONTHS-EMPLOYED", {"months_employed": 12}, PASS, "Employed 12 months in"),
    ],
)
def test_english_messages_count_one_in_the_singular(rule, facts, expect, english) -> None:
    result = run(Case(rule, "count", expect, facts))
    assert result.status is expect
    assert result.message_en.startswith(english)
