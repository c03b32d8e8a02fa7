"""A campaign's periodic reports (issue 17, acceptance 2): a seed plan's period reported by a
unit, rendered to Word and PDF with its targets and results; a unit that has not reported is
listed as missing for its parent."""

from __future__ import annotations

import copy
import io
from datetime import UTC, date, datetime

import pytest

from tests.factories import demo_definition
from tests.test_documents import assert_says, both, words
from tests.test_seed_campaigns import facts_for
from workflow import campaigns, nominating, reports
from workflow.campaign_schema import CampaignSchema
from workflow.documents.period_report import build_report
from workflow.errors import InvalidInput, NotAllowed

CODE = "TDYN-2025-PROV"


@pytest.fixture
def plan(world):
    """The Đắk Lắk plan (seed) issued by the test tree's province."""
    moved = copy.deepcopy(demo_definition())
    moved["code"] = CODE
    moved["issuer"] = {**moved["issuer"], "code": "PROV"}
    campaigns.import_campaign(
        world.session, campaigns.validate(CampaignSchema().dump(moved), "test", {}),
        actor=world.user("admin"),
    )  # fmt: skip
    return campaigns.campaign_by_code(world.session, CODE)


def sent_on_3_november(world, plan) -> int:
    """A nomination of the plan's Bằng khen, sent up by CS1 on 03/11/2025."""
    award = next(a for a in plan.award_types if a.code == "BK_LDLD")
    world.now = datetime(2025, 11, 3, 2, tzinfo=UTC)
    nid = nominating.create_nomination(
        world.session, world.user("officer1"), campaign=CODE, award_type="BK_LDLD",
        nominee_kind="individual", nominee_name="Trần Thị Bích Ngọc",
        facts=facts_for(award, 2025, "BC-01"), now=world.tick(),
    ).id  # fmt: skip
    world.fire(nid, "submit", "officer1")
    return nid


def test_the_plans_rhythm_gives_the_periods(plan):
    keys = [p.key for p in reports.periods(plan)]
    assert "2025-01" in keys
    assert "2025-12" in keys
    assert "2025-Q4" in keys  # quarterly
    assert "2025" in keys  # yearly


def test_a_units_report_renders_with_targets_and_results_and_the_missing_are_listed(world, plan):
    sent_on_3_november(world, plan)
    targets = [t["key"] for t in plan.definition["targets"]]
    reports.submit(
        world.session, world.user("rev_br1"), CODE, "BR1", "2025-Q4",
        {targets[0]: 95, targets[1]: 80}, "Hoàn thành tốt các chỉ tiêu tuyên truyền.",
    )  # fmt: skip
    view = reports.view(world.session, world.user("rev_prov"), CODE, "BR1", "2025-Q4",
                        date(2026, 1, 5))  # fmt: skip
    first, second = plan.definition["targets"][:2]
    assert_says(
        both(build_report(view, date(2026, 1, 5))),
        [
            "BÁO CÁO",
            "Kết quả thực hiện Phong trào thi đua yêu nước năm 2025",
            "quý IV/2025",
            f"1 {first['label']} từ 90% 95% Đạt",
            f"2 {second['label']} bằng 100% 80% Chưa đạt",
            "Chưa báo cáo",
            "Hoàn thành tốt các chỉ tiêu tuyên truyền.",
            "1 Bằng khen của Ban Chấp hành Liên đoàn Lao động tỉnh 1 0",
            "Đơn vị PROV",
        ],
    )
    missing = reports.status(world.session, world.user("rev_prov"), CODE, "PROV", "2025-Q4",
                             date(2026, 1, 5))  # fmt: skip
    assert {s.unit.code: s.report is not None for s in missing} == {
        "BR1": True, "BR2": False, "CS4": False
    }  # fmt: skip


def test_only_the_units_staff_report_and_only_for_the_plans_targets(world, plan):
    with pytest.raises(NotAllowed):
        reports.submit(world.session, world.user("rev_br2"), CODE, "BR1", "2025", {})
    with pytest.raises(InvalidInput):
        reports.submit(world.session, world.user("rev_br1"), CODE, "BR1", "2025", {"bogus": 1})
    with pytest.raises(InvalidInput):
        reports.submit(world.session, world.user("rev_prov"), CODE, "PROV", "2025", {})


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_tier_reports_on_the_web_and_its_parent_sees_who_has_not(app, world, plan):
    from tests.web_client import WebClient

    target = plan.definition["targets"][0]
    key = target["key"]
    world.session.rollback()
    branch = WebClient(app, "rev_br1")
    form = branch.text(f"/campaigns/{CODE}/reports?period=2025-Q4")
    assert "Báo cáo của đơn vị quý IV/2025" in form
    branch.post("/lang", {"lang": "en", "next": "/"})
    english = branch.text(f"/campaigns/{CODE}/reports?period=2025-Q4")
    assert "Q4 2025" in english
    assert "quý IV" not in english
    assert f"at least {target['threshold']}" in english
    branch.post("/lang", {"lang": "vi", "next": "/"})
    refused = branch.post(f"/campaigns/{CODE}/reports/BR1/2025-Q4", {f"result-{key}": "chín"})
    assert refused.status_code == 422
    assert 'value="chín"' in refused.get_data(as_text=True)
    sent = branch.post(
        f"/campaigns/{CODE}/reports/BR1/2025-Q4", {f"result-{key}": "95", "note": "Tốt."}
    )
    assert sent.status_code == 302
    above = WebClient(app, "rev_tld").get(f"/campaigns/{CODE}/reports")  # above the issuer
    assert above.status_code == 404
    assert "Không có báo cáo nào của bạn." in above.get_data(as_text=True)  # not a bare 404
    province = WebClient(app, "rev_prov").text(f"/campaigns/{CODE}/reports?period=2025-Q4")
    assert "Chưa báo cáo" in province
    assert "Đã báo cáo ngày" in province
    document = WebClient(app, "rev_prov").get(f"/campaigns/{CODE}/reports/BR1/2025-Q4.docx")
    assert document.status_code == 200
    assert (
        WebClient(app, "rev_br2").get(f"/campaigns/{CODE}/reports/BR1/2025-Q4.pdf").status_code
        == 404
    )
    table = WebClient(app, "rev_prov").get(f"/campaigns/{CODE}/reports/PROV/2025-Q4.xlsx")
    assert table.status_code == 200


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_percentage_typed_with_a_decimal_comma_is_kept_and_shown_back(app, world, plan):
    from openpyxl import load_workbook

    from tests.web_client import WebClient

    world.session.rollback()
    branch = WebClient(app, "rev_br1")
    sent = branch.post(
        f"/campaigns/{CODE}/reports/BR1/2025-Q4",
        {"result-cdcs_vung_manh_pct": "95,5", "result-ket_nap_doan_vien": "1.200"},
    )
    assert sent.status_code == 302
    form = branch.text(f"/campaigns/{CODE}/reports?period=2025-Q4")
    assert 'name="result-cdcs_vung_manh_pct" inputmode="decimal"' in form
    assert 'value="95,5"' in form
    assert 'value="1200"' in form  # a count typed back in reads as it did
    branch.post("/lang", {"lang": "en", "next": "/"})
    assert 'value="95.5"' in branch.text(f"/campaigns/{CODE}/reports?period=2025-Q4")
    table = WebClient(app, "rev_prov").get(f"/campaigns/{CODE}/reports/PROV/2025-Q4.xlsx")
    sheet = load_workbook(io.BytesIO(table.data)).active
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[1] == "Có")
    column = header.index("Công đoàn cơ sở đạt tiêu chuẩn vững mạnh (%)")  # with its unit
    assert row[column] == 95.5  # a number Excel sums, not the text "95.5"


def test_a_percentage_over_100_is_refused_and_a_count_is_not_capped(world, plan):
    percent = next(t for t in plan.definition["targets"] if t.get("unit") == "%")
    with pytest.raises(InvalidInput) as refused:
        reports.submit(world.session, world.user("rev_br1"), CODE, "BR1", "2025-Q4",
                       {percent["key"]: 101})  # fmt: skip
    assert refused.value.details == {percent["key"]: "percentage"}
    count = next(t for t in plan.definition["targets"] if t.get("unit") == "đoàn viên")
    reports.submit(world.session, world.user("rev_br1"), CODE, "BR1", "2025-Q4",
                   {percent["key"]: 100, count["key"]: 150})  # fmt: skip


@pytest.mark.parametrize(
    ("day", "shown"),
    [(date(2025, 12, 31), "2025"), (date(2026, 1, 1), "2025"), (date(2024, 12, 31), "2025-01")],
)
def test_the_page_opens_on_the_years_report_on_both_sides_of_new_year(world, plan, day, shown):
    """In December the year's report is the broadest period running; on 01/01 it stays the
    one to report on (it opened on December's monthly report); before the plan, its first."""
    found = reports.overview(world.session, world.user("rev_br1"), CODE, None, day)
    assert found.period.key == shown


def test_large_figures_are_written_with_their_thousands_marked():
    """ "1200 đoàn viên" on an official report reads as a typo; 1.200 (1,200 in English)."""
    from rules import Target
    from workflow.documents.period_report import _value

    target = Target("members", "Kết nạp đoàn viên mới", ">=", 1200, "đoàn viên")
    assert target.requirement_in("vi") == "từ 1.200 đoàn viên"
    assert target.requirement_in("en").endswith("1,200 đoàn viên")
    assert _value(reports.Line(target, 1350)) == "1.350 đoàn viên"
    assert _value(reports.Line(Target("share", "Tỷ lệ", ">=", 90, "%"), "95.5")) == "95,5%"


@pytest.mark.parametrize(
    ("typed", "kept", "met"),
    [("95,5", "95.5", True), ("95.5", "95.5", True), ("94,99", "94.99", False),
     ("100,0", 100, True), (" 95 ", 95, True), (95, 95, True)],
)  # fmt: skip
def test_a_percentage_is_declared_with_its_decimals(world, plan, typed, kept, met):
    """ "95,5 %" of members is a real result; it was refused as "not a whole number"."""
    percent = next(t for t in plan.definition["targets"] if t["key"] == "cdcs_vung_manh_pct")
    assert (percent["comparison"], percent["threshold"]) == (">=", 95)
    reports.submit(world.session, world.user("rev_br1"), CODE, "BR1", "2025-Q4",
                   {percent["key"]: typed})  # fmt: skip
    view = reports.view(
        world.session, world.user("rev_br1"), CODE, "BR1", "2025-Q4", date(2026, 1, 5)
    )
    line = next(line for line in view.lines if line.target.key == percent["key"])
    assert line.value == kept
    assert line.met is met
    assert line.shown("vi") == str(kept).replace(".", ",")
    assert line.shown("en") == str(kept)


@pytest.mark.parametrize(
    ("target_unit", "typed", "problem"),
    [("%", "95,555", "percentage"), ("%", "100,5", "percentage"), ("%", "-1", "percentage"),
     ("%", "9 5", "percentage"), ("đoàn viên", "1,5", "whole_number"),
     ("đoàn viên", "12.5", "whole_number"), ("đoàn viên", "1.2.3", "whole_number"),
     ("đoàn viên", True, "whole_number"), ("đoàn viên", 1.5, "whole_number")],
)  # fmt: skip
def test_a_result_that_is_not_a_number_of_its_kind_is_refused(
    world, plan, target_unit, typed, problem
):
    target = next(t for t in plan.definition["targets"] if t.get("unit") == target_unit)
    with pytest.raises(InvalidInput) as refused:
        reports.submit(world.session, world.user("rev_br1"), CODE, "BR1", "2025-Q4",
                       {target["key"]: typed})  # fmt: skip
    assert refused.value.details == {target["key"]: problem}
    assert target["label"] in refused.value.message("vi")


@pytest.mark.parametrize(
    ("typed", "kept"), [("1.200", 1200), ("1 200", 1200), ("1,200", 1200), ("1200", 1200)]
)
def test_a_count_is_read_with_its_thousands_marked(world, plan, typed, kept):
    count = next(t for t in plan.definition["targets"] if t.get("unit") == "đoàn viên")
    reports.submit(world.session, world.user("rev_br1"), CODE, "BR1", "2025-Q4",
                   {count["key"]: typed})  # fmt: skip
    view = reports.view(
        world.session, world.user("rev_br1"), CODE, "BR1", "2025-Q4", date(2026, 1, 5)
    )
    assert next(line.value for line in view.lines if line.target.key == count["key"]) == kept


def test_periods_ending_together_are_listed_shortest_first(world, plan):
    """ "tháng 11, năm 2025, quý IV, tháng 12" read as a shuffle: December, then the fourth
    quarter, then the year, each after what ended before them."""
    keys = [p.key for p in reports.periods(campaigns.campaign_by_code(world.session, CODE))]
    assert (
        keys.index("2025-11") < keys.index("2025-12") < keys.index("2025-Q4") < keys.index("2025")
    )


def test_a_periods_report_counts_the_proposals_sent_by_its_last_day(world, plan):
    """A third quarter's report printed in January counted the fourth quarter's proposals."""
    sent_on_3_november(world, plan)
    printed = date(2026, 1, 5)
    for period, proposed in (("2025-Q3", []), ("2025-10", []), ("2025-11", [1]), ("2025-Q4", [1])):
        view = reports.view(world.session, world.user("rev_prov"), CODE, "PROV", period, printed)
        assert [p for _, p, _ in view.proposals] == proposed, period
    assert_says(
        both(build_report(view, printed)),
        ["II. ĐỀ NGHỊ KHEN THƯỞNG (TÍNH ĐẾN HẾT NGÀY 31/12/2025)"],
    )
    # Printed before the period ends: counted to the day printed, not to a day still to come.
    early = reports.view(world.session, world.user("rev_prov"), CODE, "PROV", "2025", printed)
    assert_says(
        both(build_report(early, date(2025, 12, 2))),
        ["II. ĐỀ NGHỊ KHEN THƯỞNG (TÍNH ĐẾN NGÀY 02/12/2025)"],
    )


def test_a_years_report_names_its_year_once(world, plan):
    """ "… năm 2025 năm 2025": the plan's title already says its year."""
    view = reports.view(
        world.session, world.user("rev_prov"), CODE, "PROV", "2025", date(2026, 1, 5)
    )
    assert_says(
        both(build_report(view, date(2026, 1, 5))),
        ["Kết quả thực hiện Phong trào thi đua yêu nước năm 2025"],
    )
    for text in both(build_report(view, date(2026, 1, 5))):
        assert words("năm 2025 năm 2025") not in text


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_the_dashboard_links_a_plans_reports_only_for_who_has_a_unit_inside_it(app, world, plan):
    """Above the issuer (the Tổng Liên đoàn's staff), "Báo cáo định kỳ" led to a 404."""
    from tests.web_client import WebClient

    world.session.rollback()
    link = f"/campaigns/{CODE}/reports"
    assert link in WebClient(app, "rev_br1").text("/dashboard")
    assert link in WebClient(app, "rev_prov").text("/dashboard")
    assert link not in WebClient(app, "rev_tld").text("/dashboard")
